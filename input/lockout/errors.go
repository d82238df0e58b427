package lockout

import "errors"

var (
	// ErrNoDisplay is wrapped when the X display cannot be reached.
	ErrNoDisplay = errors.New("no usable display for input lockout")

	// ErrGrabbed is wrapped when another client holds the pointer or the
	// keyboard (an open menu, a screen locker) for longer than Engage
	// waits.
	ErrGrabbed = errors.New("pointer or keyboard held by another client")

	// ErrDenied is wrapped when the system refuses to block input, as
	// Windows does for a process that is not elevated.
	ErrDenied = errors.New("the system refused to block input")

	// ErrBusy is returned by Engage while another Lockout of this process
	// is engaged.
	ErrBusy = errors.New("another input lockout of this process is engaged")
)
