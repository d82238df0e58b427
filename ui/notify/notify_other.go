//go:build !linux

package notify

import (
	"context"
	"log/slog"
	"sync"

	"fyne.io/fyne/v2"
)

// Notifier shows notifications through Fyne's SendNotification. The
// platforms it serves report no click, so OnAction never runs; OnClosed
// runs when the notification is withdrawn.
type Notifier struct {
	mu     sync.Mutex
	next   ID
	shown  map[ID]Callbacks
	closed bool
}

// Dial returns a notifier for the running Fyne app; address and ctx are
// not used outside Linux.
func Dial(ctx context.Context, address string, logger *slog.Logger) (*Notifier, error) {
	return &Notifier{shown: map[ID]Callbacks{}}, nil
}

// Notify shows note through the Fyne app. cb.OnAction never runs.
func (n *Notifier) Notify(ctx context.Context, note Notification, cb Callbacks) (ID, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return 0, ErrClosed
	}
	if a := fyne.CurrentApp(); a != nil {
		a.SendNotification(fyne.NewNotification(note.Title, note.Body))
	}
	n.next++
	n.shown[n.next] = cb
	return n.next, nil
}

// Withdraw forgets notification id and runs its OnClosed; the platform
// notification itself stays until the user dismisses it.
func (n *Notifier) Withdraw(ctx context.Context, id ID) error {
	n.mu.Lock()
	cb, ok := n.shown[id]
	delete(n.shown, id)
	closed := n.closed
	n.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if ok && cb.OnClosed != nil {
		cb.OnClosed()
	}
	return nil
}

// Close stops the notifier. It is idempotent.
func (n *Notifier) Close() error {
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
	return nil
}
