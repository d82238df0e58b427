package host

import (
	"os"
	"strings"
)

// display returns the X display to act on.
func (h *Host) display() string {
	if h.Display != "" {
		return h.Display
	}
	return os.Getenv("DISPLAY")
}

// foreignDisplay reports whether the display to act on is not the one this
// process's desktop session (logind, session bus) belongs to.
func (h *Host) foreignDisplay() bool {
	return h.Display != "" && h.Display != os.Getenv("DISPLAY")
}

// sessionBusVars are the variables that tie a child process to this
// process's desktop session; they are dropped for a foreign display so that
// a desktop's screensaver is not asked to lock a display it does not own.
var sessionBusVars = []string{
	"DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "XDG_CURRENT_DESKTOP",
	"XDG_SESSION_DESKTOP", "XDG_SESSION_ID", "XDG_SESSION_TYPE", "XDG_SEAT_PATH",
	"XDG_SESSION_PATH", "DESKTOP_SESSION", "GNOME_DESKTOP_SESSION_ID",
	"KDE_FULL_SESSION", "WAYLAND_DISPLAY",
}

// childEnv returns the environment for a helper program acting on the
// display: this process's environment with DISPLAY set, and without the
// session-bus variables when the display is foreign.
func (h *Host) childEnv() []string {
	drop := map[string]bool{"DISPLAY": true}
	if h.foreignDisplay() {
		for _, k := range sessionBusVars {
			drop[k] = true
		}
	}
	env := os.Environ()
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			out = append(out, kv)
		}
	}
	if d := h.display(); d != "" {
		out = append(out, "DISPLAY="+d)
	}
	return out
}
