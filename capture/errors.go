package capture

import "errors"

var (
	// ErrClosed is returned by methods of a Capturer after Close.
	ErrClosed = errors.New("capture: capturer closed")
	// ErrNoMonitor is returned by Select for an index that names no monitor.
	ErrNoMonitor = errors.New("capture: no such monitor")
	// ErrNoShm is returned when the X server offers no usable MIT-SHM
	// (a remote server, another IPC namespace, or the extension is off).
	ErrNoShm = errors.New("capture: MIT-SHM unavailable")
	// ErrPixelFormat is returned when the screen's pixels are not 32-bit
	// true colour with 8-bit red, green and blue, the only layout the
	// XShm backend converts.
	ErrPixelFormat = errors.New("capture: unsupported pixel format")
	// ErrDisplay is returned when the screenshot backend is asked for a
	// display other than $DISPLAY: kbinani/screenshot only opens $DISPLAY.
	ErrDisplay = errors.New("capture: the screenshot backend only captures $DISPLAY")
	// ErrEmptyScreen is returned when the display reports no pixels to
	// capture (no monitor of positive size).
	ErrEmptyScreen = errors.New("capture: screen has no area")
)
