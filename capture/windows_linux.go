package capture

import (
	"encoding/binary"
	"fmt"
	"image"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
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
// A window that vanishes while it is read is left out. The titles,
// classes, PIDs and types are read for the windows describe accepts, all
// when it is nil.
func (x *xwindows) scan(describe func(WindowID) bool) (image.Rectangle, []topLevel, error) {
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
		framed  []xproto.Window // top-levels without WM_STATE
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
		stack = append(stack, topLevel{
			client:   WindowID(w),
			bounds:   image.Rect(int(g.X), int(g.Y), int(g.X)+int(g.Width)+bw, int(g.Y)+int(g.Height)+bw),
			override: a.OverrideRedirect,
		})
		clients = append(clients, w)
		if s.Type == xproto.AtomNone {
			framed = append(framed, w)
		}
	}
	found := x.findClients(framed, 3)
	for i, w := range clients {
		if c, ok := found[w]; ok {
			clients[i] = c
			stack[i].client = WindowID(c)
		}
	}
	x.describe(stack, clients, describe)
	return root, stack, nil
}

// findClients looks under window managers' frames for the windows with
// WM_STATE, at most depth levels down, breadth first and under all the
// frames at once: a round trip or two per level, however many windows
// there are. It maps each frame to the first such window found.
func (x *xwindows) findClients(frames []xproto.Window, depth int) map[xproto.Window]xproto.Window {
	type node struct{ frame, w xproto.Window }
	found := map[xproto.Window]xproto.Window{}
	level := make([]node, len(frames))
	for i, f := range frames {
		level[i] = node{f, f}
	}
	for ; depth > 0 && len(level) > 0; depth-- {
		trees := make([]xproto.QueryTreeCookie, len(level))
		for i, n := range level {
			trees[i] = xproto.QueryTree(x.conn, n.w)
		}
		var kids []node
		for i, c := range trees {
			if r, err := c.Reply(); err == nil {
				for _, k := range r.Children {
					kids = append(kids, node{level[i].frame, k})
				}
			}
		}
		states := make([]xproto.GetPropertyCookie, len(kids))
		for i, k := range kids {
			states[i] = xproto.GetProperty(x.conn, false, k.w, x.wmState, xproto.GetPropertyTypeAny, 0, 0)
		}
		level = level[:0]
		for i, c := range states {
			r, err := c.Reply()
			if _, done := found[kids[i].frame]; done {
				continue
			}
			if err == nil && r.Type != xproto.AtomNone {
				found[kids[i].frame] = kids[i].w
			} else {
				level = append(level, kids[i])
			}
		}
		level = slices.DeleteFunc(level, func(n node) bool { _, done := found[n.frame]; return done })
	}
	return found
}

// describe fills in the titles, classes, PIDs and types of stack from
// the properties of clients, in one round trip: of those want accepts,
// all when it is nil.
func (x *xwindows) describe(stack []topLevel, clients []xproto.Window, want func(WindowID) bool) {
	type ask struct{ netName, name, class, pid, typ xproto.GetPropertyCookie }
	asks := make([]ask, len(clients))
	for i, w := range clients {
		if want != nil && !want(WindowID(w)) {
			continue
		}
		asks[i] = ask{
			netName: xproto.GetProperty(x.conn, false, w, x.netWMName, x.utf8String, 0, 1024),
			name:    xproto.GetProperty(x.conn, false, w, xproto.AtomWmName, xproto.GetPropertyTypeAny, 0, 1024),
			class:   xproto.GetProperty(x.conn, false, w, xproto.AtomWmClass, xproto.AtomString, 0, 256),
			pid:     xproto.GetProperty(x.conn, false, w, x.netWMPID, xproto.AtomCardinal, 0, 1),
			typ:     xproto.GetProperty(x.conn, false, w, x.windowType, xproto.AtomAtom, 0, 32),
		}
	}
	for i, w := range clients {
		if want != nil && !want(WindowID(w)) {
			continue
		}
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
	_, stack, err := x.scan(nil)
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

// syncTimeout bounds how long a grab waits for the mask to catch up
// with the windows; past it, the grab goes ahead with the mask it has.
const syncTimeout = time.Second

// windowWatch keeps a Capturer's mask on the shared windows: it listens
// for the root's SubstructureNotify events on its own connection and,
// after each burst of them, reads the window tree again.
//
// sync is a barrier: it changes a property of the watch's own hidden
// window, and the X server delivers that PropertyNotify after every
// event it sent before; once run has handled it, the mask reflects the
// windows as they were when sync was called.
type windowWatch struct {
	log    *slog.Logger
	x      *xwindows
	rule   shareRule
	set    func([]image.Rectangle)
	last   []image.Rectangle
	marker xproto.Window // InputOnly, never mapped
	tick   xproto.Atom   // the marker's property

	// root and stack are the first scan, until start.
	root  image.Rectangle
	stack []topLevel

	// mu guards the fields below.
	mu       sync.Mutex
	asked    uint64        // syncs started
	answered uint64        // syncs run has handled
	progress chan struct{} // closed and replaced when answered grows
	ended    bool          // run returned

	wg        sync.WaitGroup
	closeOnce sync.Once
}

func newWindowWatch(display string, ids []WindowID, set func([]image.Rectangle), log *slog.Logger) (w *windowWatch, err error) {
	x, err := dialWindows(display)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			x.close()
		}
	}()
	w = &windowWatch{log: log, x: x, set: set, progress: make(chan struct{})}
	r, err := xproto.InternAtom(x.conn, false, uint16(len("_TANDEM_SHARE_SYNC")), "_TANDEM_SHARE_SYNC").Reply()
	if err != nil {
		return nil, fmt.Errorf("capture: intern atom: %w", err)
	}
	w.tick = r.Atom
	if w.marker, err = xproto.NewWindowId(x.conn); err != nil {
		return nil, fmt.Errorf("capture: window ID: %w", err)
	}
	if err := xproto.CreateWindowChecked(x.conn, 0, w.marker, x.root, -1, -1, 1, 1, 0, xproto.WindowClassInputOnly, 0,
		xproto.CwOverrideRedirect|xproto.CwEventMask, []uint32{1, xproto.EventMaskPropertyChange}).Check(); err != nil {
		return nil, fmt.Errorf("capture: create the sync window: %w", err)
	}
	// Listen before reading the tree, so that no change falls between.
	if err := xproto.ChangeWindowAttributesChecked(x.conn, x.root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskSubstructureNotify | xproto.EventMaskStructureNotify}).Check(); err != nil {
		return nil, fmt.Errorf("capture: listen to the root window: %w", err)
	}
	root, stack, err := x.scan(nil)
	if err != nil {
		return nil, err
	}
	if w.rule, err = newShareRule(ids, stack); err != nil {
		return nil, err
	}
	w.root, w.stack = root, stack
	return w, nil
}

// start sets the first mask and follows the windows from then on.
func (w *windowWatch) start() {
	w.apply(w.root, w.stack)
	w.root, w.stack = image.Rectangle{}, nil
	w.wg.Add(1)
	go w.run()
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
	defer func() {
		w.mu.Lock()
		w.ended = true
		close(w.progress)
		w.mu.Unlock()
	}()
	for {
		ev, xerr := w.x.conn.WaitForEvent()
		if ev == nil && xerr == nil {
			return // closed
		}
		// Take the whole burst (a window manager framing a window sends
		// several) before reading the tree once.
		changed, ticks := false, 0
		for ev != nil || xerr != nil {
			switch e := ev.(type) {
			case xproto.PropertyNotifyEvent:
				if e.Window == w.marker && e.Atom == w.tick {
					ticks++
				}
			case nil:
				w.log.Debug("X error", "err", xerr)
			default:
				changed = true
			}
			ev, xerr = w.x.conn.PollForEvent()
		}
		if changed {
			if root, stack, err := w.x.scan(w.rule.undecided); err != nil {
				// The previous mask stays: better too much black than
				// a window the customer did not share.
				w.log.Debug("read the windows for the share mask", "err", err)
			} else {
				w.apply(root, stack)
			}
		}
		if ticks > 0 {
			w.mu.Lock()
			w.answered += uint64(ticks)
			close(w.progress)
			w.progress = make(chan struct{})
			w.mu.Unlock()
		}
	}
}

// sync returns once run has handled every event the X server sent
// before the call, or after syncTimeout.
func (w *windowWatch) sync() {
	w.mu.Lock()
	if w.ended {
		w.mu.Unlock()
		return
	}
	w.asked++
	ticket := w.asked
	w.mu.Unlock()
	xproto.ChangeProperty(w.x.conn, xproto.PropModeReplace, w.marker, w.tick, xproto.AtomCardinal, 32, 1,
		binary.LittleEndian.AppendUint32(nil, uint32(ticket)))
	timeout := time.NewTimer(syncTimeout)
	defer timeout.Stop()
	for {
		w.mu.Lock()
		done, ended, progress := w.answered >= ticket, w.ended, w.progress
		w.mu.Unlock()
		if done || ended {
			return
		}
		select {
		case <-progress:
		case <-timeout.C:
			w.log.Warn("the share mask did not catch up with the windows in time", "timeout", syncTimeout)
			return
		}
	}
}

// close stops the watch and waits for its goroutine.
func (w *windowWatch) close() {
	w.closeOnce.Do(func() {
		w.x.close()
		w.wg.Wait()
	})
}
