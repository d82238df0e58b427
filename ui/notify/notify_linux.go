//go:build linux

package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"

	"github.com/godbus/dbus/v5"
)

// The freedesktop notification service.
const (
	busName    = "org.freedesktop.Notifications"
	objectPath = dbus.ObjectPath("/org/freedesktop/Notifications")
	iface      = "org.freedesktop.Notifications"
	// defaultAction is the action a click on the notification invokes.
	defaultAction = "default"
)

// Notifier shows notifications through the session bus and reports clicks
// on them.
type Notifier struct {
	conn    *dbus.Conn
	log     *slog.Logger
	signals chan *dbus.Signal
	done    chan struct{}

	mu     sync.Mutex
	shown  map[ID]Callbacks
	closed bool

	closeOnce sync.Once
	closeErr  error
}

// Dial connects to the session bus at address (a D-Bus address such as
// "unix:path=/run/user/1000/bus"; "" means $DBUS_SESSION_BUS_ADDRESS) and
// listens for the notification server's signals. A nil logger discards.
func Dial(ctx context.Context, address string, logger *slog.Logger) (*Notifier, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var conn *dbus.Conn
	var err error
	if address == "" {
		conn, err = dbus.SessionBusPrivate(dbus.WithContext(ctx))
		if err == nil {
			if err = conn.Auth(nil); err == nil {
				err = conn.Hello()
			}
			if err != nil {
				conn.Close()
			}
		}
	} else {
		conn, err = dbus.Connect(address, dbus.WithContext(ctx))
	}
	if err != nil {
		return nil, fmt.Errorf("notify: connect to the session bus: %w", err)
	}
	n := &Notifier{
		conn: conn, log: logger,
		// Big enough that the bus never waits for the reader; godbus
		// queues beyond it anyway.
		signals: make(chan *dbus.Signal, 64),
		done:    make(chan struct{}),
		shown:   map[ID]Callbacks{},
	}
	if err := conn.AddMatchSignalContext(ctx, dbus.WithMatchInterface(iface), dbus.WithMatchObjectPath(objectPath)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("notify: listen for notification signals: %w", err)
	}
	conn.Signal(n.signals)
	go n.run()
	return n, nil
}

// Notify shows note and returns its ID; cb reports a click on it and its
// end. The notification's click is its "default" action, labelled
// note.Action.
func (n *Notifier) Notify(ctx context.Context, note Notification, cb Callbacks) (ID, error) {
	timeout := int32(-1)
	if note.Timeout > 0 {
		timeout = int32(min(note.Timeout.Milliseconds(), math.MaxInt32))
	}
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(1))}
	// The lock is held across the call so that a signal for the new ID,
	// which may come before the reply is read, finds its callbacks.
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return 0, ErrClosed
	}
	var id uint32
	call := n.conn.Object(busName, objectPath).CallWithContext(ctx, iface+".Notify", 0,
		note.appName(), uint32(0), "", note.Title, note.Body, []string{defaultAction, note.action()}, hints, timeout)
	if err := call.Store(&id); err != nil {
		var de dbus.Error
		if errors.As(err, &de) && de.Name == "org.freedesktop.DBus.Error.ServiceUnknown" {
			return 0, fmt.Errorf("%w: %v", ErrNoServer, err)
		}
		return 0, fmt.Errorf("notify: Notify: %w", err)
	}
	n.shown[ID(id)] = cb
	return ID(id), nil
}

// Withdraw closes notification id if it still shows. Its OnClosed runs
// when the server confirms.
func (n *Notifier) Withdraw(ctx context.Context, id ID) error {
	n.mu.Lock()
	_, ok := n.shown[id]
	closed := n.closed
	n.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if !ok {
		return nil
	}
	if err := n.conn.Object(busName, objectPath).CallWithContext(ctx, iface+".CloseNotification", 0, uint32(id)).Err; err != nil {
		return fmt.Errorf("notify: CloseNotification %d: %w", id, err)
	}
	return nil
}

// run hands the server's signals to the callbacks until Close.
func (n *Notifier) run() {
	defer close(n.done)
	for sig := range n.signals {
		n.handle(sig)
	}
}

func (n *Notifier) handle(sig *dbus.Signal) {
	switch sig.Name {
	case iface + ".ActionInvoked":
		var id uint32
		var action string
		if err := dbus.Store(sig.Body, &id, &action); err != nil {
			n.log.Warn("notify: malformed ActionInvoked", "sender", sig.Sender, "err", err)
			return
		}
		n.mu.Lock()
		cb, ok := n.shown[ID(id)]
		n.mu.Unlock()
		if !ok || action != defaultAction {
			return // another application's notification, or another action
		}
		if cb.OnAction != nil {
			cb.OnAction()
		}
	case iface + ".NotificationClosed":
		var id, reason uint32
		if err := dbus.Store(sig.Body, &id, &reason); err != nil {
			n.log.Warn("notify: malformed NotificationClosed", "sender", sig.Sender, "err", err)
			return
		}
		n.mu.Lock()
		cb, ok := n.shown[ID(id)]
		delete(n.shown, ID(id))
		n.mu.Unlock()
		if ok && cb.OnClosed != nil {
			cb.OnClosed()
		}
	}
}

// Close stops listening, closes the bus connection and waits for the
// goroutine that runs callbacks. It is idempotent.
func (n *Notifier) Close() error {
	n.closeOnce.Do(func() {
		n.mu.Lock()
		n.closed = true
		n.mu.Unlock()
		// Closing the connection closes the signal channel.
		n.closeErr = n.conn.Close()
		<-n.done
	})
	return n.closeErr
}
