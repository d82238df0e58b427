package client_test

import (
	"testing"
	"time"

	"github.com/tandemhq/tandem/capture"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/internal/xvfb"
)

// TestAnswerSurvivesARestart: a customer that answers a rep's request
// just as its connection is made afresh (it starts sharing the screen)
// does not lose the answer: it goes out on the new connection.
func TestAnswerSurvivesARestart(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 640, Height: 480}}})
	p := newPair(t, 60*time.Second)
	ctx, rep, cust := p.ctx, p.rep, p.cust
	cs := cust.Session()
	rs, err := rep.Accept(ctx, cs.ID())
	if err != nil {
		t.Fatal(err)
	}
	if err := waitPeer(t, rs, cs.Self().ID).Connected(ctx); err != nil {
		t.Fatal(err)
	}
	repID := rep.Account().ID
	old := waitPeer(t, cs, repID)
	if err := old.Connected(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rs.Peer(cs.Self().ID).RequestElevation(); err != nil {
		t.Fatal(err)
	}
	if _, ok := nextElevation(t, cs.Events()).(client.ElevationRequested); !ok {
		t.Fatal("no elevation request at the customer's side")
	}

	capt, err := capture.Open(d.Name, capture.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer capt.Close()
	if err := cs.ShareScreen(capt); err != nil {
		t.Fatal(err)
	}
	defer cs.StopSharing()
	if err := cs.AnswerElevation(repID, client.ElevationDeclined, "später"); err != nil {
		t.Fatalf("answering during the restart: %v", err)
	}
	got, ok := nextElevation(t, rs.Events()).(client.ElevationChanged)
	if !ok || got.Outcome != client.ElevationDeclined || got.Reason != "später" {
		t.Fatalf("rep side: got %#v; want the declined answer", got)
	}
	if cs.Peer(repID) == old {
		t.Error("the connection was not made afresh: the test did not test a restart")
	}
}
