package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
)

func TestElevationNotice(t *testing.T) {
	ada := protocol.Participant{ID: "c1", Role: protocol.RoleCustomer, Name: "Ada"}
	tests := []struct {
		e    client.ElevationChanged
		want string
	}{
		{client.ElevationChanged{Participant: ada, Outcome: client.ElevationAccepted},
			"Ada accepted elevation; the client restarts with administrative rights and reconnects."},
		{client.ElevationChanged{Participant: ada, Outcome: client.ElevationDeclined, Reason: "the customer declined"},
			"Ada declined elevation. (the customer declined)"},
		{client.ElevationChanged{Participant: ada, Outcome: client.ElevationFailed, Reason: "pkexec: exit status 127"},
			"Elevation failed on Ada's computer. (pkexec: exit status 127)"},
		{client.ElevationChanged{Outcome: client.ElevationAlready},
			"The customer's client already runs with administrative rights."},
	}
	for _, tt := range tests {
		if got := ElevationNotice(tt.e); got != tt.want {
			t.Errorf("ElevationNotice(%+v): got %q; want %q", tt.e, got, tt.want)
		}
	}
}

// TestElevationButtonWithoutConnection: the rep is told, nothing panics.
func TestElevationButtonWithoutConnection(t *testing.T) {
	test.NewTempApp(t)
	var got []string
	b := NewElevationButton(func() *client.Peer { return nil }, func(s string) { got = append(got, s) })
	test.Tap(b)
	if len(got) != 1 || !strings.Contains(got[0], "not connected") {
		t.Errorf("notices: got %q; want one saying the customer is not connected", got)
	}
}

func TestElevationPrompt(t *testing.T) {
	tests := []struct{ locale, allow string }{
		{"de_DE.UTF-8", "Erlauben"}, {"de-AT", "Erlauben"}, {"de", "Erlauben"},
		{"en_US.UTF-8", "Allow"}, {"", "Allow"}, {"fr_FR", "Allow"}, {"deu", "Allow"},
	}
	for _, tt := range tests {
		p := ElevationPrompt(tt.locale, "Rita")
		if p.Allow != tt.allow || !strings.HasPrefix(p.Body, "Rita ") || p.Title == "" || p.Deny == "" {
			t.Errorf("ElevationPrompt(%q): got %+v; want %q and the rep's name", tt.locale, p, tt.allow)
		}
	}
}

// TestElevationPromptAnswers: the customer's choice in the pop-up is the
// answer, and the pop-up goes.
func TestElevationPromptAnswers(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("customer")
	w.Resize(fyne.NewSize(520, 640))
	w.Show()
	for _, tt := range []struct {
		button string
		want   []bool
	}{{"Erlauben", []bool{true}}, {"Ablehnen", []bool{false}}} {
		var got []bool
		showElevationPrompt(w, "de_DE.UTF-8", "Rita", func(ok bool) { got = append(got, ok) })
		top := w.Canvas().Overlays().Top()
		if top == nil {
			t.Fatal("no prompt shown")
		}
		test.Tap(findButton(t, top, tt.button))
		if len(got) != 1 || got[0] != tt.want[0] {
			t.Errorf("%s: got %v; want %v", tt.button, got, tt.want)
		}
		if w.Canvas().Overlays().Top() != nil {
			t.Errorf("%s: the prompt is still shown", tt.button)
		}
	}
}
