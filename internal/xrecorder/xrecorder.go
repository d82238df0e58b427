// Package xrecorder records the X events one client receives, so tests can
// assert exactly what injected input looks like to an application on a
// display.
//
// Start opens its own connection to the display, maps an override-redirect
// window covering the default screen at 0,0, gives it the input focus and
// selects key, button and pointer motion events. Every event is kept in
// order; Next returns them one by one and Expect compares a sequence.
//
// Coordinates are root-window coordinates (the window sits at 0,0). Keysym is
// what the recorder's copy of the keyboard mapping gives for the keycode: the
// second keysym of the keycode when Shift is in state and that keysym is set,
// else the first. The copy is refreshed on MappingNotify, as Xlib clients do,
// so keys an injector maps on the fly read right.
//
// It is a test-support package: its functions take a testing.TB and fail
// the test on error.
package xrecorder

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// Kind is what an Event is.
type Kind int

// Kinds of events.
const (
	KindUnknown Kind = iota
	KindMotion
	KindButtonPress
	KindButtonRelease
	KindKeyPress
	KindKeyRelease
)

var kindNames = [...]string{"Unknown", "MotionNotify", "ButtonPress", "ButtonRelease", "KeyPress", "KeyRelease"}

// String returns the X name of the event, such as "MotionNotify".
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// MarshalText returns the String form.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Event is one event the recorder's window received.
type Event struct {
	Kind Kind
	// X and Y are root coordinates of the pointer.
	X, Y int16
	// Button is the button of a ButtonPress or ButtonRelease.
	Button byte
	// Keycode and Keysym are the key of a KeyPress or KeyRelease.
	Keycode byte
	Keysym  uint32
	// State is the modifier and button mask before the event.
	State uint16
}

// Motion returns a MotionNotify event.
func Motion(x, y int16, state uint16) Event {
	return Event{Kind: KindMotion, X: x, Y: y, State: state}
}

// ButtonPress returns a ButtonPress event.
func ButtonPress(b byte, x, y int16, state uint16) Event {
	return Event{Kind: KindButtonPress, X: x, Y: y, Button: b, State: state}
}

// ButtonRelease returns a ButtonRelease event.
func ButtonRelease(b byte, x, y int16, state uint16) Event {
	return Event{Kind: KindButtonRelease, X: x, Y: y, Button: b, State: state}
}

// KeyPress returns a KeyPress event with the pointer at x, y.
func KeyPress(keycode byte, keysym uint32, x, y int16, state uint16) Event {
	return Event{Kind: KindKeyPress, X: x, Y: y, Keycode: keycode, Keysym: keysym, State: state}
}

// KeyRelease returns a KeyRelease event with the pointer at x, y.
func KeyRelease(keycode byte, keysym uint32, x, y int16, state uint16) Event {
	return Event{Kind: KindKeyRelease, X: x, Y: y, Keycode: keycode, Keysym: keysym, State: state}
}

// String describes the event for test failures.
func (e Event) String() string {
	switch e.Kind {
	case KindKeyPress, KindKeyRelease:
		return fmt.Sprintf("%s keycode %d keysym %#x state %#x at %d,%d", e.Kind, e.Keycode, e.Keysym, e.State, e.X, e.Y)
	case KindButtonPress, KindButtonRelease:
		return fmt.Sprintf("%s %d state %#x at %d,%d", e.Kind, e.Button, e.State, e.X, e.Y)
	default:
		return fmt.Sprintf("%s state %#x at %d,%d", e.Kind, e.State, e.X, e.Y)
	}
}

// Deadline bounds how long Next waits for an event. It guards against a
// hanging test; it is not a speed assertion.
const Deadline = time.Minute

// Recorder is a window on a display that records the events it receives.
type Recorder struct {
	// Width and Height are the size of the screen the window covers.
	Width, Height int

	conn   *xgb.Conn
	win    xproto.Window
	events chan Event
	ready  chan struct{}
	done   chan struct{}
	err    error // set before done closes

	closeOnce sync.Once
}

// Start maps a recorder window on display (such as ":42"), waits until it
// has the input focus, and closes it when the test ends.
func Start(tb testing.TB, display string) *Recorder {
	tb.Helper()
	r, err := start(display)
	if err != nil {
		tb.Fatalf("start the recorder on %s: %v", display, err)
	}
	tb.Cleanup(r.Close)
	ctx, cancel := context.WithTimeout(context.Background(), Deadline)
	defer cancel()
	select {
	case <-r.ready:
	case <-r.done:
		tb.Fatalf("the recorder on %s stopped before it was ready: %v", display, r.err)
	case <-ctx.Done():
		tb.Fatalf("the recorder's window on %s was not mapped", display)
	}
	return r
}

func start(display string) (*Recorder, error) {
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	setup := xproto.Setup(c)
	screen := setup.DefaultScreen(c)
	win, err := xproto.NewWindowId(c)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("window id: %w", err)
	}
	mask := uint32(xproto.EventMaskKeyPress | xproto.EventMaskKeyRelease |
		xproto.EventMaskButtonPress | xproto.EventMaskButtonRelease |
		xproto.EventMaskPointerMotion | xproto.EventMaskStructureNotify)
	err = xproto.CreateWindowChecked(c, screen.RootDepth, win, screen.Root, 0, 0,
		screen.WidthInPixels, screen.HeightInPixels, 0, xproto.WindowClassInputOutput, screen.RootVisual,
		xproto.CwBackPixel|xproto.CwOverrideRedirect|xproto.CwEventMask,
		[]uint32{screen.WhitePixel, 1, mask}).Check()
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("create window: %w", err)
	}
	km := keymap{min: setup.MinKeycode, max: setup.MaxKeycode}
	if err := km.refresh(c); err != nil {
		c.Close()
		return nil, err
	}
	r := &Recorder{
		Width: int(screen.WidthInPixels), Height: int(screen.HeightInPixels),
		conn: c, win: win,
		// Big enough that a test never blocks the reader.
		events: make(chan Event, 1<<16),
		ready:  make(chan struct{}), done: make(chan struct{}),
	}
	if err := xproto.MapWindowChecked(c, win).Check(); err != nil {
		c.Close()
		return nil, fmt.Errorf("map window: %w", err)
	}
	go r.read(&km)
	return r, nil
}

// read records events until the connection closes.
func (r *Recorder) read(km *keymap) {
	defer close(r.done)
	c := r.conn
	for {
		ev, xerr := c.WaitForEvent()
		if ev == nil && xerr == nil {
			return // connection closed
		}
		if xerr != nil {
			r.err = fmt.Errorf("the display reported an error: %v", xerr)
			return
		}
		var e Event
		switch x := ev.(type) {
		case xproto.MapNotifyEvent:
			if x.Window != r.win {
				continue
			}
			if err := xproto.SetInputFocusChecked(c, xproto.InputFocusParent, r.win, xproto.TimeCurrentTime).Check(); err != nil {
				r.err = fmt.Errorf("focus: %w", err)
				return
			}
			close(r.ready)
			continue
		case xproto.MappingNotifyEvent:
			if x.Request == xproto.MappingKeyboard {
				if err := km.refresh(c); err != nil {
					r.err = err
					return
				}
			}
			continue
		case xproto.MotionNotifyEvent:
			e = Motion(x.RootX, x.RootY, x.State)
		case xproto.ButtonPressEvent:
			e = ButtonPress(byte(x.Detail), x.RootX, x.RootY, x.State)
		case xproto.ButtonReleaseEvent:
			e = ButtonRelease(byte(x.Detail), x.RootX, x.RootY, x.State)
		case xproto.KeyPressEvent:
			e = KeyPress(byte(x.Detail), km.lookup(x.Detail, x.State), x.RootX, x.RootY, x.State)
		case xproto.KeyReleaseEvent:
			e = KeyRelease(byte(x.Detail), km.lookup(x.Detail, x.State), x.RootX, x.RootY, x.State)
		default:
			continue
		}
		select {
		case r.events <- e:
		default:
			r.err = fmt.Errorf("more than %d events not read", cap(r.events))
			return
		}
	}
}

// Close closes the window and its connection and waits for the reader. It
// is idempotent.
func (r *Recorder) Close() {
	r.closeOnce.Do(func() {
		r.conn.Close()
		<-r.done
	})
}

// Next returns the next event the window received. It fails the test if
// none comes within Deadline or the recorder stopped.
func (r *Recorder) Next(tb testing.TB) Event {
	tb.Helper()
	t := time.NewTimer(Deadline)
	defer t.Stop()
	select {
	case e := <-r.events:
		return e
	default:
	}
	select {
	case e := <-r.events:
		return e
	case <-r.done:
		select {
		case e := <-r.events:
			return e
		default:
		}
		tb.Fatalf("the recorder stopped: %v", r.err)
	case <-t.C:
		tb.Fatalf("the recorder saw no further event in %v", Deadline)
	}
	return Event{}
}

// Expect reads len(want) events, reports every one that differs from want
// as a test error, and returns what it read.
func (r *Recorder) Expect(tb testing.TB, want ...Event) []Event {
	tb.Helper()
	got := make([]Event, len(want))
	for i := range want {
		got[i] = r.Next(tb)
	}
	for i := range want {
		if got[i] != want[i] {
			tb.Errorf("event %d: got %v; want %v", i, got[i], want[i])
		}
	}
	return got
}

// SkipTo reads events until one equals want, and fails the test if the
// recorder stops first. It returns the events it skipped.
func (r *Recorder) SkipTo(tb testing.TB, want Event) []Event {
	tb.Helper()
	var skipped []Event
	for {
		e := r.Next(tb)
		if e == want {
			return skipped
		}
		skipped = append(skipped, e)
	}
}

// keymap is the recorder's copy of the core keyboard mapping.
type keymap struct {
	min, max xproto.Keycode
	per      int
	syms     []xproto.Keysym
}

func (k *keymap) refresh(c *xgb.Conn) error {
	r, err := xproto.GetKeyboardMapping(c, k.min, byte(k.max-k.min+1)).Reply()
	if err != nil {
		return fmt.Errorf("keyboard mapping: %w", err)
	}
	k.per, k.syms = int(r.KeysymsPerKeycode), r.Keysyms
	return nil
}

func (k *keymap) lookup(code xproto.Keycode, state uint16) uint32 {
	if code < k.min || code > k.max || k.per == 0 {
		return 0
	}
	i := int(code-k.min) * k.per
	if i+k.per > len(k.syms) {
		return 0
	}
	syms := k.syms[i : i+k.per]
	if state&xproto.ModMaskShift != 0 && k.per > 1 && syms[1] != 0 {
		return uint32(syms[1])
	}
	return uint32(syms[0])
}
