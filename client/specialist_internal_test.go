package client

import (
	"log/slog"
	"testing"

	"github.com/tandemhq/tandem/protocol"
)

// TestSpecialistGone: a specialist's session ends when the server's state
// of it says it is over for the specialist (a session.ended frame lost
// with a connection), and only then; a customer's does not end on a state
// alone.
func TestSpecialistGone(t *testing.T) {
	sp := protocol.Participant{ID: "k", Role: protocol.RoleSpecialist, Name: "Linus"}
	cust := protocol.Participant{ID: "c", Role: protocol.RoleCustomer, Name: "Ada"}
	rep := protocol.Participant{ID: "r", Role: protocol.RoleRep, Name: "Rita"}
	info := func(state protocol.SessionState, ps ...protocol.Participant) protocol.SessionInfo {
		return protocol.SessionInfo{ID: "s", State: state, Participants: ps}
	}
	for _, tt := range []struct {
		name       string
		self       protocol.Participant
		info       protocol.SessionInfo
		wantReason string // empty: not ended
	}{
		{"specialist present", sp, info(protocol.StateActive, cust, rep, sp), ""},
		{"specialist left", sp, info(protocol.StateActive, cust, rep), "you are no longer in the session"},
		{"session ended", sp, info(protocol.StateEnded, cust, rep, sp), "the session has ended"},
		{"customer of an ended session", cust, info(protocol.StateEnded, cust, rep), ""},
		{"rep not listed", rep, info(protocol.StateActive, cust), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(info(protocol.StateActive, cust, rep, sp), tt.self, nil, nil, nil, Config{Logger: slog.New(slog.DiscardHandler)})
			s.setInfo(tt.info)
			var got string
			for len(s.ev.ch) > 0 {
				if e, ok := (<-s.ev.ch).(SessionEnded); ok {
					got = e.Ended.Reason
				}
			}
			select {
			case <-s.Ended():
				if tt.wantReason == "" {
					t.Fatalf("ended (%q); want not ended", got)
				}
			default:
				if tt.wantReason != "" {
					t.Fatalf("not ended; want ended with %q", tt.wantReason)
				}
			}
			if got != tt.wantReason {
				t.Errorf("SessionEnded reason: got %q; want %q", got, tt.wantReason)
			}
		})
	}
}
