package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/servertest"
	"github.com/tandemhq/tandem/server/store"
)

// specialistsPath is a session's invitations resource.
func specialistsPath(session string) string {
	return protocol.PathSession + session + protocol.PathSpecialistsSuffix
}

// invite makes an invitation as the rep holding tok.
func (a *api) invite(t testing.TB, tok, session string, rights protocol.SpecialistRights) protocol.SpecialistInvitation {
	t.Helper()
	var inv protocol.SpecialistInvitation
	a.ok(t, "POST", specialistsPath(session), tok, protocol.SpecialistInviteRequest{Rights: rights}, &inv)
	return inv
}

// invitations lists a session's invitations as the rep holding tok.
func (a *api) invitations(t testing.TB, tok, session string) protocol.SpecialistInvitations {
	t.Helper()
	var l protocol.SpecialistInvitations
	a.ok(t, "GET", specialistsPath(session), tok, nil, &l)
	return l
}

// specialistJoin spends an invitation code.
func (a *api) specialistJoin(t testing.TB, code, name string) protocol.JoinResponse {
	t.Helper()
	var j protocol.JoinResponse
	a.ok(t, "POST", protocol.PathSpecialistJoin, "", protocol.SpecialistJoinRequest{Code: code, Name: name}, &j)
	return j
}

// TestSpecialistInvitations: a rep of an active session invites
// specialists with view or control rights, lists and cancels the
// invitations, within the portal's limit; everyone else, and malformed
// requests, are refused with a reason.
func TestSpecialistInvitations(t *testing.T) {
	clk := newClock()
	h := servertest.Start(t, servertest.WithNow(clk.Now), servertest.WithKeyLifetime(10*time.Minute))
	a := newAPI(t, h)
	s := startSession(t, a, h.AdminUser, h.AdminPassword)
	h.AddRep(t, "bob", "bob-password-1", protocol.RoleRep)
	bob := a.login(t, "bob", "bob-password-1").Token
	base := specialistsPath(s.id)

	view := a.invite(t, s.repTok, s.id, protocol.RightsView)
	if protocol.ValidateCode(view.Code) != nil || view.Rights != protocol.RightsView || view.InvitedBy != s.repID ||
		!view.Created.Equal(clk.Now()) || !view.Expires.Equal(clk.Now().Add(10*time.Minute)) || view.UsedBy != "" || view.Cancelled {
		t.Errorf("view invitation %+v; want a 9-digit code by %s, created now, lasting the key lifetime", view, s.repID)
	}
	control := a.invite(t, s.repTok, s.id, protocol.RightsControl)
	if control.Rights != protocol.RightsControl || control.Code == view.Code {
		t.Errorf("control invitation %+v; want control rights and a code of its own", control)
	}
	l := a.invitations(t, s.repTok, s.id)
	if l.Max != protocol.MaxExternalSpecialists || len(l.Invitations) != 2 || l.Invitations[0] != view || l.Invitations[1] != control {
		t.Errorf("invitations %+v; want max %d, the view then the control one as made", l, protocol.MaxExternalSpecialists)
	}
	for range 2 { // cancelling twice is no error
		if r := a.do(t, "DELETE", base+"/"+control.Code, s.repTok, nil); r.status != http.StatusNoContent {
			t.Errorf("cancel: %d %s; want 204", r.status, r.body)
		}
	}
	if l := a.invitations(t, s.repTok, s.id); len(l.Invitations) != 2 || !l.Invitations[1].Cancelled || l.Invitations[0].Cancelled {
		t.Errorf("invitations after the cancel %+v; want the control one cancelled", l)
	}

	for _, tt := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		code                      protocol.ErrorCode
		reason                    string
	}{
		{"invite without a token", "POST", base, "", map[string]string{"rights": "view"}, http.StatusUnauthorized, protocol.CodeUnauthorized, ""},
		{"invite by a rep not in it", "POST", base, bob, map[string]string{"rights": "view"}, http.StatusForbidden, protocol.CodeForbidden, "representatives"},
		{"invite by the customer", "POST", base, s.custTk, map[string]string{"rights": "view"}, http.StatusForbidden, protocol.CodeForbidden, "representatives"},
		{"invite into no session", "POST", specialistsPath("nope"), s.repTok, map[string]string{"rights": "view"}, http.StatusForbidden, protocol.CodeForbidden, ""},
		{"list by a rep not in it", "GET", base, bob, nil, http.StatusForbidden, protocol.CodeForbidden, ""},
		{"list by the customer", "GET", base, s.custTk, nil, http.StatusForbidden, protocol.CodeForbidden, ""},
		{"cancel by a rep not in it", "DELETE", base + "/" + view.Code, bob, nil, http.StatusForbidden, protocol.CodeForbidden, ""},
		{"cancel by the customer", "DELETE", base + "/" + view.Code, s.custTk, nil, http.StatusForbidden, protocol.CodeForbidden, ""},
		{"unknown rights", "POST", base, s.repTok, map[string]string{"rights": "admin"}, http.StatusBadRequest, protocol.CodeBadData, "view or control"},
		{"rights named unknown", "POST", base, s.repTok, map[string]string{"rights": "unknown"}, http.StatusBadRequest, protocol.CodeBadData, "view or control"},
		{"rights as a number", "POST", base, s.repTok, `{"rights":2}`, http.StatusBadRequest, protocol.CodeBadData, ""},
		{"no rights", "POST", base, s.repTok, `{}`, http.StatusBadRequest, protocol.CodeBadData, "view or control"},
		{"unknown field", "POST", base, s.repTok, `{"rights":"view","expires":"never"}`, http.StatusBadRequest, protocol.CodeBadData, ""},
		{"not JSON", "POST", base, s.repTok, `{`, http.StatusBadRequest, protocol.CodeBadData, ""},
		{"no body", "POST", base, s.repTok, nil, http.StatusUnsupportedMediaType, protocol.CodeBadData, ""},
		{"cancel a short code", "DELETE", base + "/12345", s.repTok, nil, http.StatusBadRequest, protocol.CodeBadData, ""},
		{"cancel letters", "DELETE", base + "/abcdefghi", s.repTok, nil, http.StatusBadRequest, protocol.CodeBadData, ""},
		{"cancel an unknown code", "DELETE", base + "/" + otherCode(view.Code, control.Code), s.repTok, nil, http.StatusNotFound, protocol.CodeNotFound, "no invitation"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantRefused(t, a.do(t, tt.method, tt.path, tt.token, tt.body), tt.status, tt.code, tt.reason)
		})
	}

	if l := a.invitations(t, s.repTok, s.id); len(l.Invitations) != 2 {
		t.Errorf("invitations %+v after the refusals; want the same two", l)
	}

	// The limit counts open and spent invitations, not cancelled ones:
	// view is open, so four more reach it.
	for range protocol.MaxExternalSpecialists - 1 {
		a.invite(t, s.repTok, s.id, protocol.RightsView)
	}
	wantRefused(t, a.do(t, "POST", base, s.repTok, protocol.SpecialistInviteRequest{Rights: protocol.RightsControl}),
		http.StatusForbidden, protocol.CodeNoSpecialists, "as many as its support site allows")
	a.specialistJoin(t, view.Code, "Sam") // spent still counts
	wantRefused(t, a.do(t, "POST", base, s.repTok, protocol.SpecialistInviteRequest{Rights: protocol.RightsControl}),
		http.StatusForbidden, protocol.CodeNoSpecialists, "")
	wantRefused(t, a.do(t, "DELETE", base+"/"+view.Code, s.repTok, nil), http.StatusConflict, protocol.CodeConflict, "joined with this code")
	l = a.invitations(t, s.repTok, s.id)
	if n := len(l.Invitations); n != protocol.MaxExternalSpecialists+1 {
		t.Fatalf("%d invitations; want %d", n, protocol.MaxExternalSpecialists+1)
	}
	if r := a.do(t, "DELETE", base+"/"+l.Invitations[2].Code, s.repTok, nil); r.status != http.StatusNoContent {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	a.invite(t, s.repTok, s.id, protocol.RightsControl) // room again

	// Expired unused invitations do not count either.
	clk.Advance(10*time.Minute + time.Second)
	a.invite(t, s.repTok, s.id, protocol.RightsView)
}

// otherCode is a valid code that is none of codes.
func otherCode(codes ...string) string {
	for _, c := range []string{"000000001", "000000002", "000000003"} {
		used := false
		for _, d := range codes {
			used = used || c == d
		}
		if !used {
			return c
		}
	}
	panic("unreachable")
}

// TestSpecialistInvitationsSessionState: invitations are for active
// sessions: a waiting session's invitations are refused (its rep, not yet
// in it, is not its rep; one who is gets a conflict), as are an ended
// one's.
func TestSpecialistInvitationsSessionState(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	lr := a.login(t, h.AdminUser, h.AdminPassword)
	j := a.join(t, a.key(t, lr.Token).Code, "Carol")
	base := specialistsPath(j.Session.ID)
	body := protocol.SpecialistInviteRequest{Rights: protocol.RightsView}
	wantRefused(t, a.do(t, "POST", base, lr.Token, body), http.StatusForbidden, protocol.CodeForbidden, "representatives")
	if err := h.Server.Store().AddParticipant(t.Context(), store.Participant{SessionID: j.Session.ID, ID: lr.Rep.ID, Role: protocol.RoleRep,
		Name: "Admin", RepID: lr.Rep.ID, Joined: time.Now()}); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, a.do(t, "POST", base, lr.Token, body), http.StatusConflict, protocol.CodeConflict, "waiting")

	h.AddRep(t, "bob", "bob-password-1", protocol.RoleRep)
	s := startSession(t, a, "bob", "bob-password-1")
	inv := a.invite(t, s.repTok, s.id, protocol.RightsView)
	s.rep.send(protocol.TypeSessionEnd, 1, s.id, nil)
	s.rep.expect(protocol.TypeSessionEnded, nil)
	wantRefused(t, a.do(t, "POST", specialistsPath(s.id), s.repTok, body), http.StatusForbidden, protocol.CodeForbidden, "")
	r := a.do(t, "POST", protocol.PathSpecialistJoin, "", protocol.SpecialistJoinRequest{Code: inv.Code, Name: "Sam"})
	wantRefused(t, r, http.StatusGone, protocol.CodeConflict, "ended")
	// The admin reads the ended session's invitations.
	if l := a.invitations(t, lr.Token, s.id); len(l.Invitations) != 1 || l.Invitations[0].Code != inv.Code {
		t.Errorf("invitations of the ended session %+v; want the one", l)
	}
}

// TestSpecialistsPortalOff: a portal whose functions allow no specialists
// refuses invitations with CodeNoSpecialists.
func TestSpecialistsPortalOff(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	lr := a.login(t, h.AdminUser, h.AdminPassword)
	p := createPortal(t, a, lr.Token, "closed")
	setPortal(t, a, lr.Token, p, func(s *portalmodel.Settings) { s.Client.Functions.MaxExternalSpecialists = 0 })

	s := startPortalSession(t, a, lr, "closed")
	wantRefused(t, a.do(t, "POST", specialistsPath(s.id), lr.Token, protocol.SpecialistInviteRequest{Rights: protocol.RightsView}),
		http.StatusForbidden, protocol.CodeNoSpecialists, "does not allow external specialists")
	if l := a.invitations(t, lr.Token, s.id); l.Max != 0 || len(l.Invitations) != 0 {
		t.Errorf("invitations %+v; want none, max 0", l)
	}
}

// startPortalSession is startSession with a key of a portal, for the rep
// signed in as lr.
func startPortalSession(t *testing.T, a *api, lr protocol.LoginResponse, portal string) activeSession {
	t.Helper()
	rep, _ := mustDial(t, a, lr.Token)
	var k protocol.Key
	a.ok(t, "POST", protocol.PathKeys, lr.Token, protocol.KeyRequest{Portal: portal}, &k)
	j := a.join(t, k.Code, "Carol")
	cust, _ := mustDial(t, a, j.Token)
	rep.send(protocol.TypeSessionAccept, 1, j.Session.ID, nil)
	s := activeSession{id: j.Session.ID, rep: rep, cust: cust, repID: lr.Rep.ID, custID: j.Participant.ID, repTok: lr.Token, custTk: j.Token}
	cust.expect(protocol.TypePeerConnect, &s.custPC)
	rep.expect(protocol.TypePeerConnect, &s.repPC)
	return s
}

// TestSpecialistJoin: a code admits one specialist, with the rights it
// was made with; spent, cancelled, expired, unknown and malformed codes
// are refused with a reason.
func TestSpecialistJoin(t *testing.T) {
	clk := newClock()
	h := servertest.Start(t, servertest.WithNow(clk.Now))
	a := newAPI(t, h)
	s := startSession(t, a, h.AdminUser, h.AdminPassword)
	view := a.invite(t, s.repTok, s.id, protocol.RightsView)
	control := a.invite(t, s.repTok, s.id, protocol.RightsControl)
	cancelled := a.invite(t, s.repTok, s.id, protocol.RightsControl)
	if r := a.do(t, "DELETE", specialistsPath(s.id)+"/"+cancelled.Code, s.repTok, nil); r.status != http.StatusNoContent {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}

	j := a.specialistJoin(t, protocol.FormatCode(view.Code), "  Sam  ")
	want := protocol.Participant{ID: j.Participant.ID, Role: protocol.RoleSpecialist, Name: "Sam", ViewOnly: true}
	if j.Token == "" || j.Participant.ID == "" || j.Participant != want || j.Config != nil {
		t.Errorf("join response %+v; want a token and the participant %+v", j, want)
	}
	if j.Session.ID != s.id || j.Session.State != protocol.StateActive || len(j.Session.Participants) != 3 || j.Session.Participants[2] != want {
		t.Errorf("joined session %+v; want %s, active, the customer, the rep and the specialist", j.Session, s.id)
	}
	jc := a.specialistJoin(t, control.Code, "Tess")
	if jc.Participant.ViewOnly || jc.Participant.Role != protocol.RoleSpecialist || len(jc.Session.Participants) != 4 {
		t.Errorf("control join %+v; want a specialist with control among four", jc)
	}
	l := a.invitations(t, s.repTok, s.id)
	if l.Invitations[0].UsedBy != j.Participant.ID || l.Invitations[1].UsedBy != jc.Participant.ID || l.Invitations[2].UsedBy != "" {
		t.Errorf("invitations %+v; want the first two spent by Sam and Tess", l)
	}

	expiring := a.invite(t, s.repTok, s.id, protocol.RightsView)
	clk.Advance(server.DefaultKeyLifetime + time.Second) // invitations last as long as session keys
	for _, tt := range []struct {
		name   string
		body   any
		status int
		code   protocol.ErrorCode
		reason string
	}{
		{"spent", protocol.SpecialistJoinRequest{Code: view.Code, Name: "Sam"}, http.StatusGone, protocol.CodeNotFound, "used already"},
		{"cancelled", protocol.SpecialistJoinRequest{Code: cancelled.Code, Name: "Sam"}, http.StatusGone, protocol.CodeNotFound, "cancelled"},
		{"expired", protocol.SpecialistJoinRequest{Code: expiring.Code, Name: "Sam"}, http.StatusGone, protocol.CodeNotFound, "expired"},
		{"unknown", protocol.SpecialistJoinRequest{Code: otherCode(view.Code, control.Code, cancelled.Code, expiring.Code), Name: "Sam"}, http.StatusNotFound, protocol.CodeNotFound, "no invitation"},
		{"no name", protocol.SpecialistJoinRequest{Code: control.Code}, http.StatusBadRequest, protocol.CodeBadData, "name"},
		{"blank name", protocol.SpecialistJoinRequest{Code: control.Code, Name: " \t "}, http.StatusBadRequest, protocol.CodeBadData, "name"},
		{"short code", protocol.SpecialistJoinRequest{Code: "1234", Name: "Sam"}, http.StatusBadRequest, protocol.CodeBadData, ""},
		{"long name", protocol.SpecialistJoinRequest{Code: control.Code, Name: strings.Repeat("n", protocol.MaxNameRunes+1)}, http.StatusBadRequest, protocol.CodeBadData, "name"},
		{"unknown field", `{"code":"` + control.Code + `","name":"Sam","rights":"control"}`, http.StatusBadRequest, protocol.CodeBadData, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantRefused(t, a.do(t, "POST", protocol.PathSpecialistJoin, "", tt.body), tt.status, tt.code, tt.reason)
		})
	}
	if l := a.invitations(t, s.repTok, s.id); len(l.Invitations) != 4 || l.Invitations[3].UsedBy != "" {
		t.Errorf("invitations after the refusals %+v; want the expired one unspent", l)
	}
}

// TestSpecialistJoinRateLimit: wrong codes count against the caller's
// address; past the limit even a good code is refused, and not spent.
func TestSpecialistJoinRateLimit(t *testing.T) {
	clk := newClock()
	h := servertest.Start(t, servertest.WithNow(clk.Now))
	a := newAPI(t, h)
	s := startSession(t, a, h.AdminUser, h.AdminPassword)
	inv := a.invite(t, s.repTok, s.id, protocol.RightsView)
	wrong := protocol.SpecialistJoinRequest{Code: otherCode(inv.Code), Name: "Mallory"}
	var r response
	for i := 0; ; i++ {
		if r = a.do(t, "POST", protocol.PathSpecialistJoin, "", wrong); r.status != http.StatusNotFound {
			break
		}
		if i == 100 {
			t.Fatal("100 wrong codes and no rate limit")
		}
	}
	wantRefused(t, r, http.StatusTooManyRequests, protocol.CodeRateLimited, "too many wrong codes")
	if e := r.errBody(t); e.RetryAfter < 1 {
		t.Errorf("retry_after %d; want at least 1", e.RetryAfter)
	}
	wantRefused(t, a.do(t, "POST", protocol.PathSpecialistJoin, "", protocol.SpecialistJoinRequest{Code: inv.Code, Name: "Sam"}),
		http.StatusTooManyRequests, protocol.CodeRateLimited, "")
	// Session keys share the address's count.
	wantRefused(t, a.do(t, "POST", protocol.PathJoin, "", protocol.JoinRequest{Code: a.key(t, s.repTok).Code, Name: "Dora"}),
		http.StatusTooManyRequests, protocol.CodeRateLimited, "")
	clk.Advance(11 * time.Minute)
	a.specialistJoin(t, inv.Code, "Sam")
}

// specialistSession is an active session with a specialist joined and
// connected.
type specialistSession struct {
	activeSession
	spec   *wsConn
	specID string
	specTk string
}

// addSpecialist invites a specialist into s, has it join and connect, and
// checks what everyone hears: the new participant list, and peer.connect
// between the customer and the specialist only.
func addSpecialist(t *testing.T, a *api, s activeSession, rights protocol.SpecialistRights, name string) specialistSession {
	t.Helper()
	inv := a.invite(t, s.repTok, s.id, rights)
	j := a.specialistJoin(t, inv.Code, name)
	ss := specialistSession{activeSession: s, specID: j.Participant.ID, specTk: j.Token}
	for _, c := range []*wsConn{s.rep, s.cust} {
		waitState(t, c, func(st protocol.SessionInfo) bool { return hasParticipant(st, j.Participant) })
	}

	spec, w := mustDial(t, a, j.Token)
	ss.spec = spec
	if w.Role != protocol.RoleSpecialist || w.Participant != j.Participant || w.Session == nil || w.Session.ID != s.id ||
		w.Session.State != protocol.StateActive || !hasParticipant(*w.Session, j.Participant) {
		t.Errorf("specialist welcome %+v; want role specialist, itself %+v and the active session", w, j.Participant)
	}
	var st protocol.SessionInfo
	spec.expect(protocol.TypeSessionState, &st)
	if st.ID != s.id || !hasParticipant(st, j.Participant) {
		t.Errorf("specialist's session.state %+v; want the session with it", st)
	}
	var pc protocol.PeerConnect
	spec.expect(protocol.TypePeerConnect, &pc)
	if pc.Initiator || pc.Peer.ID != s.custID || pc.Peer.Role != protocol.RoleCustomer || len(pc.ICEServers) == 0 {
		t.Errorf("specialist's peer.connect %+v; want answering the customer, with ICE servers", pc)
	}
	// The customer opens a connection to the specialist and to nobody
	// else: its connection with the rep carries on.
	pc = protocol.PeerConnect{}
	s.cust.expect(protocol.TypePeerConnect, &pc)
	if !pc.Initiator || pc.Peer != j.Participant {
		t.Errorf("customer's peer.connect %+v; want offering to the specialist %+v", pc, j.Participant)
	}
	// The rep's media carries on too: no peer.connect reaches it before
	// a chat line the customer sends after it got its own.
	s.cust.send(protocol.TypeChatSend, 900, s.id, protocol.ChatSend{Text: "welcome " + name})
	for _, c := range []*wsConn{s.rep, s.cust} {
		for {
			env, err := c.readEnv()
			if err != nil {
				t.Fatalf("waiting for the chat: %v", err)
			}
			if env.Type == protocol.TypePeerConnect {
				t.Errorf("peer.connect %s when a specialist connected; want none", env.Data)
			}
			if env.Type == protocol.TypeChatMessage {
				break
			}
		}
	}
	spec.expect(protocol.TypeChatMessage, nil)
	return ss
}

// waitState reads session.state frames until one satisfies ok.
func waitState(t *testing.T, c *wsConn, ok func(protocol.SessionInfo) bool) protocol.SessionInfo {
	t.Helper()
	for {
		var st protocol.SessionInfo
		c.expect(protocol.TypeSessionState, &st)
		if ok(st) {
			return st
		}
	}
}

// hasParticipant reports whether a session lists p.
func hasParticipant(st protocol.SessionInfo, p protocol.Participant) bool {
	for _, q := range st.Participants {
		if q == p {
			return true
		}
	}
	return false
}

// TestSpecialistSignaling: a specialist's token opens the signaling
// connection to its session; it chats with everyone and exchanges signals
// with the customer; it may leave but not end the session, and the last
// rep may not leave it with the specialist alone; at the end its
// connection closes and its token stops working. The transcript records
// the invitation, the join and the leaving.
func TestSpecialistSignaling(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	lr := a.login(t, h.AdminUser, h.AdminPassword)
	p := createPortal(t, a, lr.Token, "share")
	setPortal(t, a, lr.Token, p, func(s *portalmodel.Settings) { s.Client.Functions.RepScreenSharing = true })
	s := addSpecialist(t, a, startPortalSession(t, a, lr, "share"), protocol.RightsControl, "Sam")

	// Signals between the customer and the specialist.
	s.cust.send(protocol.TypeSignal, 2, s.id, protocol.Signal{To: s.specID, Kind: protocol.SignalOffer, SDP: "v=0 offer"})
	var sig protocol.Signal
	s.spec.expect(protocol.TypeSignal, &sig)
	if sig.From != s.custID || sig.Kind != protocol.SignalOffer {
		t.Errorf("specialist got %+v; want the customer's offer", sig)
	}
	s.spec.send(protocol.TypeSignal, 3, s.id, protocol.Signal{To: s.custID, From: "forged", Kind: protocol.SignalAnswer, SDP: "v=0 answer"})
	s.cust.expect(protocol.TypeSignal, &sig)
	if sig.From != s.specID || sig.Kind != protocol.SignalAnswer {
		t.Errorf("customer got %+v; want the specialist's answer", sig)
	}

	// A specialist's peer connection is with the customer only, and
	// carries no video from it, even where reps may show their screen.
	video := "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\n"
	s.spec.send(protocol.TypeSignal, 20, s.id, protocol.Signal{To: s.custID, Kind: protocol.SignalAnswer, SDP: video})
	s.spec.expectError(protocol.CodeForbidden, 20)
	s.spec.send(protocol.TypeSignal, 21, s.id, protocol.Signal{To: s.repID, Kind: protocol.SignalCandidate})
	s.spec.expectError(protocol.CodeForbidden, 21)
	s.rep.send(protocol.TypeSignal, 22, s.id, protocol.Signal{To: s.specID, Kind: protocol.SignalOffer, SDP: "v=0 offer"})
	s.rep.expectError(protocol.CodeForbidden, 22)
	s.rep.send(protocol.TypeSignal, 23, s.id, protocol.Signal{To: s.custID, Kind: protocol.SignalOffer, SDP: video})
	s.cust.expect(protocol.TypeSignal, &sig)
	if sig.From != s.repID {
		t.Errorf("customer got %+v; want the rep's offer with video, which the session allows", sig)
	}

	// The specialist's chat reaches everyone.
	s.spec.send(protocol.TypeChatSend, 4, s.id, protocol.ChatSend{Text: "I see the printer dialog"})
	for _, c := range []*wsConn{s.spec, s.rep, s.cust} {
		var m protocol.ChatMessage
		c.expect(protocol.TypeChatMessage, &m)
		if m.From != s.specID || m.Role != protocol.RoleSpecialist || m.Name != "Sam" || m.Text != "I see the printer dialog" {
			t.Errorf("chat.message %+v; want the specialist's line", m)
		}
	}

	// What a specialist may not send.
	for _, tt := range []struct {
		name string
		typ  protocol.Type
		ref  uint64
		data any
		code protocol.ErrorCode
	}{
		{"end the session", protocol.TypeSessionEnd, 5, protocol.SessionEnd{Reason: "done"}, protocol.CodeForbidden},
		{"accept", protocol.TypeSessionAccept, 6, nil, protocol.CodeForbidden},
		{"override the termination", protocol.TypeSessionTermination, 7, protocol.TerminationOverride{Termination: protocol.TerminationLock}, protocol.CodeForbidden},
		{"subscribe to the wait", protocol.TypeWaitSubscribe, 8, nil, protocol.CodeForbidden},
		{"set a rep status", protocol.TypeRepStatus, 9, protocol.RepStatusUpdate{Status: protocol.RepStatusAway}, protocol.CodeForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s.spec.send(tt.typ, tt.ref, s.id, tt.data)
			s.spec.expectError(tt.code, tt.ref)
		})
	}
	// The session goes on.
	s.rep.send(protocol.TypeChatSend, 10, s.id, protocol.ChatSend{Text: "still on"})
	s.spec.expect(protocol.TypeChatMessage, nil)

	// The specialist's token is no rep's and no customer's.
	code := a.invite(t, s.repTok, s.id, protocol.RightsView).Code
	for _, tt := range []struct {
		name, method, path string
		body               any
	}{
		{"functions", "GET", protocol.PathSession + s.id + protocol.PathFunctionsSuffix, nil},
		{"rep screen", "POST", protocol.PathSession + s.id + protocol.PathRepScreenSuffix, protocol.RepScreenState{Showing: true}},
		{"invite", "POST", specialistsPath(s.id), protocol.SpecialistInviteRequest{Rights: protocol.RightsControl}},
		{"list invitations", "GET", specialistsPath(s.id), nil},
		{"cancel an invitation", "DELETE", specialistsPath(s.id) + "/" + code, nil},
		{"transcript", "GET", protocol.PathSession + s.id + "/events", nil},
		{"session key", "POST", protocol.PathKeys, nil},
		{"recording consent", "POST", protocol.PathRecording, protocol.RecordingAnswer{}},
		{"system info", "POST", protocol.PathSystemInfo, protocol.SystemInfo{}},
		{"client config", "GET", protocol.PathClientConfig, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do(t, tt.method, tt.path, s.specTk, tt.body)
			if r.status != http.StatusForbidden || r.errBody(t).Code != protocol.CodeForbidden {
				t.Errorf("%s %s with the specialist's token: %d %s; want 403 forbidden", tt.method, tt.path, r.status, r.body)
			}
		})
	}

	// A second specialist, view only.
	v := addSpecialist(t, a, s.activeSession, protocol.RightsView, "Vic")

	// The last rep may not leave the customer with specialists alone.
	s.rep.send(protocol.TypeSessionLeave, 11, s.id, nil)
	s.rep.expectError(protocol.CodeConflict, 11)

	// Sam leaves: its connection hears so and closes; the others get the
	// new participant list.
	s.spec.send(protocol.TypeSessionLeave, 12, s.id, nil)
	var e protocol.SessionEnded
	s.spec.expect(protocol.TypeSessionEnded, &e)
	if e.By != s.specID {
		t.Errorf("session.ended for the leaver %+v; want by itself", e)
	}
	if st := s.spec.closedWith(); st != websocket.StatusNormalClosure {
		t.Errorf("the specialist's connection closed with %v after it left; want normal closure", st)
	}
	for _, c := range []*wsConn{s.rep, s.cust, v.spec} {
		waitState(t, c, func(st protocol.SessionInfo) bool { return len(st.Participants) == 3 })
	}
	// Coming back, it is welcomed to a session it is no longer in, and
	// the connection closes.
	back, w := mustDial(t, a, s.specTk)
	if w.Session == nil || w.Session.ID != s.id {
		t.Fatalf("welcome after leaving %+v; want the session", w)
	}
	for _, p := range w.Session.Participants {
		if p.ID == s.specID {
			t.Errorf("welcome after leaving lists the specialist: %+v", w.Session.Participants)
		}
	}
	if st := back.closedWith(); st != websocket.StatusNormalClosure {
		t.Errorf("a left specialist's new connection closed with %v; want normal closure", st)
	}

	// The rep ends the session: Vic hears it, its connection closes and
	// its token is refused from then on.
	s.rep.send(protocol.TypeSessionEnd, 14, s.id, protocol.SessionEnd{Reason: "fixed"})
	v.spec.expect(protocol.TypeSessionEnded, &e)
	if e.By != s.repID || e.Reason != "fixed" {
		t.Errorf("session.ended %+v; want by the rep for \"fixed\"", e)
	}
	if st := v.spec.closedWith(); st != websocket.StatusNormalClosure {
		t.Errorf("the specialist's connection closed with %v at the end; want normal closure", st)
	}
	for _, tok := range []string{v.specTk, s.specTk} {
		if _, status := dialWS(t, a, tok); status != http.StatusUnauthorized {
			t.Errorf("specialist token after the end: dial = %d; want 401", status)
		}
	}
	if r := a.do(t, "POST", protocol.PathSpecialistJoin, "", protocol.SpecialistJoinRequest{Code: code, Name: "Late"}); r.status != http.StatusGone {
		t.Errorf("join after the end: %d %s; want 410", r.status, r.body)
	}

	// The transcript.
	var got []string
	for _, ev := range a.transcript(t, s.repTok, s.id).Events {
		switch ev.Kind {
		case "specialist.invited", "joined", "left", "ended", "specialist.cancelled":
			got = append(got, ev.Kind+" "+ev.Role.String()+" "+ev.Name)
		}
	}
	rep := "rep " + a.login(t, h.AdminUser, h.AdminPassword).Rep.DisplayName
	want := []string{
		"joined customer Carol",
		"specialist.invited " + rep, "joined specialist Sam",
		"specialist.invited " + rep, // the code nobody used
		"specialist.invited " + rep, "joined specialist Vic",
		"left specialist Sam",
		"ended " + rep,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("transcript:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	tr := a.transcript(t, s.repTok, s.id)
	var specs []protocol.Participant
	for _, p := range tr.Session.Participants {
		if p.Role == protocol.RoleSpecialist {
			specs = append(specs, p)
		}
	}
	if len(specs) != 2 || specs[0].Name != "Sam" || specs[0].ViewOnly || specs[1].Name != "Vic" || !specs[1].ViewOnly {
		t.Errorf("transcript's specialists %+v; want Sam with control, Vic view only", specs)
	}
	b, _ := json.Marshal(tr.Events)
	if !strings.Contains(string(b), "invited an external specialist (view)") {
		t.Errorf("transcript events %s; want the invitation's rights", b)
	}
}

// TestSpecialistReconnect: when the specialist's signaling comes back,
// only its own peer connection with the customer is made afresh; when the
// customer's does, the customer's with the rep and the specialist.
func TestSpecialistReconnect(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	s := addSpecialist(t, a, startSession(t, a, h.AdminUser, h.AdminPassword), protocol.RightsView, "Sam")

	s.spec.ws.CloseNow()
	spec, _ := mustDial(t, a, s.specTk)
	spec.expect(protocol.TypeSessionState, nil)
	var pc protocol.PeerConnect
	spec.expect(protocol.TypePeerConnect, &pc)
	if pc.Initiator || pc.Peer.ID != s.custID {
		t.Errorf("specialist peer.connect %+v; want answering the customer", pc)
	}
	s.cust.expect(protocol.TypePeerConnect, &pc)
	if !pc.Initiator || pc.Peer.ID != s.specID || !pc.Peer.ViewOnly {
		t.Errorf("customer peer.connect %+v; want offering to the view-only specialist", pc)
	}
	s.cust.send(protocol.TypeChatSend, 1, s.id, protocol.ChatSend{Text: "marker"})
	for _, c := range []*wsConn{s.rep, s.cust} {
		for {
			env, err := c.readEnv()
			if err != nil {
				t.Fatal(err)
			}
			if env.Type == protocol.TypePeerConnect {
				t.Errorf("peer.connect %s when the specialist reconnected; want none", env.Data)
			}
			if env.Type == protocol.TypeChatMessage {
				break
			}
		}
	}
	// The specialist's joined event is stored once.
	joined := 0
	for _, e := range a.transcript(t, s.repTok, s.id).Events {
		if e.Kind == "joined" && e.From == s.specID {
			joined++
		}
	}
	if joined != 1 {
		t.Errorf("%d joined events of the specialist after a reconnect; want 1", joined)
	}

	// The customer comes back: both its peer connections start afresh.
	s.cust.ws.CloseNow()
	cust, _ := mustDial(t, a, s.custTk)
	peers := map[string]bool{}
	for range 2 {
		cust.expect(protocol.TypePeerConnect, &pc)
		if !pc.Initiator {
			t.Errorf("customer peer.connect %+v; want initiating", pc)
		}
		peers[pc.Peer.ID] = true
	}
	if !peers[s.repID] || !peers[s.specID] {
		t.Errorf("customer's peer.connect went to %v; want the rep and the specialist", peers)
	}
	s.rep.expect(protocol.TypePeerConnect, &pc)
	spec.expect(protocol.TypePeerConnect, &pc)
	if pc.Initiator || pc.Peer.ID != s.custID {
		t.Errorf("specialist peer.connect %+v; want answering the customer", pc)
	}
}
