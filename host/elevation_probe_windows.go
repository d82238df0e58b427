package host

import (
	"context"
	"fmt"
)

func probeSilent(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := uacWouldNotPrompt(); err != nil {
		return fmt.Errorf("%w: %v", ErrElevationWouldPrompt, err)
	}
	return nil
}
