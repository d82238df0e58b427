package portal

import (
	"errors"
	"testing"
)

func TestTypeText(t *testing.T) {
	for _, want := range []Type{SmartButton, SmartBox, SmartMatch, SmartPin, CodePage} {
		b, err := want.MarshalText()
		if err != nil {
			t.Fatalf("MarshalText(%d): %v", want, err)
		}
		var got Type
		if err := got.UnmarshalText(b); err != nil || got != want {
			t.Errorf("round trip %q: got %v, %v; want %v", b, got, err, want)
		}
	}
	var bad Type
	if err := bad.UnmarshalText([]byte("nope")); !errors.Is(err, ErrUnknownType) {
		t.Errorf("UnmarshalText(nope): got %v; want ErrUnknownType", err)
	}
	if _, err := Type(99).MarshalText(); !errors.Is(err, ErrUnknownType) {
		t.Errorf("MarshalText(99): got %v; want ErrUnknownType", err)
	}
}
