package input

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// validEvents has one or more events of every kind, at the edges of their
// ranges.
var validEvents = map[string]Event{
	"move origin":         {Kind: KindMove},
	"move":                {Kind: KindMove, X: 1919, Y: 1079},
	"move negative":       {Kind: KindMove, X: -1280, Y: -1},
	"move min":            {Kind: KindMove, X: MinCoord, Y: MinCoord},
	"move max":            {Kind: KindMove, X: MaxCoord, Y: MaxCoord},
	"left down":           {Kind: KindButtonDown, Button: ButtonLeft},
	"middle up":           {Kind: KindButtonUp, Button: ButtonMiddle},
	"right down":          {Kind: KindButtonDown, Button: ButtonRight},
	"wheel down":          {Kind: KindWheel, DY: 1},
	"wheel both axes":     {Kind: KindWheel, DX: -3, DY: 2},
	"wheel limits":        {Kind: KindWheel, DX: MaxWheelSteps, DY: -MaxWheelSteps},
	"wheel zero":          {Kind: KindWheel},
	"key down":            {Kind: KindKeyDown, Key: KeyA},
	"key down with mods":  {Kind: KindKeyDown, Key: KeyF5, Mods: ModControl | ModShift},
	"key up all mods":     {Kind: KindKeyUp, Key: KeyArrowLeft, Mods: modAll},
	"last key":            {Kind: KindKeyUp, Key: keyEnd - 1},
	"text ascii":          {Kind: KindText, Text: "hello"},
	"text unicode":        {Kind: KindText, Text: "é ß 中 😀"},
	"text with newlines":  {Kind: KindText, Text: "a\tb\r\nc\n"},
	"text longest":        {Kind: KindText, Text: strings.Repeat("x", MaxTextLen)},
	"text replacement ch": {Kind: KindText, Text: "\uFFFD"},
	"secure attention":    {Kind: KindSecureAttention},
}

func TestRoundTrip(t *testing.T) {
	for name, ev := range validEvents {
		t.Run(name, func(t *testing.T) {
			b, err := Encode(ev)
			if err != nil {
				t.Fatalf("Encode(%v): %v", ev, err)
			}
			if len(b) > MaxEncodedLen {
				t.Errorf("encoded length %d; want at most MaxEncodedLen %d", len(b), MaxEncodedLen)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatalf("Decode(% x): %v", b, err)
			}
			if got != ev {
				t.Errorf("Decode(Encode(ev)) = %+v; want %+v", got, ev)
			}
		})
	}
}

// TestEncoding pins the exact bytes: they are the protocol.
func TestEncoding(t *testing.T) {
	tests := []struct {
		name string
		ev   Event
		want []byte
	}{
		{"move", Event{Kind: KindMove, X: 1, Y: -1}, []byte{1, 1, 2, 1}},
		{"move 2-byte varints", Event{Kind: KindMove, X: 100, Y: 1000}, []byte{1, 1, 0xc8, 0x01, 0xd0, 0x0f}},
		{"button", Event{Kind: KindButtonUp, Button: ButtonRight}, []byte{1, 3, 3}},
		{"wheel", Event{Kind: KindWheel, DX: -1, DY: 3}, []byte{1, 4, 1, 6}},
		{"key", Event{Kind: KindKeyDown, Key: KeyA, Mods: ModShift | ModAlt}, []byte{1, 5, 1, 5}},
		{"text", Event{Kind: KindText, Text: "é"}, []byte{1, 7, 2, 0xc3, 0xa9}},
		{"secure attention", Event{Kind: KindSecureAttention}, []byte{1, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Encode(tt.ev)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("Encode(%v) = % x; want % x", tt.ev, got, tt.want)
			}
		})
	}
}

func TestDecodeRefuses(t *testing.T) {
	long := append([]byte{1, 7, 0x81, 0x20}, strings.Repeat("x", MaxTextLen+1)...)
	tests := []struct {
		name string
		msg  []byte
		want error
	}{
		{"nil", nil, ErrTruncated},
		{"version only", []byte{1}, ErrTruncated},
		{"version 0", []byte{0, 8}, ErrVersion},
		{"version 2", []byte{2, 8}, ErrVersion},
		{"kind 0", []byte{1, 0}, ErrUnknownKind},
		{"kind 9", []byte{1, 9}, ErrUnknownKind},
		{"kind 255", []byte{1, 255, 0, 0}, ErrUnknownKind},
		{"move without y", []byte{1, 1, 2}, ErrTruncated},
		{"move without x", []byte{1, 1}, ErrTruncated},
		{"move varint cut", []byte{1, 1, 0x80}, ErrTruncated},
		{"move x too large", []byte{1, 1, 0x80, 0x80, 0x08, 0}, ErrOutOfRange}, // 65536
		{"move y too small", []byte{1, 1, 0, 0xff, 0xff, 0x07}, ErrOutOfRange}, // -65536
		{"move non-minimal", []byte{1, 1, 0x82, 0x00, 0}, ErrMalformed},        // 1 in 2 bytes
		{"move overflow", append([]byte{1, 1}, bytes.Repeat([]byte{0xff}, 11)...), ErrMalformed},
		{"move trailing", []byte{1, 1, 2, 2, 0}, ErrTrailing},
		{"button missing", []byte{1, 2}, ErrTruncated},
		{"button 0", []byte{1, 2, 0}, ErrOutOfRange},
		{"button 4", []byte{1, 3, 4}, ErrOutOfRange},
		{"button trailing", []byte{1, 2, 1, 1}, ErrTrailing},
		{"wheel dy missing", []byte{1, 4, 2}, ErrTruncated},
		{"wheel too far", []byte{1, 4, 0xca, 0x01, 0}, ErrOutOfRange}, // 101
		{"wheel too far back", []byte{1, 4, 0, 0xc9, 0x01}, ErrOutOfRange},
		{"key missing", []byte{1, 5}, ErrTruncated},
		{"key mods missing", []byte{1, 5, 1}, ErrTruncated},
		{"key 0", []byte{1, 5, 0, 0}, ErrOutOfRange},
		{"key past the end", []byte{1, 6, byte(keyEnd), 1, 0}, ErrOutOfRange},
		{"key huge", []byte{1, 6, 0xff, 0xff, 0x03, 0}, ErrOutOfRange},
		{"key non-minimal", []byte{1, 5, 0x81, 0x00, 0}, ErrMalformed},
		{"key bad mods", []byte{1, 5, 1, 0x20}, ErrOutOfRange},
		{"key trailing", []byte{1, 5, 1, 0, 0}, ErrTrailing},
		{"text no length", []byte{1, 7}, ErrTruncated},
		{"text empty", []byte{1, 7, 0}, ErrBadText},
		{"text short", []byte{1, 7, 3, 'a', 'b'}, ErrTruncated},
		{"text too long", long, ErrTextTooLong},
		{"text huge length", []byte{1, 7, 0xff, 0xff, 0xff, 0xff, 0x0f}, ErrTextTooLong},
		{"text invalid utf-8", []byte{1, 7, 2, 0xc3, 0x28}, ErrBadText},
		{"text surrogate", []byte{1, 7, 3, 0xed, 0xa0, 0x80}, ErrBadText},
		{"text NUL", []byte{1, 7, 1, 0}, ErrBadText},
		{"text escape", []byte{1, 7, 3, 0x1b, '[', 'A'}, ErrBadText},
		{"text C1 control", []byte{1, 7, 2, 0xc2, 0x85}, ErrBadText},
		{"text trailing", []byte{1, 7, 1, 'a', 'b'}, ErrTrailing},
		{"secure attention trailing", []byte{1, 8, 0}, ErrTrailing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := Decode(tt.msg)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode(% x) = %+v, %v; want error %v", tt.msg, ev, err, tt.want)
			}
			if ev != (Event{}) {
				t.Errorf("Decode returned %+v with its error; want the zero Event", ev)
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	tests := []struct {
		name string
		ev   Event
		want error
	}{
		{"zero event", Event{}, ErrUnknownKind},
		{"unknown kind", Event{Kind: kindEnd}, ErrUnknownKind},
		{"move out of range", Event{Kind: KindMove, X: MaxCoord + 1}, ErrOutOfRange},
		{"move with a button", Event{Kind: KindMove, Button: ButtonLeft}, ErrStrayField},
		{"button unknown", Event{Kind: KindButtonDown}, ErrOutOfRange},
		{"button with text", Event{Kind: KindButtonDown, Button: ButtonLeft, Text: "x"}, ErrStrayField},
		{"wheel too far", Event{Kind: KindWheel, DY: -MaxWheelSteps - 1}, ErrOutOfRange},
		{"wheel with position", Event{Kind: KindWheel, DY: 1, X: 3}, ErrStrayField},
		{"key unknown", Event{Kind: KindKeyDown}, ErrOutOfRange},
		{"key bad mods", Event{Kind: KindKeyUp, Key: KeyA, Mods: 0x80}, ErrOutOfRange},
		{"key with wheel", Event{Kind: KindKeyUp, Key: KeyA, DX: 1}, ErrStrayField},
		{"text empty", Event{Kind: KindText}, ErrBadText},
		{"text too long", Event{Kind: KindText, Text: strings.Repeat("é", MaxTextLen/2+1)}, ErrTextTooLong},
		{"text bad utf-8", Event{Kind: KindText, Text: "\xff"}, ErrBadText},
		{"text with key", Event{Kind: KindText, Text: "a", Key: KeyA}, ErrStrayField},
		{"secure attention with mods", Event{Kind: KindSecureAttention, Mods: ModControl}, ErrStrayField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte{0xaa}
			b, err := AppendEncode(prefix, tt.ev)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Encode(%+v) error = %v; want %v", tt.ev, err, tt.want)
			}
			if !bytes.Equal(b, prefix) {
				t.Errorf("AppendEncode changed its buffer to % x on error; want % x", b, prefix)
			}
		})
	}
}

func TestTextEvents(t *testing.T) {
	big := strings.Repeat("中", MaxTextLen/3+10) // 3-byte runes that do not divide MaxTextLen
	crlf := strings.Repeat("x", MaxTextLen-1) + "\r\n" + "y"
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"only controls", "\x00\x1b", nil},
		{"short", "é ß 中", []string{"é ß 中"}},
		{"drops controls", "a\x00b\x07c\td", []string{"abc\td"}},
		{"invalid utf-8", "a\xffb", []string{"a\uFFFDb"}},
		{"split at runes", big, []string{big[:MaxTextLen-1], big[MaxTextLen-1:]}},
		{"keeps CRLF together", crlf, []string{crlf[:MaxTextLen-1], "\r\ny"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := TextEvents(tt.in)
			var got []string
			for _, ev := range evs {
				if err := ev.Validate(); err != nil {
					t.Errorf("event %q does not validate: %v", ev.Text, err)
				}
				got = append(got, ev.Text)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("TextEvents gave %d events; want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("event %d = %q (%d bytes); want %q (%d bytes)", i, got[i], len(got[i]), tt.want[i], len(tt.want[i]))
				}
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, ev := range validEvents {
		b, err := Encode(ev)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{1, 1, 0x82, 0x00, 0})
	f.Add([]byte{1, 7, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{1, 7, 2, 0xc3, 0x28})
	f.Fuzz(func(t *testing.T, msg []byte) {
		ev, err := Decode(msg)
		if err != nil {
			if ev != (Event{}) {
				t.Fatalf("Decode(% x) returned %+v with error %v", msg, ev, err)
			}
			return
		}
		if err := ev.Validate(); err != nil {
			t.Fatalf("Decode(% x) = %+v, which does not validate: %v", msg, ev, err)
		}
		b, err := Encode(ev)
		if err != nil {
			t.Fatalf("Encode(Decode(% x)) = %v", msg, err)
		}
		if !bytes.Equal(b, msg) {
			t.Fatalf("Encode(Decode(% x)) = % x; want the same bytes", msg, b)
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	for _, ev := range validEvents {
		f.Add(uint8(ev.Kind), ev.X, ev.Y, uint8(ev.Button), ev.DX, ev.DY, uint16(ev.Key), uint8(ev.Mods), ev.Text)
	}
	f.Add(uint8(KindMove), int32(MaxCoord+1), int32(0), uint8(0), int32(0), int32(0), uint16(0), uint8(0), "")
	f.Add(uint8(KindText), int32(0), int32(0), uint8(0), int32(0), int32(0), uint16(0), uint8(0), "\xff\x00")
	f.Fuzz(func(t *testing.T, kind uint8, x, y int32, button uint8, dx, dy int32, key uint16, mods uint8, text string) {
		ev := Event{Kind: Kind(kind), X: x, Y: y, Button: Button(button), DX: dx, DY: dy, Key: Key(key), Mods: Mods(mods), Text: text}
		b, err := Encode(ev)
		if err != nil {
			if ev.Validate() == nil {
				t.Fatalf("Encode(%+v) = %v, but the event validates", ev, err)
			}
			return
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("Decode(Encode(%+v)) = %v", ev, err)
		}
		if got != ev {
			t.Fatalf("Decode(Encode(ev)) = %+v; want %+v", got, ev)
		}
	})
}
