//go:build linux && cgo

package inject

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/tandemhq/tandem/input"
	"github.com/tandemhq/tandem/internal/xrecorder"
	"github.com/tandemhq/tandem/internal/xvfb"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		// Close must have waited for every goroutine of the injectors.
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left behind:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// fence moves the pointer to (x, y) and expects that motion as the very
// next event, which proves nothing else arrived before it.
func fence(t *testing.T, in *Injector, r *xrecorder.Recorder, x, y int16) {
	t.Helper()
	mustInject(t, in, input.Event{Kind: input.KindMove, X: int32(x), Y: int32(y)})
	if got, want := r.Next(t), xrecorder.Motion(x, y, 0); got != want {
		t.Fatalf("event before the fence at %d,%d: %v; want the fence %v", x, y, got, want)
	}
}

func mustInject(t *testing.T, in *Injector, evs ...input.Event) {
	t.Helper()
	for _, ev := range evs {
		if err := in.Inject(ev); err != nil {
			t.Fatalf("Inject(%v): %v", ev, err)
		}
	}
}

// setup starts a display with the given screens, a recorder on it and an
// injector for it, and moves the pointer to (100, 100).
func setup(t *testing.T, screens ...xvfb.Screen) (*xvfb.Display, *xrecorder.Recorder, *Injector) {
	t.Helper()
	if len(screens) == 0 {
		screens = []xvfb.Screen{{Width: 1280, Height: 800}}
	}
	d := xvfb.Start(t, xvfb.Options{Screens: screens})
	r := xrecorder.Start(t, d.Name)
	in, err := New(d.Name, nil)
	if err != nil {
		t.Fatalf("New(%q): %v", d.Name, err)
	}
	t.Cleanup(func() {
		if err := in.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	fence(t, in, r, 100, 100)
	return d, r, in
}
