//go:build !linux && !windows && !darwin

package lockout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
)

// system is the per-OS lockout; this system has none.
type system struct{}

func engage(context.Context, string, *slog.Logger) (*system, error) {
	return nil, fmt.Errorf("input lockout is not implemented on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

func (*system) alive() bool    { return false }
func (*system) release() error { return nil }
