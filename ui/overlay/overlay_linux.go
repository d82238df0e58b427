package overlay

import (
	"fmt"
	"image"
	"log/slog"
	"sync"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/shape"
	"github.com/jezek/xgb/xproto"

	"github.com/tandemhq/tandem/internal/xext"
)

// maxRaises is how often in a second the overlay raises itself before it
// lets another window that keeps itself above win.
const maxRaises = 20

// Overlay is the drawing over the desktop. Its methods are safe for
// concurrent use.
type Overlay struct {
	log    *slog.Logger
	conn   *xgb.Conn
	screen *xproto.ScreenInfo
	win    xproto.Window

	mu     sync.Mutex
	closed bool
	size   image.Point   // of the root window, and so of win, pix and mask
	pix    xproto.Pixmap // the strokes' colours: win's background
	mask   xproto.Pixmap // depth 1: where the strokes are, win's bounding shape
	gc     xproto.Gcontext
	maskGC xproto.Gcontext

	raises   int // only the events goroutine touches these two
	raisedAt time.Time

	wg        sync.WaitGroup
	closeOnce sync.Once
}

// Show connects to the X display (such as ":0"; empty means $DISPLAY)
// and maps the overlay, with nothing drawn yet: nothing of it is on the
// screen and it takes no input. log may be nil.
func Show(display string, log *slog.Logger) (o *Overlay, err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("overlay: connect to X %q: %w", display, err)
	}
	defer func() {
		if err != nil {
			conn.Close()
		}
	}()
	setup := xproto.Setup(conn)
	o = &Overlay{log: log, conn: conn, screen: setup.DefaultScreen(conn)}
	if err := checkVisual(o.screen); err != nil {
		return nil, err
	}
	if err := xext.Init(conn, xext.Shape); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoShape, err)
	}
	if v, err := shape.QueryVersion(conn).Reply(); err != nil || v.MajorVersion < 1 || (v.MajorVersion == 1 && v.MinorVersion < 1) {
		return nil, ErrNoShape
	}
	geo, err := xproto.GetGeometry(conn, xproto.Drawable(o.screen.Root)).Reply()
	if err != nil {
		return nil, fmt.Errorf("overlay: root geometry: %w", err)
	}
	o.size = image.Pt(int(geo.Width), int(geo.Height))

	if o.win, err = xproto.NewWindowId(conn); err != nil {
		return nil, fmt.Errorf("overlay: window ID: %w", err)
	}
	if err := xproto.CreateWindowChecked(conn, o.screen.RootDepth, o.win, o.screen.Root, 0, 0,
		uint16(o.size.X), uint16(o.size.Y), 0, xproto.WindowClassInputOutput, o.screen.RootVisual,
		xproto.CwBackPixel|xproto.CwOverrideRedirect, []uint32{0, 1}).Check(); err != nil {
		return nil, fmt.Errorf("overlay: create window: %w", err)
	}
	// Both shapes empty before the window is mapped: it never covers the
	// desktop, not even for a moment.
	for _, kind := range []shape.Kind{shape.SkBounding, shape.SkInput} {
		if err := shape.RectanglesChecked(conn, shape.SoSet, kind, xproto.ClipOrderingUnsorted, o.win, 0, 0, nil).Check(); err != nil {
			return nil, fmt.Errorf("overlay: empty shape %d: %w", kind, err)
		}
	}
	const title = "Tandem annotations"
	for _, p := range []struct {
		prop xproto.Atom
		data string
	}{{xproto.AtomWmName, title}, {xproto.AtomWmClass, "tandem-overlay\x00Tandem\x00"}} {
		if err := xproto.ChangePropertyChecked(conn, xproto.PropModeReplace, o.win, p.prop, xproto.AtomString, 8,
			uint32(len(p.data)), []byte(p.data)).Check(); err != nil {
			return nil, fmt.Errorf("overlay: set window property %d: %w", p.prop, err)
		}
	}
	if o.gc, err = xproto.NewGcontextId(conn); err != nil {
		return nil, fmt.Errorf("overlay: GC ID: %w", err)
	}
	if o.maskGC, err = xproto.NewGcontextId(conn); err != nil {
		return nil, fmt.Errorf("overlay: GC ID: %w", err)
	}
	o.mu.Lock()
	err = o.makePixmaps(true)
	o.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if err := xproto.ChangeWindowAttributesChecked(conn, o.screen.Root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskSubstructureNotify | xproto.EventMaskStructureNotify}).Check(); err != nil {
		return nil, fmt.Errorf("overlay: listen to the root window: %w", err)
	}
	if err := xproto.MapWindowChecked(conn, o.win).Check(); err != nil {
		return nil, fmt.Errorf("overlay: map: %w", err)
	}
	o.raise()
	o.wg.Add(1)
	go o.events()
	return o, nil
}

// makePixmaps (re)creates pix and mask at o.size, the mask empty, and
// makes pix the window's background; first creates the GCs too. o.mu is
// held.
func (o *Overlay) makePixmaps(first bool) error {
	pix, err := xproto.NewPixmapId(o.conn)
	if err != nil {
		return fmt.Errorf("overlay: pixmap ID: %w", err)
	}
	mask, err := xproto.NewPixmapId(o.conn)
	if err != nil {
		return fmt.Errorf("overlay: pixmap ID: %w", err)
	}
	w, h := uint16(o.size.X), uint16(o.size.Y)
	if err := xproto.CreatePixmapChecked(o.conn, o.screen.RootDepth, pix, xproto.Drawable(o.win), w, h).Check(); err != nil {
		return fmt.Errorf("overlay: create pixmap: %w", err)
	}
	if err := xproto.CreatePixmapChecked(o.conn, 1, mask, xproto.Drawable(o.win), w, h).Check(); err != nil {
		xproto.FreePixmap(o.conn, pix)
		return fmt.Errorf("overlay: create mask: %w", err)
	}
	if first {
		values := []uint32{0, 0} // foreground, graphics exposures
		if err := xproto.CreateGCChecked(o.conn, o.gc, xproto.Drawable(pix), xproto.GcForeground|xproto.GcGraphicsExposures, values).Check(); err != nil {
			return fmt.Errorf("overlay: create GC: %w", err)
		}
		if err := xproto.CreateGCChecked(o.conn, o.maskGC, xproto.Drawable(mask), xproto.GcForeground|xproto.GcGraphicsExposures, values).Check(); err != nil {
			return fmt.Errorf("overlay: create GC: %w", err)
		}
	}
	if o.pix != 0 {
		xproto.FreePixmap(o.conn, o.pix)
		xproto.FreePixmap(o.conn, o.mask)
	}
	o.pix, o.mask = pix, mask
	if err := o.clearMask(); err != nil {
		return err
	}
	if err := xproto.ChangeWindowAttributesChecked(o.conn, o.win, xproto.CwBackPixmap, []uint32{uint32(pix)}).Check(); err != nil {
		return fmt.Errorf("overlay: set the background: %w", err)
	}
	return nil
}

// clearMask empties the mask and the bounding shape. o.mu is held.
func (o *Overlay) clearMask() error {
	xproto.ChangeGC(o.conn, o.maskGC, xproto.GcForeground, []uint32{0})
	xproto.PolyFillRectangle(o.conn, xproto.Drawable(o.mask), o.maskGC,
		[]xproto.Rectangle{{Width: uint16(o.size.X), Height: uint16(o.size.Y)}})
	if err := shape.RectanglesChecked(o.conn, shape.SoSet, shape.SkBounding, xproto.ClipOrderingUnsorted, o.win, 0, 0, nil).Check(); err != nil {
		return fmt.Errorf("overlay: clear: %w", err)
	}
	return nil
}

// Draw draws a stroke over the desktop, above what was drawn before. It
// returns once the X server has drawn it.
func (o *Overlay) Draw(s Stroke) error {
	if err := s.validate(); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return ErrClosed
	}
	pixel := uint32(s.Color.R)<<16 | uint32(s.Color.G)<<8 | uint32(s.Color.B)
	mask := uint32(xproto.GcForeground | xproto.GcLineWidth | xproto.GcCapStyle | xproto.GcJoinStyle)
	xproto.ChangeGC(o.conn, o.gc, mask, []uint32{pixel, uint32(s.Width), xproto.CapStyleRound, xproto.JoinStyleRound})
	xproto.ChangeGC(o.conn, o.maskGC, mask, []uint32{1, uint32(s.Width), xproto.CapStyleRound, xproto.JoinStyleRound})
	for _, d := range []struct {
		d  xproto.Drawable
		gc xproto.Gcontext
	}{{xproto.Drawable(o.pix), o.gc}, {xproto.Drawable(o.mask), o.maskGC}} {
		if len(s.Points) == 1 {
			p, r := s.Points[0], s.Width/2
			xproto.PolyFillArc(o.conn, d.d, d.gc, []xproto.Arc{{X: int16(p.X - r), Y: int16(p.Y - r),
				Width: uint16(s.Width), Height: uint16(s.Width), Angle1: 0, Angle2: 360 * 64}})
			continue
		}
		pts := make([]xproto.Point, len(s.Points))
		for i, p := range s.Points {
			pts[i] = xproto.Point{X: int16(p.X), Y: int16(p.Y)}
		}
		xproto.PolyLine(o.conn, xproto.CoordModeOrigin, d.d, d.gc, pts)
	}
	shape.Mask(o.conn, shape.SoSet, shape.SkBounding, o.win, 0, 0, o.mask)
	// Newly shown pixels are painted from the background by the shape
	// change; pixels already shown (a stroke over a stroke) are repainted.
	b := s.bounds().Intersect(image.Rectangle{Max: o.size})
	if b.Empty() {
		return nil
	}
	if err := xproto.ClearAreaChecked(o.conn, false, o.win, int16(b.Min.X), int16(b.Min.Y), uint16(b.Dx()), uint16(b.Dy())).Check(); err != nil {
		return fmt.Errorf("overlay: draw: %w", err)
	}
	return nil
}

// Clear wipes every stroke: the desktop shows as before.
func (o *Overlay) Clear() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return ErrClosed
	}
	return o.clearMask()
}

// Close removes the overlay from the screen and disconnects. It may be
// called more than once and returns after the overlay's goroutine exited.
func (o *Overlay) Close() error {
	o.closeOnce.Do(func() {
		o.mu.Lock()
		o.closed = true
		_ = xproto.DestroyWindowChecked(o.conn, o.win).Check()
		o.mu.Unlock()
		o.conn.Close()
		o.wg.Wait()
	})
	return nil
}

// events keeps the overlay above ordinary windows and as large as the
// root window, until the connection closes.
func (o *Overlay) events() {
	defer o.wg.Done()
	for {
		ev, xerr := o.conn.WaitForEvent()
		if ev == nil && xerr == nil {
			return
		}
		restack, resize := false, image.Point{}
		for ev != nil || xerr != nil {
			if xerr != nil {
				o.log.Debug("X error", "err", xerr)
			}
			switch e := ev.(type) {
			case xproto.MapNotifyEvent:
				restack = restack || (e.Window != o.win && !e.OverrideRedirect)
			case xproto.ConfigureNotifyEvent:
				switch {
				case e.Window == o.screen.Root:
					resize = image.Pt(int(e.Width), int(e.Height))
				case e.Window != o.win && !e.OverrideRedirect:
					restack = true
				}
			case xproto.CirculateNotifyEvent:
				restack = restack || e.Window != o.win
			}
			ev, xerr = o.conn.PollForEvent()
		}
		if resize != (image.Point{}) {
			o.resize(resize)
		}
		if restack {
			o.raise()
		}
	}
}

// resize follows the root window to a new size; what was drawn is wiped.
func (o *Overlay) resize(size image.Point) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed || size == o.size {
		return
	}
	o.size = size
	if err := xproto.ConfigureWindowChecked(o.conn, o.win, xproto.ConfigWindowWidth|xproto.ConfigWindowHeight,
		[]uint32{uint32(size.X), uint32(size.Y)}).Check(); err != nil {
		o.log.Debug("resize the overlay", "err", err)
		return
	}
	if err := o.makePixmaps(false); err != nil {
		o.log.Debug("resize the overlay", "err", err)
	}
}

// raise puts the overlay above every other window unless it is there or
// another window keeps itself above it.
func (o *Overlay) raise() {
	tree, err := xproto.QueryTree(o.conn, o.screen.Root).Reply()
	if err != nil || len(tree.Children) == 0 || tree.Children[len(tree.Children)-1] == o.win {
		return
	}
	now := time.Now()
	if now.Sub(o.raisedAt) > time.Second {
		o.raisedAt, o.raises = now, 0
	}
	if o.raises++; o.raises > maxRaises {
		if o.raises == maxRaises+1 {
			o.log.Info("another window keeps itself above the annotations")
		}
		return
	}
	if err := xproto.ConfigureWindowChecked(o.conn, o.win, xproto.ConfigWindowStackMode, []uint32{xproto.StackModeAbove}).Check(); err != nil {
		o.log.Debug("raise the annotations", "err", err)
	}
}

// checkVisual accepts a true-colour root visual with 8-bit red, green and
// blue at bits 16, 8 and 0: the pixel values Draw computes.
func checkVisual(screen *xproto.ScreenInfo) error {
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
