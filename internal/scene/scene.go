// Package scene draws the test scene that Tandem's streaming benchmark and
// tests share: a full-screen window that looks like a document editor, whose
// page can sit still, be typed into or scroll, and a marker square that
// changes colour when it is clicked.
//
// The scene talks to the X server directly over its own connection
// (github.com/jezek/xgb, no cgo) and draws with core requests only:
// PolyFillRectangle, ImageText8 with a core font, and CopyArea to scroll the
// page the way real applications do, so the damage it produces is what a
// capturer sees on a real desktop. Its window is override-redirect, so it
// needs no window manager (Xvfb has none), and covers the whole root window.
//
// Layout, in root coordinates, for a screen of width W and height H:
//
//	title bar   (0,0)-(W,40)      dark blue, title text in white
//	side panel  (0,40)-(240,H)    light grey, an outline of the document
//	marker      (40,80)-(120,160) an 80x80 square in the side panel
//	desk        (240,40)-(W,H)    grey around the page
//	page        (280,40)-(W-40,H) white, lines of text; this is what scrolls
//
// Two goroutines run behind a Scene: one reads X events (clicks on the
// marker, exposures) and one animates the page in the current Mode. Close
// stops both.
package scene

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// Defaults for the zero Options.
const (
	// DefaultTypingRate is the typing speed in characters per second.
	DefaultTypingRate = 5.0
	// DefaultScrollRate is the scrolling speed in pixels per second.
	DefaultScrollRate = 600.0
	// ScrollHz is how many scroll steps the page takes per second.
	ScrollHz = 60
)

// MinWidth and MinHeight are the smallest root window the scene accepts.
const (
	MinWidth  = 640
	MinHeight = 400
)

// Options adjusts a scene. The zero value types at 5 characters a second,
// scrolls at 600 pixels a second and starts idle.
type Options struct {
	// Mode is the mode to start in; optional, zero means ModeIdle.
	Mode Mode
	// TypingRate is the typing speed in characters per second; optional,
	// zero means DefaultTypingRate.
	TypingRate float64
	// ScrollRate is the scrolling speed in pixels per second; optional,
	// zero means DefaultScrollRate.
	ScrollRate float64
}

// resolved returns opts with defaults filled in, or an error for values
// that make no sense.
func (o Options) resolved() (Options, error) {
	if o.Mode == ModeUnknown {
		o.Mode = ModeIdle
	}
	if !o.Mode.valid() {
		return o, fmt.Errorf("initial mode %d: %w", int(o.Mode), ErrInvalidMode)
	}
	for _, r := range []struct {
		name string
		v    *float64
		def  float64
	}{{"typing rate", &o.TypingRate, DefaultTypingRate}, {"scroll rate", &o.ScrollRate, DefaultScrollRate}} {
		switch {
		case math.IsNaN(*r.v) || math.IsInf(*r.v, 0) || *r.v < 0:
			return o, fmt.Errorf("%s %v: %w", r.name, *r.v, ErrInvalidOptions)
		case *r.v == 0:
			*r.v = r.def
		}
	}
	return o, nil
}

// markerRect is where the marker sits, in root (and window) coordinates.
var markerRect = image.Rect(40, 80, 120, 160)

// markerColours are the marker's two colours, far apart in luma (about 38
// and 166 in BT.601) so a decoded frame tells them apart at any quality.
var markerColours = [2]color.RGBA{
	{R: 0x80, G: 0x00, B: 0x00, A: 0xff}, // dark red, before the first click
	{R: 0x40, G: 0xff, B: 0x40, A: 0xff}, // bright green, after one click
}

// MarkerRect returns the marker square in root coordinates: the 80x80
// square from (40,80) to (120,160). A button 1 press inside it changes the
// marker's colour.
func MarkerRect() image.Rectangle { return markerRect }

// MarkerColourFor returns the marker's colour after n clicks: dark red
// (0x800000) for an even n, bright green (0x40ff40) for an odd one. The
// colours are exact on a 24-bit TrueColor screen such as Xvfb's default.
func MarkerColourFor(n int) color.RGBA { return markerColours[n&1] }

// Scene is a running test scene. Its methods are safe for concurrent use.
type Scene struct {
	log  *slog.Logger
	opts Options
	conn *xgb.Conn
	win  xproto.Window
	lay  layout
	gc   gcs

	modeCh chan modeRequest
	redraw chan struct{} // an Expose asks the animator to redraw everything
	done   chan struct{} // closed by Close
	lost   chan struct{} // closed when the event reader ends
	mode   atomic.Int32

	anim, events sync.WaitGroup
	closeOnce    sync.Once
	closeErr     error

	markerMu sync.Mutex
	markerOn bool // the colour drawn last: false is markerColours[0]
	clicks   int  // clicks whose colour change the server has drawn
	shownOn  bool // the colour after clicks clicks

	page page // owned by the animator once Start returns
}

type modeRequest struct {
	mode Mode
	ack  chan struct{}
}

// Start opens a connection to the X display (empty means $DISPLAY), shows
// the scene over the whole root window and starts animating it in
// opts.Mode. The scene is drawn and the X server has processed the drawing
// when Start returns. The caller must call Close.
func Start(display string, opts Options, log *slog.Logger) (*Scene, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts, err := opts.resolved()
	if err != nil {
		return nil, err
	}
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("connect to X display %q: %w", display, err)
	}
	s := &Scene{
		log:    log,
		opts:   opts,
		conn:   conn,
		modeCh: make(chan modeRequest),
		redraw: make(chan struct{}, 1),
		done:   make(chan struct{}),
		lost:   make(chan struct{}),
	}
	if err := s.setup(); err != nil {
		conn.Close()
		return nil, err
	}
	s.mode.Store(int32(opts.Mode))
	s.events.Add(1)
	go s.readEvents()
	s.anim.Add(1)
	go s.animate(opts.Mode)
	log.Debug("scene started", "display", display, "width", s.lay.w, "height", s.lay.h,
		"mode", opts.Mode, "typing_rate", opts.TypingRate, "scroll_rate", opts.ScrollRate)
	return s, nil
}

// setup creates, maps and draws the window.
func (s *Scene) setup() error {
	screen := xproto.Setup(s.conn).DefaultScreen(s.conn)
	w, h := int(screen.WidthInPixels), int(screen.HeightInPixels)
	if w < MinWidth || h < MinHeight {
		return fmt.Errorf("root window %dx%d, need %dx%d: %w", w, h, MinWidth, MinHeight, ErrScreenTooSmall)
	}
	pixels, err := allocColours(s.conn, screen.DefaultColormap)
	if err != nil {
		return err
	}
	font, metrics, err := openFont(s.conn)
	if err != nil {
		return err
	}
	s.lay = newLayout(w, h, metrics)
	s.page = newPage(s.lay)

	if s.win, err = xproto.NewWindowId(s.conn); err != nil {
		return fmt.Errorf("allocate window id: %w", err)
	}
	err = xproto.CreateWindowChecked(s.conn, screen.RootDepth, s.win, screen.Root,
		0, 0, uint16(w), uint16(h), 0, xproto.WindowClassInputOutput, screen.RootVisual,
		xproto.CwBackPixel|xproto.CwOverrideRedirect|xproto.CwEventMask,
		[]uint32{pixels[colDesk], 1, xproto.EventMaskExposure | xproto.EventMaskButtonPress}).Check()
	if err != nil {
		return fmt.Errorf("create window: %w", err)
	}
	if s.gc, err = newGCs(s.conn, xproto.Drawable(s.win), pixels, font, s.lay); err != nil {
		return err
	}
	if err := xproto.MapWindowChecked(s.conn, s.win).Check(); err != nil {
		return fmt.Errorf("map window: %w", err)
	}
	// The Expose events that mapping caused arrive before the reply to this
	// round trip; drop them, the window is drawn in full just below.
	if err := s.sync(); err != nil {
		return fmt.Errorf("map window: %w", err)
	}
	for {
		ev, xerr := s.conn.PollForEvent()
		if ev == nil && xerr == nil {
			break
		}
		if xerr != nil {
			return fmt.Errorf("set up window: %w", xerr)
		}
	}
	s.drawAll()
	if err := s.sync(); err != nil {
		return fmt.Errorf("draw scene: %w", err)
	}
	return nil
}

// SetMode switches the scene to m. When it returns, the animator runs in
// the new mode and everything drawn in the old one has reached the X
// server: after SetMode(ModeIdle) the screen no longer changes.
func (s *Scene) SetMode(m Mode) error {
	if !m.valid() {
		return fmt.Errorf("set mode %d: %w", int(m), ErrInvalidMode)
	}
	select {
	case <-s.done:
		return ErrClosed
	default:
	}
	ack := make(chan struct{})
	select {
	case s.modeCh <- modeRequest{mode: m, ack: ack}:
	case <-s.done:
		return ErrClosed
	case <-s.lost:
		return ErrDisconnected
	}
	<-ack
	return nil
}

// Mode returns the current mode.
func (s *Scene) Mode() Mode { return Mode(s.mode.Load()) }

// MarkerRect returns the marker square in root coordinates, as the
// package-level MarkerRect does.
func (s *Scene) MarkerRect() image.Rectangle { return markerRect }

// PageRect returns the page, the part of the screen that scrolls and is
// typed into, in root coordinates.
func (s *Scene) PageRect() image.Rectangle { return s.lay.sheet }

// Bounds returns the whole window, which covers the root window.
func (s *Scene) Bounds() image.Rectangle { return image.Rect(0, 0, s.lay.w, s.lay.h) }

// MarkerColour returns the marker's colour on screen: a click changes it
// once the X server has drawn the new colour.
func (s *Scene) MarkerColour() color.RGBA {
	s.markerMu.Lock()
	defer s.markerMu.Unlock()
	if s.shownOn {
		return markerColours[1]
	}
	return markerColours[0]
}

// Clicks returns how many button 1 presses on the marker the scene has
// handled. The count goes up once the X server has drawn the new colour,
// so a screen grab taken after Clicks returns n shows MarkerColourFor(n).
func (s *Scene) Clicks() int {
	s.markerMu.Lock()
	defer s.markerMu.Unlock()
	return s.clicks
}

// Close stops the animation and the event reader, destroys the window and
// closes the connection; it returns once both goroutines have exited. It is
// idempotent: later calls return the first call's result.
func (s *Scene) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		s.anim.Wait()
		select {
		case <-s.lost: // the server is gone, and the window with it
		default:
			xproto.DestroyWindow(s.conn, s.win)
			if err := s.sync(); err != nil {
				s.closeErr = fmt.Errorf("destroy scene window: %w", err)
			}
		}
		s.conn.Close()
		s.events.Wait()
		s.log.Debug("scene closed")
	})
	return s.closeErr
}

// readEvents handles X events until the connection closes.
func (s *Scene) readEvents() {
	defer s.events.Done()
	defer close(s.lost)
	for {
		ev, xerr := s.conn.WaitForEvent()
		switch {
		case ev == nil && xerr == nil:
			return
		case xerr != nil:
			s.log.Warn("scene: X error", "err", xerr)
			continue
		}
		switch e := ev.(type) {
		case xproto.ButtonPressEvent:
			if e.Detail == xproto.ButtonIndex1 && image.Pt(int(e.EventX), int(e.EventY)).In(markerRect) {
				s.click()
			}
		case xproto.ExposeEvent:
			if e.Count == 0 {
				select {
				case s.redraw <- struct{}{}:
				default:
				}
			}
		}
	}
}

// click flips the marker's colour, draws it and waits until the server has
// drawn it, before anything else is handled.
func (s *Scene) click() {
	s.markerMu.Lock()
	s.markerOn = !s.markerOn
	on := s.markerOn
	s.drawMarkerLocked()
	s.markerMu.Unlock()
	if err := s.sync(); err != nil {
		s.log.Debug("scene: click not confirmed", "err", err)
		return
	}
	s.markerMu.Lock()
	s.clicks++
	s.shownOn = on
	n := s.clicks
	s.markerMu.Unlock()
	s.log.Debug("scene: marker clicked", "clicks", n)
}

// animate draws the page in the current mode until Close or a lost
// connection.
func (s *Scene) animate(mode Mode) {
	defer s.anim.Done()
	var (
		ticker *time.Ticker
		start  time.Time
		units  int // characters typed or pixels scrolled since start
	)
	stop := func() {
		if ticker != nil {
			ticker.Stop()
			ticker = nil
		}
	}
	defer stop()
	enter := func(m Mode) {
		stop()
		mode, start, units = m, time.Now(), 0
		s.mode.Store(int32(m))
		switch m {
		case ModeTyping:
			s.prepareTyping()
			ticker = time.NewTicker(max(time.Millisecond, time.Duration(float64(time.Second)/s.opts.TypingRate)))
		case ModeScrolling:
			ticker = time.NewTicker(time.Second / ScrollHz)
		}
	}
	enter(mode)
	for {
		var tick <-chan time.Time
		if ticker != nil {
			tick = ticker.C
		}
		select {
		case <-s.done:
			return
		case <-s.lost:
			return
		case req := <-s.modeCh:
			enter(req.mode)
			s.syncOrWarn()
			close(req.ack)
		case <-s.redraw:
			s.drawAll()
			s.syncOrWarn()
		case now := <-tick:
			rate := s.opts.ScrollRate
			if mode == ModeTyping {
				rate = s.opts.TypingRate
			}
			due := int(rate*now.Sub(start).Seconds()) - units
			if due <= 0 {
				continue
			}
			units += due
			if mode == ModeTyping {
				for range min(due, maxTypingBurst) {
					s.typeChar()
				}
			} else {
				s.scrollBy(due)
			}
			s.syncOrWarn()
		}
	}
}

// maxTypingBurst caps how many characters one late tick catches up on.
const maxTypingBurst = 20

// sync waits for a round trip, so that everything sent before has been
// processed by the server.
func (s *Scene) sync() error {
	_, err := xproto.GetInputFocus(s.conn).Reply()
	if err != nil {
		return fmt.Errorf("round trip to the X server: %w", err)
	}
	return nil
}

func (s *Scene) syncOrWarn() {
	if err := s.sync(); err != nil {
		select {
		case <-s.lost: // the animator stops on its next turn
		default:
			s.log.Warn("scene: draw", "err", err)
		}
	}
}

// errNoReply reports a reply-less answer to a request that has one.
var errNoReply = errors.New("no reply")
