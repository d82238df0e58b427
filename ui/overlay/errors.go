package overlay

import "errors"

var (
	// ErrClosed is returned by Draw and Clear after Close.
	ErrClosed = errors.New("overlay: closed")
	// ErrBadStroke is returned by Draw for a stroke that cannot be drawn.
	ErrBadStroke = errors.New("overlay: bad stroke")
	// ErrPixelFormat is returned by Show when the screen's pixels are
	// not true colour with 8-bit red, green and blue.
	ErrPixelFormat = errors.New("overlay: unsupported pixel format")
	// ErrNoShape is returned by Show when the X server lacks SHAPE 1.1,
	// without which the overlay would cover the desktop.
	ErrNoShape = errors.New("overlay: X server has no SHAPE extension 1.1")
)
