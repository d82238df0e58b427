package capture

import (
	"context"
	"errors"
	"image"
	"image/color"
	"io"
	"log"
	"log/slog"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/kbinani/screenshot"
	"github.com/tandemhq/tandem/internal/xvfb"
	"go.uber.org/goleak"
)

// painter is a second X client on the test's display that draws on the
// root window, as any application would.
type painter struct {
	t    testing.TB
	conn *xgb.Conn
	root xproto.Window
	gc   xproto.Gcontext
}

func newPainter(t testing.TB, d *xvfb.Display) *painter {
	t.Helper()
	conn, err := xgb.NewConnDisplay(d.Name)
	if err != nil {
		t.Fatalf("painter: connect %s: %v", d.Name, err)
	}
	t.Cleanup(conn.Close)
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	gc, err := xproto.NewGcontextId(conn)
	if err != nil {
		t.Fatal(err)
	}
	if err := xproto.CreateGCChecked(conn, gc, xproto.Drawable(root), xproto.GcSubwindowMode,
		[]uint32{xproto.SubwindowModeIncludeInferiors}).Check(); err != nil {
		t.Fatalf("painter: create GC: %v", err)
	}
	return &painter{t: t, conn: conn, root: root, gc: gc}
}

// fill paints r (desktop coordinates) in c and waits until the server
// has done it.
func (p *painter) fill(r image.Rectangle, c color.RGBA) {
	p.t.Helper()
	pixel := uint32(c.R)<<16 | uint32(c.G)<<8 | uint32(c.B)
	if err := xproto.ChangeGCChecked(p.conn, p.gc, xproto.GcForeground, []uint32{pixel}).Check(); err != nil {
		p.t.Fatalf("painter: set colour: %v", err)
	}
	rect := xproto.Rectangle{X: int16(r.Min.X), Y: int16(r.Min.Y), Width: uint16(r.Dx()), Height: uint16(r.Dy())}
	if err := xproto.PolyFillRectangleChecked(p.conn, xproto.Drawable(p.root), p.gc, []xproto.Rectangle{rect}).Check(); err != nil {
		p.t.Fatalf("painter: fill %v: %v", r, err)
	}
}

// warp moves the pointer to p in desktop coordinates.
func (p *painter) warp(pt image.Point) {
	p.t.Helper()
	if err := xproto.WarpPointerChecked(p.conn, 0, p.root, 0, 0, 0, 0, int16(pt.X), int16(pt.Y)).Check(); err != nil {
		p.t.Fatalf("painter: warp to %v: %v", pt, err)
	}
}

// cursorWindow maps a window at r whose cursor is glyph of the cursor
// font, so that a pointer inside it shows another shape.
func (p *painter) cursorWindow(r image.Rectangle, glyph uint16) {
	p.t.Helper()
	font, err := xproto.NewFontId(p.conn)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := xproto.OpenFontChecked(p.conn, font, uint16(len("cursor")), "cursor").Check(); err != nil {
		p.t.Fatalf("open cursor font: %v", err)
	}
	cur, err := xproto.NewCursorId(p.conn)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := xproto.CreateGlyphCursorChecked(p.conn, cur, font, font, glyph, glyph+1, 0, 0, 0, 0xffff, 0xffff, 0xffff).Check(); err != nil {
		p.t.Fatalf("create cursor: %v", err)
	}
	win, err := xproto.NewWindowId(p.conn)
	if err != nil {
		p.t.Fatal(err)
	}
	screen := xproto.Setup(p.conn).DefaultScreen(p.conn)
	if err := xproto.CreateWindowChecked(p.conn, screen.RootDepth, win, p.root, int16(r.Min.X), int16(r.Min.Y),
		uint16(r.Dx()), uint16(r.Dy()), 0, xproto.WindowClassInputOutput, screen.RootVisual,
		xproto.CwBackPixel|xproto.CwOverrideRedirect|xproto.CwCursor, []uint32{0x336699, 1, uint32(cur)}).Check(); err != nil {
		p.t.Fatalf("create window: %v", err)
	}
	if err := xproto.MapWindowChecked(p.conn, win).Check(); err != nil {
		p.t.Fatalf("map window: %v", err)
	}
}

// rgbOf returns what the converters make of c.
func rgbOf(c color.RGBA) color.YCbCr {
	r, g, b := int32(c.R), int32(c.G), int32(c.B)
	return color.YCbCr{
		Y:  uint8((66*r + 129*g + 25*b + 0x1080) >> 8),
		Cb: uint8((112*b - 74*g - 38*r + 0x8080) >> 8),
		Cr: uint8((112*r - 94*g - 18*b + 0x8080) >> 8),
	}
}

// checkColour fails unless the frame shows c (within libyuv's rounding)
// at each point.
func checkColour(t *testing.T, img *image.YCbCr, c color.RGBA, pts ...image.Point) {
	t.Helper()
	want := rgbOf(c)
	for _, p := range pts {
		got := img.YCbCrAt(p.X, p.Y)
		if abs(int(got.Y)-int(want.Y)) > 1 || abs(int(got.Cb)-int(want.Cb)) > 1 || abs(int(got.Cr)-int(want.Cr)) > 1 {
			t.Errorf("at %v: got Y/Cb/Cr %d/%d/%d; want %d/%d/%d (%v)", p, got.Y, got.Cb, got.Cr, want.Y, want.Cb, want.Cr, c)
		}
	}
}

func open(t testing.TB, d *xvfb.Display, opts Options) *Capturer {
	t.Helper()
	c, err := Open(d.Name, opts, slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatalf("Open(%s): %v", d.Name, err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return c
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// next calls Next with a generous deadline.
func next(t *testing.T, c *Capturer) Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	f, err := c.Next(ctx)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return f
}

// nextCovering calls Next until the damage covers r; a screen that
// settles may report r over more than one frame.
func nextCovering(t *testing.T, c *Capturer, r image.Rectangle) []image.Rectangle {
	t.Helper()
	var all []image.Rectangle
	for range 20 {
		f := next(t, c)
		all = append(all, f.Damage...)
		if covered(r, all) {
			return all
		}
	}
	t.Fatalf("damage %v never covered %v", all, r)
	return nil
}

func covered(r image.Rectangle, rs []image.Rectangle) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			in := false
			for _, d := range rs {
				if (image.Point{x, y}).In(d) {
					in = true
					break
				}
			}
			if !in {
				return false
			}
		}
	}
	return true
}

var (
	red   = color.RGBA{255, 0, 0, 255}
	green = color.RGBA{0, 200, 0, 255}
	blue  = color.RGBA{10, 20, 250, 255}
	white = color.RGBA{255, 255, 255, 255}
	black = color.RGBA{0, 0, 0, 255} // also an untouched Xvfb root
)

func TestMain(m *testing.M) {
	// xgb logs to stderr through a package variable; the tests' X
	// servers have no authority file, which it reports on every connect.
	xgb.Logger = log.New(io.Discard, "", 0)
	goleak.VerifyTestMain(m)
}

func TestGrabMatchesDrawing(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1920, Height: 1080}}})
	p := newPainter(t, d)
	p.fill(image.Rect(0, 0, 1920, 1080), white)
	p.fill(image.Rect(100, 100, 300, 200), red)
	p.fill(image.Rect(1800, 1000, 1920, 1080), blue)
	c := open(t, d, Options{Backend: BackendXShm, CursorInterval: -1})
	if c.Backend() != BackendXShm {
		t.Fatalf("got backend %v; want xshm", c.Backend())
	}
	f := next(t, c)
	if !f.Resized || f.Image.Rect != image.Rect(0, 0, 1920, 1080) {
		t.Fatalf("first frame: got resized %v bounds %v; want a new 1920x1080 frame", f.Resized, f.Image.Rect)
	}
	if len(f.Damage) != 1 || f.Damage[0] != f.Image.Rect {
		t.Errorf("first frame: got damage %v; want the whole frame", f.Damage)
	}
	checkColour(t, f.Image, white, image.Pt(0, 0), image.Pt(99, 99), image.Pt(1000, 500))
	checkColour(t, f.Image, red, image.Pt(100, 100), image.Pt(299, 199), image.Pt(200, 150))
	checkColour(t, f.Image, blue, image.Pt(1800, 1000), image.Pt(1919, 1079))

	// GrabFull and ConvertFull read the same picture.
	p.fill(image.Rect(500, 500, 600, 600), green)
	if err := c.GrabFull(); err != nil {
		t.Fatal(err)
	}
	img, err := c.ConvertFull()
	if err != nil {
		t.Fatal(err)
	}
	checkColour(t, img, green, image.Pt(500, 500), image.Pt(599, 599))
	checkColour(t, img, red, image.Pt(200, 150))
}

func TestDamage(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1920, Height: 1080}}})
	p := newPainter(t, d)
	c := open(t, d, Options{Backend: BackendXShm, CursorInterval: -1, KeepAlive: time.Minute})
	next(t, c) // the whole first frame

	r := image.Rect(301, 401, 351, 441) // odd corners: the damage grows to even
	p.fill(r, green)
	all := nextCovering(t, c, r)
	for _, d := range all {
		if d.Min.X%2 != 0 || d.Min.Y%2 != 0 {
			t.Errorf("damage %v: got odd start; want even", d)
		}
		if d.Dx()*d.Dy() > 1920*1080/4 {
			t.Errorf("damage %v for a 50x40 fill: got a large part of the screen; want little more than the fill", d)
		}
	}
	// Points whose 2x2 chroma block lies wholly inside or outside the fill.
	checkColour(t, c.frame, green, image.Pt(302, 402), image.Pt(349, 439))
	checkColour(t, c.frame, black, image.Pt(299, 399), image.Pt(352, 442))
}

func TestIdleScreenHasNoDamage(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 640, Height: 480}}})
	c := open(t, d, Options{Backend: BackendXShm, CursorInterval: -1, KeepAlive: 300 * time.Millisecond})
	next(t, c)
	for range 3 {
		f := next(t, c)
		if len(f.Damage) != 0 || f.Resized {
			t.Fatalf("idle screen: got damage %v resized %v; want a keep-alive without damage", f.Damage, f.Resized)
		}
		if f.Image == nil {
			t.Fatalf("keep-alive: got no image; want the persistent frame")
		}
	}
}

func TestNextHonoursContext(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 640, Height: 480}}})
	c := open(t, d, Options{Backend: BackendXShm, CursorInterval: -1, KeepAlive: time.Hour})
	next(t, c)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next on an idle screen past its deadline: got %v; want context.DeadlineExceeded", err)
	}
}

func TestTwoMonitors(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1024, Height: 768}, {Width: 800, Height: 600}}})
	p := newPainter(t, d)
	p.fill(image.Rect(0, 0, 1024, 768), blue)
	c := open(t, d, Options{Backend: BackendXShm, CursorInterval: -1})
	mons := c.Monitors()
	want := []image.Rectangle{image.Rect(0, 0, 1024, 768), image.Rect(0, 0, 800, 600)}
	if len(mons) != len(want) {
		t.Fatalf("got monitors %+v; want %d", mons, len(want))
	}
	for i, m := range mons {
		if m.Bounds != want[i] {
			t.Errorf("monitor %d: got bounds %v; want %v", i, m.Bounds, want[i])
		}
	}
	if !mons[0].Primary || mons[1].Primary {
		t.Errorf("got primary flags %v, %v; want the first monitor primary", mons[0].Primary, mons[1].Primary)
	}
	f := next(t, c)
	if f.Image.Rect.Size() != want[0].Size() || f.Monitor.Name != mons[0].Name {
		t.Fatalf("before Select: got %v of %q; want the primary's %v", f.Image.Rect, f.Monitor.Name, want[0].Size())
	}
	if err := c.Select(1); err != nil {
		t.Fatal(err)
	}
	f = next(t, c)
	if !f.Resized || f.Image.Rect.Size() != want[1].Size() || f.Monitor.Name != mons[1].Name {
		t.Fatalf("after Select(1): got resized %v, %v of %q; want %v of %q", f.Resized, f.Image.Rect, f.Monitor.Name, want[1].Size(), mons[1].Name)
	}
	checkColour(t, f.Image, blue, image.Pt(0, 0), image.Pt(799, 599))
	if err := c.Select(2); !errors.Is(err, ErrNoMonitor) {
		t.Errorf("Select(2): got %v; want ErrNoMonitor", err)
	}
}

// xrandr runs the xrandr tool on d.
func xrandr(t *testing.T, d *xvfb.Display, args ...string) {
	t.Helper()
	cmd := exec.Command("xrandr", args...)
	cmd.Env = d.Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xrandr %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// addMode gives Xvfb's single RandR output a mode of w x h.
func addMode(t *testing.T, d *xvfb.Display, name string, w, h int) {
	t.Helper()
	itoa := strconv.Itoa
	xrandr(t, d, "--newmode", name, "60", itoa(w), itoa(w+8), itoa(w+16), itoa(w+24), itoa(h), itoa(h+2), itoa(h+4), itoa(h+6))
	xrandr(t, d, "--addmode", "screen", name)
}

// waitResized calls Next until a frame of size arrives.
func waitResized(t *testing.T, c *Capturer, size image.Point) Frame {
	t.Helper()
	for range 20 {
		f := next(t, c)
		if f.Resized && f.Image.Rect.Size() == size {
			return f
		}
	}
	t.Fatalf("no frame of %v arrived", size)
	return Frame{}
}

func TestResolutionChange(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1920, Height: 1080}}})
	p := newPainter(t, d)
	p.fill(image.Rect(0, 0, 1920, 1080), red)
	c := open(t, d, Options{Backend: BackendXShm, CursorInterval: -1})
	f := next(t, c)
	if f.Image.Rect.Size() != image.Pt(1920, 1080) {
		t.Fatalf("got %v; want 1920x1080", f.Image.Rect)
	}
	old := f.Image

	addMode(t, d, "odd", 1023, 767)
	xrandr(t, d, "--output", "screen", "--mode", "odd")
	f = waitResized(t, c, image.Pt(1023, 767))
	if f.Image == old {
		t.Errorf("after the resize: got the old frame buffer; want a new one")
	}
	if len(f.Damage) != 1 || f.Damage[0] != f.Image.Rect {
		t.Errorf("after the resize: got damage %v; want the whole frame", f.Damage)
	}
	if got := c.Monitors(); len(got) != 1 || got[0].Bounds != image.Rect(0, 0, 1023, 767) {
		t.Errorf("after the resize: got monitors %+v; want one of 1023x767", got)
	}
	// Xvfb clears the screen when it changes size.
	checkColour(t, f.Image, black, image.Pt(0, 0), image.Pt(1022, 766))

	// Drawing at the odd edge of the new size is captured.
	edge := image.Rect(1013, 757, 1023, 767)
	p.fill(edge, green)
	nextCovering(t, c, edge)
	checkColour(t, c.frame, green, image.Pt(1014, 758), image.Pt(1022, 766))

	xrandr(t, d, "--output", "screen", "--mode", "1920x1080")
	f = waitResized(t, c, image.Pt(1920, 1080))
	corner := image.Rect(1900, 1060, 1920, 1080)
	p.fill(corner, blue)
	nextCovering(t, c, corner)
	checkColour(t, c.frame, blue, image.Pt(1900, 1060), image.Pt(1919, 1079))
}

func TestOddSize(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1023, Height: 767}}})
	p := newPainter(t, d)
	p.fill(image.Rect(0, 0, 1023, 767), white)
	p.fill(image.Rect(1022, 766, 1023, 767), red)
	c := open(t, d, Options{Backend: BackendXShm, CursorInterval: -1})
	f := next(t, c)
	if f.Image.Rect != image.Rect(0, 0, 1023, 767) {
		t.Fatalf("got %v; want 1023x767", f.Image.Rect)
	}
	if f.Image.CStride != 512 {
		t.Errorf("got chroma stride %d; want 512", f.Image.CStride)
	}
	checkColour(t, f.Image, white, image.Pt(0, 0), image.Pt(1020, 764))
	// The corner pixel has its own luma; its chroma sample covers the
	// 1x1 block at the odd edge alone.
	checkColour(t, f.Image, red, image.Pt(1022, 766))
}

func TestMask(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 800, Height: 600}}})
	p := newPainter(t, d)
	p.fill(image.Rect(0, 0, 800, 600), white)
	c := open(t, d, Options{Backend: BackendXShm, CursorInterval: -1, KeepAlive: time.Minute})
	next(t, c)

	secret := image.Rect(101, 51, 301, 151)
	c.SetMask([]image.Rectangle{secret})
	nextCovering(t, c, secret)
	checkColour(t, c.frame, black, secret.Min, secret.Max.Sub(image.Pt(1, 1)), image.Pt(200, 100))
	checkColour(t, c.frame, white, image.Pt(98, 48), image.Pt(302, 152))

	// Drawing inside the mask stays hidden; next to it, it shows.
	p.fill(image.Rect(150, 60, 400, 70), red)
	nextCovering(t, c, image.Rect(150, 60, 400, 70))
	checkColour(t, c.frame, black, image.Pt(150, 60), image.Pt(300, 69))
	checkColour(t, c.frame, red, image.Pt(303, 60), image.Pt(399, 69))

	c.SetMask(nil)
	nextCovering(t, c, secret)
	checkColour(t, c.frame, white, image.Pt(200, 100))
	checkColour(t, c.frame, red, image.Pt(150, 60))
}

func TestCursor(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 800, Height: 600}}})
	p := newPainter(t, d)
	c := open(t, d, Options{Backend: BackendXShm, CursorInterval: 5 * time.Millisecond})

	waitCursor := func(what string, ok func(Cursor) bool) Cursor {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case cur := <-c.Cursors():
				if ok(cur) {
					return cur
				}
			case <-timeout:
				t.Fatalf("no cursor update with %s", what)
			}
		}
	}
	p.warp(image.Pt(123, 456))
	first := waitCursor("position (123,456)", func(cur Cursor) bool { return cur.Position == image.Pt(123, 456) })
	if !first.Visible || first.Shape == nil || first.Shape.Image.Rect.Empty() {
		t.Fatalf("got %+v; want a visible cursor with a shape", first)
	}

	// A window with a cursor of its own changes the shape under the
	// pointer: a new serial and image.
	p.cursorWindow(image.Rect(400, 300, 600, 500), 52) // XC_fleur
	p.warp(image.Pt(500, 400))
	moved := waitCursor("a new shape at (500,400)", func(cur Cursor) bool {
		return cur.Position == image.Pt(500, 400) && cur.Shape != nil && cur.Shape.Serial != first.Shape.Serial
	})
	if moved.Shape.Hotspot.X < 0 || moved.Shape.Hotspot.X >= moved.Shape.Image.Rect.Dx() {
		t.Errorf("got hotspot %v outside the %v image", moved.Shape.Hotspot, moved.Shape.Image.Rect)
	}
	if moved.Shape.Image.RGBAAt(moved.Shape.Image.Rect.Dx()/2, moved.Shape.Image.Rect.Dy()/2).A == 0 &&
		opaque(moved.Shape.Image) == 0 {
		t.Errorf("got a fully transparent cursor image; want the fleur glyph")
	}
}

func opaque(img *image.RGBA) int {
	n := 0
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i] != 0 {
			n++
		}
	}
	return n
}

func TestScreenshotBackend(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 640, Height: 480}}})
	t.Setenv("DISPLAY", d.Name)
	p := newPainter(t, d)
	p.fill(image.Rect(0, 0, 640, 480), white)
	c := open(t, d, Options{Backend: BackendScreenshot, PollInterval: 20 * time.Millisecond, KeepAlive: time.Minute})
	if c.Backend() != BackendScreenshot {
		t.Fatalf("got backend %v; want screenshot", c.Backend())
	}
	f := next(t, c)
	if f.Image.Rect != image.Rect(0, 0, 640, 480) {
		t.Fatalf("got %v; want 640x480", f.Image.Rect)
	}
	checkColour(t, f.Image, white, image.Pt(0, 0), image.Pt(639, 479))

	r := image.Rect(200, 100, 260, 130)
	p.fill(r, blue)
	all := nextCovering(t, c, r)
	for _, d := range all {
		if d.Dx()*d.Dy() > 640*480/4 {
			t.Errorf("damage %v for a 60x30 fill: got a large part of the screen; want a few tiles", d)
		}
	}
	checkColour(t, c.frame, blue, r.Min, r.Max.Sub(image.Pt(1, 1)))

	if _, err := Open(":9999", Options{Backend: BackendScreenshot}, nil); !errors.Is(err, ErrDisplay) {
		t.Errorf("screenshot backend on another display: got %v; want ErrDisplay", err)
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 320, Height: 240}}})
	c, err := Open(d.Name, Options{KeepAlive: time.Hour}, nil)
	if err != nil {
		t.Fatal(err)
	}
	next(t, c)
	done := make(chan error, 1)
	go func() {
		_, err := c.Next(context.Background())
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let Next block; the test holds either way
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("Next blocked during Close: got %v; want ErrClosed", err)
	}
	if _, err := c.Next(t.Context()); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after Close: got %v; want ErrClosed", err)
	}
}

func TestOpenBadDisplay(t *testing.T) {
	if _, err := Open(":9998", Options{Backend: BackendXShm}, nil); err == nil {
		t.Fatalf("Open of a display without a server: got no error; want one")
	}
}

// BenchmarkGrabFull is one full 1920x1080 grab with the XShm backend.
func BenchmarkGrabFull(b *testing.B) {
	d := xvfb.Start(b, xvfb.Options{Screens: []xvfb.Screen{{Width: 1920, Height: 1080}}})
	c, err := Open(d.Name, Options{Backend: BackendXShm, CursorInterval: -1}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for b.Loop() {
		if err := c.GrabFull(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGrabScreenshot is one full 1920x1080 kbinani/screenshot
// CaptureRect, the baseline; failed calls count and are retried.
func BenchmarkGrabScreenshot(b *testing.B) {
	d := xvfb.Start(b, xvfb.Options{Screens: []xvfb.Screen{{Width: 1920, Height: 1080}}})
	b.Setenv("DISPLAY", d.Name)
	fails := 0
	for b.Loop() {
		for {
			if _, err := screenshot.CaptureRect(image.Rect(0, 0, 1920, 1080)); err == nil {
				break
			}
			fails++
		}
	}
	b.ReportMetric(float64(fails)/float64(b.N), "fails/op")
}

// BenchmarkNextDamage is a small change grabbed and converted by Next.
func BenchmarkNextDamage(b *testing.B) {
	d := xvfb.Start(b, xvfb.Options{Screens: []xvfb.Screen{{Width: 1920, Height: 1080}}})
	p := newPainter(b, d)
	c, err := Open(d.Name, Options{Backend: BackendXShm, CursorInterval: -1}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Next(b.Context()); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		p.fill(image.Rect(100, 100, 400, 130), color.RGBA{uint8(i), 0, 0, 255})
		if _, err := c.Next(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}
