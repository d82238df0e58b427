//go:build !linux && !windows && !darwin

package host

import (
	"context"
	"errors"
)

func probeSilent(context.Context) error { return errors.ErrUnsupported }
