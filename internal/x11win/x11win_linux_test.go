package x11win

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/tandemhq/tandem/internal/x11win/x11wintest"
	"github.com/tandemhq/tandem/internal/xvfb"
)

// app is a test client with top-level windows, as a toolkit makes them.
type app struct {
	*conn
	t *testing.T
}

func newApp(t *testing.T, d *xvfb.Display) *app {
	t.Helper()
	c, err := dial(d.Name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.close)
	return &app{conn: c, t: t}
}

// window creates an unmapped top-level window with a title and this
// process's PID.
func (a *app) window(title string, x, y, w, h int) xproto.Window {
	a.t.Helper()
	id, err := xproto.NewWindowId(a.c)
	if err != nil {
		a.t.Fatal(err)
	}
	s := xproto.Setup(a.c).DefaultScreen(a.c)
	if err := xproto.CreateWindowChecked(a.c, s.RootDepth, id, a.root, int16(x), int16(y), uint16(w), uint16(h), 0,
		xproto.WindowClassInputOutput, s.RootVisual, xproto.CwBackPixel, []uint32{s.WhitePixel}).Check(); err != nil {
		a.t.Fatal(err)
	}
	name, _ := a.atom("_NET_WM_NAME")
	utf8, _ := a.atom("UTF8_STRING")
	if err := xproto.ChangePropertyChecked(a.c, xproto.PropModeReplace, id, name, utf8, 8, uint32(len(title)), []byte(title)).Check(); err != nil {
		a.t.Fatal(err)
	}
	if err := a.setCardinals(id, "_NET_WM_PID", "CARDINAL", []uint32{uint32(os.Getpid())}); err != nil {
		a.t.Fatal(err)
	}
	return id
}

// mapManaged maps w and waits until the window manager manages it.
func (a *app) mapManaged(w xproto.Window) {
	a.t.Helper()
	if err := xproto.MapWindowChecked(a.c, w).Check(); err != nil {
		a.t.Fatal(err)
	}
	a.waitFor("window managed", func() bool {
		st, ok, err := a.managedState(w)
		return err == nil && ok && st == 1
	})
}

func (a *app) waitFor(what string, ok func() bool) {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(a.t.Context(), time.Minute)
	defer cancel()
	for !ok() {
		select {
		case <-ctx.Done():
			a.t.Fatalf("no %s", what)
		case <-time.After(poll):
		}
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func withWM(t *testing.T, screens ...xvfb.Screen) (*xvfb.Display, *app) {
	t.Helper()
	d := xvfb.Start(t, xvfb.Options{Screens: screens})
	x11wintest.StartOpenbox(t, d)
	return d, newApp(t, d)
}

func TestFindByPIDAndTitle(t *testing.T) {
	d, a := withWM(t, xvfb.Screen{Width: 1280, Height: 800})
	other := a.window("Something else", 0, 0, 100, 100)
	a.mapManaged(other)
	found := make(chan Window, 1)
	go func() {
		// Find polls: the window appears after it started looking.
		w, err := Find(ctx(t), d.Name, Match{PID: os.Getpid(), Title: "Tandem alert"})
		if err != nil {
			t.Error(err)
		}
		found <- w
	}()
	w := a.window("Tandem alert", 0, 0, 100, 100)
	a.mapManaged(w)
	if got := <-found; got != Window(w) {
		t.Errorf("Find = %#x; want %#x", uint32(got), uint32(w))
	}
	short, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if _, err := Find(short, d.Name, Match{PID: os.Getpid() + 1}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Find of another process: got %v; want ErrNotFound", err)
	}
	if _, err := Find(t.Context(), d.Name, Match{}); !errors.Is(err, ErrNoMatch) {
		t.Errorf("Find of nothing: got %v; want ErrNoMatch", err)
	}
}

// TestMoveToCorner moves a framed window to each corner: the frame ends
// margin pixels in from the monitor's edges, and the window itself sits
// inside its frame.
func TestMoveToCorner(t *testing.T) {
	d, a := withWM(t, xvfb.Screen{Width: 1280, Height: 800})
	w := a.window("alert", 300, 200, 340, 130)
	a.mapManaged(w)
	for _, tt := range []struct {
		corner Corner
		x, y   func(f Rect) int
	}{
		{CornerBottomRight, func(f Rect) int { return 1280 - 12 - f.Width }, func(f Rect) int { return 800 - 12 - f.Height }},
		{CornerTopLeft, func(Rect) int { return 12 }, func(Rect) int { return 12 }},
		{CornerTopRight, func(f Rect) int { return 1280 - 12 - f.Width }, func(Rect) int { return 12 }},
		{CornerBottomLeft, func(Rect) int { return 12 }, func(f Rect) int { return 800 - 12 - f.Height }},
	} {
		t.Run(tt.corner.String(), func(t *testing.T) {
			if err := MoveToCorner(ctx(t), d.Name, Window(w), tt.corner, 12); err != nil {
				t.Fatal(err)
			}
			f, err := Frame(ctx(t), d.Name, Window(w))
			if err != nil {
				t.Fatal(err)
			}
			if f.X != tt.x(f) || f.Y != tt.y(f) {
				t.Errorf("frame at %v; want at %d,%d", f, tt.x(f), tt.y(f))
			}
			if f.Width <= 340 || f.Height <= 130 {
				t.Errorf("frame %v; want one larger than the 340x130 window (decorations)", f)
			}
			ox, oy, err := a.origin(w)
			if err != nil {
				t.Fatal(err)
			}
			if ox < f.X || oy < f.Y || ox+340 > f.X+f.Width || oy+130 > f.Y+f.Height {
				t.Errorf("window at %d,%d is not inside its frame %v", ox, oy, f)
			}
		})
	}
	if err := MoveToCorner(ctx(t), d.Name, Window(w), CornerUnknown, 0); !errors.Is(err, ErrBadCorner) {
		t.Errorf("MoveToCorner(unknown): got %v; want ErrBadCorner", err)
	}
}

// TestMoveToCornerOffsetMonitor puts a window on the right monitor of a
// two-monitor desktop (made with xrandr --setmonitor, as the input tests
// do); it goes to that monitor's corner, not the desktop's.
func TestMoveToCornerOffsetMonitor(t *testing.T) {
	d, a := withWM(t, xvfb.Screen{Width: 2304, Height: 800})
	for _, m := range [][]string{{"left", "1280/338x800/211+0+0"}, {"right", "1024/270x768/203+1280+0"}} {
		cmd := exec.Command("xrandr", "--setmonitor", m[0], m[1], "none")
		cmd.Env = d.Env()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("xrandr: %v: %s", err, out)
		}
	}
	w := a.window("alert", 1500, 300, 200, 100)
	a.mapManaged(w)
	// The manager places new windows where it likes: move it over.
	if err := a.move(w, true, 1500, 300); err != nil {
		t.Fatal(err)
	}
	a.waitFor("the window on the right monitor", func() bool {
		_, f, err := a.frame(w)
		return err == nil && f.X >= 1280
	})
	if err := MoveToCorner(ctx(t), d.Name, Window(w), CornerBottomRight, 0); err != nil {
		t.Fatal(err)
	}
	f, err := Frame(ctx(t), d.Name, Window(w))
	if err != nil {
		t.Fatal(err)
	}
	if f.X+f.Width != 2304 || f.Y+f.Height != 768 {
		t.Errorf("frame %v; want its lower right at 2304,768 (the right monitor's)", f)
	}
}

// TestMoveWithoutWindowManager moves a bare window.
func TestMoveWithoutWindowManager(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 800, Height: 600}}})
	a := newApp(t, d)
	w := a.window("bare", 10, 10, 100, 50)
	if err := xproto.MapWindowChecked(a.c, w).Check(); err != nil {
		t.Fatal(err)
	}
	if err := MoveToCorner(ctx(t), d.Name, Window(w), CornerBottomRight, 5); err != nil {
		t.Fatal(err)
	}
	if f, err := Frame(ctx(t), d.Name, Window(w)); err != nil || f != (Rect{X: 695, Y: 545, Width: 100, Height: 50}) {
		t.Errorf("Frame = %v, %v; want 100x50+695+545", f, err)
	}
	if err := Iconify(ctx(t), d.Name, Window(w)); !errors.Is(err, ErrNoWindowManager) {
		t.Errorf("Iconify without a manager: got %v; want ErrNoWindowManager", err)
	}
	if err := KeepAbove(ctx(t), d.Name, Window(w)); err != nil {
		t.Errorf("KeepAbove without a manager: %v", err)
	}
	if err := Activate(ctx(t), d.Name, Window(w)); err != nil {
		t.Errorf("Activate without a manager: %v", err)
	}
	if got, err := Active(ctx(t), d.Name); err != nil || got != Window(w) {
		t.Errorf("Active without a manager = %#x, %v; want %#x", uint32(got), err, uint32(w))
	}
	if err := MoveToCorner(ctx(t), d.Name, Window(0x7fffff), CornerBottomRight, 5); !errors.Is(err, ErrBadWindow) {
		t.Errorf("MoveToCorner of no window: got %v; want ErrBadWindow", err)
	}
}

// TestKeepAbove: a window kept above stays over a window mapped and raised
// after it, in the manager's stacking order.
func TestKeepAbove(t *testing.T) {
	d, a := withWM(t, xvfb.Screen{Width: 1280, Height: 800})
	alert := a.window("alert", 100, 100, 200, 100)
	a.mapManaged(alert)
	if err := KeepAbove(ctx(t), d.Name, Window(alert)); err != nil {
		t.Fatal(err)
	}
	aboveAtom, _ := a.atom("_NET_WM_STATE_ABOVE")
	if st, _ := a.cardinals(alert, "_NET_WM_STATE"); !slices.Contains(st, uint32(aboveAtom)) {
		t.Errorf("_NET_WM_STATE %v; want _NET_WM_STATE_ABOVE in it", st)
	}
	console := a.window("console", 50, 50, 600, 400)
	a.mapManaged(console)
	if err := xproto.ConfigureWindowChecked(a.c, console, xproto.ConfigWindowStackMode, []uint32{xproto.StackModeAbove}).Check(); err != nil {
		t.Fatal(err)
	}
	a.waitFor("both windows in the stacking list", func() bool {
		st, _ := a.cardinals(a.root, "_NET_CLIENT_LIST_STACKING")
		return slices.Contains(st, uint32(console)) && slices.Contains(st, uint32(alert))
	})
	st, _ := a.cardinals(a.root, "_NET_CLIENT_LIST_STACKING")
	if slices.Index(st, uint32(alert)) < slices.Index(st, uint32(console)) {
		t.Errorf("stacking (bottom to top) %#x; want the alert %#x above the console %#x", st, uint32(alert), uint32(console))
	}
}

func TestIconify(t *testing.T) {
	d, a := withWM(t, xvfb.Screen{Width: 1280, Height: 800})
	w := a.window("alert", 100, 100, 200, 100)
	a.mapManaged(w)
	if err := Iconify(ctx(t), d.Name, Window(w)); err != nil {
		t.Fatal(err)
	}
	if st, ok, err := a.managedState(w); err != nil || !ok || st != iconicState {
		t.Errorf("WM_STATE = %d, %v, %v; want Iconic (3)", st, ok, err)
	}
}

// TestNoFocusOnMap maps a window marked not to take the focus between two
// ordinary ones: the manager focuses each ordinary window as it maps it,
// never the marked one. Every value _NET_ACTIVE_WINDOW takes is recorded,
// so the check holds whatever the manager's timing.
func TestNoFocusOnMap(t *testing.T) {
	d, a := withWM(t, xvfb.Screen{Width: 1280, Height: 800})
	watch, err := xgb.NewConnDisplay(d.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	root := xproto.Setup(watch).DefaultScreen(watch).Root
	if err := xproto.ChangeWindowAttributesChecked(watch, root, xproto.CwEventMask, []uint32{xproto.EventMaskPropertyChange}).Check(); err != nil {
		t.Fatal(err)
	}
	activeAtom, _ := a.atom("_NET_ACTIVE_WINDOW")
	actives := make(chan uint32, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			ev, _ := watch.WaitForEvent()
			if ev == nil {
				return
			}
			if p, ok := ev.(xproto.PropertyNotifyEvent); ok && p.Atom == activeAtom {
				r, err := xproto.GetProperty(watch, false, root, activeAtom, xproto.AtomWindow, 0, 1).Reply()
				if err == nil && len(r.Value) >= 4 {
					actives <- xgb.Get32(r.Value)
				}
			}
		}
	}()
	defer func() { watch.Close(); <-done }()
	waitActive := func(w xproto.Window) []uint32 {
		t.Helper()
		var seen []uint32
		for {
			select {
			case v := <-actives:
				seen = append(seen, v)
				if v == uint32(w) {
					return seen
				}
			case <-ctx(t).Done():
				t.Fatalf("%#x never became active; saw %#x", uint32(w), seen)
			}
		}
	}
	first := a.window("console", 0, 0, 600, 400)
	a.mapManaged(first)
	waitActive(first)
	alert := a.window("alert", 700, 500, 300, 100)
	if err := NoFocusOnMap(ctx(t), d.Name, Window(alert)); err != nil {
		t.Fatal(err)
	}
	a.mapManaged(alert)
	last := a.window("another", 100, 100, 300, 100)
	a.mapManaged(last)
	if seen := waitActive(last); slices.Contains(seen, uint32(alert)) {
		t.Errorf("_NET_ACTIVE_WINDOW went through %#x; want never the alert %#x", seen, uint32(alert))
	}
	// Activate hands the focus back, as a pop-up that did take it does.
	if err := Activate(ctx(t), d.Name, Window(first)); err != nil {
		t.Fatal(err)
	}
	if got, err := Active(ctx(t), d.Name); err != nil || got != Window(first) {
		t.Errorf("Active = %#x, %v; want %#x", uint32(got), err, uint32(first))
	}
	hints, _ := a.cardinals(alert, "WM_HINTS")
	if len(hints) < 2 || hints[0]&inputHint == 0 || hints[1] != 0 {
		t.Errorf("WM_HINTS %v; want the input hint set to false", hints)
	}
}

func TestPlaceAndMonitorOf(t *testing.T) {
	mons := []Rect{{0, 0, 1280, 800}, {1280, 0, 1024, 768}}
	tests := []struct {
		name   string
		r      Rect
		corner Corner
		x, y   int
	}{
		{"left monitor", Rect{100, 100, 200, 100}, CornerBottomRight, 1070, 690},
		{"right monitor", Rect{1400, 100, 200, 100}, CornerBottomRight, 2094, 658},
		{"mostly right", Rect{1200, 100, 300, 100}, CornerTopLeft, 1290, 10},
		{"off screen", Rect{5000, 5000, 10, 10}, CornerBottomLeft, 10, 780},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y, err := place(monitorOf(mons, tt.r), tt.r.Width, tt.r.Height, tt.corner, 10)
			if err != nil || x != tt.x || y != tt.y {
				t.Errorf("got %d,%d, %v; want %d,%d", x, y, err, tt.x, tt.y)
			}
		})
	}
}

// TestFindWithoutWindowManager finds a bare top-level window by walking
// the window tree.
func TestFindWithoutWindowManager(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 800, Height: 600}}})
	a := newApp(t, d)
	a.window("other", 0, 0, 10, 10)
	w := a.window("bare", 10, 10, 100, 50)
	got, err := Find(ctx(t), d.Name, Match{Title: "bare"})
	if err != nil || got != Window(w) {
		t.Errorf("Find = %#x, %v; want %#x", uint32(got), err, uint32(w))
	}
}

// BenchmarkMoveToCorner moves a framed window between two corners under
// Openbox: one request and the wait for the manager to carry it out.
func BenchmarkMoveToCorner(b *testing.B) {
	d := xvfb.Start(b, xvfb.Options{Screens: []xvfb.Screen{{Width: 1280, Height: 800}}})
	x11wintest.StartOpenbox(b, d)
	c, err := dial(d.Name)
	if err != nil {
		b.Fatal(err)
	}
	defer c.close()
	id, _ := xproto.NewWindowId(c.c)
	s := xproto.Setup(c.c).DefaultScreen(c.c)
	if err := xproto.CreateWindowChecked(c.c, s.RootDepth, id, c.root, 0, 0, 340, 130, 0,
		xproto.WindowClassInputOutput, s.RootVisual, 0, nil).Check(); err != nil {
		b.Fatal(err)
	}
	xproto.MapWindow(c.c, id)
	ctx := b.Context()
	corners := []Corner{CornerBottomRight, CornerTopLeft}
	for i := 0; b.Loop(); i++ {
		if err := MoveToCorner(ctx, d.Name, Window(id), corners[i%2], 16); err != nil {
			b.Fatal(err)
		}
	}
}
