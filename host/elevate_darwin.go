package host

import (
	"context"
	"fmt"
	"os"
)

// On macOS a process is elevated when its effective user is root.
//
// ElevationIfNoPrompt relaunches through `sudo -n` after `sudo -n true`
// showed that sudo will not ask for a password. ElevationAlways goes through
// the system authorization prompt: osascript's "do shell script … with
// administrator privileges" starts the client in the background and returns,
// so Elevation.Wait returns once it was launched; the customer cancelling
// the prompt (AppleScript error -128) is ErrElevationDeclined.

// IsElevated reports whether the process runs with administrative rights:
// root on Linux and macOS, an elevated token on Windows.
func IsElevated() bool { return os.Geteuid() == 0 }

func (h *Host) elevate(ctx context.Context, policy ElevationPolicy, exe string, args []string) (*Elevation, error) {
	if policy == ElevationAlways {
		return startElevated("osascript", osascriptCommand(exe, args))
	}
	if err := sudoProbe(ctx); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrElevationWouldPrompt, err)
	}
	return startElevated("sudo", sudoCommand(exe, args, elevatedEnv(os.Getenv, "")))
}
