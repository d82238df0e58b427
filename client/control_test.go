package client_test

import (
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/input"
	"github.com/tandemhq/tandem/protocol"
)

// TestControlIsTheCustomers checks the customer's authority over input:
// nothing from a rep is handed on until the customer grants control, and
// nothing after it revokes it.
func TestControlIsTheCustomers(t *testing.T) {
	p := newPair(t, 60*time.Second)
	ctx, rep, cust := p.ctx, p.rep, p.cust
	cs := cust.Session()
	got := make(chan input.Event, 16)
	cs.HandleInput(func(from protocol.Participant, ev input.Event) {
		if from.Role != protocol.RoleRep {
			t.Errorf("input from %+v; want from the rep", from)
		}
		got <- ev
	})
	rs, err := rep.Accept(ctx, cs.ID())
	if err != nil {
		t.Fatal(err)
	}
	repPeer := waitPeer(t, rs, cs.Self().ID)
	if err := repPeer.Connected(ctx); err != nil {
		t.Fatal(err)
	}
	repID := rep.Account().ID
	custPeer := waitPeer(t, cs, repID)
	if err := custPeer.Connected(ctx); err != nil {
		t.Fatal(err)
	}
	move := func(x int32) input.Event { return input.Event{Kind: input.KindMove, X: x, Y: 7} }
	// fence sends a marker move and waits for it, so that everything sent
	// before it has been through the customer's checks.
	fence := func(x int32) {
		t.Helper()
		if err := repPeer.SendInput(move(x)); err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-got:
			if ev != move(x) {
				t.Fatalf("input: got %+v; want the fence %+v (something slipped through)", ev, move(x))
			}
		case <-time.After(hung):
			t.Fatalf("the fence %d did not arrive", x)
		}
	}

	// Without control: dropped.
	if err := repPeer.SendInput(move(1)); err != nil {
		t.Fatal(err)
	}
	if err := repPeer.RequestControl(); err != nil {
		t.Fatal(err)
	}
	req := next[client.ControlRequested](t, cs.Events())
	if req.Participant.ID != repID {
		t.Fatalf("control request from %+v; want the rep", req.Participant)
	}
	if cs.InControl(repID) {
		t.Fatal("the rep is in control before the customer granted it")
	}
	if err := cs.GrantControl(repID); err != nil {
		t.Fatal(err)
	}
	if ch := next[client.ControlChanged](t, rs.Events()); !ch.InControl {
		t.Fatalf("rep side: got %+v; want in control", ch)
	}
	fence(100)

	// Malformed input is refused, the channel stays usable.
	if err := repPeer.Send(client.ControlLabel, []byte{9, 9, 9}); err != nil {
		t.Fatal(err)
	}
	fence(101)

	// Revoked: dropped again, at once.
	if err := cs.RevokeControl(repID); err != nil {
		t.Fatal(err)
	}
	if ch := next[client.ControlChanged](t, rs.Events()); ch.InControl {
		t.Fatalf("rep side after revoke: got %+v; want not in control", ch)
	}
	if err := repPeer.SendInput(move(2)); err != nil {
		t.Fatal(err)
	}
	// The request travels behind the move on the ordered channel: once it
	// is here, the move has been judged.
	if err := repPeer.RequestControl(); err != nil {
		t.Fatal(err)
	}
	next[client.ControlRequested](t, cs.Events())
	if err := cs.GrantControl(repID); err != nil {
		t.Fatal(err)
	}
	fence(102)

	// The customer can say no.
	cs.RevokeAllControl()
	if cs.InControl(repID) {
		t.Fatal("RevokeAllControl left the rep in control")
	}
	if err := repPeer.RequestControl(); err != nil {
		t.Fatal(err)
	}
	next[client.ControlRequested](t, cs.Events())
	if err := cs.DenyControl(repID); err != nil {
		t.Fatal(err)
	}
	for {
		if ch := next[client.ControlChanged](t, rs.Events()); ch.Denied {
			break
		}
	}
}
