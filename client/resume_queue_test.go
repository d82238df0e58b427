package client_test

import (
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
)

// TestResumeWhileWaiting: a client relaunched while its session waits in
// the queue (the automatic elevation at start) takes it over; the rep who
// then accepts connects to the resumed client.
func TestResumeWhileWaiting(t *testing.T) {
	p := newPair(t, 60*time.Second)
	ctx, rep, first := p.ctx, p.rep, p.cust
	second, err := client.Resume(ctx, client.Config{Logger: testLogger(t)}, first.Handoff())
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	cs := second.Session()
	if info := next[client.SessionChanged](t, cs.Events()).Info; info.State != protocol.StateWaiting {
		t.Errorf("resumed session state: got %v; want waiting", info.State)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := second.WaitStatus(ctx, "en")
	if err != nil {
		t.Fatalf("WaitStatus of the resumed client: %v", err)
	}
	if st.Position != 1 {
		t.Errorf("WaitStatus: got position %d; want 1", st.Position)
	}
	rs, err := rep.Accept(ctx, cs.ID())
	if err != nil {
		t.Fatal(err)
	}
	if err := waitPeer(t, rs, cs.Self().ID).Connected(ctx); err != nil {
		t.Fatal(err)
	}
	custPeer := waitPeer(t, cs, rep.Account().ID)
	if err := custPeer.Connected(ctx); err != nil {
		t.Fatal(err)
	}
	if err := cs.SendChat(ctx, "bin wieder da"); err != nil {
		t.Fatal(err)
	}
}
