package store

import (
	"fmt"

	"github.com/tandemhq/tandem/protocol"
)

var tokenKindNames = []string{"unknown", "rep", "customer", "survey", "specialist"}

// String returns the kind's name: "rep", "customer", ...
func (k TokenKind) String() string {
	if k < 0 || int(k) >= len(tokenKindNames) {
		return fmt.Sprintf("TokenKind(%d)", int(k))
	}
	return tokenKindNames[k]
}

// MarshalText implements encoding.TextMarshaler.
func (k TokenKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it refuses "unknown".
func (k *TokenKind) UnmarshalText(b []byte) error {
	i, err := parseName(tokenKindNames, "token kind", string(b))
	*k = TokenKind(i)
	return err
}

var queueKindNames = []string{"unknown", "personal", "team"}

// String returns the kind's name: "personal", "team", ...
func (k QueueKind) String() string {
	if k < 0 || int(k) >= len(queueKindNames) {
		return fmt.Sprintf("QueueKind(%d)", int(k))
	}
	return queueKindNames[k]
}

// MarshalText implements encoding.TextMarshaler.
func (k QueueKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it refuses "unknown".
func (k *QueueKind) UnmarshalText(b []byte) error {
	i, err := parseName(queueKindNames, "queue kind", string(b))
	*k = QueueKind(i)
	return err
}

// parseName returns the index of s in names, refusing index 0 (unknown).
func parseName(names []string, what, s string) (int, error) {
	for i, n := range names {
		if i > 0 && n == s {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%s %q not known", what, s)
}

// roleText encodes a role for a column; RoleUnknown is "".
func roleText(r protocol.Role) (string, error) {
	if r == protocol.RoleUnknown {
		return "", nil
	}
	b, err := r.MarshalText()
	if err != nil {
		return "", err
	}
	var back protocol.Role
	if back.UnmarshalText(b) != nil {
		return "", fmt.Errorf("role %v not storable", r)
	}
	return string(b), nil
}

// parseRole decodes a role column; "" is RoleUnknown.
func parseRole(s string) (protocol.Role, error) {
	var r protocol.Role
	if s == "" {
		return r, nil
	}
	if err := r.UnmarshalText([]byte(s)); err != nil {
		return r, fmt.Errorf("stored role: %w", err)
	}
	return r, nil
}

// parseState decodes a session state column.
func parseState(s string) (protocol.SessionState, error) {
	var st protocol.SessionState
	if err := st.UnmarshalText([]byte(s)); err != nil {
		return st, fmt.Errorf("stored state: %w", err)
	}
	return st, nil
}

// stateText encodes a known session state.
func stateText(st protocol.SessionState) (string, error) {
	if st <= protocol.StateUnknown || st > protocol.StateEnded {
		return "", fmt.Errorf("session state %v not storable", st)
	}
	return st.String(), nil
}
