// Package ui holds Tandem's Fyne screens. Screens are constructors that
// return their widgets and take plain data and callbacks, so they are
// tested without a server; rep.go and customer.go wire them to the
// session core in package client. Every change to a widget from another
// goroutine goes through fyne.Do.
package ui

import (
	"fmt"
	"sort"
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

	entries []chatEntry
	maxSeq  int64
	onSend  func(string)
}

// chatEntry is one line of the history. Messages are ordered by the
// server's sequence number; a notice stays after the message it followed.
type chatEntry struct {
	seq    int64 // the message's; 0 for a notice
	after  int64 // for a notice: the last message's seq when it was added
	line   string
	italic bool
}

// order is the entry's place in the history.
func (e chatEntry) order() float64 {
	if e.seq == 0 {
		return float64(e.after) + 0.5
	}
	return float64(e.seq)
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

// Append adds a stored chat line. A line already shown (same sequence
// number) is skipped, and one older than the latest shown takes its place
// in order, so a transcript fetched after live lines arrived merges.
func (c *ChatView) Append(m protocol.ChatMessage) {
	e := chatEntry{seq: m.Seq, line: fmt.Sprintf("[%s] %s: %s", m.At.Local().Format("15:04"), m.Name, m.Text), italic: m.Role == protocol.RoleUnknown}
	if m.Seq > 0 {
		for _, old := range c.entries {
			if old.seq == m.Seq {
				return
			}
		}
	}
	if m.Seq > 0 && m.Seq < c.maxSeq {
		c.entries = append(c.entries, e)
		sort.SliceStable(c.entries, func(i, j int) bool { return c.entries[i].order() < c.entries[j].order() })
		c.History.RemoveAll()
		for _, e := range c.entries {
			c.History.Add(e.label())
		}
		return
	}
	c.maxSeq = max(c.maxSeq, m.Seq)
	c.add(e)
}

// Notice adds a line from the app itself, such as "X joined".
func (c *ChatView) Notice(text string) {
	c.add(chatEntry{after: c.maxSeq, line: fmt.Sprintf("[%s] %s", time.Now().Format("15:04"), text), italic: true})
}

func (c *ChatView) add(e chatEntry) {
	c.entries = append(c.entries, e)
	c.History.Add(e.label())
	c.Scroll.ScrollToBottom()
}

func (e chatEntry) label() *widget.Label {
	l := widget.NewLabel(e.line)
	l.Wrapping = fyne.TextWrapWord
	l.TextStyle.Italic = e.italic
	return l
}

// Lines returns the history as shown, one line per message.
func (c *ChatView) Lines() []string {
	lines := make([]string, len(c.entries))
	for i, e := range c.entries {
		lines[i] = e.line
	}
	return lines
}

// Log returns the whole history as text, for copying into a ticket.
func (c *ChatView) Log() string { return strings.Join(c.Lines(), "\n") }

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
