// Package ui holds Tandem's Fyne screens. Screens are constructors that
// return their widgets and take plain data and callbacks, so they are
// tested without a server; rep.go and customer.go wire them to the
// session core in package client. Every change to a widget from another
// goroutine goes through fyne.Do.
package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/assets"
	"github.com/tandemhq/tandem/protocol"
)

// Icon is the application icon.
var Icon = fyne.NewStaticResource("tandem.png", assets.Icon)

// ChatView is a chat history with an entry line.
type ChatView struct {
	History *fyne.Container
	Scroll  *container.Scroll
	Entry   *widget.Entry
	Send    *widget.Button
	Content fyne.CanvasObject

	lines  []string
	onSend func(string)
}

// NewChatView returns a chat view; onSend receives each line the user sends.
// Blank lines are not sent.
func NewChatView(sendLabel, placeholder string, onSend func(text string)) *ChatView {
	c := &ChatView{History: container.NewVBox(), Entry: widget.NewEntry(), onSend: onSend}
	c.Entry.SetPlaceHolder(placeholder)
	// Enter sends, as in every chat people know.
	c.Entry.OnSubmitted = func(string) { c.submit() }
	c.Send = widget.NewButtonWithIcon(sendLabel, theme.MailSendIcon(), c.submit)
	c.Send.Importance = widget.HighImportance
	c.Scroll = container.NewVScroll(c.History)
	c.Content = container.NewBorder(nil, container.NewBorder(nil, nil, nil, c.Send, c.Entry), nil, nil, c.Scroll)
	return c
}

func (c *ChatView) submit() {
	text := strings.TrimSpace(c.Entry.Text)
	if text == "" {
		return
	}
	c.Entry.SetText("")
	c.onSend(text)
}

// Append adds a stored chat line.
func (c *ChatView) Append(m protocol.ChatMessage) {
	line := fmt.Sprintf("[%s] %s: %s", m.At.Local().Format("15:04"), m.Name, m.Text)
	c.addLine(line, m.Role == protocol.RoleUnknown)
}

// Notice adds a line from the app itself, such as "X joined".
func (c *ChatView) Notice(text string) {
	c.addLine(fmt.Sprintf("[%s] %s", time.Now().Format("15:04"), text), true)
}

func (c *ChatView) addLine(line string, italic bool) {
	c.lines = append(c.lines, line)
	l := widget.NewLabel(line)
	l.Wrapping = fyne.TextWrapWord
	l.TextStyle.Italic = italic
	c.History.Add(l)
	c.Scroll.ScrollToBottom()
}

// Lines returns the history as shown, one line per message.
func (c *ChatView) Lines() []string { return append([]string(nil), c.lines...) }

// Log returns the whole history as text, for copying into a ticket.
func (c *ChatView) Log() string { return strings.Join(c.lines, "\n") }

// confirmEnd asks before ending a session; onEnd runs only on yes.
func confirmEnd(win fyne.Window, title, body string, onEnd func()) {
	d := dialog.NewConfirm(title, body, func(ok bool) {
		if ok {
			onEnd()
		}
	}, win)
	d.SetConfirmText(title)
	d.Show()
}

// since formats how long ago t was, for queue rows.
func since(t time.Time, now time.Time) string {
	d := now.Sub(t).Round(time.Second)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	default:
		return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	}
}
