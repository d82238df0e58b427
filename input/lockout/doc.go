// Package lockout disables the local mouse and keyboard of the customer's
// machine while the rep's connection is down, so that nobody at the
// customer's desk acts in the rep's place during the gap (issue 4,
// "Connection loss").
//
// [Engage] takes the input away and returns a [Lockout]; [Lockout.Release]
// gives it back. The customer client engages a lockout when the connection
// drops (if the portal's setting asks for it) and releases it on reconnect,
// at session end and when it exits normally.
//
// # The crash guarantee
//
// Input must also come back when the customer client crashes or is killed,
// without a watchdog process. The lockout relies on guarantees of the
// system itself, never on code of this process running at exit:
//
//   - X11: the lockout is an active pointer grab and an active keyboard
//     grab held by a dedicated pure-Go X connection. The X server releases
//     a client's grabs when its connection closes, and the kernel closes the
//     connection when the process ends for any reason (crash, SIGKILL, OOM
//     killer). The socket is close-on-exec, so a child process (a relaunch
//     through pkexec, say) does not keep it alive. The tests prove this on
//     Xvfb: a process engages a lockout, is killed with SIGKILL, and another
//     client can grab and receive input at once.
//   - Windows: the lockout is BlockInput(TRUE) called on an operating system
//     thread of its own, which exits after Release. Windows unblocks input
//     when the thread that blocked it exits, and so when the process ends.
//     Ctrl+Alt+Del also unblocks input: the user always has that way out.
//     BlockInput works only for an elevated process; otherwise Engage
//     returns an error wrapping [ErrDenied].
//
// A process that hangs but stays alive keeps the lockout: the caller's own
// reconnect timer must Release it, as it does when the rep does not come
// back in time.
//
// # While engaged
//
// On X11 every pointer and keyboard event goes to the lockout's connection,
// which discards it: events from the physical devices and synthetic ones
// (XTest, xdotool) alike, including the injector of package input/inject,
// which is idle while the rep is away. Other clients cannot grab the devices
// (a screen locker that starts meanwhile cannot grab the keyboard either,
// which is why the lockout must end when the session does). Xorg's
// AllowDeactivateGrabs option (off by default) lets a user break grabs with
// a key combination.
//
// # Other systems
//
// On macOS and other systems Engage returns an error wrapping
// errors.ErrUnsupported: macOS would need an event tap with the
// Accessibility permission.
package lockout
