package client

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/pion/webrtc/v4"

	"github.com/tandemhq/tandem/protocol"
)

// FuzzControlMessages feeds the customer's session what a rep's or an
// external specialist's peer could send on the control channel
// (annotation, elevation, service and control messages) and, from a
// specialist, on the files channel: whatever the bytes, they are refused
// or taken, never a crash.
func FuzzControlMessages(f *testing.F) {
	for _, seed := range []string{
		`{"type":"annotate.stroke","ink":"red","width":4,"points":[[1,2],[3,4]]}`,
		`{"type":"annotate.clear"}`,
		`{"type":"annotate.stroke","ink":"red","width":4,"points":[[1e99,2]]}`,
		`{"type":"elevate.request"}`,
		`{"type":"elevate.result","outcome":"declined","reason":"no"}`,
		`{"type":"elevate.result","outcome":"nonsense"}`,
		`{"type":"annotate.stroke"}{"type":"elevate.request"}`,
		`{"type":"control.request"}`,
		`{"type":"service.request"}`,
		`{"type":"service.query"}`,
		`{"type":"offer","id":"f1","name":"a.txt","size":3,"sha256":"` + strings.Repeat("ab", 32) + `"}`,
	} {
		f.Add([]byte(seed))
	}
	rep := protocol.Participant{ID: "r", Role: protocol.RoleRep, Name: "Rita"}
	cust := protocol.Participant{ID: "c", Role: protocol.RoleCustomer, Name: "Ada"}
	view := protocol.Participant{ID: "v", Role: protocol.RoleSpecialist, Name: "Grace", ViewOnly: true}
	ctl := protocol.Participant{ID: "k", Role: protocol.RoleSpecialist, Name: "Linus"}
	log := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newSession(protocol.SessionInfo{ID: "s", Participants: []protocol.Participant{rep, cust, view, ctl}}, cust, nil, nil, nil, Config{Logger: log})
		cfg := protocol.DefaultCustomerClientConfig()
		s.setFilePolicy(&cfg)
		p := &Peer{part: rep}
		s.handleAnnotation(p, data)
		s.handleElevation(p, data)
		for _, part := range []protocol.Participant{rep, view, ctl} {
			p := &Peer{part: part, log: log}
			s.handleControl(p, data, true)
			s.handleControl(p, data, false)
		}
		// A specialist's files channel: everything is refused.
		sp := &Peer{part: ctl, log: log}
		l := &fileLink{p: sp, hub: s.files, log: log, mine: map[string]*Transfer{}}
		l.handle(webrtc.DataChannelMessage{IsString: true, Data: data})
		l.handle(webrtc.DataChannelMessage{Data: data})
		if s.InControl(view.ID) {
			t.Fatal("a view-only specialist is in control")
		}
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
