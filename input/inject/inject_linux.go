//go:build linux && cgo

package inject

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"

	"github.com/go-vgo/robotgo"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"

	"github.com/tandemhq/tandem/input"
	"github.com/tandemhq/tandem/internal/xext"
)

// open is set while an injector of this process is open: robotgo has one
// X connection per process.
var open atomic.Bool

// system injects into an X display: pointer work through robotgo, keys and
// text through XTest on a connection of its own.
type system struct {
	log     *slog.Logger
	display string
	conn    *xgb.Conn
	root    xproto.Window
	done    chan struct{} // closed when the event reader has exited

	// size is the root window's size, width<<32 | height, kept current by
	// the event reader from ConfigureNotify so that a resolution change
	// during the session moves the desktop's edge.
	size atomic.Uint64

	minKeycode, maxKeycode xproto.Keycode

	// stale is set by the event reader when the keyboard mapping changed.
	stale   atomic.Bool
	keymap  keymap
	spare   []xproto.Keycode          // keycodes that had no keysym at start, best first
	assigns map[xproto.Keycode]uint32 // spare keycodes this injector mapped, to their keysym
	lru     []xproto.Keycode          // assigned spares, least recently used first
}

func newSystem(display string, log *slog.Logger) (*system, error) {
	if display == "" {
		return nil, fmt.Errorf("%w: no X display name given", ErrNoDisplay)
	}
	if !open.CompareAndSwap(false, true) {
		return nil, ErrBusy
	}
	s, err := dial(display, log)
	if err != nil {
		open.Store(false)
		return nil, err
	}
	robotgo.MouseSleep = 0
	robotgo.KeySleep = 0
	if err := robotgo.SetXDisplayName(display); err != nil {
		_ = s.close()
		return nil, fmt.Errorf("%w: robotgo display %s: %w", ErrNoDisplay, display, err)
	}
	return s, nil
}

// dial connects to the display and checks it can be injected into, with a
// pure-Go client: robotgo must not meet a display it cannot open.
func dial(display string, log *slog.Logger) (*system, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("%w: connect to X display %q: %w", ErrNoDisplay, display, err)
	}
	if err := xext.Init(conn, xext.XTest); err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w: X display %s has no XTEST extension: %w", ErrNoDisplay, display, err)
	}
	setup := xproto.Setup(conn)
	screen := setup.DefaultScreen(conn)
	s := &system{
		log:        log,
		display:    display,
		conn:       conn,
		root:       screen.Root,
		done:       make(chan struct{}),
		minKeycode: setup.MinKeycode,
		maxKeycode: setup.MaxKeycode,
		assigns:    map[xproto.Keycode]uint32{},
	}
	s.setSize(screen.WidthInPixels, screen.HeightInPixels)
	// StructureNotify on the root reports its resizes (RandR, xrandr
	// --fb); many clients may select it.
	err = xproto.ChangeWindowAttributesChecked(conn, s.root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskStructureNotify}).Check()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w: watch the root window of %s: %w", ErrNoDisplay, display, err)
	}
	go s.readEvents()
	if err := s.refreshKeymap(); err != nil {
		conn.Close()
		<-s.done
		return nil, fmt.Errorf("%w: %w", ErrNoDisplay, err)
	}
	s.spare = s.keymap.spareKeycodes()
	return s, nil
}

// setSize records the root window's size.
func (s *system) setSize(w, h uint16) { s.size.Store(uint64(w)<<32 | uint64(h)) }

// screenSize returns the root window's size.
func (s *system) screenSize() (w, h int32) {
	v := s.size.Load()
	return int32(v >> 32), int32(uint32(v))
}

// readEvents drains the connection's events, which xgb would otherwise
// buffer until it blocks: MappingNotify marks the keymap stale,
// ConfigureNotify of the root updates the desktop size, and errors of
// requests nobody checks are logged.
func (s *system) readEvents() {
	defer close(s.done)
	for {
		ev, err := s.conn.WaitForEvent()
		switch {
		case ev == nil && err == nil:
			return
		case err != nil:
			s.log.Warn("X error on the injection connection", "display", s.display, "err", err)
		default:
			switch e := ev.(type) {
			case xproto.MappingNotifyEvent:
				if e.Request == xproto.MappingKeyboard {
					s.stale.Store(true)
				}
			case xproto.ConfigureNotifyEvent:
				if e.Window == s.root {
					s.setSize(e.Width, e.Height)
				}
			}
		}
	}
}

func (s *system) close() error {
	var errs []error
	for kc := range s.assigns {
		// Clear the keycodes this injector mapped.
		err := xproto.ChangeKeyboardMappingChecked(s.conn, 1, kc, 2, []xproto.Keysym{0, 0}).Check()
		if err != nil {
			errs = append(errs, fmt.Errorf("clear keycode %d: %w", kc, err))
		}
	}
	robotgo.CloseMainDisplay()
	s.conn.Close()
	<-s.done
	open.Store(false)
	return errors.Join(errs...)
}

func (s *system) move(x, y int32) error {
	w, h := s.screenSize()
	if x < 0 || y < 0 || x >= w || y >= h {
		return fmt.Errorf("%w: %d,%d outside %dx%d", ErrOutOfScreen, x, y, w, h)
	}
	robotgo.Move(int(x), int(y))
	return nil
}

var robotgoButtons = map[input.Button]string{
	input.ButtonLeft:   "left",
	input.ButtonMiddle: "center",
	input.ButtonRight:  "right",
}

func (s *system) button(b input.Button, down bool) error {
	name, ok := robotgoButtons[b]
	if !ok {
		return fmt.Errorf("%w: button %s", ErrNoKey, b)
	}
	dir := "up"
	if down {
		dir = "down"
	}
	return robotgo.Toggle(name, dir)
}

func (s *system) wheel(dx, dy int32) error {
	// robotgo scrolls up (X button 4) for y > 0 and left (button 6) for
	// x > 0; input's signs are the other way round.
	robotgo.Scroll(int(-dx), int(-dy), 0)
	return nil
}

func (s *system) key(k input.Key, down bool) error {
	code, ok := evdevCodes[k]
	if !ok {
		return fmt.Errorf("%w: %s has no evdev code", ErrNoKey, k)
	}
	kc := xproto.Keycode(code) + 8
	if kc < s.minKeycode || kc > s.maxKeycode {
		return fmt.Errorf("%w: %s is keycode %d, outside %d..%d", ErrNoKey, k, kc, s.minKeycode, s.maxKeycode)
	}
	return s.fakeKey(kc, down)
}

func (s *system) fakeKey(kc xproto.Keycode, down bool) error {
	typ := byte(xproto.KeyRelease)
	if down {
		typ = xproto.KeyPress
	}
	if err := xtest.FakeInputChecked(s.conn, typ, byte(kc), 0, s.root, 0, 0, 0).Check(); err != nil {
		return fmt.Errorf("XTest key %d: %w", kc, err)
	}
	return nil
}

// Keysyms of the control characters a text may hold.
const (
	keysymTab    = 0xff09
	keysymReturn = 0xff0d
)

// shiftKeycode is ShiftLeft's keycode, held for characters on the Shift
// level of their key.
var shiftKeycode = xproto.Keycode(evdevCodes[input.KeyShiftLeft]) + 8

func (s *system) typeText(text string) error {
	runes := []rune(text)
	for i, r := range runes {
		if r == '\r' && i+1 < len(runes) && runes[i+1] == '\n' {
			continue // CR LF types one Return
		}
		if err := s.typeRune(r); err != nil {
			return fmt.Errorf("type %U: %w", r, err)
		}
	}
	return nil
}

func (s *system) typeRune(r rune) error {
	sym := keysymOf(r)
	kc, shift, err := s.keycodeFor(sym)
	if err != nil {
		return err
	}
	if shift {
		if err := s.fakeKey(shiftKeycode, true); err != nil {
			return err
		}
	}
	err = errors.Join(s.fakeKey(kc, true), s.fakeKey(kc, false))
	if shift {
		err = errors.Join(err, s.fakeKey(shiftKeycode, false))
	}
	return err
}

// keysymOf returns the X keysym of a character: Latin-1 characters are
// their own keysym, others are 0x01000000 plus the code point.
func keysymOf(r rune) uint32 {
	switch {
	case r == '\t':
		return keysymTab
	case r == '\n' || r == '\r':
		return keysymReturn
	case (r >= 0x20 && r <= 0x7e) || (r >= 0xa0 && r <= 0xff):
		return uint32(r)
	default:
		return 0x01000000 | uint32(r)
	}
}

// keycodeFor finds a key that types sym: a key of the current keymap
// (shift says whether it needs Shift), else a spare keycode it maps to sym.
func (s *system) keycodeFor(sym uint32) (kc xproto.Keycode, shift bool, err error) {
	if s.stale.Swap(false) {
		if err := s.refreshKeymap(); err != nil {
			return 0, false, err
		}
	}
	for kc, have := range s.assigns {
		if have == sym && s.keymap.level(kc, sym) == 0 {
			s.touch(kc)
			return kc, false, nil
		}
	}
	if kc, level, ok := s.keymap.find(sym); ok {
		return kc, level == 1, nil
	}
	return s.assign(sym)
}

// assign maps sym onto a spare keycode: a free one, else the least recently
// used of those it mapped before.
func (s *system) assign(sym uint32) (xproto.Keycode, bool, error) {
	var kc xproto.Keycode
	for _, c := range s.spare {
		if _, used := s.assigns[c]; !used {
			kc = c
			break
		}
	}
	if kc == 0 {
		if len(s.lru) == 0 {
			return 0, false, fmt.Errorf("%w: no spare keycode to type keysym %#x", ErrNoKey, sym)
		}
		kc = s.lru[0]
	}
	err := xproto.ChangeKeyboardMappingChecked(s.conn, 1, kc, 2, []xproto.Keysym{xproto.Keysym(sym), xproto.Keysym(sym)}).Check()
	if err != nil {
		return 0, false, fmt.Errorf("map keysym %#x to keycode %d: %w", sym, kc, err)
	}
	s.assigns[kc] = sym
	s.keymap.set(kc, sym)
	s.touch(kc)
	return kc, false, nil
}

// touch marks kc as the most recently used assigned keycode.
func (s *system) touch(kc xproto.Keycode) {
	if i := slices.Index(s.lru, kc); i >= 0 {
		s.lru = slices.Delete(s.lru, i, i+1)
	}
	s.lru = append(s.lru, kc)
}

func (s *system) refreshKeymap() error {
	r, err := xproto.GetKeyboardMapping(s.conn, s.minKeycode, byte(s.maxKeycode-s.minKeycode+1)).Reply()
	if err != nil {
		return fmt.Errorf("read keyboard mapping: %w", err)
	}
	s.keymap = keymap{min: s.minKeycode, per: int(r.KeysymsPerKeycode), syms: r.Keysyms}
	return nil
}

// keymap is a copy of the core keyboard mapping.
type keymap struct {
	min  xproto.Keycode
	per  int
	syms []xproto.Keysym
}

// of returns the keysyms of kc, or nil.
func (m *keymap) of(kc xproto.Keycode) []xproto.Keysym {
	if kc < m.min || m.per == 0 {
		return nil
	}
	i := int(kc-m.min) * m.per
	if i+m.per > len(m.syms) {
		return nil
	}
	return m.syms[i : i+m.per]
}

// level returns the level (0, or 1 for Shift) at which kc types sym, or -1.
func (m *keymap) level(kc xproto.Keycode, sym uint32) int {
	syms := m.of(kc)
	for l := 0; l < min(2, len(syms)); l++ {
		if uint32(syms[l]) == sym {
			return l
		}
	}
	return -1
}

// find returns a keycode that types sym at level 0 or 1, preferring level 0.
func (m *keymap) find(sym uint32) (xproto.Keycode, int, bool) {
	if m.per == 0 {
		return 0, 0, false
	}
	n := len(m.syms) / m.per
	for l := range min(2, m.per) {
		for i := range n {
			if uint32(m.syms[i*m.per+l]) == sym {
				return m.min + xproto.Keycode(i), l, true
			}
		}
	}
	return 0, 0, false
}

// set records that kc now types sym on both of its first levels.
func (m *keymap) set(kc xproto.Keycode, sym uint32) {
	syms := m.of(kc)
	for i := range syms {
		syms[i] = 0
	}
	for i := 0; i < min(2, len(syms)); i++ {
		syms[i] = xproto.Keysym(sym)
	}
}

// spareKeycodes lists the keycodes without any keysym that no physical key
// of package input uses, highest first, then the unused ones physical keys
// would use.
func (m *keymap) spareKeycodes() []xproto.Keycode {
	physical := map[xproto.Keycode]bool{}
	for _, code := range evdevCodes {
		physical[xproto.Keycode(code)+8] = true
	}
	var free, fallback []xproto.Keycode
	n := len(m.syms) / max(m.per, 1)
	for i := n - 1; i >= 0; i-- {
		kc := m.min + xproto.Keycode(i)
		if slices.ContainsFunc(m.of(kc), func(k xproto.Keysym) bool { return k != 0 }) {
			continue
		}
		if physical[kc] {
			fallback = append(fallback, kc)
		} else {
			free = append(free, kc)
		}
	}
	return append(free, fallback...)
}
