package capture

import (
	"encoding/binary"
	"fmt"
	"image"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// xwindows reads the window tree of one display over its own connection.
type xwindows struct {
	conn *xgb.Conn
	root xproto.Window

	wmState, netWMName, utf8String, netWMPID xproto.Atom
	windowType, typeDesktop, typeDock        xproto.Atom
}

func dialWindows(display string) (*xwindows, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("capture: connect to X %q: %w", display, err)
	}
	x := &xwindows{conn: conn, root: xproto.Setup(conn).DefaultScreen(conn).Root}
	names := []string{"WM_STATE", "_NET_WM_NAME", "UTF8_STRING", "_NET_WM_PID",
		"_NET_WM_WINDOW_TYPE", "_NET_WM_WINDOW_TYPE_DESKTOP", "_NET_WM_WINDOW_TYPE_DOCK"}
	dst := []*xproto.Atom{&x.wmState, &x.netWMName, &x.utf8String, &x.netWMPID,
		&x.windowType, &x.typeDesktop, &x.typeDock}
	cookies := make([]xproto.InternAtomCookie, len(names))
	for i, n := range names {
		cookies[i] = xproto.InternAtom(conn, false, uint16(len(n)), n)
	}
	for i, c := range cookies {
		r, err := c.Reply()
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("capture: intern atom %s: %w", names[i], err)
		}
		*dst[i] = r.Atom
	}
	return x, nil
}

func (x *xwindows) close() { x.conn.Close() }

// scan returns the root's area and its viewable children, bottom to top.
// A window that vanishes while it is read is left out.
func (x *xwindows) scan() (image.Rectangle, []topLevel, error) {
	rootGeo := xproto.GetGeometry(x.conn, xproto.Drawable(x.root))
	tree, err := xproto.QueryTree(x.conn, x.root).Reply()
	if err != nil {
		return image.Rectangle{}, nil, fmt.Errorf("capture: query the window tree: %w", err)
	}
	rg, err := rootGeo.Reply()
	if err != nil {
		return image.Rectangle{}, nil, fmt.Errorf("capture: root geometry: %w", err)
	}
	root := image.Rect(0, 0, int(rg.Width), int(rg.Height))

	type ask struct {
		attrs xproto.GetWindowAttributesCookie
		geo   xproto.GetGeometryCookie
		state xproto.GetPropertyCookie
	}
	asks := make([]ask, len(tree.Children))
	for i, w := range tree.Children {
		asks[i] = ask{
			attrs: xproto.GetWindowAttributes(x.conn, w),
			geo:   xproto.GetGeometry(x.conn, xproto.Drawable(w)),
			state: xproto.GetProperty(x.conn, false, w, x.wmState, xproto.GetPropertyTypeAny, 0, 0),
		}
	}
	var (
		stack   []topLevel
		clients []xproto.Window
	)
	for i, w := range tree.Children {
		a, aerr := asks[i].attrs.Reply()
		g, gerr := asks[i].geo.Reply()
		s, serr := asks[i].state.Reply()
		if aerr != nil || gerr != nil || serr != nil {
			continue // gone
		}
		if a.MapState != xproto.MapStateViewable || a.Class != xproto.WindowClassInputOutput {
			continue
		}
		bw := 2 * int(g.BorderWidth)
		t := topLevel{
			client:   WindowID(w),
			bounds:   image.Rect(int(g.X), int(g.Y), int(g.X)+int(g.Width)+bw, int(g.Y)+int(g.Height)+bw),
			override: a.OverrideRedirect,
		}
		client := w
		if s.Type == xproto.AtomNone {
			if c, ok := x.findClient(w, 3); ok {
				client = c
				t.client = WindowID(c)
			}
		}
		stack = append(stack, t)
		clients = append(clients, client)
	}
	x.describe(stack, clients)
	return root, stack, nil
}

// findClient looks under a window manager's frame for the window with
// WM_STATE, at most depth levels down.
func (x *xwindows) findClient(w xproto.Window, depth int) (xproto.Window, bool) {
	if depth == 0 {
		return 0, false
	}
	tree, err := xproto.QueryTree(x.conn, w).Reply()
	if err != nil {
		return 0, false
	}
	cookies := make([]xproto.GetPropertyCookie, len(tree.Children))
	for i, c := range tree.Children {
		cookies[i] = xproto.GetProperty(x.conn, false, c, x.wmState, xproto.GetPropertyTypeAny, 0, 0)
	}
	found := xproto.Window(0)
	for i, c := range cookies {
		if r, err := c.Reply(); err == nil && r.Type != xproto.AtomNone && found == 0 {
			found = tree.Children[i]
		}
	}
	if found != 0 {
		return found, true
	}
	for _, c := range tree.Children {
		if f, ok := x.findClient(c, depth-1); ok {
			return f, true
		}
	}
	return 0, false
}

// describe fills in the titles, classes, PIDs and types of stack from
// the properties of clients, in one round trip.
func (x *xwindows) describe(stack []topLevel, clients []xproto.Window) {
	type ask struct{ netName, name, class, pid, typ xproto.GetPropertyCookie }
	asks := make([]ask, len(clients))
	for i, w := range clients {
		asks[i] = ask{
			netName: xproto.GetProperty(x.conn, false, w, x.netWMName, x.utf8String, 0, 1024),
			name:    xproto.GetProperty(x.conn, false, w, xproto.AtomWmName, xproto.GetPropertyTypeAny, 0, 1024),
			class:   xproto.GetProperty(x.conn, false, w, xproto.AtomWmClass, xproto.AtomString, 0, 256),
			pid:     xproto.GetProperty(x.conn, false, w, x.netWMPID, xproto.AtomCardinal, 0, 1),
			typ:     xproto.GetProperty(x.conn, false, w, x.windowType, xproto.AtomAtom, 0, 32),
		}
	}
	for i := range clients {
		t := &stack[i]
		if r, err := asks[i].netName.Reply(); err == nil && r.Format == 8 && len(r.Value) > 0 {
			t.title = strings.ToValidUTF8(string(r.Value), "\uFFFD")
		}
		if r, err := asks[i].name.Reply(); err == nil && r.Format == 8 && len(r.Value) > 0 && t.title == "" {
			t.title = textProperty(r.Value, r.Type == x.utf8String)
		}
		if r, err := asks[i].class.Reply(); err == nil && r.Format == 8 {
			parts := strings.Split(strings.TrimRight(string(r.Value), "\x00"), "\x00")
			t.instance = latin1(parts[0])
			if len(parts) > 1 {
				t.class = latin1(parts[1])
			}
		}
		if r, err := asks[i].pid.Reply(); err == nil && r.Format == 32 && len(r.Value) >= 4 {
			t.pid = int(binary.LittleEndian.Uint32(r.Value))
		}
		if r, err := asks[i].typ.Reply(); err == nil && r.Format == 32 {
			for v := r.Value; len(v) >= 4; v = v[4:] {
				if a := xproto.Atom(binary.LittleEndian.Uint32(v)); a == x.typeDesktop || a == x.typeDock {
					t.special = true
				}
			}
		}
	}
}

// textProperty decodes WM_NAME: UTF-8 when it says so, Latin-1 (the
// ICCCM's STRING) otherwise; COMPOUND_TEXT is read as Latin-1 too, which
// is right for its ASCII part.
func textProperty(b []byte, isUTF8 bool) string {
	if isUTF8 {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return latin1(string(b))
}

func latin1(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 }) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

func listWindows(display string) ([]Window, error) {
	x, err := dialWindows(display)
	if err != nil {
		return nil, err
	}
	defer x.close()
	_, stack, err := x.scan()
	if err != nil {
		return nil, err
	}
	var ws []Window
	for _, t := range slices.Backward(stack) {
		if t.listed() {
			ws = append(ws, t.window())
		}
	}
	return ws, nil
}

// windowWatch keeps a Capturer's mask on the shared windows: it listens
// for the root's SubstructureNotify events on its own connection and,
// after each burst of them, reads the window tree again.
type windowWatch struct {
	log  *slog.Logger
	x    *xwindows
	rule shareRule
	set  func([]image.Rectangle)
	last []image.Rectangle

	wg        sync.WaitGroup
	closeOnce sync.Once
}

func startWindowWatch(display string, ids []WindowID, set func([]image.Rectangle), log *slog.Logger) (*windowWatch, error) {
	x, err := dialWindows(display)
	if err != nil {
		return nil, err
	}
	// Listen before reading the tree, so that no change falls between.
	if err := xproto.ChangeWindowAttributesChecked(x.conn, x.root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskSubstructureNotify | xproto.EventMaskStructureNotify}).Check(); err != nil {
		x.close()
		return nil, fmt.Errorf("capture: listen to the root window: %w", err)
	}
	root, stack, err := x.scan()
	if err != nil {
		x.close()
		return nil, err
	}
	rule, err := newShareRule(ids, stack)
	if err != nil {
		x.close()
		return nil, err
	}
	w := &windowWatch{log: log, x: x, rule: rule, set: set}
	w.apply(root, stack)
	w.wg.Add(1)
	go w.run()
	return w, nil
}

// apply sets the mask for the windows in stack when it changed.
func (w *windowWatch) apply(root image.Rectangle, stack []topLevel) {
	mask := maskFor(root, stack, w.rule.shares)
	if w.last != nil && slices.Equal(mask, w.last) {
		return
	}
	w.last = mask
	w.set(mask)
}

func (w *windowWatch) run() {
	defer w.wg.Done()
	for {
		ev, xerr := w.x.conn.WaitForEvent()
		if ev == nil && xerr == nil {
			return // closed
		}
		// Take the whole burst (a window manager framing a window sends
		// several) before reading the tree once.
		for {
			ev, xerr = w.x.conn.PollForEvent()
			if ev == nil && xerr == nil {
				break
			}
		}
		root, stack, err := w.x.scan()
		if err != nil {
			// The previous mask stays: better too much black than a
			// window the customer did not share.
			w.log.Debug("read the windows for the share mask", "err", err)
			continue
		}
		w.apply(root, stack)
	}
}

// close stops the watch and waits for its goroutine.
func (w *windowWatch) close() {
	w.closeOnce.Do(func() {
		w.x.close()
		w.wg.Wait()
	})
}
