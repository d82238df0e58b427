package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// Linux locks and logs off through logind first, then through the programs
// a desktop without logind (or whose locker ignores logind) offers on the X
// display in [Host.Display]:
//
//	lock:    logind Session.Lock (confirmed by LockedHint), xdg-screensaver lock,
//	         gnome-screensaver-command --lock, xscreensaver-command -lock,
//	         dm-tool lock, i3lock
//	log off: logind Session.Terminate, gnome-session-quit --logout --no-prompt,
//	         xfce4-session-logout --logout, mate-session-save --logout
//
// i3lock comes last because it is a locker of its own rather than a request
// to the desktop's: it needs nothing but the X display, and it works as
// root, where xscreensaver refuses to lock.

var errNoDisplay = errors.New("no X display (DISPLAY is empty)")

func (h *Host) lockMethods() []method {
	return []method{
		{"logind", h.logindLock},
		h.xProgram("xdg-screensaver", "lock"),
		h.xProgram("gnome-screensaver-command", "--lock"),
		h.xProgram("xscreensaver-command", "-lock"),
		h.xProgram("dm-tool", "lock"),
		{"i3lock", h.i3lock},
	}
}

func (h *Host) logOffMethods() []method {
	return []method{
		{"logind", h.logindTerminate},
		h.xProgram("gnome-session-quit", "--logout", "--no-prompt"),
		h.xProgram("xfce4-session-logout", "--logout"),
		h.xProgram("mate-session-save", "--logout"),
	}
}

// xProgram is a method that runs a desktop program on the X display.
func (h *Host) xProgram(name string, args ...string) method {
	return method{name: name, run: func(ctx context.Context) (int, error) {
		if h.display() == "" {
			return 0, errNoDisplay
		}
		return 0, runProgram(ctx, h.childEnv(), name, args...)
	}}
}

// i3lock starts i3lock on the display. i3lock grabs the keyboard and
// pointer, then forks: the parent exits 0 once the display is locked (or
// non-zero with "Cannot grab pointer/keyboard"), and the child keeps the
// display locked until the customer types their password.
//
// The child must outlive this process, which is the point of a lock at
// session end, and must hold nothing of it: i3lock starts in a session and
// process group of its own (so the client's terminal, signals and process
// group do not reach it), with stdin and stdout on /dev/null and stderr in
// a temporary file (a pipe would stay open in the child and keep Wait
// waiting for as long as the display is locked). No parent-death signal is
// set. The returned process group is the one i3lock's children stay in;
// tests unlock by killing it.
func (h *Host) i3lock(ctx context.Context) (int, error) {
	if h.display() == "" {
		return 0, errNoDisplay
	}
	path, err := exec.LookPath("i3lock")
	if err != nil {
		return 0, errNotInstalled
	}
	stderr, err := os.CreateTemp("", "tandem-i3lock-*.log")
	if err != nil {
		return 0, fmt.Errorf("stderr file: %w", err)
	}
	defer os.Remove(stderr.Name())
	defer stderr.Close()
	cmd := exec.CommandContext(ctx, path)
	cmd.Env = h.childEnv()
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	runErr := cmd.Run()
	if runErr != nil {
		msg, _ := os.ReadFile(stderr.Name())
		return 0, programError(runErr, string(msg))
	}
	// With Setsid the started process leads a new process group; the forked
	// locker stays in it after its parent has exited.
	return cmd.Process.Pid, nil
}
