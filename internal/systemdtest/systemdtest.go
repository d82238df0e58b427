// Package systemdtest starts a private systemd service manager for tests
// of code that installs services.
//
// The machines the tests run on need not boot with systemd (the CI's
// Firecracker VMs do not: their PID 1 is another program, and
// `systemctl is-system-running` says offline). A systemd user manager
// (`systemd --user`) runs anyway once it believes the system was booted
// with systemd, which it judges by the directory /run/systemd/system; so
// Start runs it in a mount namespace of its own (unshare -m, as root)
// where a private tmpfs over /run/systemd holds that directory, leaving
// the machine's /run untouched. The manager's runtime directory, where
// its control socket and runtime unit files live, is a fresh temporary
// directory that systemctl --user reaches from outside the namespace.
// A machine without systemd or unshare fails the test loudly.
package systemdtest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Manager is a running private systemd user manager.
type Manager struct {
	// RuntimeDir is the manager's XDG_RUNTIME_DIR: its socket is
	// RuntimeDir/systemd/private and its runtime unit files go in
	// RuntimeDir/systemd/user.
	RuntimeDir string
	// Env is the environment systemctl --user needs to reach the manager
	// (XDG_RUNTIME_DIR), as KEY=value.
	Env []string
}

// UnitDir is where the manager reads runtime unit files.
func (m *Manager) UnitDir() string { return filepath.Join(m.RuntimeDir, "systemd", "user") }

// startTimeout bounds the wait for the manager's socket.
const startTimeout = 120 * time.Second

// Start starts a private systemd user manager for the test and stops it
// (and every unit it runs) when the test ends.
func Start(t testing.TB) *Manager {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("systemdtest: a private systemd needs root (unshare -m)")
	}
	sd := "/lib/systemd/systemd"
	if _, err := os.Stat(sd); err != nil {
		t.Fatalf("systemdtest: systemd is needed (Debian package systemd): %v", err)
	}
	if _, err := exec.LookPath("systemctl"); err != nil {
		t.Fatalf("systemdtest: systemctl is needed (Debian package systemd): %v", err)
	}
	// A short path: the control socket's path must fit a sockaddr_un.
	dir, err := os.MkdirTemp("", "sd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	script := `set -e
mount --make-rprivate /
mkdir -p /run/systemd
mount -t tmpfs tmpfs /run/systemd
mkdir /run/systemd/system
exec ` + sd + ` --user`
	cmd := exec.Command("unshare", "-m", "sh", "-c", script)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+dir, "SYSTEMD_LOG_TARGET=console")
	logf, err := os.Create(filepath.Join(dir, "systemd.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("systemdtest: start systemd --user: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(startTimeout):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	m := &Manager{RuntimeDir: dir, Env: []string{"XDG_RUNTIME_DIR=" + dir}}
	sock := filepath.Join(dir, "systemd", "private")
	deadline := time.Now().Add(startTimeout)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		select {
		case err := <-exited:
			b, _ := os.ReadFile(filepath.Join(dir, "systemd.log"))
			t.Fatalf("systemdtest: systemd --user exited before it listened: %v\n%s", err, b)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("systemdtest: no socket %s after %v", sock, startTimeout)
		}
	}
	if err := os.MkdirAll(m.UnitDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	return m
}

// Systemctl runs systemctl --user against the manager and returns its
// output, failing the test when it fails.
func (m *Manager) Systemctl(t testing.TB, args ...string) string {
	t.Helper()
	out, err := m.TrySystemctl(args...)
	if err != nil {
		t.Fatalf("systemctl --user %v: %v\n%s", args, err, out)
	}
	return out
}

// TrySystemctl runs systemctl --user against the manager and returns its
// output and error.
func (m *Manager) TrySystemctl(args ...string) (string, error) {
	cmd := exec.Command("systemctl", append([]string{"--user"}, args...)...)
	cmd.Env = append(os.Environ(), m.Env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Property returns one property of a unit as systemctl show prints it
// (LoadState, ActiveState, MainPID …).
func (m *Manager) Property(t testing.TB, unit, name string) string {
	t.Helper()
	out := m.Systemctl(t, "show", "--value", "-p", name, unit)
	for len(out) > 0 && (out[len(out)-1] == '\n') {
		out = out[:len(out)-1]
	}
	return out
}

// Log returns what the manager and its units have written so far (they
// log to the manager's output, a file in RuntimeDir).
func (m *Manager) Log() string {
	b, _ := os.ReadFile(filepath.Join(m.RuntimeDir, "systemd.log"))
	return string(b)
}
