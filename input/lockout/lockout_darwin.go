package lockout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// system is the per-OS lockout; macOS has none yet.
type system struct{}

func engage(context.Context, string, *slog.Logger) (*system, error) {
	return nil, fmt.Errorf("input lockout on macOS needs an event tap with the Accessibility permission: %w", errors.ErrUnsupported)
}

func (*system) alive() bool    { return false }
func (*system) release() error { return nil }
