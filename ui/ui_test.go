package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tandemhq/tandem/protocol"
)

func TestSignInSubmitsWhatWasTyped(t *testing.T) {
	test.NewTempApp(t)
	var got []SignInValues
	s := NewSignIn(SignInValues{Server: "https://h:8443"}, func(v SignInValues) { got = append(got, v) })
	test.Type(s.User, " ann ")
	test.Type(s.Password, "secret pass")
	test.Tap(s.Button)
	if len(got) != 1 {
		t.Fatalf("got %d submissions; want 1", len(got))
	}
	if want := (SignInValues{Server: "https://h:8443", User: "ann", Password: "secret pass"}); got[0] != want {
		t.Errorf("got %+v; want %+v", got[0], want)
	}
	s.SetBusy(true)
	if !s.Button.Disabled() {
		t.Error("button enabled while signing in")
	}
	s.ShowError("The username or password is wrong.")
	if s.Message.Text != "The username or password is wrong." || s.Button.Disabled() {
		t.Errorf("after ShowError: message %q, disabled %v", s.Message.Text, s.Button.Disabled())
	}
	s.SetFingerprint("ab12")
	if !strings.Contains(s.Fingerprint.Text, "ab12") {
		t.Errorf("fingerprint label %q lacks the fingerprint", s.Fingerprint.Text)
	}
}

func TestKeyPanelShowsAndCopies(t *testing.T) {
	a := test.NewTempApp(t)
	generated := 0
	k := NewKeyPanel(a.Clipboard(), func() { generated++ }, nil)
	if !k.CopyCode.Disabled() {
		t.Error("Copy is enabled before there is a key")
	}
	test.Tap(k.Generate)
	if generated != 1 {
		t.Fatalf("Generate called %d times; want 1", generated)
	}
	key := protocol.Key{Code: "123456789", URL: "https://h/k/123456789?fp=ab", Expires: time.Now().Add(20 * time.Minute)}
	k.Show(key)
	if k.Code.Text != "123 456 789" {
		t.Errorf("code shown as %q; want grouped 123 456 789", k.Code.Text)
	}
	if !strings.Contains(k.URL.Text, key.URL) {
		t.Errorf("URL label %q lacks %q", k.URL.Text, key.URL)
	}
	test.Tap(k.CopyCode)
	if got := a.Clipboard().Content(); got != "123456789" {
		t.Errorf("clipboard after Copy code: %q", got)
	}
	test.Tap(k.CopyURL)
	if got := a.Clipboard().Content(); got != key.URL {
		t.Errorf("clipboard after Copy link: %q", got)
	}
}

func TestQueueListUpdatesAndAccepts(t *testing.T) {
	test.NewTempApp(t)
	var accepted []string
	q := NewQueueList(func(id string) { accepted = append(accepted, id) })
	if len(q.Rows()) != 0 || q.Count.Text != "Nobody is waiting." {
		t.Fatalf("empty queue: %d rows, %q", len(q.Rows()), q.Count.Text)
	}
	now := time.Now()
	q.Set([]protocol.SessionInfo{
		{ID: "s1", CustomerName: "Ada", Created: now.Add(-5 * time.Minute)},
		{ID: "s2", CustomerName: "Bo", Question: "printer", Created: now},
	})
	rows := q.Rows()
	if len(rows) != 2 || q.Count.Text != "2 customers are waiting." {
		t.Fatalf("got %d rows, %q; want 2", len(rows), q.Count.Text)
	}
	if !strings.Contains(rows[0].Label.Text, "Ada") || !strings.Contains(rows[0].Label.Text, "5 min") {
		t.Errorf("row 0: %q", rows[0].Label.Text)
	}
	if !strings.Contains(rows[1].Label.Text, "Bo — printer") {
		t.Errorf("row 1: %q", rows[1].Label.Text)
	}
	test.Tap(rows[1].Accept)
	if len(accepted) != 1 || accepted[0] != "s2" {
		t.Errorf("accepted %v; want [s2]", accepted)
	}
	q.Set([]protocol.SessionInfo{{ID: "s1", CustomerName: "Ada", Created: now}})
	if len(q.Rows()) != 1 || q.Count.Text != "1 customer is waiting." {
		t.Errorf("after an update: %d rows, %q", len(q.Rows()), q.Count.Text)
	}
}

func TestChatViewSendsAndShows(t *testing.T) {
	test.NewTempApp(t)
	var sent []string
	c := NewChatView("Send", "Type", func(s string) { sent = append(sent, s) })
	test.Type(c.Entry, "hello")
	test.Tap(c.Send)
	test.Type(c.Entry, "   ")
	test.Tap(c.Send)
	test.Type(c.Entry, "second")
	c.Entry.OnSubmitted(c.Entry.Text) // what Enter does
	if len(sent) != 2 || sent[0] != "hello" || sent[1] != "second" {
		t.Fatalf("sent %q; want [hello second] (blank not sent)", sent)
	}
	if c.Entry.Text != "" {
		t.Errorf("entry not cleared: %q", c.Entry.Text)
	}
	at := time.Date(2026, 11, 23, 14, 5, 0, 0, time.Local)
	c.Append(protocol.ChatMessage{Name: "Ada", Role: protocol.RoleCustomer, Text: "hi", At: at})
	c.Append(protocol.ChatMessage{Name: "Rep", Role: protocol.RoleRep, Text: "hello Ada", At: at})
	want := []string{"[14:05] Ada: hi", "[14:05] Rep: hello Ada"}
	if got := c.Lines(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lines %q; want %q", got, want)
	}
	if c.Log() != strings.Join(want, "\n") {
		t.Errorf("log %q", c.Log())
	}
}

func TestJoinFormNormalisesAndRefuses(t *testing.T) {
	test.NewTempApp(t)
	var got []JoinValues
	f := NewJoinForm("de_DE.UTF-8", JoinValues{Server: "https://h"}, func(v JoinValues) { got = append(got, v) })
	test.Type(f.Code, "12345")
	test.Tap(f.Button)
	if len(got) != 0 || !strings.Contains(f.Message.Text, "9 Ziffern") {
		t.Fatalf("short code: joined %v, message %q", got, f.Message.Text)
	}
	f.Code.SetText("")
	test.Type(f.Code, "123-456 789")
	test.Type(f.Name, "Ada")
	test.Tap(f.Button)
	if len(got) != 1 || got[0].Code != "123456789" || got[0].Name != "Ada" || got[0].Server != "https://h" {
		t.Fatalf("joined %+v; want code 123456789 for Ada", got)
	}
	if f.Message.Text != "" {
		t.Errorf("message after a good code: %q", f.Message.Text)
	}
}

func TestEndAsksFirst(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("t")
	ended := 0
	v := NewSessionView(w, "rep1", protocol.SessionInfo{ID: "s1", CustomerName: "Ada"}, SessionActions{Send: func(string) {}, End: func() { ended++ }})
	w.SetContent(v.Content)
	test.Tap(v.End)
	if ended != 0 {
		t.Fatal("End ended the session without asking")
	}
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("End showed no confirmation")
	}
	confirm := findButton(t, w.Canvas().Overlays().Top(), "End session")
	test.Tap(confirm)
	if ended != 1 {
		t.Errorf("confirmed: ended %d times; want 1", ended)
	}
}
