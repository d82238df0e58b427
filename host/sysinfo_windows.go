package host

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// smCMonitors is GetSystemMetrics' SM_CMONITORS: the number of display
// monitors on the desktop.
const smCMonitors = 80

// collectOS fills in the product name and version from the registry, the
// kernel version from RtlGetVersion (which, unlike GetVersionEx, is not
// subject to compatibility shims) and the monitor count from
// GetSystemMetrics.
func (h *Host) collectOS(_ context.Context, info *SystemInfo) {
	v := windows.RtlGetVersion()
	info.Kernel = fmt.Sprintf("%d.%d.%d", v.MajorVersion, v.MinorVersion, v.BuildNumber)
	if k, err := registry.OpenKey(registry.LOCAL_MACHINE,
		`SOFTWARE\Microsoft\Windows NT\CurrentVersion`, registry.QUERY_VALUE); err == nil {
		product, _, _ := k.GetStringValue("ProductName")
		// Windows 11 still reports "Windows 10 …"; build 22000 is 11's first.
		if v.BuildNumber >= 22000 {
			if rest, ok := strings.CutPrefix(product, "Windows 10"); ok {
				product = "Windows 11" + rest
			}
		}
		info.OSName = product
		if dv, _, err := k.GetStringValue("DisplayVersion"); err == nil {
			info.OSVersion = dv
		} else if id, _, err := k.GetStringValue("ReleaseId"); err == nil {
			info.OSVersion = id
		}
		k.Close()
	}
	if procGetSystemMetrics.Find() == nil {
		n, _, _ := procGetSystemMetrics.Call(smCMonitors)
		info.Screens = int(n)
	}
}
