package capture

import (
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"log/slog"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/tandemhq/tandem/internal/xvfb"
)

// apps is an X client that makes application windows the way a toolkit
// does: a title, a class, a PID, a solid background.
type apps struct {
	t      testing.TB
	conn   *xgb.Conn
	screen *xproto.ScreenInfo
}

func newApps(t testing.TB, d *xvfb.Display) *apps {
	t.Helper()
	conn, err := xgb.NewConnDisplay(d.Name)
	if err != nil {
		t.Fatalf("apps: connect %s: %v", d.Name, err)
	}
	t.Cleanup(conn.Close)
	return &apps{t: t, conn: conn, screen: xproto.Setup(conn).DefaultScreen(conn)}
}

func pixel(c color.RGBA) uint32 { return uint32(c.R)<<16 | uint32(c.G)<<8 | uint32(c.B) }

// background paints the desktop (the root window's background) in c.
func (a *apps) background(c color.RGBA) {
	a.t.Helper()
	root := a.screen.Root
	if err := xproto.ChangeWindowAttributesChecked(a.conn, root, xproto.CwBackPixel, []uint32{pixel(c)}).Check(); err != nil {
		a.t.Fatalf("set the root's background: %v", err)
	}
	if err := xproto.ClearAreaChecked(a.conn, false, root, 0, 0, 0, 0).Check(); err != nil {
		a.t.Fatalf("clear the root: %v", err)
	}
}

func (a *apps) atom(name string) xproto.Atom {
	a.t.Helper()
	r, err := xproto.InternAtom(a.conn, false, uint16(len(name)), name).Reply()
	if err != nil {
		a.t.Fatalf("intern %s: %v", name, err)
	}
	return r.Atom
}

func (a *apps) prop(w xproto.Window, prop, typ xproto.Atom, format byte, data []byte) {
	a.t.Helper()
	n := uint32(len(data)) / uint32(format/8)
	if err := xproto.ChangePropertyChecked(a.conn, xproto.PropModeReplace, w, prop, typ, format, n, data).Check(); err != nil {
		a.t.Fatalf("set property %d: %v", prop, err)
	}
}

// app describes a window to make.
type app struct {
	title, class string
	pid          int
	colour       color.RGBA
	bounds       image.Rectangle // of the top-level
	parent       xproto.Window   // zero: the root
}

// window creates w, unmapped, and returns its ID.
func (a *apps) window(w app) xproto.Window {
	a.t.Helper()
	id, err := xproto.NewWindowId(a.conn)
	if err != nil {
		a.t.Fatal(err)
	}
	parent := w.parent
	if parent == 0 {
		parent = a.screen.Root
	}
	if err := xproto.CreateWindowChecked(a.conn, a.screen.RootDepth, id, parent, int16(w.bounds.Min.X), int16(w.bounds.Min.Y),
		uint16(w.bounds.Dx()), uint16(w.bounds.Dy()), 0, xproto.WindowClassInputOutput, a.screen.RootVisual,
		xproto.CwBackPixel, []uint32{pixel(w.colour)}).Check(); err != nil {
		a.t.Fatalf("create window: %v", err)
	}
	if w.title != "" {
		a.prop(id, a.atom("_NET_WM_NAME"), a.atom("UTF8_STRING"), 8, []byte(w.title))
	}
	if w.class != "" {
		a.prop(id, xproto.AtomWmClass, xproto.AtomString, 8, []byte(w.class+"\x00"+w.class+"\x00"))
	}
	if w.pid != 0 {
		a.prop(id, a.atom("_NET_WM_PID"), xproto.AtomCardinal, 32, binary.LittleEndian.AppendUint32(nil, uint32(w.pid)))
	}
	return id
}

func (a *apps) check(what string, err error) {
	a.t.Helper()
	if err != nil {
		a.t.Fatalf("%s: %v", what, err)
	}
}

func (a *apps) mapWindow(w xproto.Window) {
	a.t.Helper()
	a.check("map", xproto.MapWindowChecked(a.conn, w).Check())
}

func (a *apps) unmap(w xproto.Window) {
	a.t.Helper()
	a.check("unmap", xproto.UnmapWindowChecked(a.conn, w).Check())
}

func (a *apps) move(w xproto.Window, to image.Point) {
	a.t.Helper()
	a.check("move", xproto.ConfigureWindowChecked(a.conn, w, xproto.ConfigWindowX|xproto.ConfigWindowY,
		[]uint32{uint32(to.X), uint32(to.Y)}).Check())
}

func (a *apps) raise(w xproto.Window) {
	a.t.Helper()
	a.check("raise", xproto.ConfigureWindowChecked(a.conn, w, xproto.ConfigWindowStackMode,
		[]uint32{xproto.StackModeAbove}).Check())
}

// colourNear reports whether the frame shows c at p, within tol on each
// of Y, Cb and Cr.
func colourNear(img *image.YCbCr, p image.Point, c color.RGBA, tol int) bool {
	got, want := img.YCbCrAt(p.X, p.Y), rgbOf(c)
	return abs(int(got.Y)-int(want.Y)) <= tol && abs(int(got.Cb)-int(want.Cb)) <= tol && abs(int(got.Cr)-int(want.Cr)) <= tol
}

// expect lists points and the colour each must show.
type expect map[image.Point]color.RGBA

// waitFor calls Next until the frame shows what want says; the mask and
// the windows settle over a frame or two.
func waitFor(t *testing.T, c *Capturer, want expect) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var img *image.YCbCr
	for {
		f, err := c.Next(ctx)
		if err != nil {
			for p, col := range want {
				if img != nil && !colourNear(img, p, col, 1) {
					t.Errorf("at %v: got %v; want %v", p, img.YCbCrAt(p.X, p.Y), rgbOf(col))
				}
			}
			t.Fatalf("Next: %v", err)
		}
		img = f.Image
		ok := true
		for p, col := range want {
			ok = ok && colourNear(img, p, col, 1)
		}
		if ok {
			return
		}
	}
}

func TestListWindows(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 800, Height: 600}}})
	a := newApps(t, d)
	alpha := a.window(app{title: "Alpha – notes", class: "Alpha", pid: 4242, colour: red, bounds: image.Rect(10, 20, 210, 170)})
	beta := a.window(app{title: "Beta", class: "Beta", colour: green, bounds: image.Rect(300, 50, 500, 250)})
	hidden := a.window(app{title: "Hidden", colour: blue, bounds: image.Rect(0, 0, 50, 50)})
	untitled := a.window(app{colour: blue, bounds: image.Rect(0, 300, 50, 350)})
	// A window manager's frame, 4 px of border and 20 of title bar, with
	// the application's window inside, marked by WM_STATE.
	frame := a.window(app{colour: white, bounds: image.Rect(100, 300, 308, 524)})
	client := a.window(app{title: "Gamma", class: "Gamma", pid: 77, colour: blue, bounds: image.Rect(4, 20, 204, 220), parent: frame})
	a.prop(client, a.atom("WM_STATE"), a.atom("WM_STATE"), 32, make([]byte, 8))
	for _, w := range []xproto.Window{alpha, beta, untitled, client, frame} {
		a.mapWindow(w)
	}
	_ = hidden

	got, err := ListWindows(d.Name)
	if err != nil {
		t.Fatalf("ListWindows: %v", err)
	}
	want := []Window{ // topmost first
		{ID: WindowID(client), Title: "Gamma", Class: "Gamma", Instance: "Gamma", PID: 77, Bounds: image.Rect(100, 300, 308, 524)},
		{ID: WindowID(beta), Title: "Beta", Class: "Beta", Instance: "Beta", Bounds: image.Rect(300, 50, 500, 250)},
		{ID: WindowID(alpha), Title: "Alpha – notes", Class: "Alpha", Instance: "Alpha", PID: 4242, Bounds: image.Rect(10, 20, 210, 170)},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListWindows:\ngot  %+v\nwant %+v", got, want)
	}

	// A plain WM_NAME in Latin-1 is a title too.
	a.prop(beta, a.atom("_NET_WM_NAME"), a.atom("UTF8_STRING"), 8, nil)
	a.prop(beta, xproto.AtomWmName, xproto.AtomString, 8, []byte("Caf\xe9"))
	got, err = ListWindows(d.Name)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1].Title != "Café" {
		t.Errorf("ListWindows with a Latin-1 WM_NAME: got %+v; want Beta titled Café", got)
	}
}

func TestListWindowsBadDisplay(t *testing.T) {
	if _, err := ListWindows(":999999"); err == nil {
		t.Error("ListWindows(:999999): got no error; want a connection error")
	}
}

func TestShareOnly(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 800, Height: 600}}})
	a := newApps(t, d)
	a.background(white)
	chosen := a.window(app{title: "Chosen", class: "Chosen", pid: 1000, colour: red, bounds: image.Rect(100, 100, 300, 300)})
	other := a.window(app{title: "Other", class: "Other", pid: 2000, colour: green, bounds: image.Rect(400, 100, 600, 300)})
	a.mapWindow(chosen)
	a.mapWindow(other)

	c := open(t, d, Options{Backend: BackendXShm, CursorInterval: -1})
	desk, in, out := image.Pt(50, 50), image.Pt(150, 150), image.Pt(500, 200)
	waitFor(t, c, expect{desk: white, in: red, out: green})

	if err := c.ShareOnly([]WindowID{WindowID(chosen)}); err != nil {
		t.Fatalf("ShareOnly: %v", err)
	}
	waitFor(t, c, expect{desk: black, in: red, image.Pt(100, 100): red, image.Pt(299, 299): red, out: black, image.Pt(700, 500): black})

	// The other window over part of the chosen one: that part is black.
	a.move(other, image.Pt(200, 200))
	a.raise(other)
	waitFor(t, c, expect{in: red, image.Pt(250, 250): black, image.Pt(350, 350): black, out: black})
	// Raised, the chosen window is whole again.
	a.raise(chosen)
	waitFor(t, c, expect{in: red, image.Pt(250, 250): red, image.Pt(350, 350): black})
	// Moved, it is seen where it is and not where it was.
	a.move(chosen, image.Pt(500, 300))
	waitFor(t, c, expect{in: black, image.Pt(550, 350): red, image.Pt(699, 499): red})
	// Hidden, nothing is shown; shown again, it is.
	a.unmap(chosen)
	waitFor(t, c, expect{image.Pt(550, 350): black})
	a.mapWindow(chosen)
	waitFor(t, c, expect{image.Pt(550, 350): red})

	// A new window of the chosen application is shared, one of another
	// is not.
	dialog := a.window(app{title: "Chosen – save", pid: 1000, colour: blue, bounds: image.Rect(0, 400, 100, 500)})
	stranger := a.window(app{title: "Stranger", pid: 3000, colour: blue, bounds: image.Rect(0, 0, 100, 100)})
	a.mapWindow(dialog)
	a.mapWindow(stranger)
	waitFor(t, c, expect{image.Pt(50, 450): blue, image.Pt(50, 50): black, image.Pt(550, 350): red})

	// An unknown window is refused and the choice stays.
	if err := c.ShareOnly([]WindowID{WindowID(chosen), 0x7fffff}); !errors.Is(err, ErrNoWindow) {
		t.Errorf("ShareOnly of an unknown window: got %v; want ErrNoWindow", err)
	}
	a.move(other, image.Pt(0, 150))
	waitFor(t, c, expect{image.Pt(50, 200): black, image.Pt(550, 350): red})

	// Another choice replaces the first.
	if err := c.ShareOnly([]WindowID{WindowID(other)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, expect{image.Pt(50, 200): green, image.Pt(550, 350): black, image.Pt(50, 450): black})

	// Everything again.
	if err := c.ShareOnly(nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, expect{image.Pt(700, 50): white, image.Pt(50, 200): green, image.Pt(550, 350): red, image.Pt(50, 450): blue})

	if err := c.ShareOnly([]WindowID{WindowID(chosen)}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.ShareOnly(nil); !errors.Is(err, ErrClosed) {
		t.Errorf("ShareOnly after Close: got %v; want ErrClosed", err)
	}
}

// TestShareOnlyUnderWindowManager: under a real reparenting window
// manager (Openbox) the windows are found inside their frames, listed by
// the application's window, and the chosen one is shared with its frame.
func TestShareOnlyUnderWindowManager(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 800, Height: 600}}})
	wm := exec.Command("openbox", "--sm-disable")
	wm.Env = d.Env()
	if err := wm.Start(); err != nil {
		t.Fatalf("start openbox (Debian package openbox): %v", err)
	}
	t.Cleanup(func() { _ = wm.Process.Kill(); _ = wm.Wait() })
	a := newApps(t, d)
	a.waitWM()
	a.background(white)
	chosen := a.window(app{title: "Chosen", class: "Chosen", pid: 1000, colour: red, bounds: image.Rect(0, 0, 300, 200)})
	other := a.window(app{title: "Other", class: "Other", pid: 2000, colour: green, bounds: image.Rect(0, 0, 200, 150)})
	a.mapWindow(chosen)
	a.mapWindow(other)

	// The manager frames the windows, then lists them by their own IDs.
	frames := a.waitList(d, func(ws []Window) bool {
		return len(ws) == 2 && ws[1].ID == WindowID(chosen) && ws[1].Bounds.Dx() >= 300 && ws[1].Bounds.Dy() > 200 &&
			ws[0].ID == WindowID(other) && ws[0].Bounds.Dy() > 150
	}, "Other above Chosen, each in a frame larger than itself")
	// It placed them apart; the other is moved over the chosen one.
	to := frames[WindowID(chosen)].Min.Add(image.Pt(100, 100))
	a.move(other, to)
	a.raise(other)
	frames = a.waitList(d, func(ws []Window) bool {
		return len(ws) == 2 && ws[0].ID == WindowID(other) && ws[0].Bounds.Overlaps(ws[1].Bounds)
	}, "Other moved over Chosen")
	inner := a.origin(chosen)

	c := open(t, d, Options{Backend: BackendXShm, CursorInterval: -1})
	if err := c.ShareOnly([]WindowID{WindowID(chosen)}); err != nil {
		t.Fatal(err)
	}
	// The manager placed the windows where it liked: look for a point of
	// the chosen window the other does not cover, and one it covers.
	inside := image.Rectangle{Min: inner, Max: inner.Add(image.Pt(300, 200))}.Inset(4)
	otherFrame := frames[WindowID(other)]
	var shown, covered image.Point
	for y := inside.Min.Y; y < inside.Max.Y; y += 4 {
		for x := inside.Min.X; x < inside.Max.X; x += 4 {
			if p := image.Pt(x, y); p.In(otherFrame.Inset(4)) {
				covered = p
			} else if !p.In(otherFrame.Inset(-4)) {
				shown = p
			}
		}
	}
	if shown == (image.Point{}) || covered == (image.Point{}) {
		t.Fatalf("the windows do not overlap (%v): no covered part to check", frames)
	}
	away := image.Pt(799, 599)
	if away.In(frames[WindowID(chosen)]) || away.In(otherFrame) {
		t.Fatalf("Openbox placed a window in the corner (%v)", frames)
	}
	waitFor(t, c, expect{shown: red, covered: black, away: black})
}

// waitList calls ListWindows until ok accepts its answer and returns
// the windows' bounds by ID.
func (a *apps) waitList(d *xvfb.Display, ok func([]Window) bool, want string) map[WindowID]image.Rectangle {
	a.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ws, err := ListWindows(d.Name)
		if err != nil {
			a.t.Fatal(err)
		}
		if ok(ws) {
			m := map[WindowID]image.Rectangle{}
			for _, w := range ws {
				m[w.ID] = w.Bounds
			}
			return m
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("ListWindows: got %+v; want %s", ws, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitWM waits until a window manager manages windows: until it frames
// a probe window. Openbox owns WM_S0 a while before it handles map
// requests, and drops those that come in between, so the probe asks
// again each second.
func (a *apps) waitWM() {
	a.t.Helper()
	probe := a.window(app{colour: black, bounds: image.Rect(0, 0, 10, 10)})
	deadline := time.Now().Add(20 * time.Second)
	var asked time.Time
	for ; ; time.Sleep(20 * time.Millisecond) {
		if time.Since(asked) > time.Second {
			a.mapWindow(probe)
			asked = time.Now()
		}
		r, err := xproto.QueryTree(a.conn, probe).Reply()
		if err == nil && r.Parent != a.screen.Root {
			break
		}
		if time.Now().After(deadline) {
			a.t.Fatal("the window manager did not map a window within 20s")
		}
	}
	a.check("destroy the probe", xproto.DestroyWindowChecked(a.conn, probe).Check())
}

// origin returns where w's inside starts on the screen.
func (a *apps) origin(w xproto.Window) image.Point {
	a.t.Helper()
	r, err := xproto.TranslateCoordinates(a.conn, w, a.screen.Root, 0, 0).Reply()
	if err != nil {
		a.t.Fatalf("translate coordinates: %v", err)
	}
	return image.Pt(int(r.DstX), int(r.DstY))
}

// TestShareOnlyMasksNewWindowsAtOnce: a window that opens over the shared
// one is black in the very first frame that shows its area, never blue.
func TestShareOnlyMasksNewWindowsAtOnce(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 800, Height: 600}}})
	a := newApps(t, d)
	a.background(white)
	chosen := a.window(app{title: "Chosen", pid: 1000, colour: red, bounds: image.Rect(100, 100, 700, 500)})
	a.mapWindow(chosen)
	c := open(t, d, Options{Backend: BackendXShm, CursorInterval: -1, KeepAlive: time.Minute})
	if err := c.ShareOnly([]WindowID{WindowID(chosen)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, expect{image.Pt(400, 300): red, image.Pt(50, 50): black})
	for i := range 10 {
		r := image.Rect(150+i*40, 150+i*20, 350+i*40, 300+i*20)
		popup := a.window(app{title: "Popup", pid: 2000 + i, colour: blue, bounds: r})
		a.mapWindow(popup)
		var (
			damage []image.Rectangle
			f      Frame
		)
		for !covered(r, damage) {
			f = next(t, c)
			damage = append(damage, f.Damage...)
			if colourNear(f.Image, r.Min.Add(image.Pt(100, 75)), blue, 8) {
				t.Fatalf("popup %d at %v: a frame showed it before the mask did", i, r)
			}
		}
		checkColour(t, f.Image, black, r.Min.Add(image.Pt(100, 75)))
		a.check("destroy", xproto.DestroyWindowChecked(a.conn, popup).Check())
		waitFor(t, c, expect{r.Min.Add(image.Pt(100, 75)): red})
	}
}

// benchDesktop opens n application windows on a fresh display.
func benchDesktop(b *testing.B, n int) (*xvfb.Display, []xproto.Window) {
	b.Helper()
	d := xvfb.Start(b, xvfb.Options{Screens: []xvfb.Screen{{Width: 1920, Height: 1080}}})
	a := newApps(b, d)
	var ws []xproto.Window
	for i := range n {
		w := a.window(app{title: "Window", pid: 1000 + i, colour: red, bounds: image.Rect(i*50, i*30, i*50+600, i*30+400)})
		a.mapWindow(w)
		ws = append(ws, w)
	}
	return d, ws
}

// BenchmarkListWindows reads 30 windows' tree and properties.
func BenchmarkListWindows(b *testing.B) {
	d, _ := benchDesktop(b, 30)
	for b.Loop() {
		if _, err := ListWindows(d.Name); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkShareSync is what ShareOnly adds to each grab: the barrier
// that lets the mask catch up with the windows (30 on the screen).
func BenchmarkShareSync(b *testing.B) {
	d, ws := benchDesktop(b, 30)
	w, err := newWindowWatch(d.Name, []WindowID{WindowID(ws[3])}, func([]image.Rectangle) {}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	w.start()
	defer w.close()
	for b.Loop() {
		w.sync()
	}
}

// BenchmarkShareRescan is what a burst of window changes costs: reading
// the tree of 30 windows and computing the mask.
func BenchmarkShareRescan(b *testing.B) {
	d, ws := benchDesktop(b, 30)
	x, err := dialWindows(d.Name)
	if err != nil {
		b.Fatal(err)
	}
	defer x.close()
	_, stack, err := x.scan(nil)
	if err != nil {
		b.Fatal(err)
	}
	rule, err := newShareRule([]WindowID{WindowID(ws[3])}, stack)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		root, stack, err := x.scan(rule.undecided)
		if err != nil {
			b.Fatal(err)
		}
		maskFor(root, stack, rule.shares)
	}
}
