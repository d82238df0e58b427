package input

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of the wire format.
const (
	// MinCoord and MaxCoord bound pointer coordinates.
	MinCoord = -65535
	MaxCoord = 65535

	// MaxWheelSteps bounds each axis of one wheel event.
	MaxWheelSteps = 100

	// MaxTextLen is the longest text of one event, in bytes.
	MaxTextLen = 4096
)

// Kind says what an [Event] is. Its values are the wire's kind byte: append
// only, never renumber.
type Kind uint8

// Event kinds.
const (
	KindUnknown Kind = iota
	// KindMove moves the pointer to (X, Y).
	KindMove
	// KindButtonDown presses Button.
	KindButtonDown
	// KindButtonUp releases Button.
	KindButtonUp
	// KindWheel turns the wheel by DX and DY steps.
	KindWheel
	// KindKeyDown presses Key with Mods held.
	KindKeyDown
	// KindKeyUp releases Key; Mods is the state after the release.
	KindKeyUp
	// KindText types Text.
	KindText
	// KindSecureAttention sends the secure attention sequence
	// (Ctrl-Alt-Del).
	KindSecureAttention

	kindEnd
)

var kindNames = [...]string{
	KindUnknown:         "unknown",
	KindMove:            "move",
	KindButtonDown:      "button-down",
	KindButtonUp:        "button-up",
	KindWheel:           "wheel",
	KindKeyDown:         "key-down",
	KindKeyUp:           "key-up",
	KindText:            "text",
	KindSecureAttention: "secure-attention",
}

// String returns the kind's name, such as "key-down".
func (k Kind) String() string {
	if k >= kindEnd {
		return fmt.Sprintf("Kind(%d)", uint8(k))
	}
	return kindNames[k]
}

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it refuses "unknown".
func (k *Kind) UnmarshalText(b []byte) error {
	for i := KindUnknown + 1; i < kindEnd; i++ {
		if kindNames[i] == string(b) {
			*k = i
			return nil
		}
	}
	return fmt.Errorf("%w: kind %q", ErrUnknownKind, b)
}

// Button is a mouse button. Its values are the wire's button byte.
type Button uint8

// Mouse buttons.
const (
	ButtonUnknown Button = iota
	ButtonLeft
	ButtonMiddle
	ButtonRight

	buttonEnd
)

var buttonNames = [...]string{
	ButtonUnknown: "unknown",
	ButtonLeft:    "left",
	ButtonMiddle:  "middle",
	ButtonRight:   "right",
}

// String returns the button's name, such as "left".
func (b Button) String() string {
	if b >= buttonEnd {
		return fmt.Sprintf("Button(%d)", uint8(b))
	}
	return buttonNames[b]
}

// MarshalText implements encoding.TextMarshaler.
func (b Button) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it refuses "unknown".
func (b *Button) UnmarshalText(text []byte) error {
	for i := ButtonUnknown + 1; i < buttonEnd; i++ {
		if buttonNames[i] == string(text) {
			*b = i
			return nil
		}
	}
	return fmt.Errorf("%w: button %q", ErrOutOfRange, text)
}

// Valid reports whether b is a known button other than ButtonUnknown.
func (b Button) Valid() bool { return b > ButtonUnknown && b < buttonEnd }

// Mods is a set of modifiers held while a key event happened, as the rep's
// keyboard reported them. Its values are the wire's modifier byte.
type Mods uint8

// Modifier bits.
const (
	ModShift Mods = 1 << iota
	ModControl
	ModAlt
	ModMeta
	ModAltGraph

	modAll = ModShift | ModControl | ModAlt | ModMeta | ModAltGraph
)

var modNames = []struct {
	m    Mods
	name string
}{
	{ModShift, "Shift"},
	{ModControl, "Control"},
	{ModAlt, "Alt"},
	{ModMeta, "Meta"},
	{ModAltGraph, "AltGraph"},
}

// String returns the modifiers joined by "+", such as "Shift+Control", or
// "none"; unknown bits appear as a hexadecimal remainder.
func (m Mods) String() string {
	if m == 0 {
		return "none"
	}
	var parts []string
	for _, n := range modNames {
		if m&n.m != 0 {
			parts = append(parts, n.name)
		}
	}
	if rest := m &^ modAll; rest != 0 {
		parts = append(parts, fmt.Sprintf("0x%02x", uint8(rest)))
	}
	return strings.Join(parts, "+")
}

// MarshalText implements encoding.TextMarshaler.
func (m Mods) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler for the names String
// produces; unknown bits are refused.
func (m *Mods) UnmarshalText(b []byte) error {
	if string(b) == "none" {
		*m = 0
		return nil
	}
	var out Mods
next:
	for part := range strings.SplitSeq(string(b), "+") {
		for _, n := range modNames {
			if n.name == part {
				out |= n.m
				continue next
			}
		}
		return fmt.Errorf("%w: modifier %q", ErrOutOfRange, part)
	}
	*m = out
	return nil
}

// Valid reports whether m holds only known modifier bits.
func (m Mods) Valid() bool { return m&^modAll == 0 }

// Event is one remote-control event. Kind says which fields are used; the
// others must be zero.
type Event struct {
	Kind Kind

	// X and Y are the pointer position of KindMove in desktop coordinates
	// (see the package comment), MinCoord to MaxCoord.
	X, Y int32

	// Button is the button of KindButtonDown and KindButtonUp.
	Button Button

	// DX and DY are the wheel steps of KindWheel, -MaxWheelSteps to
	// MaxWheelSteps on each axis. They follow the sign of the W3C
	// WheelEvent deltas: DY > 0 scrolls down (toward the user's later
	// content), DX > 0 scrolls right.
	DX, DY int32

	// Key and Mods are the physical key and the modifiers of KindKeyDown
	// and KindKeyUp.
	Key  Key
	Mods Mods

	// Text is the UTF-8 text of KindText, 1 to MaxTextLen bytes; tab, line
	// feed and carriage return are its only control characters.
	Text string
}

// String describes the event for logs, such as "key-down KeyA Shift".
func (e Event) String() string {
	switch e.Kind {
	case KindMove:
		return fmt.Sprintf("move %d,%d", e.X, e.Y)
	case KindButtonDown, KindButtonUp:
		return fmt.Sprintf("%s %s", e.Kind, e.Button)
	case KindWheel:
		return fmt.Sprintf("wheel %+d,%+d", e.DX, e.DY)
	case KindKeyDown, KindKeyUp:
		return fmt.Sprintf("%s %s %s", e.Kind, e.Key, e.Mods)
	case KindText:
		return fmt.Sprintf("text %d bytes", len(e.Text))
	default:
		return e.Kind.String()
	}
}

// Validate reports whether the event can be sent: a known kind, values in
// range, valid text, and no field set that its kind does not use.
func (e Event) Validate() error {
	switch e.Kind {
	case KindMove:
		if e.X < MinCoord || e.X > MaxCoord || e.Y < MinCoord || e.Y > MaxCoord {
			return fmt.Errorf("%w: position %d,%d outside %d..%d", ErrOutOfRange, e.X, e.Y, MinCoord, MaxCoord)
		}
		return e.onlyUses(Event{Kind: e.Kind, X: e.X, Y: e.Y})
	case KindButtonDown, KindButtonUp:
		if !e.Button.Valid() {
			return fmt.Errorf("%w: button %d", ErrOutOfRange, uint8(e.Button))
		}
		return e.onlyUses(Event{Kind: e.Kind, Button: e.Button})
	case KindWheel:
		if e.DX < -MaxWheelSteps || e.DX > MaxWheelSteps || e.DY < -MaxWheelSteps || e.DY > MaxWheelSteps {
			return fmt.Errorf("%w: wheel %d,%d beyond ±%d steps", ErrOutOfRange, e.DX, e.DY, MaxWheelSteps)
		}
		return e.onlyUses(Event{Kind: e.Kind, DX: e.DX, DY: e.DY})
	case KindKeyDown, KindKeyUp:
		if !e.Key.Valid() {
			return fmt.Errorf("%w: key %d", ErrOutOfRange, uint16(e.Key))
		}
		if !e.Mods.Valid() {
			return fmt.Errorf("%w: modifier mask 0x%02x", ErrOutOfRange, uint8(e.Mods))
		}
		return e.onlyUses(Event{Kind: e.Kind, Key: e.Key, Mods: e.Mods})
	case KindText:
		if err := validateText(e.Text); err != nil {
			return err
		}
		return e.onlyUses(Event{Kind: e.Kind, Text: e.Text})
	case KindSecureAttention:
		return e.onlyUses(Event{Kind: e.Kind})
	default:
		return fmt.Errorf("%w: %d", ErrUnknownKind, uint8(e.Kind))
	}
}

// onlyUses returns ErrStrayField unless e equals want, the event with only
// the fields of its kind copied.
func (e Event) onlyUses(want Event) error {
	if e != want {
		return fmt.Errorf("%w: %s event %+v", ErrStrayField, e.Kind, e)
	}
	return nil
}

func validateText(s string) error {
	if len(s) == 0 {
		return fmt.Errorf("%w: empty", ErrBadText)
	}
	if len(s) > MaxTextLen {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrTextTooLong, len(s), MaxTextLen)
	}
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return fmt.Errorf("%w: not UTF-8 at byte %d", ErrBadText, i)
			}
		}
		if isControl(r) {
			return fmt.Errorf("%w: control character %U at byte %d", ErrBadText, r, i)
		}
	}
	return nil
}

// isControl reports whether r is a C0 or C1 control character other than
// tab, line feed and carriage return.
func isControl(r rune) bool {
	switch r {
	case '\t', '\n', '\r':
		return false
	}
	return r < 0x20 || (r >= 0x7f && r < 0xa0)
}

// TextEvents returns the KindText events that type s, split at character
// boundaries into texts of at most MaxTextLen bytes (a "\r\n" pair stays in
// one piece). It drops the control characters a text event may not carry and
// returns nil when nothing is left; invalid UTF-8 becomes U+FFFD.
func TextEvents(s string) []Event {
	var clean strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if !isControl(r) {
			clean.WriteRune(r)
		}
	}
	s = clean.String()
	var evs []Event
	for len(s) > 0 {
		n := min(len(s), MaxTextLen)
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n--
		}
		if n < len(s) && n > 1 && s[n-1] == '\r' && s[n] == '\n' {
			n--
		}
		evs = append(evs, Event{Kind: KindText, Text: s[:n]})
		s = s[n:]
	}
	return evs
}
