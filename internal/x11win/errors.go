package x11win

import "errors"

var (
	// ErrNotFound means no window matched before the context ended.
	ErrNotFound = errors.New("x11win: no such window")
	// ErrNoMatch means a Match with no field set.
	ErrNoMatch = errors.New("x11win: match names neither a process nor a title")
	// ErrBadCorner means a Corner that is not one of the four.
	ErrBadCorner = errors.New("x11win: not a corner")
	// ErrNoWindowManager means the request needs a window manager and none
	// runs on the display.
	ErrNoWindowManager = errors.New("x11win: no window manager on the display")
	// ErrBadWindow means the window does not exist (any more).
	ErrBadWindow = errors.New("x11win: no such window on the display")
)
