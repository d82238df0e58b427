package lockout

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

	"github.com/tandemhq/tandem/internal/xvfb"
)

// helperEnv, when set to an X display name, makes the test binary the
// helper process: it engages a lockout on that display, writes "engaged",
// and holds the lockout until stdin closes or it is killed.
const helperEnv = "TANDEM_LOCKOUT_HELPER_DISPLAY"

// recorderBin is the recorder program (input/internal/recorder), built
// once by TestMain.
var recorderBin string

func TestMain(m *testing.M) {
	if display := os.Getenv(helperEnv); display != "" {
		os.Exit(helper(display))
	}
	dir, err := os.MkdirTemp("", "lockout-test")
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
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left behind:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// helper is the helper process's main.
func helper(display string) int {
	l, err := Engage(context.Background(), display, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lockout helper:", err)
		return 1
	}
	fmt.Println("engaged")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := l.Release(); err != nil {
		fmt.Fprintln(os.Stderr, "lockout helper:", err)
		return 1
	}
	return 0
}

// startHelper starts the helper process on d and returns once its lockout
// is engaged.
func startHelper(t *testing.T, d *xvfb.Display) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(d.Env(), helperEnv+"="+d.Name)
	cmd.Stderr = os.Stderr
	// The helper holds its lockout until stdin closes: keep the pipe open
	// until the test ends.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the helper: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		stdin.Close()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "engaged\n" {
		t.Fatalf("helper wrote %q, %v; want engaged", line, err)
	}
	return cmd
}

// event is one event the recorder saw; see input/internal/recorder.
type event struct {
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

// recorder is a running recorder program: a window that has the focus and
// covers the screen.
type recorder struct {
	events chan event
}

func startRecorder(t *testing.T, d *xvfb.Display) *recorder {
	t.Helper()
	cmd := exec.Command(recorderBin)
	cmd.Env = d.Env()
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the recorder: %v", err)
	}
	r := &recorder{events: make(chan event, 1000)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(r.events)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var e event
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Errorf("recorder wrote %q: %v", sc.Bytes(), err)
				return
			}
			r.events <- e
		}
	}()
	t.Cleanup(func() {
		stdin.Close()
		<-done
		_ = cmd.Wait()
	})
	if e := r.next(t); e.Type != "ready" {
		t.Fatalf("recorder's first event is %+v; want ready", e)
	}
	return r
}

// next returns the next event the recorder saw. It fails the test if none
// comes within a minute (a guard against hanging, not a speed assertion).
func (r *recorder) next(t *testing.T) event {
	t.Helper()
	select {
	case e, ok := <-r.events:
		if !ok {
			t.Fatal("the recorder exited")
		}
		return e
	case <-time.After(time.Minute):
		t.Fatal("the recorder saw no further event")
		return event{}
	}
}

// expect reads len(want) events and compares them with want.
func (r *recorder) expect(t *testing.T, want ...event) {
	t.Helper()
	for i, w := range want {
		if got := r.next(t); got != w {
			t.Errorf("event %d: got %+v; want %+v", i, got, w)
		}
	}
}
