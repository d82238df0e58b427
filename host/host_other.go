//go:build !linux && !windows && !darwin

package host

import (
	"context"
	"errors"
	"os"
)

// Other systems have no session-end actions and no elevation; their
// methods return errors.ErrUnsupported.

func unsupported(context.Context) (int, error) { return 0, errors.ErrUnsupported }

func (h *Host) lockMethods() []method { return []method{{"unsupported", unsupported}} }

func (h *Host) logOffMethods() []method { return []method{{"unsupported", unsupported}} }

// IsElevated reports whether the process runs with administrative rights:
// root on Linux and macOS, an elevated token on Windows.
func IsElevated() bool { return os.Geteuid() == 0 }

func (h *Host) elevate(context.Context, ElevationPolicy, string, []string) (*Elevation, error) {
	return nil, errors.ErrUnsupported
}

func (h *Host) collectOS(context.Context, *SystemInfo) {}
