package host

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/tandemhq/tandem/internal/xvfb"
)

// grabKeyboard tries to grab the keyboard of display's root window as
// another X client would, and releases it again on success.
func grabKeyboard(t *testing.T, display string) byte {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatalf("connect to %s: %v", display, err)
	}
	defer conn.Close()
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	r, err := xproto.GrabKeyboard(conn, false, root, xproto.TimeCurrentTime,
		xproto.GrabModeAsync, xproto.GrabModeAsync).Reply()
	if err != nil {
		t.Fatalf("GrabKeyboard on %s: %v", display, err)
	}
	if r.Status == xproto.GrabStatusSuccess {
		if err := xproto.UngrabKeyboardChecked(conn, xproto.TimeCurrentTime).Check(); err != nil {
			t.Fatalf("UngrabKeyboard: %v", err)
		}
	}
	return r.Status
}

// TestLockXvfb locks a private Xvfb display for real. logind is not running
// here, so the fallback chain runs until i3lock, which locks the display as
// root and holds the keyboard grab: another client's GrabKeyboard gets
// AlreadyGrabbed. The test unlocks by killing i3lock's process group.
func TestLockXvfb(t *testing.T) {
	if _, err := exec.LookPath("i3lock"); err != nil {
		t.Fatalf("i3lock is needed (Debian package i3lock): %v", err)
	}
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1024, Height: 768}}})
	if got := grabKeyboard(t, d.Name); got != xproto.GrabStatusSuccess {
		t.Fatalf("grab before lock: got status %d; want %d (Success)", got, xproto.GrabStatusSuccess)
	}

	h := &Host{Display: d.Name}
	out, err := h.Lock(t.Context())
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	if out.lockerGroup > 0 {
		group := out.lockerGroup
		t.Cleanup(func() { _ = syscall.Kill(-group, syscall.SIGKILL) })
	}
	if out.Method != "i3lock" {
		t.Fatalf("Lock method: got %q; want %q (tried %v)", out.Method, "i3lock", out.Tried)
	}
	if len(out.Tried) == 0 || out.Tried[0].Method != "logind" {
		t.Errorf("Lock tried: got %v; want logind first", out.Tried)
	}
	for _, a := range out.Tried {
		t.Logf("tried %s: %v", a.Method, a.Err)
	}
	if out.lockerGroup <= 0 {
		t.Fatalf("Lock returned no locker process group")
	}
	if got := grabKeyboard(t, d.Name); got != xproto.GrabStatusAlreadyGrabbed {
		t.Fatalf("grab while locked: got status %d; want %d (AlreadyGrabbed)", got, xproto.GrabStatusAlreadyGrabbed)
	}

	// Unlock: kill i3lock. The X server releases the grab when i3lock's
	// connection closes, which follows the kill shortly.
	if err := syscall.Kill(-out.lockerGroup, syscall.SIGTERM); err != nil {
		t.Fatalf("kill i3lock group %d: %v", out.lockerGroup, err)
	}
	var got byte
	for range 200 {
		if got = grabKeyboard(t, d.Name); got == xproto.GrabStatusSuccess {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got != xproto.GrabStatusSuccess {
		t.Fatalf("grab after killing i3lock: got status %d; want %d (Success)", got, xproto.GrabStatusSuccess)
	}
}

// TestLogOffNoMethod runs the log-off chain against a private display with
// no desktop session on it: every method fails and the error lists them.
// The display is foreign, so neither logind nor a desktop's session bus is
// asked to act on the session the test runs in.
func TestLogOffNoMethod(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{})
	h := &Host{Display: d.Name}
	out, err := h.LogOff(t.Context())
	if err == nil {
		t.Fatalf("LogOff: got %+v, nil; want an error", out)
	}
	if !errors.Is(err, ErrNoMethod) {
		t.Errorf("LogOff error: got %v; want it to wrap ErrNoMethod", err)
	}
	var ae *AttemptError
	if !errors.As(err, &ae) {
		t.Fatalf("LogOff error: got %T; want *AttemptError", err)
	}
	var names []string
	for _, a := range ae.Attempts {
		names = append(names, a.Method)
	}
	want := "logind gnome-session-quit xfce4-session-logout mate-session-save"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("LogOff attempts: got %q; want %q", got, want)
	}
}

// TestLockDeadDisplay: on a display nobody serves (and, being foreign, not
// the session logind or the session bus belong to) every method fails with
// its reason, and the error lists them all.
func TestLockDeadDisplay(t *testing.T) {
	h := &Host{Display: ":65000"}
	_, err := h.Lock(t.Context())
	var ae *AttemptError
	if !errors.As(err, &ae) {
		t.Fatalf("Lock: got %v; want *AttemptError", err)
	}
	var names []string
	for _, a := range ae.Attempts {
		names = append(names, a.Method)
	}
	want := "logind xdg-screensaver gnome-screensaver-command xscreensaver-command dm-tool i3lock"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("Lock attempts: got %q; want %q", got, want)
	}
	if !strings.Contains(err.Error(), "i3lock: ") {
		t.Errorf("Lock error %q: want it to name i3lock's failure", err)
	}
}

func TestIsElevatedAsRoot(t *testing.T) {
	if got, want := IsElevated(), os.Geteuid() == 0; got != want {
		t.Errorf("IsElevated: got %v; want %v (euid %d)", got, want, os.Geteuid())
	}
}
