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

// QueueRow is one waiting session in the queue list.
type QueueRow struct {
	Session protocol.SessionInfo
	// Label shows the customer's name and question, the portal and the
	// time waiting.
	Label  *widget.Label
	Accept *widget.Button
}

// QueueGroup is one of the rep's queues with its waiting sessions.
type QueueGroup struct {
	Queue protocol.QueueInfo
	// Header names the queue and counts its sessions.
	Header *widget.Label
	Rows   []*QueueRow
}

// QueueList shows the sessions waiting in the rep's queues: the personal
// queue first, then the team queues, each with its count.
type QueueList struct {
	Box     *fyne.Container
	Count   *widget.Label
	Content fyne.CanvasObject

	names    protocol.QueueList
	waiting  []protocol.SessionInfo
	groups   []*QueueGroup
	rows     []*QueueRow
	onAccept func(sessionID string)
	now      func() time.Time
}

// NewQueueList returns an empty queue list; onAccept receives the session
// the rep accepts.
func NewQueueList(onAccept func(sessionID string)) *QueueList {
	q := &QueueList{Box: container.NewVBox(), Count: widget.NewLabel(""), onAccept: onAccept, now: time.Now}
	q.Count.TextStyle.Bold = true
	q.Set(nil)
	q.Content = container.NewBorder(q.Count, nil, nil, nil, container.NewVScroll(q.Box))
	return q
}

// SetNames sets the names of the rep's queues and of the portals.
func (q *QueueList) SetNames(l protocol.QueueList) {
	q.names = l
	q.Set(q.waiting)
}

// Set replaces the waiting sessions, oldest first.
func (q *QueueList) Set(waiting []protocol.SessionInfo) {
	q.waiting = append([]protocol.SessionInfo(nil), waiting...)
	q.Box.RemoveAll()
	q.rows, q.groups = q.rows[:0], q.groups[:0]
	switch len(waiting) {
	case 0:
		q.Count.SetText("Nobody is waiting.")
	case 1:
		q.Count.SetText("1 customer is waiting.")
	default:
		q.Count.SetText(strconv.Itoa(len(waiting)) + " customers are waiting.")
	}
	byQueue := map[string]*QueueGroup{}
	for _, qi := range q.names.Queues {
		g := &QueueGroup{Queue: qi}
		byQueue[qi.ID] = g
		q.groups = append(q.groups, g)
	}
	for _, s := range waiting {
		g := byQueue[s.Queue]
		if g == nil {
			g = &QueueGroup{Queue: protocol.QueueInfo{ID: s.Queue, Name: "Queue"}}
			if len(q.names.Queues) == 0 {
				g.Queue.Name = "Waiting"
			}
			byQueue[s.Queue] = g
			q.groups = append(q.groups, g)
		}
		row := &QueueRow{Session: s, Label: widget.NewLabel(q.rowText(s))}
		row.Label.Wrapping = fyne.TextWrapWord
		id := s.ID
		row.Accept = widget.NewButtonWithIcon("Accept", theme.ConfirmIcon(), func() { q.onAccept(id) })
		row.Accept.Importance = widget.HighImportance
		g.Rows = append(g.Rows, row)
	}
	for _, g := range q.groups {
		g.Header = widget.NewLabelWithStyle(g.Queue.Name+" ("+strconv.Itoa(len(g.Rows))+")", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		q.Box.Add(g.Header)
		for _, row := range g.Rows {
			q.rows = append(q.rows, row)
			q.Box.Add(container.NewBorder(nil, nil, nil, container.NewVBox(row.Accept), row.Label))
		}
		q.Box.Add(widget.NewSeparator())
	}
}

// rowText describes a waiting session.
func (q *QueueList) rowText(s protocol.SessionInfo) string {
	var b strings.Builder
	b.WriteString(s.CustomerName)
	if s.Question != "" {
		b.WriteString(" — " + s.Question)
	}
	b.WriteString("\n")
	if p := q.portalName(s.Portal); p != "" {
		b.WriteString(p + " · ")
	}
	b.WriteString("waiting " + since(s.Created, q.now()))
	return b.String()
}

// portalName names a portal by ID; "" when the session has none.
func (q *QueueList) portalName(id string) string {
	if id == "" {
		return ""
	}
	for _, p := range q.names.Portals {
		if p.ID == id {
			return p.Name
		}
	}
	return id
}

// Tick refreshes the times waiting.
func (q *QueueList) Tick() {
	for _, r := range q.rows {
		r.Label.SetText(q.rowText(r.Session))
	}
}

// Rows returns the rows as shown, queue by queue.
func (q *QueueList) Rows() []*QueueRow { return append([]*QueueRow(nil), q.rows...) }

// Groups returns the queues as shown.
func (q *QueueList) Groups() []*QueueGroup { return append([]*QueueGroup(nil), q.groups...) }

// Waiting reports whether a session is still in the list.
func (q *QueueList) Waiting(id string) bool {
	for _, s := range q.waiting {
		if s.ID == id {
			return true
		}
	}
	return false
}
