package lockout

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// GrabWait is how long Engage keeps retrying while another client holds
// the pointer or the keyboard, unless its context ends first.
const GrabWait = 2 * time.Second

// engaged is set while a Lockout of this process holds the input.
var engaged atomic.Bool

// Lockout holds the local mouse and keyboard away from the user until
// Release. Its methods are safe for concurrent use.
type Lockout struct {
	log *slog.Logger

	mu  sync.Mutex
	sys *system // nil once released
}

// Engage disables the local pointer and keyboard of display, an X display
// name such as ":0" on Linux (ignored on Windows). A nil log discards.
//
// It returns once the input is held. It fails with an error wrapping
// ErrNoDisplay when the display cannot be reached, ErrGrabbed when another
// client still holds the pointer or keyboard after GrabWait (or when ctx
// ends first), ErrDenied when the system refuses (Windows without
// elevation), ErrBusy while another Lockout of this process is engaged, and
// errors.ErrUnsupported where lockout is not implemented.
func Engage(ctx context.Context, display string, log *slog.Logger) (*Lockout, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if !engaged.CompareAndSwap(false, true) {
		return nil, ErrBusy
	}
	sys, err := engage(ctx, display, log)
	if err != nil {
		engaged.Store(false)
		return nil, err
	}
	log.Info("local input locked out", "display", display)
	return &Lockout{log: log, sys: sys}, nil
}

// Engaged reports whether the lockout still holds the input: true from
// Engage until Release, unless the system ended it first on X11 (the X
// connection was lost, which releases the grabs). On Windows it cannot see
// that the user pressed Ctrl+Alt+Del, which unblocks input.
func (l *Lockout) Engaged() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sys != nil && l.sys.alive()
}

// Release gives the input back and returns once the system has done so
// and every goroutine of the lockout has exited. It is idempotent; the
// input is back even when it returns an error.
func (l *Lockout) Release() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sys == nil {
		return nil
	}
	err := l.sys.release()
	l.sys = nil
	engaged.Store(false)
	l.log.Info("local input released")
	return err
}
