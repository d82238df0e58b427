package protocol

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestTypeTextRoundTrip(t *testing.T) {
	for i := 1; i < len(typeNames); i++ {
		typ := Type(i)
		b, err := json.Marshal(typ)
		if err != nil {
			t.Fatalf("marshal %v: %v", typ, err)
		}
		var got Type
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("unmarshal %s: %v", b, err)
		}
		if got != typ {
			t.Errorf("round trip of %v: got %v", typ, got)
		}
	}
	var got Type
	if err := json.Unmarshal([]byte(`"no.such.type"`), &got); err != nil || got != TypeUnknown {
		t.Errorf("unknown type name: got %v, %v; want TypeUnknown, nil", got, err)
	}
}

func TestRoleText(t *testing.T) {
	for _, r := range []Role{RoleCustomer, RoleRep, RoleSpecialist, RoleAdmin} {
		b, _ := r.MarshalText()
		var got Role
		if err := got.UnmarshalText(b); err != nil || got != r {
			t.Errorf("round trip %v: got %v, %v", r, got, err)
		}
	}
	var r Role
	for _, bad := range []string{"", "unknown", "root"} {
		if err := r.UnmarshalText([]byte(bad)); !errors.Is(err, ErrBadData) {
			t.Errorf("UnmarshalText(%q): got %v; want ErrBadData", bad, err)
		}
	}
}

func TestEnvelopeDecodeIsStrict(t *testing.T) {
	tests := []struct {
		name string
		data string
		ok   bool
	}{
		{"valid", `{"text":"hello"}`, true},
		{"unknown field", `{"text":"hello","admin":true}`, false},
		{"wrong type", `{"text":5}`, false},
		{"trailing", `{"text":"a"}{"text":"b"}`, false},
		{"empty", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c ChatSend
			err := Envelope{Type: TypeChatSend, Data: json.RawMessage(tt.data)}.Decode(&c)
			if (err == nil) != tt.ok {
				t.Fatalf("Decode(%s): got err %v; want ok=%v", tt.data, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrBadData) {
				t.Errorf("got %v; want it to wrap ErrBadData", err)
			}
		})
	}
}

func TestValidateName(t *testing.T) {
	for _, tt := range []struct {
		s        string
		required bool
		ok       bool
	}{
		{"Eve Example", true, true},
		{"", false, true},
		{"  ", true, false},
		{"Eve\nAdmin", true, false},
		{"Eve\tAdmin", false, false},
		{"Eve\x1b[2J", false, false},
		{strings.Repeat("é", MaxNameRunes), true, true},
		{strings.Repeat("é", MaxNameRunes+1), true, false},
	} {
		if err := ValidateName("name", tt.s, tt.required); (err == nil) != tt.ok {
			t.Errorf("ValidateName(%q, %v): got %v; want ok=%v", tt.s, tt.required, err, tt.ok)
		}
	}
}

func TestValidateText(t *testing.T) {
	tests := []struct {
		name     string
		s        string
		required bool
		ok       bool
	}{
		{"plain", "Need help", true, true},
		{"unicode", "é ß 中 🙂", true, true},
		{"newline and tab", "a\n\tb", true, true},
		{"blank required", "   ", true, false},
		{"blank optional", "", false, true},
		{"control", "a\x00b", true, false},
		{"escape", "a\x1b[2Jb", true, false},
		{"invalid utf8", "a\xffb", true, false},
		{"at limit", strings.Repeat("é", 10), true, true},
		{"over limit", strings.Repeat("é", 11), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateText("field", tt.s, 10, tt.required)
			if (err == nil) != tt.ok {
				t.Errorf("ValidateText(%q): got %v; want ok=%v", tt.s, err, tt.ok)
			}
		})
	}
}

func TestSignalValidate(t *testing.T) {
	tests := []struct {
		name string
		s    Signal
		ok   bool
	}{
		{"offer", Signal{To: "p1", Kind: SignalOffer, SDP: "v=0"}, true},
		{"answer", Signal{To: "p1", Kind: SignalAnswer, SDP: "v=0"}, true},
		{"candidate", Signal{To: "p1", Kind: SignalCandidate, Candidate: `{"candidate":"x"}`}, true},
		{"end of candidates", Signal{To: "p1", Kind: SignalCandidate}, true},
		{"no recipient", Signal{Kind: SignalOffer, SDP: "v=0"}, false},
		{"offer without sdp", Signal{To: "p1", Kind: SignalOffer}, false},
		{"candidate with sdp", Signal{To: "p1", Kind: SignalCandidate, SDP: "v=0"}, false},
		{"unknown kind", Signal{To: "p1", Kind: "rollback"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.s.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate: got %v; want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestCodes(t *testing.T) {
	tests := []struct {
		in, norm string
		ok       bool
	}{
		{"123456789", "123456789", true},
		{" 123 456 789 ", "123456789", true},
		{"123-456-789", "123456789", true},
		{"12345678", "12345678", false},
		{"12345678a", "12345678a", false},
		{"１２３４５６７８９", "１２３４５６７８９", false}, // full-width digits are not ASCII
	}
	for _, tt := range tests {
		j := JoinRequest{Code: tt.in}
		err := j.Validate()
		if j.Code != tt.norm {
			t.Errorf("normalised %q: got %q; want %q", tt.in, j.Code, tt.norm)
		}
		if (err == nil) != tt.ok {
			t.Errorf("Validate(%q): got %v; want ok=%v", tt.in, err, tt.ok)
		}
	}
	if got, want := FormatCode("123456789"), "123 456 789"; got != want {
		t.Errorf("FormatCode: got %q; want %q", got, want)
	}
}

func TestClientRulesOnlyClientTypes(t *testing.T) {
	for _, serverOnly := range []Type{TypeWelcome, TypeError, TypeQueue, TypeSessionWaiting, TypeSessionState, TypeSessionEnded, TypePeerConnect, TypeChatMessage} {
		if _, ok := ClientRules[serverOnly]; ok {
			t.Errorf("ClientRules allows clients to send %v, a server-only type", serverOnly)
		}
	}
	if ClientRules[TypeSessionAccept].Allows(RoleCustomer) {
		t.Error("a customer may accept sessions; want only reps")
	}
}
