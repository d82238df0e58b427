package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/protocol"
)

// typedShortcut sends a shortcut to a window's canvas, as the keyboard does.
func typedShortcut(t *testing.T, w fyne.Window, s fyne.Shortcut) {
	t.Helper()
	h, ok := w.Canvas().(fyne.Shortcutable)
	if !ok {
		t.Fatal("the test canvas takes no shortcuts")
	}
	h.TypedShortcut(s)
}

// hasButton reports whether a button with the label is below o.
func hasButton(o fyne.CanvasObject, label string) bool {
	for _, obj := range test.LaidOutObjects(o) {
		if b, ok := obj.(*widget.Button); ok && b.Text == label {
			return true
		}
	}
	return false
}

func TestQueueListGroupsByQueueAndUpdatesLive(t *testing.T) {
	test.NewTempApp(t)
	q := NewQueueList(func(string) {})
	now := time.Now()
	q.now = func() time.Time { return now }
	q.SetNames(protocol.QueueList{
		Queues:  []protocol.QueueInfo{{ID: "mine", Kind: protocol.QueueKindPersonal, Name: "My queue"}, {ID: "l1", Kind: protocol.QueueKindTeam, Name: "Level 1"}},
		Portals: []protocol.PortalInfo{{ID: "p1", Name: "Support Site"}},
	})
	q.Set([]protocol.SessionInfo{
		{ID: "a", CustomerName: "Ada", Question: "printer", Portal: "p1", Queue: "l1", Created: now.Add(-12 * time.Minute)},
		{ID: "b", CustomerName: "Bo", Queue: "mine", Created: now.Add(-3 * time.Minute)},
		{ID: "c", CustomerName: "Cy", Queue: "l1", Created: now},
	})
	var headers []string
	for _, g := range q.Groups() {
		headers = append(headers, g.Header.Text)
	}
	if got, want := strings.Join(headers, "|"), "My queue (1)|Level 1 (2)"; got != want {
		t.Errorf("headers %q; want %q", got, want)
	}
	if q.Count.Text != "3 customers are waiting." {
		t.Errorf("count %q", q.Count.Text)
	}
	rows := q.Rows()
	if len(rows) != 3 {
		t.Fatalf("got %d rows; want 3", len(rows))
	}
	if got := rows[0].Label.Text; got != "Bo\nwaiting 3 min" {
		t.Errorf("personal row %q; want %q", got, "Bo\nwaiting 3 min")
	}
	if got, want := rows[1].Label.Text, "Ada — printer\nSupport Site · waiting 12 min"; got != want {
		t.Errorf("team row %q; want %q", got, want)
	}
	// Time passes: the waiting times follow.
	now = now.Add(10 * time.Minute)
	q.Tick()
	if got := q.Rows()[0].Label.Text; !strings.Contains(got, "waiting 13 min") {
		t.Errorf("after 10 minutes: %q; want waiting 13 min", got)
	}
	// A live update: Ada was taken by someone else.
	q.Set([]protocol.SessionInfo{{ID: "c", CustomerName: "Cy", Queue: "l1", Created: now}})
	headers = headers[:0]
	for _, g := range q.Groups() {
		headers = append(headers, g.Header.Text)
	}
	if got, want := strings.Join(headers, "|"), "My queue (0)|Level 1 (1)"; got != want {
		t.Errorf("after the update: headers %q; want %q", got, want)
	}
	if q.Waiting("a") || !q.Waiting("c") {
		t.Error("Waiting does not follow the update")
	}
}

func TestConsoleGetNextAndStatus(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("console")
	next := 0
	var statuses []protocol.RepStatus
	c := NewConsole(w, ConsoleActions{GetNext: func() { next++ }, Status: func(s protocol.RepStatus) { statuses = append(statuses, s) }})
	w.SetContent(c.Content)
	test.Tap(c.GetNext)
	typedShortcut(t, w, ShortcutGetNext)
	if next != 2 {
		t.Errorf("Get Next ran %d times; want 2 (button and shortcut)", next)
	}
	c.Availability.SetSelected("Busy")
	c.Availability.SetSelected("Away")
	if len(statuses) != 2 || statuses[0] != protocol.RepStatusBusy || statuses[1] != protocol.RepStatusAway {
		t.Errorf("statuses %v; want [busy away]", statuses)
	}
}

func TestAlertAtLowerRightAcceptsOnClick(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("console")
	w.Resize(fyne.NewSize(1000, 700))
	var accepted []string
	c := NewConsole(w, ConsoleActions{Accept: func(id string) { accepted = append(accepted, id) }})
	w.SetContent(c.Content)
	w.Resize(fyne.NewSize(1000, 700))
	s := protocol.SessionInfo{ID: "s1", CustomerName: "Ada", Question: "VPN", Created: time.Now()}
	c.SetQueue([]protocol.SessionInfo{s})
	al := c.Alert(s, false)
	pos, size := al.PopUp.Content.Position(), w.Canvas().Size()
	if pos.X < size.Width/2 || pos.Y < size.Height/2 {
		t.Errorf("pop-up at %v in a %v canvas; want the lower right", pos, size)
	}
	if !strings.Contains(al.Body.Text, "Ada — VPN") {
		t.Errorf("pop-up says %q", al.Body.Text)
	}
	al.Tap()
	if len(accepted) != 1 || accepted[0] != "s1" {
		t.Errorf("accepted %v; want [s1]", accepted)
	}
	if al.PopUp.Visible() {
		t.Error("the pop-up stays after accepting")
	}
	// Another rep took the next one: its pop-up goes with the queue update.
	s2 := protocol.SessionInfo{ID: "s2", CustomerName: "Bo", Created: time.Now()}
	c.SetQueue([]protocol.SessionInfo{s2})
	al2 := c.Alert(s2, true)
	if !strings.Contains(al2.Title.Text, "transferred") {
		t.Errorf("transfer pop-up title %q", al2.Title.Text)
	}
	c.SetQueue(nil)
	if al2.PopUp.Visible() {
		t.Error("the pop-up of a session that left the queue stays")
	}
}

func TestCannedMessageIsSent(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("t")
	var sent []string
	v := NewSessionView(w, "rep1", protocol.SessionInfo{ID: "s1", CustomerName: "Ada"}, SessionActions{Send: func(s string) { sent = append(sent, s) }})
	w.SetContent(v.Content)
	v.SetCanned([]protocol.CannedMessage{
		{ID: "1", Team: "Level 1", Title: "Greeting", Text: "Hello, I am Rita. How can I help?"},
		{ID: "2", Team: "Level 1", Title: "Closing", Text: "Is there anything else I can do for you?"},
	})
	if len(v.Canned.Items) != 2 {
		t.Fatalf("got %d canned items; want 2", len(v.Canned.Items))
	}
	test.Tap(v.Canned.Items[0])
	if len(sent) != 0 {
		t.Fatal("a single click sent a canned message")
	}
	test.DoubleTap(v.Canned.Items[0])
	w.Canvas().Focus(v.Canned.Items[1])
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	want := []string{"Hello, I am Rita. How can I help?", "Is there anything else I can do for you?"}
	if strings.Join(sent, "|") != strings.Join(want, "|") {
		t.Errorf("sent %q; want %q (double click, then Enter)", sent, want)
	}
	v.Ended("done")
	test.DoubleTap(v.Canned.Items[0])
	if len(sent) != 2 {
		t.Error("a canned message was sent after the end")
	}
}

func TestChatLogCopiesWhole(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("t")
	v := NewSessionView(w, "rep1", protocol.SessionInfo{ID: "s1", CustomerName: "Ada"}, SessionActions{Send: func(string) {}})
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.Local)
	var want []string
	for i, text := range []string{"Hello", "My printer\nprints blank pages", "Let me look", "Thanks!"} {
		m := protocol.ChatMessage{Seq: int64(i + 1), From: "cust", Name: "Ada", Role: protocol.RoleCustomer, Text: text, At: at.Add(time.Duration(i) * time.Minute)}
		if i%2 == 0 {
			m.From, m.Name, m.Role = "rep1", "Rita", protocol.RoleRep
		}
		v.Received(m)
		want = append(want, "["+m.At.Format("15:04")+"] "+m.Name+": "+text)
	}
	test.Tap(v.CopyLog)
	if got := a.Clipboard().Content(); got != strings.Join(want, "\n") {
		t.Errorf("clipboard:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	var buf bytes.Buffer
	if err := v.WriteLog(&buf); err != nil {
		t.Fatal(err)
	}
	if buf.String() != strings.Join(want, "\n")+"\n" {
		t.Errorf("saved log:\n%s", buf.String())
	}
}

func TestChatSoundOnlyForOthersWhenAsked(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("t")
	rings := 0
	v := NewSessionView(w, "rep1", protocol.SessionInfo{ID: "s1"}, SessionActions{Sound: func() { rings++ }})
	v.Received(protocol.ChatMessage{From: "cust", Text: "hi", At: time.Now()})
	v.Sound.SetChecked(true)
	v.Received(protocol.ChatMessage{From: "rep1", Text: "mine", At: time.Now()})
	v.Received(protocol.ChatMessage{From: "cust", Text: "again", At: time.Now()})
	if rings != 1 {
		t.Errorf("rang %d times; want 1 (sound on, someone else's line)", rings)
	}
}

func TestHoldOrEndOnlyWhenOthersRemain(t *testing.T) {
	tests := []struct {
		name     string
		parts    []protocol.Participant
		wantHold bool
	}{
		{"alone with the customer", []protocol.Participant{{ID: "cust", Role: protocol.RoleCustomer, Name: "Ada"}, {ID: "rep1", Role: protocol.RoleRep, Name: "Rita"}}, false},
		{"another rep remains", []protocol.Participant{{ID: "cust", Role: protocol.RoleCustomer, Name: "Ada"}, {ID: "rep1", Role: protocol.RoleRep, Name: "Rita"}, {ID: "rep2", Role: protocol.RoleRep, Name: "Sam"}}, true},
		// Only another rep may keep the session (the server refuses a hold
		// that would leave the customer to specialists alone).
		{"only a specialist remains", []protocol.Participant{{ID: "cust", Role: protocol.RoleCustomer, Name: "Ada"}, {ID: "rep1", Role: protocol.RoleRep, Name: "Rita"}, {ID: "x", Role: protocol.RoleSpecialist, Name: "Vendor"}}, false},
		{"a rep and a specialist remain", []protocol.Participant{{ID: "cust", Role: protocol.RoleCustomer, Name: "Ada"}, {ID: "rep1", Role: protocol.RoleRep, Name: "Rita"}, {ID: "x", Role: protocol.RoleSpecialist, Name: "Vendor"}, {ID: "rep2", Role: protocol.RoleRep, Name: "Sam"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := test.NewTempApp(t)
			w := a.NewWindow("t")
			w.Resize(fyne.NewSize(900, 600))
			held, ended := 0, 0
			v := NewSessionView(w, "rep1", protocol.SessionInfo{ID: "s1", CustomerName: "Ada", Participants: tt.parts},
				SessionActions{Send: func(string) {}, End: func() { ended++ }, Hold: func() { held++ }})
			w.SetContent(v.Content)
			test.Tap(v.End)
			top := w.Canvas().Overlays().Top()
			if top == nil {
				t.Fatal("the red X asked nothing")
			}
			if got := hasButton(top, "Hold session"); got != tt.wantHold {
				t.Fatalf("Hold session offered: got %v; want %v", got, tt.wantHold)
			}
			if !hasButton(top, "End session") {
				t.Fatal("End session not offered")
			}
			if tt.wantHold {
				test.Tap(findButton(t, top, "Hold session"))
				if held != 1 || ended != 0 {
					t.Errorf("Hold: held %d, ended %d; want 1, 0", held, ended)
				}
				return
			}
			test.Tap(findButton(t, top, "End session"))
			if ended != 1 || held != 0 {
				t.Errorf("End: ended %d, held %d; want 1, 0", ended, held)
			}
		})
	}
}

func TestSessionShortcuts(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("console")
	w.Resize(fyne.NewSize(1000, 700))
	c := NewConsole(w, ConsoleActions{})
	w.SetContent(c.Content)
	var sent []string
	var control []bool
	parts := []protocol.Participant{{ID: "c1", Role: protocol.RoleCustomer, Name: "Ada"}, {ID: "rep1", Role: protocol.RoleRep, Name: "Rita"}}
	first := c.OpenSession("rep1", protocol.SessionInfo{ID: "s1", CustomerName: "Ada", Participants: parts}, SessionActions{Send: func(s string) { sent = append(sent, "s1:"+s) }})
	second := c.OpenSession("rep1", protocol.SessionInfo{ID: "s2", CustomerName: "Bo", Participants: parts},
		SessionActions{Send: func(s string) { sent = append(sent, "s2:"+s) }, Control: func(on bool) { control = append(control, on) }})
	if len(c.Sessions()) != 2 || c.Current() != second {
		t.Fatalf("two sessions open, the second shown: got %d, current %v", len(c.Sessions()), c.Current())
	}
	second.Chat.Entry.SetText("hello Bo")
	typedShortcut(t, w, ShortcutSend)
	if len(sent) != 1 || sent[0] != "s2:hello Bo" {
		t.Errorf("sent %q; want [s2:hello Bo]", sent)
	}
	typedShortcut(t, w, ShortcutControl)
	typedShortcut(t, w, ShortcutControl)
	if len(control) != 2 || !control[0] || control[1] {
		t.Errorf("control %v; want [true false]", control)
	}
	typedShortcut(t, w, ShortcutEnd)
	if top := w.Canvas().Overlays().Top(); top == nil || !hasButton(top, "End session") {
		t.Error("the end shortcut asked nothing")
	}
	if first.IsEnded() {
		t.Error("the first session ended")
	}
	second.Ended("by the customer")
	c.CloseSession("s2")
	if len(c.Sessions()) != 1 || c.Current() != first {
		t.Errorf("after closing: %d sessions, current %v; want the first", len(c.Sessions()), c.Current())
	}
}

func TestSummaryShowsTheSession(t *testing.T) {
	test.NewTempApp(t)
	var overrides []protocol.Termination
	s := NewSummary(func(term protocol.Termination) { overrides = append(overrides, term) })
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.Local)
	s.SetInfo(protocol.SessionInfo{ID: "s1", CustomerName: "Ada", Created: start, Participants: []protocol.Participant{
		{ID: "c", Role: protocol.RoleCustomer, Name: "Ada"}, {ID: "r1", Role: protocol.RoleRep, Name: "Rita"}, {ID: "r2", Role: protocol.RoleRep, Name: "Sam"},
	}})
	s.SetPortal("Support Site")
	s.SetKey("123456789")
	s.SetHost("ADA-LAPTOP", "Windows 11")
	s.Tick(start.Add(4*time.Minute + 5*time.Second))
	for label, want := range map[string]string{
		"customer": "Ada", "portal": "Support Site", "key": "123 456 789", "host": "ADA-LAPTOP", "os": "Windows 11", "duration": "4 min 05 s",
	} {
		got := map[string]string{"customer": s.Customer.Text, "portal": s.Portal.Text, "key": s.Key.Text, "host": s.Host.Text, "os": s.OS.Text, "duration": s.Duration.Text}[label]
		if got != want {
			t.Errorf("%s: got %q; want %q", label, got, want)
		}
	}
	if got := len(s.AttendeeList()); got != 3 || s.Attendees.Length() != 3 {
		t.Errorf("attendees: %d listed, list length %d; want 3", got, s.Attendees.Length())
	}
	if !s.Termination.Disabled() {
		t.Error("the end-of-session override is enabled before the policy allows it")
	}
	s.SetPolicy(false, protocol.TerminationLock)
	if !s.Termination.Disabled() || s.Termination.Selected != "Lock the computer" || len(overrides) != 0 {
		t.Errorf("policy without override: disabled %v, selected %q, overrides %v", s.Termination.Disabled(), s.Termination.Selected, overrides)
	}
	s.SetPolicy(true, protocol.TerminationNothing)
	s.Termination.SetSelected("Log the user off")
	if s.Termination.Disabled() || len(overrides) != 1 || overrides[0] != protocol.TerminationLogOff {
		t.Errorf("override: disabled %v, overrides %v; want [log off]", s.Termination.Disabled(), overrides)
	}
	s.Ended(start.Add(time.Hour + 2*time.Minute))
	s.Tick(start.Add(5 * time.Hour))
	if s.Duration.Text != "1 h 02 min" {
		t.Errorf("duration after the end %q; want 1 h 02 min", s.Duration.Text)
	}

	s.SetSystem(nil)
	if s.Host.Text != "ADA-LAPTOP" {
		t.Errorf("host %q after no description; want it kept", s.Host.Text)
	}
	s.SetSystem(&protocol.SystemInfo{HostName: "ada-pc", OS: "linux", OSName: "Debian GNU/Linux", OSVersion: "13 (trixie)", Arch: "amd64"})
	if s.Host.Text != "ada-pc" || s.OS.Text != "Debian GNU/Linux 13 (trixie), amd64" {
		t.Errorf("described computer: host %q, OS %q", s.Host.Text, s.OS.Text)
	}
	for _, tc := range []struct {
		on      bool
		consent protocol.RecordingConsent
		want    string
	}{
		{true, protocol.RecordingAllowed, "Yes"},
		{true, protocol.RecordingConsentUnknown, "Yes"},
		{false, protocol.RecordingConsentUnknown, "No"},
		{false, protocol.RecordingRefused, "No: the customer refused recording"},
	} {
		s.SetRecording(tc.on, tc.consent)
		if s.Recorded.Text != tc.want {
			t.Errorf("recording %v, consent %v: %q; want %q", tc.on, tc.consent, s.Recorded.Text, tc.want)
		}
	}
}

func TestKeyPanelInvites(t *testing.T) {
	a := test.NewTempApp(t)
	var invited []string
	k := NewKeyPanel(a.Clipboard(), func() {}, func(e string) { invited = append(invited, e) })
	test.Type(k.Email, " ada@example.com ")
	test.Tap(k.Invite)
	if len(invited) != 1 || invited[0] != "ada@example.com" {
		t.Fatalf("invited %q; want [ada@example.com]", invited)
	}
	key := protocol.Key{Code: "987654321", URL: "https://h/k/987654321", Expires: time.Now().Add(time.Hour)}
	k.Invited("ada@example.com", key, nil)
	if k.Code.Text != "987 654 321" || !strings.Contains(k.Message.Text, "sent to ada@example.com") {
		t.Errorf("after sending: code %q, message %q", k.Code.Text, k.Message.Text)
	}
	k.Invited("bo@example.com", protocol.Key{}, &protocol.Error{Code: protocol.CodeNoMail, Message: "the server has no outgoing mail server configured"})
	if !strings.Contains(k.Message.Text, "no outgoing mail server") {
		t.Errorf("after a refusal: message %q", k.Message.Text)
	}
}

// TestConsoleFitsItsWindow guards against wrapping labels measured at zero
// width, which once made the console 1697 px tall and pushed the chat line
// off the screen.
func TestConsoleFitsItsWindow(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("console")
	c := NewConsole(w, ConsoleActions{Invite: func(string) {}})
	w.SetContent(c.Content)
	fits := func(state string) {
		t.Helper()
		if m := c.Content.MinSize(); m.Width > 1100 || m.Height > 700 {
			t.Errorf("%s: minimum size %v does not fit the 1100x720 window", state, m)
		}
	}
	fits("no session")
	now := time.Now()
	var waiting []protocol.SessionInfo
	for _, name := range []string{"Ada", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"} {
		waiting = append(waiting, protocol.SessionInfo{ID: name, CustomerName: name, Question: "a long question about a printer that prints blank pages", Created: now})
	}
	c.SetQueue(waiting)
	fits("eight waiting")
	v := c.OpenSession("r", protocol.SessionInfo{ID: "s", CustomerName: "Ada"}, SessionActions{})
	for range 30 {
		v.Received(protocol.ChatMessage{From: "c", Name: "Ada", Text: "a line of chat", At: now})
	}
	v.SetCanned([]protocol.CannedMessage{{Title: "Greeting", Text: "Hello"}, {Title: "Closing", Text: "Bye"}})
	fits("a session with a long chat")
	c.Alert(waiting[0], false)
	fits("with a pop-up")
}

func TestChatHistoryMergesWithLiveLines(t *testing.T) {
	test.NewTempApp(t)
	c := NewChatView("Send", "", func(string) {})
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.Local)
	msg := func(seq int64, text string) protocol.ChatMessage {
		return protocol.ChatMessage{Seq: seq, Name: "Ada", Role: protocol.RoleCustomer, Text: text, At: at}
	}
	// A live line arrives before the transcript of what came earlier.
	c.Append(msg(4, "still there?"))
	c.Notice("Ada is now chatting with you.")
	for _, m := range []protocol.ChatMessage{msg(2, "hello"), msg(3, "my printer"), msg(4, "still there?")} {
		c.Append(m)
	}
	c.Append(msg(5, "thanks"))
	want := []string{"[09:00] Ada: hello", "[09:00] Ada: my printer", "[09:00] Ada: still there?", "Ada is now chatting with you.", "[09:00] Ada: thanks"}
	got := c.Lines()
	if len(got) != len(want) {
		t.Fatalf("lines %q; want %q", got, want)
	}
	for i := range want {
		if !strings.HasSuffix(got[i], want[i]) {
			t.Errorf("line %d: got %q; want …%q", i, got[i], want[i])
		}
	}
	if len(c.History.Objects) != len(want) {
		t.Errorf("%d labels shown; want %d", len(c.History.Objects), len(want))
	}
}
