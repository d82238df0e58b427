package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/assets"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/client/joindata"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/portal"
)

// custRecorder collects what a CustomerView reports.
type custRecorder struct {
	sent       []string
	ends       []string
	agreements []bool
	recordings []bool
	opened     []string
	sounds     int
	admitted   int
	takeBacks  int
}

func (r *custRecorder) callbacks() CustomerCallbacks {
	return CustomerCallbacks{
		Send:      func(s string) { r.sent = append(r.sent, s) },
		End:       func(reason string) { r.ends = append(r.ends, reason) },
		Agreement: func(ok bool) { r.agreements = append(r.agreements, ok) },
		Recording: func(ok bool) { r.recordings = append(r.recordings, ok) },
		OpenURL:   func(u *url.URL) error { r.opened = append(r.opened, u.String()); return nil },
		ChatSound: func() { r.sounds++ },
		Admitted:  func() { r.admitted++ },
		TakeBack:  func() { r.takeBacks++ },
	}
}

// newView returns a shown view with cfg changed by mod.
func newView(t *testing.T, lang string, mod func(*protocol.CustomerClientConfig)) (*CustomerView, *custRecorder, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("t")
	w.Resize(fyne.NewSize(520, 640))
	cfg := protocol.DefaultCustomerClientConfig()
	if mod != nil {
		mod(&cfg)
	}
	r := &custRecorder{}
	v := NewCustomerView(w, CustomerSetup{Lang: lang, Config: cfg}, r.callbacks())
	w.SetContent(v.Content)
	t.Cleanup(v.Close)
	return v, r, w
}

// tap taps a hyperlink over its text, where it reacts.
func tap(l *widget.Hyperlink) {
	m := l.MinSize()
	test.TapAt(l, fyne.NewPos(m.Width/2, m.Height/2))
}

// clock runs a view's timer callbacks on the test goroutine: timers hand
// them over a channel (as fyne.Do hands them to Fyne's goroutine) and
// advance runs them, second by second, inside a synctest bubble.
type clock struct{ q chan func() }

func newClock() *clock { return &clock{q: make(chan func(), 64)} }

func (c *clock) do(f func()) { c.q <- f }

func (c *clock) advance(d time.Duration) {
	for range int(d / time.Second) {
		time.Sleep(time.Second)
		synctest.Wait()
		for len(c.q) > 0 {
			(<-c.q)()
		}
	}
}

func count(lines []string, sub string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, sub) {
			n++
		}
	}
	return n
}

// TestCustomerViewFitsItsWindow guards against wrapping labels measured at
// zero width, which once made the window 2143 px tall and pushed the chat
// entry off the screen.
func TestCustomerViewFitsItsWindow(t *testing.T) {
	v, _, _ := newView(t, "de", func(c *protocol.CustomerClientConfig) { c.Agreement.Full, c.Agreement.RecordingPrompt = true, true })
	fits := func(state string) {
		t.Helper()
		if m := v.Content.MinSize(); m.Width > 520 || m.Height > 640 {
			t.Errorf("%s: minimum size %v does not fit the 520x640 window", state, m)
		}
	}
	v.Waiting(protocol.WaitStatus{State: protocol.StateWaiting, Position: 3, Estimated: true, EstimatedWaitSeconds: 600,
		Notices: []protocol.Notice{{ID: "n1", Message: "Der E-Mail-Dienst ist gestört; wir arbeiten daran und melden uns, sobald er wieder läuft."}}})
	v.Start()
	fits("waiting")
	v.ChattingWith("Administrator")
	v.Received(protocol.ChatMessage{Name: "Administrator", Role: protocol.RoleRep, Text: "Hallo, wie kann ich helfen?", At: time.Now()})
	fits("chatting")
	v.Connection(false)
	fits("reconnecting")
	v.Ended(true)
	fits("ended")
}

func TestCustomerViewStates(t *testing.T) {
	v, r, _ := newView(t, "en", nil)
	if !strings.Contains(v.Title.Text, "Waiting") {
		t.Errorf("first title %q; want the waiting text", v.Title.Text)
	}
	v.Start()
	v.ChattingWith("Rita")
	if v.Title.Text != "Connected with support" {
		t.Errorf("title %q; want %q", v.Title.Text, "Connected with support")
	}
	if n := count(v.Chat.Lines(), "You are now chatting with Rita."); n != 1 {
		t.Errorf("%d \"now chatting with Rita\" lines; want 1", n)
	}
	// A transfer says it again.
	v.ChattingWith("Sam")
	if n := count(v.Chat.Lines(), "You are now chatting with"); n != 2 {
		t.Errorf("%d \"now chatting\" lines; want 2 (join and transfer)", n)
	}
	v.Received(protocol.ChatMessage{Name: "Sam", Role: protocol.RoleRep, Text: "hi", At: time.Now()})
	v.Received(protocol.ChatMessage{Name: "Ada", Role: protocol.RoleCustomer, Text: "hello", At: time.Now()})
	if r.sounds != 1 {
		t.Errorf("%d chat sounds; want 1 (the rep's line only)", r.sounds)
	}
	test.Type(v.Chat.Entry, "thanks")
	test.Tap(v.Chat.Send)
	if len(r.sent) != 1 || r.sent[0] != "thanks" {
		t.Errorf("sent %q; want [thanks]", r.sent)
	}
	v.Ended(true)
	if !v.Chat.Send.Disabled() || !v.End.Disabled() {
		t.Error("controls still enabled after the end")
	}
	if want := customerMessages(protocol.DefaultCustomerClientConfig(), "en").PostSession; v.Status.Text != want {
		t.Errorf("after removal the status says %q; want the post-session message %q", v.Status.Text, want)
	}
}

func TestNoSoundWhenDisabled(t *testing.T) {
	v, r, _ := newView(t, "en", func(c *protocol.CustomerClientConfig) { c.Functions.SoundOnChat = false })
	v.Received(protocol.ChatMessage{Name: "Sam", Role: protocol.RoleRep, Text: "hi", At: time.Now()})
	if r.sounds != 0 {
		t.Errorf("%d chat sounds with the sound off; want 0", r.sounds)
	}
}

func TestEndedWithoutRemovalKeepsTheUsualWords(t *testing.T) {
	v, _, _ := newView(t, "de", nil)
	v.Ended(false)
	if v.Status.Text != assets.Text("de", "ended.body") {
		t.Errorf("status %q; want %q", v.Status.Text, assets.Text("de", "ended.body"))
	}
}

func TestAgreementTimeoutEndsTheSession(t *testing.T) {
	for _, tc := range []struct {
		name        string
		clickToChat bool
		wantText    string
	}{
		{"full client", false, "view your screen"},
		{"click-to-chat", true, "agree to chat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a := test.NewTempApp(t)
				w := a.NewWindow("t")
				cfg := protocol.DefaultCustomerClientConfig()
				cfg.Agreement = protocol.Agreement{Full: true, Chat: true, TimeoutSeconds: 90}
				r := &custRecorder{}
				c := newClock()
				v := newCustomerView(w, CustomerSetup{Lang: "en", Config: cfg, ClickToChat: tc.clickToChat}, r.callbacks(), c.do)
				w.SetContent(v.Content)
				v.Start()
				ps := v.Prompts()
				if len(ps) != 1 || !strings.Contains(ps[0].Text, tc.wantText) || !strings.Contains(ps[0].Text, "within 1 minute") {
					t.Fatalf("prompts %+v; want the %s agreement with its deadline", ps, tc.name)
				}
				c.advance(89 * time.Second)
				if len(r.ends) != 0 || ps[0].Answered() {
					t.Fatalf("after 89 s: ended %q; want the agreement still open", r.ends)
				}
				c.advance(2 * time.Second)
				if len(r.ends) != 1 || len(r.agreements) != 1 || r.agreements[0] {
					t.Fatalf("after 91 s: ends %q, agreements %v; want one end and one refusal", r.ends, r.agreements)
				}
				if !ps[0].Answered() || ps[0].links.Visible() {
					t.Error("the agreement's links are still offered after the timeout")
				}
				if v.Status.Text != assets.Text("en", "agreement.expired") {
					t.Errorf("status %q; want the expired text", v.Status.Text)
				}
				if n := count(v.Chat.Lines(), "Thank you for contacting support"); n != 0 {
					t.Errorf("the greeting was shown without an accepted agreement")
				}
			})
		})
	}
}

func TestAgreementAcceptedThenGreetingAndOnHold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := test.NewTempApp(t)
		w := a.NewWindow("t")
		cfg := protocol.DefaultCustomerClientConfig()
		cfg.Agreement = protocol.Agreement{Full: true, TimeoutSeconds: 120}
		cfg.Queue = protocol.QueueNotes{Greeting: true, OnHold: true, OnHoldIntervalSeconds: 30, MaxEstimatedWaitMinutes: 30}
		r := &custRecorder{}
		c := newClock()
		v := newCustomerView(w, CustomerSetup{Lang: "en", Config: cfg}, r.callbacks(), c.do)
		w.SetContent(v.Content)
		v.Waiting(protocol.WaitStatus{State: protocol.StateWaiting, Position: 2, Estimated: true, EstimatedWaitSeconds: 300})
		v.Start()
		c.advance(time.Minute)
		if n := count(v.Chat.Lines(), "Thank you for"); n != 0 {
			t.Fatalf("greeting or on-hold before the agreement was accepted: %q", v.Chat.Lines())
		}
		tap(v.Prompts()[0].Yes)
		if len(r.agreements) != 1 || !r.agreements[0] {
			t.Fatalf("agreements %v; want [true]", r.agreements)
		}
		lines := v.Chat.Lines()
		if n := count(lines, "You are number 2 in the queue. Your estimated wait time is 5 minutes."); n != 1 {
			t.Fatalf("chat %q; want the greeting with position and wait", lines)
		}
		// The agreement's timer no longer runs.
		c.advance(3 * time.Minute)
		if len(r.ends) != 0 {
			t.Fatalf("ended %q after an accepted agreement", r.ends)
		}
		if n := count(v.Chat.Lines(), "Thank you for waiting."); n != 6 {
			t.Errorf("%d on-hold messages in 3 minutes at 30 s; want 6", n)
		}
		v.Waiting(protocol.WaitStatus{State: protocol.StateWaiting, Position: 1, Estimated: true, EstimatedWaitSeconds: 40 * 60, OverMax: true})
		if !strings.Contains(v.Status.Text, "You are number 1 in the queue") {
			t.Errorf("status line %q; want the new position", v.Status.Text)
		}
		c.advance(30 * time.Second)
		if n := count(v.Chat.Lines(), "more than 40 minutes"); n != 1 {
			t.Errorf("chat %q; want one on-hold message with \"more than 40 minutes\"", v.Chat.Lines())
		}
		v.ChattingWith("Rita")
		before := len(v.Chat.Lines())
		c.advance(5 * time.Minute)
		if got := len(v.Chat.Lines()); got != before {
			t.Errorf("%d lines added after a rep accepted; want none", got-before)
		}
	})
}

// TestClosedViewsTimersStayQuiet: once a view is closed, neither a
// pending on-hold message nor the agreement's timeout touches it, and no
// timer is armed again (a view left waiting once kept posting on-hold
// messages into other tests' windows).
func TestClosedViewsTimersStayQuiet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := test.NewTempApp(t)
		for _, agreement := range []bool{false, true} {
			w := a.NewWindow("t")
			cfg := protocol.DefaultCustomerClientConfig()
			cfg.Agreement = protocol.Agreement{Full: agreement, TimeoutSeconds: 60}
			cfg.Queue = protocol.QueueNotes{Greeting: true, OnHold: true, OnHoldIntervalSeconds: 30}
			r := &custRecorder{}
			c := newClock()
			v := newCustomerView(w, CustomerSetup{Lang: "en", Config: cfg}, r.callbacks(), c.do)
			w.SetContent(v.Content)
			v.Start()
			c.advance(35 * time.Second) // one on-hold message, or half the agreement's time
			before := len(v.Chat.Lines())
			time.Sleep(29 * time.Second) // the next timer is about to fire...
			v.Close()                    // ...when the window closes
			c.advance(5 * time.Minute)
			if got := len(v.Chat.Lines()); got != before || len(r.ends) != 0 {
				t.Errorf("agreement %v: %d lines and ends %q after Close; want none", agreement, got-before, r.ends)
			}
		}
	})
}

func TestAgreementDeclined(t *testing.T) {
	v, r, _ := newView(t, "de", func(c *protocol.CustomerClientConfig) { c.Agreement.Full = true })
	v.Start()
	tap(v.Prompts()[0].No)
	if len(r.ends) != 1 || len(r.agreements) != 1 || r.agreements[0] {
		t.Fatalf("ends %q, agreements %v; want the session ended as declined", r.ends, r.agreements)
	}
	if v.Status.Text != assets.Text("de", "agreement.declined") {
		t.Errorf("status %q", v.Status.Text)
	}
}

func TestRecordingRefusalIsReported(t *testing.T) {
	for _, tc := range []struct {
		name  string
		allow bool
		want  string
	}{
		{"refused", false, "will not be recorded"},
		{"allowed", true, "may be recorded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, r, _ := newView(t, "en", func(c *protocol.CustomerClientConfig) { c.Agreement.RecordingPrompt = true })
			v.Start()
			ps := v.Prompts()
			if len(ps) != 1 || !strings.Contains(ps[0].Text, "recorded") {
				t.Fatalf("prompts %+v; want the recording prompt", ps)
			}
			if tc.allow {
				tap(ps[0].Yes)
			} else {
				tap(ps[0].No)
			}
			if len(r.recordings) != 1 || r.recordings[0] != tc.allow {
				t.Errorf("recording answers %v; want [%v]", r.recordings, tc.allow)
			}
			if count(v.Chat.Lines(), tc.want) != 1 {
				t.Errorf("chat %q; want a line saying %q", v.Chat.Lines(), tc.want)
			}
			if len(r.ends) != 0 {
				t.Errorf("the session ended (%q); a refusal continues it", r.ends)
			}
		})
	}
}

func TestNoRecordingPromptInClickToChat(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("t")
	cfg := protocol.DefaultCustomerClientConfig()
	cfg.Agreement.RecordingPrompt = true
	v := NewCustomerView(w, CustomerSetup{Lang: "en", Config: cfg, ClickToChat: true}, CustomerCallbacks{})
	t.Cleanup(v.Close)
	v.Start()
	if n := len(v.Prompts()); n != 0 {
		t.Errorf("%d prompts in click-to-chat; want none", n)
	}
}

// overlayButton finds a button by its label in the top pop-up.
func overlayButton(t *testing.T, w fyne.Window, label string) *widget.Button {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no pop-up shown")
	}
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == label {
			found = b
		}
		switch c := o.(type) {
		case *fyne.Container:
			for _, ch := range c.Objects {
				walk(ch)
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(c).Objects() {
				walk(ch)
			}
		}
	}
	walk(top)
	if found == nil {
		t.Fatalf("no %q button in the pop-up", label)
	}
	return found
}

func TestPromptsAsPopups(t *testing.T) {
	v, r, w := newView(t, "en", func(c *protocol.CustomerClientConfig) {
		c.Display.PromptStyle = protocol.PromptPopup
		c.Agreement.RecordingPrompt = true
	})
	v.Start()
	ps := v.Prompts()
	if len(ps) != 1 || ps[0].Dialog == nil || ps[0].Yes != nil {
		t.Fatalf("prompts %+v; want one pop-up", ps)
	}
	test.Tap(overlayButton(t, w, "Do not record"))
	if len(r.recordings) != 1 || r.recordings[0] {
		t.Errorf("recording answers %v; want [false]", r.recordings)
	}
	if w.Canvas().Overlays().Top() != nil {
		t.Error("the pop-up stays after the answer")
	}
}

func TestNoticeLinkEndsTheSession(t *testing.T) {
	v, r, _ := newView(t, "en", nil)
	v.Start()
	n := []protocol.Notice{{ID: "n1", Message: "E-mail is down; we are on it."}, {ID: "n2", Message: "VPN maintenance tonight."}}
	v.Waiting(protocol.WaitStatus{State: protocol.StateWaiting, Position: 1, Notices: n})
	v.Waiting(protocol.WaitStatus{State: protocol.StateWaiting, Position: 1, Notices: n})
	if got := len(v.Notices.Objects); got != 2 {
		t.Fatalf("%d notices shown; want 2 (each once)", got)
	}
	link := v.Notices.Objects[1].(*fyne.Container).Objects[1].(*widget.Hyperlink)
	if link.Text != assets.Text("en", "notice.end") {
		t.Fatalf("link %q; want the end link", link.Text)
	}
	tap(link)
	if len(r.ends) != 1 || !strings.Contains(r.ends[0], "n2") {
		t.Errorf("ends %q; want one naming notice n2", r.ends)
	}
	if v.Notices.Visible() || !v.End.Disabled() {
		t.Error("notices or the End button still offered after the end")
	}
}

func TestNoticesDisabledOrAccepted(t *testing.T) {
	v, _, _ := newView(t, "en", func(c *protocol.CustomerClientConfig) { c.Display.Notices = false })
	v.Waiting(protocol.WaitStatus{State: protocol.StateWaiting, Notices: []protocol.Notice{{ID: "n1", Message: "x"}}})
	if len(v.Notices.Objects) != 0 {
		t.Error("notices shown although the portal hides them")
	}
	v2, _, _ := newView(t, "en", nil)
	v2.ShowNotices([]protocol.Notice{{ID: "n1", Message: "x"}})
	v2.ChattingWith("Rita")
	if v2.Notices.Visible() {
		t.Error("notices still shown after a rep accepted")
	}
}

func TestOrphaned(t *testing.T) {
	v, r, _ := newView(t, "de", func(c *protocol.CustomerClientConfig) {
		c.Orphan = protocol.Orphan{Message: true, URL: "https://kb.example.com/help"}
	})
	v.Start()
	v.Orphaned()
	want, _ := protocol.DefaultMessages("de")
	if v.Status.Text != want.Orphaned || count(v.Chat.Lines(), want.Orphaned) != 1 {
		t.Errorf("status %q, chat %q; want the orphaned message", v.Status.Text, v.Chat.Lines())
	}
	if len(r.opened) != 1 || r.opened[0] != "https://kb.example.com/help" {
		t.Errorf("opened %q; want the configured page", r.opened)
	}
	v2, r2, _ := newView(t, "en", func(c *protocol.CustomerClientConfig) { c.Orphan = protocol.Orphan{URL: "javascript:alert(1)"} })
	v2.Orphaned()
	if len(r2.opened) != 0 {
		t.Errorf("opened %q; want a non-https page refused", r2.opened)
	}
}

func TestChatStartsMinimized(t *testing.T) {
	v, _, _ := newView(t, "en", func(c *protocol.CustomerClientConfig) { c.Display.ChatStart = protocol.ChatStartMinimized })
	if v.ChatShown() || v.ChatToggle.Text != "Show chat" {
		t.Fatalf("chat shown %v, toggle %q; want minimized", v.ChatShown(), v.ChatToggle.Text)
	}
	test.Tap(v.ChatToggle)
	if !v.ChatShown() || v.ChatToggle.Text != "Hide chat" {
		t.Errorf("after the toggle: shown %v, %q; want expanded", v.ChatShown(), v.ChatToggle.Text)
	}
	v2, _, _ := newView(t, "en", nil)
	if !v2.ChatShown() {
		t.Error("the default configuration starts with the chat minimized")
	}
}

func TestCustomerTitle(t *testing.T) {
	cfg := protocol.DefaultCustomerClientConfig()
	cfg.Hostname = "support.example.com"
	if got := customerTitle("en", cfg); got != "Tandem Support – support.example.com" {
		t.Errorf("title %q", got)
	}
	cfg.Display.HostnameInTitle = false
	if got := customerTitle("de", cfg); got != "Tandem Support" {
		t.Errorf("title without host %q", got)
	}
}

func TestExpandQueueMessage(t *testing.T) {
	st := func(pos, wait int, known, over bool) protocol.WaitStatus {
		return protocol.WaitStatus{State: protocol.StateWaiting, Position: pos, EstimatedWaitSeconds: wait, Estimated: known, OverMax: over}
	}
	msg := "Hi. %POSITION_IN_QUEUE% %ESTIMATED_WAIT_TIME%"
	for _, tc := range []struct {
		lang string
		st   protocol.WaitStatus
		want string
	}{
		{"en", st(1, 0, false, false), "Hi. You are number 1 in the queue."},
		{"en", st(3, 30, true, false), "Hi. You are number 3 in the queue. Your estimated wait time is less than a minute."},
		{"en", st(3, 60, true, false), "Hi. You are number 3 in the queue. Your estimated wait time is 1 minute."},
		{"en", st(12, 17*60, true, false), "Hi. You are number 12 in the queue. Your estimated wait time is 17 minutes."},
		{"en", st(12, 30*60, true, true), "Hi. You are number 12 in the queue. Your estimated wait time is more than 30 minutes."},
		{"en", st(0, 0, false, false), "Hi."},
		{"de", st(2, 5*60, true, false), "Hi. Sie sind an Position 2 der Warteschlange. Ihre geschätzte Wartezeit beträgt 5 Minuten."},
		{"de", st(2, 45*60, true, true), "Hi. Sie sind an Position 2 der Warteschlange. Ihre geschätzte Wartezeit beträgt mehr als 45 Minuten."},
		{"de", st(1, 10, true, false), "Hi. Sie sind an Position 1 der Warteschlange. Ihre geschätzte Wartezeit beträgt weniger als eine Minute."},
		{"fr", st(4, 0, false, false), "Hi. You are number 4 in the queue."},
	} {
		t.Run(fmt.Sprintf("%s/%d/%d/%v", tc.lang, tc.st.Position, tc.st.EstimatedWaitSeconds, tc.st.OverMax), func(t *testing.T) {
			if got := ExpandQueueMessage(msg, tc.lang, tc.st); got != tc.want {
				t.Errorf("got %q; want %q", got, tc.want)
			}
		})
	}
}

func TestCustomerLanguage(t *testing.T) {
	cfg := protocol.DefaultCustomerClientConfig()
	cfg.Messages["pt-BR"] = protocol.Messages{Greeting: "Olá"}
	for _, tc := range []struct{ locale, want string }{
		{"de_DE.UTF-8", "de"},
		{"de-AT", "de"},
		{"DE", "de"},
		{"en_GB.UTF-8", "en"},
		{"fr_FR.UTF-8", "en"},
		{"pt_BR.UTF-8", "pt-BR"},
		{"pt_PT", "en"},
		{"C.UTF-8", "en"},
		{"", "en"},
	} {
		if got := CustomerLanguage(tc.locale, cfg); got != tc.want {
			t.Errorf("CustomerLanguage(%q) = %q; want %q", tc.locale, got, tc.want)
		}
	}
}

func TestBanner(t *testing.T) {
	if !bytes.Equal(assets.Banner, portal.DefaultBanner()) {
		t.Error("assets.Banner differs from the server's default banner")
	}
	img, err := DecodeBanner(assets.Banner)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 480 || b.Dy() != 40 {
		t.Errorf("default banner %v; want 480x40", b)
	}
	tall := bytes.Clone(assets.Banner)
	tall[22] = 0xff // 255 rows: more than the file holds
	for name, b := range map[string][]byte{"empty": nil, "png": assets.Icon, "truncated": assets.Banner[:500], "too tall": tall} {
		if _, err := DecodeBanner(b); err == nil {
			t.Errorf("%s: decoded; want an error", name)
		}
	}
}

func TestJoinDataMessage(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("x: %w", joindata.ErrExpired), "download.expired"},
		{joindata.ErrSignature, "download.damaged"},
		{joindata.ErrCorrupt, "download.damaged"},
		{errors.New("other"), "download.damaged"},
	} {
		if got := joinDataMessage(tc.err); got != tc.want {
			t.Errorf("joinDataMessage(%v) = %q; want %q", tc.err, got, tc.want)
		}
	}
}

func TestDurationText(t *testing.T) {
	for _, tc := range []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", 2 * time.Minute, "2 minutes"},
		{"en", 90 * time.Second, "1 minute"},
		{"en", 45 * time.Second, "45 seconds"},
		{"de", 10 * time.Minute, "10 Minuten"},
	} {
		if got := durationText(tc.lang, tc.d); got != tc.want {
			t.Errorf("durationText(%s, %v) = %q; want %q", tc.lang, tc.d, got, tc.want)
		}
	}
}

// labels returns the texts of every label under o.
func labels(o fyne.CanvasObject) []string {
	var out []string
	switch c := o.(type) {
	case *widget.Label:
		out = append(out, c.Text)
	case *fyne.Container:
		for _, ch := range c.Objects {
			out = append(out, labels(ch)...)
		}
	case fyne.Widget:
		for _, ch := range test.WidgetRenderer(c).Objects() {
			out = append(out, labels(ch)...)
		}
	}
	return out
}

func TestRefusedJoinDataAsksKindly(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts CustomerOptions
		want string
	}{
		{"expired", CustomerOptions{JoinDataErr: fmt.Errorf("read: %w", joindata.ErrExpired)}, "download.expired"},
		{"damaged", CustomerOptions{JoinDataErr: joindata.ErrSignature, Lang: "de_DE.UTF-8"}, "download.damaged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := test.NewTempApp(t)
			w := NewCustomerWindow(a, tc.opts)
			defer w.Close()
			want := assets.Text(tc.opts.Lang, tc.want)
			if count(labels(w.Content()), want) != 1 {
				t.Errorf("window shows %q; want %q", labels(w.Content()), want)
			}
		})
	}
}

// fakeCore stands in for the client calls the customer app uses where
// package client offers them.
type fakeCore struct {
	mu       sync.Mutex
	statuses []protocol.WaitStatus
	asked    int
	langs    []string
	allow    []bool
}

func (f *fakeCore) WaitStatus(ctx context.Context, lang string) (protocol.WaitStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.langs = append(f.langs, lang)
	st := f.statuses[min(f.asked, len(f.statuses)-1)]
	f.asked++
	return st, nil
}

func (f *fakeCore) SetRecording(ctx context.Context, allow bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.allow = append(f.allow, allow)
	return nil
}

func (f *fakeCore) Banner(ctx context.Context) ([]byte, error) { return assets.Banner, nil }

func (f *fakeCore) counts() (int, []bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.asked, append([]bool(nil), f.allow...)
}

// TestAppPollsWaitStatusAndReportsRecording drives the app's use of the
// client: the first wait status starts the view with the position in the
// greeting, later ones update it every waitPoll until a rep accepts, and
// the recording answer reaches the client.
func TestAppPollsWaitStatusAndReportsRecording(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := test.NewTempApp(t)
		clk := newClock()
		c := newCustomerApp(CustomerOptions{Logger: slog.New(slog.DiscardHandler)}, clk.do)
		c.win = a.NewWindow("t")
		fake := &fakeCore{statuses: []protocol.WaitStatus{
			{State: protocol.StateWaiting, Position: 3},
			{State: protocol.StateWaiting, Position: 1, Estimated: true, EstimatedWaitSeconds: 120},
			{State: protocol.StateActive},
		}}
		cfg := protocol.DefaultCustomerClientConfig()
		cfg.Agreement.RecordingPrompt = true
		c.view = newCustomerView(c.win, CustomerSetup{Lang: "de", Config: cfg}, CustomerCallbacks{Recording: c.recording(fake)}, clk.do)
		c.win.SetContent(c.view.Content)
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.prepare(fake, "de")
		}()
		clk.advance(time.Second)
		if n := count(c.view.Chat.Lines(), "Sie sind an Position 3 der Warteschlange."); n != 1 {
			t.Fatalf("chat %q; want the greeting with position 3", c.view.Chat.Lines())
		}
		clk.advance(waitPoll)
		if !strings.Contains(c.view.Status.Text, "Position 1") || !strings.Contains(c.view.Status.Text, "2 Minuten") {
			t.Errorf("status %q; want position 1 and 2 minutes", c.view.Status.Text)
		}
		clk.advance(5 * waitPoll)
		if asked, _ := fake.counts(); asked != 3 {
			t.Errorf("wait status asked %d times; want 3 (it stops once the session is active)", asked)
		}
		tap(c.view.Prompts()[0].No)
		clk.advance(time.Second)
		if _, allow := fake.counts(); len(allow) != 1 || allow[0] {
			t.Errorf("recording answers sent %v; want [false]", allow)
		}
		if fake.langs[0] != "de" {
			t.Errorf("wait status asked in %q; want de", fake.langs[0])
		}
		c.cancel()
		c.wg.Wait()
	})
}

func TestTicketErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("join with a queue ticket: %w", &protocol.Error{Code: protocol.CodeUnauthorized}), "download.ticket"},
		{&protocol.Error{Code: protocol.CodeConflict, Message: "the session has ended"}, "download.ticket"},
		{fmt.Errorf("x: %w", client.ErrFingerprint), "join.wrong_server"},
		{errors.New("dial tcp: connection refused"), "join.unreachable"},
	} {
		if got := ticketErrorMessage(tc.err); got != tc.want {
			t.Errorf("ticketErrorMessage(%v) = %q; want %q", tc.err, got, tc.want)
		}
	}
}

func TestJoinErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&protocol.Error{Code: protocol.CodeNotFound, Message: "this code has expired"}, "join.code_gone"},
		{fmt.Errorf("join: %w", &protocol.Error{Code: protocol.CodeRateLimited}), "join.too_many"},
		{&protocol.Error{Code: protocol.CodeBadData}, "join.bad_code"},
		{fmt.Errorf("join: %w", client.ErrFingerprint), "join.wrong_server"},
		{errors.New("dial tcp: connection refused"), "join.unreachable"},
	} {
		if got := joinErrorMessage(tc.err); got != tc.want {
			t.Errorf("joinErrorMessage(%v) = %q; want %q", tc.err, got, tc.want)
		}
	}
}

func TestAdmittedOnlyAfterTheAgreement(t *testing.T) {
	v, r, _ := newView(t, "en", func(c *protocol.CustomerClientConfig) { c.Agreement.Full = true })
	v.Start()
	if r.admitted != 0 {
		t.Fatal("admitted (screen shared) before the agreement was accepted")
	}
	tap(v.Prompts()[0].Yes)
	if r.admitted != 1 {
		t.Errorf("admitted %d times after accepting; want 1", r.admitted)
	}
	v2, r2, _ := newView(t, "en", nil)
	v2.Start()
	if r2.admitted != 1 {
		t.Errorf("admitted %d times without an agreement; want 1", r2.admitted)
	}
}

func TestControlAskedAndTakenBack(t *testing.T) {
	v, r, _ := newView(t, "de", nil)
	v.Start()
	var answers []bool
	v.AskControl("Rita", func(ok bool) { answers = append(answers, ok) })
	p := v.Prompts()[0]
	if !strings.Contains(p.Text, "Rita möchte Ihre Maus und Tastatur steuern") {
		t.Fatalf("prompt %q; want the German control request", p.Text)
	}
	tap(p.Yes)
	if len(answers) != 1 || !answers[0] {
		t.Fatalf("answers %v; want [true]", answers)
	}
	if v.TakeBack.Visible() {
		t.Error("Take back shown before control was granted")
	}
	v.Controlled("Rita", true)
	if !v.TakeBack.Visible() || count(v.Chat.Lines(), "Rita steuert jetzt") != 1 {
		t.Fatalf("after the grant: take back shown %v, chat %q", v.TakeBack.Visible(), v.Chat.Lines())
	}
	test.Tap(v.TakeBack)
	if r.takeBacks != 1 {
		t.Errorf("take back called %d times; want 1", r.takeBacks)
	}
	v.Controlled("Rita", false)
	if v.TakeBack.Visible() || count(v.Chat.Lines(), "Rita steuert Ihren Computer nicht mehr") != 1 {
		t.Errorf("after the revoke: take back shown %v, chat %q", v.TakeBack.Visible(), v.Chat.Lines())
	}
	v.AskControl("Sam", func(ok bool) { answers = append(answers, ok) })
	tap(v.Prompts()[1].No)
	if len(answers) != 2 || answers[1] {
		t.Errorf("answers %v; want [true false]", answers)
	}
}

func TestCustomerViewPresence(t *testing.T) {
	for _, tc := range []struct {
		lang    string
		reps    []string
		sharing bool
		control []string
		want    string
	}{
		{"en", nil, true, nil, ""},
		{"en", []string{"Rita"}, false, nil, "In the chat: Rita"},
		{"en", []string{"Rita"}, true, nil, "Can see your screen: Rita\nNo one controls your computer."},
		{"en", []string{"Rita", "Sam"}, true, []string{"Sam"}, "Can see your screen: Rita, Sam\nControls your mouse and keyboard: Sam"},
		{"de", []string{"Rita", "Sam"}, true, []string{"Rita", "Sam"}, "Sieht Ihren Bildschirm: Rita, Sam\nSteuert Ihre Maus und Tastatur: Rita, Sam"},
	} {
		v, _, _ := newView(t, tc.lang, nil)
		v.Start()
		for _, n := range tc.reps {
			v.ChattingWith(n)
		}
		v.Sharing(tc.sharing)
		for _, n := range tc.control {
			v.Controlled(n, true)
		}
		if got := v.PresenceText(); got != tc.want {
			t.Errorf("%s %v sharing %v control %v: %q; want %q", tc.lang, tc.reps, tc.sharing, tc.control, got, tc.want)
		}
		if got := v.Presence.Visible(); got != (tc.want != "") {
			t.Errorf("%s %v: presence shown %v; want %v", tc.lang, tc.reps, got, tc.want != "")
		}
	}

	// A rep who leaves drops out, and so does the control they had.
	v, _, _ := newView(t, "en", nil)
	v.Start()
	v.ChattingWith("Rita")
	v.ChattingWith("Sam")
	v.Sharing(true)
	v.Controlled("Sam", true)
	v.Present([]string{"Rita"})
	if got, want := v.PresenceText(), "Can see your screen: Rita\nNo one controls your computer."; got != want {
		t.Errorf("after Sam left: %q; want %q", got, want)
	}
	if v.TakeBack.Visible() {
		t.Error("Take back still shown after the rep in control left")
	}
	v.Ended(false)
	if v.Presence.Visible() {
		t.Error("presence shown after the end")
	}
}

// appsRecorder lists fixed windows and records what is shared.
type appsRecorder struct {
	wins   []AppWindow
	shared [][]uint64
}

func (a *appsRecorder) Windows() ([]AppWindow, error) { return a.wins, nil }

func (a *appsRecorder) ShareOnly(ids []uint64) error {
	a.shared = append(a.shared, ids)
	return nil
}

func TestCustomerViewChooseApps(t *testing.T) {
	apps := &appsRecorder{wins: []AppWindow{
		{ID: 7, Title: "Invoice.pdf – Document Viewer", App: "evince"},
		{ID: 9, Title: "Mail", App: "thunderbird"},
	}}
	show := func(limit bool) *CustomerView {
		a := test.NewTempApp(t)
		w := a.NewWindow("t")
		w.Resize(fyne.NewSize(520, 640))
		cfg := protocol.DefaultCustomerClientConfig()
		cfg.Misc.LimitApplications = limit
		cb := (&custRecorder{}).callbacks()
		cb.Apps = apps
		v := NewCustomerView(w, CustomerSetup{Lang: "en", Config: cfg}, cb)
		w.SetContent(v.Content)
		t.Cleanup(v.Close)
		v.Start()
		return v
	}
	if v := show(false); func() bool { v.Sharing(true); return v.ChooseApps.Visible() }() {
		t.Error("Choose what to share shown where the portal does not let the customer limit the applications")
	}

	v := show(true)
	if v.ChooseApps.Visible() {
		t.Error("Choose what to share shown before the screen is shared")
	}
	v.Sharing(true)
	if !v.ChooseApps.Visible() {
		t.Fatal("Choose what to share hidden while the screen is shared")
	}
	test.Tap(v.ChooseApps)
	c := v.appChoice
	if c == nil || len(c.Windows) != 2 || !c.Everything.Checked || !c.Windows[0].Disabled() {
		t.Fatalf("dialog %+v; want two windows, disabled under \"everything\"", c)
	}
	if got := c.Windows[1].Text; got != "Mail (thunderbird)" {
		t.Errorf("second window listed as %q; want %q", got, "Mail (thunderbird)")
	}
	c.Everything.SetChecked(false)
	v.applyApps(c)
	if len(apps.shared) != 0 || count(v.Chat.Lines(), "did not choose a window") != 1 {
		t.Errorf("nothing chosen: shared %v, chat %q; want no change and a notice", apps.shared, v.Chat.Lines())
	}
	c.Windows[1].SetChecked(true)
	v.applyApps(c)
	if len(apps.shared) != 1 || !slices.Equal(apps.shared[0], []uint64{9}) {
		t.Fatalf("shared %v; want [[9]]", apps.shared)
	}
	if count(v.Chat.Lines(), "Only these windows are shared now: Mail (thunderbird).") != 1 {
		t.Errorf("chat %q; want the limited sharing said", v.Chat.Lines())
	}
	// The next dialog starts from the current choice.
	test.Tap(v.ChooseApps)
	c = v.appChoice
	if c.Everything.Checked || c.Windows[0].Checked || !c.Windows[1].Checked {
		t.Errorf("second dialog: everything %v, windows %v %v; want only Mail checked", c.Everything.Checked, c.Windows[0].Checked, c.Windows[1].Checked)
	}
	c.Everything.SetChecked(true)
	v.applyApps(c)
	if len(apps.shared) != 2 || apps.shared[1] != nil || count(v.Chat.Lines(), "whole screen is shared again") != 1 {
		t.Errorf("shared %v, chat %q; want everything shared again", apps.shared, v.Chat.Lines())
	}
	v.Ended(false)
	if v.ChooseApps.Visible() {
		t.Error("Choose what to share shown after the end")
	}
}

// indicatorRecorder records the supported indicator's life.
type indicatorRecorder struct {
	texts  []string
	closed int
}

func (r *indicatorRecorder) SetText(text string) { r.texts = append(r.texts, text) }
func (r *indicatorRecorder) Close() error        { r.closed++; return nil }

func TestSupportedIndicator(t *testing.T) {
	for _, show := range []bool{false, true} {
		a := test.NewTempApp(t)
		rec := &indicatorRecorder{}
		c := newCustomerApp(CustomerOptions{
			Logger: slog.New(slog.DiscardHandler),
			Share:  func(*client.Session) (func(), error) { return func() {}, nil },
			Indicator: func(text string) (Indicator, error) {
				rec.texts = append(rec.texts, text)
				return rec, nil
			},
		}, func(f func()) { f() })
		c.win = a.NewWindow("t")
		cfg := protocol.DefaultCustomerClientConfig()
		cfg.Display.SupportedIndicator = show
		c.view = newCustomerView(c.win, CustomerSetup{Lang: "de", Config: cfg}, CustomerCallbacks{}, c.do)
		c.share(nil, cfg)
		if len(rec.texts) != 0 {
			t.Errorf("indicator shown %q while no representative can see the screen", rec.texts)
		}
		c.reps = []string{"Rita"}
		c.indicate()
		if !show {
			if len(rec.texts) != 0 {
				t.Errorf("indicator shown %q where the portal hides it", rec.texts)
			}
			continue
		}
		c.reps = []string{"Rita", "Sam"}
		c.indicate()
		c.reps = nil
		c.indicate()
		c.hideIndicator()
		want := []string{"Dieser Computer wird gerade betreut von Rita", "Dieser Computer wird gerade betreut von Rita, Sam"}
		if !slices.Equal(rec.texts, want) || rec.closed != 1 {
			t.Errorf("indicator texts %q, closed %d times; want %q, closed once (when the last rep left)", rec.texts, rec.closed, want)
		}
	}
}

func TestExitSurvey(t *testing.T) {
	newRated := func(t *testing.T) (*CustomerView, *[]protocol.Rating) {
		a := test.NewTempApp(t)
		w := a.NewWindow("t")
		var got []protocol.Rating
		cb := (&custRecorder{}).callbacks()
		cb.Rate = func(r protocol.Rating) { got = append(got, r) }
		v := NewCustomerView(w, CustomerSetup{Lang: "en", Config: protocol.DefaultCustomerClientConfig()}, cb)
		w.SetContent(v.Content)
		t.Cleanup(v.Close)
		v.Start()
		return v, &got
	}

	v, got := newRated(t)
	v.Ended(false)
	if v.Survey.Visible() || len(*got) != 0 {
		t.Errorf("survey shown %v, ratings %+v after a session no representative took part in; want none", v.Survey.Visible(), *got)
	}

	v, got = newRated(t)
	v.ChattingWith("Rita")
	if v.Survey.Visible() {
		t.Error("survey shown during the session")
	}
	v.Ended(true)
	if !v.Survey.Visible() || len(v.Scores) != 5 {
		t.Fatalf("survey shown %v with %d scores; want shown with 5", v.Survey.Visible(), len(v.Scores))
	}
	test.Tap(v.Scores[3])
	test.Tap(v.Scores[4])
	v.SurveyClosed()
	if len(*got) != 1 || (*got)[0] != (protocol.Rating{Score: 4}) {
		t.Errorf("ratings sent %+v; want one score of 4", *got)
	}
	if v.Survey.Visible() || count(v.Chat.Lines(), "Thank you for your rating (4 of 5).") != 1 {
		t.Errorf("after the answer: survey shown %v, chat %q", v.Survey.Visible(), v.Chat.Lines())
	}

	// Closing the window with the survey unanswered declines it, once.
	v, got = newRated(t)
	v.ChattingWith("Rita")
	v.Ended(true)
	v.SurveyClosed()
	v.SurveyClosed()
	if len(*got) != 1 || !(*got)[0].Declined {
		t.Errorf("ratings sent %+v; want one declined survey", *got)
	}
}

// pushCore is a client whose server pushes the wait status and takes the
// computer's description.
type pushCore struct {
	fakeCore
	subscribed []string
	infos      []protocol.SystemInfo
}

func (p *pushCore) SubscribeWaitStatus(ctx context.Context, lang string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.subscribed = append(p.subscribed, lang)
	return nil
}

func (p *pushCore) ReportSystemInfo(ctx context.Context, info protocol.SystemInfo) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.infos = append(p.infos, info)
	return nil
}

// TestAppTakesPushedWaitStatus: where the server pushes the wait status,
// the app subscribes instead of asking, the first push starts the view
// with its position, and later pushes update it.
func TestAppTakesPushedWaitStatus(t *testing.T) {
	a := test.NewTempApp(t)
	me := protocol.SystemInfo{HostName: "ada-laptop", OS: "linux", Arch: "amd64"}
	c := newCustomerApp(CustomerOptions{
		Logger:     slog.New(slog.DiscardHandler),
		SystemInfo: func(context.Context) (protocol.SystemInfo, error) { return me, nil },
	}, func(f func()) { f() })
	c.win = a.NewWindow("t")
	fake := &pushCore{fakeCore: fakeCore{statuses: []protocol.WaitStatus{{State: protocol.StateWaiting, Position: 9}}}}
	c.view = newCustomerView(c.win, CustomerSetup{Lang: "en", Config: protocol.DefaultCustomerClientConfig()}, CustomerCallbacks{}, c.do)
	c.win.SetContent(c.view.Content)
	c.prepare(fake, "en")
	c.reportSystem(fake)
	if asked, _ := fake.counts(); asked != 0 || !slices.Equal(fake.subscribed, []string{"en"}) {
		t.Fatalf("asked %d times, subscribed %q; want subscribed in en and never asked", asked, fake.subscribed)
	}
	if len(fake.infos) != 1 || fake.infos[0] != me {
		t.Errorf("system info reported %+v; want %+v", fake.infos, me)
	}
	c.waited(protocol.WaitStatus{State: protocol.StateWaiting, Position: 2})
	if n := count(c.view.Chat.Lines(), "You are number 2 in the queue."); n != 1 {
		t.Errorf("chat %q; want the greeting with position 2", c.view.Chat.Lines())
	}
	c.waited(protocol.WaitStatus{State: protocol.StateWaiting, Position: 1})
	if !strings.Contains(c.view.Status.Text, "number 1") {
		t.Errorf("status %q; want position 1", c.view.Status.Text)
	}
	c.cancel()
	c.wg.Wait()
}

// TestPrompterAsksElevationInTheSessionWindow: the program's elevation
// question appears as the portal shows prompts (a text link here), in the
// session's language, and a withdrawn question answers no.
func TestPrompterAsksElevationInTheSessionWindow(t *testing.T) {
	a := test.NewTempApp(t)
	pr := &Prompter{}
	if pr.AskElevation(t.Context(), "Rita") {
		t.Error("an unconnected prompter answered yes")
	}
	q := make(chan func(), 16)
	c := newCustomerApp(CustomerOptions{Logger: slog.New(slog.DiscardHandler), Prompter: pr}, func(f func()) { q <- f })
	c.win = a.NewWindow("t")
	c.view = newCustomerView(c.win, CustomerSetup{Lang: "de", Config: protocol.DefaultCustomerClientConfig()}, CustomerCallbacks{}, c.do)
	c.win.SetContent(c.view.Content)

	ask := func(ctx context.Context) <-chan bool {
		got := make(chan bool, 1)
		go func() { got <- pr.AskElevation(ctx, "Rita") }()
		(<-q)() // show the prompt on this goroutine, as Fyne's would
		return got
	}
	got := ask(t.Context())
	ps := c.view.Prompts()
	if len(ps) != 1 || ps[0].Yes == nil || !strings.Contains(ps[0].Text, "Rita bittet darum") {
		t.Fatalf("prompts %+v; want one German text-link prompt naming Rita", ps)
	}
	tap(ps[0].Yes)
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
	if p := c.view.Prompts()[1]; !p.Answered() {
		t.Error("the withdrawn prompt is still open")
	}
}

// TestCustomerViewFitsWithEveryAction: with every occasional action shown
// (choose what to share, send a file, take back control) the window keeps
// its 520 px width, in German, the longer language.
func TestCustomerViewFitsWithEveryAction(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("t")
	w.Resize(fyne.NewSize(520, 640))
	cfg := protocol.DefaultCustomerClientConfig()
	cfg.Misc.LimitApplications = true
	cb := (&custRecorder{}).callbacks()
	cb.Apps = &appsRecorder{}
	v := NewCustomerView(w, CustomerSetup{Lang: "de", Config: cfg}, cb)
	w.SetContent(v.Content)
	t.Cleanup(v.Close)
	v.Start()
	v.ChattingWith("Rita")
	v.Sharing(true)
	v.AddTool(widget.NewButton(fileText("de", "files.send"), nil))
	v.Controlled("Rita", true)
	if !v.ChooseApps.Visible() || !v.TakeBack.Visible() {
		t.Fatal("the actions are not all shown")
	}
	if m := v.Content.MinSize(); m.Width > 520 {
		t.Errorf("minimum width %v with every action; want at most 520", m.Width)
	}
}
