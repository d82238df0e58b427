package ui

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
)

// An external specialist (protocol/specialist.go) uses the same console:
// the sign-in window's "Join as a specialist" tab takes the server, the
// invitation code a rep made and the specialist's name, and the window
// then shows the SpecialistView: the customer's screen, the chat, the
// attendees, "Request control" where the invitation gave control, and
// "Leave session".

// SpecialistValues are what "Join as a specialist" collects.
type SpecialistValues struct {
	Server, Code, Name string
}

// SpecialistForm is the sign-in window's "Join as a specialist" tab.
type SpecialistForm struct {
	Server, Code, Name *widget.Entry
	Button             *widget.Button
	Message            *widget.Label
	Content            fyne.CanvasObject
}

// NewSpecialistForm returns the form filled with v; onJoin receives what
// the specialist typed, trimmed, with the code's spaces and dashes
// removed.
func NewSpecialistForm(v SpecialistValues, onJoin func(SpecialistValues)) *SpecialistForm {
	f := &SpecialistForm{Server: widget.NewEntry(), Code: widget.NewEntry(), Name: widget.NewEntry(), Message: widget.NewLabel("")}
	f.Server.SetPlaceHolder("https://support.example.com:8443")
	f.Server.SetText(v.Server)
	f.Code.SetPlaceHolder("123 456 789")
	f.Code.SetText(v.Code)
	f.Name.SetPlaceHolder("How the others will see you")
	f.Name.SetText(v.Name)
	f.Message.Wrapping = fyne.TextWrapWord
	f.Message.Importance = widget.DangerImportance
	join := func() {
		onJoin(SpecialistValues{Server: strings.TrimSpace(f.Server.Text), Code: protocol.NormalizeCode(f.Code.Text), Name: strings.TrimSpace(f.Name.Text)})
	}
	f.Name.OnSubmitted = func(string) { join() }
	f.Code.OnSubmitted = func(string) { join() }
	f.Button = widget.NewButtonWithIcon("Join session", theme.LoginIcon(), join)
	f.Button.Importance = widget.HighImportance
	hint := widget.NewLabel("A representative gave you an invitation code to help in a support session.")
	hint.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem("Server", f.Server),
		widget.NewFormItem("Invitation code", f.Code),
		widget.NewFormItem("Your name", f.Name),
	)
	f.Content = container.NewVBox(hint, form, f.Button, f.Message)
	return f
}

// Check says what is missing from v, or "".
func (v SpecialistValues) Check() string {
	switch {
	case v.Server == "":
		return "Enter the server's address the representative gave you."
	case protocol.ValidateCode(v.Code) != nil:
		return fmt.Sprintf("An invitation code has %d digits; check it with the representative.", protocol.CodeDigits)
	case v.Name == "":
		return "Enter your name: the customer and the representative will see it."
	}
	return ""
}

// ShowError shows why joining failed and enables the button again.
func (f *SpecialistForm) ShowError(msg string) {
	f.Message.SetText(sentence(msg))
	f.Button.Enable()
}

// SetBusy disables the button while joining is under way.
func (f *SpecialistForm) SetBusy(busy bool) {
	if busy {
		f.Message.SetText("")
		f.Button.Disable()
	} else {
		f.Button.Enable()
	}
}

// SpecialistViewActions are what the specialist's window asks of its
// owner; nil ones are not offered.
type SpecialistViewActions struct {
	// Send sends a chat line.
	Send func(text string)
	// RequestControl asks the customer for control.
	RequestControl func()
	// ReleaseControl gives control back.
	ReleaseControl func()
	// Leave leaves the session for good.
	Leave func()
	// Close closes the window once the session is over.
	Close func()
}

// SpecialistView is an external specialist's window.
type SpecialistView struct {
	// Title says whose session this is and with which rights.
	Title *widget.Label
	// Peer is the state of the connection to the customer's computer.
	Peer *widget.Label
	// Screen holds the customer's screen once shared.
	Screen *fyne.Container
	// Control is "Request control"; nil where the invitation gave view
	// only.
	Control   *widget.Button
	Chat      *ChatView
	Attendees *fyne.Container
	// Leave leaves the session; once it is over it closes the window.
	Leave   *widget.Button
	Content fyne.CanvasObject

	screen    *ScreenPanel
	self      protocol.Participant
	info      protocol.SessionInfo
	act       SpecialistViewActions
	inControl bool
	asked     bool
	ended     bool
	win       fyne.Window
}

// Labels of the control button.
const (
	requestControlLabel = "Request control"
	releaseControlLabel = "Give back control"
)

// NewSpecialistView returns the window's content; self is the specialist.
func NewSpecialistView(win fyne.Window, self protocol.Participant, info protocol.SessionInfo, act SpecialistViewActions) *SpecialistView {
	v := &SpecialistView{self: self, act: act, win: win, Title: widget.NewLabel(""), Peer: widget.NewLabel("Connecting to the customer's computer…"), Attendees: container.NewVBox()}
	v.Title.TextStyle.Bold = true
	v.Peer.Importance = widget.LowImportance
	send := act.Send
	if send == nil {
		send = func(string) {}
	}
	v.Chat = NewChatView("Send", "Message to everyone (Enter sends)", send)
	if !self.ViewOnly && act.RequestControl != nil {
		v.Control = widget.NewButtonWithIcon(requestControlLabel, theme.MoveUpIcon(), v.toggleControl)
	}
	v.Leave = widget.NewButtonWithIcon("Leave session", theme.LogoutIcon(), v.askLeave)
	v.Leave.Importance = widget.DangerImportance
	placeholder := widget.NewLabel("The customer's screen appears here once shared.")
	placeholder.Alignment = fyne.TextAlignCenter
	v.Screen = container.NewStack(container.NewCenter(placeholder))

	buttons := container.NewHBox()
	if v.Control != nil {
		buttons.Add(v.Control)
	}
	buttons.Add(v.Leave)
	top := container.NewBorder(nil, nil, nil, container.NewCenter(buttons), container.NewVBox(v.Title, v.Peer))
	people := widget.NewCard("", "In this session", v.Attendees)
	side := container.NewBorder(people, nil, nil, nil, widget.NewCard("", "Chat", v.Chat.Content))
	split := container.NewHSplit(v.Screen, side)
	split.Offset = 0.68
	v.Content = container.NewBorder(top, nil, nil, nil, split)
	v.info = info
	v.SetInfo(info)
	return v
}

// rightsWords names the specialist's rights.
func (v *SpecialistView) rightsWords() string {
	if v.self.ViewOnly {
		return "view only"
	}
	return "control"
}

// SetInfo shows the session's attendees; those who joined or left are
// said in the chat.
func (v *SpecialistView) SetInfo(info protocol.SessionInfo) {
	for _, n := range specialistChanges(v.info.Participants, info.Participants) {
		v.Chat.Notice(n)
	}
	v.info = info
	if !v.ended {
		v.Title.SetText(fmt.Sprintf("%s's support session — you are an external specialist (%s)", info.CustomerName, v.rightsWords()))
	}
	v.Attendees.RemoveAll()
	for _, p := range info.Participants {
		text := AttendeeLabel(p)
		if p.ID == v.self.ID {
			text += " — you"
		}
		v.Attendees.Add(widget.NewLabel(text))
	}
}

// AttendeeLines returns the attendees as shown.
func (v *SpecialistView) AttendeeLines() []string {
	var out []string
	for _, o := range v.Attendees.Objects {
		out = append(out, o.(*widget.Label).Text)
	}
	return out
}

// SetScreen shows the customer's screen; for a view-only specialist the
// tools that type into it are hidden.
func (v *SpecialistView) SetScreen(p *ScreenPanel) {
	if v.screen != nil && v.inControl {
		// A new connection to the customer's computer starts without control.
		v.setControl(false)
	}
	v.screen = p
	if v.self.ViewOnly {
		p.CtrlAltDel.Hide()
		p.TypeClip.Hide()
	}
	p.SetControl(v.inControl)
	v.Screen.Objects = []fyne.CanvasObject{p.Content}
	v.Screen.Refresh()
}

func (v *SpecialistView) toggleControl() {
	if v.ended {
		return
	}
	if v.inControl {
		v.setControl(false)
		if v.act.ReleaseControl != nil {
			v.act.ReleaseControl()
		}
		v.Chat.Notice("You gave back control.")
		return
	}
	v.asked = true
	v.Control.Disable()
	v.act.RequestControl()
}

// Asked shows that the request reached the customer's computer, or why
// it did not.
func (v *SpecialistView) Asked(err error) {
	if err != nil {
		v.asked = false
		v.Chat.Notice("Could not ask for control: " + friendly(err))
		if !v.ended {
			v.Control.Enable()
		}
		return
	}
	v.Chat.Notice("Asked the customer for control…")
}

// ControlChanged follows the customer's answer: control granted, taken
// back, or refused.
func (v *SpecialistView) ControlChanged(e client.ControlChanged) {
	switch {
	case e.Denied:
		v.Chat.Notice("The customer declined remote control.")
		v.setControl(false)
	case e.InControl:
		v.Chat.Notice("You now control the customer's computer.")
		v.setControl(true)
	default:
		v.Chat.Notice("The customer took back control.")
		v.setControl(false)
	}
}

// setControl shows whether the specialist is in control.
func (v *SpecialistView) setControl(on bool) {
	v.inControl, v.asked = on, false
	if v.screen != nil {
		v.screen.SetControl(on)
	}
	if v.Control == nil {
		return
	}
	if on {
		v.Control.SetText(releaseControlLabel)
		v.Control.SetIcon(theme.MoveDownIcon())
	} else {
		v.Control.SetText(requestControlLabel)
		v.Control.SetIcon(theme.MoveUpIcon())
	}
	if !v.ended {
		v.Control.Enable()
	}
}

// InControl reports whether the customer gave the specialist control.
func (v *SpecialistView) InControl() bool { return v.inControl }

// askLeave confirms before leaving; once the session is over it closes
// the window.
func (v *SpecialistView) askLeave() {
	if v.ended {
		if v.act.Close != nil {
			v.act.Close()
		}
		return
	}
	if v.act.Leave == nil {
		return
	}
	confirmEnd(v.win, "Leave session", "Leave "+v.info.CustomerName+"'s session? You can come back only with a new invitation.", v.act.Leave)
}

// Ended shows that the session is over and disables input.
func (v *SpecialistView) Ended(reason string) {
	v.end("The session with "+v.info.CustomerName+" has ended", "The session is over", reason)
}

// Left shows that the specialist left the session, which goes on
// without it, and disables input.
func (v *SpecialistView) Left() {
	v.end("You left "+v.info.CustomerName+"'s session", "You left the session", "you left the session")
}

// end disables input and says why: title, what became of the screen,
// and the reason for the chat.
func (v *SpecialistView) end(title, screen, reason string) {
	if v.ended {
		return
	}
	v.ended = true
	v.Chat.Notice("Session ended: " + reason)
	v.Chat.Entry.Disable()
	v.Chat.Send.Disable()
	if v.Control != nil {
		v.Control.Hide()
	}
	if v.screen != nil {
		v.screen.SetControl(false)
	}
	v.inControl = false
	// The last picture would pass for a live one.
	gone := widget.NewLabel(screen + ": the customer's screen is no longer shown.")
	gone.Alignment = fyne.TextAlignCenter
	v.Screen.Objects = []fyne.CanvasObject{container.NewCenter(gone)}
	v.Screen.Refresh()
	v.Title.SetText(title)
	v.Peer.SetText(sentence(reason))
	v.Leave.SetText("Close")
	v.Leave.SetIcon(theme.WindowCloseIcon())
	v.Leave.Importance = widget.MediumImportance
	v.Leave.Refresh()
}

// IsEnded reports whether the session is over.
func (v *SpecialistView) IsEnded() bool { return v.ended }

// sentence makes a server's message a sentence: a capital first letter
// and a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.ContainsAny(s[len(s)-1:], ".!?…") {
		s += "."
	}
	return s
}

// joinSpecialist joins a session as an external specialist on a
// goroutine of its own.
func (r *repApp) joinSpecialist(v SpecialistValues) {
	f := r.signIn.Specialist
	if msg := v.Check(); msg != "" {
		f.ShowError(msg)
		return
	}
	f.SetBusy(true)
	prefs := r.app.Preferences()
	known := prefs.String("fingerprint " + v.Server)
	r.goWait(func() {
		ctx, cancel := context.WithTimeout(r.ctx, 20*time.Second)
		defer cancel()
		fp, err := r.trust(ctx, v.Server, known)
		var sp *client.Specialist
		if err == nil {
			sp, err = client.JoinSpecialist(ctx, client.Config{Server: v.Server, Fingerprint: fp, Logger: r.log}, v.Code, v.Name)
		}
		r.do(func() {
			select {
			case <-r.done:
				if sp != nil {
					_ = sp.Close() // the window closed meanwhile
				}
				return
			default:
			}
			r.signIn.SetFingerprint(fp)
			if err != nil {
				f.ShowError(friendly(err))
				return
			}
			r.server = v.Server
			r.joined(sp)
			prefs.SetString("server", v.Server)
			prefs.SetString("specialist name", v.Name)
			if r.opts.Fingerprint == "" {
				prefs.SetString("fingerprint "+v.Server, fp)
			}
		})
	})
}

// joined shows the specialist's window for the session joined.
func (r *repApp) joined(sp *client.Specialist) {
	r.spec = sp
	s := sp.Session()
	self := s.Self()
	r.log.Info("joined as a specialist", "session", s.ID(), "view_only", self.ViewOnly)
	var v *SpecialistView
	v = NewSpecialistView(r.win, self, s.Info(), SpecialistViewActions{
		Send: func(text string) {
			r.goWait(func() {
				ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
				defer cancel()
				if err := s.SendChat(ctx, text); err != nil {
					r.do(func() { v.Chat.Notice("Not sent: " + friendly(err)) })
				}
			})
		},
		RequestControl: func() {
			p := customerPeer(s)
			if p == nil {
				v.Asked(errNotConnected)
				return
			}
			v.Asked(p.RequestControl())
		},
		Leave: func() { r.leave(s, v) },
		Close: func() { r.win.Close() },
	})
	r.specView = v
	r.win.SetTitle("Tandem Console — specialist in " + s.Info().CustomerName + "'s session")
	r.win.SetContent(v.Content)
	r.win.Canvas().Focus(v.Chat.Entry)
	r.watchSpecialistScreen(s, v)
	// The server keeps the chat written before a specialist came to the
	// session's reps: the specialist's chat starts now.
	v.Chat.Notice("You joined " + s.Info().CustomerName + "'s session. The chat shows what is written from now on.")
	r.goWait(func() {
		pumpSessionWith(s, r.done, r.do, func(ev client.Event) {
			switch e := ev.(type) {
			case client.ChatReceived:
				v.Chat.Append(e.Message)
			case client.SessionChanged:
				v.SetInfo(e.Info)
			case client.PeerChanged:
				if e.Participant.Role == protocol.RoleCustomer {
					v.Peer.SetText("Connection to " + e.Participant.Name + "'s computer: " + e.State)
				}
			case client.ControlChanged:
				v.ControlChanged(e)
			case client.SessionEnded:
				if e.Ended.By == self.ID {
					v.Left()
				} else {
					v.Ended(e.Ended.Reason)
				}
			}
		})
	})
}

// leave leaves the session; the server's answer ends the view.
func (r *repApp) leave(s *client.Session, v *SpecialistView) {
	v.Leave.Disable()
	r.goWait(func() {
		ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
		defer cancel()
		err := s.Leave(ctx)
		r.do(func() {
			v.Leave.Enable()
			if err != nil {
				v.Chat.Notice("Could not leave the session: " + friendly(err))
				return
			}
			v.Left()
		})
	})
}

// watchSpecialistScreen shows the customer's screen in the specialist's
// window for as long as the session lasts, following the connection to
// the customer through reconnects.
func (r *repApp) watchSpecialistScreen(s *client.Session, v *SpecialistView) {
	r.goWait(func() {
		r.followCustomer(s, func(streamCtx context.Context, peer *client.Peer) {
			r.do(func() {
				panel := r.newScreenPanel(peer)
				v.SetScreen(panel)
				r.goWait(func() { StreamScreen(streamCtx, panel, peer.Screen(), r.do) })
			})
		})
	})
}
