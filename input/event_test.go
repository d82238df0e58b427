package input

import (
	"errors"
	"testing"
)

func TestKeyNames(t *testing.T) {
	tests := []struct {
		key  Key
		code string
		wire uint16
	}{
		// Wire numbers are the protocol: these must never change.
		{KeyA, "KeyA", 1},
		{KeyZ, "KeyZ", 26},
		{KeyDigit0, "Digit0", 27},
		{KeyF1, "F1", 37},
		{KeyF24, "F24", 60},
		{KeyEnter, "Enter", 61},
		{KeyShiftLeft, "ShiftLeft", 81},
		{KeyArrowLeft, "ArrowLeft", 100},
		{KeyNonConvert, "NonConvert", 129},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := uint16(tt.key); got != tt.wire {
				t.Errorf("%s = %d; want %d", tt.code, got, tt.wire)
			}
			if got := tt.key.String(); got != tt.code {
				t.Errorf("String() = %q; want %q", got, tt.code)
			}
			if got := KeyByCode(tt.code); got != tt.key {
				t.Errorf("KeyByCode(%q) = %v; want %v", tt.code, got, tt.key)
			}
			var k Key
			if err := k.UnmarshalText([]byte(tt.code)); err != nil || k != tt.key {
				t.Errorf("UnmarshalText(%q) = %v, %v; want %v", tt.code, k, err, tt.key)
			}
		})
	}
	if got := NumKeys; got != 130 {
		t.Errorf("NumKeys = %d; want 130", got)
	}
	for k := KeyUnknown + 1; k < keyEnd; k++ {
		if KeyByCode(k.String()) != k {
			t.Errorf("key %d (%s) does not round-trip through its name", k, k)
		}
	}
	var k Key
	if err := k.UnmarshalText([]byte("Unknown")); !errors.Is(err, ErrOutOfRange) {
		t.Errorf(`UnmarshalText("Unknown") = %v; want ErrOutOfRange`, err)
	}
	if got := Key(999).String(); got != "Key(999)" {
		t.Errorf("Key(999).String() = %q; want %q", got, "Key(999)")
	}
}

func TestModsText(t *testing.T) {
	tests := []struct {
		m    Mods
		text string
	}{
		{0, "none"},
		{ModShift, "Shift"},
		{ModControl | ModAlt, "Control+Alt"},
		{modAll, "Shift+Control+Alt+Meta+AltGraph"},
	}
	for _, tt := range tests {
		b, _ := tt.m.MarshalText()
		if string(b) != tt.text {
			t.Errorf("Mods(%#x).MarshalText() = %q; want %q", uint8(tt.m), b, tt.text)
		}
		var m Mods
		if err := m.UnmarshalText([]byte(tt.text)); err != nil || m != tt.m {
			t.Errorf("UnmarshalText(%q) = %#x, %v; want %#x", tt.text, uint8(m), err, uint8(tt.m))
		}
	}
	if got := Mods(0x41).String(); got != "Shift+0x40" {
		t.Errorf("Mods(0x41).String() = %q; want %q", got, "Shift+0x40")
	}
	var m Mods
	if err := m.UnmarshalText([]byte("Shift+Hyper")); !errors.Is(err, ErrOutOfRange) {
		t.Errorf(`UnmarshalText("Shift+Hyper") = %v; want ErrOutOfRange`, err)
	}
}

func TestEnumText(t *testing.T) {
	for k := KindUnknown + 1; k < kindEnd; k++ {
		b, _ := k.MarshalText()
		var got Kind
		if err := got.UnmarshalText(b); err != nil || got != k {
			t.Errorf("Kind %d: UnmarshalText(%q) = %v, %v; want %v", k, b, got, err, k)
		}
	}
	for b := ButtonUnknown + 1; b < buttonEnd; b++ {
		text, _ := b.MarshalText()
		var got Button
		if err := got.UnmarshalText(text); err != nil || got != b {
			t.Errorf("Button %d: UnmarshalText(%q) = %v, %v; want %v", b, text, got, err, b)
		}
	}
	var k Kind
	if err := k.UnmarshalText([]byte("unknown")); !errors.Is(err, ErrUnknownKind) {
		t.Errorf(`Kind.UnmarshalText("unknown") = %v; want ErrUnknownKind`, err)
	}
	var b Button
	if err := b.UnmarshalText([]byte("back")); !errors.Is(err, ErrOutOfRange) {
		t.Errorf(`Button.UnmarshalText("back") = %v; want ErrOutOfRange`, err)
	}
	if got := Kind(200).String(); got != "Kind(200)" {
		t.Errorf("Kind(200).String() = %q", got)
	}
}

func TestEventString(t *testing.T) {
	tests := []struct {
		ev   Event
		want string
	}{
		{Event{Kind: KindMove, X: 3, Y: -4}, "move 3,-4"},
		{Event{Kind: KindButtonDown, Button: ButtonLeft}, "button-down left"},
		{Event{Kind: KindWheel, DX: 0, DY: -2}, "wheel +0,-2"},
		{Event{Kind: KindKeyDown, Key: KeyA, Mods: ModShift}, "key-down KeyA Shift"},
		{Event{Kind: KindText, Text: "secret"}, "text 6 bytes"},
		{Event{Kind: KindSecureAttention}, "secure-attention"},
	}
	for _, tt := range tests {
		if got := tt.ev.String(); got != tt.want {
			t.Errorf("String() = %q; want %q", got, tt.want)
		}
	}
}

func TestModifier(t *testing.T) {
	tests := []struct {
		key  Key
		want Mods
	}{
		{KeyShiftRight, ModShift},
		{KeyControlLeft, ModControl},
		{KeyAltLeft, ModAlt},
		{KeyAltRight, ModAlt | ModAltGraph},
		{KeyMetaLeft, ModMeta},
		{KeyA, 0},
		{KeyCapsLock, 0},
	}
	for _, tt := range tests {
		if got := tt.key.Modifier(); got != tt.want {
			t.Errorf("%v.Modifier() = %v; want %v", tt.key, got, tt.want)
		}
	}
}
