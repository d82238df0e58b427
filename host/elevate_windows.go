package host

import (
	"context"
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// On Windows a process is elevated when its token is (UAC's "elevated"
// token, or any administrator token with UAC off).
//
// Elevate relaunches through ShellExecute with the "runas" verb, which asks
// UAC; the customer's refusal is ErrElevationDeclined. ShellExecute returns
// once the process was launched, so Elevation.Wait returns nil at once.
//
// ElevationIfNoPrompt elevates only when runas would not prompt, as far as
// the process can tell: the user is an administrator running with UAC's
// limited (split) token, and the UAC policy ConsentPromptBehaviorAdmin
// (HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System) is 0,
// "elevate without prompting". A standard user would be asked for an
// administrator's credentials; an administrator under the default policy
// (5) is asked for consent. Group policies that replace these settings and
// per-application compatibility shims are not detected.

// tokenElevationTypeLimited is TOKEN_ELEVATION_TYPE's TokenElevationTypeLimited:
// an administrator's filtered token under UAC.
const tokenElevationTypeLimited = 3

// IsElevated reports whether the process runs with administrative rights:
// root on Linux and macOS, an elevated token on Windows.
func IsElevated() bool { return windows.GetCurrentProcessToken().IsElevated() }

func (h *Host) elevate(ctx context.Context, policy ElevationPolicy, exe string, args []string) (*Elevation, error) {
	if policy == ElevationIfNoPrompt {
		if err := uacWouldNotPrompt(); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrElevationWouldPrompt, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	verb, err := windows.UTF16PtrFromString("runas")
	if err != nil {
		return nil, err
	}
	file, err := windows.UTF16PtrFromString(exe)
	if err != nil {
		return nil, fmt.Errorf("executable %q: %w", exe, err)
	}
	params, err := windows.UTF16PtrFromString(windows.ComposeCommandLine(args))
	if err != nil {
		return nil, fmt.Errorf("arguments: %w", err)
	}
	if err := windows.ShellExecute(0, verb, file, params, nil, windows.SW_SHOWNORMAL); err != nil {
		if errors.Is(err, windows.ERROR_CANCELLED) {
			return nil, fmt.Errorf("runas: %w", ErrElevationDeclined)
		}
		return nil, fmt.Errorf("runas: %w", err)
	}
	return &Elevation{Method: "runas"}, nil
}

// uacWouldNotPrompt returns nil when runas would elevate without a prompt,
// and otherwise the reason it would prompt.
func uacWouldNotPrompt() error {
	var typ, n uint32
	err := windows.GetTokenInformation(windows.GetCurrentProcessToken(), windows.TokenElevationType,
		(*byte)(unsafe.Pointer(&typ)), uint32(unsafe.Sizeof(typ)), &n)
	if err != nil {
		return fmt.Errorf("token elevation type: %w", err)
	}
	if typ != tokenElevationTypeLimited {
		return errors.New("the user is not an administrator under UAC: runas asks for an administrator's credentials")
	}
	k, err := registry.OpenKey(registry.LOCAL_MACHINE,
		`SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System`, registry.QUERY_VALUE)
	if err != nil {
		return fmt.Errorf("UAC policy: %w", err)
	}
	defer k.Close()
	v, _, err := k.GetIntegerValue("ConsentPromptBehaviorAdmin")
	if err != nil {
		return fmt.Errorf("UAC policy ConsentPromptBehaviorAdmin: %w", err)
	}
	if v != 0 {
		return fmt.Errorf("UAC prompts administrators (ConsentPromptBehaviorAdmin=%d)", v)
	}
	return nil
}
