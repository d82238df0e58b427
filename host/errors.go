package host

import "errors"

var (
	// ErrInvalidValue is wrapped when a value from outside is refused: a
	// name UnmarshalText does not know, an invalid EndAction passed to
	// [Host.End], a NUL byte in [Host.Elevate]'s arguments, a malformed
	// os-release line.
	ErrInvalidValue = errors.New("invalid value")

	// ErrNoMethod is wrapped (through [*AttemptError]) when every way of
	// carrying out an action was tried and none worked.
	ErrNoMethod = errors.New("no method worked")

	// ErrElevationDisabled is returned by [Host.Elevate] when the policy does
	// not allow an attempt ([ElevationNever] or an unknown policy).
	ErrElevationDisabled = errors.New("elevation not allowed by policy")

	// ErrElevationWouldPrompt is returned by [Host.Elevate] under
	// [ElevationIfNoPrompt] when elevating would ask the customer for
	// permission or a password.
	ErrElevationWouldPrompt = errors.New("elevation would prompt the customer")

	// ErrElevationDeclined is returned when the customer dismissed or refused
	// the system's elevation prompt.
	ErrElevationDeclined = errors.New("elevation declined by the customer")

	// ErrElevationUnavailable is returned when this machine offers no way to
	// elevate (no pkexec and no sudo, for example).
	ErrElevationUnavailable = errors.New("no elevation mechanism available")

	// ErrServiceUnavailable is returned by [ServiceManager.Probe] and the
	// other service operations when services cannot be installed here:
	// the system's service manager does not run, or the process lacks the
	// administrative rights to install one.
	ErrServiceUnavailable = errors.New("cannot install a service here")
)
