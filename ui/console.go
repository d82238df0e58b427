package ui

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/protocol"
)

// SignInValues are what the sign-in screen collects.
type SignInValues struct {
	Server, User, Password string
}

// SignIn is the rep console's sign-in screen.
type SignIn struct {
	Server, User, Password *widget.Entry
	Button                 *widget.Button
	Message                *widget.Label
	Fingerprint            *widget.Label
	Content                fyne.CanvasObject
}

// NewSignIn returns the sign-in screen filled with v; onSubmit receives
// what the rep typed.
func NewSignIn(v SignInValues, onSubmit func(SignInValues)) *SignIn {
	s := &SignIn{
		Server: widget.NewEntry(), User: widget.NewEntry(), Password: widget.NewPasswordEntry(),
		Message: widget.NewLabel(""), Fingerprint: widget.NewLabel(""),
	}
	s.Server.SetPlaceHolder("https://support.example.com:8443")
	s.Server.SetText(v.Server)
	s.User.SetText(v.User)
	s.Password.SetText(v.Password)
	s.Message.Wrapping = fyne.TextWrapWord
	s.Message.Importance = widget.DangerImportance
	s.Fingerprint.Wrapping = fyne.TextWrapBreak
	s.Fingerprint.TextStyle.Monospace = true
	submit := func() {
		onSubmit(SignInValues{Server: strings.TrimSpace(s.Server.Text), User: strings.TrimSpace(s.User.Text), Password: s.Password.Text})
	}
	s.Password.OnSubmitted = func(string) { submit() }
	s.Button = widget.NewButtonWithIcon("Sign in", theme.LoginIcon(), submit)
	s.Button.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem("Server", s.Server),
		widget.NewFormItem("Username", s.User),
		widget.NewFormItem("Password", s.Password),
	)
	title := widget.NewLabelWithStyle("Tandem Console", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	card := container.NewVBox(title, form, s.Button, s.Message, s.Fingerprint)
	s.Content = container.NewCenter(container.NewGridWrap(fyne.NewSize(460, 380), card))
	return s
}

// ShowError shows why signing in failed and enables the button again.
func (s *SignIn) ShowError(msg string) {
	s.Message.SetText(msg)
	s.Button.Enable()
}

// SetBusy disables the button while a sign-in is under way.
func (s *SignIn) SetBusy(busy bool) {
	if busy {
		s.Message.SetText("")
		s.Button.Disable()
	} else {
		s.Button.Enable()
	}
}

// SetFingerprint shows the server certificate's fingerprint.
func (s *SignIn) SetFingerprint(fp string) {
	if fp == "" {
		s.Fingerprint.SetText("")
		return
	}
	s.Fingerprint.SetText("Server certificate SHA-256:\n" + fp)
}

// KeyPanel generates session keys and shows the latest.
type KeyPanel struct {
	Generate          *widget.Button
	Code, URL         *widget.Label
	CopyCode, CopyURL *widget.Button
	Content           fyne.CanvasObject

	key protocol.Key
}

// NewKeyPanel returns the panel; onGenerate asks for a new key, which
// arrives through Show.
func NewKeyPanel(clip fyne.Clipboard, onGenerate func()) *KeyPanel {
	k := &KeyPanel{Code: widget.NewLabel("—"), URL: widget.NewLabel("")}
	k.Code.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	k.URL.Wrapping = fyne.TextWrapBreak
	k.Generate = widget.NewButtonWithIcon("Generate session key", theme.ContentAddIcon(), onGenerate)
	k.CopyCode = widget.NewButtonWithIcon("Copy code", theme.ContentCopyIcon(), func() { clip.SetContent(k.key.Code) })
	k.CopyURL = widget.NewButtonWithIcon("Copy link", theme.ContentCopyIcon(), func() { clip.SetContent(k.key.URL) })
	k.CopyCode.Disable()
	k.CopyURL.Disable()
	k.Content = widget.NewCard("Session key", "Give the code or the link to your customer.",
		container.NewVBox(k.Generate, container.NewBorder(nil, nil, nil, k.CopyCode, k.Code), container.NewBorder(nil, nil, nil, container.NewVBox(k.CopyURL), k.URL)))
	return k
}

// Show displays a key.
func (k *KeyPanel) Show(key protocol.Key) {
	k.key = key
	k.Code.SetText(protocol.FormatCode(key.Code))
	k.URL.SetText(key.URL + "\nValid until " + key.Expires.Local().Format("15:04"))
	k.CopyCode.Enable()
	k.CopyURL.Enable()
}

// QueueRow is one waiting session in the queue list.
type QueueRow struct {
	Session protocol.SessionInfo
	Label   *widget.Label
	Accept  *widget.Button
}

// QueueList shows the sessions waiting in the rep's queues.
type QueueList struct {
	Box     *fyne.Container
	Count   *widget.Label
	Content fyne.CanvasObject

	rows     []*QueueRow
	onAccept func(sessionID string)
	now      func() time.Time
}

// NewQueueList returns an empty queue list; onAccept receives the session
// the rep accepts.
func NewQueueList(onAccept func(sessionID string)) *QueueList {
	q := &QueueList{Box: container.NewVBox(), Count: widget.NewLabel(""), onAccept: onAccept, now: time.Now}
	q.Set(nil)
	q.Content = widget.NewCard("Waiting customers", "", container.NewBorder(q.Count, nil, nil, nil, container.NewVScroll(q.Box)))
	return q
}

// Set replaces the list with the waiting sessions, oldest first.
func (q *QueueList) Set(waiting []protocol.SessionInfo) {
	q.Box.RemoveAll()
	q.rows = q.rows[:0]
	switch len(waiting) {
	case 0:
		q.Count.SetText("Nobody is waiting.")
	case 1:
		q.Count.SetText("1 customer is waiting.")
	default:
		q.Count.SetText(strconv.Itoa(len(waiting)) + " customers are waiting.")
	}
	for _, s := range waiting {
		name := s.CustomerName
		if s.Question != "" {
			name += " — " + s.Question
		}
		row := &QueueRow{Session: s, Label: widget.NewLabel(name + "  (waiting " + since(s.Created, q.now()) + ")")}
		id := s.ID
		row.Accept = widget.NewButtonWithIcon("Accept", theme.ConfirmIcon(), func() { q.onAccept(id) })
		row.Accept.Importance = widget.HighImportance
		q.rows = append(q.rows, row)
		q.Box.Add(container.NewBorder(nil, nil, nil, row.Accept, row.Label))
	}
}

// Rows returns the rows as shown.
func (q *QueueList) Rows() []*QueueRow { return append([]*QueueRow(nil), q.rows...) }

// SessionView is one session in the console: chat, participants, end.
type SessionView struct {
	ID           string
	Chat         *ChatView
	Participants *widget.Label
	Peer         *widget.Label
	End          *widget.Button
	CopyLog      *widget.Button
	Content      fyne.CanvasObject
}

// NewSessionView returns the view of one session.
func NewSessionView(win fyne.Window, info protocol.SessionInfo, onSend func(string), onEnd func()) *SessionView {
	v := &SessionView{ID: info.ID, Chat: NewChatView("Send", "Message to the customer", onSend),
		Participants: widget.NewLabel(""), Peer: widget.NewLabel("Connecting to the customer…")}
	v.End = widget.NewButtonWithIcon("End session", theme.CancelIcon(), func() {
		confirmEnd(win, "End session", "End the session with "+info.CustomerName+"?", onEnd)
	})
	v.End.Importance = widget.DangerImportance
	v.CopyLog = widget.NewButtonWithIcon("Copy chat log", theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(v.Chat.Log())
	})
	v.SetInfo(info)
	top := container.NewBorder(nil, nil, nil, container.NewVBox(container.NewHBox(v.CopyLog, v.End)), container.NewVBox(v.Participants, v.Peer))
	v.Content = container.NewBorder(top, nil, nil, nil, v.Chat.Content)
	return v
}

// SetInfo shows the session's participants.
func (v *SessionView) SetInfo(info protocol.SessionInfo) {
	var names []string
	for _, p := range info.Participants {
		names = append(names, p.Name+" ("+p.Role.String()+")")
	}
	v.Participants.SetText("In this session: " + strings.Join(names, ", "))
}

// Ended shows that the session is over and disables its controls.
func (v *SessionView) Ended(reason string) {
	v.Chat.Notice("Session ended: " + reason)
	v.Chat.Entry.Disable()
	v.Chat.Send.Disable()
	v.End.Disable()
	v.Peer.SetText("")
}

// Console is the rep console's main screen.
type Console struct {
	Status  *widget.Label
	Keys    *KeyPanel
	Queue   *QueueList
	Tabs    *container.AppTabs
	Empty   *widget.Label
	Content fyne.CanvasObject

	win      fyne.Window
	sessions map[string]*SessionView
	tabs     map[string]*container.TabItem
	right    *fyne.Container
}

// ConsoleActions are what the console asks of its owner.
type ConsoleActions struct {
	Generate func()
	Accept   func(sessionID string)
}

// NewConsole returns the main screen.
func NewConsole(win fyne.Window, act ConsoleActions) *Console {
	c := &Console{
		Status: widget.NewLabel(""), Keys: NewKeyPanel(fyne.CurrentApp().Clipboard(), act.Generate), Queue: NewQueueList(act.Accept),
		Tabs: container.NewAppTabs(), Empty: widget.NewLabel("No session open. Accept a waiting customer, or give one a session key."),
		win: win, sessions: map[string]*SessionView{}, tabs: map[string]*container.TabItem{},
	}
	c.Empty.Alignment = fyne.TextAlignCenter
	c.right = container.NewStack(container.NewCenter(c.Empty))
	left := container.NewBorder(c.Keys.Content, nil, nil, nil, c.Queue.Content)
	split := container.NewHSplit(left, c.right)
	split.Offset = 0.34
	c.Content = container.NewBorder(c.Status, nil, nil, nil, split)
	return c
}

// SetStatus shows the status line.
func (c *Console) SetStatus(s string) { c.Status.SetText(s) }

// OpenSession adds a session tab and shows it.
func (c *Console) OpenSession(info protocol.SessionInfo, onSend func(string), onEnd func()) *SessionView {
	v := NewSessionView(c.win, info, onSend, onEnd)
	tab := container.NewTabItem(info.CustomerName, v.Content)
	c.sessions[info.ID], c.tabs[info.ID] = v, tab
	if len(c.tabs) == 1 {
		c.right.Objects = []fyne.CanvasObject{c.Tabs}
		c.right.Refresh()
	}
	c.Tabs.Append(tab)
	c.Tabs.Select(tab)
	return v
}

// Session returns the view of an open session, or nil.
func (c *Console) Session(id string) *SessionView { return c.sessions[id] }
