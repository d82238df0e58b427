package server_test

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/turn/v4"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
	"github.com/tandemhq/tandem/server/store"
)

// activeSession is a session accepted by a rep, both ends connected.
type activeSession struct {
	id             string
	rep, cust      *wsConn
	repID, custID  string
	repTok, custTk string
	custPC, repPC  protocol.PeerConnect
}

// startSession signs rep in, has a customer join with its key and the rep accept.
func startSession(t testing.TB, a *api, user, pw string) activeSession {
	t.Helper()
	lr := a.login(t, user, pw)
	rep, w := mustDial(t, a, lr.Token)
	if w.Version != protocol.Version || w.Participant.ID != lr.Rep.ID {
		t.Errorf("rep welcome %+v; want version %d, participant %s", w, protocol.Version, lr.Rep.ID)
	}
	var q protocol.Queue
	rep.expect(protocol.TypeQueue, &q)

	j := a.join(t, a.key(t, lr.Token).Code, "Carol")
	var alert protocol.SessionInfo
	rep.expect(protocol.TypeSessionWaiting, &alert)
	if alert.ID != j.Session.ID || alert.CustomerName != "Carol" {
		t.Errorf("alert %+v; want session %s of Carol", alert, j.Session.ID)
	}
	cust, cw := mustDial(t, a, j.Token)
	if cw.Role != protocol.RoleCustomer || cw.Session == nil || cw.Session.ID != j.Session.ID || cw.Participant.ID != j.Participant.ID {
		t.Errorf("customer welcome %+v; want its session and participant", cw)
	}

	rep.send(protocol.TypeSessionAccept, 1, j.Session.ID, nil)
	s := activeSession{id: j.Session.ID, rep: rep, cust: cust, repID: lr.Rep.ID, custID: j.Participant.ID, repTok: lr.Token, custTk: j.Token}
	for _, c := range []*wsConn{rep, cust} {
		var st protocol.SessionInfo
		c.expect(protocol.TypeSessionState, &st)
		if st.State != protocol.StateActive || len(st.Participants) != 2 {
			t.Errorf("session.state %+v; want active with two participants", st)
		}
	}
	cust.expect(protocol.TypePeerConnect, &s.custPC)
	rep.expect(protocol.TypePeerConnect, &s.repPC)
	if !s.custPC.Initiator || s.custPC.Peer.ID != s.repID || s.repPC.Initiator || s.repPC.Peer.ID != s.custID {
		t.Errorf("peer.connect customer %+v, rep %+v; want the customer initiating to the rep", s.custPC, s.repPC)
	}
	return s
}

func TestSessionFlow(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	s := startSession(t, a, h.AdminUser, h.AdminPassword)

	// Signals travel inside the session, stamped with the sender.
	s.cust.send(protocol.TypeSignal, 2, s.id, protocol.Signal{To: s.repID, From: "forged", Kind: protocol.SignalOffer, SDP: "v=0 offer"})
	var sig protocol.Signal
	s.rep.expect(protocol.TypeSignal, &sig)
	if sig.From != s.custID || sig.SDP != "v=0 offer" || sig.Kind != protocol.SignalOffer {
		t.Errorf("rep got signal %+v; want the offer from %s", sig, s.custID)
	}
	s.rep.send(protocol.TypeSignal, 3, s.id, protocol.Signal{To: s.custID, Kind: protocol.SignalAnswer, SDP: "v=0 answer"})
	s.cust.expect(protocol.TypeSignal, &sig)
	if sig.From != s.repID || sig.Kind != protocol.SignalAnswer {
		t.Errorf("customer got signal %+v; want the answer from %s", sig, s.repID)
	}

	// Chat is stored, then sent to every member, the sender included.
	s.cust.send(protocol.TypeChatSend, 4, s.id, protocol.ChatSend{Text: "hello, my printer"})
	for _, c := range []*wsConn{s.cust, s.rep} {
		var m protocol.ChatMessage
		c.expect(protocol.TypeChatMessage, &m)
		if m.Text != "hello, my printer" || m.From != s.custID || m.Role != protocol.RoleCustomer || m.Seq == 0 {
			t.Errorf("chat.message %+v; want the customer's line with a sequence number", m)
		}
	}
	s.rep.send(protocol.TypeChatSend, 5, s.id, protocol.ChatSend{Text: "let us look"})
	s.cust.expect(protocol.TypeChatMessage, nil)

	s.rep.send(protocol.TypeSessionEnd, 6, s.id, protocol.SessionEnd{Reason: "fixed"})
	for _, c := range []*wsConn{s.rep, s.cust} {
		var e protocol.SessionEnded
		c.expect(protocol.TypeSessionEnded, &e)
		if e.By != s.repID || e.Reason != "fixed" {
			t.Errorf("session.ended %+v; want by %s for \"fixed\"", e, s.repID)
		}
	}
	if st := s.cust.closedWith(); st != websocket.StatusNormalClosure {
		t.Errorf("customer connection closed with %v; want normal closure", st)
	}
	if _, status := dialWS(t, a, s.custTk); status != http.StatusUnauthorized {
		t.Errorf("customer token after the end: dial = %d; want 401", status)
	}

	tr := a.transcript(t, s.repTok, s.id)
	var kinds, texts []string
	for _, e := range tr.Events {
		kinds = append(kinds, e.Kind)
		if e.Kind == "chat" {
			texts = append(texts, e.Text)
		}
	}
	if got, want := strings.Join(kinds, ","), "created,joined,accepted,chat,chat,ended"; got != want {
		t.Errorf("transcript kinds %s; want %s", got, want)
	}
	if got, want := strings.Join(texts, "|"), "hello, my printer|let us look"; got != want {
		t.Errorf("transcript chat %q; want %q", got, want)
	}
	if tr.Session.State != protocol.StateEnded {
		t.Errorf("transcript session state %s; want ended", tr.Session.State)
	}
}

func TestUnauthenticatedSignal(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	for _, tok := range []string{"", "not-a-token"} {
		if c, status := dialWS(t, a, tok); c != nil || status != http.StatusUnauthorized {
			t.Errorf("dial with token %q = %d; want 401", tok, status)
		}
	}
}

func TestFrameRefusals(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	h.AddRep(t, "bob", "bob-password")
	s := startSession(t, a, h.AdminUser, h.AdminPassword)

	// Session B: bob's, with its own customer.
	bob := a.login(t, "bob", "bob-password").Token
	bc, _ := mustDial(t, a, bob)
	jb := a.join(t, a.key(t, bob).Code, "Dave")
	custB, _ := mustDial(t, a, jb.Token)

	for _, tc := range []struct {
		name string
		c    *wsConn
		raw  string
		code protocol.ErrorCode
	}{
		{"not an envelope", s.cust, `{"type":"chat.send","ref":7,"bogus":1}`, protocol.CodeBadFrame},
		{"unknown type", s.cust, `{"type":"teleport","ref":8,"session":"` + s.id + `"}`, protocol.CodeUnknownType},
		{"server type", s.cust, `{"type":"welcome","ref":9}`, protocol.CodeForbidden},
		{"customer accepts", s.cust, `{"type":"session.accept","ref":10,"session":"` + s.id + `"}`, protocol.CodeForbidden},
		{"wrong-typed data", s.cust, `{"type":"chat.send","ref":11,"session":"` + s.id + `","data":{"text":5}}`, protocol.CodeBadData},
		{"empty chat", s.cust, `{"type":"chat.send","ref":12,"session":"` + s.id + `","data":{"text":"  "}}`, protocol.CodeBadData},
		{"bad signal", s.cust, `{"type":"signal","ref":13,"session":"` + s.id + `","data":{"to":"` + s.repID + `","kind":"offer"}}`, protocol.CodeBadData},
		{"no session", s.rep, `{"type":"chat.send","ref":14,"data":{"text":"hi"}}`, protocol.CodeForbidden},
		{"signal to a stranger", s.cust, `{"type":"signal","ref":15,"session":"` + s.id + `","data":{"to":"someone","kind":"candidate"}}`, protocol.CodeNotFound},
		{"other rep chats into A", bc, `{"type":"chat.send","ref":16,"session":"` + s.id + `","data":{"text":"hi"}}`, protocol.CodeForbidden},
		{"other rep signals into A", bc, `{"type":"signal","ref":17,"session":"` + s.id + `","data":{"to":"` + s.custID + `","kind":"candidate"}}`, protocol.CodeForbidden},
		{"other rep accepts A", bc, `{"type":"session.accept","ref":18,"session":"` + s.id + `"}`, protocol.CodeForbidden},
		{"other rep ends A", bc, `{"type":"session.end","ref":19,"session":"` + s.id + `"}`, protocol.CodeForbidden},
		{"customer B chats into A", custB, `{"type":"chat.send","ref":20,"session":"` + s.id + `","data":{"text":"hi"}}`, protocol.CodeForbidden},
		{"customer B signals into A", custB, `{"type":"signal","ref":21,"session":"` + s.id + `","data":{"to":"` + s.custID + `","kind":"candidate"}}`, protocol.CodeForbidden},
		{"customer B ends A", custB, `{"type":"session.end","ref":22,"session":"` + s.id + `"}`, protocol.CodeForbidden},
		{"accept an active session", s.rep, `{"type":"session.accept","ref":23,"session":"` + s.id + `"}`, protocol.CodeConflict},
		{"accept an unknown session", s.rep, `{"type":"session.accept","ref":24,"session":"nope"}`, protocol.CodeForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.raw([]byte(tc.raw))
			var e protocol.Error
			env := tc.c.expect(protocol.TypeError, &e)
			if e.Code != tc.code {
				t.Errorf("error %s (%s); want %s", e.Code, e.Message, tc.code)
			}
			var want protocol.Envelope
			protocol.UnmarshalStrict([]byte(strings.Replace(tc.raw, `,"bogus":1`, "", 1)), &want)
			if env.Ref != want.Ref {
				t.Errorf("error ref %d; want %d", env.Ref, want.Ref)
			}
		})
	}

	// The connections that were refused still work.
	s.cust.send(protocol.TypeChatSend, 30, s.id, protocol.ChatSend{Text: "still here"})
	var m protocol.ChatMessage
	s.rep.expect(protocol.TypeChatMessage, &m)
	if m.Text != "still here" {
		t.Errorf("chat after refusals %q; want \"still here\"", m.Text)
	}
	s.cust.expect(protocol.TypeChatMessage, nil) // the sender's own copy
	// Nothing of B's leaked into A's transcript.
	for _, e := range a.transcript(t, s.repTok, s.id).Events {
		if e.Kind == "chat" && e.Text != "still here" {
			t.Errorf("transcript of A holds %q", e.Text)
		}
	}

	// Not JSON at all: an error frame, then the connection is closed.
	custB.raw([]byte("this is not json"))
	custB.expectError(protocol.CodeBadFrame, 0)
	if st := custB.closedWith(); st != websocket.StatusUnsupportedData {
		t.Errorf("close after a non-JSON frame: %v; want %v", st, websocket.StatusUnsupportedData)
	}

	// An oversize frame closes that connection with StatusMessageTooBig ...
	big := `{"type":"chat.send","session":"` + s.id + `","data":{"text":"` + strings.Repeat("x", protocol.MaxFrameBytes) + `"}}`
	bc.raw([]byte(big))
	if st := bc.closedWith(); st != websocket.StatusMessageTooBig {
		t.Errorf("close after an oversize frame: %v; want %v", st, websocket.StatusMessageTooBig)
	}
	// ... and the server keeps serving everyone else.
	if r := a.do(t, "GET", protocol.PathHealth, "", nil); r.status != 200 {
		t.Errorf("healthz after refusals = %d; want 200", r.status)
	}
	s.rep.send(protocol.TypeChatSend, 31, s.id, protocol.ChatSend{Text: "and me"})
	s.cust.expect(protocol.TypeChatMessage, &m)
	if m.Text != "and me" {
		t.Errorf("chat after the oversize frame %q; want \"and me\"", m.Text)
	}
	if c, _ := mustDial(t, a, bob); c == nil {
		t.Error("bob cannot reconnect")
	}
}

func TestAcceptRace(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	h.AddRep(t, "alice", "alice-password")
	h.AddRep(t, "bob", "bob-password")
	alice := a.login(t, "alice", "alice-password")
	bob := a.login(t, "bob", "bob-password")

	// A team queue both serve, with a session waiting in it.
	st := h.Server.Store()
	ctx := t.Context()
	team := store.Queue{ID: "team-1", Kind: store.QueueTeam, Name: "Team"}
	if err := st.CreateQueue(ctx, team); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{alice.Rep.ID, bob.Rep.ID} {
		if err := st.AddQueueMember(ctx, team.ID, id); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	sess := store.Session{ID: "session-race", QueueID: team.ID, CustomerName: "Erin", Created: now}
	if err := st.CreateSession(ctx, sess, store.Participant{ID: "cust-race", Role: protocol.RoleCustomer, Name: "Erin"}); err != nil {
		t.Fatal(err)
	}

	ca, _ := mustDial(t, a, alice.Token)
	cb, _ := mustDial(t, a, bob.Token)
	for _, c := range []*wsConn{ca, cb} {
		var q protocol.Queue
		c.expect(protocol.TypeQueue, &q)
		if len(q.Waiting) != 1 || q.Waiting[0].ID != sess.ID {
			t.Fatalf("queue %+v; want the waiting session", q)
		}
	}
	var wg sync.WaitGroup
	for _, c := range []*wsConn{ca, cb} {
		wg.Go(func() { c.send(protocol.TypeSessionAccept, 42, sess.ID, nil) })
	}
	wg.Wait()

	// Each rep gets either session.state (won) or a conflict error (lost).
	wins, conflicts := 0, 0
	for _, c := range []*wsConn{ca, cb} {
		for done := false; !done; {
			env, err := c.readEnv()
			if err != nil {
				t.Fatal(err)
			}
			switch env.Type {
			case protocol.TypeSessionState:
				wins++
				done = true
			case protocol.TypeError:
				var e protocol.Error
				env.Decode(&e)
				if e.Code != protocol.CodeConflict || env.Ref != 42 {
					t.Errorf("loser got %s ref %d; want conflict ref 42", e.Code, env.Ref)
				}
				conflicts++
				done = true
			}
		}
	}
	if wins != 1 || conflicts != 1 {
		t.Errorf("%d wins, %d conflicts; want exactly one of each", wins, conflicts)
	}
	got, err := st.Session(ctx, sess.ID)
	if err != nil || got.State != protocol.StateActive || (got.RepID != alice.Rep.ID && got.RepID != bob.Rep.ID) {
		t.Errorf("session %+v, %v; want active with one of the reps", got, err)
	}
}

func TestReconnect(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	s := startSession(t, a, h.AdminUser, h.AdminPassword)

	// The customer's client reconnects with a new WebSocket.
	s.cust.ws.CloseNow()
	cust, w := mustDial(t, a, s.custTk)
	if w.Session == nil || w.Session.State != protocol.StateActive {
		t.Errorf("welcome on reconnect %+v; want the active session", w)
	}
	cust.expect(protocol.TypeSessionState, nil)
	var pc protocol.PeerConnect
	cust.expect(protocol.TypePeerConnect, &pc)
	if !pc.Initiator || pc.Peer.ID != s.repID {
		t.Errorf("customer peer.connect %+v; want initiator towards the rep", pc)
	}
	s.rep.expect(protocol.TypePeerConnect, &pc)
	if pc.Initiator || pc.Peer.ID != s.custID {
		t.Errorf("rep peer.connect %+v; want answering the customer", pc)
	}

	// The rep's console reconnects too.
	s.rep.ws.CloseNow()
	rep, _ := mustDial(t, a, s.repTok)
	rep.expect(protocol.TypeSessionState, nil)
	rep.expect(protocol.TypePeerConnect, &pc)
	cust.expect(protocol.TypePeerConnect, nil)

	cust.send(protocol.TypeChatSend, 1, s.id, protocol.ChatSend{Text: "back"})
	rep.expect(protocol.TypeChatMessage, nil)
}

func TestTURNCredentials(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	s := startSession(t, a, h.AdminUser, h.AdminPassword)

	var turnURL string
	var user, pass string
	for _, ice := range s.custPC.ICEServers {
		for _, u := range ice.URLs {
			if strings.HasPrefix(u, "turn:") {
				turnURL, user, pass = u, ice.Username, ice.Credential
			}
		}
	}
	if turnURL == "" || !strings.HasSuffix(user, ":"+s.custID) {
		t.Fatalf("ICE servers %+v; want a turn: entry minted for %s", s.custPC.ICEServers, s.custID)
	}
	u, err := url.Parse(turnURL)
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimSuffix(u.Opaque, "?transport=udp")
	if err := allocate(t, addr, user, pass); err != nil {
		t.Errorf("allocation with minted credentials: %v", err)
	}
	if err := allocate(t, addr, user, "d3JvbmcgcGFzc3dvcmQ="); err == nil {
		t.Error("allocation with a wrong password succeeded; want refused")
	}
}

// allocate asks the TURN server at addr for a relay.
func allocate(t *testing.T, addr, user, pass string) error {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c, err := turn.NewClient(&turn.ClientConfig{
		STUNServerAddr: addr, TURNServerAddr: addr, Username: user, Password: pass,
		Realm: "tandem", Conn: conn, RTO: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	relay, err := c.Allocate()
	if err != nil {
		return err
	}
	return relay.Close()
}

func TestRestart(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	h.AddRep(t, "alice", "alice-password")
	s := startSession(t, a, "alice", "alice-password")
	s.cust.send(protocol.TypeChatSend, 1, s.id, protocol.ChatSend{Text: "before the restart"})
	s.rep.expect(protocol.TypeChatMessage, nil)
	fp := h.Fingerprint

	h.Restart(t)
	a = newAPI(t, h)
	if h.Fingerprint != fp {
		t.Errorf("fingerprint after restart %s; want %s", h.Fingerprint, fp)
	}
	if _, _, created := h.Server.FirstAdmin(); created {
		t.Error("FirstAdmin created = true after a restart; want false")
	}
	tok := a.login(t, "alice", "alice-password").Token
	tr := a.transcript(t, tok, s.id)
	if tr.Session.State != protocol.StateActive || len(tr.Events) != 4 || tr.Events[3].Text != "before the restart" {
		t.Errorf("transcript after restart %+v; want the active session with created, joined, accepted, chat", tr)
	}
	// The customer's token survives too: it reconnects to the active session.
	cust, w := mustDial(t, a, s.custTk)
	if w.Session == nil || w.Session.ID != s.id {
		t.Errorf("customer welcome after restart %+v; want session %s", w, s.id)
	}
	cust.expect(protocol.TypeSessionState, nil)
	a.login(t, h.AdminUser, h.AdminPassword)
}
