package inject

import "errors"

var (
	// ErrNoDisplay is wrapped when the display cannot be reached or lacks
	// what injection needs (the XTEST extension on X11).
	ErrNoDisplay = errors.New("no usable display for input injection")

	// ErrBusy is returned by New while another Injector of this process is
	// open.
	ErrBusy = errors.New("another injector is open in this process")

	// ErrClosed is returned by the methods of a closed Injector.
	ErrClosed = errors.New("injector closed")

	// ErrOutOfScreen is wrapped when a pointer move lies outside the
	// desktop.
	ErrOutOfScreen = errors.New("pointer position outside the desktop")

	// ErrNoKey is wrapped when a physical key has no key code on this
	// system, or a character cannot be typed.
	ErrNoKey = errors.New("key not available on this system")

	// ErrInvalidEvent is wrapped when an event does not pass
	// input.Event.Validate.
	ErrInvalidEvent = errors.New("invalid input event")
)
