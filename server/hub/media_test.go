package hub_test

import (
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/hub"
	"github.com/tandemhq/tandem/server/store"
)

// Offers and answers that send video need the session's screen sharing
// function of the sender's side; the server refuses them otherwise and
// the other side never sees them.
func TestSignalVideoNeedsTheFunction(t *testing.T) {
	const (
		sends    = "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
		receives = "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=recvonly\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
	)
	for _, tt := range []struct {
		name          string
		cust, rep     bool // CustomerScreenSharing, RepScreenSharing
		fromRep       bool
		kind          protocol.SignalKind
		sdp           string
		wantForbidden bool
	}{
		{"customer shares, allowed", true, false, false, protocol.SignalOffer, sends, false},
		{"customer shares, off", false, true, false, protocol.SignalOffer, sends, true},
		{"customer offers a slot, rep's off", true, false, false, protocol.SignalOffer, receives, false},
		{"rep shows, allowed", false, true, true, protocol.SignalAnswer, sends, false},
		{"rep shows, off", true, false, true, protocol.SignalAnswer, sends, true},
		{"rep receives, off", true, false, true, protocol.SignalAnswer, receives, false},
		{"rep's candidate", false, false, true, protocol.SignalCandidate, "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t)
			cfg := protocol.DefaultCustomerClientConfig()
			cfg.Functions.CustomerScreenSharing, cfg.Functions.RepScreenSharing = tt.cust, tt.rep
			id := hs.waitingWith("ada", cfg)
			cust := hs.dial("ada", id)
			next(t, cust, protocol.TypeWelcome, nil)
			rep := hs.dial("rep", hub.Identity{Role: protocol.RoleRep, RepID: "rep1", Name: "Rep"})
			next(t, rep, protocol.TypeWelcome, nil)
			send(t, rep, protocol.TypeSessionAccept, 1, id.SessionID, nil)
			next(t, rep, protocol.TypePeerConnect, nil)
			next(t, cust, protocol.TypePeerConnect, nil)

			from, to, toID := cust, rep, "rep1"
			if tt.fromRep {
				from, to, toID = rep, cust, id.ParticipantID
			}
			sig := protocol.Signal{To: toID, Kind: tt.kind, SDP: tt.sdp, Conn: "c1"}
			if tt.kind == protocol.SignalCandidate {
				sig.Candidate = `{"candidate":""}`
			}
			send(t, from, protocol.TypeSignal, 7, id.SessionID, sig)
			if tt.wantForbidden {
				var perr protocol.Error
				if env := next(t, from, protocol.TypeError, &perr); env.Ref != 7 || perr.Code != protocol.CodeForbidden {
					t.Fatalf("refusal: ref %d %+v; want ref 7, %s", env.Ref, perr, protocol.CodeForbidden)
				}
				// The next signal still goes through: the refusal did not
				// end the connection.
				send(t, from, protocol.TypeSignal, 8, id.SessionID, protocol.Signal{To: toID, Kind: protocol.SignalCandidate, Conn: "c1"})
			}
			var got protocol.Signal
			next(t, to, protocol.TypeSignal, &got)
			if tt.wantForbidden && got.Kind != protocol.SignalCandidate {
				t.Errorf("relayed: got a %s; want the refused SDP withheld", got.Kind)
			}
			if !tt.wantForbidden && got.Kind != tt.kind {
				t.Errorf("relayed: got a %s; want the %s", got.Kind, tt.kind)
			}
		})
	}
}

// waitingWith creates a waiting session in the rep's queue with the
// configuration cfg and returns the customer's identity.
func (hs *harness) waitingWith(name string, cfg protocol.CustomerClientConfig) hub.Identity {
	hs.t.Helper()
	ctx := hs.t.Context()
	sid, pid := "s-"+name, "c-"+name
	now := time.Now()
	if err := hs.st.CreateSession(ctx, store.Session{ID: sid, State: protocol.StateWaiting, QueueID: hs.queue.ID, CustomerName: name, Created: now},
		store.Participant{SessionID: sid, ID: pid, Role: protocol.RoleCustomer, Name: name, Joined: now}); err != nil {
		hs.t.Fatal(err)
	}
	if err := hs.st.SaveSessionConfig(ctx, sid, cfg); err != nil {
		hs.t.Fatal(err)
	}
	return hub.Identity{Role: protocol.RoleCustomer, Name: name, SessionID: sid, ParticipantID: pid}
}
