package input

import (
	"encoding/binary"
	"fmt"
)

// Version is the wire format version, the first byte of every message.
const Version = 1

// MaxEncodedLen is the longest message Encode produces.
const MaxEncodedLen = 2 + binary.MaxVarintLen16 + MaxTextLen

// Encode returns the wire form of ev. It refuses an event that does not
// pass [Event.Validate].
func Encode(ev Event) ([]byte, error) {
	return AppendEncode(nil, ev)
}

// AppendEncode appends the wire form of ev to b. It refuses an event that
// does not pass [Event.Validate] and then returns b unchanged.
func AppendEncode(b []byte, ev Event) ([]byte, error) {
	if err := ev.Validate(); err != nil {
		return b, fmt.Errorf("encode %s: %w", ev.Kind, err)
	}
	b = append(b, Version, byte(ev.Kind))
	switch ev.Kind {
	case KindMove:
		b = binary.AppendVarint(b, int64(ev.X))
		b = binary.AppendVarint(b, int64(ev.Y))
	case KindButtonDown, KindButtonUp:
		b = append(b, byte(ev.Button))
	case KindWheel:
		b = binary.AppendVarint(b, int64(ev.DX))
		b = binary.AppendVarint(b, int64(ev.DY))
	case KindKeyDown, KindKeyUp:
		b = binary.AppendUvarint(b, uint64(ev.Key))
		b = append(b, byte(ev.Mods))
	case KindText:
		b = binary.AppendUvarint(b, uint64(len(ev.Text)))
		b = append(b, ev.Text...)
	case KindSecureAttention:
	}
	return b, nil
}

// Decode parses one message. It validates everything (see the package
// comment) and returns an error wrapping one of the package's sentinels for
// a message that is not exactly one valid event; it never panics.
func Decode(msg []byte) (Event, error) {
	ev, err := decode(msg)
	if err != nil {
		return Event{}, fmt.Errorf("decode input event: %w", err)
	}
	return ev, nil
}

func decode(msg []byte) (Event, error) {
	if len(msg) < 2 {
		return Event{}, fmt.Errorf("%w: %d bytes, need at least 2", ErrTruncated, len(msg))
	}
	if msg[0] != Version {
		return Event{}, fmt.Errorf("%w: %d, this build speaks %d", ErrVersion, msg[0], Version)
	}
	ev := Event{Kind: Kind(msg[1])}
	r := reader{b: msg[2:]}
	switch ev.Kind {
	case KindMove:
		x, y := r.varint("x"), r.varint("y")
		if r.err == nil && (x < MinCoord || x > MaxCoord || y < MinCoord || y > MaxCoord) {
			return Event{}, fmt.Errorf("%w: position %d,%d outside %d..%d", ErrOutOfRange, x, y, MinCoord, MaxCoord)
		}
		ev.X, ev.Y = int32(x), int32(y)
	case KindButtonDown, KindButtonUp:
		ev.Button = Button(r.byte("button"))
		if r.err == nil && !ev.Button.Valid() {
			return Event{}, fmt.Errorf("%w: button %d", ErrOutOfRange, uint8(ev.Button))
		}
	case KindWheel:
		dx, dy := r.varint("dx"), r.varint("dy")
		if r.err == nil && (dx < -MaxWheelSteps || dx > MaxWheelSteps || dy < -MaxWheelSteps || dy > MaxWheelSteps) {
			return Event{}, fmt.Errorf("%w: wheel %d,%d beyond ±%d steps", ErrOutOfRange, dx, dy, MaxWheelSteps)
		}
		ev.DX, ev.DY = int32(dx), int32(dy)
	case KindKeyDown, KindKeyUp:
		k := r.uvarint("key")
		if r.err == nil && (k == 0 || k >= uint64(keyEnd)) {
			return Event{}, fmt.Errorf("%w: key %d", ErrOutOfRange, k)
		}
		ev.Key = Key(k)
		ev.Mods = Mods(r.byte("modifiers"))
		if r.err == nil && !ev.Mods.Valid() {
			return Event{}, fmt.Errorf("%w: modifier mask 0x%02x", ErrOutOfRange, uint8(ev.Mods))
		}
	case KindText:
		n := r.uvarint("text length")
		if r.err == nil && n > MaxTextLen {
			return Event{}, fmt.Errorf("%w: %d bytes, at most %d", ErrTextTooLong, n, MaxTextLen)
		}
		ev.Text = string(r.bytes(int(n), "text"))
		if r.err == nil {
			if err := validateText(ev.Text); err != nil {
				return Event{}, err
			}
		}
	case KindSecureAttention:
	default:
		return Event{}, fmt.Errorf("%w: %d", ErrUnknownKind, msg[1])
	}
	if r.err != nil {
		return Event{}, fmt.Errorf("%s: %w", ev.Kind, r.err)
	}
	if len(r.b) > 0 {
		return Event{}, fmt.Errorf("%w: %d after a %s event", ErrTrailing, len(r.b), ev.Kind)
	}
	return ev, nil
}

// reader consumes a message; after the first error every read returns zero
// and err keeps that error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.b = nil
}

func (r *reader) byte(what string) byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 1 {
		r.fail(fmt.Errorf("%w: no %s", ErrTruncated, what))
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) bytes(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b) < n {
		r.fail(fmt.Errorf("%w: %s needs %d bytes, %d left", ErrTruncated, what, n, len(r.b)))
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// uvarint reads a minimal unsigned varint.
func (r *reader) uvarint(what string) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	switch {
	case n == 0:
		r.fail(fmt.Errorf("%w: %s", ErrTruncated, what))
		return 0
	case n < 0:
		r.fail(fmt.Errorf("%w: %s overflows", ErrMalformed, what))
		return 0
	case n > 1 && r.b[n-1] == 0:
		// A last byte of zero adds nothing: a shorter encoding exists.
		r.fail(fmt.Errorf("%w: %s is not a minimal varint", ErrMalformed, what))
		return 0
	}
	r.b = r.b[n:]
	return v
}

// varint reads a minimal zig-zag signed varint.
func (r *reader) varint(what string) int64 {
	u := r.uvarint(what)
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}
