package client_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
)

// TestElevationOverTheControlChannel: a rep asks a real customer's client
// for elevation, the customer's app gets the request and answers, and the
// rep gets the answer; what either side should not have sent is refused
// without reaching the app.
func TestElevationOverTheControlChannel(t *testing.T) {
	p := newPair(t, 60*time.Second)
	ctx, rep, cust := p.ctx, p.rep, p.cust
	cs := cust.Session()
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

	// What the rep should not send is refused; the request behind it on
	// the ordered channel is the first that reaches the customer's app.
	for _, bad := range []string{
		`{"type":"elevate.request","outcome":"accepted"}`,
		`{"type":"elevate.result","outcome":"accepted"}`,
		`{"type":"elevate.now"}`,
		`{"type":"elevate.request","args":["-c","id"]}`,
	} {
		if err := client.SendControlText(repPeer, bad); err != nil {
			t.Fatal(err)
		}
	}
	if err := repPeer.RequestElevation(); err != nil {
		t.Fatal(err)
	}
	req := nextElevation(t, cs.Events())
	if r, ok := req.(client.ElevationRequested); !ok || r.Participant.ID != repID {
		t.Fatalf("customer side: got %#v; want ElevationRequested from the rep %s", req, repID)
	}

	// The answer reaches the rep.
	if err := cs.AnswerElevation(repID, client.ElevationDeclined, "Nicht während der Buchhaltung"); err != nil {
		t.Fatal(err)
	}
	got := nextElevation(t, rs.Events())
	want := client.ElevationChanged{Participant: cs.Self(), Outcome: client.ElevationDeclined, Reason: "Nicht während der Buchhaltung"}
	if got != want {
		t.Fatalf("rep side: got %#v; want %#v", got, want)
	}

	// What the customer should not send is refused by the rep's side.
	for _, bad := range []string{
		`{"type":"elevate.request"}`,
		`{"type":"elevate.result","outcome":"unknown"}`,
		`{"type":"elevate.result","outcome":"failed","reason":"` + strings.Repeat("ü", client.MaxElevationReason+1) + `"}`,
	} {
		if err := client.SendControlText(custPeer, bad); err != nil {
			t.Fatal(err)
		}
	}
	if err := cs.AnswerElevation(repID, client.ElevationFailed, "pkexec: no authentication agent"); err != nil {
		t.Fatal(err)
	}
	got = nextElevation(t, rs.Events())
	if ch, ok := got.(client.ElevationChanged); !ok || ch.Outcome != client.ElevationFailed {
		t.Fatalf("rep side: got %#v; want the failed answer, the refused messages dropped", got)
	}

	// Answers that cannot be sent, and a rep asking a rep.
	for _, tt := range []struct {
		name    string
		err     error
		wantErr error
	}{
		{"unknown outcome", cs.AnswerElevation(repID, client.ElevationUnknown, ""), client.ErrBadElevation},
		{"reason too long", cs.AnswerElevation(repID, client.ElevationFailed, strings.Repeat("x", client.MaxElevationReason+1)), client.ErrBadElevation},
		{"reason with escape", cs.AnswerElevation(repID, client.ElevationFailed, "\x1b[2J"), client.ErrBadElevation},
		{"answer from the rep", rs.AnswerElevation(cs.Self().ID, client.ElevationAccepted, ""), client.ErrNotCustomer},
		{"request of the rep", custPeer.RequestElevation(), client.ErrNotCustomer},
	} {
		if !errors.Is(tt.err, tt.wantErr) {
			t.Errorf("%s: got %v; want %v", tt.name, tt.err, tt.wantErr)
		}
	}
	if err := cs.AnswerElevation("nobody", client.ElevationAlready, ""); err == nil {
		t.Error("answer to a participant without a connection: got nil; want an error")
	}
}

// nextElevation waits for the next elevation event on ch, skipping others.
func nextElevation(t *testing.T, ch <-chan client.Event) client.Event {
	t.Helper()
	timeout := time.After(hung)
	for {
		select {
		case ev := <-ch:
			switch ev.(type) {
			case client.ElevationRequested, client.ElevationChanged:
				return ev
			}
		case <-timeout:
			t.Fatal("no elevation event within 20s")
			return nil
		}
	}
}
