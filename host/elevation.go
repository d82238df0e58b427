package host

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// ElevationPolicy is the portal's Automatic Elevation setting: whether the
// customer client tries to run with administrative rights.
type ElevationPolicy int

const (
	// ElevationUnknown is the zero value: no setting, treated as
	// ElevationNever.
	ElevationUnknown ElevationPolicy = iota
	// ElevationNever never attempts to elevate unless the rep requests it
	// and the customer accepts; the client then calls Elevate with
	// ElevationAlways.
	ElevationNever
	// ElevationIfNoPrompt elevates only when that does not prompt the
	// customer (sudo without a password, UAC set not to prompt, …).
	ElevationIfNoPrompt
	// ElevationAlways elevates, prompting the customer through the system's
	// authorization dialog if needed.
	ElevationAlways
)

var elevationNames = [...]string{"unknown", "never", "if-no-prompt", "always"}

// String returns the policy's name: "unknown", "never", "if-no-prompt" or
// "always".
func (p ElevationPolicy) String() string {
	if p < 0 || int(p) >= len(elevationNames) {
		return fmt.Sprintf("ElevationPolicy(%d)", int(p))
	}
	return elevationNames[p]
}

// MarshalText implements encoding.TextMarshaler.
func (p ElevationPolicy) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler. Only the names String
// returns for ElevationNever, ElevationIfNoPrompt and ElevationAlways are
// accepted.
func (p *ElevationPolicy) UnmarshalText(b []byte) error {
	for i, n := range elevationNames {
		if i > 0 && n == string(b) {
			*p = ElevationPolicy(i)
			return nil
		}
	}
	return fmt.Errorf("%w: elevation policy %q", ErrInvalidValue, b)
}

// Elevation is a relaunch of the client with administrative rights, started
// by [Host.Elevate].
type Elevation struct {
	// Already is true when the process was elevated already: nothing was
	// started and Wait returns nil at once.
	Already bool
	// Method names the mechanism used: "pkexec", "sudo", "osascript" or
	// "runas". Empty when Already.
	Method string

	wait func() error
}

// Wait blocks until the mechanism that started the elevated process exits
// and reports how it ended. With pkexec and sudo that is when the elevated
// process itself exits (they stay its parent), so a client calls Wait in
// its own goroutine and treats an early error as "elevation failed, carry
// on unelevated": [ErrElevationDeclined] when the customer refused the
// prompt, [ErrElevationWouldPrompt] when sudo wanted a password. With
// osascript and runas it returns once the elevated process was launched.
// Call Wait exactly once.
func (e *Elevation) Wait() error {
	if e.wait == nil {
		return nil
	}
	return e.wait()
}

// Elevate relaunches this program (os.Executable) with administrative
// rights, passing it args, the arguments that let the new process resume
// the session; the caller exits once the new process has taken over. ctx
// bounds the checks made before the launch; the launched process is not
// tied to it.
//
// When the process is elevated already, Elevate does nothing and returns an
// Elevation with Already set, whatever the policy. Otherwise
// ElevationNever and unknown policies return [ErrElevationDisabled];
// ElevationIfNoPrompt returns [ErrElevationWouldPrompt] when elevating
// would prompt; ElevationAlways may prompt. The mechanisms per platform are
// described in elevate_linux.go, elevate_windows.go and elevate_darwin.go;
// other systems return errors.ErrUnsupported.
func (h *Host) Elevate(ctx context.Context, policy ElevationPolicy, args []string) (*Elevation, error) {
	if IsElevated() {
		return &Elevation{Already: true}, nil
	}
	if policy != ElevationIfNoPrompt && policy != ElevationAlways {
		return nil, fmt.Errorf("elevate (%v): %w", policy, ErrElevationDisabled)
	}
	for _, a := range args {
		if strings.ContainsRune(a, 0) {
			return nil, fmt.Errorf("elevate: %w: argument contains a NUL byte", ErrInvalidValue)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("elevate: own executable: %w", err)
	}
	e, err := h.elevate(ctx, policy, exe, args)
	if err != nil {
		return nil, fmt.Errorf("elevate (%v): %w", policy, err)
	}
	return e, nil
}

// elevatedEnvKeys are the variables a relaunch through pkexec or sudo keeps:
// both reset the environment, and the elevated client still has to reach
// the customer's display, session bus and locale.
var elevatedEnvKeys = []string{
	"DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR",
	"DBUS_SESSION_BUS_ADDRESS", "XDG_SESSION_ID", "XDG_CURRENT_DESKTOP",
	"LANG", "LC_ALL",
}

// elevatedEnv returns KEY=value for each of elevatedEnvKeys that getenv
// knows, with DISPLAY set to display when it is not empty. Without
// XAUTHORITY, X clients read ~/.Xauthority, which for root is the wrong
// home: the customer's $HOME/.Xauthority is named explicitly.
func elevatedEnv(getenv func(string) string, display string) []string {
	var env []string
	for _, k := range elevatedEnvKeys {
		v := getenv(k)
		switch {
		case k == "DISPLAY" && display != "":
			v = display
		case k == "XAUTHORITY" && v == "" && getenv("HOME") != "":
			v = strings.TrimSuffix(getenv("HOME"), "/") + "/.Xauthority"
		}
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// sudoCommand is the command line that relaunches exe with args through
// sudo without prompting: sudo -n fails instead of asking for a password.
// The environment goes through env(1), since sudo resets it.
func sudoCommand(exe string, args, env []string) []string {
	cmd := []string{"sudo", "-n", "--", "env"}
	cmd = append(cmd, env...)
	cmd = append(cmd, exe)
	return append(cmd, args...)
}

// pkexecCommand is the command line that relaunches exe with args through
// pkexec, which asks polkit and lets the desktop's agent prompt. The
// environment goes through env(1), since pkexec resets it.
func pkexecCommand(exe string, args, env []string) []string {
	cmd := []string{"pkexec", "env"}
	cmd = append(cmd, env...)
	cmd = append(cmd, exe)
	return append(cmd, args...)
}

// osascriptCommand is the command line that relaunches exe with args on
// macOS through the system authorization prompt: AppleScript's "do shell
// script … with administrator privileges". The program runs in the
// background with its output discarded, so that osascript returns as soon
// as it is launched.
func osascriptCommand(exe string, args []string) []string {
	words := make([]string, 0, len(args)+1)
	words = append(words, shellQuote(exe))
	for _, a := range args {
		words = append(words, shellQuote(a))
	}
	shell := strings.Join(words, " ") + " > /dev/null 2>&1 &"
	script := `do shell script "` + appleScriptEscape(shell) + `" with administrator privileges`
	return []string{"osascript", "-e", script}
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// appleScriptEscape escapes s for an AppleScript string literal.
func appleScriptEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// elevationExitError turns a failed relaunch into an error: the exit code
// and stderr of pkexec, sudo or osascript name what happened.
func elevationExitError(method string, code int, stderr string) error {
	msg := strings.Join(strings.Fields(stderr), " ")
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	var sentinel error
	switch {
	case method == "pkexec" && code == 126:
		sentinel = ErrElevationDeclined // the authentication dialog was dismissed
	case method == "pkexec" && code == 127 && strings.Contains(msg, "No authentication agent"):
		sentinel = ErrElevationUnavailable
	case method == "pkexec" && code == 127:
		sentinel = ErrElevationDeclined // not authorized
	case method == "sudo" && strings.Contains(msg, "password is required"):
		sentinel = ErrElevationWouldPrompt
	case method == "osascript" && strings.Contains(msg, "(-128)"):
		sentinel = ErrElevationDeclined // "User canceled."
	}
	if sentinel != nil {
		if msg == "" {
			return fmt.Errorf("%s: exit status %d: %w", method, code, sentinel)
		}
		return fmt.Errorf("%s: exit status %d: %w: %s", method, code, sentinel, msg)
	}
	if msg == "" {
		return fmt.Errorf("%s: exit status %d", method, code)
	}
	return fmt.Errorf("%s: exit status %d: %s", method, code, msg)
}
