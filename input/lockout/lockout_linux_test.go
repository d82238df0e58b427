package lockout

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/tandemhq/tandem/internal/xrecorder"
	"github.com/tandemhq/tandem/internal/xvfb"
)

// Xvfb's default keymap (evdev, us): keycodes and keysyms of the keys the
// tests type with xdotool.
const (
	kcA, symA = 38, 0x61
	kcC, symC = 54, 0x63
)

// client is another X client on the display, which tries to grab the
// devices as a rival application or screen locker would.
type client struct {
	conn *xgb.Conn
	root xproto.Window
}

func dial(t *testing.T, d *xvfb.Display) *client {
	t.Helper()
	c, err := xgb.NewConnDisplay(d.Name)
	if err != nil {
		t.Fatalf("connect to %s: %v", d.Name, err)
	}
	t.Cleanup(c.Close)
	return &client{conn: c, root: xproto.Setup(c).DefaultScreen(c).Root}
}

// grab tries to grab the pointer and the keyboard and returns both
// statuses; what it grabbed it ungrabs again before returning.
func (c *client) grab(t *testing.T) (pointer, keyboard byte) {
	t.Helper()
	p, err := xproto.GrabPointer(c.conn, false, c.root, 0, xproto.GrabModeAsync, xproto.GrabModeAsync,
		xproto.WindowNone, xproto.CursorNone, xproto.TimeCurrentTime).Reply()
	if err != nil {
		t.Fatalf("GrabPointer: %v", err)
	}
	k, err := xproto.GrabKeyboard(c.conn, false, c.root, xproto.TimeCurrentTime, xproto.GrabModeAsync, xproto.GrabModeAsync).Reply()
	if err != nil {
		t.Fatalf("GrabKeyboard: %v", err)
	}
	xproto.UngrabPointer(c.conn, xproto.TimeCurrentTime)
	xproto.UngrabKeyboard(c.conn, xproto.TimeCurrentTime)
	if _, err := xproto.GetInputFocus(c.conn).Reply(); err != nil {
		t.Fatal(err)
	}
	return p.Status, k.Status
}

// wantGrabbed checks that the client cannot grab either device.
func (c *client) wantGrabbed(t *testing.T) {
	t.Helper()
	p, k := c.grab(t)
	if p != xproto.GrabStatusAlreadyGrabbed || k != xproto.GrabStatusAlreadyGrabbed {
		t.Errorf("another client's grabs: pointer %s, keyboard %s; want both %s",
			grabStatus(p), grabStatus(k), grabStatus(xproto.GrabStatusAlreadyGrabbed))
	}
}

// xdotool runs xdotool on d: its key, mousemove and click commands inject
// through XTest, as any synthetic input would.
func xdotool(t *testing.T, d *xvfb.Display, args ...string) {
	t.Helper()
	cmd := exec.Command("xdotool", args...)
	cmd.Env = d.Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// input types and clicks with xdotool while a lockout should swallow
// everything: a key, a move to (300, 300) and a click.
func typeWhileLocked(t *testing.T, d *xvfb.Display) {
	t.Helper()
	xdotool(t, d, "key", "a")
	xdotool(t, d, "mousemove", "300", "300")
	xdotool(t, d, "click", "1")
}

// expectInputBack moves the pointer to (310, 310) and types c, and expects
// exactly those as the recorder's next events: nothing typed during the
// lockout reached it, and input arrives again.
func expectInputBack(t *testing.T, d *xvfb.Display, r *xrecorder.Recorder) {
	t.Helper()
	xdotool(t, d, "mousemove", "310", "310")
	xdotool(t, d, "key", "c")
	r.Expect(t,
		xrecorder.Motion(310, 310, 0),
		xrecorder.KeyPress(kcC, symC, 310, 310, 0),
		xrecorder.KeyRelease(kcC, symC, 310, 310, 0))
}

// start starts a display with a recorder, and checks that xdotool's input
// reaches it before any lockout.
func start(t *testing.T) (*xvfb.Display, *xrecorder.Recorder) {
	t.Helper()
	d := xvfb.Start(t, xvfb.Options{})
	r := xrecorder.Start(t, d.Name)
	xdotool(t, d, "mousemove", "100", "100")
	xdotool(t, d, "key", "a")
	r.Expect(t,
		xrecorder.Motion(100, 100, 0),
		xrecorder.KeyPress(kcA, symA, 100, 100, 0),
		xrecorder.KeyRelease(kcA, symA, 100, 100, 0))
	return d, r
}

// TestKilledProcessReleasesInput proves the crash guarantee: a process
// killed with SIGKILL while its lockout is engaged gives the input back.
func TestKilledProcessReleasesInput(t *testing.T) {
	d, r := start(t)
	helper := startHelper(t, d)
	rival := dial(t, d)
	rival.wantGrabbed(t)
	typeWhileLocked(t, d)
	rival.wantGrabbed(t) // still held after all that input

	if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := helper.Wait()
	if ws, ok := helper.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("helper ended with %v; want killed by SIGKILL", err)
	}
	// The server notices the closed connection on its own schedule; wait
	// for it (the minute is a guard against hanging).
	deadline := time.Now().Add(time.Minute)
	for {
		p, k := rival.grab(t)
		if p == xproto.GrabStatusSuccess && k == xproto.GrabStatusSuccess {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the kill: pointer %s, keyboard %s; want both grabbable", grabStatus(p), grabStatus(k))
		}
		time.Sleep(10 * time.Millisecond)
	}
	expectInputBack(t, d, r)
}

func TestRelease(t *testing.T) {
	d, r := start(t)
	l, err := Engage(t.Context(), d.Name, nil)
	if err != nil {
		t.Fatalf("Engage(%q): %v", d.Name, err)
	}
	if !l.Engaged() {
		t.Error("Engaged() after Engage: got false; want true")
	}
	rival := dial(t, d)
	rival.wantGrabbed(t)
	typeWhileLocked(t, d)

	if err := l.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if l.Engaged() {
		t.Error("Engaged() after Release: got true; want false")
	}
	// Release returns once the server has let go: no waiting.
	if p, k := rival.grab(t); p != xproto.GrabStatusSuccess || k != xproto.GrabStatusSuccess {
		t.Errorf("after Release: pointer %s, keyboard %s; want both grabbable", grabStatus(p), grabStatus(k))
	}
	expectInputBack(t, d, r)
	if err := l.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}

	// A new lockout can be engaged after the release.
	l2, err := Engage(t.Context(), d.Name, nil)
	if err != nil {
		t.Fatalf("Engage after Release: %v", err)
	}
	rival.wantGrabbed(t)
	if err := l2.Release(); err != nil {
		t.Fatal(err)
	}
}

func TestEngageBusy(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{})
	l, err := Engage(t.Context(), d.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if _, err := Engage(t.Context(), d.Name, nil); !errors.Is(err, ErrBusy) {
		t.Errorf("second Engage: got %v; want ErrBusy", err)
	}
}

// TestEngageWhileGrabbed checks that Engage gives up with ErrGrabbed while
// another client keeps a device, and leaves nothing grabbed behind.
func TestEngageWhileGrabbed(t *testing.T) {
	for _, device := range []string{"pointer", "keyboard"} {
		t.Run(device, func(t *testing.T) {
			d := xvfb.Start(t, xvfb.Options{})
			rival := dial(t, d)
			var status byte
			if device == "pointer" {
				r, err := xproto.GrabPointer(rival.conn, false, rival.root, 0, xproto.GrabModeAsync, xproto.GrabModeAsync,
					xproto.WindowNone, xproto.CursorNone, xproto.TimeCurrentTime).Reply()
				if err != nil {
					t.Fatal(err)
				}
				status = r.Status
			} else {
				r, err := xproto.GrabKeyboard(rival.conn, false, rival.root, xproto.TimeCurrentTime, xproto.GrabModeAsync, xproto.GrabModeAsync).Reply()
				if err != nil {
					t.Fatal(err)
				}
				status = r.Status
			}
			if status != xproto.GrabStatusSuccess {
				t.Fatalf("rival's %s grab: %s", device, grabStatus(status))
			}
			l, err := Engage(t.Context(), d.Name, nil)
			if !errors.Is(err, ErrGrabbed) || !strings.Contains(err.Error(), device) {
				t.Fatalf("Engage: got %v, %v; want ErrGrabbed naming the %s", l, err, device)
			}
			// Once the rival lets go (its grab call ungrabs), a third
			// client gets both devices: Engage left no grab behind.
			rival.grab(t)
			if p, k := dial(t, d).grab(t); p != xproto.GrabStatusSuccess || k != xproto.GrabStatusSuccess {
				t.Errorf("after the failed Engage: pointer %s, keyboard %s; want both grabbable", grabStatus(p), grabStatus(k))
			}
		})
	}
	t.Run("context cancelled", func(t *testing.T) {
		d := xvfb.Start(t, xvfb.Options{})
		rival := dial(t, d)
		if _, err := xproto.GrabKeyboard(rival.conn, false, rival.root, xproto.TimeCurrentTime, xproto.GrabModeAsync, xproto.GrabModeAsync).Reply(); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := Engage(ctx, d.Name, nil); !errors.Is(err, ErrGrabbed) || !errors.Is(err, context.Canceled) {
			t.Errorf("Engage: got %v; want ErrGrabbed and context.Canceled", err)
		}
	})
}

func TestEngageNoDisplay(t *testing.T) {
	gone := xvfb.Start(t, xvfb.Options{})
	gone.Stop()
	for _, name := range []string{"", gone.Name, ":bogus", "/nonexistent/socket:0"} {
		l, err := Engage(t.Context(), name, nil)
		if !errors.Is(err, ErrNoDisplay) {
			t.Errorf("Engage(%q): got %v, %v; want ErrNoDisplay", name, l, err)
		}
	}
}

// TestDisplayGone checks that a lockout whose X server went away reports
// it is no longer engaged and releases without error.
func TestDisplayGone(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{})
	l, err := Engage(t.Context(), d.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Stop()
	deadline := time.Now().Add(time.Minute)
	for l.Engaged() {
		if time.Now().After(deadline) {
			t.Fatal("Engaged() still true a minute after the display stopped")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := l.Release(); err != nil {
		t.Errorf("Release: %v", err)
	}
}

func BenchmarkEngageRelease(b *testing.B) {
	d := xvfb.Start(b, xvfb.Options{})
	for b.Loop() {
		l, err := Engage(b.Context(), d.Name, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Release(); err != nil {
			b.Fatal(err)
		}
	}
}
