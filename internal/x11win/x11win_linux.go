//go:build linux

package x11win

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/randr"
	"github.com/jezek/xgb/xinerama"
	"github.com/jezek/xgb/xproto"
)

// poll is how often the functions that wait look again.
const poll = 20 * time.Millisecond

// until calls check at once and then every poll until it reports done or
// fails, and returns check's error. When ctx ends first it returns
// expired(ctx.Err()), which names what was waited for.
func until(ctx context.Context, check func() (done bool, err error), expired func(ctxErr error) error) error {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		done, err := check()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return expired(ctx.Err())
		case <-t.C:
		}
	}
}

// ICCCM and EWMH numbers.
const (
	iconicState      = 3
	inputHint        = 1 // WM_HINTS flags
	staticGravity    = 10
	netWMStateAdd    = 1
	sourceNormalApp  = 1
	moveResizeXY     = 1<<8 | 1<<9
	moveResizeSource = sourceNormalApp << 12
)

// conn is one connection to a display with its atoms.
type conn struct {
	c     *xgb.Conn
	root  xproto.Window
	atoms map[string]xproto.Atom
}

func dial(display string) (*conn, error) {
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("x11win: connect to display %q: %w", display, err)
	}
	return &conn{c: c, root: xproto.Setup(c).DefaultScreen(c).Root, atoms: map[string]xproto.Atom{}}, nil
}

func (c *conn) close() { c.c.Close() }

func (c *conn) atom(name string) (xproto.Atom, error) {
	if a, ok := c.atoms[name]; ok {
		return a, nil
	}
	r, err := xproto.InternAtom(c.c, false, uint16(len(name)), name).Reply()
	if err != nil {
		return 0, fmt.Errorf("x11win: intern %s: %w", name, err)
	}
	c.atoms[name] = r.Atom
	return r.Atom, nil
}

// prop returns a window property's raw value; nil when it is not set.
func (c *conn) prop(w xproto.Window, name string) (*xproto.GetPropertyReply, error) {
	a, err := c.atom(name)
	if err != nil {
		return nil, err
	}
	r, err := xproto.GetProperty(c.c, false, w, a, xproto.GetPropertyTypeAny, 0, 1<<16).Reply()
	if err != nil {
		var bad xproto.WindowError
		if errors.As(err, &bad) {
			return nil, fmt.Errorf("%w: %#x", ErrBadWindow, uint32(w))
		}
		return nil, fmt.Errorf("x11win: read %s of %#x: %w", name, uint32(w), err)
	}
	if r.Format == 0 {
		return nil, nil
	}
	return r, nil
}

// cardinals returns a 32-bit property as numbers.
func (c *conn) cardinals(w xproto.Window, name string) ([]uint32, error) {
	r, err := c.prop(w, name)
	if err != nil || r == nil || r.Format != 32 {
		return nil, err
	}
	out := make([]uint32, len(r.Value)/4)
	for i := range out {
		out[i] = xgb.Get32(r.Value[4*i:])
	}
	return out, nil
}

func (c *conn) setCardinals(w xproto.Window, name, typ string, vals []uint32) error {
	a, err := c.atom(name)
	if err != nil {
		return err
	}
	t, err := c.atom(typ)
	if err != nil {
		return err
	}
	buf := make([]byte, 4*len(vals))
	for i, v := range vals {
		xgb.Put32(buf[4*i:], v)
	}
	if err := xproto.ChangePropertyChecked(c.c, xproto.PropModeReplace, w, a, t, 32, uint32(len(vals)), buf).Check(); err != nil {
		return fmt.Errorf("x11win: set %s of %#x: %w", name, uint32(w), err)
	}
	return nil
}

// wm returns whether an EWMH window manager runs on the display.
func (c *conn) wm() (bool, error) {
	v, err := c.cardinals(c.root, "_NET_SUPPORTING_WM_CHECK")
	if err != nil || len(v) == 0 {
		return false, err
	}
	child, err := c.cardinals(xproto.Window(v[0]), "_NET_SUPPORTING_WM_CHECK")
	if errors.Is(err, ErrBadWindow) {
		return false, nil // a stale property of a manager that has gone
	}
	return err == nil && len(child) > 0 && child[0] == v[0], err
}

// clientMessage sends a 32-bit client message about w to the root window,
// as EWMH and ICCCM ask of clients.
func (c *conn) clientMessage(w xproto.Window, typ string, data ...uint32) error {
	a, err := c.atom(typ)
	if err != nil {
		return err
	}
	var d [5]uint32
	copy(d[:], data)
	ev := xproto.ClientMessageEvent{Format: 32, Window: w, Type: a, Data: xproto.ClientMessageDataUnionData32New(d[:])}
	mask := uint32(xproto.EventMaskSubstructureRedirect | xproto.EventMaskSubstructureNotify)
	if err := xproto.SendEventChecked(c.c, false, c.root, mask, string(ev.Bytes())).Check(); err != nil {
		return fmt.Errorf("x11win: send %s for %#x: %w", typ, uint32(w), err)
	}
	return nil
}

// exists checks that w is a window on the display.
func (c *conn) exists(w xproto.Window) error {
	if _, err := xproto.GetWindowAttributes(c.c, w).Reply(); err != nil {
		return fmt.Errorf("%w: %#x: %v", ErrBadWindow, uint32(w), err)
	}
	return nil
}

// frame returns the top-level ancestor of w (the window manager's frame, or
// w itself when it is not reparented) and the rectangle it covers, border
// included.
func (c *conn) frame(w xproto.Window) (xproto.Window, Rect, error) {
	top := w
	for {
		t, err := xproto.QueryTree(c.c, top).Reply()
		if err != nil {
			return 0, Rect{}, fmt.Errorf("%w: %#x: %v", ErrBadWindow, uint32(top), err)
		}
		if t.Parent == c.root || t.Parent == 0 {
			break
		}
		top = t.Parent
	}
	g, err := xproto.GetGeometry(c.c, xproto.Drawable(top)).Reply()
	if err != nil {
		return 0, Rect{}, fmt.Errorf("%w: %#x: %v", ErrBadWindow, uint32(top), err)
	}
	b := 2 * int(g.BorderWidth)
	return top, Rect{X: int(g.X), Y: int(g.Y), Width: int(g.Width) + b, Height: int(g.Height) + b}, nil
}

// origin returns where w's own top-left corner is in root coordinates.
func (c *conn) origin(w xproto.Window) (int, int, error) {
	r, err := xproto.TranslateCoordinates(c.c, w, c.root, 0, 0).Reply()
	if err != nil {
		return 0, 0, fmt.Errorf("%w: %#x: %v", ErrBadWindow, uint32(w), err)
	}
	return int(r.DstX), int(r.DstY), nil
}

// monitors returns the monitors of the display: RandR's monitor list
// (which includes those set with xrandr --setmonitor), else Xinerama's
// screens, else the root window.
func (c *conn) monitors() ([]Rect, error) {
	if c.extension("RANDR") {
		if v, err := randr.QueryVersion(c.c, 1, 5).Reply(); err == nil && (v.MajorVersion > 1 || v.MinorVersion >= 5) {
			if r, err := randr.GetMonitors(c.c, c.root, true).Reply(); err == nil && len(r.Monitors) > 0 {
				out := make([]Rect, 0, len(r.Monitors))
				for _, m := range r.Monitors {
					out = append(out, Rect{X: int(m.X), Y: int(m.Y), Width: int(m.Width), Height: int(m.Height)})
				}
				return out, nil
			}
		}
	}
	if c.extension("XINERAMA") {
		if r, err := xinerama.QueryScreens(c.c).Reply(); err == nil && len(r.ScreenInfo) > 0 {
			out := make([]Rect, 0, len(r.ScreenInfo))
			for _, s := range r.ScreenInfo {
				out = append(out, Rect{X: int(s.XOrg), Y: int(s.YOrg), Width: int(s.Width), Height: int(s.Height)})
			}
			return out, nil
		}
	}
	g, err := xproto.GetGeometry(c.c, xproto.Drawable(c.root)).Reply()
	if err != nil {
		return nil, fmt.Errorf("x11win: root geometry: %w", err)
	}
	return []Rect{{Width: int(g.Width), Height: int(g.Height)}}, nil
}

// extension reports whether the display has the named extension and makes
// it usable on this connection. It stands in for the xgb packages' Init,
// which also fills xgb's package-wide event and error tables: writes that
// race with the reader goroutine of every other open connection in the
// process. Only requests and replies are used here, which need no table.
func (c *conn) extension(name string) bool {
	r, err := xproto.QueryExtension(c.c, uint16(len(name)), name).Reply()
	if err != nil || !r.Present {
		return false
	}
	c.c.ExtLock.Lock()
	c.c.Extensions[name] = r.MajorOpcode
	c.c.ExtLock.Unlock()
	return true
}

// title returns a window's title: _NET_WM_NAME, else WM_NAME.
func (c *conn) title(w xproto.Window) (string, error) {
	for _, name := range []string{"_NET_WM_NAME", "WM_NAME"} {
		r, err := c.prop(w, name)
		if err != nil {
			return "", err
		}
		if r != nil && r.Format == 8 {
			return string(r.Value), nil
		}
	}
	return "", nil
}

// candidates lists the windows that may be application windows: the
// manager's client list, else every window up to three levels below the
// root.
func (c *conn) candidates() ([]xproto.Window, error) {
	if list, err := c.cardinals(c.root, "_NET_CLIENT_LIST"); err == nil && len(list) > 0 {
		out := make([]xproto.Window, len(list))
		for i, w := range list {
			out[i] = xproto.Window(w)
		}
		return out, nil
	}
	var out []xproto.Window
	level := []xproto.Window{c.root}
	for range 3 {
		var next []xproto.Window
		for _, w := range level {
			t, err := xproto.QueryTree(c.c, w).Reply()
			if err != nil {
				continue // gone meanwhile
			}
			next = append(next, t.Children...)
		}
		out = append(out, next...)
		level = next
	}
	return out, nil
}

func (c *conn) matches(w xproto.Window, m Match) bool {
	if m.PID != 0 {
		pid, err := c.cardinals(w, "_NET_WM_PID")
		if err != nil || len(pid) == 0 || int(pid[0]) != m.PID {
			return false
		}
	}
	if m.Title != "" {
		t, err := c.title(w)
		if err != nil || t != m.Title {
			return false
		}
	}
	return true
}

// Find waits until a window matching m appears on display ("" is
// $DISPLAY) and returns it: the first of the window manager's clients
// that matches, or with no manager the first window near the top of the
// tree. It returns ErrNotFound, wrapped with the context's error, when ctx
// ends first.
func Find(ctx context.Context, display string, m Match) (Window, error) {
	if m.PID == 0 && m.Title == "" {
		return 0, ErrNoMatch
	}
	c, err := dial(display)
	if err != nil {
		return 0, err
	}
	defer c.close()
	var found Window
	err = until(ctx, func() (bool, error) {
		ws, err := c.candidates()
		if err != nil {
			return false, err
		}
		for _, w := range ws {
			if c.matches(w, m) {
				found = Window(w)
				return true, nil
			}
		}
		return false, nil
	}, func(ctxErr error) error {
		return fmt.Errorf("%w: pid %d, title %q: %w", ErrNotFound, m.PID, m.Title, ctxErr)
	})
	if err != nil {
		return 0, err
	}
	return found, nil
}

// onWindow connects to display, checks that win is a window there and
// runs f with both; the connection closes when f returns.
func onWindow(display string, win Window, f func(c *conn, w xproto.Window) error) error {
	c, err := dial(display)
	if err != nil {
		return err
	}
	defer c.close()
	w := xproto.Window(win)
	if err := c.exists(w); err != nil {
		return err
	}
	return f(c, w)
}

// Frame returns the rectangle win covers on display in root coordinates,
// with the frame a window manager drew around it.
func Frame(ctx context.Context, display string, win Window) (Rect, error) {
	c, err := dial(display)
	if err != nil {
		return Rect{}, err
	}
	defer c.close()
	_, r, err := c.frame(xproto.Window(win))
	return r, err
}

// MoveToCorner moves win, with its frame, to corner of the monitor it is
// on, margin pixels in from the monitor's edges, and returns once the
// window is there. A window manager acts on its own time and may reframe
// the window meanwhile; the request is renewed until the frame is in
// place or ctx ends.
func MoveToCorner(ctx context.Context, display string, win Window, corner Corner, margin int) error {
	if corner <= CornerUnknown || corner > CornerBottomRight {
		return fmt.Errorf("%w: %v", ErrBadCorner, corner)
	}
	c, err := dial(display)
	if err != nil {
		return err
	}
	defer c.close()
	w := xproto.Window(win)
	managed, err := c.wm()
	if err != nil {
		return err
	}
	mons, err := c.monitors()
	if err != nil {
		return err
	}
	var mon Rect
	first := true
	type request struct{ x, y int }
	var last request
	var fr Rect
	return until(ctx, func() (bool, error) {
		top, f, err := c.frame(w)
		if err != nil {
			return false, err
		}
		fr = f
		if first {
			// The monitor is the one the window is on when asked; later
			// frames are on their way to the corner.
			mon, first = monitorOf(mons, fr), false
		}
		x, y, err := place(mon, fr.Width, fr.Height, corner, margin)
		if err != nil {
			return false, err
		}
		if fr.X == x && fr.Y == y {
			return true, nil
		}
		// Where the window's own origin must go for its frame to be at
		// x, y: the frame's decorations stay as they are.
		ox, oy, err := c.origin(w)
		if err != nil {
			return false, err
		}
		req := request{x + ox - fr.X, y + oy - fr.Y}
		if top == w {
			// Not reparented: the position is the window's own, border
			// included, as X counts it.
			req = request{x, y}
		}
		if req != last {
			if err := c.move(w, managed, req.x, req.y); err != nil {
				return false, err
			}
			last = req
		}
		return false, nil
	}, func(ctxErr error) error {
		return fmt.Errorf("x11win: move %#x to the %v corner of %v: at %v: %w", uint32(w), corner, mon, fr, ctxErr)
	})
}

// move asks that w's own top-left corner go to x, y in root coordinates.
func (c *conn) move(w xproto.Window, managed bool, x, y int) error {
	if managed {
		// Static gravity names the client window's own position, whatever
		// gravity the toolkit set in WM_NORMAL_HINTS.
		return c.clientMessage(w, "_NET_MOVERESIZE_WINDOW", staticGravity|moveResizeXY|moveResizeSource, uint32(int32(x)), uint32(int32(y)))
	}
	if err := xproto.ConfigureWindowChecked(c.c, w, xproto.ConfigWindowX|xproto.ConfigWindowY, []uint32{uint32(int32(x)), uint32(int32(y))}).Check(); err != nil {
		return fmt.Errorf("x11win: move %#x: %w", uint32(w), err)
	}
	return nil
}

// managedState returns w's WM_STATE and whether a window manager set it.
func (c *conn) managedState(w xproto.Window) (uint32, bool, error) {
	v, err := c.cardinals(w, "WM_STATE")
	if err != nil || len(v) == 0 {
		return 0, false, err
	}
	return v[0], true, nil
}

// KeepAbove keeps win above other windows and raises it. With a window
// manager it adds _NET_WM_STATE_ABOVE (through a client message to the
// root when the window is managed, in the property itself before it is
// mapped) and returns once the manager has set it; with none it only
// raises the window.
func KeepAbove(ctx context.Context, display string, win Window) error {
	return onWindow(display, win, func(c *conn, w xproto.Window) error {
		managed, err := c.wm()
		if err != nil {
			return err
		}
		above, err := c.atom("_NET_WM_STATE_ABOVE")
		if err != nil {
			return err
		}
		if managed {
			_, known, err := c.managedState(w)
			if err != nil {
				return err
			}
			if known {
				if err := c.clientMessage(w, "_NET_WM_STATE", netWMStateAdd, uint32(above), 0, sourceNormalApp); err != nil {
					return err
				}
				if err := c.waitState(ctx, w, above); err != nil {
					return err
				}
			} else {
				st, err := c.cardinals(w, "_NET_WM_STATE")
				if err != nil {
					return err
				}
				if !slices.Contains(st, uint32(above)) {
					if err := c.setCardinals(w, "_NET_WM_STATE", "ATOM", append(st, uint32(above))); err != nil {
						return err
					}
				}
			}
		}
		if err := xproto.ConfigureWindowChecked(c.c, w, xproto.ConfigWindowStackMode, []uint32{xproto.StackModeAbove}).Check(); err != nil {
			return fmt.Errorf("x11win: raise %#x: %w", uint32(w), err)
		}
		return nil
	})
}

// waitState waits until w's _NET_WM_STATE holds state.
func (c *conn) waitState(ctx context.Context, w xproto.Window, state xproto.Atom) error {
	return until(ctx, func() (bool, error) {
		st, err := c.cardinals(w, "_NET_WM_STATE")
		return slices.Contains(st, uint32(state)), err
	}, func(ctxErr error) error {
		return fmt.Errorf("x11win: the window manager did not set the state of %#x: %w", uint32(w), ctxErr)
	})
}

// Iconify asks the window manager to iconify win (ICCCM WM_CHANGE_STATE)
// and returns once its WM_STATE is Iconic. Without a window manager it
// returns ErrNoWindowManager: nobody would draw an icon.
func Iconify(ctx context.Context, display string, win Window) error {
	return onWindow(display, win, func(c *conn, w xproto.Window) error {
		managed, err := c.wm()
		if err != nil {
			return err
		}
		if !managed {
			return ErrNoWindowManager
		}
		if err := c.clientMessage(w, "WM_CHANGE_STATE", iconicState); err != nil {
			return err
		}
		return until(ctx, func() (bool, error) {
			st, known, err := c.managedState(w)
			return known && st == iconicState, err
		}, func(ctxErr error) error {
			return fmt.Errorf("x11win: iconify %#x: %w", uint32(w), ctxErr)
		})
	})
}

// NoFocusOnMap marks win not to take the input focus when it is next
// mapped: _NET_WM_USER_TIME 0 (EWMH: the user has not interacted with it)
// and the input hint of WM_HINTS false, keeping the hints the toolkit set.
// Call it before the window is mapped.
func NoFocusOnMap(ctx context.Context, display string, win Window) error {
	return onWindow(display, win, func(c *conn, w xproto.Window) error {
		if err := c.setCardinals(w, "_NET_WM_USER_TIME", "CARDINAL", []uint32{0}); err != nil {
			return err
		}
		hints, err := c.cardinals(w, "WM_HINTS")
		if err != nil {
			return err
		}
		if len(hints) < 9 {
			hints = append(hints, make([]uint32, 9-len(hints))...)
		}
		hints[0] |= inputHint
		hints[1] = 0
		return c.setCardinals(w, "WM_HINTS", "WM_HINTS", hints)
	})
}

// Active returns the window the window manager reports active
// (_NET_ACTIVE_WINDOW), else the window with the input focus; zero when
// there is none.
func Active(ctx context.Context, display string) (Window, error) {
	c, err := dial(display)
	if err != nil {
		return 0, err
	}
	defer c.close()
	return c.active()
}

func (c *conn) active() (Window, error) {
	managed, err := c.wm()
	if err != nil {
		return 0, err
	}
	if managed {
		v, err := c.cardinals(c.root, "_NET_ACTIVE_WINDOW")
		if err != nil || len(v) == 0 {
			return 0, err
		}
		return Window(v[0]), nil
	}
	f, err := xproto.GetInputFocus(c.c).Reply()
	if err != nil {
		return 0, fmt.Errorf("x11win: input focus: %w", err)
	}
	if f.Focus == c.root || f.Focus <= 1 { // None, PointerRoot
		return 0, nil
	}
	return Window(f.Focus), nil
}

// Activate gives win the focus and returns once it has it: through the
// window manager (_NET_ACTIVE_WINDOW, as a pager asks, which focus-stealing
// prevention lets through) when one runs, else directly.
func Activate(ctx context.Context, display string, win Window) error {
	return onWindow(display, win, func(c *conn, w xproto.Window) error {
		managed, err := c.wm()
		if err != nil {
			return err
		}
		if !managed {
			if err := xproto.SetInputFocusChecked(c.c, xproto.InputFocusParent, w, xproto.TimeCurrentTime).Check(); err != nil {
				return fmt.Errorf("x11win: focus %#x: %w", uint32(w), err)
			}
			return nil
		}
		const sourcePager = 2
		if err := c.clientMessage(w, "_NET_ACTIVE_WINDOW", sourcePager, xproto.TimeCurrentTime, 0); err != nil {
			return err
		}
		var a Window
		return until(ctx, func() (bool, error) {
			var err error
			a, err = c.active()
			return a == win, err
		}, func(ctxErr error) error {
			return fmt.Errorf("x11win: activate %#x: %#x is active: %w", uint32(w), uint32(a), ctxErr)
		})
	})
}
