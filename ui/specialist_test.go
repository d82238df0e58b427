//go:build linux && cgo

package ui

import (
	"context"
	"image"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tandemhq/tandem/capture"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/internal/xvfb"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

func TestSpecialistValuesCheck(t *testing.T) {
	ok := SpecialistValues{Server: "https://h:8443", Code: "123456789", Name: "Grace"}
	tests := []struct {
		name string
		v    SpecialistValues
		want string // in the message; "" for none
	}{
		{"complete", ok, ""},
		{"no server", SpecialistValues{Code: ok.Code, Name: ok.Name}, "server"},
		{"short code", SpecialistValues{Server: ok.Server, Code: "12345", Name: ok.Name}, "9 digits"},
		{"letters", SpecialistValues{Server: ok.Server, Code: "12345678x", Name: ok.Name}, "9 digits"},
		{"no name", SpecialistValues{Server: ok.Server, Code: ok.Code}, "your name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.v.Check()
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestSentence(t *testing.T) {
	tests := []struct{ in, want string }{
		{"no invitation has this code", "No invitation has this code."},
		{"Already one.", "Already one."},
		{" élan? ", "Élan?"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := sentence(tt.in); got != tt.want {
			t.Errorf("sentence(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestSpecialistFormSubmitsWhatWasTyped(t *testing.T) {
	test.NewTempApp(t)
	var got []SpecialistValues
	f := NewSpecialistForm(SpecialistValues{Server: "https://h:8443"}, func(v SpecialistValues) { got = append(got, v) })
	test.Type(f.Code, "123 456-789")
	test.Type(f.Name, " Grace ")
	test.Tap(f.Button)
	if want := (SpecialistValues{Server: "https://h:8443", Code: "123456789", Name: "Grace"}); len(got) != 1 || got[0] != want {
		t.Errorf("got %+v; want [%+v]", got, want)
	}
}

// specialistSession is a session of a real server with a rep and a
// customer in it.
type specialistSession struct {
	h    *servertest.Harness
	cfg  client.Config
	rep  *client.Session
	cust *client.Customer
}

// startSpecialistSession starts a server, a customer who wrote a line and
// a rep who took the session.
func startSpecialistSession(t *testing.T, ctx context.Context) *specialistSession {
	t.Helper()
	h := servertest.Start(t)
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint}
	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close() })
	k, err := rep.CreateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cust, err := client.Join(ctx, cfg, k.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cust.Close() })
	if err := cust.Session().SendChat(ctx, "My printer prints blank pages"); err != nil {
		t.Fatal(err)
	}
	rs, err := rep.GetNext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &specialistSession{h: h, cfg: cfg, rep: rs, cust: cust}
}

// welcome has the rep write to the session.
func (ss *specialistSession) welcome(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := ss.rep.SendChat(ctx, "Welcome"); err != nil {
		t.Fatal(err)
	}
}

// TestSpecialistJoinsARealSession: a specialist types a wrong code and is
// told so by the server; with the rep's real code the specialist's
// window shows the chat, the attendees and the customer's live
// screen; a line written reaches the customer; "Request control" asks
// the customer, who grants it; "Leave session" leaves, and the rep's
// session no longer has the specialist.
func TestSpecialistJoinsARealSession(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1024, Height: 768}}})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	ss := startSpecialistSession(t, ctx)
	cs := ss.cust.Session()
	capt, err := capture.Open(d.Name, capture.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer capt.Close()
	if err := cs.ShareScreen(capt); err != nil {
		t.Fatal(err)
	}
	defer cs.StopSharing()
	chats := make(chan protocol.ChatMessage, 16)
	go func() {
		for {
			select {
			case ev := <-cs.Events():
				switch e := ev.(type) {
				case client.ControlRequested:
					_ = cs.GrantControl(e.Participant.ID)
				case client.ChatReceived:
					chats <- e.Message
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	inv, err := ss.rep.InviteSpecialist(ctx, protocol.RightsControl)
	if err != nil {
		t.Fatal(err)
	}

	a := test.NewTempApp(t)
	l := &liveConsole{t: t, ctx: ctx}
	l.r = newRepApp(a, RepOptions{Server: ss.h.URL, Fingerprint: ss.h.Fingerprint, Sound: func() {}}, l.do)
	defer l.r.close()
	r := l.r
	f := r.signIn.Specialist
	l.do(func() {
		r.signIn.Tabs.SelectIndex(1)
		f.Code.SetText("12345")
		f.Name.SetText("Linus")
		test.Tap(f.Button)
		if !strings.Contains(f.Message.Text, "9 digits") {
			t.Errorf("a short code: %q; want it to say a code has 9 digits", f.Message.Text)
		}
		wrong := "100000000"
		if inv.Code == wrong {
			wrong = "100000001"
		}
		f.Code.SetText(wrong)
		test.Tap(f.Button)
	})
	l.waitFor("the server's refusal", func() bool {
		return strings.Contains(f.Message.Text, "No invitation has this code") && !f.Button.Disabled()
	})
	l.do(func() {
		f.Code.SetText(protocol.FormatCode(inv.Code))
		test.Tap(f.Button)
	})
	l.waitFor("the specialist's window", func() bool { return r.specView != nil })
	v := r.specView
	ss.welcome(t, ctx)
	l.waitFor("the chat", func() bool { return strings.Contains(v.Chat.Log(), "Administrator: Welcome") })
	l.do(func() {
		lines := v.AttendeeLines()
		if !slices.Contains(lines, "Ada (customer)") || !slices.Contains(lines, "Linus (specialist, control) — you") ||
			!slices.ContainsFunc(lines, func(s string) bool { return strings.HasPrefix(s, "Administrator (") }) {
			t.Errorf("attendees %q; want Ada, the Administrator and Linus with control", lines)
		}
		if !strings.Contains(v.Title.Text, "Ada's support session") || v.Control == nil {
			t.Errorf("title %q, control button %v; want Ada's session with Request control", v.Title.Text, v.Control != nil)
		}
		if hasButton(v.Content, "End session") || hasButton(v.Content, "Send file…") {
			t.Error("the specialist is offered a rep's action")
		}
	})
	l.waitFor("the customer's screen", func() bool {
		p := v.screen
		return p != nil && p.View.FrameSize() == image.Pt(1024, 768)
	})

	l.do(func() {
		test.Type(v.Chat.Entry, "Linus here, let me look")
		test.Tap(v.Chat.Send)
	})
	for got := false; !got; {
		select {
		case m := <-chats:
			got = m.Text == "Linus here, let me look" && m.Name == "Linus" && m.Role == protocol.RoleSpecialist
		case <-ctx.Done():
			t.Fatal("the specialist's line never reached the customer")
		}
	}

	l.waitFor("the connection to the customer", func() bool {
		p := customerPeer(r.spec.Session())
		if p == nil {
			return false
		}
		c, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
		defer cancel()
		return p.Connected(c) == nil
	})
	l.do(func() { test.Tap(v.Control) })
	l.waitFor("control granted", func() bool { return v.InControl() && v.screen.View.Control() })
	l.do(func() {
		if v.Control.Text != releaseControlLabel || !strings.Contains(v.Chat.Log(), "You now control the customer's computer.") {
			t.Errorf("button %q, chat %q; want Give back control and the grant in the chat", v.Control.Text, v.Chat.Log())
		}
		v.act.Leave() // what "Leave session" runs once confirmed
	})
	l.waitFor("the session left", func() bool { return v.IsEnded() && v.Chat.Entry.Disabled() && v.Leave.Text == "Close" })
	l.do(func() {
		if v.Title.Text != "You left Ada's session" {
			t.Errorf("title %q; want You left Ada's session", v.Title.Text)
		}
	})
	for {
		if !slices.ContainsFunc(ss.rep.Info().Participants, func(p protocol.Participant) bool { return p.Name == "Linus" }) {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the rep's session still has the specialist who left")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestViewOnlySpecialistWithoutTheForm: RepOptions.Specialist (the
// -specialist flag) joins at once; a view-only specialist's window has
// no "Request control"; when the customer ends the session the window
// says so and takes no more input.
func TestViewOnlySpecialistWithoutTheForm(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	ss := startSpecialistSession(t, ctx)
	inv, err := ss.rep.InviteSpecialist(ctx, protocol.RightsView)
	if err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	l := &liveConsole{t: t, ctx: ctx}
	l.r = newRepApp(a, RepOptions{Server: ss.h.URL, Fingerprint: ss.h.Fingerprint, Specialist: inv.Code, Name: "Grace", Sound: func() {}}, l.do)
	defer l.r.close()
	r := l.r
	l.waitFor("the specialist's window", func() bool { return r.specView != nil })
	v := r.specView
	ss.welcome(t, ctx)
	l.waitFor("the chat", func() bool { return strings.Contains(v.Chat.Log(), "Administrator: Welcome") })
	l.do(func() {
		if v.Control != nil || hasButton(v.Content, requestControlLabel) {
			t.Error("a view-only specialist is offered Request control")
		}
		if lines := v.AttendeeLines(); !slices.Contains(lines, "Grace (specialist, view only) — you") {
			t.Errorf("attendees %q; want Grace, view only", lines)
		}
		if !strings.Contains(v.Title.Text, "view only") {
			t.Errorf("title %q; want it to say view only", v.Title.Text)
		}
	})
	if err := ss.cust.Session().End(ctx, "solved"); err != nil {
		t.Fatal(err)
	}
	l.waitFor("the end", func() bool { return v.IsEnded() })
	l.do(func() {
		if !v.Chat.Entry.Disabled() || !v.Chat.Send.Disabled() || !strings.Contains(v.Chat.Log(), "Session ended: solved") || !strings.Contains(v.Title.Text, "has ended") {
			t.Errorf("after the end: entry disabled %v, send disabled %v, chat %q, title %q",
				v.Chat.Entry.Disabled(), v.Chat.Send.Disabled(), v.Chat.Log(), v.Title.Text)
		}
	})
}
