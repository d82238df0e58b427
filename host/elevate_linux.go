package host

import (
	"context"
	"fmt"
	"os"
	"os/exec"
)

// On Linux a process is elevated when its effective user is root.
//
// Elevate relaunches through sudo or pkexec, both of which stay the parent
// of the elevated client:
//   - ElevationIfNoPrompt: `sudo -n true` first checks that sudo will not
//     ask for a password (NOPASSWD, or credentials cached); then
//     `sudo -n -- env VARS… exe args…`. Otherwise ErrElevationWouldPrompt.
//   - ElevationAlways (and a rep's request the customer accepted):
//     `pkexec env VARS… exe args…`, where polkit's agent on the desktop
//     prompts; without pkexec, sudo -n as above, else
//     ErrElevationUnavailable.
//
// VARS are the display, session bus and locale variables both programs
// would otherwise reset (see elevatedEnv).

// IsElevated reports whether the process runs with administrative rights:
// root on Linux and macOS, an elevated token on Windows.
func IsElevated() bool { return os.Geteuid() == 0 }

func (h *Host) elevate(ctx context.Context, policy ElevationPolicy, exe string, args []string) (*Elevation, error) {
	env := elevatedEnv(os.Getenv, h.display())
	if policy == ElevationAlways {
		if _, err := exec.LookPath("pkexec"); err == nil {
			return startElevated("pkexec", pkexecCommand(exe, args, env))
		}
		if err := sudoProbe(ctx); err != nil {
			return nil, fmt.Errorf("%w: pkexec not installed; %v", ErrElevationUnavailable, err)
		}
		return startElevated("sudo", sudoCommand(exe, args, env))
	}
	if err := sudoProbe(ctx); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrElevationWouldPrompt, err)
	}
	return startElevated("sudo", sudoCommand(exe, args, env))
}
