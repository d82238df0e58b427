//go:build !linux

package x11win

import (
	"context"
	"errors"
)

// Find waits until a top-level window matching m appears on display.
func Find(ctx context.Context, display string, m Match) (Window, error) {
	return 0, errors.ErrUnsupported
}

// MoveToCorner moves win to a corner of the monitor it is on.
func MoveToCorner(ctx context.Context, display string, win Window, corner Corner, margin int) error {
	return errors.ErrUnsupported
}

// KeepAbove keeps win above other windows and raises it.
func KeepAbove(ctx context.Context, display string, win Window) error {
	return errors.ErrUnsupported
}

// Iconify asks the window manager to iconify win.
func Iconify(ctx context.Context, display string, win Window) error {
	return errors.ErrUnsupported
}

// NoFocusOnMap marks win not to take the input focus when it is mapped.
func NoFocusOnMap(ctx context.Context, display string, win Window) error {
	return errors.ErrUnsupported
}

// Frame returns the rectangle win covers on the screen, with the frame the
// window manager drew around it.
func Frame(ctx context.Context, display string, win Window) (Rect, error) {
	return Rect{}, errors.ErrUnsupported
}

// Active returns the active window.
func Active(ctx context.Context, display string) (Window, error) {
	return 0, errors.ErrUnsupported
}

// Activate gives win the focus.
func Activate(ctx context.Context, display string, win Window) error {
	return errors.ErrUnsupported
}
