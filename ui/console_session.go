package ui

import (
	"fmt"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/protocol"
)

// SessionActions are what a session view asks of its owner. Nil ones are
// not offered.
type SessionActions struct {
	// Send sends a chat line.
	Send func(text string)
	// End ends the session for everyone.
	End func()
	// Hold leaves the session to the others who remain in it.
	Hold func()
	// Control turns remote control on or off.
	Control func(on bool)
	// Termination overrides what the customer's computer does at the end.
	Termination func(protocol.Termination)
	// Sound plays the chat sound.
	Sound func()
	// Close closes the view of an ended session.
	Close func()
	// Specialists invites external specialists; a nil Invite hides
	// "Invite specialist…".
	Specialists SpecialistActions
}

// SessionView is one session in the console: the remote screen, chat with
// canned messages, and the summary, with the red X that ends it.
type SessionView struct {
	ID string
	// Tabs holds Screen, Chat and Summary.
	Tabs *container.AppTabs
	// Screen is where the remote view goes; it holds a placeholder until
	// SetScreen.
	Screen *fyne.Container
	// Control turns remote control on and off.
	Control *widget.Check
	// Sound plays a sound when the customer writes.
	Sound   *widget.Check
	Chat    *ChatView
	Canned  *CannedList
	Summary *Summary
	Peer    *widget.Label
	// End is the red X.
	End *widget.Button
	// Invite opens Invitations, the dialog that invites external
	// specialists; InviteOff says why it is disabled.
	Invite      *widget.Button
	InviteOff   *widget.Label
	Invitations *InviteDialog
	CopyLog     *widget.Button
	SaveLog     *widget.Button
	Content     fyne.CanvasObject

	// Files holds the session's file transfers and the Send file action
	// (SetFiles).
	Files *fyne.Container

	// screen is the remote screen panel once the customer's computer is
	// connected; UI goroutine only.
	screen *ScreenPanel
	// files runs the session's file transfers once SetFiles gave them.
	files *fileDesk

	win    fyne.Window
	selfID string
	info   protocol.SessionInfo
	act    SessionActions
	ended  bool
}

// NewSessionView returns the view of one session; selfID is the rep's
// participant ID.
func NewSessionView(win fyne.Window, selfID string, info protocol.SessionInfo, act SessionActions) *SessionView {
	v := &SessionView{ID: info.ID, win: win, selfID: selfID, act: act, Peer: widget.NewLabel("Connecting to the customer…")}
	send := act.Send
	if send == nil {
		send = func(string) {}
	}
	v.Chat = NewChatView("Send", "Message to the customer (Enter sends)", send)
	v.Canned = NewCannedList(func(m protocol.CannedMessage) {
		if !v.ended {
			send(m.Text)
		}
	})
	v.End = widget.NewButtonWithIcon("", theme.CancelIcon(), v.AskEnd)
	v.End.Importance = widget.DangerImportance
	v.Invitations = NewInviteDialog(win, act.Specialists)
	v.Invite = widget.NewButtonWithIcon("Invite specialist…", theme.AccountIcon(), v.Invitations.Show)
	v.InviteOff = widget.NewLabel(NoSpecialistsText)
	v.InviteOff.Importance = widget.LowImportance
	v.InviteOff.Hide()
	if act.Specialists.Invite == nil {
		v.Invite.Hide()
	}
	v.CopyLog = widget.NewButtonWithIcon("Copy chat log", theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(v.Chat.Log())
	})
	v.SaveLog = widget.NewButtonWithIcon("Save chat log…", theme.DocumentSaveIcon(), v.saveDialog)
	v.Sound = widget.NewCheck("Sound", nil)
	v.Control = widget.NewCheck("Control", func(on bool) {
		if act.Control != nil {
			act.Control(on)
		}
	})
	if act.Control == nil {
		v.Control.Disable()
	}
	placeholder := widget.NewLabel("The customer's screen appears here once shared.")
	placeholder.Alignment = fyne.TextAlignCenter
	v.Screen = container.NewStack(container.NewCenter(placeholder))
	v.Summary = NewSummary(act.Termination)
	v.Files = container.NewStack(widget.NewLabel("Files the customer and you send each other appear here."))

	chatTools := container.NewHBox(v.CopyLog, v.SaveLog, v.Sound)
	chatSplit := container.NewHSplit(container.NewBorder(nil, chatTools, nil, nil, v.Chat.Content), v.Canned.Content)
	chatSplit.Offset = 0.7
	v.Tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Chat", theme.MailComposeIcon(), chatSplit),
		container.NewTabItemWithIcon("Screen", theme.ComputerIcon(), container.NewBorder(container.NewHBox(v.Control), nil, nil, nil, v.Screen)),
		container.NewTabItemWithIcon("Files", theme.FolderIcon(), v.Files),
		container.NewTabItemWithIcon("Summary", theme.InfoIcon(), v.Summary.Content),
	)
	top := container.NewBorder(nil, nil, nil, container.NewHBox(v.InviteOff, v.Invite, v.End), v.Peer)
	v.Content = container.NewBorder(top, nil, nil, nil, v.Tabs)
	v.info = info // those already in the session did not just join
	v.SetInfo(info)
	return v
}

// SetFiles runs the session's file transfers in the Files tab: send
// offers a file to the customer.
func (v *SessionView) SetFiles(d *fileDesk, send *widget.Button) {
	v.files = d
	v.Files.Objects = []fyne.CanvasObject{container.NewBorder(container.NewHBox(send), nil, nil, nil, d.List.Content)}
	v.Files.Refresh()
}

// SetScreen puts the remote view into the Screen tab.
func (v *SessionView) SetScreen(o fyne.CanvasObject) {
	v.Screen.Objects = []fyne.CanvasObject{o}
	v.Screen.Refresh()
}

// SetInfo shows the session's latest state and attendees; specialists who
// joined or left are said in the chat.
func (v *SessionView) SetInfo(info protocol.SessionInfo) {
	changes := specialistChanges(v.info.Participants, info.Participants)
	v.info = info
	v.Summary.SetInfo(info)
	v.Invitations.SetParticipants(info.Participants)
	for _, n := range changes {
		v.Chat.Notice(n)
	}
	if len(changes) > 0 && v.Invitations.Visible() && v.act.Specialists.List != nil {
		v.act.Specialists.List() // a code was spent
	}
}

// SetInvitations shows the session's specialist invitations in the
// dialog, and turns "Invite specialist…" off where the portal allows none.
func (v *SessionView) SetInvitations(l protocol.SpecialistInvitations, err error) {
	v.Invitations.SetInvitations(l, err)
	if err != nil {
		return
	}
	if l.Max == 0 {
		v.Invite.Disable()
		v.InviteOff.Show()
		v.Invitations.Hide()
		return
	}
	v.InviteOff.Hide()
	if !v.ended {
		v.Invite.Enable()
	}
}

// Info is the session's state as last shown.
func (v *SessionView) Info() protocol.SessionInfo { return v.info }

// Others returns the attendees other than the rep and the customer:
// reps and specialists who stay if the rep leaves.
func (v *SessionView) Others() []protocol.Participant {
	var out []protocol.Participant
	for _, p := range v.info.Participants {
		if p.ID != v.selfID && p.Role != protocol.RoleCustomer {
			out = append(out, p)
		}
	}
	return out
}

// AskEnd is the red X: with others in the session it asks whether to hold
// the session for them or end it for everyone; alone, it asks to confirm
// the end. Once the session is over it closes the view.
func (v *SessionView) AskEnd() {
	if v.ended {
		if v.act.Close != nil {
			v.act.Close()
		}
		return
	}
	end := func() {
		if v.act.End != nil {
			v.act.End()
		}
	}
	others := v.Others()
	// Only another rep may keep the session: specialists alone may not
	// stay with the customer.
	var names, specialists []string
	for _, p := range others {
		if p.Role == protocol.RoleSpecialist {
			specialists = append(specialists, p.Name)
		} else {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 || v.act.Hold == nil {
		msg := "End the session with " + v.info.CustomerName + "?"
		if len(specialists) > 0 {
			msg += " " + strings.Join(specialists, ", ") + " (external specialists) will leave it too."
		}
		confirmEnd(v.win, "End session", msg, end)
		return
	}
	names = append(names, specialists...)
	msg := widget.NewLabel(strings.Join(names, ", ") + " will stay in the session. Hold the session to leave it to them, " +
		"or end it for everyone (the customer is disconnected).")
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomWithoutButtons("Leave the session", container.NewGridWrap(fyne.NewSize(380, 90), msg), v.win)
	hold := widget.NewButton("Hold session", func() { d.Hide(); v.act.Hold() })
	hold.Importance = widget.HighImportance
	endB := widget.NewButton("End session", func() { d.Hide(); end() })
	endB.Importance = widget.DangerImportance
	d.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", d.Hide), endB, hold})
	d.Show()
}

// Received shows a chat line, with the sound when it is someone else's
// and the rep asked for it.
func (v *SessionView) Received(m protocol.ChatMessage) {
	v.Chat.Append(m)
	if m.From != v.selfID && v.Sound.Checked && v.act.Sound != nil {
		v.act.Sound()
	}
}

// SetCanned shows the canned messages.
func (v *SessionView) SetCanned(ms []protocol.CannedMessage) { v.Canned.Set(ms) }

// WriteLog writes the whole chat log as text.
func (v *SessionView) WriteLog(w io.Writer) error {
	_, err := io.WriteString(w, v.Chat.Log()+"\n")
	return err
}

// saveDialog asks where to save the chat log.
func (v *SessionView) saveDialog() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(err, v.win)
			return
		}
		if w == nil {
			return
		}
		werr := v.WriteLog(w)
		if cerr := w.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			dialog.ShowError(fmt.Errorf("save chat log: %w", werr), v.win)
		}
	}, v.win)
	d.SetFileName("chat-" + strings.ReplaceAll(v.info.CustomerName, " ", "_") + "-" + time.Now().Format("2006-01-02-1504") + ".txt")
	d.Show()
}

// Ended shows that the session is over and disables its controls.
func (v *SessionView) Ended(reason string) {
	v.ended = true
	v.Chat.Notice("Session ended: " + reason)
	v.Chat.Entry.Disable()
	v.Chat.Send.Disable()
	v.Control.Disable()
	v.Invite.Disable()
	v.Invitations.Hide()
	v.Summary.Ended(time.Now())
	v.Peer.SetText("Session ended")
}

// IsEnded reports whether the session is over.
func (v *SessionView) IsEnded() bool { return v.ended }

// Summary is a session's summary tab.
type Summary struct {
	Customer, Portal, Key, Host, OS, Started, Duration *widget.Label
	// Recorded says whether the session is recorded, and why not.
	Recorded *widget.Label
	// Attendees lists everyone in the session.
	Attendees *widget.List
	// Termination overrides the session-end behaviour where the policy allows.
	Termination *widget.Select
	Content     fyne.CanvasObject

	attendees []protocol.Participant
	start     time.Time
	end       time.Time
	onTerm    func(protocol.Termination)
}

var terminationNames = []string{"Nothing", "Lock the computer", "Log the user off"}

// NewSummary returns an empty summary; onTermination receives an override.
func NewSummary(onTermination func(protocol.Termination)) *Summary {
	s := &Summary{onTerm: onTermination}
	for _, l := range []**widget.Label{&s.Customer, &s.Portal, &s.Key, &s.Host, &s.OS, &s.Started, &s.Duration, &s.Recorded} {
		*l = widget.NewLabel("—")
	}
	s.Attendees = widget.NewList(func() int { return len(s.attendees) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := s.attendees[i]
			o.(*widget.Label).SetText(AttendeeLabel(p))
		})
	s.Termination = widget.NewSelect(terminationNames, func(name string) {
		for i, n := range terminationNames {
			if n == name && s.onTerm != nil {
				s.onTerm(protocol.TerminationNothing + protocol.Termination(i))
			}
		}
	})
	s.Termination.PlaceHolder = "As the portal's policy says"
	s.Termination.Disable()
	form := widget.NewForm(
		widget.NewFormItem("Customer", s.Customer),
		widget.NewFormItem("Portal", s.Portal),
		widget.NewFormItem("Session key", s.Key),
		widget.NewFormItem("Host name", s.Host),
		widget.NewFormItem("Operating system", s.OS),
		widget.NewFormItem("Recorded", s.Recorded),
		widget.NewFormItem("Started", s.Started),
		widget.NewFormItem("Duration", s.Duration),
		widget.NewFormItem("At session end", s.Termination),
	)
	s.Content = container.NewBorder(form, nil, nil, nil,
		widget.NewCard("", "In this session", s.Attendees))
	return s
}

// SetInfo shows the session's customer, start and attendees.
func (s *Summary) SetInfo(info protocol.SessionInfo) {
	s.Customer.SetText(info.CustomerName)
	if s.start.IsZero() && !info.Created.IsZero() {
		s.start = info.Created
		s.Started.SetText(info.Created.Local().Format("2006-01-02 15:04:05"))
	}
	s.attendees = append([]protocol.Participant(nil), info.Participants...)
	s.Attendees.Refresh()
	s.Tick(time.Now())
}

// SetPortal names the portal.
func (s *Summary) SetPortal(name string) { s.Portal.SetText(orDash(name)) }

// SetKey shows the session key the customer joined with.
func (s *Summary) SetKey(code string) { s.Key.SetText(orDash(protocol.FormatCode(code))) }

// SetSystem shows the customer's computer as its client described it;
// nil leaves the host and system as they are.
func (s *Summary) SetSystem(si *protocol.SystemInfo) {
	if si == nil {
		return
	}
	s.SetHost(si.HostName, si.OSDescription())
}

// SetRecording shows whether the session is recorded: where the customer
// refused, the rep sees so.
func (s *Summary) SetRecording(on bool, consent protocol.RecordingConsent) {
	switch {
	case consent == protocol.RecordingRefused:
		s.Recorded.SetText("No: the customer refused recording")
	case on:
		s.Recorded.SetText("Yes")
	default:
		s.Recorded.SetText("No")
	}
}

// SetHost shows the customer's computer.
func (s *Summary) SetHost(host, os string) {
	s.Host.SetText(orDash(host))
	s.OS.SetText(orDash(os))
}

// SetStarted shows when the session started (a rep accepted it).
func (s *Summary) SetStarted(t time.Time) {
	if t.IsZero() {
		return
	}
	s.start = t
	s.Started.SetText(t.Local().Format("2006-01-02 15:04:05"))
	s.Tick(time.Now())
}

// SetTermination shows the end-of-session behaviour in force.
func (s *Summary) SetTermination(current protocol.Termination) {
	if i := int(current - protocol.TerminationNothing); i >= 0 && i < len(terminationNames) {
		onTerm := s.onTerm
		s.onTerm = nil // showing it is not an override
		s.Termination.SetSelected(terminationNames[i])
		s.onTerm = onTerm
	}
}

// SetPolicy enables the session-end override where the policy allows it
// and shows the current behaviour.
func (s *Summary) SetPolicy(overrideAllowed bool, current protocol.Termination) {
	s.SetTermination(current)
	if overrideAllowed && s.onTerm != nil {
		s.Termination.Enable()
	} else {
		s.Termination.Disable()
	}
}

// Tick updates the duration.
func (s *Summary) Tick(now time.Time) {
	if s.start.IsZero() {
		return
	}
	if !s.end.IsZero() {
		now = s.end
	}
	s.Duration.SetText(duration(now.Sub(s.start)))
}

// Ended stops the duration.
func (s *Summary) Ended(at time.Time) {
	s.end = at
	s.Tick(at)
	s.Termination.Disable()
}

// AttendeeList returns the attendees as shown.
func (s *Summary) AttendeeList() []protocol.Participant {
	return append([]protocol.Participant(nil), s.attendees...)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// duration formats a session's length: "4 min 05 s", "1 h 02 min".
func duration(d time.Duration) string {
	d = d.Round(time.Second)
	if d < 0 {
		d = 0
	}
	if d < time.Hour {
		return fmt.Sprintf("%d min %02d s", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d h %02d min", int(d.Hours()), int(d.Minutes())%60)
}
