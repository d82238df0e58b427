package hotkey_test

import (
	"errors"
	"os/exec"
	"testing"
	"time"

	"github.com/tandemhq/tandem/input/hotkey"
	"github.com/tandemhq/tandem/internal/xrecorder"
	"github.com/tandemhq/tandem/internal/xvfb"
)

// press types keys on the display as a keyboard would (XTest).
func press(t *testing.T, d *xvfb.Display, keys ...string) {
	t.Helper()
	cmd := exec.Command("xdotool", append([]string{"key"}, keys...)...)
	cmd.Env = d.Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool key %v: %v\n%s", keys, err, out)
	}
}

// TestTakeBackCombination: the combination reaches the program that
// registered it, also under Caps Lock, and not the window with the focus;
// a second program cannot take it; after Close it is free again.
func TestTakeBackCombination(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 640, Height: 480}}})
	rec := xrecorder.Start(t, d.Name)
	presses := make(chan struct{}, 8)
	h, err := hotkey.Register(d.Name, func() { presses <- struct{}{} }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()

	wait := func(what string) {
		t.Helper()
		select {
		case <-presses:
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: the combination never arrived", what)
		}
	}
	press(t, d, "ctrl+alt+shift+t")
	wait("plain")
	press(t, d, "Caps_Lock", "ctrl+alt+shift+t", "Caps_Lock")
	wait("under Caps Lock")

	// The focused window saw no T (the grab took it), only the keys after.
	press(t, d, "x")
	for {
		ev := rec.Next(t)
		if ev.Kind != xrecorder.KindKeyPress {
			continue
		}
		if ev.Keysym == 'x' {
			break
		}
		if ev.Keysym == 't' || ev.Keysym == 'T' {
			t.Errorf("the focused window received %+v", ev)
		}
	}
	select {
	case <-presses:
		t.Error("a plain x counted as the combination")
	default:
	}

	if _, err := hotkey.Register(d.Name, func() {}, nil); !errors.Is(err, hotkey.ErrTaken) {
		t.Errorf("a second Register: %v; want ErrTaken", err)
	}
	h.Close()
	h.Close()
	h2, err := hotkey.Register(d.Name, func() { presses <- struct{}{} }, nil)
	if err != nil {
		t.Fatalf("Register after Close: %v", err)
	}
	defer h2.Close()
	press(t, d, "ctrl+alt+shift+t")
	wait("after a new Register")
}

func TestRegisterWithoutDisplay(t *testing.T) {
	if _, err := hotkey.Register(":987", func() {}, nil); !errors.Is(err, hotkey.ErrNoDisplay) {
		t.Errorf("Register on a display that is not there: %v; want ErrNoDisplay", err)
	}
}
