//go:build !linux

package indicator

import (
	"errors"
	"image"
	"log/slog"
)

// Indicator is the banner on the screen; it exists only on Linux.
type Indicator struct{}

// Show returns errors.ErrUnsupported: the banner exists only on Linux.
func Show(display string, text string, log *slog.Logger) (*Indicator, error) {
	return nil, errors.ErrUnsupported
}

// SetText returns errors.ErrUnsupported.
func (i *Indicator) SetText(text string) error { return errors.ErrUnsupported }

// Bounds returns the empty rectangle.
func (i *Indicator) Bounds() image.Rectangle { return image.Rectangle{} }

// Close does nothing.
func (i *Indicator) Close() error { return nil }
