package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/servertest"
)

// TestAbandonedWaitingSessionsEnd: a waiting customer who closes the
// program and stays away longer than the portal's reconnect time, or who
// filled a portal's form and never ran the program, is taken out of the
// queue: the session ends as abandoned and the reps' queues drop it. A
// customer who comes back in time keeps their place.
func TestAbandonedWaitingSessionsEnd(t *testing.T) {
	// The portal's download link lasts the key lifetime: the grace a
	// customer who never connected has.
	h := servertest.Start(t, servertest.WithKeyLifetime(2*time.Second))
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	p := createPortal(t, a, tok, "quick")
	setPortal(t, a, tok, p, func(s *portalmodel.Settings) { s.Type = portalmodel.SmartButton })
	var cc protocol.CustomerClientConfig
	a.ok(t, "GET", "/api/v1/admin/portals/"+p.ID+"/client-config", tok, nil, &cc)
	cc.Connection.ReconnectSeconds = 2
	a.ok(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/client-config", tok, cc, &cc)
	if r := a.do(t, "POST", "/api/v1/admin/teams", tok, map[string]any{"name": "Quick", "portal_ids": []string{p.ID}, "rep_ids": []string{a.login(t, "admin", admin).Rep.ID}}); r.status != http.StatusCreated {
		t.Fatalf("team: %d %s", r.status, r.body)
	}
	rep, _ := mustDial(t, a, tok)

	join := func() protocol.JoinResponse {
		t.Helper()
		var k protocol.Key
		a.ok(t, "POST", protocol.PathKeys, tok, protocol.KeyRequest{Portal: "quick"}, &k)
		var j protocol.JoinResponse
		a.ok(t, "POST", protocol.PathJoin, "", protocol.JoinRequest{Code: k.Code, Name: "Ada"}, &j)
		return j
	}
	// left closes its program; back closes it and reconnects at once;
	// never filled the form and never ran the program.
	left, back := join(), join()
	var never protocol.JoinResponse
	a.ok(t, "POST", protocol.PathPortals+"quick/requests", "", protocol.PortalRequest{Name: "Gus"}, &never)
	lw, _ := mustDial(t, a, left.Token)
	bw, _ := mustDial(t, a, back.Token)
	lw.ws.CloseNow()
	bw.ws.CloseNow()
	bw, _ = mustDial(t, a, back.Token)

	// The queue comes to hold the one who came back, alone. (The rep's
	// first queues may be from before the joins.)
	for {
		var q protocol.Queue
		rep.expect(protocol.TypeQueue, &q)
		if len(q.Waiting) == 1 && q.Waiting[0].ID == back.Session.ID {
			break
		}
	}
	for _, id := range []string{left.Session.ID, never.Session.ID} {
		s, err := h.Server.Store().Session(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if s.State != protocol.StateEnded || s.EndReason != "abandoned: the customer left the queue" {
			t.Errorf("session %s: %v %q; want ended as abandoned", id, s.State, s.EndReason)
		}
	}
	// The one who came back still waits, well past their reconnect time.
	time.Sleep(3 * time.Second)
	if s, err := h.Server.Store().Session(t.Context(), back.Session.ID); err != nil || s.State != protocol.StateWaiting {
		t.Errorf("the customer who came back: %+v, %v; want still waiting", s, err)
	}
	bw.ws.CloseNow()
}
