package scene

import "fmt"

// Mode is what the scene animates.
type Mode int

const (
	// ModeUnknown is the zero value; it is not a valid mode to set.
	ModeUnknown Mode = iota
	// ModeIdle changes nothing on screen.
	ModeIdle
	// ModeTyping appends characters to the current line of the page at
	// Options.TypingRate, wrapping lines like someone typing.
	ModeTyping
	// ModeScrolling scrolls the page continuously at Options.ScrollRate,
	// updated at 60 Hz.
	ModeScrolling
)

var modeNames = [...]string{
	ModeUnknown:   "unknown",
	ModeIdle:      "idle",
	ModeTyping:    "typing",
	ModeScrolling: "scrolling",
}

// String returns the mode's lower-case name, such as "scrolling".
func (m Mode) String() string {
	if m < 0 || int(m) >= len(modeNames) {
		return fmt.Sprintf("Mode(%d)", int(m))
	}
	return modeNames[m]
}

// MarshalText returns the mode's name, as String does.
func (m Mode) MarshalText() ([]byte, error) {
	return []byte(m.String()), nil
}

// UnmarshalText sets m from a name that ParseMode accepts.
func (m *Mode) UnmarshalText(text []byte) error {
	v, err := ParseMode(string(text))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseMode returns the mode named "idle", "typing" or "scrolling".
func ParseMode(s string) (Mode, error) {
	for m := ModeIdle; m <= ModeScrolling; m++ {
		if modeNames[m] == s {
			return m, nil
		}
	}
	return ModeUnknown, fmt.Errorf("parse mode %q: %w", s, ErrInvalidMode)
}

// valid reports whether m can be set on a scene.
func (m Mode) valid() bool {
	return m >= ModeIdle && m <= ModeScrolling
}
