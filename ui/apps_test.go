package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/internal/xvfb"
	"github.com/tandemhq/tandem/server/servertest"
)

// TestAppsDrawTheirWindows builds both apps, runs each on its own Xvfb
// display against a real server, and checks that each draws its window:
// the customer joins with a key link, and the console shows the customer
// waiting. With TANDEM_SCREENSHOTS=DIR set, the screenshots are kept there
// as rep-waiting.png and customer-joined.png.
func TestAppsDrawTheirWindows(t *testing.T) {
	h := servertest.Start(t)
	bin := t.TempDir()
	for _, app := range []string{"rep", "customer"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(bin, app), "../cmd/"+app)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", app, err, out)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()

	repDisplay := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1200, Height: 760}}})
	custDisplay := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 640, Height: 720}}})

	run(t, repDisplay, []string{"TANDEM_PASSWORD=" + h.AdminPassword}, filepath.Join(bin, "rep"),
		"-server", h.URL, "-user", h.AdminUser, "-fingerprint", h.Fingerprint)
	waitWindow(t, ctx, repDisplay, "Tandem Console")

	rep, err := client.SignIn(ctx, client.Config{Server: h.URL, Fingerprint: h.Fingerprint}, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	key, err := rep.CreateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	run(t, custDisplay, nil, filepath.Join(bin, "customer"), "-join", key.URL, "-name", "Ada Lovelace")
	waitWindow(t, ctx, custDisplay, "Tandem Support")

	// The customer app joined: Ada waits in the queue.
	for {
		q, err := rep.Queue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Waiting) == 1 && q.Waiting[0].CustomerName == "Ada Lovelace" {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the customer app never joined; queue %+v", q.Waiting)
		case <-time.After(100 * time.Millisecond):
		}
	}
	time.Sleep(2 * time.Second) // let both windows draw the latest state

	for name, d := range map[string]*xvfb.Display{"rep-waiting": repDisplay, "customer-joined": custDisplay} {
		shot := screenshot(t, d)
		if n := colours(t, shot); n < 8 {
			t.Errorf("%s window has %d colours; want a drawn window", name, n)
		}
		if dir := os.Getenv("TANDEM_SCREENSHOTS"); dir != "" {
			if err := os.WriteFile(filepath.Join(dir, name+".png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// run starts an app on the display and kills it when the test ends.
func run(t *testing.T, d *xvfb.Display, env []string, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(d.Env(), "HOME="+t.TempDir(), "LANG=C.UTF-8"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(bin), out.String())
		}
	})
}

// waitWindow waits until a window with the title is mapped on the display.
func waitWindow(t *testing.T, ctx context.Context, d *xvfb.Display, title string) {
	t.Helper()
	for {
		cmd := exec.CommandContext(ctx, "xwininfo", "-root", "-tree")
		cmd.Env = d.Env()
		out, err := cmd.Output()
		if err == nil && strings.Contains(string(out), fmt.Sprintf("%q", title)) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no window %q on %s: %v\n%s", title, d.Name, err, out)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func screenshot(t *testing.T, d *xvfb.Display) []byte {
	t.Helper()
	cmd := exec.Command("import", "-window", "root", "png:-")
	cmd.Env = d.Env()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("screenshot of %s: %v", d.Name, err)
	}
	return out
}

// colours counts the distinct colours of a PNG, up to 1000.
func colours(t *testing.T, b []byte) int {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode screenshot: %v", err)
	}
	seen := map[[4]uint32]bool{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 3 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= 1000 {
				return len(seen)
			}
		}
	}
	return len(seen)
}
