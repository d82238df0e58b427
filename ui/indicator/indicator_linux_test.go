package indicator

import (
	"errors"
	"image"
	"image/color"
	"io"
	"log"
	"log/slog"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/shape"
	"github.com/jezek/xgb/xproto"
	"go.uber.org/goleak"

	"github.com/tandemhq/tandem/internal/xvfb"
)

func TestMain(m *testing.M) {
	// xgb logs to stderr through a package variable; the tests' X
	// servers have no authority file, which it reports on every connect.
	xgb.Logger = log.New(io.Discard, "", 0)
	goleak.VerifyTestMain(m)
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// desk is another X client on the test's display: it reads the screen
// and opens ordinary windows.
type desk struct {
	t      *testing.T
	conn   *xgb.Conn
	screen *xproto.ScreenInfo
}

func newDesk(t *testing.T, d *xvfb.Display) *desk {
	t.Helper()
	conn, err := xgb.NewConnDisplay(d.Name)
	if err != nil {
		t.Fatalf("connect %s: %v", d.Name, err)
	}
	t.Cleanup(conn.Close)
	return &desk{t: t, conn: conn, screen: xproto.Setup(conn).DefaultScreen(conn)}
}

// at returns the colour on the screen at p.
func (k *desk) at(p image.Point) color.RGBA {
	k.t.Helper()
	r, err := xproto.GetImage(k.conn, xproto.ImageFormatZPixmap, xproto.Drawable(k.screen.Root),
		int16(p.X), int16(p.Y), 1, 1, 0xffffffff).Reply()
	if err != nil || len(r.Data) < 4 {
		k.t.Fatalf("GetImage at %v: %v", p, err)
	}
	return color.RGBA{R: r.Data[2], G: r.Data[1], B: r.Data[0], A: 255}
}

// window maps an ordinary window filled with c at r.
func (k *desk) window(r image.Rectangle, c color.RGBA) xproto.Window {
	k.t.Helper()
	w, err := xproto.NewWindowId(k.conn)
	if err != nil {
		k.t.Fatal(err)
	}
	if err := xproto.CreateWindowChecked(k.conn, k.screen.RootDepth, w, k.screen.Root, int16(r.Min.X), int16(r.Min.Y),
		uint16(r.Dx()), uint16(r.Dy()), 0, xproto.WindowClassInputOutput, k.screen.RootVisual,
		xproto.CwBackPixel, []uint32{pixelOf(c)}).Check(); err != nil {
		k.t.Fatalf("create window: %v", err)
	}
	if err := xproto.MapWindowChecked(k.conn, w).Check(); err != nil {
		k.t.Fatalf("map window: %v", err)
	}
	return w
}

// waitColour polls the screen until it shows c at p; the banner raises
// itself a moment after another window covers it.
func (k *desk) waitColour(p image.Point, c color.RGBA, what string) {
	k.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := k.at(p)
		if got == c {
			return
		}
		if time.Now().After(deadline) {
			k.t.Fatalf("%s: at %v got %v; want %v", what, p, got, c)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var red = color.RGBA{R: 200, G: 20, B: 20, A: 255}

// checkBanner checks that b is a banner at the top centre of a screen w
// wide, drawn on the screen with text in it.
func checkBanner(t *testing.T, k *desk, b image.Rectangle, w int) {
	t.Helper()
	if b.Min.Y != 0 || b.Dy() != height || abs(b.Min.X+b.Max.X-w) > 1 || b.Dx() < 100 {
		t.Errorf("bounds: got %v; want a banner %d high at the top centre of %d", b, height, w)
	}
	k.waitColour(image.Pt(b.Min.X+padding/2, b.Min.Y+b.Dy()/2), background, "the banner's left")
	if got := k.at(b.Min); got != edge {
		t.Errorf("the banner's corner: got %v; want its edge %v", got, edge)
	}
	text := 0
	for x := b.Min.X + padding; x < b.Max.X-padding; x++ {
		if c := k.at(image.Pt(x, b.Min.Y+b.Dy()/2)); c.R > 200 && c.G > 200 && c.B > 200 {
			text++
		}
	}
	if text == 0 {
		t.Error("no white text across the banner's middle")
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestShowStaysOnTop(t *testing.T) {
	const w = 1280
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: w, Height: 800}}})
	k := newDesk(t, d)
	ind, err := Show(d.Name, "This computer is being supported — Ray", testLogger(t))
	if err != nil {
		t.Fatalf("Show: %v", err)
	}
	defer ind.Close()
	b := ind.Bounds()
	checkBanner(t, k, b, w)

	// It takes no input: its input shape is empty.
	if err := shape.Init(k.conn); err != nil {
		t.Fatal(err)
	}
	rects, err := shape.GetRectangles(k.conn, ind.win, shape.SkInput).Reply()
	if err != nil {
		t.Fatalf("input shape: %v", err)
	}
	if len(rects.Rectangles) != 0 {
		t.Errorf("input shape: got %v; want none", rects.Rectangles)
	}

	// A window opened over it does not cover it.
	k.window(image.Rect(0, 0, w, 200), red)
	k.waitColour(image.Pt(b.Min.X+padding/2, b.Min.Y+b.Dy()/2), background, "after a window was mapped over it")
	if got := k.at(image.Pt(10, 100)); got != red {
		t.Errorf("the window beside the banner: got %v; want %v", got, red)
	}

	// Longer text: a wider banner, still centred.
	if err := ind.SetText("This computer is being supported — Raymond Luxury-Yacht, Tier 2"); err != nil {
		t.Fatalf("SetText: %v", err)
	}
	b2 := ind.Bounds()
	if b2.Dx() <= b.Dx() {
		t.Errorf("SetText with longer text: got width %d; want more than %d", b2.Dx(), b.Dx())
	}
	checkBanner(t, k, b2, w)

	if err := ind.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	k.waitColour(image.Pt(b2.Min.X+padding/2, b2.Min.Y+b2.Dy()/2), red, "after Close")
	if err := ind.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	if err := ind.SetText("x"); !errors.Is(err, ErrClosed) {
		t.Errorf("SetText after Close: got %v; want ErrClosed", err)
	}
}

// TestShowUnderWindowManager: under a real window manager (Openbox),
// which frames, raises and focuses the windows it manages, the banner
// stays above a window the manager maps and raises.
func TestShowUnderWindowManager(t *testing.T) {
	const w = 1024
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: w, Height: 768}}})
	wm := exec.Command("openbox", "--sm-disable")
	wm.Env = d.Env()
	if err := wm.Start(); err != nil {
		t.Fatalf("start openbox (Debian package openbox): %v", err)
	}
	t.Cleanup(func() { _ = wm.Process.Kill(); _ = wm.Wait() })
	k := newDesk(t, d)
	waitWM(t, k)

	ind, err := Show(d.Name, "This computer is being supported — Ray", testLogger(t))
	if err != nil {
		t.Fatalf("Show: %v", err)
	}
	defer ind.Close()
	b := ind.Bounds()
	checkBanner(t, k, b, w)
	// As big as the screen, so that the manager cannot place it beside
	// the banner.
	win := k.window(image.Rect(0, 0, w, 768), red)
	k.waitColour(image.Pt(w/2, 200), red, "the managed window")
	if err := xproto.ConfigureWindowChecked(k.conn, win, xproto.ConfigWindowStackMode, []uint32{xproto.StackModeAbove}).Check(); err != nil {
		t.Fatal(err)
	}
	k.waitColour(image.Pt(b.Min.X+padding/2, b.Min.Y+b.Dy()/2), background, "the banner above a managed window")
}

// waitWM waits until a window manager manages windows: until it frames
// a probe window. Openbox owns WM_S0 a while before it handles map
// requests, and drops those that come in between, so the probe asks
// again each second.
func waitWM(t *testing.T, k *desk) {
	t.Helper()
	probe, err := xproto.NewWindowId(k.conn)
	if err != nil {
		t.Fatal(err)
	}
	if err := xproto.CreateWindowChecked(k.conn, k.screen.RootDepth, probe, k.screen.Root, 0, 0, 10, 10, 0,
		xproto.WindowClassInputOutput, k.screen.RootVisual, 0, nil).Check(); err != nil {
		t.Fatalf("create the probe: %v", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	var asked time.Time
	for ; ; time.Sleep(20 * time.Millisecond) {
		if time.Since(asked) > time.Second {
			if err := xproto.MapWindowChecked(k.conn, probe).Check(); err != nil {
				t.Fatalf("map the probe: %v", err)
			}
			asked = time.Now()
		}
		r, err := xproto.QueryTree(k.conn, probe).Reply()
		if err == nil && r.Parent != k.screen.Root {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the window manager did not map a window within 20s")
		}
	}
	if err := xproto.DestroyWindowChecked(k.conn, probe).Check(); err != nil {
		t.Fatalf("destroy the probe: %v", err)
	}
}

func TestRenderCutsLongText(t *testing.T) {
	for _, tt := range []struct {
		name     string
		text     string
		maxWidth int
	}{
		{"fits", "Supported", 400},
		{"cut", strings.Repeat("This computer is being supported ", 20), 300},
		{"tiny", "Supported", 1},
		{"empty", "", 300},
	} {
		t.Run(tt.name, func(t *testing.T) {
			img, err := render(tt.text, tt.maxWidth)
			if err != nil {
				t.Fatal(err)
			}
			if img.Rect.Dx() > max(tt.maxWidth, 1) || img.Rect.Dy() != height {
				t.Errorf("got %v; want at most %d wide and %d high", img.Rect, tt.maxWidth, height)
			}
		})
	}
}

// TestShowFollowsResolution: when the screen changes size the banner
// moves to the new top centre.
func TestShowFollowsResolution(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1920, Height: 1080}}})
	k := newDesk(t, d)
	ind, err := Show(d.Name, "This computer is being supported — Ray", testLogger(t))
	if err != nil {
		t.Fatalf("Show: %v", err)
	}
	defer ind.Close()
	checkBanner(t, k, ind.Bounds(), 1920)

	xrandr(t, d, "--newmode", "small", "60", "1024", "1032", "1040", "1048", "768", "770", "772", "774")
	xrandr(t, d, "--addmode", "screen", "small")
	xrandr(t, d, "--output", "screen", "--mode", "small")
	deadline := time.Now().Add(20 * time.Second)
	for b := ind.Bounds(); abs(b.Min.X+b.Max.X-1024) > 1; b = ind.Bounds() {
		if time.Now().After(deadline) {
			t.Fatalf("bounds after the screen became 1024 wide: got %v; want centred", b)
		}
		time.Sleep(10 * time.Millisecond)
	}
	checkBanner(t, k, ind.Bounds(), 1024)
}

func xrandr(t *testing.T, d *xvfb.Display, args ...string) {
	t.Helper()
	cmd := exec.Command("xrandr", args...)
	cmd.Env = d.Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xrandr %s: %v: %s", strings.Join(args, " "), err, out)
	}
}
