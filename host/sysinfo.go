package host

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"runtime"
)

// SystemInfo describes the customer's machine for the rep's session
// summary.
type SystemInfo struct {
	// Hostname is the machine's host name.
	Hostname string `json:"hostname"`
	// OS is the operating system family, as runtime.GOOS: "linux",
	// "windows", "darwin".
	OS string `json:"os"`
	// OSName is the distribution or product name, such as
	// "Debian GNU/Linux", "Windows 11 Pro" or "macOS".
	OSName string `json:"osName,omitempty"`
	// OSVersion is its version, such as "12 (bookworm)", "23H2" or "14.5".
	OSVersion string `json:"osVersion,omitempty"`
	// Kernel is the kernel release, such as "6.1.0-18-amd64" or
	// "10.0.22631".
	Kernel string `json:"kernel,omitempty"`
	// Arch is the processor architecture, as runtime.GOARCH.
	Arch string `json:"arch"`
	// User is the name of the user the client runs as.
	User string `json:"user,omitempty"`
	// Elevated reports whether the client runs with administrative rights.
	Elevated bool `json:"elevated"`
	// Screens is the number of monitors, 0 when it could not be found
	// cheaply.
	Screens int `json:"screens,omitempty"`
}

// Collect describes this machine. Only the host name is required; a field
// the platform cannot tell stays empty. ctx bounds the whole collection.
func (h *Host) Collect(ctx context.Context) (SystemInfo, error) {
	name, err := os.Hostname()
	if err != nil {
		return SystemInfo{}, fmt.Errorf("system info: host name: %w", err)
	}
	info := SystemInfo{
		Hostname: name,
		OS:       runtime.GOOS,
		Arch:     runtime.GOARCH,
		Elevated: IsElevated(),
	}
	if u, err := user.Current(); err == nil {
		info.User = u.Username
	}
	h.collectOS(ctx, &info)
	if err := ctx.Err(); err != nil {
		return SystemInfo{}, fmt.Errorf("system info: %w", err)
	}
	return info, nil
}
