package host

import (
	"context"

	"golang.org/x/sys/unix"
)

// collectOS fills in the macOS version (sysctl kern.osproductversion) and
// the Darwin kernel release (uname). The monitor count needs CoreGraphics,
// which needs cgo, so it stays 0.
func (h *Host) collectOS(_ context.Context, info *SystemInfo) {
	info.OSName = "macOS"
	if v, err := unix.Sysctl("kern.osproductversion"); err == nil {
		info.OSVersion = v
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		info.Kernel = unix.ByteSliceToString(u.Release[:])
	}
}
