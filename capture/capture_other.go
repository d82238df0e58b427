//go:build !linux

package capture

import (
	"errors"
	"log/slog"
)

// openX11 reports that the XShm backend exists only on Linux; Open then
// falls back to kbinani/screenshot.
func openX11(display string, logger *slog.Logger) (backend, error) {
	return nil, errors.ErrUnsupported
}
