package portal

import (
	"errors"
	"testing"
)

func TestFunctionsValidate(t *testing.T) {
	tests := []struct {
		name string
		f    Functions
		ok   bool
	}{
		{"zero", Functions{}, true},
		{"five specialists", Functions{MaxExternalSpecialist: 5, NotificationEmail: "ops@example.com"}, true},
		{"six specialists", Functions{MaxExternalSpecialist: 6}, false},
		{"negative", Functions{MaxExternalSpecialist: -1}, false},
		{"bad e-mail", Functions{NotificationEmail: "not an address"}, false},
		{"named e-mail", Functions{NotificationEmail: "Ops <ops@example.com>"}, false},
	}
	for _, tt := range tests {
		err := tt.f.Validate()
		if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%s: got %v; want ok=%v", tt.name, err, tt.ok)
		}
	}
}
