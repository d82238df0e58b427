//go:build !(linux && cgo)

package inject

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime"

	"github.com/tandemhq/tandem/input"
)

// system is the per-OS injection backend; this build has none.
type system struct{}

func newSystem(string, *slog.Logger) (*system, error) {
	return nil, fmt.Errorf("input injection needs Linux built with cgo; this is %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

func (*system) move(x, y int32) error           { return errors.ErrUnsupported }
func (*system) button(input.Button, bool) error { return errors.ErrUnsupported }
func (*system) wheel(dx, dy int32) error        { return errors.ErrUnsupported }
func (*system) key(input.Key, bool) error       { return errors.ErrUnsupported }
func (*system) typeText(string) error           { return errors.ErrUnsupported }
func (*system) close() error                    { return nil }
