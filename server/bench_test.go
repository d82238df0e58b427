package server_test

import (
	"testing"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

// BenchmarkChatRoundTrip measures one chat line from the customer through
// the server (validated, stored in SQLite, broadcast) back to the rep.
func BenchmarkChatRoundTrip(b *testing.B) {
	h := servertest.Start(b, servertest.WithLogger(discard))
	a := newAPI(b, h)
	s := startSession(b, a, h.AdminUser, h.AdminPassword)
	for i := 0; b.Loop(); i++ {
		s.cust.send(protocol.TypeChatSend, uint64(i+1), s.id, protocol.ChatSend{Text: "a line of chat"})
		s.rep.expect(protocol.TypeChatMessage, nil)
		s.cust.expect(protocol.TypeChatMessage, nil)
	}
}

// BenchmarkSignalRelay measures one ICE candidate relayed from the
// customer to the rep (membership read from the store, forwarded).
func BenchmarkSignalRelay(b *testing.B) {
	h := servertest.Start(b, servertest.WithLogger(discard))
	a := newAPI(b, h)
	s := startSession(b, a, h.AdminUser, h.AdminPassword)
	cand := `{"candidate":"candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0}`
	for i := 0; b.Loop(); i++ {
		s.cust.send(protocol.TypeSignal, uint64(i+1), s.id, protocol.Signal{To: s.repID, Kind: protocol.SignalCandidate, Candidate: cand})
		s.rep.expect(protocol.TypeSignal, nil)
	}
}
