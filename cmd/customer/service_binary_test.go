package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/host"
	"github.com/tandemhq/tandem/internal/systemdtest"
	"github.com/tandemhq/tandem/internal/xvfb"
)

// TestServiceFlag runs the real tandem-customer program as a unit of a
// real (private) systemd, with the command line and variables the client
// installs: -resume FILE -service NAME, the display through the unit's
// Environment=. It takes the session over from the hand-off of a client
// in this test (removing the file), the rep's peer connects to it, and it
// answers the rep's request to run as a service itself: "already". The
// test then uninstalls the unit, which stops the program and leaves
// nothing behind. (The program's own removal of its unit at the session's
// end addresses the system's systemd, which does not run here: that path
// runs in TestServiceTakesOverTheSession.)
func TestServiceFlag(t *testing.T) {
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
	sd := systemdtest.Start(t)
	s := startServiceSession(t)
	got := serviceAnswers(t, s.rs)

	path := filepath.Join(dir, "handoff.json")
	if err := client.WriteHandoff(path, s.cust.Handoff()); err != nil {
		t.Fatal(err)
	}
	mgr := &host.ServiceManager{User: true, Env: sd.Env}
	name := host.ServiceName(s.cs.ID())
	spec := host.ServiceSpec{
		Name: name, Exe: bin,
		Args: []string{"-resume", path, "-service", name, "-log-level", "warn"},
		Env:  append(d.Env(), "LANG=C.UTF-8"),
	}
	if err := mgr.Install(s.ctx, spec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("systemd and the program:\n%s", sd.Log())
		}
	})
	if err := mgr.Start(s.ctx, name); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(120 * time.Second)
	for {
		if _, err := os.Stat(path); os.IsNotExist(err) {
			break
		}
		if on, err := mgr.Running(s.ctx, name); err != nil || !on {
			t.Fatalf("tandem-customer as a service ended before it took over (running %v, %v)", on, err)
		}
		if time.Now().After(deadline) {
			t.Fatal("tandem-customer as a service did not remove the hand-off")
		}
		time.Sleep(50 * time.Millisecond)
	}
	peer := waitNewPeer(t, s.ctx, s.rs, s.cs.Self().ID, s.peer)
	if err := s.cust.Close(); err != nil {
		t.Fatal(err)
	}
	if err := peer.RequestService(); err != nil {
		t.Fatal(err)
	}
	if a := nextServiceAnswer(t, s.ctx, got); a.Outcome != client.ServiceAlready {
		t.Errorf("tandem-customer's answer: got %v (%s); want already", a.Outcome, a.Reason)
	}
	select {
	case <-s.cs.Ended():
		t.Error("the hand-over ended the session")
	default:
	}
	if err := mgr.Uninstall(s.ctx, name); err != nil {
		t.Fatal(err)
	}
	if left := unitsLeft(t, sd); left != "" {
		t.Errorf("units left after Uninstall: %q", left)
	}
}
