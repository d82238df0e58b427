package host

import (
	"context"
	"fmt"
)

// ElevationStep is what the client does about elevation at one moment:
// the outcome of [DecideElevation].
type ElevationStep int

const (
	// ElevationStepUnknown is the zero value; DecideElevation never
	// returns it.
	ElevationStepUnknown ElevationStep = iota
	// ElevationStay leaves the client as it runs: it is elevated already,
	// or the policy does not elevate now.
	ElevationStay
	// ElevationSilently relaunches the client through [Host.Elevate] with
	// [ElevationIfNoPrompt]: nothing asks the customer.
	ElevationSilently
	// ElevationPrompting relaunches the client through [Host.Elevate] with
	// [ElevationAlways]: the system asks the customer (pkexec's polkit
	// agent, UAC, the macOS authorization dialog).
	ElevationPrompting
)

var elevationStepNames = [...]string{"unknown", "stay", "silently", "prompting"}

// String returns the step's name: "unknown", "stay", "silently" or
// "prompting".
func (s ElevationStep) String() string {
	if s < 0 || int(s) >= len(elevationStepNames) {
		return fmt.Sprintf("ElevationStep(%d)", int(s))
	}
	return elevationStepNames[s]
}

// MarshalText implements encoding.TextMarshaler.
func (s ElevationStep) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Policy is the policy to pass to [Host.Elevate] for the step:
// ElevationIfNoPrompt for ElevationSilently, ElevationAlways for
// ElevationPrompting, and ElevationUnknown (Elevate refuses it) otherwise.
func (s ElevationStep) Policy() ElevationPolicy {
	switch s {
	case ElevationSilently:
		return ElevationIfNoPrompt
	case ElevationPrompting:
		return ElevationAlways
	}
	return ElevationUnknown
}

// ElevationFacts are what [DecideElevation] decides on.
type ElevationFacts struct {
	// Elevated: the process runs with administrative rights already
	// ([IsElevated]).
	Elevated bool
	// Policy is the portal's automatic elevation setting.
	Policy ElevationPolicy
	// Requested: a rep asked for elevation and the customer accepted in
	// the client. False at the client's start.
	Requested bool
	// Silent: elevating would not prompt the customer
	// ([Host.ProbeSilentElevation] returned nil).
	Silent bool
}

// DecideElevation decides what the client does about elevation:
//   - elevated already: nothing, whatever else holds;
//   - a rep's request the customer accepted: elevate, silently where that
//     is possible (the customer has said yes once), else through the
//     system's prompt — whatever the automatic policy, since "never" means
//     "only when the rep asks";
//   - at start, by the portal's policy: never (or unset) stays;
//     if-no-prompt elevates only silently; always elevates, silently
//     where possible, else with the system's prompt.
func DecideElevation(f ElevationFacts) ElevationStep {
	switch {
	case f.Elevated:
		return ElevationStay
	case f.Requested || f.Policy == ElevationAlways:
		if f.Silent {
			return ElevationSilently
		}
		return ElevationPrompting
	case f.Policy == ElevationIfNoPrompt && f.Silent:
		return ElevationSilently
	}
	return ElevationStay
}

// ProbeSilentElevation returns nil when [Host.Elevate] with
// [ElevationIfNoPrompt] would elevate without asking the customer, and
// otherwise why not, wrapping [ErrElevationWouldPrompt] (or
// errors.ErrUnsupported on systems without elevation). On Linux and macOS
// it runs `sudo -n true`; on Windows it reads the token and the UAC policy.
// It does not say whether the process is elevated already: see
// [IsElevated].
func (h *Host) ProbeSilentElevation(ctx context.Context) error {
	if err := probeSilent(ctx); err != nil {
		return fmt.Errorf("probe silent elevation: %w", err)
	}
	return nil
}
