package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/internal/xvfb"
)

// TestResumeFlag runs the real tandem-customer program with -resume on an
// Xvfb display: it takes the session over from the hand-off of a client
// in this test and removes the file; the rep's peer connects to it; the
// first client closes without ending the session, and the program answers
// the rep's request for elevation itself, as the session's policy says.
func TestResumeFlag(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to build tandem-customer: %v", err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "tandem-customer")
	build := exec.CommandContext(t.Context(), gobin, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1024, Height: 768}}})
	s := startSession(t)
	got := answers(t, s.rs)

	path := filepath.Join(dir, "handoff.json")
	if err := client.WriteHandoff(path, s.cust.Handoff()); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-resume", path, "-log-level", "warn")
	cmd.Env = append(d.Env(), "LANG=C.UTF-8")
	out := &testWriter{t: t}
	t.Cleanup(func() { out.mu.Lock(); out.done = true; out.mu.Unlock() })
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Kill() // closing the window would end the session
		<-exited
	}()

	for {
		if _, err := os.Stat(path); os.IsNotExist(err) {
			break
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("tandem-customer -resume exited before it took over: %v", err)
		case <-s.ctx.Done():
			t.Fatal("tandem-customer -resume did not remove the hand-off")
		case <-time.After(50 * time.Millisecond):
		}
	}
	peer := waitNewPeer(t, s.ctx, s.rs, s.cs.Self().ID, s.peer)
	if err := s.cust.Close(); err != nil {
		t.Fatal(err)
	}
	if err := peer.RequestElevation(); err != nil {
		t.Fatal(err)
	}
	a := nextAnswer(t, s.ctx, got)
	want := client.ElevationDeclined // the default policy does not let reps ask
	if s.cust.Config() != nil && s.cust.Config().Policy.Elevation {
		want = client.ElevationAlready // the tests run as root
	}
	if a.Outcome != want {
		t.Errorf("tandem-customer's answer: got %v (%s); want %v", a.Outcome, a.Reason, want)
	}
	select {
	case <-s.cs.Ended():
		t.Error("the hand-over ended the session")
	default:
	}
}
