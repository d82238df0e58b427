package ui_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/internal/xvfb"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
	"github.com/tandemhq/tandem/ui"
)

// TestConsoleDrivenByKeyboard runs the real console on Xvfb against a real
// server and drives it with X key events only: Ctrl+N takes the customer
// who waited longest, and a line typed and sent with Enter reaches that
// customer. With TANDEM_SCREENSHOTS=DIR the console is saved there as
// console.png (a live session: queue, chat, summary tabs).
func TestConsoleDrivenByKeyboard(t *testing.T) {
	h := servertest.Start(t)
	bin := filepath.Join(t.TempDir(), "rep")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/rep").CombinedOutput(); err != nil {
		t.Fatalf("build rep: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1280, Height: 800}}})
	run(t, d, []string{"TANDEM_PASSWORD=" + h.AdminPassword}, bin, "-server", h.URL, "-user", h.AdminUser, "-fingerprint", h.Fingerprint)
	waitWindow(t, ctx, d, "Tandem Console")

	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint}
	keys, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	join := func(name string) *client.Customer {
		t.Helper()
		k, err := keys.CreateKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c, err := client.Join(ctx, cfg, k.Code, name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	ada := join("Ada Lovelace")
	join("Bo Diddley")

	xdo := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, "xdotool", args...)
		cmd.Env = d.Env()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("xdotool %v: %v\n%s", args, err, out)
		}
	}
	// Both customers' alerts are up (each a window of its own, which may
	// take the focus while it appears) before the console gets the focus.
	for {
		cmd := exec.CommandContext(ctx, "xdotool", "search", "--onlyvisible", "--name", ui.AlertWindowTitle)
		cmd.Env = d.Env()
		out, _ := cmd.Output()
		if len(strings.Fields(string(out))) >= 2 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the two alert windows never appeared")
		case <-time.After(100 * time.Millisecond):
		}
	}
	// Without a window manager, focus the console's window by hand.
	xdo("search", "--sync", "--name", "Tandem Console", "windowfocus", "--sync")
	time.Sleep(time.Second) // let the console draw both waiting customers before the key
	xdo("key", "--clearmodifiers", "ctrl+n")

	// Ada, who waited longest, is taken: her session gains the rep.
	for accepted := false; !accepted; {
		select {
		case ev := <-ada.Session().Events():
			if e, ok := ev.(client.SessionChanged); ok && e.Info.State == protocol.StateActive {
				accepted = true
			}
		case <-ctx.Done():
			t.Fatal("Ctrl+N did not take Ada's session")
		}
	}
	if err := ada.Session().SendChat(ctx, "Hello, my printer prints blank pages."); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the new tab takes the focus to its chat line once drawn
	xdo("type", "--delay", "20", "Hello Ada, let me have a look.")
	xdo("key", "Return")
	for got := false; !got; {
		select {
		case ev := <-ada.Session().Events():
			if e, ok := ev.(client.ChatReceived); ok && e.Message.Role == protocol.RoleRep {
				if e.Message.Text != "Hello Ada, let me have a look." {
					t.Fatalf("the customer got %q from the rep", e.Message.Text)
				}
				got = true
			}
		case <-ctx.Done():
			t.Fatal("the typed line never reached the customer")
		}
	}
	time.Sleep(time.Second) // let the console draw the echo
	shot := screenshot(t, d)
	if n := colours(t, shot); n < 8 {
		t.Errorf("console has %d colours; want a drawn window", n)
	}
	if dir := os.Getenv("TANDEM_SCREENSHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "console.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	q, err := keys.Queue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Waiting) != 1 || !strings.HasPrefix(q.Waiting[0].CustomerName, "Bo") {
		t.Errorf("still waiting: %+v; want Bo", q.Waiting)
	}
}
