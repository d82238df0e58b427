//go:build linux || darwin

package host

import (
	"context"
	"fmt"
)

func probeSilent(ctx context.Context) error {
	if err := sudoProbe(ctx); err != nil {
		return fmt.Errorf("%w: %v", ErrElevationWouldPrompt, err)
	}
	return nil
}
