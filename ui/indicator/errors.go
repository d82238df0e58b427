package indicator

import "errors"

var (
	// ErrClosed is returned by SetText after Close.
	ErrClosed = errors.New("indicator: closed")
	// ErrPixelFormat is returned by Show when the screen's pixels are
	// not 32-bit true colour with 8-bit red, green and blue.
	ErrPixelFormat = errors.New("indicator: unsupported pixel format")
)
