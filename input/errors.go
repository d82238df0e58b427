package input

import "errors"

var (
	// ErrVersion is wrapped when a message has a wire version this build
	// does not speak.
	ErrVersion = errors.New("unsupported input wire version")

	// ErrUnknownKind is wrapped when a message's kind byte names no event.
	ErrUnknownKind = errors.New("unknown input event kind")

	// ErrTruncated is wrapped when a message ends before its event does.
	ErrTruncated = errors.New("truncated input event")

	// ErrTrailing is wrapped when bytes follow a complete event.
	ErrTrailing = errors.New("trailing bytes after input event")

	// ErrMalformed is wrapped when a varint is not minimal or overflows.
	ErrMalformed = errors.New("malformed input event")

	// ErrOutOfRange is wrapped when a coordinate, wheel step count, button,
	// key or modifier mask is outside what the format allows.
	ErrOutOfRange = errors.New("input event value out of range")

	// ErrBadText is wrapped when text is empty, not valid UTF-8, or holds a
	// control character other than tab, line feed and carriage return.
	ErrBadText = errors.New("invalid text in input event")

	// ErrTextTooLong is wrapped when text is longer than MaxTextLen bytes.
	ErrTextTooLong = errors.New("input event text too long")

	// ErrStrayField is wrapped by Encode and Validate when an event sets a
	// field its kind does not use; it would be lost on the wire.
	ErrStrayField = errors.New("input event field not used by its kind")
)
