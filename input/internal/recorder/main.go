// Command recorder is a test program that records the X events one client
// receives, so tests can assert exactly what injected input looks like to an
// application on the display.
//
// It opens an override-redirect window covering the screen of $DISPLAY,
// gives it the input focus, selects key, button and pointer motion events,
// and writes one JSON object per line to stdout:
//
//	{"type":"ready","width":1920,"height":1080}
//	{"type":"MotionNotify","x":10,"y":20,"state":0}
//	{"type":"ButtonPress","x":10,"y":20,"button":1,"state":0}
//	{"type":"KeyPress","x":10,"y":20,"keycode":38,"keysym":65,"state":1}
//
// The first line, "ready", comes once the window is mapped and focused.
// Coordinates are root-window coordinates (the window sits at 0,0). keysym is
// what the client's current keyboard mapping gives for the keycode: the
// second keysym of the keycode when Shift is in state and that keysym is
// set, else the first. The recorder refreshes its mapping on MappingNotify,
// as Xlib clients do. It exits when stdin closes or the display goes away.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// Line is one line of output.
type Line struct {
	Type    string `json:"type"`
	X       int16  `json:"x"`
	Y       int16  `json:"y"`
	Button  byte   `json:"button,omitempty"`
	Keycode byte   `json:"keycode,omitempty"`
	Keysym  uint32 `json:"keysym,omitempty"`
	State   uint16 `json:"state"`
	Width   uint16 `json:"width,omitempty"`
	Height  uint16 `json:"height,omitempty"`
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "recorder:", err)
		os.Exit(1)
	}
}

func run(out io.Writer) error {
	c, err := xgb.NewConn()
	if err != nil {
		return fmt.Errorf("connect to %q: %w", os.Getenv("DISPLAY"), err)
	}
	defer c.Close()
	go func() {
		// The test closes stdin to stop the recorder.
		_, _ = io.Copy(io.Discard, os.Stdin)
		c.Close()
	}()

	setup := xproto.Setup(c)
	screen := setup.DefaultScreen(c)
	win, err := xproto.NewWindowId(c)
	if err != nil {
		return fmt.Errorf("window id: %w", err)
	}
	mask := uint32(xproto.EventMaskKeyPress | xproto.EventMaskKeyRelease |
		xproto.EventMaskButtonPress | xproto.EventMaskButtonRelease |
		xproto.EventMaskPointerMotion | xproto.EventMaskStructureNotify)
	err = xproto.CreateWindowChecked(c, screen.RootDepth, win, screen.Root, 0, 0,
		screen.WidthInPixels, screen.HeightInPixels, 0, xproto.WindowClassInputOutput, screen.RootVisual,
		xproto.CwBackPixel|xproto.CwOverrideRedirect|xproto.CwEventMask,
		[]uint32{screen.WhitePixel, 1, mask}).Check()
	if err != nil {
		return fmt.Errorf("create window: %w", err)
	}
	if err := xproto.MapWindowChecked(c, win).Check(); err != nil {
		return fmt.Errorf("map window: %w", err)
	}

	km := keymap{min: setup.MinKeycode, max: setup.MaxKeycode}
	if err := km.refresh(c); err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	for {
		ev, xerr := c.WaitForEvent()
		if ev == nil && xerr == nil {
			return nil // connection closed
		}
		if xerr != nil {
			return fmt.Errorf("display reported an error: %w", xerr)
		}
		var line *Line
		switch e := ev.(type) {
		case xproto.MapNotifyEvent:
			if e.Window != win {
				continue
			}
			if err := xproto.SetInputFocusChecked(c, xproto.InputFocusParent, win, xproto.TimeCurrentTime).Check(); err != nil {
				return fmt.Errorf("focus: %w", err)
			}
			line = &Line{Type: "ready", Width: screen.WidthInPixels, Height: screen.HeightInPixels}
		case xproto.MappingNotifyEvent:
			if e.Request == xproto.MappingKeyboard {
				if err := km.refresh(c); err != nil {
					return err
				}
			}
		case xproto.MotionNotifyEvent:
			line = &Line{Type: "MotionNotify", X: e.RootX, Y: e.RootY, State: e.State}
		case xproto.ButtonPressEvent:
			line = &Line{Type: "ButtonPress", X: e.RootX, Y: e.RootY, Button: byte(e.Detail), State: e.State}
		case xproto.ButtonReleaseEvent:
			line = &Line{Type: "ButtonRelease", X: e.RootX, Y: e.RootY, Button: byte(e.Detail), State: e.State}
		case xproto.KeyPressEvent:
			line = &Line{Type: "KeyPress", X: e.RootX, Y: e.RootY, Keycode: byte(e.Detail), Keysym: km.lookup(e.Detail, e.State), State: e.State}
		case xproto.KeyReleaseEvent:
			line = &Line{Type: "KeyRelease", X: e.RootX, Y: e.RootY, Keycode: byte(e.Detail), Keysym: km.lookup(e.Detail, e.State), State: e.State}
		}
		if line != nil {
			if err := enc.Encode(line); err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
	}
}

// keymap is the client's copy of the core keyboard mapping.
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
