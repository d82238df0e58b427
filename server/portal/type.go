// Package portal holds the administration model of Tandem's public portals:
// a portal's URL (path or host), type, subportals, the customer client's
// configuration (protocol.CustomerClientConfig, with the per-portal
// functions), business hours, the queue wait estimate, the chat window
// banner, teams, customer notices, canned messages and audit records; and
// [Admin], the validated and audited operations on them that the JSON API
// and the admin pages share.
package portal

import "fmt"

// Type is the kind of public portal a customer reaches.
type Type int

// Portal types.
const (
	// SmartButton is one button; the request is broadcast to available reps.
	SmartButton Type = iota + 1
	// SmartBox collects a question; broadcast or queue mode.
	SmartBox
	// SmartMatch lets the customer pick one of the signed-in reps.
	SmartMatch
	// SmartPin accepts a rep's 9-digit code.
	SmartPin
	// CodePage is the global code page that accepts any portal's code.
	CodePage
)

var typeNames = map[Type]string{
	SmartButton: "smartbutton",
	SmartBox:    "smartbox",
	SmartMatch:  "smartmatch",
	SmartPin:    "smartpin",
	CodePage:    "codepage",
}

// String returns the type's lower-case name.
func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// MarshalText encodes the type as its name.
func (t Type) MarshalText() ([]byte, error) {
	if _, ok := typeNames[t]; !ok {
		return nil, fmt.Errorf("%w: %d", ErrUnknownType, int(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText decodes a type name.
func (t *Type) UnmarshalText(b []byte) error {
	for k, n := range typeNames {
		if n == string(b) {
			*t = k
			return nil
		}
	}
	return fmt.Errorf("%w: %q", ErrUnknownType, b)
}
