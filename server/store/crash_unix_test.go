//go:build unix

package store

import (
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
)

// crashEnv names the database file TestCrashChild writes to; the test runs
// only in the child process TestCrash starts.
const crashEnv = "TANDEM_STORE_CRASH_DB"

// crashEvents is how many events the child commits before it dies.
const crashEvents = 50

// TestCrashChild is the child of TestCrash: it commits records and kills
// itself without closing the store.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		return // not the child: nothing to do
	}
	ctx := t.Context()
	s, err := Open(ctx, path, slog.New(slog.DiscardHandler))
	must(t, err)
	must(t, s.CreateRep(ctx, Rep{ID: "r1", Username: "alice", Roles: []protocol.Role{protocol.RoleAdmin}, Created: t0}))
	must(t, s.CreateSession(ctx, Session{ID: "s1", Created: t0}, Participant{ID: "c1", Role: protocol.RoleCustomer}))
	for i := range crashEvents {
		_, err := s.AppendEvent(ctx, Event{SessionID: "s1", Kind: "chat", Text: fmt.Sprint(i), At: t0})
		must(t, err)
	}
	// Die the hard way: no Close, no deferred functions, no checkpoint.
	must(t, syscall.Kill(os.Getpid(), syscall.SIGKILL))
	time.Sleep(time.Minute) // not reached
}

// TestCrash checks that what a killed server committed is there when the
// store is opened again.
func TestCrash(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tandem.db")
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.CombinedOutput()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child: %v; want it killed by SIGKILL; output:\n%s", err, out)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("no WAL file after the crash (%v); the test would not show WAL recovery", err)
	}

	s := openAt(t, path)
	r, err := s.RepByUsername(t.Context(), "alice")
	if err != nil || !r.HasRole(protocol.RoleAdmin) {
		t.Errorf("rep after crash = %+v, %v; want alice, admin", r, err)
	}
	es, err := s.Events(t.Context(), "s1")
	must(t, err)
	if len(es) != crashEvents || es[len(es)-1].Text != fmt.Sprint(crashEvents-1) {
		t.Errorf("%d events after crash; want %d", len(es), crashEvents)
	}
}

func TestFileMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tandem.db")
	s := openAt(t, path)
	must(t, s.CreatePortal(t.Context(), Portal{ID: "p", Slug: "p", Created: t0}))
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Errorf("stat: %v", err)
			continue
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v; want no access for group and others", filepath.Base(name), perm)
		}
	}
}
