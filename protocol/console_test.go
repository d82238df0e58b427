package protocol

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestRepStatusText(t *testing.T) {
	for _, s := range []RepStatus{RepStatusAvailable, RepStatusBusy, RepStatusAway} {
		b, err := json.Marshal(RepStatusUpdate{Status: s})
		if err != nil {
			t.Fatal(err)
		}
		var got RepStatusUpdate
		if err := UnmarshalStrict(b, &got); err != nil || got.Status != s {
			t.Errorf("round trip of %v: got %v, %v; want %v", s, got.Status, err, s)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("Validate(%v): %v", s, err)
		}
	}
	var got RepStatusUpdate
	if err := UnmarshalStrict([]byte(`{"status":"asleep"}`), &got); err == nil {
		t.Error("an unknown status decoded; want an error")
	}
	if err := (RepStatusUpdate{}).Validate(); !errors.Is(err, ErrBadData) {
		t.Errorf("Validate(unknown): got %v; want ErrBadData", err)
	}
	if got := RepStatus(9).String(); got != "RepStatus(9)" {
		t.Errorf("String of an out-of-range status: got %q", got)
	}
}

func TestQueueKindText(t *testing.T) {
	b, err := json.Marshal(QueueInfo{ID: "q", Kind: QueueKindTeam, Name: "Level 1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":"q","kind":"team","name":"Level 1"}`; string(b) != want {
		t.Errorf("got %s; want %s", b, want)
	}
	var q QueueInfo
	if err := UnmarshalStrict(b, &q); err != nil || q.Kind != QueueKindTeam {
		t.Errorf("decode: got %+v, %v", q, err)
	}
}

func TestInviteRequestValidate(t *testing.T) {
	tests := []struct {
		name, email, lang string
		ok                bool
	}{
		{"plain", " ada@example.com ", "", true},
		{"german", "ada@example.com", "de", true},
		{"empty", "  ", "", false},
		{"no at", "ada.example.com", "", false},
		{"display name", "Ada <ada@example.com>", "", false},
		{"two", "a@example.com, b@example.com", "", false},
		{"header injection", "a@example.com\r\nBcc: x@example.com", "", false},
		{"bad language", "ada@example.com", "english!", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := InviteRequest{Email: tt.email, Language: tt.lang}
			err := r.Validate()
			if (err == nil) != tt.ok {
				t.Errorf("Validate(%q): got %v; want ok=%v", tt.email, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrBadData) {
				t.Errorf("error %v does not wrap ErrBadData", err)
			}
		})
	}
}

func TestTerminationOverrideValidate(t *testing.T) {
	for _, tt := range []struct {
		term Termination
		ok   bool
	}{{TerminationUnknown, false}, {TerminationNothing, true}, {TerminationLock, true}, {TerminationLogOff, true}, {TerminationLogOff + 1, false}} {
		if err := (TerminationOverride{Termination: tt.term}).Validate(); (err == nil) != tt.ok {
			t.Errorf("Validate(%v): got %v; want ok=%v", tt.term, err, tt.ok)
		}
	}
}
