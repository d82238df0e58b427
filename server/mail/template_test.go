package mail

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateTemplate(t *testing.T) {
	tests := []struct {
		name string
		tmpl Template
		want error
	}{
		{"known", Template{"%REP_NAME%", "%SESSION_KEY% %SESSION_URL% %PORTAL_URL%"}, nil},
		{"unknown", Template{"hi", "%FOO%"}, ErrUnknownMacro},
		{"newline subject", Template{"a\nb", ""}, ErrHeaderInjection},
		{"empty", Template{}, nil},
	}
	for _, tt := range tests {
		if got := ValidateTemplate(tt.tmpl); !errors.Is(got, tt.want) {
			t.Errorf("%s: got %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestResolveEmptyMeansDefault(t *testing.T) {
	got, err := Resolve("de", Template{})
	if err != nil {
		t.Fatal(err)
	}
	if want := defaults["de"]; got != want {
		t.Errorf("got %+v; want %+v", got, want)
	}
	x := got.Expand(InvitationData{RepName: "Jürgen", SessionKey: "123456789"})
	if !strings.Contains(x.Subject, "Jürgen lädt") || !strings.Contains(x.Body, "123456789") {
		t.Errorf("got %+v; want macros expanded", x)
	}
}
