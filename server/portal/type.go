// Package portal holds the configuration model of a public portal: its type,
// the customer client's configuration and the per-portal functions.
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
