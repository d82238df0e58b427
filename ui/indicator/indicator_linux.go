package indicator

import (
	"encoding/binary"
	"fmt"
	"image"
	"log/slog"
	"sync"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/randr"
	"github.com/jezek/xgb/shape"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xproto"

	"github.com/tandemhq/tandem/internal/xext"
)

// maxRaises is how often in a second the banner raises itself at most,
// so that it does not fight forever with another always-on-top window.
const maxRaises = 20

// Indicator is the banner on the screen. Its methods may be called from
// any goroutine.
type Indicator struct {
	log    *slog.Logger
	conn   *xgb.Conn
	screen *xproto.ScreenInfo
	win    xproto.Window
	gc     xproto.Gcontext
	randr  bool

	// mu guards the fields below and serialises drawing.
	mu     sync.Mutex
	text   string
	pix    xproto.Pixmap // the banner's picture, the window's background
	bounds image.Rectangle
	closed bool

	// raises counts the raises since raisedAt, for maxRaises; only the
	// event goroutine touches them.
	raises   int
	raisedAt time.Time

	wg        sync.WaitGroup
	closeOnce sync.Once
}

// Show puts the banner saying text on display (an X display name; empty
// means $DISPLAY) and keeps it on top until Close. log receives
// diagnostics; nil discards them.
func Show(display string, text string, log *slog.Logger) (ind *Indicator, err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("indicator: connect to X %q: %w", display, err)
	}
	setup := xproto.Setup(conn)
	i := &Indicator{log: log, conn: conn, screen: setup.DefaultScreen(conn), text: text}
	defer func() {
		if err != nil {
			conn.Close()
		}
	}()
	if err := checkFormat(setup, i.screen); err != nil {
		return nil, err
	}
	if xext.Init(conn, xext.RandR) == nil {
		if v, err := randr.QueryVersion(conn, 1, 5).Reply(); err == nil {
			i.randr = v.MajorVersion > 1 || v.MinorVersion >= 5
		}
	}
	atoms, err := internAtoms(conn, "_NET_WM_NAME", "UTF8_STRING", "_NET_WM_WINDOW_TYPE", "_NET_WM_WINDOW_TYPE_NOTIFICATION",
		"_NET_WM_STATE", "_NET_WM_STATE_ABOVE", "_NET_WM_STATE_STICKY", "_NET_WM_STATE_SKIP_TASKBAR",
		"_NET_WM_STATE_SKIP_PAGER", "_NET_WM_WINDOW_OPACITY")
	if err != nil {
		return nil, err
	}

	if i.win, err = xproto.NewWindowId(conn); err != nil {
		return nil, fmt.Errorf("indicator: window ID: %w", err)
	}
	// Override-redirect: no window manager moves, frames or focuses it.
	if err := xproto.CreateWindowChecked(conn, i.screen.RootDepth, i.win, i.screen.Root, 0, 0, 1, 1, 0,
		xproto.WindowClassInputOutput, i.screen.RootVisual, xproto.CwBackPixel|xproto.CwOverrideRedirect,
		[]uint32{pixelOf(background), 1}).Check(); err != nil {
		return nil, fmt.Errorf("indicator: create window: %w", err)
	}
	if i.gc, err = xproto.NewGcontextId(conn); err != nil {
		return nil, fmt.Errorf("indicator: GC ID: %w", err)
	}
	if err := xproto.CreateGCChecked(conn, i.gc, xproto.Drawable(i.win), 0, nil).Check(); err != nil {
		return nil, fmt.Errorf("indicator: create GC: %w", err)
	}

	const title = "Tandem"
	cardinals := func(vs ...uint32) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint32(b, v)
		}
		return b
	}
	props := []struct {
		prop, typ xproto.Atom
		format    byte
		data      []byte
	}{
		{xproto.AtomWmName, xproto.AtomString, 8, []byte(title)},
		{atoms["_NET_WM_NAME"], atoms["UTF8_STRING"], 8, []byte(title)},
		{xproto.AtomWmClass, xproto.AtomString, 8, []byte("tandem-indicator\x00Tandem\x00")},
		// WM_HINTS with the input hint set to false: never focus it.
		{xproto.AtomWmHints, xproto.AtomWmHints, 32, cardinals(1, 0, 0, 0, 0, 0, 0, 0, 0)},
		{atoms["_NET_WM_WINDOW_TYPE"], xproto.AtomAtom, 32, cardinals(uint32(atoms["_NET_WM_WINDOW_TYPE_NOTIFICATION"]))},
		{atoms["_NET_WM_STATE"], xproto.AtomAtom, 32, cardinals(uint32(atoms["_NET_WM_STATE_ABOVE"]), uint32(atoms["_NET_WM_STATE_STICKY"]),
			uint32(atoms["_NET_WM_STATE_SKIP_TASKBAR"]), uint32(atoms["_NET_WM_STATE_SKIP_PAGER"]))},
		{atoms["_NET_WM_WINDOW_OPACITY"], xproto.AtomCardinal, 32, cardinals(opacity)},
	}
	for _, p := range props {
		n := uint32(len(p.data)) / uint32(p.format/8)
		if err := xproto.ChangePropertyChecked(conn, xproto.PropModeReplace, i.win, p.prop, p.typ, p.format, n, p.data).Check(); err != nil {
			return nil, fmt.Errorf("indicator: set window property %d: %w", p.prop, err)
		}
	}
	if err := i.passInput(); err != nil {
		// Without XFixes or SHAPE clicks land on the banner, which still
		// never takes the focus.
		log.Info("the supported indicator cannot let clicks through", "err", err)
	}

	i.mu.Lock()
	err = i.draw()
	i.mu.Unlock()
	if err != nil {
		return nil, err
	}
	// Listen to the other windows before showing, so that none mapped
	// meanwhile stays above.
	if err := xproto.ChangeWindowAttributesChecked(conn, i.screen.Root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskSubstructureNotify | xproto.EventMaskStructureNotify}).Check(); err != nil {
		return nil, fmt.Errorf("indicator: listen to the root window: %w", err)
	}
	if err := xproto.MapWindowChecked(conn, i.win).Check(); err != nil {
		return nil, fmt.Errorf("indicator: map: %w", err)
	}
	i.raise()
	i.wg.Add(1)
	go i.events()
	return i, nil
}

// SetText changes what the banner says; the banner is resized and stays
// at the top centre.
func (i *Indicator) SetText(text string) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.closed {
		return ErrClosed
	}
	i.text = text
	return i.draw()
}

// Bounds returns the banner's area in desktop coordinates.
func (i *Indicator) Bounds() image.Rectangle {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.bounds
}

// Close removes the banner and waits for its goroutine. It is idempotent.
func (i *Indicator) Close() error {
	i.closeOnce.Do(func() {
		i.mu.Lock()
		i.closed = true
		_ = xproto.DestroyWindowChecked(i.conn, i.win).Check()
		i.mu.Unlock()
		i.conn.Close()
		i.wg.Wait()
	})
	return nil
}

// passInput gives the window an empty input shape: pointer events go
// to the windows below.
func (i *Indicator) passInput() error {
	if err := xext.Init(i.conn, xext.XFixes); err != nil {
		return fmt.Errorf("XFIXES: %w", err)
	}
	if _, err := xfixes.QueryVersion(i.conn, 5, 0).Reply(); err != nil {
		return fmt.Errorf("XFIXES version: %w", err)
	}
	if err := xext.Init(i.conn, xext.Shape); err != nil {
		return fmt.Errorf("SHAPE: %w", err)
	}
	region, err := xfixes.NewRegionId(i.conn)
	if err != nil {
		return err
	}
	if err := xfixes.CreateRegionChecked(i.conn, region, nil).Check(); err != nil {
		return fmt.Errorf("create region: %w", err)
	}
	defer xfixes.DestroyRegion(i.conn, region)
	if err := xfixes.SetWindowShapeRegionChecked(i.conn, i.win, shape.SkInput, 0, 0, region).Check(); err != nil {
		return fmt.Errorf("set the input shape: %w", err)
	}
	return nil
}

// primary returns the primary monitor's area: RandR's primary monitor,
// or the whole screen.
func (i *Indicator) primary() image.Rectangle {
	root := image.Rect(0, 0, int(i.screen.WidthInPixels), int(i.screen.HeightInPixels))
	if g, err := xproto.GetGeometry(i.conn, xproto.Drawable(i.screen.Root)).Reply(); err == nil {
		root = image.Rect(0, 0, int(g.Width), int(g.Height))
	}
	if !i.randr {
		return root
	}
	r, err := randr.GetMonitors(i.conn, i.screen.Root, true).Reply()
	if err != nil || len(r.Monitors) == 0 {
		return root
	}
	m := r.Monitors[0]
	for _, mm := range r.Monitors {
		if mm.Primary {
			m = mm
			break
		}
	}
	b := image.Rect(int(m.X), int(m.Y), int(m.X)+int(m.Width), int(m.Y)+int(m.Height)).Intersect(root)
	if b.Empty() {
		return root
	}
	return b
}

// draw renders the text, makes it the window's background and places
// the window at the top centre of the primary monitor. Called with mu
// held.
func (i *Indicator) draw() error {
	mon := i.primary()
	img, err := render(i.text, mon.Dx()-2*margin)
	if err != nil {
		return fmt.Errorf("indicator: render: %w", err)
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	pix, err := xproto.NewPixmapId(i.conn)
	if err != nil {
		return fmt.Errorf("indicator: pixmap ID: %w", err)
	}
	if err := xproto.CreatePixmapChecked(i.conn, i.screen.RootDepth, pix, xproto.Drawable(i.win), uint16(w), uint16(h)).Check(); err != nil {
		return fmt.Errorf("indicator: create pixmap: %w", err)
	}
	// BGRX rows, a few at a time to stay below the request size limit.
	rows := max(1, 60000/(w*4))
	for y0 := 0; y0 < h; y0 += rows {
		y1 := min(h, y0+rows)
		data := make([]byte, 0, (y1-y0)*w*4)
		for y := y0; y < y1; y++ {
			for x := range w {
				c := img.RGBAAt(x, y)
				data = append(data, c.B, c.G, c.R, 0)
			}
		}
		if err := xproto.PutImageChecked(i.conn, xproto.ImageFormatZPixmap, xproto.Drawable(pix), i.gc, uint16(w), uint16(y1-y0),
			0, int16(y0), 0, i.screen.RootDepth, data).Check(); err != nil {
			xproto.FreePixmap(i.conn, pix)
			return fmt.Errorf("indicator: put the picture: %w", err)
		}
	}
	x, y := mon.Min.X+(mon.Dx()-w)/2, mon.Min.Y
	if err := xproto.ChangeWindowAttributesChecked(i.conn, i.win, xproto.CwBackPixmap, []uint32{uint32(pix)}).Check(); err != nil {
		xproto.FreePixmap(i.conn, pix)
		return fmt.Errorf("indicator: set the picture: %w", err)
	}
	if i.pix != 0 {
		xproto.FreePixmap(i.conn, i.pix)
	}
	i.pix = pix
	if err := xproto.ConfigureWindowChecked(i.conn, i.win, xproto.ConfigWindowX|xproto.ConfigWindowY|xproto.ConfigWindowWidth|xproto.ConfigWindowHeight,
		[]uint32{uint32(int32(x)), uint32(int32(y)), uint32(w), uint32(h)}).Check(); err != nil {
		return fmt.Errorf("indicator: place: %w", err)
	}
	if err := xproto.ClearAreaChecked(i.conn, false, i.win, 0, 0, 0, 0).Check(); err != nil {
		return fmt.Errorf("indicator: repaint: %w", err)
	}
	i.bounds = image.Rect(x, y, x+w, y+h)
	return nil
}

// events raises the banner when another window is mapped or restacked
// and places it again when the screen changes size, until Close.
func (i *Indicator) events() {
	defer i.wg.Done()
	for {
		ev, xerr := i.conn.WaitForEvent()
		if ev == nil && xerr == nil {
			return
		}
		restack, relayout := false, false
		for ev != nil || xerr != nil {
			if xerr != nil {
				i.log.Debug("X error", "err", xerr)
			}
			switch e := ev.(type) {
			case xproto.MapNotifyEvent:
				restack = restack || e.Window != i.win
			case xproto.ConfigureNotifyEvent:
				if e.Window == i.screen.Root {
					relayout = true
				} else if e.Window != i.win {
					restack = true
				}
			case xproto.CirculateNotifyEvent:
				restack = true
			}
			ev, xerr = i.conn.PollForEvent()
		}
		if relayout {
			i.mu.Lock()
			if !i.closed {
				if err := i.draw(); err != nil {
					i.log.Debug("place the supported indicator", "err", err)
				}
			}
			i.mu.Unlock()
		}
		if restack || relayout {
			i.raise()
		}
	}
}

// raise puts the banner above every other window unless it is there.
func (i *Indicator) raise() {
	tree, err := xproto.QueryTree(i.conn, i.screen.Root).Reply()
	if err != nil || len(tree.Children) == 0 || tree.Children[len(tree.Children)-1] == i.win {
		return
	}
	now := time.Now()
	if now.Sub(i.raisedAt) > time.Second {
		i.raisedAt, i.raises = now, 0
	}
	if i.raises++; i.raises > maxRaises {
		if i.raises == maxRaises+1 {
			i.log.Info("another window keeps itself above the supported indicator")
		}
		return
	}
	if err := xproto.ConfigureWindowChecked(i.conn, i.win, xproto.ConfigWindowStackMode, []uint32{xproto.StackModeAbove}).Check(); err != nil {
		i.log.Debug("raise the supported indicator", "err", err)
	}
}

func internAtoms(conn *xgb.Conn, names ...string) (map[string]xproto.Atom, error) {
	cookies := make([]xproto.InternAtomCookie, len(names))
	for n, name := range names {
		cookies[n] = xproto.InternAtom(conn, false, uint16(len(name)), name)
	}
	atoms := make(map[string]xproto.Atom, len(names))
	for n, c := range cookies {
		r, err := c.Reply()
		if err != nil {
			return nil, fmt.Errorf("indicator: intern %s: %w", names[n], err)
		}
		atoms[names[n]] = r.Atom
	}
	return atoms, nil
}

// checkFormat accepts 32 bits per pixel, little-endian, 8-bit red, green
// and blue at bits 16, 8 and 0: the layout draw writes.
func checkFormat(setup *xproto.SetupInfo, screen *xproto.ScreenInfo) error {
	if setup.ImageByteOrder != xproto.ImageOrderLSBFirst {
		return fmt.Errorf("%w: big-endian images", ErrPixelFormat)
	}
	for _, f := range setup.PixmapFormats {
		if f.Depth == screen.RootDepth && f.BitsPerPixel != 32 {
			return fmt.Errorf("%w: depth %d at %d bits per pixel", ErrPixelFormat, f.Depth, f.BitsPerPixel)
		}
	}
	for _, d := range screen.AllowedDepths {
		for _, v := range d.Visuals {
			if v.VisualId == screen.RootVisual {
				if v.Class != xproto.VisualClassTrueColor || v.RedMask != 0xff0000 || v.GreenMask != 0xff00 || v.BlueMask != 0xff {
					return fmt.Errorf("%w: visual class %d", ErrPixelFormat, v.Class)
				}
				return nil
			}
		}
	}
	return fmt.Errorf("%w: root visual not found", ErrPixelFormat)
}

func pixelOf(c interface{ RGBA() (r, g, b, a uint32) }) uint32 {
	r, g, b, _ := c.RGBA()
	return (r>>8)<<16 | (g>>8)<<8 | b>>8
}
