//go:build linux && cgo

package inject

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xinerama"

	"github.com/tandemhq/tandem/input"
	"github.com/tandemhq/tandem/internal/xrecorder"
	"github.com/tandemhq/tandem/internal/xvfb"
)

// X keycodes of Xvfb's default (evdev, pc105, us) keymap and the keysyms
// they carry.
const (
	kcControlL = 37
	kcA        = 38
	kcShiftL   = 50
	kcAltL     = 64
	kcDelete   = 119

	symA        = 0x41
	syma        = 0x61
	symShiftL   = 0xffe1
	symControlL = 0xffe3
	symAltL     = 0xffe9
	symDelete   = 0xffff
)

// Core event state bits.
const (
	stShift   = 0x1
	stControl = 0x4
	stMod1    = 0x8
	stButton1 = 0x100
	stButton2 = 0x200
	stButton3 = 0x400
	stButton4 = 0x800
	stButton5 = 0x1000
)

var (
	motion        = xrecorder.Motion
	buttonPress   = xrecorder.ButtonPress
	buttonRelease = xrecorder.ButtonRelease
)

// keyPress and keyRelease are key events with the pointer at the setup's
// fence, (100, 100).
func keyPress(kc byte, sym uint32, state uint16) xrecorder.Event {
	return xrecorder.KeyPress(kc, sym, 100, 100, state)
}

func keyRelease(kc byte, sym uint32, state uint16) xrecorder.Event {
	return xrecorder.KeyRelease(kc, sym, 100, 100, state)
}

func move(x, y int32) input.Event { return input.Event{Kind: input.KindMove, X: x, Y: y} }

func down(b input.Button) input.Event { return input.Event{Kind: input.KindButtonDown, Button: b} }

func up(b input.Button) input.Event { return input.Event{Kind: input.KindButtonUp, Button: b} }

func keyDown(k input.Key, m input.Mods) input.Event {
	return input.Event{Kind: input.KindKeyDown, Key: k, Mods: m}
}

func keyUp(k input.Key, m input.Mods) input.Event {
	return input.Event{Kind: input.KindKeyUp, Key: k, Mods: m}
}

func TestMove(t *testing.T) {
	_, r, in := setup(t)
	for _, p := range [][2]int16{{0, 0}, {1279, 799}, {640, 400}, {1, 798}} {
		mustInject(t, in, move(int32(p[0]), int32(p[1])))
		r.Expect(t, motion(p[0], p[1], 0))
	}
}

// TestMoveSecondMonitor drives the pointer on the right-hand monitor of a
// two-monitor desktop: a 2304x800 root split by RandR monitors into a
// 1280x800 monitor at the origin and a 1024x768 one at 1280,0. (Xvfb's own
// screens all sit at the origin under Xinerama, see internal/xvfb, so the
// offset layout is made with xrandr --setmonitor, as a desktop's RandR
// configuration would.)
func TestMoveSecondMonitor(t *testing.T) {
	d, r, in := setup(t, xvfb.Screen{Width: 2304, Height: 800})
	xrandr(t, d, "--setmonitor", "left", "1280/338x800/211+0+0", "none")
	xrandr(t, d, "--setmonitor", "right", "1024/270x768/203+1280+0", "none")
	if got, want := heads(t, d), "1280x800+0+0 1024x768+1280+0 2304x800+0+0"; got != want {
		t.Fatalf("Xinerama heads: got %s; want %s", got, want)
	}
	for _, p := range [][2]int16{{1280, 0}, {1290, 20}, {2303, 767}, {1279, 400}, {1800, 384}} {
		mustInject(t, in, move(int32(p[0]), int32(p[1])))
		r.Expect(t, motion(p[0], p[1], 0))
	}
	if err := in.Inject(move(2304, 10)); !errors.Is(err, ErrOutOfScreen) {
		t.Errorf("move to 2304,10: got %v; want ErrOutOfScreen", err)
	}
	fence(t, in, r, 1500, 500)
}

// TestMoveTwoScreens runs on Xvfb's two-screen Xinerama desktop, whose
// heads overlap at the origin: the desktop is the larger head.
func TestMoveTwoScreens(t *testing.T) {
	d, r, in := setup(t, xvfb.Screen{Width: 1280, Height: 800}, xvfb.Screen{Width: 1024, Height: 768})
	if got, want := heads(t, d), "1280x800+0+0 1024x768+0+0"; got != want {
		t.Fatalf("Xinerama heads: got %s; want %s", got, want)
	}
	for _, p := range [][2]int16{{1023, 767}, {1279, 799}, {5, 6}} {
		mustInject(t, in, move(int32(p[0]), int32(p[1])))
		r.Expect(t, motion(p[0], p[1], 0))
	}
}

func TestMoveOutOfScreen(t *testing.T) {
	_, r, in := setup(t)
	for _, p := range [][2]int32{{-1, 0}, {0, -1}, {1280, 0}, {0, 800}, {input.MaxCoord, input.MaxCoord}, {input.MinCoord, 5}} {
		if err := in.Inject(move(p[0], p[1])); !errors.Is(err, ErrOutOfScreen) {
			t.Errorf("move to %d,%d: got %v; want ErrOutOfScreen", p[0], p[1], err)
		}
	}
	fence(t, in, r, 200, 200) // nothing moved before
}

func TestButtons(t *testing.T) {
	tests := []struct {
		button input.Button
		x      byte
		mask   uint16
	}{
		{input.ButtonLeft, 1, stButton1},
		{input.ButtonMiddle, 2, stButton2},
		{input.ButtonRight, 3, stButton3},
	}
	_, r, in := setup(t)
	for _, tt := range tests {
		t.Run(tt.button.String(), func(t *testing.T) {
			mustInject(t, in, down(tt.button), up(tt.button))
			r.Expect(t,
				buttonPress(tt.x, 100, 100, 0),
				buttonRelease(tt.x, 100, 100, tt.mask))
		})
	}
}

func TestDoubleClick(t *testing.T) {
	_, r, in := setup(t)
	mustInject(t, in, move(300, 200), down(input.ButtonLeft), up(input.ButtonLeft), down(input.ButtonLeft), up(input.ButtonLeft))
	r.Expect(t,
		motion(300, 200, 0),
		buttonPress(1, 300, 200, 0),
		buttonRelease(1, 300, 200, stButton1),
		buttonPress(1, 300, 200, 0),
		buttonRelease(1, 300, 200, stButton1))
}

func TestDrag(t *testing.T) {
	_, r, in := setup(t)
	mustInject(t, in, down(input.ButtonLeft), move(150, 120), move(200, 140), move(260, 180), up(input.ButtonLeft))
	r.Expect(t,
		buttonPress(1, 100, 100, 0),
		motion(150, 120, stButton1),
		motion(200, 140, stButton1),
		motion(260, 180, stButton1),
		buttonRelease(1, 260, 180, stButton1))
}

// TestButtonRepeats checks that a second press of a held button and a
// release of a button not held inject nothing.
func TestButtonRepeats(t *testing.T) {
	_, r, in := setup(t)
	mustInject(t, in, up(input.ButtonRight), down(input.ButtonLeft), down(input.ButtonLeft), up(input.ButtonLeft), up(input.ButtonLeft))
	r.Expect(t, buttonPress(1, 100, 100, 0), buttonRelease(1, 100, 100, stButton1))
	fence(t, in, r, 101, 101)
}

func TestWheel(t *testing.T) {
	tests := []struct {
		name   string
		dx, dy int32
		button byte
		mask   uint16 // the core state has no bits for buttons 6 and 7
		steps  int
	}{
		{"down", 0, 2, 5, stButton5, 2},
		{"up", 0, -1, 4, stButton4, 1},
		{"right", 3, 0, 7, 0, 3},
		{"left", -1, 0, 6, 0, 1},
	}
	_, r, in := setup(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustInject(t, in, input.Event{Kind: input.KindWheel, DX: tt.dx, DY: tt.dy})
			var want []xrecorder.Event
			for range tt.steps {
				want = append(want, buttonPress(tt.button, 100, 100, 0), buttonRelease(tt.button, 100, 100, tt.mask))
			}
			r.Expect(t, want...)
		})
	}
	t.Run("both", func(t *testing.T) {
		mustInject(t, in, input.Event{Kind: input.KindWheel, DX: 1, DY: 1})
		r.Expect(t,
			buttonPress(7, 100, 100, 0), buttonRelease(7, 100, 100, 0),
			buttonPress(5, 100, 100, 0), buttonRelease(5, 100, 100, stButton5))
	})
}

func TestKeys(t *testing.T) {
	tests := []struct {
		name string
		evs  []input.Event
		want []xrecorder.Event
	}{{
		name: "a",
		evs:  []input.Event{keyDown(input.KeyA, 0), keyUp(input.KeyA, 0)},
		want: []xrecorder.Event{keyPress(kcA, syma, 0), keyRelease(kcA, syma, 0)},
	}, {
		name: "Shift+KeyA as the rep typed it",
		evs: []input.Event{
			keyDown(input.KeyShiftLeft, input.ModShift), keyDown(input.KeyA, input.ModShift),
			keyUp(input.KeyA, input.ModShift), keyUp(input.KeyShiftLeft, 0),
		},
		want: []xrecorder.Event{
			keyPress(kcShiftL, symShiftL, 0), keyPress(kcA, symA, stShift),
			keyRelease(kcA, symA, stShift), keyRelease(kcShiftL, symShiftL, stShift),
		},
	}, {
		// The Shift press was lost (the rep's window had no focus): the
		// injector presses Shift itself, and releases it when a later key
		// comes without Shift.
		name: "Shift from the modifier mask",
		evs: []input.Event{
			keyDown(input.KeyA, input.ModShift), keyUp(input.KeyA, input.ModShift),
			keyDown(input.KeyA, 0), keyUp(input.KeyA, 0),
		},
		want: []xrecorder.Event{
			keyPress(kcShiftL, symShiftL, 0), keyPress(kcA, symA, stShift), keyRelease(kcA, symA, stShift),
			keyRelease(kcShiftL, symShiftL, stShift), keyPress(kcA, syma, 0), keyRelease(kcA, syma, 0),
		},
	}, {
		name: "Control+KeyA",
		evs: []input.Event{
			keyDown(input.KeyControlLeft, input.ModControl), keyDown(input.KeyA, input.ModControl),
			keyUp(input.KeyA, input.ModControl), keyUp(input.KeyControlLeft, 0),
		},
		want: []xrecorder.Event{
			keyPress(kcControlL, symControlL, 0), keyPress(kcA, syma, stControl),
			keyRelease(kcA, syma, stControl), keyRelease(kcControlL, symControlL, stControl),
		},
	}, {
		name: "Control+Shift+KeyA from the mask",
		evs:  []input.Event{keyDown(input.KeyA, input.ModControl|input.ModShift), keyUp(input.KeyA, input.ModControl|input.ModShift)},
		want: []xrecorder.Event{
			keyPress(kcShiftL, symShiftL, 0), keyPress(kcControlL, symControlL, stShift),
			keyPress(kcA, symA, stShift|stControl), keyRelease(kcA, symA, stShift|stControl),
		},
	}, {
		name: "release of a key not held",
		evs:  []input.Event{keyUp(input.KeyDelete, 0), keyDown(input.KeyA, 0), keyUp(input.KeyA, 0)},
		want: []xrecorder.Event{keyPress(kcA, syma, 0), keyRelease(kcA, syma, 0)},
	}}
	_, r, in := setup(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustInject(t, in, tt.evs...)
			r.Expect(t, tt.want...)
		})
		// A case may leave modifiers held: let go of them and
		// start the next case from a clean state.
		if err := in.ReleaseAll(); err != nil {
			t.Fatalf("ReleaseAll: %v", err)
		}
		drainTo(t, in, r)
	}
}

// drainTo discards the recorder's events up to a fence.
func drainTo(t *testing.T, in *Injector, r *xrecorder.Recorder) {
	t.Helper()
	for _, p := range [][2]int16{{102, 102}, {100, 100}} {
		mustInject(t, in, move(int32(p[0]), int32(p[1])))
		for {
			if l := r.Next(t); l == motion(p[0], p[1], 0) {
				break
			}
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		text string
		syms []uint32
	}{
		{"é", []uint32{0xe9}},
		{"ß", []uint32{0xdf}},
		{"中", []uint32{0x1004e2d}},
		{"éß中é", []uint32{0xe9, 0xdf, 0x1004e2d, 0xe9}},
		{"a€\t", []uint32{syma, 0x10020ac, 0xff09}},
	}
	_, r, in := setup(t)
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			mustInject(t, in, input.Event{Kind: input.KindText, Text: tt.text})
			for i, sym := range tt.syms {
				press, release := r.Next(t), r.Next(t)
				if press.Kind != xrecorder.KindKeyPress || press.Keysym != sym || press.State != 0 {
					t.Errorf("character %d: got %v; want KeyPress of keysym %#x, state 0", i, press, sym)
				}
				if release.Kind != xrecorder.KindKeyRelease || release.Keycode != press.Keycode || release.Keysym != sym {
					t.Errorf("character %d: got %v after %v; want its KeyRelease", i, release, press)
				}
			}
			fence(t, in, r, 101, 100)
			fence(t, in, r, 100, 100)
		})
	}
	t.Run("capital with Shift", func(t *testing.T) {
		mustInject(t, in, input.Event{Kind: input.KindText, Text: "A"})
		r.Expect(t,
			keyPress(kcShiftL, symShiftL, 0), keyPress(kcA, symA, stShift),
			keyRelease(kcA, symA, stShift), keyRelease(kcShiftL, symShiftL, stShift))
	})
	t.Run("held Control let go", func(t *testing.T) {
		mustInject(t, in, keyDown(input.KeyControlLeft, input.ModControl), input.Event{Kind: input.KindText, Text: "a"})
		r.Expect(t,
			keyPress(kcControlL, symControlL, 0), keyRelease(kcControlL, symControlL, stControl),
			keyPress(kcA, syma, 0), keyRelease(kcA, syma, 0), keyPress(kcControlL, symControlL, 0))
		mustInject(t, in, keyUp(input.KeyControlLeft, 0))
		r.Expect(t, keyRelease(kcControlL, symControlL, stControl))
	})
}

func TestSecureAttention(t *testing.T) {
	_, r, in := setup(t)
	mustInject(t, in, input.Event{Kind: input.KindSecureAttention})
	r.Expect(t,
		keyPress(kcControlL, symControlL, 0),
		keyPress(kcAltL, symAltL, stControl),
		keyPress(kcDelete, symDelete, stControl|stMod1),
		keyRelease(kcDelete, symDelete, stControl|stMod1),
		keyRelease(kcAltL, symAltL, stControl|stMod1),
		keyRelease(kcControlL, symControlL, stControl))
	fence(t, in, r, 101, 100)
}

func TestReleaseAll(t *testing.T) {
	_, r, in := setup(t)
	mustInject(t, in,
		down(input.ButtonLeft), down(input.ButtonRight),
		keyDown(input.KeyShiftLeft, input.ModShift), keyDown(input.KeyA, input.ModShift))
	r.Expect(t,
		buttonPress(1, 100, 100, 0),
		buttonPress(3, 100, 100, stButton1),
		keyPress(kcShiftL, symShiftL, stButton1|stButton3),
		keyPress(kcA, symA, stShift|stButton1|stButton3))
	if err := in.ReleaseAll(); err != nil {
		t.Fatalf("ReleaseAll: %v", err)
	}
	r.Expect(t,
		keyRelease(kcA, symA, stShift|stButton1|stButton3),
		keyRelease(kcShiftL, symShiftL, stShift|stButton1|stButton3),
		buttonRelease(3, 100, 100, stButton1|stButton3),
		buttonRelease(1, 100, 100, stButton1))
	// Nothing is held any more: a second ReleaseAll and Close inject
	// nothing.
	if err := in.ReleaseAll(); err != nil {
		t.Fatalf("second ReleaseAll: %v", err)
	}
	fence(t, in, r, 101, 100)
	mustInject(t, in, down(input.ButtonMiddle))
	r.Expect(t, buttonPress(2, 101, 100, 0))
	if err := in.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	r.Expect(t, buttonRelease(2, 101, 100, stButton2))
	if err := in.Inject(move(5, 5)); !errors.Is(err, ErrClosed) {
		t.Errorf("Inject after Close: got %v; want ErrClosed", err)
	}
}

func TestInvalidEvent(t *testing.T) {
	_, r, in := setup(t)
	for _, ev := range []input.Event{
		{},
		{Kind: input.KindMove, X: 5, Y: 5, Button: input.ButtonLeft},
		{Kind: input.KindButtonDown, Button: 9},
		{Kind: input.KindText, Text: "a\x00"},
	} {
		if err := in.Inject(ev); !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("Inject(%+v): got %v; want ErrInvalidEvent", ev, err)
		}
	}
	fence(t, in, r, 101, 100)
}

// TestNoDisplay checks that New fails cleanly, without robotgo ending the
// process, when the display is missing or gone.
func TestNoDisplay(t *testing.T) {
	gone := xvfb.Start(t, xvfb.Options{})
	gone.Stop()
	for _, name := range []string{"", gone.Name, ":bogus", "/nonexistent/socket:0"} {
		in, err := New(name, nil)
		if !errors.Is(err, ErrNoDisplay) {
			t.Errorf("New(%q): got %v, %v; want ErrNoDisplay", name, in, err)
		}
	}
	// The process is alive and a real display still works.
	d := xvfb.Start(t, xvfb.Options{})
	in, err := New(d.Name, nil)
	if err != nil {
		t.Fatalf("New(%q) after the failures: %v", d.Name, err)
	}
	if _, err := New(d.Name, nil); !errors.Is(err, ErrBusy) {
		t.Errorf("second New: got %v; want ErrBusy", err)
	}
	if err := in.Close(); err != nil {
		t.Fatal(err)
	}
	if err := in.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func xrandr(t *testing.T, d *xvfb.Display, args ...string) {
	t.Helper()
	cmd := exec.Command("xrandr", args...)
	cmd.Env = d.Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xrandr %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// heads returns the display's Xinerama heads as "WxH+X+Y", space separated.
func heads(t *testing.T, d *xvfb.Display) string {
	t.Helper()
	c, err := xgb.NewConnDisplay(d.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := xinerama.Init(c); err != nil {
		t.Fatal(err)
	}
	r, err := xinerama.QueryScreens(c).Reply()
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, h := range r.ScreenInfo {
		s = append(s, fmt.Sprintf("%dx%d+%d+%d", h.Width, h.Height, h.XOrg, h.YOrg))
	}
	return strings.Join(s, " ")
}

// TestScreenResize checks that the desktop's edge follows a resolution
// change made while the injector is open.
func TestScreenResize(t *testing.T) {
	d, r, in := setup(t)
	xrandr(t, d, "--newmode", "small", "60", "1024", "1032", "1040", "1048", "768", "770", "772", "774")
	xrandr(t, d, "--addmode", "screen", "small")
	xrandr(t, d, "--output", "screen", "--mode", "small")
	// The injector learns the new size from an event its reader handles
	// on its own; wait for it (the minute is a guard against hanging).
	deadline := time.Now().Add(time.Minute)
	for {
		err := in.Inject(move(1100, 10))
		if errors.Is(err, ErrOutOfScreen) {
			break
		}
		if err != nil {
			t.Fatalf("move to 1100,10: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatal("moves beyond the shrunk screen are still accepted")
		}
		time.Sleep(10 * time.Millisecond)
	}
	drainTo(t, in, r)
	mustInject(t, in, move(1023, 767))
	r.Expect(t, motion(1023, 767, 0))
}

func benchInjector(b *testing.B) *Injector {
	b.Helper()
	d := xvfb.Start(b, xvfb.Options{})
	in, err := New(d.Name, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = in.Close() })
	return in
}

func BenchmarkMove(b *testing.B) {
	in := benchInjector(b)
	i := int32(0)
	for b.Loop() {
		i = (i + 1) % 800
		if err := in.Inject(move(i, i)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKeyPressRelease(b *testing.B) {
	in := benchInjector(b)
	for b.Loop() {
		if err := in.Inject(keyDown(input.KeyA, 0)); err != nil {
			b.Fatal(err)
		}
		if err := in.Inject(keyUp(input.KeyA, 0)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkText types a character outside the keymap each time, on a
// keycode assigned once.
func BenchmarkText(b *testing.B) {
	in := benchInjector(b)
	for b.Loop() {
		if err := in.Inject(input.Event{Kind: input.KindText, Text: "中"}); err != nil {
			b.Fatal(err)
		}
	}
}
