// Package host is what the customer client does to the machine it runs on:
// lock the desktop session or log the customer off when a support session
// ends, attempt to run with administrative rights, and describe the machine
// for the rep's session summary.
//
// The API is portable; each operating system has its own file
// (host_linux.go, host_windows.go, host_darwin.go), and host_other.go
// returns [errors.ErrUnsupported]. Nothing here uses cgo, so the package
// cross-compiles for every client platform.
//
// # Session end
//
// [DecideEndAction] turns the portal's setting, the rep's override and the
// session policy into an [EndAction]; [Host.End] carries it out through
// [Host.Lock] or [Host.LogOff]. Each tries the platform's mechanisms in
// order and reports the one that worked in an [Outcome]; when none worked,
// the error is an [*AttemptError] listing every attempt.
//
// # Elevation
//
// [Host.Elevate] relaunches the client with administrative rights under an
// [ElevationPolicy]; the caller passes the arguments that let the new
// process resume the session, and exits once the new process has taken
// over.
//
// # Services
//
// [ServiceManager] installs, starts and removes the service that runs the
// client for one session ([ServiceName]): a systemd unit on Linux, the
// service control manager on Windows, a launchd daemon on macOS. The
// client hands its session to the service as it does to an elevated
// relaunch (see service.go).
package host

import (
	"context"
	"fmt"
	"strings"
)

// Host acts on the machine the client runs on. The zero value is ready to
// use; a Host holds no resources and needs no Close. It logs nothing: what
// each action tried is in its [Outcome] or [*AttemptError], for the caller
// to log.
type Host struct {
	// Display is the X display to act on (Linux). Optional: empty means the
	// process's $DISPLAY. A Display that differs from $DISPLAY is treated as
	// foreign: logind and the desktop's session bus belong to $DISPLAY, so
	// they are not asked to act on it (see [Host.Lock]).
	Display string
}

// Outcome reports how an action was carried out.
type Outcome struct {
	// Method names the mechanism that worked, such as "logind", "i3lock",
	// "LockWorkStation" or "osascript". It is "" for EndNothing.
	Method string
	// Tried lists the methods that were attempted and failed before Method
	// worked, each with its error, in order.
	Tried []Attempt

	// lockerGroup is, on Linux, the process group of a screen locker that
	// Lock started itself and that keeps running (i3lock); killing the group
	// unlocks the display. Zero otherwise. Tests use it to unlock.
	lockerGroup int
}

// Attempt is one method an action tried, with the reason it did not work.
type Attempt struct {
	// Method names the mechanism, as in [Outcome.Method].
	Method string
	// Err is why it did not work.
	Err error
}

// AttemptError is returned when every method of an action failed. It
// unwraps to [ErrNoMethod] and to each attempt's error.
type AttemptError struct {
	// Op is the action: "lock" or "log off".
	Op string
	// Attempts lists every method tried, in order.
	Attempts []Attempt
}

// Error lists every attempt: "lock: no method worked: logind: …; i3lock: …".
func (e *AttemptError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %v", e.Op, ErrNoMethod)
	for i, a := range e.Attempts {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %v", a.Method, a.Err)
	}
	return b.String()
}

// Unwrap returns ErrNoMethod followed by every attempt's error.
func (e *AttemptError) Unwrap() []error {
	errs := make([]error, 0, len(e.Attempts)+1)
	errs = append(errs, ErrNoMethod)
	for _, a := range e.Attempts {
		errs = append(errs, a.Err)
	}
	return errs
}

// method is one way of carrying out an action.
type method struct {
	name string
	run  func(ctx context.Context) (lockerGroup int, err error)
}

// runChain tries each method in order and returns the first that worked.
func (h *Host) runChain(ctx context.Context, op string, methods []method) (Outcome, error) {
	var tried []Attempt
	for _, m := range methods {
		if err := ctx.Err(); err != nil {
			tried = append(tried, Attempt{Method: m.name, Err: err})
			break
		}
		group, err := m.run(ctx)
		if err == nil {
			return Outcome{Method: m.name, Tried: tried, lockerGroup: group}, nil
		}
		tried = append(tried, Attempt{Method: m.name, Err: err})
	}
	return Outcome{}, &AttemptError{Op: op, Attempts: tried}
}

// End carries out a session-end action: EndNothing does nothing, EndLock
// calls [Host.Lock] and EndLogOff calls [Host.LogOff]. An unknown or invalid
// action returns an error wrapping [ErrInvalidValue]; pass it through
// [DecideEndAction] first.
func (h *Host) End(ctx context.Context, a EndAction) (Outcome, error) {
	switch a {
	case EndNothing:
		return Outcome{}, nil
	case EndLock:
		return h.Lock(ctx)
	case EndLogOff:
		return h.LogOff(ctx)
	}
	return Outcome{}, fmt.Errorf("session end: %w: %v", ErrInvalidValue, a)
}

// Lock locks the customer's desktop session, trying in order:
//   - Linux: logind's Session.Lock on the caller's session (confirmed by
//     its LockedHint), then on the X display: xdg-screensaver lock,
//     gnome-screensaver-command --lock, xscreensaver-command -lock,
//     dm-tool lock, and last i3lock, started detached so that it keeps the
//     display locked after the client exits.
//   - Windows: LockWorkStation.
//   - macOS: CGSession -suspend (before macOS 11), the Control-Command-Q
//     Lock Screen shortcut through osascript, pmset displaysleepnow.
//
// Other systems return [errors.ErrUnsupported]. Details are in the per-OS
// files.
func (h *Host) Lock(ctx context.Context) (Outcome, error) {
	return h.runChain(ctx, "lock", h.lockMethods())
}

// LogOff logs the customer out of the desktop session, trying in order:
//   - Linux: logind's Session.Terminate, gnome-session-quit --logout
//     --no-prompt, xfce4-session-logout --logout, mate-session-save --logout.
//   - Windows: ExitWindowsEx(EWX_LOGOFF).
//   - macOS: System Events "log out" through osascript, launchctl bootout
//     gui/<uid>.
//
// Other systems return [errors.ErrUnsupported].
func (h *Host) LogOff(ctx context.Context) (Outcome, error) {
	return h.runChain(ctx, "log off", h.logOffMethods())
}
