package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/godbus/dbus/v5"
)

// logind talks to systemd-logind (org.freedesktop.login1) on the system bus:
// the same calls `loginctl lock-session` and `loginctl terminate-session`
// make, without parsing loginctl's output.

const (
	logindDest      = "org.freedesktop.login1"
	logindPath      = "/org/freedesktop/login1"
	logindManager   = "org.freedesktop.login1.Manager"
	logindSessionIf = "org.freedesktop.login1.Session"
	logindUserIf    = "org.freedesktop.login1.User"

	// lockConfirmWait is how long logindLock waits for a screen locker to
	// set the session's LockedHint after the Lock request.
	lockConfirmWait = 2 * time.Second
)

var errLockNotConfirmed = errors.New("lock requested, but no screen locker confirmed it (LockedHint stayed false)")

// logindSession finds the caller's logind session and returns it with the
// open connection, which the caller closes. The session is, in order: the
// one this process belongs to (GetSessionByPID), the one named by
// $XDG_SESSION_ID, or the user's primary graphical session (User.Display,
// what loginctl picks). When the target display is foreign (see
// [Host.Display]) the session must be on that display.
func (h *Host) logindSession(ctx context.Context) (*dbus.Conn, dbus.BusObject, error) {
	conn, err := dbus.ConnectSystemBus(dbus.WithContext(ctx))
	if err != nil {
		return nil, nil, fmt.Errorf("system bus: %w", err)
	}
	path, err := findSession(ctx, conn)
	if err != nil {
		_ = conn.Close()
		return nil, nil, err
	}
	s := conn.Object(logindDest, path)
	if h.foreignDisplay() {
		v, err := s.GetProperty(logindSessionIf + ".Display")
		if err != nil {
			_ = conn.Close()
			return nil, nil, fmt.Errorf("session %s display: %w", path, err)
		}
		if d, _ := v.Value().(string); d != h.display() {
			_ = conn.Close()
			return nil, nil, fmt.Errorf("session %s is on display %q, not %q", path, d, h.display())
		}
	}
	return conn, s, nil
}

func findSession(ctx context.Context, conn *dbus.Conn) (dbus.ObjectPath, error) {
	mgr := conn.Object(logindDest, logindPath)
	var path dbus.ObjectPath
	errPID := mgr.CallWithContext(ctx, logindManager+".GetSessionByPID", 0, uint32(os.Getpid())).Store(&path)
	if errPID == nil {
		return path, nil
	}
	if id := os.Getenv("XDG_SESSION_ID"); id != "" {
		if err := mgr.CallWithContext(ctx, logindManager+".GetSession", 0, id).Store(&path); err == nil {
			return path, nil
		}
	}
	var user dbus.ObjectPath
	if err := mgr.CallWithContext(ctx, logindManager+".GetUser", 0, uint32(os.Getuid())).Store(&user); err != nil {
		return "", fmt.Errorf("find session: by pid: %v; user %d: %w", errPID, os.Getuid(), err)
	}
	v, err := conn.Object(logindDest, user).GetProperty(logindUserIf + ".Display")
	if err != nil {
		return "", fmt.Errorf("find session: user display: %w", err)
	}
	// User.Display is a (session id, object path) pair; "/" means none.
	var pair struct {
		ID   string
		Path dbus.ObjectPath
	}
	if err := dbus.Store([]any{v.Value()}, &pair); err != nil {
		return "", fmt.Errorf("find session: user display %v: %w", v, err)
	}
	if pair.Path == "" || pair.Path == "/" {
		return "", fmt.Errorf("find session: by pid: %v; user %d has no graphical session", errPID, os.Getuid())
	}
	return pair.Path, nil
}

// logindLock asks logind to lock the session and waits briefly for a screen
// locker to confirm through LockedHint. Desktops that lock without setting
// the hint (a bare window manager with xss-lock, for example) report
// errLockNotConfirmed, and the X fallbacks run.
func (h *Host) logindLock(ctx context.Context) (int, error) {
	conn, s, err := h.logindSession(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if err := s.CallWithContext(ctx, logindSessionIf+".Lock", 0).Err; err != nil {
		return 0, fmt.Errorf("lock %s: %w", s.Path(), err)
	}
	deadline := time.NewTimer(lockConfirmWait)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if v, err := s.GetProperty(logindSessionIf + ".LockedHint"); err == nil {
			if locked, _ := v.Value().(bool); locked {
				return 0, nil
			}
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-deadline.C:
			return 0, errLockNotConfirmed
		case <-tick.C:
		}
	}
}

// logindTerminate asks logind to end the session, which ends every process
// in it.
func (h *Host) logindTerminate(ctx context.Context) (int, error) {
	conn, s, err := h.logindSession(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if err := s.CallWithContext(ctx, logindSessionIf+".Terminate", 0).Err; err != nil {
		return 0, fmt.Errorf("terminate %s: %w", s.Path(), err)
	}
	return 0, nil
}
