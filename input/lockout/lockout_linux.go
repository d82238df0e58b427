package lockout

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// grabRetry is the pause between grab attempts while another client holds
// a device.
const grabRetry = 20 * time.Millisecond

// system holds the pointer and keyboard grabs on a connection of its own;
// closing the connection releases them.
type system struct {
	log     *slog.Logger
	display string
	conn    *xgb.Conn
	done    chan struct{} // closed when the event reader has exited
}

func engage(ctx context.Context, display string, log *slog.Logger) (*system, error) {
	if display == "" {
		return nil, fmt.Errorf("%w: no X display name given", ErrNoDisplay)
	}
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("%w: connect to X display %q: %w", ErrNoDisplay, display, err)
	}
	s := &system{log: log, display: display, conn: conn, done: make(chan struct{})}
	go s.readEvents()
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	if err := s.grab(ctx, root); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// grab grabs the pointer, then the keyboard, on the root window, retrying
// while another client holds either for up to GrabWait or until ctx ends.
func (s *system) grab(ctx context.Context, root xproto.Window) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, GrabWait)
	defer cancel()
	grabs := []struct {
		device string
		grab   func() (byte, error)
	}{
		{"pointer", func() (byte, error) {
			// No event mask and owner_events false: the events are
			// reported to nobody, so nothing piles up.
			r, err := xproto.GrabPointer(s.conn, false, root, 0, xproto.GrabModeAsync, xproto.GrabModeAsync,
				xproto.WindowNone, xproto.CursorNone, xproto.TimeCurrentTime).Reply()
			if err != nil {
				return 0, err
			}
			return r.Status, nil
		}},
		{"keyboard", func() (byte, error) {
			r, err := xproto.GrabKeyboard(s.conn, false, root, xproto.TimeCurrentTime,
				xproto.GrabModeAsync, xproto.GrabModeAsync).Reply()
			if err != nil {
				return 0, err
			}
			return r.Status, nil
		}},
	}
	for _, g := range grabs {
		for {
			status, err := g.grab()
			if err != nil {
				return fmt.Errorf("%w: grab the %s of %s: %w", ErrNoDisplay, g.device, s.display, err)
			}
			if status == xproto.GrabStatusSuccess {
				break
			}
			if status != xproto.GrabStatusAlreadyGrabbed && status != xproto.GrabStatusFrozen {
				return fmt.Errorf("grab the %s of %s: %s", g.device, s.display, grabStatus(status))
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%w: the %s of %s is %s (waited %v): %w", ErrGrabbed, g.device, s.display,
					grabStatus(status), time.Since(start).Round(time.Millisecond), context.Cause(ctx))
			case <-time.After(grabRetry):
			}
		}
	}
	return nil
}

// grabStatus names a GrabPointer or GrabKeyboard status.
func grabStatus(status byte) string {
	switch status {
	case xproto.GrabStatusSuccess:
		return "grabbed"
	case xproto.GrabStatusAlreadyGrabbed:
		return "grabbed by another client"
	case xproto.GrabStatusInvalidTime:
		return "refused (invalid time)"
	case xproto.GrabStatusNotViewable:
		return "refused (window not viewable)"
	case xproto.GrabStatusFrozen:
		return "frozen by another client's grab"
	default:
		return fmt.Sprintf("refused (status %d)", status)
	}
}

// readEvents drains the connection: a keyboard grab reports every key
// event to it, which xgb would buffer until the connection blocks. The
// events are discarded.
func (s *system) readEvents() {
	defer close(s.done)
	for {
		ev, err := s.conn.WaitForEvent()
		switch {
		case ev == nil && err == nil:
			return
		case err != nil:
			s.log.Warn("X error on the lockout connection", "display", s.display, "err", err)
		}
	}
}

func (s *system) alive() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// release ungrabs both devices, waits until the server has done so, and
// closes the connection (which would release them anyway).
func (s *system) release() error {
	var err error
	if s.alive() {
		xproto.UngrabKeyboard(s.conn, xproto.TimeCurrentTime)
		xproto.UngrabPointer(s.conn, xproto.TimeCurrentTime)
		// A round trip: the server handles requests in order, so the
		// ungrabs are done once the reply is here.
		if _, e := xproto.GetInputFocus(s.conn).Reply(); e != nil && s.alive() {
			err = fmt.Errorf("ungrab the input of %s: %w", s.display, e)
		}
	}
	s.close()
	return err
}

func (s *system) close() {
	s.conn.Close()
	<-s.done
}
