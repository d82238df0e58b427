package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
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
	// Tabs offers signing in and "Join as a specialist" once AddSpecialist
	// added the Specialist form; nil before.
	Tabs       *container.AppTabs
	Specialist *SpecialistForm
	Content    fyne.CanvasObject

	rep, body *fyne.Container
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
	s.rep = container.NewVBox(form, s.Button, s.Message)
	s.body = container.NewStack(s.rep)
	card := container.NewVBox(title, s.body, s.Fingerprint)
	s.Content = container.NewCenter(container.NewGridWrap(fyne.NewSize(460, 440), card))
	return s
}

// AddSpecialist offers f, the way in for an external specialist, in a tab
// beside signing in.
func (s *SignIn) AddSpecialist(f *SpecialistForm) {
	s.Specialist = f
	s.Tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Representative", theme.AccountIcon(), s.rep),
		container.NewTabItemWithIcon("Join as a specialist", theme.LoginIcon(), f.Content),
	)
	s.body.Objects = []fyne.CanvasObject{s.Tabs}
	s.body.Refresh()
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

// KeyPanel generates session keys, shows the latest and sends invitations.
type KeyPanel struct {
	Generate          *widget.Button
	Code, URL         *widget.Label
	CopyCode, CopyURL *widget.Button
	// Email and Invite send a fresh key to a customer by e-mail.
	Email   *widget.Entry
	Invite  *widget.Button
	Message *widget.Label
	Content fyne.CanvasObject

	key protocol.Key
}

// NewKeyPanel returns the panel; onGenerate asks for a new key and
// onInvite for an invitation, and the key arrives through Show. A nil
// onInvite hides the invitation.
func NewKeyPanel(clip fyne.Clipboard, onGenerate func(), onInvite func(email string)) *KeyPanel {
	k := &KeyPanel{Code: widget.NewLabel("—"), URL: widget.NewLabel(""), Email: widget.NewEntry(), Message: widget.NewLabel("")}
	k.Code.TextStyle = fyne.TextStyle{Monospace: true}
	k.Code.Importance = widget.HighImportance
	k.URL.Wrapping = fyne.TextWrapBreak
	k.Message.Wrapping = fyne.TextWrapWord
	k.Generate = widget.NewButtonWithIcon("Generate session key", theme.ContentAddIcon(), onGenerate)
	k.CopyCode = widget.NewButtonWithIcon("Copy code", theme.ContentCopyIcon(), func() { clip.SetContent(k.key.Code) })
	k.CopyURL = widget.NewButtonWithIcon("Copy link", theme.ContentCopyIcon(), func() { clip.SetContent(k.key.URL) })
	k.CopyCode.Disable()
	k.CopyURL.Disable()
	k.Email.SetPlaceHolder("customer@example.com")
	invite := func() {
		if onInvite == nil || strings.TrimSpace(k.Email.Text) == "" {
			return
		}
		k.Message.SetText("Sending the invitation…")
		onInvite(strings.TrimSpace(k.Email.Text))
	}
	k.Email.OnSubmitted = func(string) { invite() }
	k.Invite = widget.NewButtonWithIcon("E-mail a key", theme.MailSendIcon(), invite)
	box := container.NewVBox(k.Generate, container.NewBorder(nil, nil, nil, k.CopyCode, k.Code), container.NewBorder(nil, nil, nil, container.NewVBox(k.CopyURL), k.URL))
	if onInvite != nil {
		box.Add(container.NewBorder(nil, nil, nil, k.Invite, k.Email))
		box.Add(k.Message)
	}
	k.Content = widget.NewCard("Session key", "Give the code or the link to your customer, or e-mail it.", box)
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

// Invited shows the key sent to an address, or why it was not sent.
func (k *KeyPanel) Invited(email string, key protocol.Key, err error) {
	if err != nil {
		k.Message.Importance = widget.DangerImportance
		k.Message.SetText("Invitation not sent: " + friendly(err))
		return
	}
	k.Message.Importance = widget.MediumImportance
	k.Message.SetText("Invitation sent to " + email + ".")
	k.Email.SetText("")
	k.Show(key)
}

// statusNames are the rep's statuses as the console offers them.
var statusNames = map[protocol.RepStatus]string{
	protocol.RepStatusAvailable: "Available",
	protocol.RepStatusBusy:      "Busy",
	protocol.RepStatusAway:      "Away",
}

// Console is the rep console's main screen.
type Console struct {
	// Availability sets the rep's status.
	Availability *widget.Select
	// Status is the connection line.
	Status  *widget.Label
	GetNext *widget.Button
	Keys    *KeyPanel
	Queue   *QueueList
	Tabs    *container.AppTabs
	Empty   *widget.Label
	Content fyne.CanvasObject

	win      fyne.Window
	act      ConsoleActions
	sessions map[string]*SessionView
	tabs     map[string]*container.TabItem
	right    *fyne.Container
	alerts   map[string]*Alert
	alertOut *alertOutlets // see SetAlerts
	canned   []protocol.CannedMessage
}

// ConsoleActions are what the console asks of its owner.
type ConsoleActions struct {
	Generate func()
	// Invite e-mails a fresh key; nil hides the invitation.
	Invite  func(email string)
	Accept  func(sessionID string)
	GetNext func()
	// Status sets the rep's availability.
	Status func(protocol.RepStatus)
}

// Shortcuts of the console.
var (
	// ShortcutGetNext takes the next waiting customer.
	ShortcutGetNext = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	// ShortcutSend sends the chat line of the session shown.
	ShortcutSend = &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault}
	// ShortcutEnd is the red X of the session shown.
	ShortcutEnd = &desktop.CustomShortcut{KeyName: fyne.KeyW, Modifier: fyne.KeyModifierShortcutDefault}
	// ShortcutControl turns remote control of the session shown on or off.
	ShortcutControl = &desktop.CustomShortcut{KeyName: fyne.KeyK, Modifier: fyne.KeyModifierShortcutDefault}
)

// NewConsole returns the main screen and registers its shortcuts on the
// window, also as a Session menu so that they work while typing.
func NewConsole(win fyne.Window, act ConsoleActions) *Console {
	c := &Console{
		Status: widget.NewLabel(""), Keys: NewKeyPanel(fyne.CurrentApp().Clipboard(), act.Generate, act.Invite), Queue: NewQueueList(act.Accept),
		Tabs: container.NewAppTabs(), Empty: widget.NewLabel("No session open. Press Get Next, accept a waiting customer, or give one a session key."),
		win: win, act: act, sessions: map[string]*SessionView{}, tabs: map[string]*container.TabItem{}, alerts: map[string]*Alert{},
	}
	c.Empty.Alignment = fyne.TextAlignCenter
	names := []string{statusNames[protocol.RepStatusAvailable], statusNames[protocol.RepStatusBusy], statusNames[protocol.RepStatusAway]}
	c.Availability = widget.NewSelect(names, nil)
	c.Availability.SetSelectedIndex(0) // a rep who signs in is available
	c.Availability.OnChanged = func(name string) {
		for st, n := range statusNames {
			if n == name && act.Status != nil {
				act.Status(st)
			}
		}
	}
	c.GetNext = widget.NewButtonWithIcon("Get Next", theme.MediaSkipNextIcon(), c.getNext)
	c.GetNext.Importance = widget.HighImportance
	// The session shown takes the keyboard: its chat line has the focus.
	c.Tabs.OnSelected = func(*container.TabItem) { c.focusChat() }
	c.right = container.NewStack(container.NewCenter(c.Empty))
	queues := widget.NewCard("Queues", "", c.Queue.Content)
	left := container.NewBorder(c.Keys.Content, nil, nil, nil, queues)
	split := container.NewHSplit(left, c.right)
	split.Offset = 0.32
	top := container.NewBorder(nil, nil, container.NewHBox(c.GetNext, c.Availability), nil, c.Status)
	c.Content = container.NewBorder(top, nil, nil, nil, split)
	c.shortcuts()
	return c
}

func (c *Console) getNext() {
	if c.act.GetNext != nil {
		c.act.GetNext()
	}
}

// shortcuts registers the keyboard shortcuts on the canvas and in a menu.
func (c *Console) shortcuts() {
	type sc struct {
		label string
		s     *desktop.CustomShortcut
		fn    func()
	}
	all := []sc{
		{"Get Next", ShortcutGetNext, c.getNext},
		{"Send chat line", ShortcutSend, func() {
			if v := c.Current(); v != nil && !v.IsEnded() {
				v.Chat.submit()
			}
		}},
		{"Toggle control", ShortcutControl, func() {
			if v := c.Current(); v != nil && !v.Control.Disabled() {
				v.Control.SetChecked(!v.Control.Checked)
			}
		}},
		{"End session…", ShortcutEnd, func() {
			if v := c.Current(); v != nil {
				v.AskEnd()
			}
		}},
		{"Invite specialist…", nil, func() {
			if v := c.Current(); v != nil && v.Invite.Visible() && !v.Invite.Disabled() {
				v.Invitations.Show()
			}
		}},
	}
	var items []*fyne.MenuItem
	for _, s := range all {
		it := fyne.NewMenuItem(s.label, s.fn)
		if s.s != nil {
			c.win.Canvas().AddShortcut(s.s, func(fyne.Shortcut) { s.fn() })
			it.Shortcut = s.s
		}
		items = append(items, it)
	}
	c.win.SetMainMenu(fyne.NewMainMenu(fyne.NewMenu("Session", items...)))
}

// SetStatus shows the status line.
func (c *Console) SetStatus(s string) { c.Status.SetText(s) }

// SetCanned sets the canned messages every session offers.
func (c *Console) SetCanned(ms []protocol.CannedMessage) {
	c.canned = ms
	for _, v := range c.sessions {
		v.SetCanned(ms)
	}
}

// SetQueue shows the waiting sessions and closes alerts of sessions that
// left the queue.
func (c *Console) SetQueue(waiting []protocol.SessionInfo) {
	c.Queue.Set(waiting)
	for id, a := range c.alerts {
		if !c.Queue.Waiting(id) {
			a.Hide()
			delete(c.alerts, id)
		}
	}
}

// Alert shows the pop-up at the lower right for a session that arrived
// (or was transferred); clicking it accepts.
func (c *Console) Alert(s protocol.SessionInfo, transferred bool) *Alert {
	if old := c.alerts[s.ID]; old != nil {
		old.Hide()
	}
	id := s.ID
	a := showAlert(c, s, transferred, func() {
		delete(c.alerts, id)
		if c.act.Accept != nil {
			c.act.Accept(id)
		}
	})
	c.alerts[s.ID] = a
	a.announce() // the desktop notification, once the console knows the alert
	return a
}

// OpenSession adds a session tab and shows it.
func (c *Console) OpenSession(selfID string, info protocol.SessionInfo, act SessionActions) *SessionView {
	v := NewSessionView(c.win, selfID, info, act)
	v.SetCanned(c.canned)
	tab := container.NewTabItemWithIcon(info.CustomerName, theme.AccountIcon(), v.Content)
	c.sessions[info.ID], c.tabs[info.ID] = v, tab
	if len(c.tabs) == 1 {
		c.right.Objects = []fyne.CanvasObject{c.Tabs}
		c.right.Refresh()
	}
	c.Tabs.Append(tab)
	c.Tabs.Select(tab)
	c.focusChat()
	return v
}

// focusChat gives the keyboard to the chat line of the session shown.
func (c *Console) focusChat() {
	if v := c.Current(); v != nil && !v.IsEnded() {
		c.win.Canvas().Focus(v.Chat.Entry)
	}
}

// CloseSession removes a session's tab.
func (c *Console) CloseSession(id string) {
	tab := c.tabs[id]
	if tab == nil {
		return
	}
	c.Tabs.Remove(tab)
	delete(c.tabs, id)
	delete(c.sessions, id)
	if len(c.tabs) == 0 {
		c.right.Objects = []fyne.CanvasObject{container.NewCenter(c.Empty)}
		c.right.Refresh()
	}
}

// Session returns the view of an open session, or nil.
func (c *Console) Session(id string) *SessionView { return c.sessions[id] }

// Sessions returns the open sessions' views in tab order.
func (c *Console) Sessions() []*SessionView {
	var out []*SessionView
	for _, tab := range c.Tabs.Items {
		for id, t := range c.tabs {
			if t == tab {
				out = append(out, c.sessions[id])
			}
		}
	}
	return out
}

// Current returns the session shown, or nil.
func (c *Console) Current() *SessionView {
	sel := c.Tabs.Selected()
	for id, t := range c.tabs {
		if t == sel {
			return c.sessions[id]
		}
	}
	return nil
}

// Tick refreshes the times shown: waiting times and session durations.
func (c *Console) Tick(now time.Time) {
	c.Queue.Tick()
	for _, v := range c.sessions {
		v.Summary.Tick(now)
		v.Invitations.Tick(now)
	}
}
