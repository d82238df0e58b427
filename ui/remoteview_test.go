package ui

import (
	"image"
	"image/color"
	"image/draw"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/tandemhq/tandem/input"
)

// BT.601 limited-range colours as package capture converts them.
var (
	yuvRed   = [3]uint8{82, 90, 240}
	yuvBlue  = [3]uint8{41, 240, 110}
	yuvWhite = [3]uint8{235, 128, 128}
)

// solidFrame returns a 4:2:0 frame of w×h whose left half has colour left
// and right half colour right.
func solidFrame(w, h int, left, right [3]uint8) *image.YCbCr {
	f := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for y := range h {
		for x := range w {
			c := left
			if x >= w/2 {
				c = right
			}
			f.Y[f.YOffset(x, y)] = c[0]
			f.Cb[f.COffset(x, y)] = c[1]
			f.Cr[f.COffset(x, y)] = c[2]
		}
	}
	return f
}

// redBlue1080 is the 1920x1080 frame most tests show: red left, blue right.
// Views only read frames, so the tests share one.
var redBlue1080 = sync.OnceValue(func() *image.YCbCr { return solidFrame(1920, 1080, yuvRed, yuvBlue) })

// recorder collects the events a view emits.
type recorder struct{ evs []input.Event }

func (r *recorder) add(ev input.Event) { r.evs = append(r.evs, ev) }

// take returns the events so far and forgets them.
func (r *recorder) take() []input.Event {
	evs := r.evs
	r.evs = nil
	return evs
}

// newTestView returns a view of w×h showing a 1920x1080 frame, with control
// on, in a test window.
func newTestView(t *testing.T, w, h float32) (*RemoteView, *recorder, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	rec := &recorder{}
	v := NewRemoteView(rec.add)
	win := test.NewTempWindow(t, v)
	win.SetPadded(false)
	win.Resize(fyne.NewSize(w, h))
	if got := v.Size(); got != fyne.NewSize(w, h) {
		t.Fatalf("view size %v; want %vx%v", got, w, h)
	}
	v.SetFrame(redBlue1080())
	if got := v.FrameSize(); got != image.Pt(1920, 1080) {
		t.Fatalf("frame size %v after SetFrame; want 1920x1080", got)
	}
	v.SetControl(true)
	return v, rec, win
}

func mouse(x, y float32, b desktop.MouseButton) *desktop.MouseEvent {
	ev := &desktop.MouseEvent{Button: b}
	ev.Position = fyne.NewPos(x, y)
	return ev
}

func move(x, y int32) input.Event { return input.Event{Kind: input.KindMove, X: x, Y: y} }

func keyDown(k input.Key, m input.Mods) input.Event {
	return input.Event{Kind: input.KindKeyDown, Key: k, Mods: m}
}

func keyUp(k input.Key, m input.Mods) input.Event {
	return input.Event{Kind: input.KindKeyUp, Key: k, Mods: m}
}

func text(s string) input.Event { return input.Event{Kind: input.KindText, Text: s} }

func button(k input.Kind, b input.Button) input.Event { return input.Event{Kind: k, Button: b} }

func checkEvents(t *testing.T, what string, got, want []input.Event) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %v; want %v", what, got, want)
	}
}

func TestScaleModeString(t *testing.T) {
	for m, want := range map[ScaleMode]string{ScaleUnknown: "unknown", ScaleFit: "fit", ScaleActual: "actual", 9: "unknown"} {
		if got := m.String(); got != want {
			t.Errorf("ScaleMode(%d).String() = %q; want %q", int(m), got, want)
		}
		if b, _ := m.MarshalText(); string(b) != want {
			t.Errorf("ScaleMode(%d).MarshalText() = %q; want %q", int(m), b, want)
		}
	}
}

// TestRemoteViewMapsPointer checks moves through letterboxing, 1:1 and
// monitor offsets: a 1920x1080 frame in a 960x600 view is scaled by 0.5 to
// 960x540 with 30-unit bars above and below.
func TestRemoteViewMapsPointer(t *testing.T) {
	type pt struct{ x, y float32 }
	tests := []struct {
		name   string
		mode   ScaleMode
		origin image.Point
		at     pt
		want   []input.Event
	}{
		{"fit centre", ScaleFit, image.Point{}, pt{480, 300}, []input.Event{move(960, 540)}},
		{"fit top-left pixel", ScaleFit, image.Point{}, pt{0, 30}, []input.Event{move(0, 0)}},
		{"fit inside first pixel", ScaleFit, image.Point{}, pt{0.4, 30.4}, []input.Event{move(0, 0)}},
		{"fit second pixel", ScaleFit, image.Point{}, pt{0.5, 30.5}, []input.Event{move(1, 1)}},
		{"fit bottom-right pixel", ScaleFit, image.Point{}, pt{959.9, 569.9}, []input.Event{move(1919, 1079)}},
		{"fit top bar", ScaleFit, image.Point{}, pt{480, 29.9}, nil},
		{"fit bottom bar", ScaleFit, image.Point{}, pt{480, 570}, nil},
		{"fit second monitor", ScaleFit, image.Pt(1920, 0), pt{480, 300}, []input.Event{move(2880, 540)}},
		{"fit monitor left of primary", ScaleFit, image.Pt(-1920, -200), pt{0, 30}, []input.Event{move(-1920, -200)}},
		{"actual top-left", ScaleActual, image.Point{}, pt{100, 100}, []input.Event{move(100, 100)}},
		{"actual second monitor", ScaleActual, image.Pt(1920, 0), pt{100.7, 200.2}, []input.Event{move(2020, 200)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, rec, _ := newTestView(t, 960, 600)
			v.SetScale(tt.mode)
			v.SetOrigin(tt.origin)
			v.MouseMoved(mouse(tt.at.x, tt.at.y, 0))
			checkEvents(t, "move", rec.take(), tt.want)
		})
	}
}

func TestRemoteViewActualPansAndCentres(t *testing.T) {
	v, rec, _ := newTestView(t, 960, 600)
	v.SetScale(ScaleActual)
	v.MouseMoved(mouse(950, 590, 0)) // in the bottom-right pan band
	checkEvents(t, "move in band", rec.take(), []input.Event{move(950, 590)})
	pan := v.Pan()
	if pan.X <= 0 || pan.Y <= 0 {
		t.Fatalf("pan %v after a move into the bottom-right band; want both positive", pan)
	}
	v.MouseMoved(mouse(500, 300, 0))
	checkEvents(t, "move after pan", rec.take(), []input.Event{move(int32(500+pan.X), int32(300+pan.Y))})
	for range 200 { // pan as far as it goes
		v.MouseMoved(mouse(959, 599, 0))
	}
	if got, want := v.Pan(), image.Pt(1920-960, 1080-600); got != want {
		t.Errorf("pan at the far corner %v; want %v", got, want)
	}
	evs := rec.take()
	checkEvents(t, "far corner", evs[len(evs)-1:], []input.Event{move(1919, 1079)})

	// A frame smaller than the view is centred: 640x480 in 960x600.
	v.SetFrame(solidFrame(640, 480, yuvRed, yuvRed))
	v.MouseMoved(mouse(160, 60, 0))
	v.MouseMoved(mouse(100, 100, 0))
	v.MouseMoved(mouse(799.5, 539.5, 0))
	checkEvents(t, "small frame", rec.take(), []input.Event{move(0, 0), move(639, 479)})
	if got := v.Pan(); got != (image.Point{}) {
		t.Errorf("pan %v with a frame smaller than the view; want 0,0", got)
	}
}

func TestRemoteViewButtons(t *testing.T) {
	v, rec, _ := newTestView(t, 960, 600)
	for _, tt := range []struct {
		fyne desktop.MouseButton
		want input.Button
	}{
		{desktop.MouseButtonPrimary, input.ButtonLeft},
		{desktop.MouseButtonSecondary, input.ButtonRight},
		{desktop.MouseButtonTertiary, input.ButtonMiddle},
	} {
		v.MouseDown(mouse(480, 300, tt.fyne))
		v.MouseUp(mouse(480, 300, tt.fyne))
	}
	checkEvents(t, "three buttons", rec.take(), []input.Event{
		move(960, 540),
		button(input.KindButtonDown, input.ButtonLeft), button(input.KindButtonUp, input.ButtonLeft),
		button(input.KindButtonDown, input.ButtonRight), button(input.KindButtonUp, input.ButtonRight),
		button(input.KindButtonDown, input.ButtonMiddle), button(input.KindButtonUp, input.ButtonMiddle),
	})

	v.MouseDown(mouse(480, 10, desktop.MouseButtonPrimary)) // on the bar
	v.MouseUp(mouse(480, 10, desktop.MouseButtonPrimary))
	v.MouseUp(mouse(480, 300, desktop.MouseButtonSecondary)) // never pressed
	checkEvents(t, "clicks on the bar", rec.take(), nil)

	// A double-click is two pairs; Fyne's Tapped adds nothing, and the view
	// is not DoubleTappable (which would also delay Tapped).
	v.MouseDown(mouse(10, 40, desktop.MouseButtonPrimary))
	v.MouseUp(mouse(10, 40, desktop.MouseButtonPrimary))
	v.Tapped(&fyne.PointEvent{Position: fyne.NewPos(10, 40)})
	v.MouseDown(mouse(10, 40, desktop.MouseButtonPrimary))
	v.MouseUp(mouse(10, 40, desktop.MouseButtonPrimary))
	v.Tapped(&fyne.PointEvent{Position: fyne.NewPos(10, 40)})
	checkEvents(t, "double-click", rec.take(), []input.Event{
		move(20, 20),
		button(input.KindButtonDown, input.ButtonLeft), button(input.KindButtonUp, input.ButtonLeft),
		button(input.KindButtonDown, input.ButtonLeft), button(input.KindButtonUp, input.ButtonLeft),
	})
	if _, ok := any(v).(fyne.DoubleTappable); ok {
		t.Error("RemoteView is DoubleTappable; a double-click must stay two clicks")
	}
}

func TestRemoteViewFocusesOnClick(t *testing.T) {
	v, _, win := newTestView(t, 960, 600)
	v.MouseDown(mouse(480, 300, desktop.MouseButtonPrimary))
	if got := win.Canvas().Focused(); got != v {
		t.Errorf("focused %v after a click; want the view", got)
	}
	win.Canvas().Unfocus()
	v.Tapped(&fyne.PointEvent{Position: fyne.NewPos(480, 300)})
	if got := win.Canvas().Focused(); got != v {
		t.Errorf("focused %v after Tapped; want the view", got)
	}
	v.SetControl(false)
	if got := win.Canvas().Focused(); got != nil {
		t.Errorf("focused %v after control ended; want nothing", got)
	}
	v.MouseDown(mouse(480, 300, desktop.MouseButtonPrimary))
	v.Tapped(&fyne.PointEvent{Position: fyne.NewPos(480, 300)})
	if got := win.Canvas().Focused(); got != nil {
		t.Errorf("view-only view took the focus on a click")
	}
}

func TestRemoteViewDrag(t *testing.T) {
	v, rec, _ := newTestView(t, 960, 600)
	v.MouseDown(mouse(100, 100, desktop.MouseButtonPrimary))
	drag := func(x, y float32) {
		ev := &fyne.DragEvent{}
		ev.Position = fyne.NewPos(x, y)
		v.Dragged(ev)
	}
	drag(200, 150)
	drag(2000, -50) // far outside: held at the top-right corner
	v.MouseUp(mouse(2000, -50, desktop.MouseButtonPrimary))
	v.DragEnd()
	checkEvents(t, "drag", rec.take(), []input.Event{
		move(200, 140),
		button(input.KindButtonDown, input.ButtonLeft),
		move(400, 240),
		move(1919, 0),
		button(input.KindButtonUp, input.ButtonLeft),
	})
	drag(300, 300) // no button held
	checkEvents(t, "drag without a button", rec.take(), nil)
}

func TestRemoteViewWheel(t *testing.T) {
	v, rec, _ := newTestView(t, 960, 600)
	scroll := func(x, y, dx, dy float32) {
		ev := &fyne.ScrollEvent{Scrolled: fyne.NewDelta(dx, dy)}
		ev.Position = fyne.NewPos(x, y)
		v.Scrolled(ev)
	}
	scroll(480, 300, 0, -wheelUnit)  // one notch down
	scroll(480, 300, 0, 2*wheelUnit) // two notches up
	scroll(480, 300, -wheelUnit, 0)  // one notch right
	scroll(480, 300, wheelUnit, 0)   // one notch left
	scroll(480, 10, 0, -wheelUnit)   // on the bar: no move
	for range 3 {                    // a touchpad's small deltas add up
		scroll(480, 300, 0, -wheelUnit*0.4)
	}
	scroll(480, 300, 0, -1000*wheelUnit) // capped
	checkEvents(t, "wheel", rec.take(), []input.Event{
		move(960, 540),
		{Kind: input.KindWheel, DY: 1},
		{Kind: input.KindWheel, DY: -2},
		{Kind: input.KindWheel, DX: 1},
		{Kind: input.KindWheel, DX: -1},
		{Kind: input.KindWheel, DY: 1},
		{Kind: input.KindWheel, DY: 1},
		{Kind: input.KindWheel, DY: input.MaxWheelSteps},
	})
}

// TestRemoteViewThroughTestCanvas drives the view as Fyne's test helpers
// do, through the window's canvas, with the view placed below a 40-unit
// bar so that canvas and view coordinates differ.
func TestRemoteViewThroughTestCanvas(t *testing.T) {
	test.NewTempApp(t)
	rec := &recorder{}
	v := NewRemoteView(rec.add)
	bar := canvas.NewRectangle(color.White)
	bar.Resize(fyne.NewSize(960, 40))
	v.Move(fyne.NewPos(0, 40))
	v.Resize(fyne.NewSize(960, 600))
	win := test.NewTempWindow(t, container.NewWithoutLayout(bar, v))
	win.SetPadded(false)
	win.Resize(fyne.NewSize(960, 640))
	v.SetFrame(redBlue1080())
	v.SetOrigin(image.Pt(1920, 0))
	v.SetControl(true)
	c := win.Canvas()

	test.MoveMouse(c, fyne.NewPos(480, 340)) // the view's 480,300
	test.MoveMouse(c, fyne.NewPos(480, 50))  // on the view's top bar
	test.Drag(c, fyne.NewPos(100, 140), 10, 10)
	test.Scroll(c, fyne.NewPos(480, 340), 0, -wheelUnit)
	test.Tap(v)
	test.Type(v, "héllo")
	checkEvents(t, "test canvas", rec.take(), []input.Event{
		move(1920+960, 540),
		// test.Drag presses no button: nothing to drag.
		{Kind: input.KindWheel, DY: 1}, // test.Scroll gives no position
		text("h"), text("é"), text("l"), text("l"), text("o"),
	})
}

func TestRemoteViewKeys(t *testing.T) {
	name := func(n fyne.KeyName) *fyne.KeyEvent { return &fyne.KeyEvent{Name: n} }
	tests := []struct {
		name  string
		press func(v *RemoteView)
		want  []input.Event
	}{
		{"shifted letter is text", func(v *RemoteView) {
			v.KeyDown(name(desktop.KeyShiftLeft))
			v.KeyDown(name(fyne.KeyA))
			v.TypedRune('A')
			v.KeyUp(name(fyne.KeyA))
			v.KeyUp(name(desktop.KeyShiftLeft))
		}, []input.Event{keyDown(input.KeyShiftLeft, input.ModShift), text("A"), keyUp(input.KeyShiftLeft, 0)}},
		{"control letter is a key", func(v *RemoteView) {
			v.KeyDown(name(desktop.KeyControlRight))
			v.KeyDown(name(fyne.KeyC))
			v.TypedRune('c') // some systems still report the character
			v.KeyUp(name(fyne.KeyC))
			v.KeyUp(name(desktop.KeyControlRight))
		}, []input.Event{
			keyDown(input.KeyControlRight, input.ModControl), keyDown(input.KeyC, input.ModControl),
			keyUp(input.KeyC, input.ModControl), keyUp(input.KeyControlRight, 0),
		}},
		{"control shift", func(v *RemoteView) {
			v.KeyDown(name(desktop.KeyControlLeft))
			v.KeyDown(name(desktop.KeyShiftLeft))
			v.KeyDown(name(fyne.KeyT))
			v.KeyUp(name(fyne.KeyT))
			v.KeyUp(name(desktop.KeyControlLeft))
			v.KeyUp(name(desktop.KeyShiftLeft))
		}, []input.Event{
			keyDown(input.KeyControlLeft, input.ModControl),
			keyDown(input.KeyShiftLeft, input.ModControl|input.ModShift),
			keyDown(input.KeyT, input.ModControl|input.ModShift),
			keyUp(input.KeyT, input.ModControl|input.ModShift),
			keyUp(input.KeyControlLeft, input.ModShift),
			keyUp(input.KeyShiftLeft, 0),
		}},
		{"shift arrow", func(v *RemoteView) {
			v.KeyDown(name(desktop.KeyShiftRight))
			v.KeyDown(name(fyne.KeyLeft))
			v.KeyUp(name(fyne.KeyLeft))
			v.KeyUp(name(desktop.KeyShiftRight))
		}, []input.Event{
			keyDown(input.KeyShiftRight, input.ModShift), keyDown(input.KeyArrowLeft, input.ModShift),
			keyUp(input.KeyArrowLeft, input.ModShift), keyUp(input.KeyShiftRight, 0),
		}},
		{"enter tab backspace escape F5", func(v *RemoteView) {
			for _, n := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyTab, fyne.KeyBackspace, fyne.KeyEscape, fyne.KeyF5} {
				v.KeyDown(name(n))
				v.KeyUp(name(n))
			}
		}, []input.Event{
			keyDown(input.KeyEnter, 0), keyUp(input.KeyEnter, 0),
			keyDown(input.KeyTab, 0), keyUp(input.KeyTab, 0),
			keyDown(input.KeyBackspace, 0), keyUp(input.KeyBackspace, 0),
			keyDown(input.KeyEscape, 0), keyUp(input.KeyEscape, 0),
			keyDown(input.KeyF5, 0), keyUp(input.KeyF5, 0),
		}},
		{"alt F4", func(v *RemoteView) {
			v.KeyDown(name(desktop.KeyAltLeft))
			v.KeyDown(name(fyne.KeyF4))
			v.KeyUp(name(fyne.KeyF4))
			v.KeyUp(name(desktop.KeyAltLeft))
		}, []input.Event{
			keyDown(input.KeyAltLeft, input.ModAlt), keyDown(input.KeyF4, input.ModAlt),
			keyUp(input.KeyF4, input.ModAlt), keyUp(input.KeyAltLeft, 0),
		}},
		{"AltGr character is text", func(v *RemoteView) {
			v.KeyDown(name(desktop.KeyAltRight))
			v.KeyDown(name(fyne.KeyQ))
			v.TypedRune('@')
			v.KeyUp(name(fyne.KeyQ))
			v.KeyUp(name(desktop.KeyAltRight))
		}, []input.Event{
			keyDown(input.KeyAltRight, input.ModAlt|input.ModAltGraph), text("@"), keyUp(input.KeyAltRight, 0),
		}},
		{"layout characters", func(v *RemoteView) {
			for _, r := range "éß中 1" {
				v.KeyDown(&fyne.KeyEvent{}) // keys Fyne cannot name
				v.TypedRune(r)
				v.KeyUp(&fyne.KeyEvent{})
			}
		}, []input.Event{text("é"), text("ß"), text("中"), text(" "), text("1")}},
		{"caps lock stays local", func(v *RemoteView) {
			v.KeyDown(name(desktop.KeyCapsLock))
			v.KeyUp(name(desktop.KeyCapsLock))
		}, nil},
		{"numpad key with num lock", func(v *RemoteView) {
			kp1 := &fyne.KeyEvent{Name: fyne.Key1, Physical: fyne.HardwareKey{ScanCode: 79 + 8}}
			v.KeyDown(kp1)
			v.TypedRune('1')
			v.KeyUp(kp1)
		}, numpadWant()},
		{"control rune dropped", func(v *RemoteView) { v.TypedRune('\x01') }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, rec, _ := newTestView(t, 960, 600)
			tt.press(v)
			checkEvents(t, "keys", rec.take(), tt.want)
		})
	}
}

// numpadWant is what the numpad's 1 sends: on Linux its scan code names
// Numpad1, sent as a key whose character is dropped; elsewhere Fyne's name
// "1" makes it the digit, typed as text.
func numpadWant() []input.Event {
	if physicalKey(&fyne.KeyEvent{Physical: fyne.HardwareKey{ScanCode: 79 + 8}}, "linux") != input.KeyNumpad1 {
		panic("scan code table lost Numpad1")
	}
	if physicalKey(&fyne.KeyEvent{Name: fyne.Key1, Physical: fyne.HardwareKey{ScanCode: 79 + 8}}, runtime.GOOS) == input.KeyNumpad1 {
		return []input.Event{keyDown(input.KeyNumpad1, 0), keyUp(input.KeyNumpad1, 0)}
	}
	return []input.Event{text("1")}
}

func TestPhysicalKey(t *testing.T) {
	tests := []struct {
		name string
		ev   fyne.KeyEvent
		goos string
		want input.Key
	}{
		{"letter by name", fyne.KeyEvent{Name: fyne.KeyA}, "windows", input.KeyA},
		{"AZERTY A is KeyQ by scan code", fyne.KeyEvent{Name: fyne.KeyA, Physical: fyne.HardwareKey{ScanCode: 24}}, "linux", input.KeyQ},
		{"unknown scan code falls back to the name", fyne.KeyEvent{Name: fyne.KeyF1, Physical: fyne.HardwareKey{ScanCode: 250}}, "linux", input.KeyF1},
		{"scan codes only on linux", fyne.KeyEvent{Name: fyne.KeyB, Physical: fyne.HardwareKey{ScanCode: 24}}, "darwin", input.KeyB},
		{"F13 by scan code", fyne.KeyEvent{Physical: fyne.HardwareKey{ScanCode: 183 + 8}}, "linux", input.KeyF13},
		{"ISO key left of Z", fyne.KeyEvent{Physical: fyne.HardwareKey{ScanCode: 86 + 8}}, "linux", input.KeyIntlBackslash},
		{"return", fyne.KeyEvent{Name: fyne.KeyReturn}, "windows", input.KeyEnter},
		{"keypad enter", fyne.KeyEvent{Name: fyne.KeyEnter}, "windows", input.KeyNumpadEnter},
		{"page down", fyne.KeyEvent{Name: fyne.KeyPageDown}, "windows", input.KeyPageDown},
		{"super", fyne.KeyEvent{Name: desktop.KeySuperLeft}, "windows", input.KeyMetaLeft},
		{"backtick", fyne.KeyEvent{Name: fyne.KeyBackTick}, "windows", input.KeyBackquote},
		{"nameless", fyne.KeyEvent{}, "windows", input.KeyUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := physicalKey(&tt.ev, tt.goos); got != tt.want {
				t.Errorf("physicalKey(%+v, %s) = %v; want %v", tt.ev, tt.goos, got, tt.want)
			}
		})
	}
	for code, k := range keyByEvdev {
		if !k.Valid() {
			t.Errorf("evdev %d maps to invalid key %v", code, k)
		}
	}
	for n, k := range keyByName {
		if !k.Valid() {
			t.Errorf("key name %q maps to invalid key %v", n, k)
		}
	}
}

func TestRemoteViewControlOff(t *testing.T) {
	v, rec, _ := newTestView(t, 960, 600)
	v.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft}) // held when control ends
	v.MouseDown(mouse(480, 300, desktop.MouseButtonPrimary))
	rec.take()
	v.SetControl(false)
	if v.AcceptsTab() {
		t.Error("view-only view keeps Tab from moving the focus")
	}
	v.MouseMoved(mouse(100, 100, 0))
	v.MouseUp(mouse(100, 100, desktop.MouseButtonPrimary))
	v.MouseDown(mouse(100, 100, desktop.MouseButtonSecondary))
	v.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, wheelUnit)})
	v.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	v.KeyDown(&fyne.KeyEvent{Name: fyne.KeyReturn})
	v.TypedRune('é')
	v.SendCtrlAltDel()
	v.TypeText("secret")
	v.FocusLost()
	checkEvents(t, "view only", rec.take(), nil)

	// Back in control, nothing is thought held from before.
	v.SetControl(true)
	v.KeyUp(&fyne.KeyEvent{Name: fyne.KeyReturn})
	v.MouseUp(mouse(100, 100, desktop.MouseButtonSecondary))
	checkEvents(t, "releases of presses made view-only", rec.take(), nil)
}

func TestRemoteViewActions(t *testing.T) {
	v, rec, _ := newTestView(t, 960, 600)
	v.SendCtrlAltDel()
	checkEvents(t, "Ctrl-Alt-Del", rec.take(), []input.Event{{Kind: input.KindSecureAttention}})

	v.TypeText("Grüße, 中文\r\n\x00ok")
	checkEvents(t, "type text", rec.take(), []input.Event{text("Grüße, 中文\r\nok")})

	long := strings.Repeat("ab", input.MaxTextLen)
	v.TypeText(long)
	evs := rec.take()
	var joined strings.Builder
	for _, ev := range evs {
		if err := ev.Validate(); err != nil {
			t.Errorf("TypeText sent an invalid event: %v", err)
		}
		joined.WriteString(ev.Text)
	}
	if len(evs) != 2 || joined.String() != long {
		t.Errorf("long text: got %d events, %d bytes; want 2 events, %d bytes", len(evs), joined.Len(), len(long))
	}
}

func TestRemoteViewFocusLostReleases(t *testing.T) {
	v, rec, _ := newTestView(t, 960, 600)
	v.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	v.KeyDown(&fyne.KeyEvent{Name: desktop.KeyControlLeft})
	v.KeyDown(&fyne.KeyEvent{Name: fyne.KeyLeft})
	v.KeyDown(&fyne.KeyEvent{Name: fyne.KeyX}) // sent as a key: Control is held
	v.MouseDown(mouse(480, 300, desktop.MouseButtonPrimary))
	rec.take()
	v.FocusLost()
	checkEvents(t, "focus lost", rec.take(), []input.Event{
		keyUp(input.KeyX, input.ModShift|input.ModControl),
		keyUp(input.KeyArrowLeft, input.ModShift|input.ModControl),
		keyUp(input.KeyControlLeft, input.ModShift),
		keyUp(input.KeyShiftLeft, 0),
		button(input.KindButtonUp, input.ButtonLeft),
	})
	v.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	v.MouseUp(mouse(480, 300, desktop.MouseButtonPrimary))
	checkEvents(t, "releases after focus lost", rec.take(), nil)
}

// near reports whether c is within 3 of want on each channel.
func near(c color.Color, want color.NRGBA) bool {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	d := func(a, b uint8) bool { return int(a)-int(b) <= 3 && int(b)-int(a) <= 3 }
	return d(n.R, want.R) && d(n.G, want.G) && d(n.B, want.B)
}

func TestRemoteViewDraws(t *testing.T) {
	v, _, win := newTestView(t, 960, 600)
	red, blue, black := color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 0, 255, 255}, color.NRGBA{0, 0, 0, 255}
	green := color.NRGBA{0, 255, 0, 255}
	pixel := func(img image.Image, x, y int) color.Color { return img.At(x, y) }

	img := win.Canvas().Capture()
	for _, c := range []struct {
		x, y int
		want color.NRGBA
		what string
	}{
		{240, 300, red, "left half"},
		{720, 300, blue, "right half"},
		{480, 10, black, "top bar"},
		{480, 590, black, "bottom bar"},
	} {
		if got := pixel(img, c.x, c.y); !near(got, c.want) {
			t.Errorf("%s at %d,%d: got %v; want %v", c.what, c.x, c.y, got, c.want)
		}
	}

	// An 8x8 green cursor with its hotspot in its corner, at the frame's
	// centre: drawn from view point 480,300, scaled by 0.75 (the least the
	// view scales a cursor) to 6x6.
	shape := image.NewRGBA(image.Rect(0, 0, 8, 8))
	draw.Draw(shape, shape.Rect, image.NewUniform(green), image.Point{}, draw.Src)
	v.SetCursorShape(shape, image.Pt(0, 0))
	v.SetCursor(image.Pt(960, 540), true)
	img = win.Canvas().Capture()
	if got := pixel(img, 482, 302); !near(got, green) {
		t.Errorf("cursor at 482,302: got %v; want green", got)
	}
	if got := pixel(img, 478, 298); !near(got, red) {
		t.Errorf("left of and above the cursor at 478,298: got %v; want red", got)
	}
	v.SetCursor(image.Pt(960, 540), false)
	if got := pixel(win.Canvas().Capture(), 482, 302); !near(got, blue) {
		t.Errorf("hidden cursor at 482,302: got %v; want the picture's blue", got)
	}

	// The default arrow: its tip at frame 100,100 is view 50,80.
	v.SetCursorShape(nil, image.Point{})
	v.SetCursor(image.Pt(100, 100), true)
	img = win.Canvas().Capture()
	if got := pixel(img, 51, 84); near(got, red) {
		t.Errorf("default arrow at 51,84: got the picture's red; want the arrow")
	}

	// The stats overlay darkens its corner of the picture.
	v.SetStats("30 fps  2.1 Mbit/s\nRTT 4 ms  VP9")
	v.ShowStats(true)
	img = win.Canvas().Capture()
	if r := color.NRGBAModel.Convert(pixel(img, 8, 36)).(color.NRGBA).R; r > 140 || r < 40 {
		t.Errorf("picture under the stats overlay at 8,36 has red %d; want it dimmed to about 95", r)
	}
	var bright int
	for y := 6; y < 36; y++ {
		for x := 6; x < 200; x++ {
			if c := color.NRGBAModel.Convert(pixel(img, x, y)).(color.NRGBA); c.R > 200 && c.G > 200 && c.B > 200 {
				bright++
			}
		}
	}
	if bright == 0 {
		t.Error("no white text in the stats overlay")
	}
	v.ShowStats(false)
	if r := color.NRGBAModel.Convert(pixel(win.Canvas().Capture(), 8, 36)).(color.NRGBA).R; r < 250 {
		t.Errorf("hidden overlay still dims the picture: red %d", r)
	}

	// 1:1: the picture's top-left pixel is at the view's.
	v.SetScale(ScaleActual)
	img = win.Canvas().Capture()
	if got := pixel(img, 0, 0); !near(got, red) {
		t.Errorf("ScaleActual top-left: got %v; want red", got)
	}
	if got := pixel(img, 959, 599); !near(got, red) {
		t.Errorf("ScaleActual bottom-right of the view (frame 959,599): got %v; want red", got)
	}

	v.SetFrame(nil)
	if got := pixel(win.Canvas().Capture(), 240, 300); !near(got, black) {
		t.Errorf("after SetFrame(nil): got %v; want black", got)
	}
}

func TestYCbCrToRGBA(t *testing.T) {
	for _, tt := range []struct {
		yuv  [3]uint8
		want color.NRGBA
	}{
		{[3]uint8{16, 128, 128}, color.NRGBA{0, 0, 0, 255}},
		{yuvWhite, color.NRGBA{255, 255, 255, 255}},
		{yuvRed, color.NRGBA{255, 0, 0, 255}},
		{yuvBlue, color.NRGBA{0, 0, 255, 255}},
		{[3]uint8{0, 128, 128}, color.NRGBA{0, 0, 0, 255}},         // below black clips
		{[3]uint8{255, 128, 128}, color.NRGBA{255, 255, 255, 255}}, // beyond white clips
	} {
		dst := converted(solidFrame(4, 2, tt.yuv, tt.yuv))
		if got := dst.At(3, 1); !near(got, tt.want) {
			t.Errorf("YCbCr %v: got %v; want %v", tt.yuv, got, tt.want)
		}
	}

	// The fast path and the pixel-by-pixel one agree at an odd size, split
	// over goroutines; a frame whose rectangle starts off the origin
	// converts from its own top-left.
	w, h := 1023, 767
	f := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	seed := uint32(1)
	for _, p := range [][]uint8{f.Y, f.Cb, f.Cr} {
		for i := range p {
			seed = seed*1664525 + 1013904223
			p[i] = uint8(seed >> 24)
		}
	}
	fast, slow := converted(f), resizeRGBA(nil, w, h)
	convertAny(slow, f)
	if !slices.Equal(fast.Pix, slow.Pix) {
		t.Error("the 4:2:0 path and the generic path disagree on a 1023x767 frame")
	}
	for _, min := range []image.Point{{3, 5}, {4, 6}} { // generic and fast path
		sub := f.SubImage(image.Rectangle{Min: min, Max: min.Add(image.Pt(100, 50))}).(*image.YCbCr)
		dst := converted(sub)
		for _, p := range []image.Point{{0, 0}, {99, 49}, {50, 20}, {1, 1}} {
			if got, want := dst.At(p.X, p.Y), slow.At(p.X+min.X, p.Y+min.Y); got != want {
				t.Errorf("sub-frame at %v, pixel %v: got %v; want %v", min, p, got, want)
			}
		}
	}
}

// converted returns f converted by a new frame buffer.
func converted(f *image.YCbCr) *image.RGBA {
	b := &frameBuf{}
	b.convert(f)
	return b.rgba
}

// noiseFrame returns a w×h 4:2:0 frame of pseudo-random samples.
func noiseFrame(w, h int, seed uint32) *image.YCbCr {
	f := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for _, p := range [][]uint8{f.Y, f.Cb, f.Cr} {
		for i := range p {
			seed = seed*1664525 + 1013904223
			p[i] = uint8(seed >> 24)
		}
	}
	return f
}

// TestFrameBufConvertsChangedRows checks that converting into a buffer
// redoes only the rows whose samples changed, with the same result as a
// full conversion.
func TestFrameBufConvertsChangedRows(t *testing.T) {
	a := noiseFrame(1023, 767, 1)
	b := noiseFrame(1023, 767, 1)
	b.Y[b.YOffset(500, 301)]++   // rows 300 and 301 share a chroma row
	b.Cb[b.COffset(1022, 766)]++ // the last chroma row covers row 766 only
	buf := &frameBuf{}
	buf.convert(a)
	if buf.rowsCopied != 767 {
		t.Errorf("first conversion converted %d rows; want all 767", buf.rowsCopied)
	}
	buf.convert(b)
	if buf.rowsCopied != 3 {
		t.Errorf("converted %d rows after changes in rows 301 and 766; want 3", buf.rowsCopied)
	}
	if want := converted(b); !slices.Equal(buf.rgba.Pix, want.Pix) {
		t.Error("incremental conversion differs from a full one")
	}
	buf.convert(b)
	if buf.rowsCopied != 0 {
		t.Errorf("converted %d rows of an unchanged frame; want 0", buf.rowsCopied)
	}
	small := noiseFrame(64, 48, 3)
	buf.convert(small)
	if buf.rowsCopied != 48 || !slices.Equal(buf.rgba.Pix, converted(small).Pix) {
		t.Errorf("after a size change: %d rows converted, equal %v; want 48, true", buf.rowsCopied, slices.Equal(buf.rgba.Pix, converted(small).Pix))
	}
}

// TestRemoteViewCoalesces checks that frames arriving while the UI is busy
// replace each other and that buffers are reused.
func TestRemoteViewCoalesces(t *testing.T) {
	test.NewTempApp(t)
	v := NewRemoteView(nil)
	test.NewTempWindow(t, v).Resize(fyne.NewSize(320, 200))
	var queued []func()
	v.do = func(f func()) { queued = append(queued, f) }
	run := func() {
		for len(queued) > 0 {
			f := queued[0]
			queued = queued[1:]
			f()
		}
	}

	v.SetFrame(solidFrame(64, 32, yuvRed, yuvRed))
	run()
	first := v.frame
	v.SetFrame(solidFrame(64, 32, yuvBlue, yuvBlue))
	v.SetFrame(solidFrame(64, 32, yuvWhite, yuvWhite))
	if len(queued) != 1 {
		t.Fatalf("%d UI updates queued for two frames; want 1", len(queued))
	}
	run()
	if got := v.frame.rgba.At(0, 0); !near(got, color.NRGBA{255, 255, 255, 255}) {
		t.Errorf("shown pixel %v; want the newest frame's white", got)
	}
	if got := v.Dropped(); got != 1 {
		t.Errorf("Dropped() = %d; want 1", got)
	}
	v.SetFrame(solidFrame(64, 32, yuvRed, yuvRed))
	run()
	if v.frame != first {
		t.Error("the buffer freed by the second shown frame was not reused")
	}
}

// TestRemoteViewConcurrentFrames feeds frames from a decoder goroutine
// while the test goroutine plays the UI; under -race it checks that the UI
// never sees a buffer the decoder writes.
func TestRemoteViewConcurrentFrames(t *testing.T) {
	test.NewTempApp(t)
	v := NewRemoteView(nil)
	test.NewTempWindow(t, v).Resize(fyne.NewSize(320, 200))
	ui := make(chan func(), 1)
	v.do = func(f func()) { ui <- f }

	frames := make([]*image.YCbCr, 8)
	for i := range frames {
		frames[i] = solidFrame(64, 64, [3]uint8{uint8(16 + 20*i), 128, 128}, [3]uint8{uint8(16 + 20*i), 128, 128})
	}
	const n = 200
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range n {
			v.SetFrame(frames[i%len(frames)])
		}
		v.SetCursor(image.Pt(1, 1), true) // a last update to wait for
		close(ui)
	})
	shown := 0
	for f := range ui {
		f()
		if v.frame == nil {
			continue
		}
		shown++
		if a, b := v.frame.rgba.Pix[0], v.frame.rgba.Pix[len(v.frame.rgba.Pix)-4]; a != b {
			t.Errorf("torn frame: first pixel %d, last %d", a, b)
		}
	}
	wg.Wait()
	if shown == 0 {
		t.Error("no frame shown")
	}
}

// BenchmarkSetFrame1080p measures handing one decoded 1080p frame to the
// view: the conversion to RGBA and the hand-over to the UI goroutine, for
// frames that change everywhere, in a 1920x32 band (typing), or not at all.
func BenchmarkSetFrame1080p(b *testing.B) {
	test.NewTempApp(b)
	v := NewRemoteView(nil)
	test.NewTempWindow(b, v).Resize(fyne.NewSize(960, 600))
	changed := []*image.YCbCr{noiseFrame(1920, 1080, 1), noiseFrame(1920, 1080, 2), noiseFrame(1920, 1080, 3)}
	typing := make([]*image.YCbCr, 3)
	for i := range typing {
		typing[i] = noiseFrame(1920, 1080, 9)
		for y := 500; y < 532; y++ {
			typing[i].Y[typing[i].YOffset(100, y)] = uint8(i)
		}
	}
	for _, bb := range []struct {
		name   string
		frames []*image.YCbCr
	}{
		{"changed", changed},
		{"typing", typing},
		{"static", changed[:1]},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(1920 * 1080 * 4)
			i := 0
			for b.Loop() {
				v.SetFrame(bb.frames[i%len(bb.frames)])
				i++
			}
		})
	}
}

// BenchmarkConvert1080p compares the view's row converter with the
// standard library's draw.Draw of a YCbCr frame onto RGBA, on one core.
func BenchmarkConvert1080p(b *testing.B) {
	f := noiseFrame(1920, 1080, 7)
	dst := resizeRGBA(nil, 1920, 1080)
	b.Run("view", func(b *testing.B) {
		b.SetBytes(1920 * 1080 * 4)
		for b.Loop() {
			convert420Rows(dst, f, 0, 1080)
		}
	})
	b.Run("stdlib-draw", func(b *testing.B) {
		b.SetBytes(1920 * 1080 * 4)
		for b.Loop() {
			draw.Draw(dst, dst.Rect, f, image.Point{}, draw.Src)
		}
	})
}
