//go:build linux

package ui_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/internal/x11win"
	"github.com/tandemhq/tandem/internal/x11win/x11wintest"
	"github.com/tandemhq/tandem/internal/xvfb"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
	"github.com/tandemhq/tandem/ui"
)

// TestAlertWindowOnScreen runs the real console on Xvfb with a window
// manager (Openbox) against a real server. A customer arrives: the alert
// is a window of its own at the lower right of the screen, kept above the
// console, and a click on it accepts the customer's session.
func TestAlertWindowOnScreen(t *testing.T) {
	const margin = 16 // the console's distance from the screen's edges
	h := servertest.Start(t)
	bin := filepath.Join(t.TempDir(), "rep")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/rep").CombinedOutput(); err != nil {
		t.Fatalf("build rep: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1280, Height: 800}}})
	x11wintest.StartOpenbox(t, d)
	run(t, d, []string{"TANDEM_PASSWORD=" + h.AdminPassword}, bin, "-server", h.URL, "-user", h.AdminUser, "-fingerprint", h.Fingerprint)
	waitWindow(t, ctx, d, "Tandem Console")

	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint}
	keys, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	k, err := keys.CreateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ada, err := client.Join(ctx, cfg, k.Code, "Ada Lovelace")
	if err != nil {
		t.Fatal(err)
	}
	defer ada.Close()

	win, err := x11win.Find(ctx, d.Name, x11win.Match{Title: ui.AlertWindowTitle})
	if err != nil {
		t.Fatal(err)
	}
	var f x11win.Rect
	for {
		f, err = x11win.Frame(ctx, d.Name, win)
		if err == nil && f.X+f.Width == 1280-margin && f.Y+f.Height == 800-margin {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("alert window at %v, %v; want its lower right at %d,%d", f, err, 1280-margin, 800-margin)
		case <-time.After(50 * time.Millisecond):
		}
	}
	for {
		c := exec.CommandContext(ctx, "xprop", "-id", strconv.Itoa(int(win)), "_NET_WM_STATE")
		c.Env = d.Env()
		if o, _ := c.Output(); strings.Contains(string(o), "_NET_WM_STATE_ABOVE") {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the alert window is not kept above")
		case <-time.After(50 * time.Millisecond):
		}
	}

	// The console, which had the focus, keeps it (or gets it back).
	console, err := x11win.Find(ctx, d.Name, x11win.Match{Title: "Tandem Console"})
	if err != nil {
		t.Fatal(err)
	}
	for {
		active, err := x11win.Active(ctx, d.Name)
		if err == nil && active == console {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the active window is %#x, %v; want the console %#x", uint32(active), err, uint32(console))
		case <-time.After(50 * time.Millisecond):
		}
	}

	// A click in the middle of the alert (on its text) accepts.
	xdo := exec.CommandContext(ctx, "xdotool", "mousemove", strconv.Itoa(f.X+f.Width/2), strconv.Itoa(f.Y+f.Height/2), "click", "1")
	xdo.Env = d.Env()
	if o, err := xdo.CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v: %s", err, o)
	}
	for {
		select {
		case ev := <-ada.Session().Events():
			if e, ok := ev.(client.SessionChanged); ok && e.Info.State == protocol.StateActive {
				return
			}
		case <-ctx.Done():
			t.Fatal("a click on the alert window did not accept Ada's session")
		}
	}
}
