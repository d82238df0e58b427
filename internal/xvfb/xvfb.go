// Package xvfb starts private Xvfb displays for tests and benchmarks.
//
// Each display gets a free display number, its own process and its own
// lifetime: Start registers a cleanup that stops the server when the test
// ends. A machine without Xvfb fails the test loudly; `make test` installs it.
package xvfb

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Screen is the geometry of one Xvfb screen.
type Screen struct {
	Width, Height int
}

// Display is a running Xvfb server.
type Display struct {
	// Name is the X display name, such as ":42".
	Name string
	// Number is the display number.
	Number int

	cmd      *exec.Cmd
	stopOnce sync.Once
	exited   chan struct{}
}

// Options adjusts a display. The zero value is one 1280x800 screen.
type Options struct {
	// Screens lists the screens; zero means one 1280x800 screen. More
	// than one screen with Xinerama enabled gives a multi-monitor desktop
	// whose monitors all sit at the origin (Xvfb's Xinerama has no
	// layout): a screen per head, of its own size.
	Screens []Screen
	// Depth is the colour depth; zero means 24.
	Depth int
}

var (
	numberMu   sync.Mutex
	nextNumber = 100 + os.Getpid()%400
)

// Start starts an Xvfb display for the test and stops it when the test ends.
func Start(tb testing.TB, opts Options) *Display {
	tb.Helper()
	d, err := Launch(opts)
	if err != nil {
		tb.Fatalf("start Xvfb: %v", err)
	}
	tb.Cleanup(d.Stop)
	return d
}

// Launch starts an Xvfb display outside a test; the caller must call Stop.
func Launch(opts Options) (*Display, error) {
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		return nil, fmt.Errorf("no Xvfb on this machine (make test installs the xvfb package): %w", err)
	}
	screens := opts.Screens
	if len(screens) == 0 {
		screens = []Screen{{Width: 1280, Height: 800}}
	}
	depth := opts.Depth
	if depth == 0 {
		depth = 24
	}
	for range 50 {
		n := claimNumber()
		if _, err := os.Stat(socketPath(n)); err == nil {
			continue // in use by another server
		}
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue
		}
		args := []string{":" + strconv.Itoa(n), "-nolisten", "tcp", "-noreset", "+extension", "MIT-SHM",
			"+extension", "RANDR", "+extension", "DAMAGE", "+extension", "XFIXES", "+extension", "XTEST",
			"+extension", "GLX"}
		// Xinerama is on even for one screen: kbinani/screenshot needs it to
		// find the display.
		args = append(args, "+xinerama")
		for i, s := range screens {
			args = append(args, "-screen", strconv.Itoa(i), fmt.Sprintf("%dx%dx%d", s.Width, s.Height, depth))
		}
		cmd := exec.Command(bin, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("start %s: %w", bin, err)
		}
		d := &Display{Name: ":" + strconv.Itoa(n), Number: n, cmd: cmd, exited: make(chan struct{})}
		go func() { _ = cmd.Wait(); close(d.exited) }()
		if err := d.waitReady(10 * time.Second); err != nil {
			d.Stop()
			if strings.Contains(stderr.String(), "already active") {
				continue
			}
			return nil, fmt.Errorf("display %s: %w: %s", d.Name, err, strings.TrimSpace(stderr.String()))
		}
		return d, nil
	}
	return nil, errors.New("no free X display number")
}

func claimNumber() int {
	numberMu.Lock()
	defer numberMu.Unlock()
	n := nextNumber
	nextNumber++
	if nextNumber > 900 {
		nextNumber = 100
	}
	return n
}

func socketPath(n int) string {
	return filepath.Join("/tmp/.X11-unix", "X"+strconv.Itoa(n))
}

func (d *Display) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-d.exited:
			return errors.New("exited before it was ready")
		default:
		}
		if _, err := os.Stat(socketPath(d.Number)); err == nil {
			// The socket appears before the server accepts; probe with xdpyinfo-free dial.
			if err := dialX(d.Number); err == nil {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("not ready in time")
}

// Env returns os.Environ with DISPLAY set to this display, for child processes.
func (d *Display) Env() []string {
	env := make([]string, 0, len(os.Environ())+1)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") {
			env = append(env, kv)
		}
	}
	return append(env, "DISPLAY="+d.Name)
}

// Stop kills the server and waits for it to exit. It is idempotent.
func (d *Display) Stop() {
	d.stopOnce.Do(func() {
		if d.cmd.Process != nil {
			_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-d.exited:
			case <-time.After(3 * time.Second):
				_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
				<-d.exited
			}
		}
	})
}
