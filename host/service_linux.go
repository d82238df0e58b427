package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/tandemhq/tandem/internal/atomicfile"
)

// On Linux a service is a systemd unit file, NAME.service, written to
// /run/systemd/system and started with systemctl; the unit has no
// [Install] section, so nothing starts it at boot, and /run is emptied at
// the latest by the next boot, so a client that dies before it can remove
// its unit leaves nothing behind for long.
//
// A unit file rather than a transient unit (systemd-run): the portal
// separates installing from removing (UninstallServiceAtEnd may be off,
// and then the service stays installed, visible to `systemctl status`);
// a file is also what the service's own process removes at its end
// without stopping itself, after which systemd forgets the unit as soon as
// the process exits (CollectMode=inactive-or-failed collects it even when
// it failed).

// runUnitDir is where the system's runtime unit files go.
const runUnitDir = "/run/systemd/system"

// unitDir is where this manager's unit files go.
func (m *ServiceManager) unitDir() (string, error) {
	switch {
	case m.UnitDir != "":
		return m.UnitDir, nil
	case !m.User:
		return runUnitDir, nil
	}
	rt := m.getenv("XDG_RUNTIME_DIR")
	if rt == "" {
		return "", fmt.Errorf("%w: XDG_RUNTIME_DIR is not set for the user's systemd", ErrServiceUnavailable)
	}
	return filepath.Join(rt, "systemd", "user"), nil
}

// getenv reads a variable of systemctl's environment: Env first, then
// this process's.
func (m *ServiceManager) getenv(k string) string {
	for i := len(m.Env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(m.Env[i], k+"="); ok {
			return v
		}
	}
	return os.Getenv(k)
}

func (m *ServiceManager) probe(ctx context.Context) error {
	if _, err := exec.LookPath("systemctl"); err != nil {
		return fmt.Errorf("%w: systemctl: %v", ErrServiceUnavailable, err)
	}
	if m.User {
		dir, err := m.unitDir()
		if err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(m.getenv("XDG_RUNTIME_DIR"), "systemd", "private")); err != nil {
			return fmt.Errorf("%w: the user's systemd is not running: %v", ErrServiceUnavailable, err)
		}
		return checkWritableDir(dir)
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: installing a system service needs root", ErrServiceUnavailable)
	}
	// sd_booted(3): systemd is the init system when this directory exists.
	if fi, err := os.Stat(runUnitDir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%w: systemd is not running (no %s)", ErrServiceUnavailable, runUnitDir)
	}
	out, err := m.systemctl(ctx, "is-system-running")
	state := strings.TrimSpace(string(out))
	if err != nil && state != "degraded" && state != "starting" && state != "initializing" && state != "maintenance" {
		return fmt.Errorf("%w: systemctl is-system-running: %s", ErrServiceUnavailable, state)
	}
	return nil
}

// checkWritableDir reports whether dir exists or can be made, for unit
// files.
func checkWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%w: %v", ErrServiceUnavailable, err)
	}
	return nil
}

func (m *ServiceManager) install(ctx context.Context, spec ServiceSpec) error {
	dir, err := m.unitDir()
	if err != nil {
		return err
	}
	// The system's directory is never made: its existence tells every
	// program that systemd runs (sd_booted).
	if m.User || m.UnitDir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("%w: %v", ErrServiceUnavailable, err)
		}
	} else if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%w: systemd is not running (no %s)", ErrServiceUnavailable, dir)
	}
	path := filepath.Join(dir, spec.Name+".service")
	if err := atomicfile.WriteFile(path, []byte(unitText(spec)), 0o644); err != nil {
		return err
	}
	if _, err := m.systemctl(ctx, "daemon-reload"); err != nil {
		_ = os.Remove(path)
		return err
	}
	return nil
}

func (m *ServiceManager) start(ctx context.Context, name string) error {
	_, err := m.systemctl(ctx, "start", name+".service")
	return err
}

// uninstall removes the unit file and reloads systemd; stop also stops
// the unit first. A unit failed before is reset so that it goes too.
func (m *ServiceManager) uninstall(ctx context.Context, name string, stop bool) error {
	dir, err := m.unitDir()
	if err != nil {
		return err
	}
	unit := name + ".service"
	var errs []error
	if stop {
		// Stopping a unit that is not loaded fails ("not loaded"): that
		// is the idempotent case; any other failure is reported.
		if out, err := m.systemctl(ctx, "stop", unit); err != nil && !bytes.Contains(out, []byte("not loaded")) {
			errs = append(errs, err)
		}
	}
	path := filepath.Join(dir, unit)
	removed := true
	if err := os.Remove(path); err != nil {
		removed = false
		if !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	// The service's own process does not reload: the loaded unit keeps
	// CollectMode=inactive-or-failed until it is collected, whereas a
	// reload would load it afresh without its file — with the default
	// collect mode, under which a failed unit would stay listed.
	if removed && stop {
		if _, err := m.systemctl(ctx, "daemon-reload"); err != nil {
			errs = append(errs, err)
		}
	}
	if stop {
		_, _ = m.systemctl(ctx, "reset-failed", unit) // fails when there is nothing to reset
	}
	return errors.Join(errs...)
}

func (m *ServiceManager) running(ctx context.Context, name string) (bool, error) {
	// is-active exits non-zero for every state but active; its output
	// names the state either way.
	out, err := m.systemctl(ctx, "is-active", name+".service")
	switch state := strings.TrimSpace(string(out)); state {
	case "active", "activating", "reloading", "deactivating":
		return true, nil
	case "inactive", "failed", "unknown":
		return false, nil
	default:
		if err == nil {
			err = fmt.Errorf("unexpected state %q", state)
		}
		return false, err
	}
}

// systemctl runs systemctl with args (and --user for a user instance)
// and returns its combined output; a failure names its exit and output.
func (m *ServiceManager) systemctl(ctx context.Context, args ...string) ([]byte, error) {
	if m.User {
		args = append([]string{"--user"}, args...)
	}
	cmd := exec.CommandContext(ctx, "systemctl", args...)
	cmd.Env = append(os.Environ(), m.Env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		msg := strings.Join(strings.Fields(string(out)), " ")
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		return out, fmt.Errorf("systemctl %s: %v: %s", strings.Join(args, " "), err, msg)
	}
	return out, nil
}
