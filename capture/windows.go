package capture

import (
	"errors"
	"fmt"
	"image"
	"slices"
	"sync"
)

// ErrNoWindow is returned by ShareOnly for an ID that names no window
// on the screen (closed, minimized or never there).
var ErrNoWindow = errors.New("capture: no such window")

// WindowID identifies an application window. On X11 it is the client
// window's ID, which stays the same while a window manager reparents the
// window into a frame.
type WindowID uint32

// Window is one of the desktop's top-level application windows, as
// ListWindows finds it.
type Window struct {
	// ID identifies the window for ShareOnly.
	ID WindowID
	// Title is the window's title (_NET_WM_NAME, or WM_NAME).
	Title string
	// Class and Instance are the two parts of WM_CLASS, such as
	// "Firefox" and "Navigator"; empty when the window has none.
	Class, Instance string
	// PID is the process that owns the window (_NET_WM_PID); zero when
	// the window does not say.
	PID int
	// Bounds is the window's area on the screen, in desktop coordinates
	// like Monitor.Bounds, with the window manager's frame. Parts of it
	// may be covered by other windows or lie off screen.
	Bounds image.Rectangle
}

// ListWindows returns the application windows shown on display (an X
// display name; empty means $DISPLAY), the topmost first: windows that
// are mapped and have a title. Menus, tooltips and other
// override-redirect windows, the desktop and docks are left out.
// Elsewhere than on Linux it returns errors.ErrUnsupported.
func ListWindows(display string) ([]Window, error) {
	return listWindows(display)
}

// ShareOnly limits the captured frames to the windows ids: everything
// else, the desktop and other windows, is black, and so is any part of a
// chosen window that another window covers. The mask follows the windows
// as they move, resize, are raised, lowered, hidden and shown. A window
// that appears later is shared when it belongs to the application of a
// chosen window (the same _NET_WM_PID, or the same WM_CLASS where either
// window has no PID), so the dialogs of a shared program are seen; a
// window that was on the screen and not chosen stays masked.
//
// nil or empty ids share the whole screen again. ShareOnly replaces the
// previous choice; it returns ErrNoWindow when an ID is not a window on
// the screen, keeping the previous choice. The next call to Next reports
// every area whose masking changed. It uses its own connection to the
// display the Capturer was opened on; elsewhere than on Linux it returns
// errors.ErrUnsupported for a non-empty ids.
//
// Before each grab Next waits for the mask to catch up with every change
// of the windows the X server made before: a window mapped, moved or
// raised is masked in the first frame that shows it. Only a change in
// the instant between that check and the grab can reach one frame
// before the mask does.
func (c *Capturer) ShareOnly(ids []WindowID) error {
	c.share.mu.Lock()
	defer c.share.mu.Unlock()
	if c.share.stopped || c.closed() {
		return ErrClosed
	}
	var w *windowWatch
	if len(ids) > 0 {
		var err error
		if w, err = newWindowWatch(c.display, ids, c.SetMask, c.log); err != nil {
			return err
		}
	}
	// The old watch ends before the new one sets a mask, so that none of
	// the old one's comes after.
	if c.share.w != nil {
		c.share.w.close()
	}
	c.share.w = w
	if w == nil {
		c.SetMask(nil)
	} else {
		w.start()
	}
	return nil
}

// windowShare is the Capturer's part of ShareOnly.
type windowShare struct {
	mu      sync.Mutex
	w       *windowWatch // nil shares everything
	stopped bool         // Close was called
}

// sync brings the mask up to date with the windows: it returns once the
// watch has seen every change of the windows made before the call.
func (s *windowShare) sync() {
	s.mu.Lock()
	w := s.w
	s.mu.Unlock()
	if w != nil {
		w.sync()
	}
}

// stop ends the watch for Close.
func (s *windowShare) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	if s.w != nil {
		s.w.close()
		s.w = nil
	}
}

// topLevel is a viewable child of the root window.
type topLevel struct {
	// client is the application's window: the top-level itself, or the
	// window with WM_STATE inside a window manager's frame.
	client WindowID
	// bounds is the top-level's outer area in desktop coordinates.
	bounds image.Rectangle
	// override marks an override-redirect window (menu, tooltip).
	override bool
	// special marks the desktop and docks.
	special         bool
	title           string
	class, instance string
	pid             int
}

func (w topLevel) window() Window {
	return Window{ID: w.client, Title: w.title, Class: w.class, Instance: w.instance, PID: w.pid, Bounds: w.bounds}
}

// listed reports whether ListWindows shows w.
func (w topLevel) listed() bool {
	return !w.override && !w.special && w.title != "" && !w.bounds.Empty()
}

// appKey identifies an application for windows that appear later.
type appKey struct {
	pid             int
	class, instance string
}

// shareRule decides which top-levels ShareOnly shows.
type shareRule struct {
	ids   map[WindowID]bool // chosen
	known map[WindowID]bool // on the screen and not chosen at ShareOnly
	apps  []appKey          // of the chosen windows
}

// newShareRule checks that ids are on the screen (stack) and makes the
// rule for them.
func newShareRule(ids []WindowID, stack []topLevel) (shareRule, error) {
	r := shareRule{ids: map[WindowID]bool{}, known: map[WindowID]bool{}}
	for _, id := range ids {
		i := slices.IndexFunc(stack, func(w topLevel) bool { return w.client == id })
		if i < 0 {
			return shareRule{}, errNoWindow(id)
		}
		r.ids[id] = true
		w := stack[i]
		if k := (appKey{pid: w.pid, class: w.class, instance: w.instance}); k != (appKey{}) && !slices.Contains(r.apps, k) {
			r.apps = append(r.apps, k)
		}
	}
	for _, w := range stack {
		if !r.ids[w.client] {
			r.known[w.client] = true
		}
	}
	return r, nil
}

// undecided reports whether shares needs to know more than id of the
// window id: its PID and class.
func (r *shareRule) undecided(id WindowID) bool {
	return !r.ids[id] && !r.known[id]
}

// shares reports whether w is shown.
func (r *shareRule) shares(w topLevel) bool {
	if r.ids[w.client] {
		return true
	}
	if r.known[w.client] {
		return false
	}
	for _, a := range r.apps {
		if a.pid != 0 && w.pid != 0 {
			if a.pid == w.pid {
				return true
			}
			continue
		}
		if a.class != "" && a.class == w.class && a.instance == w.instance {
			return true
		}
	}
	return false
}

// maskFor returns the parts of root that are not shown: everything but
// the parts of shared windows that no unshared window above covers.
// stack is bottom to top.
func maskFor(root image.Rectangle, stack []topLevel, shared func(topLevel) bool) []image.Rectangle {
	var visible []image.Rectangle
	for _, w := range stack {
		b := w.bounds.Intersect(root)
		if b.Empty() {
			continue
		}
		if shared(w) {
			visible = append(subtract(visible, b), b)
		} else {
			visible = subtract(visible, b)
		}
	}
	mask := []image.Rectangle{root}
	for _, v := range visible {
		mask = subtract(mask, v)
	}
	return mask
}

// subtract returns the parts of rs outside s, each rectangle cut into at
// most four.
func subtract(rs []image.Rectangle, s image.Rectangle) []image.Rectangle {
	out := make([]image.Rectangle, 0, len(rs))
	for _, r := range rs {
		in := r.Intersect(s)
		if in.Empty() {
			out = append(out, r)
			continue
		}
		for _, p := range []image.Rectangle{
			{r.Min, image.Pt(r.Max.X, in.Min.Y)},                        // above
			{image.Pt(r.Min.X, in.Max.Y), r.Max},                        // below
			{image.Pt(r.Min.X, in.Min.Y), image.Pt(in.Min.X, in.Max.Y)}, // left
			{image.Pt(in.Max.X, in.Min.Y), image.Pt(r.Max.X, in.Max.Y)}, // right
		} {
			if !p.Empty() {
				out = append(out, p)
			}
		}
	}
	return out
}

func errNoWindow(id WindowID) error {
	return fmt.Errorf("capture: window %#x: %w", uint32(id), ErrNoWindow)
}
