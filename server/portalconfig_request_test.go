package server_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/servertest"
	"github.com/tandemhq/tandem/server/store"
)

// setPortal replaces a portal's settings through the admin API.
func setPortal(t *testing.T, a *api, tok string, p adminPortal, change func(*portalmodel.Settings)) adminPortal {
	t.Helper()
	s := p.Settings
	change(&s)
	var got adminPortal
	a.ok(t, "PUT", "/api/v1/admin/portals/"+p.ID, tok, map[string]any{"slug": p.Slug, "name": p.Name, "settings": s}, &got)
	return got
}

func TestPortalRequests(t *testing.T) {
	// Monday 2026-11-23 10:00 in Tokyo is 01:00 UTC.
	clk := &clock{t: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	h := servertest.Start(t, servertest.WithNow(clk.Now))
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	p := createPortal(t, a, tok, "help")
	request := func(slug string, req protocol.PortalRequest) response {
		return a.do(t, "POST", protocol.PathPortals+slug+"/requests", "", req)
	}
	info := func(slug, lang string) protocol.PublicPortal {
		var i protocol.PublicPortal
		a.ok(t, "GET", protocol.PathPortals+slug+"?lang="+lang, "", nil, &i)
		return i
	}

	// A SmartPin portal takes codes, not requests.
	wantRefused(t, request("help", protocol.PortalRequest{}), 400, protocol.CodeBadData, "session codes")
	wantRefused(t, request("nope", protocol.PortalRequest{}), 404, protocol.CodeNotFound, "no such portal")

	// A SmartButton portal without teams is orphaned.
	p = setPortal(t, a, tok, p, func(s *portalmodel.Settings) {
		s.Type = portalmodel.SmartButton
		s.Client.Orphan.URL = "https://example.com/contact"
	})
	en, _ := protocol.DefaultMessages("en")
	de, _ := protocol.DefaultMessages("de")
	wantRefused(t, request("help", protocol.PortalRequest{}), 503, protocol.CodeClosed, en.Orphaned)
	if i := info("help", "de"); i.Open || i.Orphaned != de.Orphaned || i.OrphanURL != "https://example.com/contact" || i.Type != "smartbutton" {
		t.Errorf("orphaned portal info: %+v", i)
	}

	// With a team it takes requests into the team's queue.
	h.AddRep(t, "erin", "erin-password-1", protocol.RoleRep)
	erin := a.login(t, "erin", "erin-password-1")
	var team portalmodel.Team
	r := a.do(t, "POST", "/api/v1/admin/teams", tok, map[string]any{"name": "Tier 1", "portal_ids": []string{p.ID}, "rep_ids": []string{erin.Rep.ID}})
	if r.status != 201 || json.Unmarshal(r.body, &team) != nil {
		t.Fatalf("team: %d %s", r.status, r.body)
	}
	r = request("help", protocol.PortalRequest{Name: "Frank"})
	if r.status != 200 {
		t.Fatalf("SmartButton request: %d %s", r.status, r.body)
	}
	var j protocol.JoinResponse
	if err := json.Unmarshal(r.body, &j); err != nil {
		t.Fatal(err)
	}
	if j.Config == nil || j.Config.Portal != p.ID || j.Session.State != protocol.StateWaiting || j.Token == "" {
		t.Errorf("join response: %+v", j)
	}
	var q protocol.Queue
	a.ok(t, "GET", protocol.PathQueue, erin.Token, nil, &q)
	if len(q.Waiting) != 1 || q.Waiting[0].ID != j.Session.ID || q.Waiting[0].CustomerName != "Frank" {
		t.Errorf("erin's queue: %+v", q)
	}
	var ws protocol.WaitStatus
	a.ok(t, "GET", protocol.PathWaitStatus, j.Token, nil, &ws)
	if ws.Position != 1 {
		t.Errorf("wait status %+v; want position 1", ws)
	}

	// With every member busy, the portal is orphaned; available again, it is not.
	ews, _ := mustDial(t, a, erin.Token)
	sync := func(ref uint64) { // frames are handled in order: the answer to a bad one follows the status
		ews.send(protocol.TypeChatSend, ref, "no-such-session", protocol.ChatSend{Text: "x"})
		ews.expect(protocol.TypeError, nil)
	}
	ews.send(protocol.TypeRepStatus, 1, "", protocol.RepStatusUpdate{Status: protocol.RepStatusBusy})
	sync(2)
	wantRefused(t, request("help", protocol.PortalRequest{}), 503, protocol.CodeClosed, en.Orphaned)
	if i := info("help", "en"); i.Open {
		t.Errorf("portal with only busy reps: open")
	}
	ews.send(protocol.TypeRepStatus, 3, "", protocol.RepStatusUpdate{Status: protocol.RepStatusAvailable})
	sync(4)
	if i := info("help", "en"); !i.Open {
		t.Errorf("portal with an available rep: closed")
	}

	// SmartBox needs a question.
	p = setPortal(t, a, tok, p, func(s *portalmodel.Settings) { s.Type, s.BoxMode = portalmodel.SmartBox, portalmodel.BoxQueue })
	wantRefused(t, request("help", protocol.PortalRequest{Name: "Gina"}), 400, protocol.CodeBadData, "question")
	r = request("help", protocol.PortalRequest{Name: "Gina", Question: "My printer is on fire"})
	if r.status != 200 {
		t.Fatalf("SmartBox request: %d %s", r.status, r.body)
	}
	a.ok(t, "GET", protocol.PathQueue, erin.Token, nil, &q)
	if len(q.Waiting) != 2 || q.Waiting[1].Question != "My printer is on fire" {
		t.Errorf("erin's queue after SmartBox: %+v", q)
	}

	// SmartMatch lists the portal's reps and sends the request to the chosen one.
	p = setPortal(t, a, tok, p, func(s *portalmodel.Settings) { s.Type = portalmodel.SmartMatch })
	if i := info("help", "en"); !i.Open || len(i.Reps) != 1 || i.Reps[0].ID != erin.Rep.ID {
		t.Errorf("SmartMatch info: %+v", i)
	}
	wantRefused(t, request("help", protocol.PortalRequest{}), 400, protocol.CodeBadData, "choose a representative")
	admins, _ := h.Server.Store().RepByUsername(t.Context(), "admin")
	wantRefused(t, request("help", protocol.PortalRequest{Rep: admins.ID}), 404, protocol.CodeNotFound, "does not serve this portal")
	r = request("help", protocol.PortalRequest{Rep: erin.Rep.ID})
	if r.status != 200 || json.Unmarshal(r.body, &j) != nil {
		t.Fatalf("SmartMatch request: %d %s", r.status, r.body)
	}
	personal, _ := h.Server.Store().PersonalQueue(t.Context(), erin.Rep.ID)
	if j.Session.Queue != personal.ID {
		t.Errorf("SmartMatch session in queue %s; want erin's personal queue %s", j.Session.Queue, personal.ID)
	}

	// Business hours in Tokyo: open Monday 09:00-17:00, closed on a holiday.
	p = setPortal(t, a, tok, p, func(s *portalmodel.Settings) {
		s.Type = portalmodel.SmartButton
		s.Hours = &portalmodel.Hours{Location: "Asia/Tokyo", Holidays: []string{"2026-11-30"},
			Weekly: map[time.Weekday][]portalmodel.Interval{time.Monday: {{From: 9 * 60, To: 17 * 60}}}}
	})
	tests := []struct {
		name string
		at   time.Time
		open bool
	}{
		{"Monday 10:00 Tokyo", time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC), true},
		{"Monday 08:59 Tokyo", time.Date(2026, 11, 22, 23, 59, 0, 0, time.UTC), false}, // still Sunday in UTC
		{"Monday 17:00 Tokyo", time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), false},
		{"Tuesday 10:00 Tokyo", time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC), false},
		{"holiday Monday 10:00 Tokyo", time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		clk.mu.Lock()
		clk.t = tt.at
		clk.mu.Unlock()
		r := request("help", protocol.PortalRequest{Lang: "de"})
		switch {
		case tt.open && r.status != http.StatusOK:
			t.Errorf("%s: %d %s; want 200", tt.name, r.status, r.body)
		case !tt.open:
			t.Run(tt.name, func(t *testing.T) { wantRefused(t, r, 503, protocol.CodeClosed, de.Orphaned) })
		}
		if i := info("help", "en"); i.Open != tt.open {
			t.Errorf("%s: info open %v; want %v", tt.name, i.Open, tt.open)
		}
	}
	wantRefused(t, request("help", protocol.PortalRequest{Lang: "../x"}), 400, protocol.CodeBadData, "lang")
}

// BenchmarkWaitStatus measures a waiting customer's status request over
// HTTPS: position among 50 waiting sessions, the estimate from 20 answered
// ones, the on-hold message and the notices.
func BenchmarkWaitStatus(b *testing.B) {
	h := servertest.Start(b, servertest.WithLogger(discard))
	a := newAPI(b, h)
	tok := a.login(b, "admin", admin).Token
	var k protocol.Key
	a.do(b, "POST", "/api/v1/admin/portals", tok, map[string]any{"slug": "support", "name": "Support"})
	var last protocol.JoinResponse
	for range 50 {
		a.ok(b, "POST", protocol.PathKeys, tok, protocol.KeyRequest{Portal: "support"}, &k)
		last = a.join(b, k.Code, "C")
	}
	st := h.Server.Store()
	sess, err := st.Session(b.Context(), last.Session.ID)
	if err != nil {
		b.Fatal(err)
	}
	admins, _ := st.RepByUsername(b.Context(), "admin")
	t0 := time.Now().Add(-time.Hour)
	for i := range 20 {
		id := "old" + strconv.Itoa(i)
		c := t0.Add(time.Duration(i) * time.Minute)
		if err := st.CreateSession(b.Context(), store.Session{ID: id, QueueID: sess.QueueID, CustomerName: "x", Created: c},
			store.Participant{ID: "c" + id, Role: protocol.RoleCustomer, Name: "x"}); err != nil {
			b.Fatal(err)
		}
		if _, err := st.AcceptSession(b.Context(), id, store.Participant{ID: "r" + id, Role: protocol.RoleRep, RepID: admins.ID}, c.Add(time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		var ws protocol.WaitStatus
		a.ok(b, "GET", protocol.PathWaitStatus+"?lang=de", last.Token, nil, &ws)
		if ws.Position != 50 || !ws.Estimated {
			b.Fatalf("status %+v", ws)
		}
	}
}
