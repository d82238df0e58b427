//go:build linux || darwin

package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// errNotInstalled is returned by a method whose program is missing.
var errNotInstalled = errors.New("not installed")

// maxStderr bounds how much of a helper program's stderr goes into an error.
const maxStderr = 300

// runProgram runs a helper program to completion with env (nil means this
// process's environment) and returns an error carrying its exit status and
// stderr. A missing program returns errNotInstalled.
func runProgram(ctx context.Context, env []string, name string, args ...string) error {
	path, err := exec.LookPath(name)
	if err != nil {
		return errNotInstalled
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// A helper that leaves a background child holding stderr must not hold
	// us up once it has exited itself.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Run(); err != nil {
		return programError(err, stderr.String())
	}
	return nil
}

// programError wraps a program's failure with the start of its stderr.
func programError(err error, stderr string) error {
	msg := strings.Join(strings.Fields(stderr), " ")
	if len(msg) > maxStderr {
		msg = msg[:maxStderr] + "…"
	}
	var exitErr *exec.ExitError
	if msg != "" && errors.As(err, &exitErr) {
		return fmt.Errorf("%w: %s", err, msg)
	}
	return err
}

// startElevated starts argv, the relaunch command built for method, and
// returns the Elevation whose Wait maps its exit to the elevation errors.
// The command is not tied to a context: it becomes the elevated client.
func startElevated(method string, argv []string) (*Elevation, error) {
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", argv[0], ErrElevationUnavailable)
	}
	cmd := exec.Command(path, argv[1:]...)
	stderr := &headBuffer{max: 4096}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", method, err)
	}
	return &Elevation{Method: method, wait: func() error {
		err := cmd.Wait()
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return elevationExitError(method, exitErr.ExitCode(), stderr.String())
		}
		if err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		return nil
	}}, nil
}

// headBuffer keeps the first max bytes written to it and discards the rest.
type headBuffer struct {
	max int
	buf bytes.Buffer
}

func (b *headBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (b *headBuffer) String() string { return b.buf.String() }

// sudoProbe reports whether sudo runs a command without prompting for a
// password (sudo -n true).
func sudoProbe(ctx context.Context) error {
	if err := runProgram(ctx, nil, "sudo", "-n", "true"); err != nil {
		return fmt.Errorf("sudo -n: %w", err)
	}
	return nil
}
