package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/protocol"
)

// CannedItem is one canned message in the list: a double click, or Enter
// while it has the focus, sends it.
type CannedItem struct {
	widget.Label
	Message protocol.CannedMessage

	send    func(protocol.CannedMessage)
	focused bool
}

func newCannedItem(m protocol.CannedMessage, send func(protocol.CannedMessage)) *CannedItem {
	it := &CannedItem{Message: m, send: send}
	it.Text = m.Title
	it.Truncation = fyne.TextTruncateEllipsis
	it.ExtendBaseWidget(it)
	return it
}

// Tapped focuses the item, so that Enter sends it.
func (it *CannedItem) Tapped(*fyne.PointEvent) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(it); c != nil {
		c.Focus(it)
	}
}

// DoubleTapped sends the message.
func (it *CannedItem) DoubleTapped(*fyne.PointEvent) { it.send(it.Message) }

// FocusGained shows the focus.
func (it *CannedItem) FocusGained() {
	it.focused = true
	it.TextStyle.Bold = true
	it.Refresh()
}

// FocusLost hides the focus.
func (it *CannedItem) FocusLost() {
	it.focused = false
	it.TextStyle.Bold = false
	it.Refresh()
}

// TypedRune ignores typing.
func (it *CannedItem) TypedRune(rune) {}

// TypedKey sends the message on Enter.
func (it *CannedItem) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter {
		it.send(it.Message)
	}
}

// CannedList shows the canned messages of the rep's teams, by team.
type CannedList struct {
	Box     *fyne.Container
	Items   []*CannedItem
	Content fyne.CanvasObject

	send func(protocol.CannedMessage)
}

// NewCannedList returns an empty list; send receives the message to send.
func NewCannedList(send func(protocol.CannedMessage)) *CannedList {
	l := &CannedList{Box: container.NewVBox(), send: send}
	l.Set(nil)
	l.Content = widget.NewCard("", "Messages", container.NewVScroll(l.Box))
	return l
}

// Set replaces the messages; they come sorted by team and title.
func (l *CannedList) Set(ms []protocol.CannedMessage) {
	l.Box.RemoveAll()
	l.Items = l.Items[:0]
	if len(ms) == 0 {
		none := widget.NewLabel("No canned messages.")
		none.Importance = widget.LowImportance
		l.Box.Add(none)
		return
	}
	team := "\x00"
	for _, m := range ms {
		if m.Team != team {
			team = m.Team
			if team != "" {
				l.Box.Add(widget.NewLabelWithStyle(team, fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
			}
		}
		it := newCannedItem(m, l.send)
		l.Items = append(l.Items, it)
		l.Box.Add(it)
	}
}
