package client

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/tandemhq/tandem/protocol"
)

// lockedBuffer is a log destination safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestHandleElevation judges elevation messages as they come off the
// control channel: what is passed on as an event, what is refused and
// logged, and what is left to the control messages.
func TestHandleElevation(t *testing.T) {
	cust := protocol.Participant{ID: "c1", Role: protocol.RoleCustomer, Name: "Ada"}
	rep := protocol.Participant{ID: "r1", Role: protocol.RoleRep, Name: "Rita"}
	stranger := protocol.Participant{ID: "r9", Role: protocol.RoleRep, Name: "Mallory"}
	long := `{"type":"elevate.result","outcome":"failed","reason":"` + strings.Repeat("x", MaxElevationReason+1) + `"}`
	tests := []struct {
		name    string
		self    protocol.Participant
		from    protocol.Participant
		data    string
		handled bool   // false: not an elevation message
		want    Event  // the event emitted, or nil
		log     string // a line the refusal logs, or ""
	}{
		{"request reaches the customer", cust, rep, `{"type":"elevate.request"}`, true, ElevationRequested{Participant: rep}, ""},
		{"result reaches the rep", rep, cust, `{"type":"elevate.result","outcome":"declined","reason":"nicht jetzt"}`, true,
			ElevationChanged{Participant: cust, Outcome: ElevationDeclined, Reason: "nicht jetzt"}, ""},
		{"result without reason", rep, cust, `{"type":"elevate.result","outcome":"already"}`, true,
			ElevationChanged{Participant: cust, Outcome: ElevationAlready}, ""},
		{"control message is not ours", cust, rep, `{"type":"control.request"}`, false, nil, ""},
		{"not JSON is not ours", cust, rep, `control`, false, nil, ""},
		{"too big is not ours", cust, rep, `{"type":"elevate.request","x":"` + strings.Repeat("a", maxControlMsg) + `"}`, false, nil, ""},
		{"unknown elevation kind", cust, rep, `{"type":"elevate.sudo"}`, true, nil, "unknown kind"},
		{"unknown field", cust, rep, `{"type":"elevate.request","cmd":"rm"}`, true, nil, "malformed elevation message"},
		{"trailing data", cust, rep, `{"type":"elevate.request"} {}`, true, nil, "malformed elevation message"},
		{"request with an outcome", cust, rep, `{"type":"elevate.request","outcome":"accepted"}`, true, nil, "carries no outcome"},
		{"unknown outcome", rep, cust, `{"type":"elevate.result","outcome":"maybe"}`, true, nil, "malformed elevation message"},
		{"outcome unknown", rep, cust, `{"type":"elevate.result","outcome":"unknown"}`, true, nil, "malformed elevation message"},
		{"numeric outcome", rep, cust, `{"type":"elevate.result","outcome":2}`, true, nil, "malformed elevation message"},
		{"result without outcome", rep, cust, `{"type":"elevate.result"}`, true, nil, "outcome unknown"},
		{"reason too long", rep, cust, long, true, nil, "at most 300"},
		{"reason with a control character", rep, cust, `{"type":"elevate.result","outcome":"failed","reason":"a\u001b[2Jb"}`, true, nil, "control character"},
		{"request to the rep", rep, cust, `{"type":"elevate.request"}`, true, nil, "refusing an elevation message"},
		{"result to the customer", cust, rep, `{"type":"elevate.result","outcome":"accepted"}`, true, nil, "refusing an elevation message"},
		{"request from a customer", cust, protocol.Participant{ID: "c2", Role: protocol.RoleCustomer}, `{"type":"elevate.request"}`, true, nil, "not in the session"},
		{"request from a participant not in the session", cust, stranger, `{"type":"elevate.request"}`, true, nil, "not in the session"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs lockedBuffer
			cfg := Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
			info := protocol.SessionInfo{ID: "s1", Participants: []protocol.Participant{cust, rep}}
			s := newSession(info, tt.self, nil, nil, nil, cfg)
			p := &Peer{part: tt.from}
			if got := s.handleElevation(p, []byte(tt.data)); got != tt.handled {
				t.Fatalf("handled: got %v; want %v", got, tt.handled)
			}
			var got Event
			select {
			case got = <-s.Events():
			default:
			}
			if got != tt.want {
				t.Errorf("event: got %#v; want %#v", got, tt.want)
			}
			if tt.log != "" && !strings.Contains(logs.String(), tt.log) {
				t.Errorf("log: got %q; want a line with %q", logs.String(), tt.log)
			}
			if tt.want == nil && tt.handled && !strings.Contains(logs.String(), "level=WARN") {
				t.Errorf("log: got %q; want the refusal logged as a warning", logs.String())
			}
		})
	}
}

func TestElevationOutcomeText(t *testing.T) {
	for _, o := range []ElevationOutcome{ElevationAccepted, ElevationDeclined, ElevationFailed, ElevationAlready} {
		b, err := o.MarshalText()
		if err != nil {
			t.Fatalf("MarshalText(%v): %v", o, err)
		}
		var got ElevationOutcome
		if err := got.UnmarshalText(b); err != nil || got != o {
			t.Errorf("round trip %v: got %v, %v; want %v, nil", o, got, err, o)
		}
	}
	for _, o := range []ElevationOutcome{ElevationUnknown, -1, 99} {
		if b, err := o.MarshalText(); err == nil {
			t.Errorf("MarshalText(%v): got %q; want an error", o, b)
		}
	}
	if got := ElevationOutcome(99).String(); got != "ElevationOutcome(99)" {
		t.Errorf("String: got %q; want ElevationOutcome(99)", got)
	}
}
