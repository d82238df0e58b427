package client_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
)

// TestServiceOverTheControlChannel: a rep asks a real customer's client
// to run as a service. The default portal does not allow it: the client
// says so when asked and declines a request by itself, without its app
// hearing of it. Where the portal allows it the app gets the request and
// its answer reaches the rep; what either side should not have sent is
// refused.
func TestServiceOverTheControlChannel(t *testing.T) {
	p := newPair(t, 60*time.Second)
	ctx, rep, cust := p.ctx, p.rep, p.cust
	cs := cust.Session()
	if c := cust.Config(); c == nil || c.Functions.RunAsService {
		t.Fatalf("the default portal's configuration %+v allows running as a service", c)
	}
	allow, deny := *cust.Config(), *cust.Config()
	allow.Functions.RunAsService = true
	rs, err := rep.Accept(ctx, cs.ID())
	if err != nil {
		t.Fatal(err)
	}
	repPeer := waitPeer(t, rs, cs.Self().ID)
	if err := repPeer.Connected(ctx); err != nil {
		t.Fatal(err)
	}
	repID := rep.Account().ID
	custPeer := waitPeer(t, cs, repID)
	if err := custPeer.Connected(ctx); err != nil {
		t.Fatal(err)
	}

	// Not allowed by the portal: the query says so and a request is
	// declined by the client itself.
	if err := repPeer.QueryService(); err != nil {
		t.Fatal(err)
	}
	if got, want := nextService(t, rs.Events()), (client.ServiceAllowed{Participant: cs.Self(), Allowed: false}); got != want {
		t.Fatalf("query, portal forbids: got %#v; want %#v", got, want)
	}
	if err := repPeer.RequestService(); err != nil {
		t.Fatal(err)
	}
	got := nextService(t, rs.Events())
	if ch, ok := got.(client.ServiceChanged); !ok || ch.Outcome != client.ServiceDeclined || !strings.Contains(ch.Reason, "portal") {
		t.Fatalf("request, portal forbids: got %#v; want declined by the portal", got)
	}

	// Allowed: bad messages first; the request behind them on the ordered
	// channel is the first that reaches the customer's app (and the
	// refused request above never did).
	client.SetAnnotationPolicy(cs, &allow) // the session's portal configuration
	for _, bad := range []string{
		`{"type":"service.request","outcome":"accepted"}`,
		`{"type":"service.request","allowed":true}`,
		`{"type":"service.result","outcome":"accepted"}`,
		`{"type":"service.allowed","allowed":true}`,
		`{"type":"service.install","exe":"/bin/sh"}`,
		`{"type":"service.request","args":["-c","id"]}`,
	} {
		if err := client.SendControlText(repPeer, bad); err != nil {
			t.Fatal(err)
		}
	}
	if err := repPeer.QueryService(); err != nil {
		t.Fatal(err)
	}
	if got, want := nextService(t, rs.Events()), (client.ServiceAllowed{Participant: cs.Self(), Allowed: true}); got != want {
		t.Fatalf("query, portal allows: got %#v; want %#v", got, want)
	}
	if err := repPeer.RequestService(); err != nil {
		t.Fatal(err)
	}
	req := nextService(t, cs.Events())
	if r, ok := req.(client.ServiceRequested); !ok || r.Participant.ID != repID {
		t.Fatalf("customer side: got %#v; want ServiceRequested from the rep %s", req, repID)
	}
	if err := cs.AnswerService(repID, client.ServiceUnsupported, "systemd is not running"); err != nil {
		t.Fatal(err)
	}
	want := client.ServiceChanged{Participant: cs.Self(), Outcome: client.ServiceUnsupported, Reason: "systemd is not running"}
	if got := nextService(t, rs.Events()); got != want {
		t.Fatalf("rep side: got %#v; want %#v", got, want)
	}

	// What the customer should not send is refused by the rep's side.
	for _, bad := range []string{
		`{"type":"service.request"}`,
		`{"type":"service.query"}`,
		`{"type":"service.result","outcome":"unknown"}`,
		`{"type":"service.result","outcome":"failed","allowed":true}`,
		`{"type":"service.allowed","allowed":true,"reason":"x"}`,
		`{"type":"service.result","outcome":"failed","reason":"` + strings.Repeat("ü", client.MaxServiceReason+1) + `"}`,
	} {
		if err := client.SendControlText(custPeer, bad); err != nil {
			t.Fatal(err)
		}
	}
	if err := cs.AnswerService(repID, client.ServiceFailed, "systemctl start: exit status 1"); err != nil {
		t.Fatal(err)
	}
	if got := nextService(t, rs.Events()); got.(client.ServiceChanged).Outcome != client.ServiceFailed {
		t.Fatalf("rep side: got %#v; want the failed answer, the refused messages dropped", got)
	}

	// Forbidden again: a request no longer reaches the app.
	client.SetAnnotationPolicy(cs, &deny)
	if err := repPeer.RequestService(); err != nil {
		t.Fatal(err)
	}
	if got := nextService(t, rs.Events()); got.(client.ServiceChanged).Outcome != client.ServiceDeclined {
		t.Fatalf("rep side: got %#v; want declined", got)
	}

	for _, tt := range []struct {
		name    string
		err     error
		wantErr error
	}{
		{"unknown outcome", cs.AnswerService(repID, client.ServiceUnknown, ""), client.ErrBadService},
		{"outcome out of range", cs.AnswerService(repID, client.ServiceOutcome(99), ""), client.ErrBadService},
		{"reason too long", cs.AnswerService(repID, client.ServiceFailed, strings.Repeat("x", client.MaxServiceReason+1)), client.ErrBadService},
		{"reason with escape", cs.AnswerService(repID, client.ServiceFailed, "\x1b[2J"), client.ErrBadService},
		{"answer from the rep", rs.AnswerService(cs.Self().ID, client.ServiceAccepted, ""), client.ErrNotCustomer},
		{"request of the rep", custPeer.RequestService(), client.ErrNotCustomer},
		{"query of the rep", custPeer.QueryService(), client.ErrNotCustomer},
	} {
		if !errors.Is(tt.err, tt.wantErr) {
			t.Errorf("%s: got %v; want %v", tt.name, tt.err, tt.wantErr)
		}
	}
	// Nothing else reached the customer's app.
	select {
	case ev := <-cs.Events():
		if _, ok := ev.(client.ServiceRequested); ok {
			t.Errorf("customer side: got another %#v", ev)
		}
	default:
	}
}

func TestServiceOutcomeText(t *testing.T) {
	for o := client.ServiceAccepted; o <= client.ServiceAlready; o++ {
		b, err := o.MarshalText()
		if err != nil {
			t.Fatalf("%v: %v", o, err)
		}
		var back client.ServiceOutcome
		if err := back.UnmarshalText(b); err != nil || back != o {
			t.Errorf("%q: got %v, %v; want %v", b, back, err, o)
		}
	}
	for _, o := range []client.ServiceOutcome{client.ServiceUnknown, 6, -1} {
		if _, err := o.MarshalText(); !errors.Is(err, client.ErrBadService) {
			t.Errorf("MarshalText(%v): got %v; want ErrBadService", o, err)
		}
	}
	var o client.ServiceOutcome
	for _, bad := range []string{"unknown", "", "Accepted"} {
		if err := o.UnmarshalText([]byte(bad)); !errors.Is(err, client.ErrBadService) {
			t.Errorf("UnmarshalText(%q): got %v; want ErrBadService", bad, err)
		}
	}
	if got := client.ServiceOutcome(9).String(); got != "ServiceOutcome(9)" {
		t.Errorf("String: got %q", got)
	}
}

// nextService waits for the next service event on ch, skipping others.
func nextService(t *testing.T, ch <-chan client.Event) client.Event {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case ev := <-ch:
			switch ev.(type) {
			case client.ServiceRequested, client.ServiceChanged, client.ServiceAllowed:
				return ev
			}
		case <-timeout:
			t.Fatal("no service event within 60s")
			return nil
		}
	}
}
