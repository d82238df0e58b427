//go:build !linux

package hotkey

import (
	"errors"
	"log/slog"
)

// Hotkey is a registered combination.
type Hotkey struct{}

func register(string, func(), *slog.Logger) (*Hotkey, error) {
	return nil, errors.ErrUnsupported
}

// Close does nothing.
func (h *Hotkey) Close() error { return nil }
