package scene

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"log"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"go.uber.org/goleak"

	"github.com/tandemhq/tandem/internal/xvfb"
)

// deadline bounds every wait for the scene to do something; it is generous
// because the machine is shared, and no test asserts speed.
const deadline = 30 * time.Second

func TestMain(m *testing.M) {
	// xgb logs to the standard logger, for instance when there is no
	// ~/.Xauthority; keep test output for failures.
	xgb.Logger = log.New(io.Discard, "", 0)
	os.Exit(m.Run())
}

func testLogger(t *testing.T) *slog.Logger {
	t.Helper()
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// startScene starts a 1920x1080 Xvfb and a scene on it.
func startScene(t *testing.T, opts Options) (*xvfb.Display, *Scene) {
	t.Helper()
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1920, Height: 1080}}})
	s, err := Start(d.Name, opts, testLogger(t))
	if err != nil {
		t.Fatalf("Start(%s): %v", d.Name, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d, s
}

// grabber reads the root window over its own X connection.
type grabber struct {
	conn *xgb.Conn
	root xproto.Window
	w, h int
}

func newGrabber(t *testing.T, display string) *grabber {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatalf("connect to %s: %v", display, err)
	}
	t.Cleanup(conn.Close)
	setup := xproto.Setup(conn)
	if setup.ImageByteOrder != xproto.ImageOrderLSBFirst {
		t.Fatalf("image byte order %d; want LSBFirst", setup.ImageByteOrder)
	}
	scr := setup.DefaultScreen(conn)
	if scr.RootDepth != 24 {
		t.Fatalf("root depth %d; want 24", scr.RootDepth)
	}
	for _, f := range setup.PixmapFormats {
		if f.Depth == 24 && f.BitsPerPixel != 32 {
			t.Fatalf("depth 24 has %d bits per pixel; want 32", f.BitsPerPixel)
		}
	}
	return &grabber{conn: conn, root: scr.Root, w: int(scr.WidthInPixels), h: int(scr.HeightInPixels)}
}

// grab returns the whole screen as RGBA.
func (g *grabber) grab(t *testing.T) *image.RGBA {
	t.Helper()
	r, err := xproto.GetImage(g.conn, xproto.ImageFormatZPixmap, xproto.Drawable(g.root),
		0, 0, uint16(g.w), uint16(g.h), 0xffffffff).Reply()
	if err != nil {
		t.Fatalf("GetImage: %v", err)
	}
	if len(r.Data) < g.w*g.h*4 {
		t.Fatalf("GetImage returned %d bytes; want %d", len(r.Data), g.w*g.h*4)
	}
	img := image.NewRGBA(image.Rect(0, 0, g.w, g.h))
	for i := 0; i < g.w*g.h; i++ {
		b, gr, rd := r.Data[4*i], r.Data[4*i+1], r.Data[4*i+2]
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = rd, gr, b, 0xff
	}
	return img
}

// rgb returns palette colour i as color.RGBA.
func rgb(i int) color.RGBA {
	p := palette[i]
	return color.RGBA{R: p[0], G: p[1], B: p[2], A: 0xff}
}

// center returns the middle of r.
func center(r image.Rectangle) image.Point {
	return image.Pt((r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2)
}

// rowsEqual reports whether rows [y0,y1) of a and b are the same within x0..x1.
func regionEqual(a, b *image.RGBA, r image.Rectangle) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		if !bytes.Equal(a.Pix[a.PixOffset(r.Min.X, y):a.PixOffset(r.Max.X, y)],
			b.Pix[b.PixOffset(r.Min.X, y):b.PixOffset(r.Max.X, y)]) {
			return false
		}
	}
	return true
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not within %v", what, deadline)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSceneCoversScreen(t *testing.T) {
	d, s := startScene(t, Options{})
	img := newGrabber(t, d.Name).grab(t)

	if got, want := s.Bounds(), image.Rect(0, 0, 1920, 1080); got != want {
		t.Errorf("Bounds() = %v; want %v", got, want)
	}
	if got, want := s.PageRect(), image.Rect(280, 40, 1880, 1080); got != want {
		t.Errorf("PageRect() = %v; want %v", got, want)
	}
	tests := []struct {
		name string
		at   image.Point
		want color.RGBA
	}{
		{"title bar, right end", image.Pt(1910, 20), rgb(colTitle)},
		{"side panel, bottom left", image.Pt(5, 1075), rgb(colPanel)},
		{"panel border", image.Pt(239, 1000), rgb(colPanelBorder)},
		{"desk left of the page", image.Pt(260, 540), rgb(colDesk)},
		{"desk right of the page", image.Pt(1900, 540), rgb(colDesk)},
		{"page right margin", image.Pt(1870, 1070), rgb(colSheet)},
		{"marker centre", center(MarkerRect()), MarkerColourFor(0)},
		{"marker top left", MarkerRect().Min, MarkerColourFor(0)},
		{"marker bottom right", MarkerRect().Max.Sub(image.Pt(1, 1)), MarkerColourFor(0)},
		{"screen bottom right", image.Pt(1919, 1079), rgb(colDesk)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := img.RGBAAt(tt.at.X, tt.at.Y); got != tt.want {
				t.Errorf("pixel at %v = %v; want %v", tt.at, got, tt.want)
			}
		})
	}
	if got, want := s.MarkerColour(), MarkerColourFor(0); got != want {
		t.Errorf("MarkerColour() = %v; want %v", got, want)
	}
	// The page shows text: dark pixels somewhere on it.
	dark := 0
	page := s.PageRect()
	for y := page.Min.Y; y < page.Max.Y; y++ {
		for x := page.Min.X; x < page.Max.X; x++ {
			if img.RGBAAt(x, y) == rgb(colText) {
				dark++
			}
		}
	}
	if dark < 1000 {
		t.Errorf("page has %d text pixels; want at least 1000", dark)
	}
}

func xdotool(t *testing.T, d *xvfb.Display, args ...string) {
	t.Helper()
	cmd := exec.Command("xdotool", args...)
	cmd.Env = d.Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool %v: %v: %s", args, err, out)
	}
}

func clickAt(t *testing.T, d *xvfb.Display, p image.Point, button int) {
	t.Helper()
	xdotool(t, d, "mousemove", strconv.Itoa(p.X), strconv.Itoa(p.Y), "click", strconv.Itoa(button))
}

func TestClickMarker(t *testing.T) {
	d, s := startScene(t, Options{})
	g := newGrabber(t, d.Name)
	mc := center(MarkerRect())

	// Clicks that miss the marker, or use another button, change nothing;
	// X delivers them before the click below, so the count proves it.
	clickAt(t, d, image.Pt(700, 500), 1)
	clickAt(t, d, MarkerRect().Max, 1) // just outside: Max is exclusive
	clickAt(t, d, mc, 3)

	for n := 1; n <= 3; n++ {
		clickAt(t, d, mc, 1)
		waitFor(t, fmt.Sprintf("click %d handled", n), func() bool { return s.Clicks() >= n })
		if got := s.Clicks(); got != n {
			t.Fatalf("Clicks() = %d; want %d", got, n)
		}
		want := MarkerColourFor(n)
		if got := s.MarkerColour(); got != want {
			t.Errorf("after %d clicks MarkerColour() = %v; want %v", n, got, want)
		}
		// Clicks counts only what the server has drawn: no waiting here.
		img := g.grab(t)
		for _, p := range []image.Point{mc, MarkerRect().Min, MarkerRect().Max.Sub(image.Pt(1, 1))} {
			if got := img.RGBAAt(p.X, p.Y); got != want {
				t.Errorf("after %d clicks pixel at %v = %v; want %v", n, p, got, want)
			}
		}
	}
}

func TestMarkerColoursDifferInLuma(t *testing.T) {
	luma := func(c color.RGBA) float64 { return 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B) }
	a, b := luma(MarkerColourFor(0)), luma(MarkerColourFor(1))
	if d := b - a; d < 100 {
		t.Errorf("luma %v and %v differ by %v; want at least 100", a, b, d)
	}
	if MarkerColourFor(2) != MarkerColourFor(0) || MarkerColourFor(3) != MarkerColourFor(1) {
		t.Errorf("MarkerColourFor does not alternate")
	}
}

func TestModes(t *testing.T) {
	d, s := startScene(t, Options{})
	g := newGrabber(t, d.Name)
	page := s.PageRect()
	outside := []image.Rectangle{
		image.Rect(0, 0, 1920, page.Min.Y),          // title bar
		image.Rect(0, page.Min.Y, page.Min.X, 1080), // side panel, marker, desk
		image.Rect(page.Max.X, page.Min.Y, 1920, 1080),
	}

	t.Run("idle", func(t *testing.T) {
		if got := s.Mode(); got != ModeIdle {
			t.Fatalf("Mode() = %v; want %v", got, ModeIdle)
		}
		a := g.grab(t)
		time.Sleep(time.Second)
		b := g.grab(t)
		if !bytes.Equal(a.Pix, b.Pix) {
			t.Errorf("idle screen changed within a second")
		}
	})

	for _, m := range []Mode{ModeTyping, ModeScrolling} {
		t.Run(m.String(), func(t *testing.T) {
			before := g.grab(t)
			if err := s.SetMode(m); err != nil {
				t.Fatalf("SetMode(%v): %v", m, err)
			}
			if got := s.Mode(); got != m {
				t.Fatalf("Mode() = %v; want %v", got, m)
			}
			var after *image.RGBA
			waitFor(t, m.String()+" changes the page", func() bool {
				after = g.grab(t)
				return !regionEqual(before, after, page)
			})
			if err := s.SetMode(ModeIdle); err != nil {
				t.Fatalf("SetMode(idle): %v", err)
			}
			for _, r := range outside {
				if !regionEqual(before, after, r) {
					t.Errorf("%v changed %v, outside the page", m, r)
				}
			}
			// Idle again: nothing moves any more.
			a := g.grab(t)
			time.Sleep(time.Second)
			if b := g.grab(t); !bytes.Equal(a.Pix, b.Pix) {
				t.Errorf("screen changed within a second after SetMode(idle)")
			}
		})
	}
}

// TestScrollMovesContent checks that scrolling moves the page's pixels up
// by the scrolled distance, as a real application's scroll does.
func TestScrollMovesContent(t *testing.T) {
	d, s := startScene(t, Options{ScrollRate: 300})
	g := newGrabber(t, d.Name)
	page := s.PageRect()
	before := g.grab(t)
	off0 := s.page.off
	if err := s.SetMode(ModeScrolling); err != nil {
		t.Fatalf("SetMode: %v", err)
	}
	waitFor(t, "the page scrolls", func() bool {
		return !regionEqual(before, g.grab(t), page)
	})
	if err := s.SetMode(ModeIdle); err != nil {
		t.Fatalf("SetMode: %v", err)
	}
	// SetMode(ModeIdle) has returned: the animator is idle and its state
	// is safe to read.
	dy := s.page.off - off0
	if dy <= 0 || dy >= page.Dy() {
		t.Fatalf("scrolled %d pixels; want between 1 and %d", dy, page.Dy()-1)
	}
	after := g.grab(t)
	for y := page.Min.Y; y < page.Max.Y-dy; y++ {
		a := after.Pix[after.PixOffset(page.Min.X, y):after.PixOffset(page.Max.X, y)]
		b := before.Pix[before.PixOffset(page.Min.X, y+dy):before.PixOffset(page.Max.X, y+dy)]
		if !bytes.Equal(a, b) {
			t.Fatalf("after scrolling %d px, row %d differs from row %d before", dy, y, y+dy)
		}
	}
}

// TestTypingWrapsLines types fast enough to fill lines and checks the
// typed text wraps within the page width at word boundaries.
func TestTypingWrapsLines(t *testing.T) {
	_, s := startScene(t, Options{TypingRate: 400})
	first := s.page.line
	if err := s.SetMode(ModeTyping); err != nil {
		t.Fatalf("SetMode: %v", err)
	}
	var lines []string
	waitFor(t, "typing fills three lines", func() bool {
		if err := s.SetMode(ModeIdle); err != nil {
			t.Fatalf("SetMode: %v", err)
		}
		lines = lines[:0]
		for i := first; i < s.page.line; i++ {
			lines = append(lines, s.page.edits[i])
		}
		if len(lines) >= 3 {
			return true
		}
		if err := s.SetMode(ModeTyping); err != nil {
			t.Fatalf("SetMode: %v", err)
		}
		return false
	})
	if lines[0] == "" || typingText[:len(lines[0])] != lines[0] {
		t.Errorf("first typed line %q; want a prefix of the typing text", lines[0])
	}
	for i, l := range lines {
		if len(l) > s.lay.cols {
			t.Errorf("line %d has %d characters; want at most %d", i, len(l), s.lay.cols)
		}
	}
	// The caret is on screen, where typing goes on.
	top := s.page.lineTop(s.lay, s.page.line)
	if top < s.PageRect().Min.Y || top+s.lay.lineH > s.PageRect().Max.Y {
		t.Errorf("caret line at y=%d is off the page %v", top, s.PageRect())
	}
}

func TestClose(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1920, Height: 1080}}})
	g := newGrabber(t, d.Name)
	ignore := goleak.IgnoreCurrent()
	s, err := Start(d.Name, Options{Mode: ModeScrolling}, testLogger(t))
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	win := s.win
	children := func() []xproto.Window {
		r, err := xproto.QueryTree(g.conn, g.root).Reply()
		if err != nil {
			t.Fatalf("QueryTree: %v", err)
		}
		return r.Children
	}
	if !slices.Contains(children(), win) {
		t.Fatalf("scene window %d is not a child of the root window", win)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if slices.Contains(children(), win) {
		t.Errorf("scene window %d still exists after Close", win)
	}
	if err := s.SetMode(ModeIdle); !errors.Is(err, ErrClosed) {
		t.Errorf("SetMode after Close = %v; want %v", err, ErrClosed)
	}
	goleak.VerifyNone(t, ignore)
}

func TestServerGoneBeforeClose(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1024, Height: 768}}})
	s, err := Start(d.Name, Options{Mode: ModeScrolling}, testLogger(t))
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	d.Stop()
	waitFor(t, "the scene sees the server gone", func() bool {
		return errors.Is(s.SetMode(ModeTyping), ErrDisconnected)
	})
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestStartErrors(t *testing.T) {
	small := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 320, Height: 240}}})
	tests := []struct {
		name    string
		display string
		opts    Options
		want    error
	}{
		{"negative typing rate", small.Name, Options{TypingRate: -1}, ErrInvalidOptions},
		{"NaN scroll rate", small.Name, Options{ScrollRate: nan()}, ErrInvalidOptions},
		{"bad mode", small.Name, Options{Mode: Mode(42)}, ErrInvalidMode},
		{"screen too small", small.Name, Options{}, ErrScreenTooSmall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Start(tt.display, tt.opts, testLogger(t))
			if err == nil {
				_ = s.Close()
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Start = %v; want %v", err, tt.want)
			}
		})
	}
	t.Run("no server", func(t *testing.T) {
		if _, err := Start(":1999", Options{}, testLogger(t)); err == nil {
			t.Errorf("Start on a display with no server succeeded")
		}
	})
}

func nan() float64 {
	var zero float64
	return zero / zero
}

func TestSetModeInvalid(t *testing.T) {
	_, s := startScene(t, Options{})
	for _, m := range []Mode{ModeUnknown, Mode(-1), Mode(4)} {
		if err := s.SetMode(m); !errors.Is(err, ErrInvalidMode) {
			t.Errorf("SetMode(%d) = %v; want %v", int(m), err, ErrInvalidMode)
		}
	}
	if got := s.Mode(); got != ModeIdle {
		t.Errorf("Mode() = %v; want %v", got, ModeIdle)
	}
}

// BenchmarkScrollStep measures one 10-pixel scroll step (the default 600
// px/s at 60 Hz): CopyArea, the exposed rows, and a round trip.
func BenchmarkScrollStep(b *testing.B) {
	d, err := xvfb.Launch(xvfb.Options{Screens: []xvfb.Screen{{Width: 1920, Height: 1080}}})
	if err != nil {
		b.Fatalf("start Xvfb: %v", err)
	}
	defer d.Stop()
	s, err := Start(d.Name, Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatalf("Start: %v", err)
	}
	defer s.Close()
	// The animator is idle and touches nothing; the benchmark drives the
	// page itself.
	for b.Loop() {
		s.scrollBy(10)
		if err := s.sync(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarkerFlip measures drawing the marker's new colour and the
// round trip that confirms it, the scene's share of click-to-photon.
func BenchmarkMarkerFlip(b *testing.B) {
	d, err := xvfb.Launch(xvfb.Options{Screens: []xvfb.Screen{{Width: 1920, Height: 1080}}})
	if err != nil {
		b.Fatalf("start Xvfb: %v", err)
	}
	defer d.Stop()
	s, err := Start(d.Name, Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatalf("Start: %v", err)
	}
	defer s.Close()
	for b.Loop() {
		s.click()
	}
}

// TestExposeRedraws covers part of the scene with another window and takes
// it away again: the scene repaints what was hidden.
func TestExposeRedraws(t *testing.T) {
	d, s := startScene(t, Options{})
	g := newGrabber(t, d.Name)
	before := g.grab(t)

	scr := xproto.Setup(g.conn).DefaultScreen(g.conn)
	win, err := xproto.NewWindowId(g.conn)
	if err != nil {
		t.Fatalf("NewWindowId: %v", err)
	}
	err = xproto.CreateWindowChecked(g.conn, scr.RootDepth, win, g.root, 0, 0, 800, 600, 0,
		xproto.WindowClassInputOutput, scr.RootVisual, xproto.CwBackPixel|xproto.CwOverrideRedirect,
		[]uint32{0x0000ff, 1}).Check()
	if err != nil {
		t.Fatalf("CreateWindow: %v", err)
	}
	if err := xproto.MapWindowChecked(g.conn, win).Check(); err != nil {
		t.Fatalf("MapWindow: %v", err)
	}
	mc := center(s.MarkerRect())
	if got, want := g.grab(t).RGBAAt(mc.X, mc.Y), (color.RGBA{B: 0xff, A: 0xff}); got != want {
		t.Fatalf("covered marker pixel = %v; want %v", got, want)
	}
	if err := xproto.DestroyWindowChecked(g.conn, win).Check(); err != nil {
		t.Fatalf("DestroyWindow: %v", err)
	}
	waitFor(t, "the scene repaints what was covered", func() bool {
		return bytes.Equal(g.grab(t).Pix, before.Pix)
	})
}

// TestOddSize runs the scene on a screen whose sides are odd.
func TestOddSize(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1023, Height: 767}}})
	s, err := Start(d.Name, Options{Mode: ModeScrolling}, testLogger(t))
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	if err := s.SetMode(ModeIdle); err != nil {
		t.Fatalf("SetMode: %v", err)
	}
	if got, want := s.Bounds(), image.Rect(0, 0, 1023, 767); got != want {
		t.Errorf("Bounds() = %v; want %v", got, want)
	}
	img := newGrabber(t, d.Name).grab(t)
	for _, tt := range []struct {
		at   image.Point
		want color.RGBA
	}{
		{image.Pt(1022, 20), rgb(colTitle)},
		{image.Pt(1022, 766), rgb(colDesk)},
		{image.Pt(5, 766), rgb(colPanel)},
		{center(MarkerRect()), MarkerColourFor(0)},
	} {
		if got := img.RGBAAt(tt.at.X, tt.at.Y); got != tt.want {
			t.Errorf("pixel at %v = %v; want %v", tt.at, got, tt.want)
		}
	}
}
