package scene

import (
	"errors"
	"testing"
)

func TestModeText(t *testing.T) {
	tests := []struct {
		name string
		mode Mode
		text string
	}{
		{"unknown", ModeUnknown, "unknown"},
		{"idle", ModeIdle, "idle"},
		{"typing", ModeTyping, "typing"},
		{"scrolling", ModeScrolling, "scrolling"},
		{"out of range", Mode(9), "Mode(9)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.mode.String(); got != tt.text {
				t.Errorf("String() = %q; want %q", got, tt.text)
			}
			b, err := tt.mode.MarshalText()
			if err != nil || string(b) != tt.text {
				t.Errorf("MarshalText() = %q, %v; want %q, nil", b, err, tt.text)
			}
			var m Mode
			err = m.UnmarshalText(b)
			if tt.mode.valid() {
				if err != nil || m != tt.mode {
					t.Errorf("UnmarshalText(%q) = %v, %v; want %v, nil", b, m, err, tt.mode)
				}
			} else if !errors.Is(err, ErrInvalidMode) {
				t.Errorf("UnmarshalText(%q) error = %v; want %v", b, err, ErrInvalidMode)
			}
		})
	}
}

func TestParseModeRejects(t *testing.T) {
	for _, s := range []string{"", "Idle", "scroll", " typing", "unknown"} {
		if m, err := ParseMode(s); !errors.Is(err, ErrInvalidMode) || m != ModeUnknown {
			t.Errorf("ParseMode(%q) = %v, %v; want %v, %v", s, m, err, ModeUnknown, ErrInvalidMode)
		}
	}
}

func TestGeneratedLine(t *testing.T) {
	blank := 0
	for i := range 1000 {
		l := generatedLine(i, 148)
		if len(l) > 148 {
			t.Fatalf("line %d has %d characters; want at most 148", i, len(l))
		}
		if l != generatedLine(i, 148) {
			t.Fatalf("line %d differs between calls", i)
		}
		if l == "" {
			blank++
		}
	}
	if blank < 50 || blank > 300 {
		t.Errorf("%d blank lines of 1000; want paragraphs, between 50 and 300", blank)
	}
}

func TestFloorDiv(t *testing.T) {
	tests := []struct{ a, b, want int }{{7, 2, 3}, {-7, 2, -4}, {-8, 2, -4}, {0, 5, 0}, {-1, 26, -1}}
	for _, tt := range tests {
		if got := floorDiv(tt.a, tt.b); got != tt.want {
			t.Errorf("floorDiv(%d, %d) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
