package capture

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Monitor is one monitor of the desktop.
type Monitor struct {
	// Name identifies the monitor: the RandR output name ("DP-1"),
	// "head-N" for a Xinerama head, or "display-N" for the screenshot
	// backend.
	Name string
	// Bounds is the monitor's area in desktop coordinates.
	Bounds image.Rectangle
	// Primary marks the primary monitor, the one selected at Open.
	Primary bool
}

// CursorShape is the pointer's image. Shapes are immutable: a new shape
// arrives as a new value with a new Serial.
type CursorShape struct {
	// Serial identifies the shape; a receiver forwards the image only
	// when Serial changes.
	Serial uint32
	// Hotspot is the point of Image that sits at the pointer's position.
	Hotspot image.Point
	// Image is the shape with premultiplied alpha, bounds from (0,0).
	Image *image.RGBA
}

// Cursor is the pointer's state relative to the captured monitor.
type Cursor struct {
	// Position is the pointer's hotspot in frame coordinates.
	Position image.Point
	// Visible reports whether Position lies inside the frame.
	Visible bool
	// Shape is the current shape; nil until the backend knows it.
	Shape *CursorShape
}

// Frame is the result of one call to Next.
type Frame struct {
	// Image is the capturer's persistent I420 frame, (0,0)-based. It is
	// updated in place by the next call to Next, GrabFull or ConvertFull;
	// encode it before calling them again.
	Image *image.YCbCr
	// Damage lists the rectangles of Image that changed, already grabbed
	// and converted. They start on even coordinates and may overlap. It is
	// empty when Next returned because the keep-alive interval passed.
	Damage []image.Rectangle
	// Resized reports that Image has a different size than the frame of
	// the previous call (always true on the first call). Image is then a
	// new buffer and Damage covers all of it.
	Resized bool
	// Monitor is the monitor the frame shows.
	Monitor Monitor
}

// Options adjusts a Capturer. The zero value is ready to use.
type Options struct {
	// Backend picks how the screen is read; zero (BackendAuto) uses
	// BackendXShm where it works and BackendScreenshot otherwise.
	Backend Backend
	// Converter picks the colour conversion; zero (ConverterAuto) is the
	// fastest built in.
	Converter Converter
	// KeepAlive is how long Next waits for a change before it returns a
	// frame without damage; zero means 2s.
	KeepAlive time.Duration
	// PollInterval is how often the screenshot backend grabs the screen
	// to look for changes; zero means 66ms. The XShm backend is woken by
	// XDamage instead.
	PollInterval time.Duration
	// CursorInterval is how often the pointer's position is read; zero
	// means 16ms, a negative value turns cursor updates off.
	CursorInterval time.Duration
}

// maxRects is the number of damage rectangles above which one grab of
// their bounding box is cheaper than one request each.
const maxRects = 16

// piece is a grabbed rectangle of the frame and its BGRA pixels, r.Min's
// pixel first.
type piece struct {
	r      image.Rectangle
	pix    []byte
	stride int
}

// backend reads the screen. Its methods other than cursor and wake are
// called with Capturer.nextMu held, one at a time.
type backend interface {
	// monitors lists the monitors in desktop coordinates.
	monitors() ([]Monitor, error)
	// setArea makes r, in desktop coordinates, the area that grab reads.
	setArea(r image.Rectangle) error
	// wake is signalled when damage or geometry may have changed; nil
	// for a backend that is polled.
	wake() <-chan struct{}
	// pollInterval is how often Next asks a backend without wake for
	// damage; zero for one with wake.
	pollInterval() time.Duration
	// geometryChanged reports, and forgets, a change of the monitors.
	geometryChanged() bool
	// damage returns the rectangles changed since its last call, in
	// desktop coordinates.
	damage() ([]image.Rectangle, error)
	// grab reads rects, relative to the area and inside it.
	grab(rects []image.Rectangle) ([]piece, error)
	// grabFull reads the whole area afresh.
	grabFull() (piece, error)
	// cursor returns the pointer's position in desktop coordinates and its
	// shape; errors.ErrUnsupported when the backend cannot tell. It may be
	// called concurrently with the methods above.
	cursor() (image.Point, *CursorShape, error)
	// close releases the backend.
	close() error
}

// Capturer captures one monitor of a display into an I420 frame.
//
// Next, GrabFull and ConvertFull are meant for one goroutine (the
// encoder's); the other methods may be called from any goroutine.
type Capturer struct {
	log       *slog.Logger
	display   string // as given to Open, for ShareOnly's own connection
	kind      Backend
	b         backend
	conv      convertFn
	keepAlive time.Duration

	// nextMu serialises Next, GrabFull, ConvertFull and Close, and guards
	// the fields below.
	nextMu   sync.Mutex
	frame    *image.YCbCr
	lastSize image.Point
	full     *piece // the last GrabFull

	// ctl guards the fields below, which any goroutine may set.
	ctl        sync.Mutex
	mons       []Monitor
	selected   string // name of the monitor to capture
	reselect   bool   // selected changed since Next last looked
	cur        Monitor
	mask       []image.Rectangle // desktop coordinates
	maskDamage []image.Rectangle // desktop coordinates to refresh for a mask change
	refresh    bool
	ctlWake    chan struct{}

	share windowShare // the windows ShareOnly keeps the mask on

	cursors   chan Cursor
	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Open starts capturing display (an X display name such as ":1"; empty
// means $DISPLAY, and it is ignored where there is no X11) with the
// primary monitor selected. logger receives diagnostics; nil discards
// them. The caller must Close the Capturer.
func Open(display string, opts Options, logger *slog.Logger) (*Capturer, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if !opts.Converter.Available() {
		return nil, fmt.Errorf("capture: converter %v is not built in", opts.Converter)
	}
	var (
		b    backend
		kind Backend
		err  error
	)
	switch opts.Backend {
	case BackendXShm:
		kind = BackendXShm
		b, err = openX11(display, logger)
	case BackendScreenshot:
		kind = BackendScreenshot
		b, err = openScreenshot(display, opts.PollInterval)
	case BackendAuto:
		kind = BackendXShm
		b, err = openX11(display, logger)
		if err != nil {
			xerr := err
			kind = BackendScreenshot
			b, err = openScreenshot(display, opts.PollInterval)
			if err != nil {
				err = errors.Join(xerr, err)
			} else {
				logger.Info("XShm capture unavailable, using the slow screenshot fallback", "err", xerr)
			}
		}
	default:
		return nil, fmt.Errorf("capture: unknown backend %v", opts.Backend)
	}
	if err != nil {
		return nil, fmt.Errorf("capture: open %v on %q: %w", kind, display, err)
	}
	c := &Capturer{
		log:       logger.With("backend", kind.String()),
		display:   display,
		kind:      kind,
		b:         b,
		conv:      convertFunc(opts.Converter),
		keepAlive: opts.KeepAlive,
		ctlWake:   make(chan struct{}, 1),
		cursors:   make(chan Cursor, 1),
		done:      make(chan struct{}),
	}
	if c.keepAlive <= 0 {
		c.keepAlive = 2 * time.Second
	}
	if err := c.loadMonitors(); err != nil {
		_ = b.close()
		return nil, err
	}
	if err := c.configure(); err != nil {
		_ = b.close()
		return nil, err
	}
	if opts.CursorInterval >= 0 {
		iv := opts.CursorInterval
		if iv == 0 {
			iv = 16 * time.Millisecond
		}
		c.wg.Add(1)
		go c.cursorLoop(iv)
	}
	return c, nil
}

// Backend returns the backend in use.
func (c *Capturer) Backend() Backend { return c.kind }

// Monitors returns the monitors as last seen; the list follows hot-plug
// and resolution changes once Next has noticed them.
func (c *Capturer) Monitors() []Monitor {
	c.ctl.Lock()
	defer c.ctl.Unlock()
	return slices.Clone(c.mons)
}

// Monitor returns the monitor being captured.
func (c *Capturer) Monitor() Monitor {
	c.ctl.Lock()
	defer c.ctl.Unlock()
	return c.cur
}

// Select makes the monitor at index i of Monitors the one captured from
// the next call to Next on, which then returns a whole frame.
func (c *Capturer) Select(i int) error {
	c.ctl.Lock()
	if i < 0 || i >= len(c.mons) {
		n := len(c.mons)
		c.ctl.Unlock()
		return fmt.Errorf("capture: select monitor %d of %d: %w", i, n, ErrNoMonitor)
	}
	c.selected = c.mons[i].Name
	c.reselect = true
	c.ctl.Unlock()
	c.poke()
	return nil
}

// SetMask sets the rectangles, in desktop coordinates like
// Monitor.Bounds, that appear black in the frame (windows the customer
// did not share). Each is grown to even coordinates of the frame. It
// replaces the previous mask; nil clears it. The next call to Next
// reports the areas that changed because of it.
func (c *Capturer) SetMask(rects []image.Rectangle) {
	rects = slices.DeleteFunc(slices.Clone(rects), image.Rectangle.Empty)
	c.ctl.Lock()
	c.maskDamage = append(c.maskDamage, c.mask...)
	c.maskDamage = append(c.maskDamage, rects...)
	c.mask = rects
	c.ctl.Unlock()
	c.poke()
}

// Refresh makes the next call to Next grab and convert the whole frame,
// for a receiver that lost its picture.
func (c *Capturer) Refresh() {
	c.ctl.Lock()
	c.refresh = true
	c.ctl.Unlock()
	c.poke()
}

// Cursors delivers the pointer's state when it changes. The channel holds
// only the newest state: a slow reader misses intermediate positions,
// never the current shape, which every value carries. It is never closed.
// The screenshot backend sends nothing.
func (c *Capturer) Cursors() <-chan Cursor { return c.cursors }

func (c *Capturer) poke() {
	select {
	case c.ctlWake <- struct{}{}:
	default:
	}
}

// Next waits until part of the captured monitor changed, grabs and
// converts the changed rectangles into the persistent frame and returns
// them. It returns a frame without damage when nothing changed for the
// keep-alive interval, and a whole frame on the first call, after Select
// or Refresh, and when the monitor's geometry changed.
func (c *Capturer) Next(ctx context.Context) (Frame, error) {
	c.nextMu.Lock()
	defer c.nextMu.Unlock()
	if c.closed() {
		return Frame{}, ErrClosed
	}
	keepAlive := time.NewTimer(c.keepAlive)
	defer keepAlive.Stop()
	var poll <-chan time.Time
	if iv := c.b.pollInterval(); iv > 0 {
		t := time.NewTicker(iv)
		defer t.Stop()
		poll = t.C
	}
	for {
		if err := ctx.Err(); err != nil {
			return Frame{}, err
		}
		f, err := c.step()
		if err != nil || len(f.Damage) > 0 {
			return f, err
		}
		select {
		case <-ctx.Done():
			return Frame{}, ctx.Err()
		case <-c.done:
			return Frame{}, ErrClosed
		case <-keepAlive.C:
			return Frame{Image: c.frame, Monitor: c.Monitor()}, nil
		case <-c.b.wake():
		case <-c.ctlWake:
		case <-poll:
		}
	}
}

// step collects pending changes and converts them. A frame without damage
// means there was nothing to do.
func (c *Capturer) step() (Frame, error) {
	// The mask catches up with the windows before the pixels are read.
	c.share.sync()
	full := false
	if c.b.geometryChanged() {
		if err := c.loadMonitors(); err != nil {
			return Frame{}, err
		}
		full = true
	}
	c.ctl.Lock()
	if c.reselect || c.refresh {
		full = true
	}
	c.refresh = false
	extra := c.maskDamage
	c.maskDamage = nil
	c.ctl.Unlock()
	if full {
		if err := c.configure(); err != nil {
			return Frame{}, err
		}
	}
	damaged, err := c.b.damage()
	if err != nil {
		return Frame{}, err
	}
	area := c.Monitor().Bounds
	bounds := c.frame.Rect
	var rects []image.Rectangle
	if full || c.lastSize != bounds.Size() {
		rects = []image.Rectangle{bounds}
	} else {
		for _, r := range append(damaged, extra...) {
			if r = evenRect(r.Sub(area.Min), bounds); !r.Empty() {
				rects = append(rects, r)
			}
		}
		rects = simplify(rects)
	}
	if len(rects) == 0 {
		return Frame{}, nil
	}
	pieces, err := c.b.grab(rects)
	if err != nil {
		return Frame{}, err
	}
	for _, p := range pieces {
		c.conv(c.frame, p.pix, p.stride, p.r)
	}
	c.applyMask(rects)
	f := Frame{Image: c.frame, Damage: rects, Resized: c.lastSize != bounds.Size(), Monitor: c.Monitor()}
	c.lastSize = bounds.Size()
	return f, nil
}

// simplify replaces many rectangles by their bounding box.
func simplify(rects []image.Rectangle) []image.Rectangle {
	if len(rects) <= maxRects {
		return rects
	}
	var u image.Rectangle
	for _, r := range rects {
		u = u.Union(r)
	}
	return []image.Rectangle{u}
}

// applyMask blacks out the mask inside rects (frame coordinates).
func (c *Capturer) applyMask(rects []image.Rectangle) {
	c.ctl.Lock()
	mask := c.mask
	area := c.cur.Bounds
	c.ctl.Unlock()
	for _, m := range mask {
		m = evenRect(m.Sub(area.Min), c.frame.Rect)
		for _, r := range rects {
			fillBlack(c.frame, m.Intersect(r))
		}
	}
}

// loadMonitors reads the monitor list and keeps the selection by name,
// falling back to the primary monitor when the selected one is gone.
func (c *Capturer) loadMonitors() error {
	mons, err := c.b.monitors()
	if err != nil {
		return fmt.Errorf("capture: list monitors: %w", err)
	}
	if len(mons) == 0 {
		return ErrEmptyScreen
	}
	c.ctl.Lock()
	defer c.ctl.Unlock()
	c.mons = mons
	if !slices.ContainsFunc(mons, func(m Monitor) bool { return m.Name == c.selected }) {
		if c.selected != "" {
			c.log.Info("captured monitor gone, switching to the primary", "monitor", c.selected)
		}
		c.selected = mons[primaryIndex(mons)].Name
	}
	c.reselect = true
	return nil
}

func primaryIndex(mons []Monitor) int {
	for i, m := range mons {
		if m.Primary {
			return i
		}
	}
	return 0
}

// configure points the backend at the selected monitor and sizes the
// frame for it. Called with nextMu held, or from Open.
func (c *Capturer) configure() error {
	c.ctl.Lock()
	var m Monitor
	for _, mm := range c.mons {
		if mm.Name == c.selected {
			m = mm
			break
		}
	}
	c.reselect = false
	c.ctl.Unlock()
	if m.Bounds.Empty() {
		return fmt.Errorf("capture: monitor %q: %w", m.Name, ErrEmptyScreen)
	}
	if err := c.b.setArea(m.Bounds); err != nil {
		return fmt.Errorf("capture: select %q at %v: %w", m.Name, m.Bounds, err)
	}
	if c.frame == nil || c.frame.Rect.Size() != m.Bounds.Size() {
		c.frame = image.NewYCbCr(image.Rectangle{Max: m.Bounds.Size()}, image.YCbCrSubsampleRatio420)
		c.full = nil
	}
	c.ctl.Lock()
	if c.cur != m {
		c.log.Info("capturing monitor", "monitor", m.Name, "bounds", m.Bounds)
	}
	c.cur = m
	c.ctl.Unlock()
	return nil
}

// GrabFull reads the whole captured monitor afresh without converting
// it: the cost of one full grab, for benchmarks. ConvertFull converts it.
func (c *Capturer) GrabFull() error {
	c.nextMu.Lock()
	defer c.nextMu.Unlock()
	if c.closed() {
		return ErrClosed
	}
	p, err := c.b.grabFull()
	if err != nil {
		return err
	}
	c.full = &p
	return nil
}

// ConvertFull converts the pixels of the last GrabFull into the frame,
// with the mask applied, and returns the frame.
func (c *Capturer) ConvertFull() (*image.YCbCr, error) {
	c.nextMu.Lock()
	defer c.nextMu.Unlock()
	if c.closed() {
		return nil, ErrClosed
	}
	if c.full == nil {
		return nil, errors.New("capture: ConvertFull without a GrabFull of this frame size")
	}
	c.conv(c.frame, c.full.pix, c.full.stride, c.full.r)
	c.applyMask([]image.Rectangle{c.full.r})
	return c.frame, nil
}

func (c *Capturer) cursorLoop(interval time.Duration) {
	defer c.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	var last Cursor
	first := true
	for {
		pos, shape, err := c.b.cursor()
		switch {
		case errors.Is(err, errors.ErrUnsupported):
			return
		case err != nil:
			if c.closed() {
				return
			}
			c.log.Debug("read cursor", "err", err)
		default:
			area := c.Monitor().Bounds
			cur := Cursor{Position: pos.Sub(area.Min), Visible: pos.In(area), Shape: shape}
			if first || cur != last {
				first = false
				last = cur
				c.sendCursor(cur)
			}
		}
		select {
		case <-c.done:
			return
		case <-t.C:
		}
	}
}

// sendCursor replaces whatever the channel holds by cur.
func (c *Capturer) sendCursor(cur Cursor) {
	for {
		select {
		case c.cursors <- cur:
			return
		default:
		}
		select {
		case <-c.cursors:
		default:
		}
	}
}

func (c *Capturer) closed() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Close stops capturing and releases the display. It waits for the
// capturer's goroutines and for a Next in progress to return, and is
// idempotent.
func (c *Capturer) Close() error {
	c.closeOnce.Do(func() {
		close(c.done)
		c.share.stop()
		c.wg.Wait()
		c.nextMu.Lock()
		defer c.nextMu.Unlock()
		c.closeErr = c.b.close()
	})
	return c.closeErr
}
