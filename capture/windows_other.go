//go:build !linux

package capture

import (
	"errors"
	"image"
	"log/slog"
)

// listWindows reports that window listing exists only on Linux (X11).
func listWindows(display string) ([]Window, error) {
	return nil, errors.ErrUnsupported
}

// windowWatch exists only on Linux.
type windowWatch struct{}

// newWindowWatch reports that ShareOnly exists only on Linux (X11).
func newWindowWatch(display string, ids []WindowID, set func([]image.Rectangle), log *slog.Logger) (*windowWatch, error) {
	return nil, errors.ErrUnsupported
}

func (w *windowWatch) start() {}

func (w *windowWatch) close() {}

func (w *windowWatch) sync() {}
