package client_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
)

// resumeChildEnv names the hand-off file TestResumeChild resumes from; the
// test binary runs as the relaunched client when it is set.
const resumeChildEnv = "TANDEM_TEST_RESUME_FROM"

// TestResumeInAnotherProcess hands a customer's session to another
// process, as an elevated relaunch does: the new process reads the
// hand-off file, resumes, removes the file; the rep's peer connects to it
// and the rep's requests are answered by it (its answer names its process
// ID); the first client then closes and the session goes on.
func TestResumeInAnotherProcess(t *testing.T) {
	p := newPair(t, 90*time.Second)
	ctx, rep, first := p.ctx, p.rep, p.cust
	cs1 := first.Session()
	rs, err := rep.Accept(ctx, cs1.ID())
	if err != nil {
		t.Fatal(err)
	}
	custID := cs1.Self().ID
	old := waitPeer(t, rs, custID)
	if err := old.Connected(ctx); err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "handoff.json")
	if err := client.WriteHandoff(path, first.Handoff()); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestResumeChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), resumeChildEnv+"="+path)
	out := &testWriter{t: t}
	t.Cleanup(func() { out.mu.Lock(); out.done = true; out.mu.Unlock() })
	cmd.Stdout, cmd.Stderr = out, out
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		stdin.Close()
		if err := <-exited; err != nil {
			t.Errorf("the resumed process: %v", err)
		}
	}()

	// The new process removes the hand-off once it is connected.
	for {
		if _, err := os.Stat(path); os.IsNotExist(err) {
			break
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("the resumed process exited before it took over: %v", err)
		case <-ctx.Done():
			t.Fatal("the resumed process did not remove the hand-off")
		case <-time.After(20 * time.Millisecond):
		}
	}
	var peer *client.Peer
	for peer == nil || peer == old || peer.Connected(ctx) != nil {
		if ctx.Err() != nil {
			t.Fatal("the rep's peer did not connect to the resumed process")
		}
		time.Sleep(50 * time.Millisecond)
		peer = rs.Peer(custID)
	}
	ask := func() {
		t.Helper()
		if err := peer.RequestElevation(); err != nil {
			t.Fatal(err)
		}
		want := client.ElevationChanged{Participant: cs1.Self(), Outcome: client.ElevationAlready, Reason: "pid " + strconv.Itoa(cmd.Process.Pid)}
		if got := nextElevation(t, rs.Events()); got != want {
			t.Fatalf("answer: got %#v; want %#v", got, want)
		}
	}
	ask()

	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-cs1.Ended():
		t.Fatal("closing the first client ended the session")
	default:
	}
	ask()
}

// TestResumeChild is the relaunched client of TestResumeInAnotherProcess;
// run by itself it has nothing to do. It resumes from the hand-off file,
// removes it, answers every elevation request with "already" and its
// process ID, and closes when its standard input does.
func TestResumeChild(t *testing.T) {
	path := os.Getenv(resumeChildEnv)
	if path == "" {
		return // not started by TestResumeInAnotherProcess
	}
	ctx, cancel := context.WithTimeout(t.Context(), 80*time.Second)
	defer cancel()
	h, err := client.ReadHandoff(path)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: testLogLevel})).With("process", "resumed")
	c, err := client.Resume(ctx, client.Config{Logger: log}, h)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	s := c.Session()
	for {
		select {
		case ev := <-s.Events():
			if r, ok := ev.(client.ElevationRequested); ok {
				if err := s.AnswerElevation(r.Participant.ID, client.ElevationAlready, fmt.Sprintf("pid %d", os.Getpid())); err != nil {
					t.Error(err)
				}
			}
		case <-ctx.Done():
			return
		}
	}
}
