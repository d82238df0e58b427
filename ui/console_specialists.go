package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
)

// The rep's side of external specialists (protocol/specialist.go): a
// session window's "Invite specialist…" opens the InviteDialog, which
// makes single-use codes with view-only or control rights, tells the rep
// what to pass on, and lists the session's invitations with a way to
// cancel the unused ones.

// Rights as the dialog offers them.
const (
	rightsControlLabel = "Control keyboard and mouse"
	rightsViewLabel    = "View only"
)

// NoSpecialistsText is why "Invite specialist…" is off where the session's
// portal allows no external specialists.
const NoSpecialistsText = "This support site does not allow external specialists"

// SpecialistActions are what the invite dialog asks of its owner. Each
// answers later, on the UI goroutine, through the dialog: List through
// [SessionView.SetInvitations], Invite through [InviteDialog.Created],
// Cancel through [InviteDialog.Cancelled]. A nil Invite hides the
// session window's button.
type SpecialistActions struct {
	// Server is the server's URL as the specialist types it.
	Server string
	// List fetches the session's invitations.
	List func()
	// Invite makes an invitation with the given rights.
	Invite func(protocol.SpecialistRights)
	// Cancel makes an unused code unusable.
	Cancel func(code string)
}

// InvitationState is where an invitation stands, as the rep sees it.
type InvitationState int

// Invitation states.
const (
	InvitationUnknown InvitationState = iota
	// InvitationWaiting: nobody used the code yet and it still works.
	InvitationWaiting
	// InvitationJoined: a specialist joined with it.
	InvitationJoined
	// InvitationCancelled: a rep cancelled it.
	InvitationCancelled
	// InvitationExpired: it was not used in time.
	InvitationExpired
)

var invitationStateNames = []string{"unknown", "waiting", "joined", "cancelled", "expired"}

func (s InvitationState) String() string {
	if s < 0 || int(s) >= len(invitationStateNames) {
		return fmt.Sprintf("InvitationState(%d)", int(s))
	}
	return invitationStateNames[s]
}

// MarshalText implements encoding.TextMarshaler.
func (s InvitationState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// StateOf is where an invitation stands at now.
func StateOf(inv protocol.SpecialistInvitation, now time.Time) InvitationState {
	switch {
	case inv.UsedBy != "":
		return InvitationJoined
	case inv.Cancelled:
		return InvitationCancelled
	case !now.Before(inv.Expires):
		return InvitationExpired
	default:
		return InvitationWaiting
	}
}

// rightsText names rights for people.
func rightsText(r protocol.SpecialistRights) string {
	switch r {
	case protocol.RightsControl:
		return "control"
	case protocol.RightsView:
		return "view only"
	default:
		return r.String()
	}
}

// InvitationRow is one invitation in the dialog's list.
type InvitationRow struct {
	Invitation protocol.SpecialistInvitation
	State      InvitationState
	Label      *widget.Label
	// Cancel is nil unless the invitation is waiting.
	Cancel  *widget.Button
	Content fyne.CanvasObject
}

// InviteDialog is the "Invite an external specialist" dialog of one
// session: the rights, "Create invitation", the code made and what to
// tell the specialist, and the session's invitations.
type InviteDialog struct {
	Rights *widget.RadioGroup
	Create *widget.Button
	// Code is the latest code, grouped; Tell what to tell the specialist.
	Code, Tell *widget.Label
	// Copy copies the code with what to tell the specialist.
	Copy *widget.Button
	// Message shows a refusal, or what is under way.
	Message *widget.Label
	// Count is "n of Max specialists invited".
	Count   *widget.Label
	Rows    []*InvitationRow
	Content fyne.CanvasObject

	win     fyne.Window
	act     SpecialistActions
	dlg     *dialog.CustomDialog
	result  *fyne.Container
	list    *fyne.Container
	latest  protocol.SpecialistInvitation
	invs    protocol.SpecialistInvitations
	known   bool // invs came from the server
	names   map[string]string
	now     func() time.Time
	visible bool
}

// NewInviteDialog returns the dialog's content for a session window; Show
// opens it.
func NewInviteDialog(win fyne.Window, act SpecialistActions) *InviteDialog {
	d := &InviteDialog{
		win: win, act: act, now: time.Now, names: map[string]string{},
		Code: widget.NewLabel(""), Tell: widget.NewLabel(""), Message: widget.NewLabel(""), Count: widget.NewLabel(""),
	}
	d.Rights = widget.NewRadioGroup([]string{rightsControlLabel, rightsViewLabel}, nil)
	d.Rights.Required = true
	d.Rights.SetSelected(rightsViewLabel) // the least a specialist needs
	d.Create = widget.NewButtonWithIcon("Create invitation", theme.ContentAddIcon(), d.create)
	d.Create.Importance = widget.HighImportance
	d.Code.TextStyle = fyne.TextStyle{Monospace: true}
	d.Code.Importance = widget.HighImportance
	d.Code.SizeName = theme.SizeNameHeadingText
	d.Tell.Wrapping = fyne.TextWrapWord
	d.Message.Wrapping = fyne.TextWrapWord
	d.Copy = widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(d.copyText())
	})
	d.result = container.NewVBox(container.NewBorder(nil, nil, nil, d.Copy, d.Code), d.Tell)
	d.result.Hide()
	d.Message.Hide()
	d.list = container.NewVBox()
	rights := widget.NewCard("", "Specialist access rights", container.NewVBox(d.Rights, container.NewHBox(d.Create)))
	invited := widget.NewCard("", "Invitations of this session", container.NewBorder(d.Count, nil, nil, nil, container.NewVScroll(d.list)))
	top := container.NewVBox(rights, d.result, d.Message)
	d.Content = container.NewBorder(top, nil, nil, nil, invited)
	d.render()
	return d
}

// Show opens the dialog and asks for the session's invitations.
func (d *InviteDialog) Show() {
	if d.dlg == nil {
		d.dlg = dialog.NewCustom("Invite an external specialist", "Close", d.Content, d.win)
		d.dlg.SetOnClosed(func() { d.visible = false })
	}
	d.dlg.Resize(fyne.NewSize(580, 600))
	d.dlg.Show()
	d.visible = true
	if d.act.List != nil {
		d.act.List()
	}
}

// Hide closes the dialog.
func (d *InviteDialog) Hide() {
	if d.dlg != nil {
		d.dlg.Hide()
	}
}

// Visible reports whether the dialog is open.
func (d *InviteDialog) Visible() bool { return d.visible }

// rights is the rights chosen.
func (d *InviteDialog) rights() protocol.SpecialistRights {
	if d.Rights.Selected == rightsControlLabel {
		return protocol.RightsControl
	}
	return protocol.RightsView
}

func (d *InviteDialog) create() {
	if d.act.Invite == nil {
		return
	}
	d.Create.Disable()
	d.say(widget.MediumImportance, "Creating an invitation…")
	d.act.Invite(d.rights())
}

// Created shows the invitation made, or why the server refused it.
func (d *InviteDialog) Created(inv protocol.SpecialistInvitation, err error) {
	if err != nil {
		d.refused("No invitation was created: ", err)
		d.render()
		if d.act.List != nil {
			d.act.List() // the list may have changed elsewhere
		}
		return
	}
	d.say(widget.MediumImportance, "")
	d.latest = inv
	d.Code.SetText(protocol.FormatCode(inv.Code))
	may := "see the screen and chat"
	if inv.Rights == protocol.RightsControl {
		may = "see the screen, chat and ask the customer for control"
	}
	d.Tell.SetText(fmt.Sprintf("Tell the specialist: open the Tandem console, choose Join as a specialist, "+
		"and enter this code with the server %s.\nIt admits one specialist, who may %s, until %s while this session lasts.",
		d.act.Server, may, inv.Expires.Local().Format("15:04")))
	d.result.Show()
	d.invs.Invitations = append(d.invs.Invitations, inv)
	d.render()
	if d.act.List != nil {
		d.act.List() // the server's own account of the list
	}
}

// Cancelled marks a code cancelled, or shows why it was not.
func (d *InviteDialog) Cancelled(code string, err error) {
	if err != nil {
		d.refused("The invitation was not cancelled: ", err)
		d.render()
		return
	}
	d.say(widget.MediumImportance, "")
	for i, inv := range d.invs.Invitations {
		if inv.Code == code {
			d.invs.Invitations[i].Cancelled = true
		}
	}
	if d.latest.Code == code {
		d.result.Hide()
	}
	d.render()
	if d.act.List != nil {
		d.act.List()
	}
}

// refused shows an error from the server.
func (d *InviteDialog) refused(what string, err error) {
	d.say(widget.DangerImportance, what+friendly(err))
}

// say shows a message; an empty one takes no room.
func (d *InviteDialog) say(imp widget.Importance, text string) {
	d.Message.Importance = imp
	d.Message.SetText(text)
	if text == "" {
		d.Message.Hide()
	} else {
		d.Message.Show()
	}
}

// SetInvitations shows the session's invitations as the server listed
// them, or why they could not be listed.
func (d *InviteDialog) SetInvitations(l protocol.SpecialistInvitations, err error) {
	if err != nil {
		d.refused("The invitations could not be listed: ", err)
		return
	}
	d.invs, d.known = l, true
	d.render()
}

// SetParticipants names the specialists who joined.
func (d *InviteDialog) SetParticipants(ps []protocol.Participant) {
	for _, p := range ps {
		d.names[p.ID] = p.Name
	}
	d.render()
}

// Tick shows codes that expired since the list was drawn.
func (d *InviteDialog) Tick(now time.Time) {
	for _, r := range d.Rows {
		if StateOf(r.Invitation, now) != r.State {
			d.render()
			return
		}
	}
}

// counted is how many invitations count against the portal's limit: the
// waiting and the joined, as the server counts them.
func (d *InviteDialog) counted(now time.Time) int {
	n := 0
	for _, inv := range d.invs.Invitations {
		if st := StateOf(inv, now); st == InvitationWaiting || st == InvitationJoined {
			n++
		}
	}
	return n
}

// render shows the list, the count and whether another may be made.
func (d *InviteDialog) render() {
	now := d.now()
	d.Rows = d.Rows[:0]
	d.list.RemoveAll()
	for i := len(d.invs.Invitations) - 1; i >= 0; i-- { // newest first
		row := d.row(d.invs.Invitations[i], now)
		d.Rows = append(d.Rows, row)
		d.list.Add(row.Content)
	}
	if len(d.invs.Invitations) == 0 {
		d.list.Add(widget.NewLabel("No specialist has been invited to this session."))
	}
	n := d.counted(now)
	switch {
	case !d.known:
		d.Count.SetText("")
		d.Create.Enable()
	case d.invs.Max == 0:
		d.Count.SetText(NoSpecialistsText + ".")
		d.Create.Disable()
	case n >= d.invs.Max:
		d.Count.SetText(fmt.Sprintf("%d of %d specialists invited: cancel an unused invitation to invite another.", n, d.invs.Max))
		d.Create.Disable()
	default:
		d.Count.SetText(fmt.Sprintf("%d of %d specialists invited.", n, d.invs.Max))
		d.Create.Enable()
	}
}

// row builds one invitation's row.
func (d *InviteDialog) row(inv protocol.SpecialistInvitation, now time.Time) *InvitationRow {
	r := &InvitationRow{Invitation: inv, State: StateOf(inv, now)}
	text := protocol.FormatCode(inv.Code) + "   " + rightsText(inv.Rights) + " · "
	switch r.State {
	case InvitationWaiting:
		text += "waiting, until " + inv.Expires.Local().Format("15:04")
	case InvitationJoined:
		text += "joined"
		if name := d.names[inv.UsedBy]; name != "" {
			text += ": " + name
		}
	default:
		text += r.State.String()
	}
	r.Label = widget.NewLabel(text)
	if r.State == InvitationWaiting && d.act.Cancel != nil {
		code := inv.Code
		r.Cancel = widget.NewButtonWithIcon("Cancel invitation", theme.CancelIcon(), func() {
			d.say(widget.MediumImportance, "Cancelling "+protocol.FormatCode(code)+"…")
			d.act.Cancel(code)
		})
		r.Content = container.NewBorder(nil, nil, nil, r.Cancel, r.Label)
	} else {
		r.Content = r.Label
	}
	return r
}

// copyText is what Copy puts on the clipboard.
func (d *InviteDialog) copyText() string {
	if d.latest.Code == "" {
		return ""
	}
	return fmt.Sprintf("Please join my support session as a specialist: open the Tandem console, choose Join as a specialist, "+
		"and enter the server %s and the invitation code %s (valid until %s).",
		d.act.Server, protocol.FormatCode(d.latest.Code), d.latest.Expires.Local().Format("15:04"))
}

// AttendeeLabel is how an attendee is listed: "Ada (customer)", "Grace
// (specialist, view only)".
func AttendeeLabel(p protocol.Participant) string {
	switch {
	case p.Role == protocol.RoleSpecialist && p.ViewOnly:
		return p.Name + " (specialist, view only)"
	case p.Role == protocol.RoleSpecialist:
		return p.Name + " (specialist, control)"
	default:
		return p.Name + " (" + p.Role.String() + ")"
	}
}

// specialistChanges are the chat notices for specialists who joined or
// left between two attendee lists.
func specialistChanges(before, after []protocol.Participant) []string {
	in := func(ps []protocol.Participant, id string) bool {
		for _, p := range ps {
			if p.ID == id {
				return true
			}
		}
		return false
	}
	var out []string
	for _, p := range after {
		if p.Role == protocol.RoleSpecialist && !in(before, p.ID) {
			out = append(out, AttendeeLabel(p)+" joined the session.")
		}
	}
	for _, p := range before {
		if p.Role == protocol.RoleSpecialist && !in(after, p.ID) {
			out = append(out, p.Name+" (specialist) left the session.")
		}
	}
	return out
}

// specialistActions wires a session window's invite dialog to the
// session; view is the window, set once it is made.
func (r *repApp) specialistActions(s *client.Session, view func() *SessionView) SpecialistActions {
	call := func(fn func(ctx context.Context)) {
		r.goWait(func() {
			ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
			defer cancel()
			fn(ctx)
		})
	}
	list := func() {
		call(func(ctx context.Context) {
			l, err := s.SpecialistInvitations(ctx)
			if err != nil {
				r.log.Warn("specialist invitations", "session", s.ID(), "err", err)
			}
			r.do(func() { view().SetInvitations(l, err) })
		})
	}
	return SpecialistActions{
		Server: r.server,
		List:   list,
		Invite: func(rights protocol.SpecialistRights) {
			call(func(ctx context.Context) {
				inv, err := s.InviteSpecialist(ctx, rights)
				if err == nil {
					r.log.Info("specialist invited", "session", s.ID(), "rights", rights)
				}
				r.do(func() { view().Invitations.Created(inv, err) })
			})
		},
		Cancel: func(code string) {
			call(func(ctx context.Context) {
				err := s.CancelSpecialistInvitation(ctx, code)
				r.do(func() { view().Invitations.Cancelled(code, err) })
			})
		},
	}
}
