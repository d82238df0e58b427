package host

import "fmt"

// EndAction is what the customer client does to the customer's desktop
// session when a support session ends (the seed's "Session Termination
// Behavior").
type EndAction int

const (
	// EndUnknown is the zero value: no choice was made or the value was not
	// understood.
	EndUnknown EndAction = iota
	// EndNothing leaves the desktop session as it is.
	EndNothing
	// EndLock locks the desktop session.
	EndLock
	// EndLogOff logs the customer out of the desktop session.
	EndLogOff
)

var endActionNames = [...]string{"unknown", "nothing", "lock", "logoff"}

// String returns the action's name: "unknown", "nothing", "lock" or
// "logoff".
func (a EndAction) String() string {
	if a < 0 || int(a) >= len(endActionNames) {
		return fmt.Sprintf("EndAction(%d)", int(a))
	}
	return endActionNames[a]
}

// Valid reports whether a is one of EndNothing, EndLock and EndLogOff.
func (a EndAction) Valid() bool { return a >= EndNothing && a <= EndLogOff }

// MarshalText implements encoding.TextMarshaler.
func (a EndAction) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler. Only the names String
// returns for EndNothing, EndLock and EndLogOff are accepted.
func (a *EndAction) UnmarshalText(b []byte) error {
	for i, n := range endActionNames {
		if i > 0 && n == string(b) {
			*a = EndAction(i)
			return nil
		}
	}
	return fmt.Errorf("%w: end action %q", ErrInvalidValue, b)
}

// DecideEndAction returns what to do at session end.
//
// portal is the portal's Session Termination Behavior setting. override is
// the rep's choice from the session summary, EndUnknown when the rep made
// none. overrideAllowed is whether the session policy lets the rep override
// the portal's setting.
//
// The rules, in order:
//   - The rep's override applies only when overrideAllowed is true and the
//     override is a valid action (EndNothing, EndLock or EndLogOff); an
//     override of EndNothing is a real choice and wins over the portal's
//     lock or log off.
//   - Otherwise (no override, override not allowed, or an unknown or
//     invalid override) the portal's setting applies.
//   - A portal setting that is unknown or invalid yields EndNothing: the
//     client never locks or logs off a desktop nobody configured it to.
//
// The result is always valid.
func DecideEndAction(portal, override EndAction, overrideAllowed bool) EndAction {
	if overrideAllowed && override.Valid() {
		return override
	}
	if portal.Valid() {
		return portal
	}
	return EndNothing
}
