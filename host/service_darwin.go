package host

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// On macOS a service is a launchd daemon: a property list
// /Library/LaunchDaemons/NAME.plist (label NAME, not run at load, not kept
// alive), loaded with `launchctl bootstrap system` and started with
// `launchctl kickstart`. Uninstall boots it out and removes the file;
// RemoveSelf removes the file only, and launchd drops the job at the next
// boot.

// launchDaemonsDir is where system daemons' property lists go.
const launchDaemonsDir = "/Library/LaunchDaemons"

func (m *ServiceManager) plistPath(name string) string {
	dir := m.UnitDir
	if dir == "" {
		dir = launchDaemonsDir
	}
	return filepath.Join(dir, name+".plist")
}

func (m *ServiceManager) probe(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !IsElevated() {
		return fmt.Errorf("%w: installing a daemon needs root", ErrServiceUnavailable)
	}
	if _, err := exec.LookPath("launchctl"); err != nil {
		return fmt.Errorf("%w: launchctl: %v", ErrServiceUnavailable, err)
	}
	return nil
}

func (m *ServiceManager) install(ctx context.Context, spec ServiceSpec) error {
	if err := m.uninstall(ctx, spec.Name, true); err != nil {
		return err
	}
	path := m.plistPath(spec.Name)
	if err := os.WriteFile(path, []byte(plistText(spec)), 0o644); err != nil {
		return err
	}
	if out, err := exec.CommandContext(ctx, "launchctl", "bootstrap", "system", path).CombinedOutput(); err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("launchctl bootstrap: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (m *ServiceManager) start(ctx context.Context, name string) error {
	if out, err := exec.CommandContext(ctx, "launchctl", "kickstart", "system/"+name).CombinedOutput(); err != nil {
		return fmt.Errorf("launchctl kickstart: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (m *ServiceManager) uninstall(ctx context.Context, name string, stop bool) error {
	if stop {
		_ = exec.CommandContext(ctx, "launchctl", "bootout", "system/"+name).Run() // fails when not loaded
	}
	if err := os.Remove(m.plistPath(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func (m *ServiceManager) running(ctx context.Context, name string) (bool, error) {
	out, err := exec.CommandContext(ctx, "launchctl", "print", "system/"+name).CombinedOutput()
	if err != nil {
		return false, nil // not loaded
	}
	return strings.Contains(string(out), "state = running"), nil
}

// plistText is the launchd property list that runs spec.
func plistText(spec ServiceSpec) string {
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">` + "\n")
	b.WriteString("<plist version=\"1.0\"><dict>\n")
	b.WriteString("<key>Label</key><string>" + esc(spec.Name) + "</string>\n")
	b.WriteString("<key>ProgramArguments</key><array>\n")
	for _, a := range append([]string{spec.Exe}, spec.Args...) {
		b.WriteString("<string>" + esc(a) + "</string>\n")
	}
	b.WriteString("</array>\n<key>RunAtLoad</key><false/>\n<key>KeepAlive</key><false/>\n")
	if len(spec.Env) > 0 {
		b.WriteString("<key>EnvironmentVariables</key><dict>\n")
		for _, kv := range spec.Env {
			k, v, _ := strings.Cut(kv, "=")
			b.WriteString("<key>" + esc(k) + "</key><string>" + esc(v) + "</string>\n")
		}
		b.WriteString("</dict>\n")
	}
	b.WriteString("</dict></plist>\n")
	return b.String()
}
