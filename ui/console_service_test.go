package ui

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/input"
	"github.com/tandemhq/tandem/protocol"
)

func TestServiceNotice(t *testing.T) {
	ada := protocol.Participant{ID: "c1", Role: protocol.RoleCustomer, Name: "Ada"}
	tests := []struct {
		e    client.ServiceChanged
		want string
	}{
		{client.ServiceChanged{Participant: ada, Outcome: client.ServiceAccepted, Reason: "installing the service"},
			"Ada accepted running as a service; the client restarts as a service and reconnects. (installing the service)"},
		{client.ServiceChanged{Participant: ada, Outcome: client.ServiceDeclined, Reason: "the portal does not allow running as a service"},
			"Ada declined running as a service. (the portal does not allow running as a service)"},
		{client.ServiceChanged{Participant: ada, Outcome: client.ServiceFailed, Reason: "systemctl start: exit status 1"},
			"Running as a service failed on Ada's computer. (systemctl start: exit status 1)"},
		{client.ServiceChanged{Participant: ada, Outcome: client.ServiceUnsupported},
			"Ada's computer cannot run the client as a service."},
		{client.ServiceChanged{Outcome: client.ServiceAlready},
			"The customer's client already runs as a service."},
	}
	for _, tt := range tests {
		if got := ServiceNotice(tt.e); got != tt.want {
			t.Errorf("ServiceNotice(%+v): got %q; want %q", tt.e, got, tt.want)
		}
	}
}

// TestServiceButton: hidden until the customer's client says its portal
// allows it, hidden again when it says no; without a connection the rep is
// told and nothing panics.
func TestServiceButton(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("t")
	var got []string
	p := NewScreenPanel(w, func(input.Event) {}, func(int) {})
	p.Service = NewServiceButton(func() *client.Peer { return nil }, func(s string) { got = append(got, s) })
	p.AddTool(p.Service)
	if p.Service.Visible() {
		t.Error("the button shows before the customer's client answered")
	}
	p.ShowService(true)
	if !p.Service.Visible() {
		t.Error("the button is hidden where the portal allows it")
	}
	test.Tap(p.Service)
	if len(got) != 1 || !strings.Contains(got[0], "not connected") {
		t.Errorf("notices: got %q; want one saying the customer is not connected", got)
	}
	p.ShowService(false)
	if p.Service.Visible() {
		t.Error("the button shows where the portal forbids it")
	}
	var none *ScreenPanel
	none.ShowService(true) // a session without a screen panel yet
	if err := QueryServiceAllowed(nil); err == nil {
		t.Error("QueryServiceAllowed(nil): got nil; want an error")
	}
}

func TestServicePrompt(t *testing.T) {
	tests := []struct{ locale, allow string }{
		{"de_DE.UTF-8", "Erlauben"}, {"de-AT", "Erlauben"}, {"en_US.UTF-8", "Allow"}, {"", "Allow"}, {"deu", "Allow"},
	}
	for _, tt := range tests {
		p := ServicePrompt(tt.locale, "Rita")
		if p.Allow != tt.allow || !strings.HasPrefix(p.Body, "Rita ") || p.Title == "" || p.Deny == "" {
			t.Errorf("ServicePrompt(%q): got %+v; want %q and the rep's name", tt.locale, p, tt.allow)
		}
	}
}

// TestPrompterAsksServiceInTheSessionWindow: the question appears as the
// portal shows prompts, in the session's language; Deny answers no, and a
// withdrawn question answers no.
func TestPrompterAsksServiceInTheSessionWindow(t *testing.T) {
	a := test.NewTempApp(t)
	pr := &Prompter{}
	if pr.AskService(t.Context(), "Rita") {
		t.Error("an unconnected prompter answered yes")
	}
	q := make(chan func(), 16)
	c := newCustomerApp(CustomerOptions{Logger: slog.New(slog.DiscardHandler), Prompter: pr}, func(f func()) { q <- f })
	c.win = a.NewWindow("t")
	c.view = newCustomerView(c.win, CustomerSetup{Lang: "de", Config: protocol.DefaultCustomerClientConfig()}, CustomerCallbacks{}, c.do)
	c.win.SetContent(c.view.Content)
	ask := func(ctx context.Context) <-chan bool {
		got := make(chan bool, 1)
		go func() { got <- pr.AskService(ctx, "Rita") }()
		(<-q)() // show the prompt on this goroutine, as Fyne's would
		return got
	}
	got := ask(t.Context())
	ps := c.view.Prompts()
	if len(ps) != 1 || ps[0].No == nil || !strings.Contains(ps[0].Text, "als Dienst") {
		t.Fatalf("prompts %+v; want one German text-link prompt about the service", ps)
	}
	tap(ps[0].No)
	if <-got {
		t.Error("Deny answered yes")
	}
	got = ask(t.Context())
	tap(c.view.Prompts()[1].Yes)
	if !<-got {
		t.Error("Allow answered no")
	}
	ctx, cancel := context.WithCancel(t.Context())
	got = ask(ctx)
	cancel()
	if <-got {
		t.Error("a withdrawn question answered yes")
	}
	(<-q)() // the withdrawal
	if p := c.view.Prompts()[2]; !p.Answered() {
		t.Error("the withdrawn prompt is still open")
	}
}
