//go:build linux && cgo

package inject

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tandemhq/tandem/input"
	"github.com/tandemhq/tandem/internal/xvfb"
)

// recorderBin is the recorder program, built once by TestMain.
var recorderBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "inject-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	recorderBin = filepath.Join(dir, "recorder")
	out, err := exec.Command("go", "build", "-o", recorderBin, "github.com/tandemhq/tandem/input/internal/recorder").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build the recorder: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		// Close must have waited for every goroutine of the injectors.
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left behind:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// line is one event the recorder saw (see input/internal/recorder).
type line struct {
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

func (l line) String() string {
	switch l.Type {
	case "KeyPress", "KeyRelease":
		return fmt.Sprintf("%s keycode %d keysym %#x state %#x at %d,%d", l.Type, l.Keycode, l.Keysym, l.State, l.X, l.Y)
	case "ButtonPress", "ButtonRelease":
		return fmt.Sprintf("%s %d state %#x at %d,%d", l.Type, l.Button, l.State, l.X, l.Y)
	default:
		return fmt.Sprintf("%s state %#x at %d,%d", l.Type, l.State, l.X, l.Y)
	}
}

// recorder is a running recorder program on a test display.
type recorder struct {
	lines chan line
	width int
}

// startRecorder starts the recorder on d and waits until its window has the
// focus.
func startRecorder(t *testing.T, d *xvfb.Display) *recorder {
	t.Helper()
	cmd := exec.Command(recorderBin)
	cmd.Env = d.Env()
	cmd.Stderr = io.Discard
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start recorder: %v", err)
	}
	r := &recorder{lines: make(chan line, 1000)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(r.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var l line
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Errorf("recorder wrote %q: %v", sc.Bytes(), err)
				return
			}
			r.lines <- l
		}
	}()
	t.Cleanup(func() {
		stdin.Close()
		<-done
		_ = cmd.Wait()
	})
	ready := r.next(t)
	if ready.Type != "ready" {
		t.Fatalf("recorder's first line is %v; want ready", ready)
	}
	r.width = int(ready.Width)
	return r
}

// next returns the next event the recorder saw. It fails the test if none
// comes within a minute (a guard against hanging, not a speed assertion).
func (r *recorder) next(t *testing.T) line {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	select {
	case l, ok := <-r.lines:
		if !ok {
			t.Fatal("recorder exited")
		}
		return l
	case <-ctx.Done():
		t.Fatal("recorder saw no further event")
		return line{}
	}
}

// expect reads len(want) events and compares them with want.
func (r *recorder) expect(t *testing.T, want ...line) []line {
	t.Helper()
	got := make([]line, len(want))
	for i := range want {
		got[i] = r.next(t)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %v; want %v", i, got[i], want[i])
		}
	}
	return got
}

// fence moves the pointer to (x, y) and expects that motion as the very
// next event, which proves nothing else arrived before it.
func fence(t *testing.T, in *Injector, r *recorder, x, y int16) {
	t.Helper()
	mustInject(t, in, input.Event{Kind: input.KindMove, X: int32(x), Y: int32(y)})
	if got, want := r.next(t), (line{Type: "MotionNotify", X: x, Y: y}); got != want {
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
func setup(t *testing.T, screens ...xvfb.Screen) (*xvfb.Display, *recorder, *Injector) {
	t.Helper()
	if len(screens) == 0 {
		screens = []xvfb.Screen{{Width: 1280, Height: 800}}
	}
	d := xvfb.Start(t, xvfb.Options{Screens: screens})
	r := startRecorder(t, d)
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
