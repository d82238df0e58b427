package host

import (
	"context"
	"os"
	"strconv"
)

// On macOS, Lock tries, in order:
//   - CGSession -suspend: the fast-user-switching "login window" lock. The
//     tool was removed in macOS 11, so on current systems it reports "not
//     installed".
//   - osascript sending Control-Command-Q, the system's Lock Screen
//     shortcut (macOS 10.13 and later), through System Events. It needs the
//     Accessibility permission, which the client holds anyway to inject the
//     rep's input.
//   - pmset displaysleepnow: the display sleeps; this locks only when
//     "Require password after screen saver begins or display is turned off"
//     is set to immediately (the default on current systems).
//
// LogOff asks System Events to log out (osascript), then ends the user's
// GUI session with launchctl bootout gui/<uid>, which does not wait for
// applications to agree.

const cgSession = "/System/Library/CoreServices/Menu Extras/User.menu/Contents/Resources/CGSession"

func (h *Host) lockMethods() []method {
	return []method{
		{"CGSession", func(ctx context.Context) (int, error) {
			if _, err := os.Stat(cgSession); err != nil {
				return 0, errNotInstalled
			}
			return 0, runProgram(ctx, nil, cgSession, "-suspend")
		}},
		{"osascript", func(ctx context.Context) (int, error) {
			return 0, runProgram(ctx, nil, "osascript", "-e",
				`tell application "System Events" to keystroke "q" using {control down, command down}`)
		}},
		{"pmset", func(ctx context.Context) (int, error) {
			return 0, runProgram(ctx, nil, "pmset", "displaysleepnow")
		}},
	}
}

func (h *Host) logOffMethods() []method {
	return []method{
		{"osascript", func(ctx context.Context) (int, error) {
			return 0, runProgram(ctx, nil, "osascript", "-e", `tell application "System Events" to log out`)
		}},
		{"launchctl", func(ctx context.Context) (int, error) {
			return 0, runProgram(ctx, nil, "launchctl", "bootout", "gui/"+strconv.Itoa(os.Getuid()))
		}},
	}
}
