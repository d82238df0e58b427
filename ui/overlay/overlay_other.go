//go:build !linux

package overlay

import (
	"errors"
	"log/slog"
)

// Overlay is the drawing over the desktop; it exists only on Linux.
type Overlay struct{}

// Show returns errors.ErrUnsupported: the overlay exists only on Linux.
func Show(display string, log *slog.Logger) (*Overlay, error) { return nil, errors.ErrUnsupported }

// Draw returns errors.ErrUnsupported.
func (o *Overlay) Draw(s Stroke) error { return errors.ErrUnsupported }

// Clear returns errors.ErrUnsupported.
func (o *Overlay) Clear() error { return errors.ErrUnsupported }

// Close does nothing.
func (o *Overlay) Close() error { return nil }
