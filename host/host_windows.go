package host

import (
	"context"
	"fmt"

	"golang.org/x/sys/windows"
)

// On Windows, Lock calls LockWorkStation and LogOff calls
// ExitWindowsEx(EWX_LOGOFF), both from user32.dll. Both act on the
// interactive session of the calling process, so the client must run on the
// customer's desktop (not as a service in session 0).

var (
	user32               = windows.NewLazySystemDLL("user32.dll")
	procLockWorkStation  = user32.NewProc("LockWorkStation")
	procGetSystemMetrics = user32.NewProc("GetSystemMetrics")
)

func (h *Host) lockMethods() []method {
	return []method{{"LockWorkStation", lockWorkStation}}
}

func (h *Host) logOffMethods() []method {
	return []method{{"ExitWindowsEx", exitWindowsLogOff}}
}

func lockWorkStation(context.Context) (int, error) {
	if err := procLockWorkStation.Find(); err != nil {
		return 0, err
	}
	// LockWorkStation returns zero on failure; the reason is the last error.
	if r, _, err := procLockWorkStation.Call(); r == 0 {
		return 0, fmt.Errorf("LockWorkStation: %w", err)
	}
	return 0, nil
}

func exitWindowsLogOff(context.Context) (int, error) {
	const reason = windows.SHTDN_REASON_MAJOR_OTHER | windows.SHTDN_REASON_FLAG_PLANNED
	if err := windows.ExitWindowsEx(windows.EWX_LOGOFF, reason); err != nil {
		return 0, fmt.Errorf("ExitWindowsEx: %w", err)
	}
	return 0, nil
}
