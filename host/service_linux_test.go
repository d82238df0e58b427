package host

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/systemdtest"
)

// waitFor polls cond until it holds, failing the test after 120 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServiceManagerSystemd installs, starts and uninstalls a service in
// a real (private) systemd: the unit's quoting reaches the program
// intact, the program runs as a unit of the manager, and Uninstall stops
// it and leaves nothing behind, also when called again.
func TestServiceManagerSystemd(t *testing.T) {
	sd := systemdtest.Start(t)
	m := &ServiceManager{User: true, Env: sd.Env}
	ctx := t.Context()
	if err := m.Probe(ctx); err != nil {
		t.Fatalf("Probe: %v", err)
	}
	out := filepath.Join(t.TempDir(), "out")
	spec := ServiceSpec{
		Name: ServiceName("s1"),
		Exe:  "/bin/sh",
		Args: []string{"-c", `printf '%s|' "$@" "$FOO" > "$OUT.tmp"; mv "$OUT.tmp" "$OUT"; echo $$ > "$OUT.pid"; exec sleep 600`,
			"sh", "a b", "100%", "$HOME", `q"uote\`},
		Env: []string{`FOO=x%y $z "w"`, "OUT=" + out},
	}
	if err := m.Install(ctx, spec); err != nil {
		t.Fatalf("Install: %v", err)
	}
	unit := spec.Name + ".service"
	if got := sd.Property(t, unit, "LoadState"); got != "loaded" {
		t.Fatalf("after Install: LoadState %q; want loaded", got)
	}
	if got := sd.Property(t, unit, "ActiveState"); got != "inactive" {
		t.Errorf("after Install: ActiveState %q; want inactive (nothing starts it but Start)", got)
	}
	running := func(want bool, when string) {
		t.Helper()
		if on, err := m.Running(ctx, spec.Name); err != nil || on != want {
			t.Errorf("%s: Running: got %v, %v; want %v", when, on, err, want)
		}
	}
	running(false, "after Install")
	if err := m.Start(ctx, spec.Name); err != nil {
		t.Fatalf("Start: %v", err)
	}
	running(true, "after Start")
	var got []byte
	waitFor(t, "the service's output", func() bool {
		var err error
		got, err = os.ReadFile(out)
		return err == nil
	})
	if want := `a b|100%|$HOME|q"uote\|x%y $z "w"|`; string(got) != want {
		t.Errorf("the service's arguments and variables: got %q; want %q", got, want)
	}
	if st := sd.Property(t, unit, "ActiveState"); st != "active" {
		t.Errorf("after Start: ActiveState %q; want active", st)
	}
	pid := readPID(t, out+".pid")

	if err := m.Uninstall(ctx, spec.Name); err != nil {
		t.Fatalf("Uninstall: %v", err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("the service's process %d is still there after Uninstall (kill 0: %v)", pid, err)
	}
	if _, err := os.Stat(filepath.Join(sd.UnitDir(), unit)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the unit file is left after Uninstall (%v)", err)
	}
	if got := sd.Property(t, unit, "LoadState"); got != "not-found" {
		t.Errorf("after Uninstall: LoadState %q; want not-found", got)
	}
	running(false, "after Uninstall")
	if err := m.Uninstall(ctx, spec.Name); err != nil {
		t.Errorf("Uninstall again: %v", err)
	}
	if err := m.Uninstall(ctx, ServiceName("never-installed")); err != nil {
		t.Errorf("Uninstall of a service never installed: %v", err)
	}
}

// TestServiceRemoveSelf: a service that removes itself keeps running,
// and systemd forgets it once its process exits, even when it failed.
func TestServiceRemoveSelf(t *testing.T) {
	sd := systemdtest.Start(t)
	m := &ServiceManager{User: true, Env: sd.Env}
	ctx := t.Context()
	for _, code := range []int{0, 3} {
		t.Run("exit "+strconv.Itoa(code), func(t *testing.T) {
			dir := t.TempDir()
			spec := ServiceSpec{
				Name: ServiceName("self-" + strconv.Itoa(code)),
				Exe:  "/bin/sh",
				Args: []string{"-c", `touch "$D/started"; while [ ! -e "$D/stop" ]; do sleep 0.05; done; exit ` + strconv.Itoa(code)},
				Env:  []string{"D=" + dir},
			}
			unit := spec.Name + ".service"
			if err := m.Install(ctx, spec); err != nil {
				t.Fatal(err)
			}
			if err := m.Start(ctx, spec.Name); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the service to start", func() bool { _, err := os.Stat(filepath.Join(dir, "started")); return err == nil })
			if err := m.RemoveSelf(ctx, spec.Name); err != nil {
				t.Fatalf("RemoveSelf: %v", err)
			}
			if st := sd.Property(t, unit, "ActiveState"); st != "active" {
				t.Errorf("after RemoveSelf: ActiveState %q; want active (the service goes on until it exits)", st)
			}
			if err := os.WriteFile(filepath.Join(dir, "stop"), nil, 0o600); err != nil {
				t.Fatal(err)
			}
			// The unit stays listed (not-found, active) while its
			// process runs, and goes once it has exited.
			waitFor(t, "systemd to forget the unit", func() bool {
				return sd.Systemctl(t, "list-units", "--all", "--plain", "--no-legend", spec.Name+"*") == ""
			})
			if got := sd.Property(t, unit, "LoadState"); got != "not-found" {
				t.Errorf("after the exit: LoadState %q; want not-found", got)
			}
			if _, err := os.Stat(filepath.Join(sd.UnitDir(), unit)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the unit file is left (%v)", err)
			}
		})
	}
}

// TestServiceProbeSystem: the system's service manager is judged as it
// is on this machine — available where systemd is PID 1 and the test runs
// as root, else ErrServiceUnavailable — and Install refuses to create the
// directory whose existence means "systemd runs".
func TestServiceProbeSystem(t *testing.T) {
	var m ServiceManager
	_, statErr := os.Stat("/run/systemd/system")
	booted := statErr == nil && os.Geteuid() == 0
	err := m.Probe(t.Context())
	if booted && err != nil {
		t.Fatalf("Probe with systemd running: %v", err)
	}
	if booted {
		return
	}
	if !errors.Is(err, ErrServiceUnavailable) {
		t.Fatalf("Probe without systemd: got %v; want ErrServiceUnavailable", err)
	}
	err = m.Install(t.Context(), ServiceSpec{Name: ServiceName("x"), Exe: "/bin/true"})
	if !errors.Is(err, ErrServiceUnavailable) {
		t.Errorf("Install without systemd: got %v; want ErrServiceUnavailable", err)
	}
	if _, err := os.Stat("/run/systemd/system"); statErr != nil && err == nil {
		t.Error("Install made /run/systemd/system")
	}
}

func readPID(t *testing.T, path string) int {
	t.Helper()
	var b []byte
	waitFor(t, path, func() bool { var err error; b, err = os.ReadFile(path); return err == nil && len(b) > 1 })
	pid, err := strconv.Atoi(string(b[:len(b)-1]))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}
