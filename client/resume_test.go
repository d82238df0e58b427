//go:build linux && cgo

package client_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/tandemhq/tandem/capture"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/internal/xvfb"
	"github.com/tandemhq/tandem/protocol"
)

// TestResumeTakesTheSessionOver: a second customer client resumed from
// the first one's hand-off takes the session over with no code — the
// rep's peer connects to it and its shared screen reaches the rep — and
// the first one closes without ending the session.
func TestResumeTakesTheSessionOver(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 800, Height: 600}}})
	paint(t, d, 800, 600, 3)
	p := newPair(t, 90*time.Second)
	ctx, rep, first := p.ctx, p.rep, p.cust
	cs1 := first.Session()
	rs, err := rep.Accept(ctx, cs1.ID())
	if err != nil {
		t.Fatal(err)
	}
	custID := cs1.Self().ID
	old := waitPeer(t, rs, custID)
	if err := old.Connected(ctx); err != nil {
		t.Fatal(err)
	}

	// The hand-off goes through a file, as between two processes.
	path := filepath.Join(t.TempDir(), "handoff.json")
	if err := client.WriteHandoff(path, first.Handoff()); err != nil {
		t.Fatal(err)
	}
	h, err := client.ReadHandoff(path)
	if err != nil {
		t.Fatal(err)
	}
	if h.Session != cs1.ID() || h.Participant != cs1.Self() {
		t.Fatalf("hand-off: got session %s, %+v; want %s, %+v", h.Session, h.Participant, cs1.ID(), cs1.Self())
	}
	second, err := client.Resume(ctx, client.Config{Logger: testLogger(t)}, h)
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	defer second.Close()
	cs2 := second.Session()
	if cs2.ID() != cs1.ID() || cs2.Self() != cs1.Self() {
		t.Errorf("resumed session: got %s as %+v; want %s as %+v", cs2.ID(), cs2.Self(), cs1.ID(), cs1.Self())
	}
	if c := second.Config(); c == nil || c.Validate() != nil {
		t.Errorf("resumed Config: got %+v; want the session's snapshot", c)
	}
	if info := next[client.SessionChanged](t, cs2.Events()).Info; info.ID != cs1.ID() || info.State != protocol.StateActive {
		t.Errorf("resumed session state: got %s %v; want %s active", info.ID, info.State, cs1.ID())
	}

	// The rep's peer is made afresh, with the resumed client; sharing then
	// connects it afresh once more, with the screen. (Sharing while the
	// first attempt is still being set up races two attempts' offers: see
	// the report on Session.restartPeer.)
	first2 := waitNewPeer(t, rs, custID, old)

	capt, err := capture.Open(d.Name, capture.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer capt.Close()
	if err := cs2.ShareScreen(capt); err != nil {
		t.Fatal(err)
	}
	defer cs2.StopSharing()

	peer := waitNewPeer(t, rs, custID, first2)
	waitSharp(t, &sharing{d: d, screen: peer.Screen()}, grab(t, d, 0), 40)

	// The first client goes away; the session stays, with the second.
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-cs1.Ended():
		t.Fatal("closing the first client ended its session")
	default:
	}
	if err := cs2.SendChat(ctx, "noch da"); err != nil {
		t.Fatalf("chat from the resumed client: %v", err)
	}
	for {
		m := next[client.ChatReceived](t, rs.Events()).Message
		if m.Text == "noch da" {
			if m.From != custID {
				t.Errorf("chat from %s; want the customer %s", m.From, custID)
			}
			break
		}
	}
	if got := rs.Info().State; got != protocol.StateActive {
		t.Errorf("session state at the rep: got %v; want active", got)
	}
	// The rep reaches the resumed client on the control channel.
	if err := peer.RequestElevation(); err != nil {
		t.Fatal(err)
	}
	if r, ok := nextElevation(t, cs2.Events()).(client.ElevationRequested); !ok || r.Participant.ID != rep.Account().ID {
		t.Errorf("resumed client: got %+v; want the rep's elevation request", r)
	}
}

// waitNewPeer waits for a connected peer to id other than old.
func waitNewPeer(t *testing.T, s *client.Session, id string, old *client.Peer) *client.Peer {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if p := s.Peer(id); p != nil && p != old {
			ctx, cancel := context.WithDeadline(t.Context(), deadline)
			err := p.Connected(ctx)
			cancel()
			if err == nil {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new connected peer to %s within 30s", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestResumeRefused: a hand-off whose token the server does not know is
// refused, and Resume validates the hand-off before connecting.
func TestResumeRefused(t *testing.T) {
	p := newPair(t, 30*time.Second)
	h := p.cust.Handoff()
	h.Token = "not-a-token"
	if _, err := client.Resume(p.ctx, client.Config{Logger: testLogger(t)}, h); err == nil {
		t.Error("Resume with an unknown token: got nil; want an error")
	}
	h = p.cust.Handoff()
	h.Participant.Role = protocol.RoleRep
	if _, err := client.Resume(p.ctx, client.Config{}, h); !errors.Is(err, client.ErrBadHandoff) {
		t.Errorf("Resume with a rep's hand-off: got %v; want ErrBadHandoff", err)
	}
}
