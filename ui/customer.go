package ui

import (
	"fmt"
	"image"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/assets"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/portal"
)

// JoinValues are what the customer's join screen collects.
type JoinValues struct {
	Server, Code, Name string
}

// JoinForm is the customer client's first screen when it was started
// without a link.
type JoinForm struct {
	Server, Code, Name *widget.Entry
	Button             *widget.Button
	Message            *widget.Label
	Content            fyne.CanvasObject

	lang string
}

// NewJoinForm returns the join screen in language lang; onJoin receives a
// normalised 9-digit code.
func NewJoinForm(lang string, v JoinValues, onJoin func(JoinValues)) *JoinForm {
	t := func(k string) string { return assets.Text(lang, k) }
	f := &JoinForm{Server: widget.NewEntry(), Code: widget.NewEntry(), Name: widget.NewEntry(), Message: widget.NewLabel(""), lang: lang}
	f.Server.SetText(v.Server)
	f.Server.SetPlaceHolder("https://support.example.com:8443")
	f.Code.SetText(v.Code)
	f.Code.SetPlaceHolder("123 456 789")
	f.Name.SetText(v.Name)
	f.Message.Wrapping = fyne.TextWrapWord
	f.Message.Importance = widget.DangerImportance
	submit := func() {
		code := protocol.NormalizeCode(f.Code.Text)
		if protocol.ValidateCode(code) != nil {
			f.Message.SetText(t("join.bad_code"))
			return
		}
		f.Message.SetText("")
		onJoin(JoinValues{Server: strings.TrimSpace(f.Server.Text), Code: code, Name: strings.TrimSpace(f.Name.Text)})
	}
	f.Code.OnSubmitted = func(string) { submit() }
	f.Button = widget.NewButtonWithIcon(t("join.button"), theme.NavigateNextIcon(), submit)
	f.Button.Importance = widget.HighImportance
	intro := widget.NewLabel(t("join.intro"))
	intro.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(t("join.server"), f.Server),
		widget.NewFormItem(t("join.code"), f.Code),
		widget.NewFormItem(t("join.name"), f.Name),
	)
	title := widget.NewLabelWithStyle(t("join.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	f.Content = container.NewPadded(container.NewVBox(title, intro, form, f.Button, f.Message))
	return f
}

// ShowError shows why joining failed.
func (f *JoinForm) ShowError(msg string) {
	f.Message.SetText(msg)
	f.Button.Enable()
}

// CustomerSetup is what the customer's session window shows: the portal's
// configuration snapshot and the customer's language.
type CustomerSetup struct {
	// Lang is a language the configuration has (see [CustomerLanguage]).
	Lang string
	// Config is the portal's customer client configuration.
	Config protocol.CustomerClientConfig
	// ClickToChat: a chat-only session (the chat agreement applies, no
	// recording prompt, no pop-ups).
	ClickToChat bool
	// Banner is optional; nil means the default banner from assets.
	Banner image.Image
}

// CustomerCallbacks are what the session window reports. Each runs on
// Fyne's goroutine and must not block; nil callbacks are skipped.
type CustomerCallbacks struct {
	// Send sends a chat line.
	Send func(text string)
	// End ends the session; reason is for the session log.
	End func(reason string)
	// Agreement reports the customer's answer to the agreement; false
	// (declined, or not answered in time) must end the session.
	Agreement func(accepted bool)
	// Recording reports the answer to the recording prompt.
	Recording func(allow bool)
	// OpenURL opens a web page in the customer's browser; nil means
	// fyne.CurrentApp().OpenURL.
	OpenURL func(*url.URL) error
	// ChatSound plays the chat sound.
	ChatSound func()
	// Admitted reports that the customer passed the agreement (or that
	// none is required): from now on the screen may be shared.
	Admitted func()
	// TakeBack takes control back from every representative.
	TakeBack func()
	// Rate is optional: it sends the exit survey's answer. With it, a
	// session a representative took part in ends with the survey.
	Rate func(protocol.Rating)
	// Apps is optional: the windows the customer may limit sharing to.
	// With it, and where the portal lets the customer limit the shared
	// applications, the window offers "Choose what to share" while the
	// screen is shared.
	Apps AppSharing
}

// customerState is where the customer's session stands.
type customerState int

const (
	// stateStarting: not started yet.
	stateStarting customerState = iota
	// stateAgreement: the agreement waits for an answer.
	stateAgreement
	// stateWaiting: in the queue.
	stateWaiting
	// stateChatting: a rep accepted.
	stateChatting
	// stateOrphaned: no rep is available.
	stateOrphaned
	// stateEnded: the session is over.
	stateEnded
)

// CustomerView is the customer's session window: banner, status, notices,
// prompts, chat and a way out.
type CustomerView struct {
	Banner     *canvas.Image
	Title      *widget.Label
	Status     *widget.Label
	Chat       *ChatView
	ChatToggle *widget.Button
	End        *widget.Button
	// TakeBack takes control back; shown while a representative has it.
	TakeBack *widget.Button
	// Presence says who is in the session, who can see the screen and
	// who controls the computer; shown once a representative joined.
	Presence *widget.Label
	// ChooseApps limits the sharing to chosen windows; shown while the
	// screen is shared where the portal allows it.
	ChooseApps *widget.Button
	// Survey is the exit survey: a score from 1 to 5 (Scores) or "no,
	// thanks" (NoSurvey); shown at the end of a session a representative
	// took part in.
	Survey   *fyne.Container
	Scores   []*widget.Button
	NoSurvey *widget.Hyperlink
	// Notices holds the customer notices, each with its end link.
	Notices *fyne.Container
	Content fyne.CanvasObject

	win   fyne.Window
	setup CustomerSetup
	msgs  protocol.Messages
	cb    CustomerCallbacks
	// do runs f on Fyne's goroutine: fyne.Do, or the test's runner.
	do func(func())

	state      customerState
	status     protocol.WaitStatus
	prompts    []*CustomerPrompt
	agreeTimer *time.Timer
	holdTimer  *time.Timer
	// closed is set by Close; timers may read it from their goroutines.
	closed    atomic.Bool
	noticeIDs map[string]bool
	// controllers are the names of the participants in control.
	controllers map[string]bool
	// reps are the representatives in the session, in joining order.
	reps []string
	// sharing is true while the screen is shared.
	sharing bool
	// sharedApps are the windows the sharing is limited to; nil: all.
	sharedApps []uint64
	// appChoice is the last "Choose what to share" dialog's content.
	appChoice *AppChoice
	// surveyed: the exit survey was answered or declined.
	surveyed bool
	// tools holds the actions at the bottom left (AddTool).
	tools     *fyne.Container
	statusBox *fyne.Container
	chatBox   *fyne.Container
	endText   string
}

// CustomerPrompt is a question to the customer: two text links in the chat
// or a pop-up above it, as the portal's display options say.
type CustomerPrompt struct {
	// Text is the question.
	Text string
	// Yes and No are the text links; nil for a pop-up.
	Yes, No *widget.Hyperlink
	// Dialog is the pop-up; nil for text links.
	Dialog *dialog.ConfirmDialog

	links    *fyne.Container
	answered bool
	answer   func(bool)
}

// Answered reports whether the prompt was answered or withdrawn.
func (p *CustomerPrompt) Answered() bool { return p.answered }

// settle answers the prompt once and removes its links or pop-up.
func (p *CustomerPrompt) settle(ok, call bool) {
	if p.answered {
		return
	}
	p.answered = true
	if p.links != nil {
		p.links.Hide()
	}
	if p.Dialog != nil {
		p.Dialog.Hide()
	}
	if call {
		p.answer(ok)
	}
}

// NewCustomerView returns the session window in its first state: call
// [CustomerView.Start] once it is shown.
func NewCustomerView(win fyne.Window, s CustomerSetup, cb CustomerCallbacks) *CustomerView {
	return newCustomerView(win, s, cb, fyne.Do)
}

func newCustomerView(win fyne.Window, s CustomerSetup, cb CustomerCallbacks, do func(func())) *CustomerView {
	v := &CustomerView{win: win, setup: s, msgs: customerMessages(s.Config, s.Lang), cb: cb, do: do, noticeIDs: map[string]bool{}, controllers: map[string]bool{}}
	t := v.t
	if s.Banner == nil {
		s.Banner = defaultBanner()
	}
	v.Banner = canvas.NewImageFromImage(s.Banner)
	v.Banner.FillMode = canvas.ImageFillContain
	v.Banner.ScaleMode = canvas.ImageScalePixels
	b := s.Banner.Bounds()
	v.Banner.SetMinSize(fyne.NewSize(float32(b.Dx()), float32(b.Dy())))

	v.Title = widget.NewLabel(t("wait.title"))
	v.Title.TextStyle.Bold = true
	v.Title.Truncation = fyne.TextTruncateEllipsis
	v.Status = widget.NewLabel(t("wait.body"))
	v.Status.Wrapping = fyne.TextWrapWord
	v.Chat = NewChatView(t("chat.send"), t("chat.placeholder"), func(text string) { call1(cb.Send, text) })
	v.End = widget.NewButtonWithIcon(t("end.button"), theme.CancelIcon(), func() {
		confirmEnd(win, t("end.button"), t("end.confirm_body"), func() { v.endBy("ended by the customer", "") })
	})
	v.End.Importance = widget.DangerImportance
	v.ChatToggle = widget.NewButton(t("chat.hide"), v.toggleChat)
	v.Notices = container.NewVBox()
	v.Presence = widget.NewLabel("")
	v.Presence.Wrapping = fyne.TextWrapWord
	v.Presence.Importance = widget.HighImportance
	v.Presence.Hide()
	// The status wraps inside a box of fixed width: a wrapping label
	// measured before its first layout asks for one word per line.
	v.statusBox = container.NewGridWrap(fyne.NewSize(480, 64), v.Status)
	v.chatBox = container.NewStack(v.Chat.Content)
	top := container.NewVBox(container.NewCenter(v.Banner), v.Title, v.Presence, v.statusBox, v.Notices)
	// The way out stays at the bottom, whether the chat is shown or not.
	v.TakeBack = widget.NewButtonWithIcon(t("control.take_back"), theme.CancelIcon(), func() {
		if v.cb.TakeBack != nil {
			v.cb.TakeBack()
		}
	})
	v.TakeBack.Importance = widget.WarningImportance
	v.TakeBack.Hide()
	v.Survey = v.newSurvey()
	top.Add(v.Survey)
	v.ChooseApps = widget.NewButtonWithIcon(t("apps.button"), theme.VisibilityIcon(), v.chooseApps)
	v.ChooseApps.Hide()
	// Occasional actions (choosing what to share, sending a file) sit in
	// a row of their own above the way out, so that the window stays
	// narrow.
	v.tools = container.NewHBox(v.ChatToggle, v.ChooseApps)
	bottom := container.NewVBox(v.tools, container.NewBorder(nil, nil, nil, container.NewHBox(v.TakeBack, v.End)))
	v.Content = container.NewBorder(top, bottom, nil, nil, v.chatBox)
	if s.Config.Display.ChatStart == protocol.ChatStartMinimized {
		v.toggleChat()
	}
	return v
}

func (v *CustomerView) t(key string) string { return assets.Text(v.setup.Lang, key) }

// relayout lays the window out again after a part changed its height: a
// container lays out only itself when a child is added or hidden, and a
// wrapping label knows its height only once it has its width, hence two
// passes.
func (v *CustomerView) relayout() {
	if c, ok := v.Content.(*fyne.Container); ok {
		c.Refresh()
		c.Refresh()
	}
}

// call1 calls f(a) when f is set.
func call1[T any](f func(T), a T) {
	if f != nil {
		f(a)
	}
}

// ChatShown reports whether the chat area is expanded.
func (v *CustomerView) ChatShown() bool { return v.chatBox.Visible() }

func (v *CustomerView) toggleChat() {
	if v.chatBox.Visible() {
		v.chatBox.Hide()
		v.ChatToggle.SetText(v.t("chat.show"))
	} else {
		v.chatBox.Show()
		v.ChatToggle.SetText(v.t("chat.hide"))
	}
	v.relayout()
}

// Prompts returns the prompts shown so far, answered or not.
func (v *CustomerView) Prompts() []*CustomerPrompt {
	return append([]*CustomerPrompt(nil), v.prompts...)
}

// ask shows a question with two answers, as text links in the chat or as a
// pop-up; answer runs once, with the customer's choice.
func (v *CustomerView) ask(title, text, yes, no string, answer func(bool)) *CustomerPrompt {
	p := &CustomerPrompt{Text: text, answer: answer}
	v.prompts = append(v.prompts, p)
	popup := v.setup.Config.Display.PromptStyle == protocol.PromptPopup && !v.setup.ClickToChat
	if popup {
		body := widget.NewLabel(text)
		body.Wrapping = fyne.TextWrapWord
		// A long text scrolls inside the pop-up instead of growing it
		// past the window.
		scroll := container.NewVScroll(body)
		scroll.SetMinSize(fyne.NewSize(400, 160))
		p.Dialog = dialog.NewCustomConfirm(title, yes, no, scroll, func(ok bool) { p.settle(ok, true) }, v.win)
		p.Dialog.Show()
		return p
	}
	p.Yes = widget.NewHyperlink(yes, nil)
	p.Yes.OnTapped = func() { p.settle(true, true) }
	p.No = widget.NewHyperlink(no, nil)
	p.No.OnTapped = func() { p.settle(false, true) }
	p.links = container.NewHBox(p.Yes, p.No)
	head := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	body := widget.NewLabel(text)
	body.Wrapping = fyne.TextWrapWord
	v.Chat.History.Add(container.NewVBox(head, body, p.links))
	v.relayout()
	v.Chat.Scroll.ScrollToBottom()
	return p
}

// Start shows the agreement when the portal requires one, then the
// recording prompt, the greeting and the on-hold messages. Only the first
// call does anything.
func (v *CustomerView) Start() {
	if v.state != stateStarting {
		return
	}
	cfg := v.setup.Config
	need, text := cfg.Agreement.Full, v.msgs.Agreement
	if v.setup.ClickToChat {
		need, text = cfg.Agreement.Chat, v.msgs.ChatAgreement
	}
	if !need {
		v.enterQueue()
		return
	}
	v.state = stateAgreement
	timeout := time.Duration(cfg.Agreement.TimeoutSeconds) * time.Second
	if timeout <= 0 {
		timeout = time.Duration(protocol.DefaultCustomerClientConfig().Agreement.TimeoutSeconds) * time.Second
	}
	text += "\n\n" + fmt.Sprintf(v.t("agreement.deadline"), durationText(v.setup.Lang, timeout))
	p := v.ask(v.t("agreement.title"), text, v.t("agreement.accept"), v.t("agreement.decline"), func(ok bool) {
		v.agreeTimer.Stop()
		call1(v.cb.Agreement, ok)
		if !ok {
			v.endBy("the customer declined the agreement", v.t("agreement.declined"))
			return
		}
		v.enterQueue()
	})
	v.agreeTimer = time.AfterFunc(timeout, func() {
		if v.closed.Load() {
			return
		}
		v.do(func() {
			if v.closed.Load() || p.answered {
				return
			}
			p.settle(false, false)
			call1(v.cb.Agreement, false)
			v.endBy("the agreement was not accepted in time", v.t("agreement.expired"))
		})
	})
}

// enterQueue follows an accepted (or absent) agreement.
func (v *CustomerView) enterQueue() {
	if v.state == stateEnded {
		return
	}
	cfg := v.setup.Config
	if cfg.Agreement.RecordingPrompt && !v.setup.ClickToChat {
		v.ask(v.t("recording.title"), v.msgs.RecordingPrompt, v.t("recording.allow"), v.t("recording.refuse"), func(allow bool) {
			call1(v.cb.Recording, allow)
			if allow {
				v.Chat.Notice(v.t("recording.allowed"))
			} else {
				v.Chat.Notice(v.t("recording.refused"))
			}
		})
	}
	if v.cb.Admitted != nil {
		v.cb.Admitted()
	}
	if v.state == stateChatting || v.state == stateOrphaned {
		return
	}
	v.state = stateWaiting
	if cfg.Queue.Greeting {
		v.Chat.Notice(ExpandQueueMessage(v.msgs.Greeting, v.setup.Lang, v.status))
	}
	v.armOnHold()
}

// armOnHold schedules the next on-hold message.
func (v *CustomerView) armOnHold() {
	q := v.setup.Config.Queue
	every := time.Duration(q.OnHoldIntervalSeconds) * time.Second
	if !q.OnHold || every <= 0 {
		return
	}
	v.holdTimer = time.AfterFunc(every, func() {
		if v.closed.Load() {
			return
		}
		v.do(func() {
			if v.closed.Load() || v.state != stateWaiting {
				return
			}
			v.Chat.Notice(ExpandQueueMessage(v.msgs.OnHold, v.setup.Lang, v.status))
			v.armOnHold()
		})
	})
}

// Waiting takes the latest wait status: position and estimate for the
// status line and the next greeting or on-hold message.
func (v *CustomerView) Waiting(st protocol.WaitStatus) {
	v.status = st
	if v.state == stateChatting || v.state == stateEnded || v.state == stateOrphaned {
		return
	}
	if line := ExpandQueueMessage(portal.MacroPosition+" "+portal.MacroWait, v.setup.Lang, st); line != "" {
		v.Status.SetText(line)
	}
	if v.setup.Config.Display.Notices {
		v.ShowNotices(st.Notices)
	}
}

// ShowNotices shows customer notices not shown yet, each followed by a
// link that ends the session; they stay until a rep accepts.
func (v *CustomerView) ShowNotices(ns []protocol.Notice) {
	if v.state == stateChatting || v.state == stateEnded {
		return
	}
	for _, n := range ns {
		if v.noticeIDs[n.ID] {
			continue
		}
		v.noticeIDs[n.ID] = true
		text := widget.NewLabel(n.Message)
		text.Wrapping = fyne.TextWrapWord
		text.Importance = widget.WarningImportance
		end := widget.NewHyperlink(v.t("notice.end"), nil)
		end.OnTapped = func() { v.endBy("the customer's problem is a known issue (notice "+n.ID+")", "") }
		v.Notices.Add(container.NewVBox(container.NewGridWrap(fyne.NewSize(480, 48), text), end))
	}
	v.relayout()
}

// ChattingWith shows that a representative joined or took over the
// session: the queue messages and notices stop.
func (v *CustomerView) ChattingWith(name string) {
	if v.state == stateEnded {
		return
	}
	v.state = stateChatting
	v.stopTimers()
	v.Notices.Hide()
	v.Title.SetText(v.t("session.title"))
	if !slices.Contains(v.reps, name) {
		v.reps = append(v.reps, name)
	}
	v.showPresence()
	v.Status.SetText("")
	v.statusBox.Hide()
	v.Chat.Notice(fmt.Sprintf(v.t("chat.with"), name))
	v.relayout()
}

// SpecialistJoined shows that an external specialist whom a
// representative invited has joined: a line in the chat, and the name
// among those who see the screen (and, once given control, among those
// who control it).
func (v *CustomerView) SpecialistJoined(name string) {
	if v.state == stateEnded {
		return
	}
	if !slices.Contains(v.reps, name) {
		v.reps = append(v.reps, name)
	}
	v.showPresence()
	v.Chat.Notice(fmt.Sprintf(v.t("chat.specialist_joined"), name))
	v.relayout()
}

// Received shows a chat line; a representative's line plays the chat
// sound where the portal enables it.
func (v *CustomerView) Received(m protocol.ChatMessage) {
	v.Chat.Append(m)
	if m.Role != protocol.RoleCustomer && m.Role != protocol.RoleUnknown && v.setup.Config.Functions.SoundOnChat && v.cb.ChatSound != nil {
		v.cb.ChatSound()
	}
}

// AskControl asks whether the representative name may control the
// computer; answer gets the customer's choice.
func (v *CustomerView) AskControl(name string, answer func(allow bool)) {
	if v.state == stateEnded {
		answer(false)
		return
	}
	v.ask(v.t("control.title"), fmt.Sprintf(v.t("control.ask"), name), v.t("control.allow"), v.t("control.deny"), answer)
}

// Controlled shows that name got (on) or lost control, and offers to take
// it back while anyone has it.
func (v *CustomerView) Controlled(name string, on bool) {
	if on == v.controllers[name] {
		return
	}
	if on {
		v.controllers[name] = true
		v.Chat.Notice(fmt.Sprintf(v.t("control.on"), name))
	} else {
		delete(v.controllers, name)
		v.Chat.Notice(fmt.Sprintf(v.t("control.off"), name))
	}
	if len(v.controllers) > 0 && v.state != stateEnded {
		v.TakeBack.Show()
	} else {
		v.TakeBack.Hide()
	}
	v.showPresence()
	v.relayout()
}

// AddTool adds an action at the bottom of the window, such as "Send a
// file".
func (v *CustomerView) AddTool(o fyne.CanvasObject) {
	v.tools.Add(o)
	v.relayout()
}

// Present takes the representatives now in the session: those who left
// drop out of the presence line, and of control.
func (v *CustomerView) Present(names []string) {
	v.reps = slices.Clone(names)
	for n := range v.controllers {
		if !slices.Contains(names, n) {
			delete(v.controllers, n)
		}
	}
	if len(v.controllers) == 0 {
		v.TakeBack.Hide()
	}
	v.showPresence()
	v.relayout()
}

// Sharing says whether the screen is shared with the representatives.
func (v *CustomerView) Sharing(on bool) {
	v.sharing = on
	if on && v.cb.Apps != nil && v.setup.Config.Misc.LimitApplications && v.state != stateEnded {
		v.ChooseApps.Show()
	} else {
		v.ChooseApps.Hide()
	}
	v.showPresence()
	v.relayout()
}

// PresenceText is what the presence line says: who can see the screen
// (or is only in the chat) and who controls the computer; empty when no
// representative is in the session.
func (v *CustomerView) PresenceText() string {
	if len(v.reps) == 0 {
		return ""
	}
	key := "presence.chat"
	if v.sharing {
		key = "presence.watching"
	}
	lines := []string{fmt.Sprintf(v.t(key), strings.Join(v.reps, ", "))}
	var ctl []string
	for _, n := range v.reps {
		if v.controllers[n] {
			ctl = append(ctl, n)
		}
	}
	if len(ctl) > 0 {
		lines = append(lines, fmt.Sprintf(v.t("presence.control"), strings.Join(ctl, ", ")))
	} else if v.sharing {
		lines = append(lines, v.t("presence.view_only"))
	}
	return strings.Join(lines, "\n")
}

// showPresence updates the presence line.
func (v *CustomerView) showPresence() {
	text := v.PresenceText()
	v.Presence.SetText(text)
	if text == "" || v.state == stateEnded {
		v.Presence.Hide()
	} else {
		v.Presence.Show()
	}
}

// Orphaned shows that no representative is available, and opens the
// portal's page for that case in the browser where configured.
func (v *CustomerView) Orphaned() {
	v.state = stateOrphaned
	v.stopTimers()
	v.Title.SetText(v.t("orphan.title"))
	o := v.setup.Config.Orphan
	if o.Message {
		v.Status.SetText(v.msgs.Orphaned)
		v.statusBox.Show()
		v.Chat.Notice(v.msgs.Orphaned)
	}
	v.relayout()
	if o.URL == "" {
		return
	}
	u, err := url.Parse(o.URL)
	if err != nil || u.Scheme != "https" {
		return // the server validates it; a bad one is not opened
	}
	if v.cb.OpenURL != nil {
		_ = v.cb.OpenURL(u)
		return
	}
	_ = fyne.CurrentApp().OpenURL(u)
}

// Connection shows an interrupted connection, or clears the notice.
func (v *CustomerView) Connection(up bool) {
	if v.state == stateEnded {
		return
	}
	if up {
		if v.state == stateChatting {
			v.Status.SetText("")
			v.statusBox.Hide()
		} else {
			v.Status.SetText(v.t("wait.body"))
		}
		return
	}
	v.Status.SetText(v.t("conn.lost"))
	v.statusBox.Show()
	v.relayout()
}

// endBy ends the session from this side, saying why in text (or the
// usual words when text is empty).
func (v *CustomerView) endBy(reason, text string) {
	if v.state == stateEnded {
		return
	}
	v.endText = text
	call1(v.cb.End, reason)
	v.Ended(false)
}

// Ended shows the end of the session and disables chat. removed says the
// client removed its downloaded file: then the portal's post-session
// message says so.
func (v *CustomerView) Ended(removed bool) {
	first := v.state != stateEnded
	v.state = stateEnded
	v.stopTimers()
	for _, p := range v.prompts {
		p.settle(false, false)
	}
	v.Notices.Hide()
	v.Title.SetText(v.t("ended.title"))
	switch {
	case v.endText != "":
		v.Status.SetText(v.endText)
	case removed:
		v.Status.SetText(v.msgs.PostSession)
	default:
		v.Status.SetText(v.t("ended.body"))
	}
	v.statusBox.Show()
	v.Chat.Entry.Disable()
	v.Chat.Send.Disable()
	v.End.Disable()
	v.TakeBack.Hide()
	v.ChooseApps.Hide()
	v.Presence.Hide()
	if first && v.cb.Rate != nil && len(v.reps) > 0 {
		v.Survey.Show()
	}
	if first && v.endText != "" {
		v.Chat.Notice(v.endText)
	}
	v.relayout()
}

// Close stops the view's timers for good: a timer that fired meanwhile
// does nothing and arms no other.
func (v *CustomerView) Close() {
	v.closed.Store(true)
	v.stopTimers()
}

func (v *CustomerView) stopTimers() {
	if v.agreeTimer != nil {
		v.agreeTimer.Stop()
	}
	if v.holdTimer != nil {
		v.holdTimer.Stop()
	}
}

// newSurvey builds the exit survey, hidden.
func (v *CustomerView) newSurvey() *fyne.Container {
	row := container.NewHBox()
	for score := 1; score <= 5; score++ {
		b := widget.NewButton(strconv.Itoa(score), func() { v.answerSurvey(protocol.Rating{Score: score}) })
		v.Scores = append(v.Scores, b)
		row.Add(b)
	}
	v.NoSurvey = widget.NewHyperlink(v.t("survey.no"), nil)
	v.NoSurvey.OnTapped = func() { v.answerSurvey(protocol.Rating{Declined: true}) }
	row.Add(v.NoSurvey)
	q := widget.NewLabel(v.t("survey.question"))
	q.Wrapping = fyne.TextWrapWord
	c := container.NewVBox(q, row)
	c.Hide()
	return c
}

// answerSurvey sends the survey's answer once and thanks the customer.
func (v *CustomerView) answerSurvey(r protocol.Rating) {
	if v.surveyed {
		return
	}
	v.surveyed = true
	v.Survey.Hide()
	if !r.Declined {
		v.Chat.Notice(fmt.Sprintf(v.t("survey.thanks"), r.Score))
	}
	v.relayout()
	call1(v.cb.Rate, r)
}

// SurveyClosed declines a survey that is shown and unanswered: the
// customer closed the window.
func (v *CustomerView) SurveyClosed() {
	if v.Survey.Visible() && !v.surveyed {
		v.answerSurvey(protocol.Rating{Declined: true})
	}
}
