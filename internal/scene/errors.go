package scene

import "errors"

var (
	// ErrClosed is returned by methods called after Close.
	ErrClosed = errors.New("scene: closed")
	// ErrDisconnected is returned when the connection to the X server is gone.
	ErrDisconnected = errors.New("scene: X connection lost")
	// ErrInvalidMode is returned for a Mode outside ModeIdle, ModeTyping and
	// ModeScrolling, or for text that names none of them.
	ErrInvalidMode = errors.New("scene: invalid mode")
	// ErrInvalidOptions is returned by Start for rates that are negative,
	// not a number or infinite.
	ErrInvalidOptions = errors.New("scene: invalid options")
	// ErrNoFont is returned by Start when the X server has none of the fonts
	// the scene can draw with (not even "fixed").
	ErrNoFont = errors.New("scene: no usable core font")
	// ErrScreenTooSmall is returned by Start for a root window smaller than
	// MinWidth x MinHeight.
	ErrScreenTooSmall = errors.New("scene: screen too small")
)
