package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/protocol"
)

// Alert is the pop-up at the lower right of the console that announces a
// session which arrived in (or was transferred to) the rep's queues.
// Clicking it accepts the session.
type Alert struct {
	Session protocol.SessionInfo
	Title   *widget.Label
	Body    *widget.Label
	Accept  *widget.Button
	Dismiss *widget.Button
	PopUp   *widget.PopUp

	card *alertCard
}

// alertCard is the pop-up's content; a click anywhere on it accepts.
type alertCard struct {
	widget.BaseWidget
	content fyne.CanvasObject
	onTap   func()
}

func (a *alertCard) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	bg.StrokeColor = theme.Color(theme.ColorNamePrimary)
	bg.StrokeWidth = 2
	bg.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	return widget.NewSimpleRenderer(container.NewStack(bg, container.NewPadded(a.content)))
}

// Tapped accepts.
func (a *alertCard) Tapped(*fyne.PointEvent) { a.onTap() }

// alertSize is the pop-up's size.
var alertSize = fyne.NewSize(340, 130)

// showAlert shows the pop-up at the lower right of the canvas; onAccept
// runs when the rep clicks it.
func showAlert(c fyne.Canvas, s protocol.SessionInfo, transferred bool, onAccept func()) *Alert {
	a := &Alert{Session: s}
	title := "A customer is waiting"
	if transferred {
		title = "A session was transferred to you"
	}
	a.Title = widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	body := s.CustomerName
	if s.Question != "" {
		body += " — " + s.Question
	}
	a.Body = widget.NewLabel(body)
	a.Body.Truncation = fyne.TextTruncateEllipsis
	accept := func() {
		a.Hide()
		onAccept()
	}
	a.Accept = widget.NewButtonWithIcon("Accept", theme.ConfirmIcon(), accept)
	a.Accept.Importance = widget.HighImportance
	a.Dismiss = widget.NewButtonWithIcon("", theme.CancelIcon(), a.Hide)
	a.Dismiss.Importance = widget.LowImportance
	a.card = &alertCard{
		content: container.NewBorder(container.NewBorder(nil, nil, nil, a.Dismiss, a.Title), container.NewHBox(a.Accept), nil, nil, a.Body),
		onTap:   accept,
	}
	a.card.ExtendBaseWidget(a.card)
	a.PopUp = widget.NewPopUp(a.card, c)
	a.PopUp.Resize(alertSize)
	pad := theme.Padding() * 2
	cs := c.Size()
	a.PopUp.ShowAtPosition(fyne.NewPos(max(0, cs.Width-alertSize.Width-pad), max(0, cs.Height-alertSize.Height-pad)))
	return a
}

// Hide closes the pop-up.
func (a *Alert) Hide() { a.PopUp.Hide() }

// Tap clicks the pop-up itself (not one of its buttons).
func (a *Alert) Tap() { a.card.Tapped(&fyne.PointEvent{}) }
