package overlay

import (
	"errors"
	"image"
	"image/color"
	"io"
	"log"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"
	"go.uber.org/goleak"

	"github.com/tandemhq/tandem/internal/xrecorder"
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

// desk is another X client on the test's display: it reads the screen,
// opens ordinary windows and clicks.
type desk struct {
	t      testing.TB
	conn   *xgb.Conn
	screen *xproto.ScreenInfo
}

func newDesk(t testing.TB, d *xvfb.Display) *desk {
	t.Helper()
	conn, err := xgb.NewConnDisplay(d.Name)
	if err != nil {
		t.Fatalf("connect %s: %v", d.Name, err)
	}
	t.Cleanup(conn.Close)
	return &desk{t: t, conn: conn, screen: xproto.Setup(conn).DefaultScreen(conn)}
}

// shot returns the whole screen.
func (k *desk) shot() *image.RGBA {
	k.t.Helper()
	w, h := int(k.screen.WidthInPixels), int(k.screen.HeightInPixels)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	const rows = 100 // a reply well under the server's limits
	for y0 := 0; y0 < h; y0 += rows {
		n := min(rows, h-y0)
		r, err := xproto.GetImage(k.conn, xproto.ImageFormatZPixmap, xproto.Drawable(k.screen.Root),
			0, int16(y0), uint16(w), uint16(n), 0xffffffff).Reply()
		if err != nil || len(r.Data) < w*n*4 {
			k.t.Fatalf("GetImage rows %d..%d: %v", y0, y0+n, err)
		}
		for i := range w * n {
			o := (y0*w + i) * 4
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = r.Data[i*4+2], r.Data[i*4+1], r.Data[i*4], 255
		}
	}
	return img
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

// waitColour polls the screen until it shows c at p; the overlay raises
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

// window maps an ordinary window filled with c at r.
func (k *desk) window(r image.Rectangle, c color.RGBA) xproto.Window {
	k.t.Helper()
	w, err := xproto.NewWindowId(k.conn)
	if err != nil {
		k.t.Fatal(err)
	}
	if err := xproto.CreateWindowChecked(k.conn, k.screen.RootDepth, w, k.screen.Root, int16(r.Min.X), int16(r.Min.Y),
		uint16(r.Dx()), uint16(r.Dy()), 0, xproto.WindowClassInputOutput, k.screen.RootVisual,
		xproto.CwBackPixel, []uint32{uint32(c.R)<<16 | uint32(c.G)<<8 | uint32(c.B)}).Check(); err != nil {
		k.t.Fatalf("create window: %v", err)
	}
	if err := xproto.MapWindowChecked(k.conn, w).Check(); err != nil {
		k.t.Fatalf("map window: %v", err)
	}
	return w
}

// click presses and releases the first button at p with XTest.
func (k *desk) click(p image.Point) {
	k.t.Helper()
	if err := xtest.Init(k.conn); err != nil {
		k.t.Fatal(err)
	}
	for _, e := range []struct{ typ, detail byte }{{xproto.MotionNotify, 0}, {xproto.ButtonPress, 1}, {xproto.ButtonRelease, 1}} {
		if err := xtest.FakeInputChecked(k.conn, e.typ, e.detail, 0, k.screen.Root, int16(p.X), int16(p.Y), 0).Check(); err != nil {
			k.t.Fatal(err)
		}
	}
}

// distance returns how far p lies from the polyline pts.
func distance(p image.Point, pts []image.Point) float64 {
	best := math.Inf(1)
	for i := range pts {
		a, b := pts[i], pts[max(i-1, 0)]
		px, py := float64(p.X-a.X), float64(p.Y-a.Y)
		dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
		t := 0.0
		if l := dx*dx + dy*dy; l > 0 {
			t = min(max((px*dx+py*dy)/l, 0), 1)
		}
		best = min(best, math.Hypot(px-t*dx, py-t*dy))
	}
	return best
}

var (
	red  = color.RGBA{R: 0xe5, G: 0x1c, B: 0x23, A: 255}
	blue = color.RGBA{R: 0x29, G: 0x62, B: 0xff, A: 255}
	grey = color.RGBA{R: 90, G: 90, B: 90, A: 255}
	teal = color.RGBA{R: 0, G: 128, B: 128, A: 255}
)

// checkStrokes compares the screen with before: every pixel well inside
// a stroke has its colour (the later stroke winning), every pixel well
// outside all strokes is unchanged, and a pixel on a stroke's edge is
// either.
func checkStrokes(t *testing.T, before, after *image.RGBA, strokes []Stroke) {
	t.Helper()
	inside, bad := 0, 0
	b := after.Rect
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := image.Pt(x, y)
			got, was := after.RGBAAt(x, y), before.RGBAAt(x, y)
			want, edge := was, false
			for _, s := range strokes {
				d, r := distance(p, s.Points), float64(s.Width)/2
				switch {
				case d <= r-1.5:
					want, edge = s.Color, false
				case d <= r+1.5:
					edge = true
				}
			}
			if want != was {
				inside++
			}
			if got == want || (edge && got != want) {
				continue
			}
			if bad++; bad <= 10 {
				t.Errorf("pixel %v: got %v; want %v (before %v)", p, got, want, was)
			}
		}
	}
	if bad > 10 {
		t.Errorf("%d pixels wrong in all", bad)
	}
	if inside == 0 && len(strokes) > 0 {
		t.Error("no pixel inside a stroke")
	}
}

// TestDrawShowsOnlyTheStrokes: strokes show in their colours over a
// window and the root, the screen elsewhere is as before, a later stroke
// covers an earlier one, and Clear brings the screen back whole.
func TestDrawShowsOnlyTheStrokes(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1280, Height: 800}}})
	k := newDesk(t, d)
	k.window(image.Rect(100, 100, 700, 500), grey)
	before := k.shot()

	o, err := Show(d.Name, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	checkStrokes(t, before, k.shot(), nil)

	strokes := []Stroke{
		{Points: []image.Point{{50, 300}, {900, 300}, {900, 700}}, Color: red, Width: 6},
		{Points: []image.Point{{400, 150}, {420, 600}}, Color: blue, Width: 12},
		{Points: []image.Point{{1000, 200}}, Color: teal, Width: 10},
		{Points: []image.Point{{1200, 750}, {1400, 900}}, Color: red, Width: 2}, // runs off the screen
	}
	for _, s := range strokes {
		if err := o.Draw(s); err != nil {
			t.Fatalf("Draw(%v): %v", s, err)
		}
	}
	checkStrokes(t, before, k.shot(), strokes)

	if err := o.Clear(); err != nil {
		t.Fatal(err)
	}
	checkStrokes(t, before, k.shot(), nil)

	// After a clear, a stroke shows alone.
	again := []Stroke{{Points: []image.Point{{10, 10}, {600, 790}}, Color: blue, Width: 4}}
	if err := o.Draw(again[0]); err != nil {
		t.Fatal(err)
	}
	checkStrokes(t, before, k.shot(), again)

	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	checkStrokes(t, before, k.shot(), nil)
	if err := o.Close(); err != nil {
		t.Errorf("second Close: got %v; want nil", err)
	}
	if err := o.Draw(again[0]); !errors.Is(err, ErrClosed) {
		t.Errorf("Draw after Close: got %v; want %v", err, ErrClosed)
	}
	if err := o.Clear(); !errors.Is(err, ErrClosed) {
		t.Errorf("Clear after Close: got %v; want %v", err, ErrClosed)
	}
}

// TestClicksGoThrough: a click on a stroke and a click beside it both
// reach the window below.
func TestClicksGoThrough(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 800, Height: 600}}})
	rec := xrecorder.Start(t, d.Name)
	k := newDesk(t, d)
	o, err := Show(d.Name, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if err := o.Draw(Stroke{Points: []image.Point{{100, 300}, {700, 300}}, Color: red, Width: 12}); err != nil {
		t.Fatal(err)
	}
	k.waitColour(image.Pt(400, 300), red, "the stroke")
	for _, p := range []image.Point{{400, 300}, {400, 100}} {
		k.click(p)
		rec.SkipTo(t, xrecorder.ButtonPress(1, int16(p.X), int16(p.Y), 0))
		rec.SkipTo(t, xrecorder.ButtonRelease(1, int16(p.X), int16(p.Y), 0x100))
	}
}

// TestStaysOnTop: a window mapped over a stroke goes under it again.
func TestStaysOnTop(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 800, Height: 600}}})
	k := newDesk(t, d)
	o, err := Show(d.Name, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if err := o.Draw(Stroke{Points: []image.Point{{100, 300}, {700, 300}}, Color: red, Width: 8}); err != nil {
		t.Fatal(err)
	}
	k.window(image.Rect(0, 0, 800, 600), grey)
	k.waitColour(image.Pt(400, 300), red, "the stroke over a new window")
	k.waitColour(image.Pt(400, 200), grey, "the new window beside the stroke")
}

// TestDrawRefusesBadStrokes: strokes the X server cannot draw are refused.
func TestDrawRefusesBadStrokes(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{})
	o, err := Show(d.Name, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	for _, tt := range []struct {
		name string
		s    Stroke
	}{
		{"no points", Stroke{Color: red, Width: 4}},
		{"no width", Stroke{Points: []image.Point{{1, 1}}, Color: red}},
		{"too wide", Stroke{Points: []image.Point{{1, 1}}, Color: red, Width: MaxWidth + 1}},
		{"too many points", Stroke{Points: make([]image.Point, MaxPoints+1), Color: red, Width: 4}},
		{"too far", Stroke{Points: []image.Point{{1, 40000}}, Color: red, Width: 4}},
	} {
		if err := o.Draw(tt.s); !errors.Is(err, ErrBadStroke) {
			t.Errorf("%s: got %v; want %v", tt.name, err, ErrBadStroke)
		}
	}
}

// BenchmarkDrawSegment: one short segment of a drag, as a rep's mouse
// moves, on a 1920x1080 screen with a long stroke already drawn.
func BenchmarkDrawSegment(b *testing.B) {
	d := xvfb.Start(b, xvfb.Options{Screens: []xvfb.Screen{{Width: 1920, Height: 1080}}})
	o, err := Show(d.Name, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	long := make([]image.Point, 1000)
	for i := range long {
		long[i] = image.Pt(i*19/10, 540+int(300*math.Sin(float64(i)/50)))
	}
	if err := o.Draw(Stroke{Points: long, Color: red, Width: 6}); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		x := i % 1900
		i++
		if err := o.Draw(Stroke{Points: []image.Point{{x, 200}, {x + 3, 202}}, Color: blue, Width: 4}); err != nil {
			b.Fatal(err)
		}
	}
}
