package xrecorder

import (
	"testing"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"

	"github.com/tandemhq/tandem/internal/xvfb"
)

// TestRecordsXTestInput fakes input through XTest from another client and
// reads it back in order, with the state each event carries.
func TestRecordsXTestInput(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 640, Height: 480}}})
	r := Start(t, d.Name)
	if r.Width != 640 || r.Height != 480 {
		t.Errorf("recorder covers %dx%d; want 640x480", r.Width, r.Height)
	}
	c, err := xgb.NewConnDisplay(d.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := xtest.Init(c); err != nil {
		t.Fatal(err)
	}
	root := xproto.Setup(c).DefaultScreen(c).Root
	fake := func(typ byte, detail byte, x, y int16) {
		t.Helper()
		if err := xtest.FakeInputChecked(c, typ, detail, 0, root, x, y, 0).Check(); err != nil {
			t.Fatal(err)
		}
	}
	fake(xproto.MotionNotify, 0, 10, 20)
	fake(xproto.ButtonPress, 1, 0, 0)
	fake(xproto.ButtonRelease, 1, 0, 0)
	fake(xproto.KeyPress, 50, 0, 0) // Shift_L
	fake(xproto.KeyPress, 38, 0, 0) // a
	fake(xproto.KeyRelease, 38, 0, 0)
	fake(xproto.KeyRelease, 50, 0, 0)
	r.Expect(t,
		Motion(10, 20, 0),
		ButtonPress(1, 10, 20, 0),
		ButtonRelease(1, 10, 20, 0x100),
		KeyPress(50, 0xffe1, 10, 20, 0),
		KeyPress(38, 0x41, 10, 20, 1),
		KeyRelease(38, 0x41, 10, 20, 1),
		KeyRelease(50, 0xffe1, 10, 20, 1),
	)
	fake(xproto.MotionNotify, 0, 30, 30)
	fake(xproto.MotionNotify, 0, 40, 40)
	if skipped := r.SkipTo(t, Motion(40, 40, 0)); len(skipped) != 1 || skipped[0] != Motion(30, 30, 0) {
		t.Errorf("SkipTo skipped %v; want [%v]", skipped, Motion(30, 30, 0))
	}
	r.Close()
	r.Close() // idempotent
}

func TestKindString(t *testing.T) {
	tests := map[Kind]string{KindUnknown: "Unknown", KindMotion: "MotionNotify", KindKeyRelease: "KeyRelease", Kind(42): "Kind(42)"}
	for k, want := range tests {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q; want %q", int(k), got, want)
		}
	}
}
