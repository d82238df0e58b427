// Package x11wintest runs a real window manager on a test display, for
// tests of code that talks to one (EWMH and ICCCM requests, frames).
package x11wintest

import (
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/tandemhq/tandem/internal/xvfb"
)

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// StartOpenbox runs Openbox (Debian package openbox) on d, returns once it
// manages windows there, and stops it when the test ends. A machine
// without Openbox fails the test.
//
// Openbox claims the display (_NET_SUPPORTING_WM_CHECK) seconds before it
// manages anything on a busy machine, so readiness is proven with a probe
// window: mapped, managed (WM_STATE set), destroyed.
func StartOpenbox(tb testing.TB, d *xvfb.Display) {
	tb.Helper()
	bin, err := exec.LookPath("openbox")
	if err != nil {
		tb.Fatalf("no openbox on this machine (apt-get install openbox): %v", err)
	}
	cmd := exec.Command(bin, "--sm-disable")
	cmd.Env = d.Env()
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start openbox: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	c, err := xgb.NewConnDisplay(d.Name)
	if err != nil {
		tb.Fatalf("connect to %s: %v", d.Name, err)
	}
	defer c.Close()
	s := xproto.Setup(c).DefaultScreen(c)
	probe, err := xproto.NewWindowId(c)
	if err != nil {
		tb.Fatal(err)
	}
	if err := xproto.CreateWindowChecked(c, s.RootDepth, probe, s.Root, 0, 0, 10, 10, 0,
		xproto.WindowClassInputOutput, s.RootVisual, 0, nil).Check(); err != nil {
		tb.Fatal(err)
	}
	defer xproto.DestroyWindow(c, probe)
	if err := xproto.MapWindowChecked(c, probe).Check(); err != nil {
		tb.Fatal(err)
	}
	wmState, err := xproto.InternAtom(c, false, uint16(len("WM_STATE")), "WM_STATE").Reply()
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tb.Context(), 2*time.Minute)
	defer cancel()
	for {
		r, err := xproto.GetProperty(c, false, probe, wmState.Atom, xproto.GetPropertyTypeAny, 0, 2).Reply()
		if err != nil {
			tb.Fatal(err)
		}
		if r.Format == 32 {
			break
		}
		select {
		case err := <-exited:
			tb.Fatalf("openbox exited before it managed %s: %v: %s", d.Name, err, out.String())
		case <-ctx.Done():
			tb.Fatalf("openbox did not manage a window on %s: %s", d.Name, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := xproto.DestroyWindowChecked(c, probe).Check(); err != nil {
		tb.Fatal(err)
	}
}
