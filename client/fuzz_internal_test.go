package client

import (
	"log/slog"
	"testing"

	"github.com/tandemhq/tandem/protocol"
)

// FuzzControlMessages feeds the customer's session what a rep's peer
// could send as annotation and elevation messages on the control channel:
// whatever the bytes, they are refused or taken, never a crash.
func FuzzControlMessages(f *testing.F) {
	for _, seed := range []string{
		`{"type":"annotate.stroke","ink":"red","width":4,"points":[[1,2],[3,4]]}`,
		`{"type":"annotate.clear"}`,
		`{"type":"annotate.stroke","ink":"red","width":4,"points":[[1e99,2]]}`,
		`{"type":"elevate.request"}`,
		`{"type":"elevate.result","outcome":"declined","reason":"no"}`,
		`{"type":"elevate.result","outcome":"nonsense"}`,
		`{"type":"annotate.stroke"}{"type":"elevate.request"}`,
	} {
		f.Add([]byte(seed))
	}
	rep := protocol.Participant{ID: "r", Role: protocol.RoleRep, Name: "Rita"}
	cust := protocol.Participant{ID: "c", Role: protocol.RoleCustomer, Name: "Ada"}
	log := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newSession(protocol.SessionInfo{ID: "s", Participants: []protocol.Participant{rep, cust}}, cust, nil, nil, nil, Config{Logger: log})
		cfg := protocol.DefaultCustomerClientConfig()
		s.setFilePolicy(&cfg)
		p := &Peer{part: rep}
		s.handleAnnotation(p, data)
		s.handleElevation(p, data)
	})
}

// FuzzParseHandoff: a hand-off file's bytes are refused or give a valid
// hand-off, never a crash.
func FuzzParseHandoff(f *testing.F) {
	f.Add([]byte(`{"version":1,"server":"https://127.0.0.1:8443","token":"t","session":"s","participant":{"id":"c","role":"customer","name":"Ada"}}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseHandoff(b)
		if err == nil {
			if verr := h.Validate(); verr != nil {
				t.Fatalf("parseHandoff accepted %q, which does not validate: %v", b, verr)
			}
		}
	})
}
