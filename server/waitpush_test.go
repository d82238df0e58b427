package server_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/servertest"
)

// logBuffer collects a server's log lines for a test to read.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(b)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// expectWait reads until a wait.status frame and returns it.
func (c *wsConn) expectWait() (protocol.WaitStatusPush, protocol.Envelope) {
	c.t.Helper()
	var p protocol.WaitStatusPush
	env := c.expect(protocol.TypeWaitStatus, &p)
	return p, env
}

// TestWaitStatusPushed: two customers wait; each subscribes and hears its
// position (1 and 2) in its language; when the rep accepts the first, the
// second hears position 1 without asking. Bad subscriptions are refused
// with a reason and logged.
func TestWaitStatusPushed(t *testing.T) {
	logs := &logBuffer{}
	h := servertest.Start(t, servertest.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	a := newAPI(t, h)
	rep := a.login(t, "admin", admin)
	j1 := a.join(t, a.key(t, rep.Token).Code, "Ada")
	j2 := a.join(t, a.key(t, rep.Token).Code, "Bob")
	c1, _ := mustDial(t, a, j1.Token)
	c2, _ := mustDial(t, a, j2.Token)

	c1.send(protocol.TypeWaitSubscribe, 1, j1.Session.ID, protocol.WaitSubscribe{Lang: "de"})
	p1, env := c1.expectWait()
	de, _ := protocol.DefaultMessages("de")
	if env.Ref != 1 || env.Session != j1.Session.ID || p1.Position != 1 || p1.Reason != protocol.WaitReasonSubscribed || p1.State != protocol.StateWaiting {
		t.Errorf("first customer's answer: ref %d session %s %+v; want ref 1, position 1, subscribed", env.Ref, env.Session, p1)
	}
	if !strings.HasPrefix(p1.Greeting, strings.SplitN(de.Greeting, ".", 2)[0]) {
		t.Errorf("greeting %q; want the German one", p1.Greeting)
	}
	c2.send(protocol.TypeWaitSubscribe, 7, j2.Session.ID, protocol.WaitSubscribe{})
	p2, env := c2.expectWait()
	if env.Ref != 7 || p2.Position != 2 || !strings.HasPrefix(p2.Message, "Thank you for waiting") {
		t.Errorf("second customer's answer: ref %d %+v; want ref 7, position 2, English", env.Ref, p2)
	}

	// The GET endpoint answers the same.
	var got protocol.WaitStatus
	a.ok(t, "GET", protocol.PathWaitStatus+"?lang=de", j2.Token, nil, &got)
	if got.Position != 2 {
		t.Errorf("GET wait status: position %d; want 2", got.Position)
	}

	r, _ := mustDial(t, a, rep.Token)
	// Refusals: a rep may not subscribe; a bad language; another session.
	r.send(protocol.TypeWaitSubscribe, 11, j1.Session.ID, protocol.WaitSubscribe{Lang: "en"})
	r.expectError(protocol.CodeForbidden, 11)
	c2.send(protocol.TypeWaitSubscribe, 12, j2.Session.ID, protocol.WaitSubscribe{Lang: "not a language; drop table"})
	c2.expectError(protocol.CodeBadData, 12)
	c2.send(protocol.TypeWaitSubscribe, 13, j1.Session.ID, protocol.WaitSubscribe{Lang: "en"})
	c2.expectError(protocol.CodeForbidden, 13)

	r.send(protocol.TypeSessionAccept, 20, j1.Session.ID, nil)
	for {
		p, env := c2.expectWait()
		if env.Ref != 0 || p.Reason != protocol.WaitReasonQueue {
			t.Fatalf("second customer: pushed %+v (ref %d); want a queue change", p, env.Ref)
		}
		if p.Position == 1 {
			break
		}
	}

	// The first customer's session is active: subscribing is refused.
	c1.send(protocol.TypeWaitSubscribe, 21, j1.Session.ID, protocol.WaitSubscribe{Lang: "en"})
	var e protocol.Error
	env = c1.expect(protocol.TypeError, &e)
	if env.Ref != 21 || e.Code != protocol.CodeConflict || !strings.Contains(e.Message, "not waiting") {
		t.Errorf("subscribing while active: %+v ref %d; want conflict, not waiting", e, env.Ref)
	}
	for _, want := range []string{"a rep may not send wait.subscribe", "is not a language tag", "you are not a member", "the session is active, not waiting"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log has no refusal %q", want)
		}
	}

	// A reconnecting subscriber hears its status at once.
	c2.ws.CloseNow()
	c2, _ = mustDial(t, a, j2.Token)
	if p, _ := c2.expectWait(); p.Position != 1 || p.Reason != protocol.WaitReasonSubscribed {
		t.Errorf("after reconnecting: %+v; want position 1, subscribed", p)
	}
}

// alerts collects the session.waiting alerts a rep received up to now: it
// sends a frame the server refuses and reads until the refusal, which
// comes after everything queued before.
func (c *wsConn) alerts(ref uint64) []string {
	c.t.Helper()
	c.send(protocol.TypeChatSend, ref, "no-such-session", protocol.ChatSend{Text: "sync"})
	var ids []string
	for {
		env, err := c.readEnv()
		if err != nil {
			c.t.Fatalf("reading alerts: %v", err)
		}
		switch {
		case env.Type == protocol.TypeSessionWaiting:
			ids = append(ids, env.Session)
		case env.Type == protocol.TypeError && env.Ref == ref:
			return ids
		}
	}
}

// TestSmartBoxQueueMode: a SmartBox portal in broadcast mode alerts both
// available reps; in queue mode one, and the next session the other.
func TestSmartBoxQueueMode(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	h.AddRep(t, "erin", "erin-password-1", protocol.RoleRep)
	h.AddRep(t, "finn", "finn-password-1", protocol.RoleRep)
	erin, finn := a.login(t, "erin", "erin-password-1"), a.login(t, "finn", "finn-password-1")
	p := createPortal(t, a, tok, "box")
	p = setPortal(t, a, tok, p, func(s *portalmodel.Settings) { s.Type, s.BoxMode = portalmodel.SmartBox, portalmodel.BoxBroadcast })
	r := a.do(t, "POST", "/api/v1/admin/teams", tok, map[string]any{"name": "Box", "portal_ids": []string{p.ID}, "rep_ids": []string{erin.Rep.ID, finn.Rep.ID}})
	if r.status != http.StatusCreated {
		t.Fatalf("team: %d %s", r.status, r.body)
	}
	ew, _ := mustDial(t, a, erin.Token)
	fw, _ := mustDial(t, a, finn.Token)
	ref := uint64(0)
	request := func(question string) string {
		t.Helper()
		var j protocol.JoinResponse
		a.ok(t, "POST", protocol.PathPortals+"box/requests", "", protocol.PortalRequest{Question: question}, &j)
		return j.Session.ID
	}
	alerted := func() (erin, finn []string) {
		ref++
		e := ew.alerts(ref)
		ref++
		return e, fw.alerts(ref)
	}

	s1 := request("broadcast, please")
	if e, f := alerted(); len(e) != 1 || e[0] != s1 || len(f) != 1 || f[0] != s1 {
		t.Errorf("broadcast mode: erin got %v, finn %v; want both [%s]", e, f, s1)
	}

	setPortal(t, a, tok, p, func(s *portalmodel.Settings) { s.Type, s.BoxMode = portalmodel.SmartBox, portalmodel.BoxQueue })
	s2 := request("one of you")
	e2, f2 := alerted()
	if len(e2)+len(f2) != 1 {
		t.Fatalf("queue mode: erin got %v, finn %v; want exactly one alert", e2, f2)
	}
	s3 := request("and now the other")
	e3, f3 := alerted()
	want2, want3 := [2]int{1, 0}, [2]int{0, 1}
	if len(f2) == 1 {
		want2, want3 = want3, want2
	}
	if got := [2]int{len(e2), len(f2)}; got != want2 || append(e2, f2...)[0] != s2 {
		t.Errorf("queue mode, first session: erin %v, finn %v", e2, f2)
	}
	if got := [2]int{len(e3), len(f3)}; got != want3 || append(e3, f3...)[0] != s3 {
		t.Errorf("queue mode, next session: erin %v, finn %v; want the other rep alerted with %s", e3, f3, s3)
	}

	// Both still see every waiting session in their queue.
	for _, tk := range []string{erin.Token, finn.Token} {
		var q protocol.Queue
		a.ok(t, "GET", protocol.PathQueue, tk, nil, &q)
		if len(q.Waiting) != 3 {
			b, _ := json.Marshal(q)
			t.Errorf("queue: %s; want the three sessions", b)
		}
	}
}

// TestSmartBoxQueueModeRollsOver: in queue mode a session the alerted rep
// lets pass is offered to the next available rep; once every one of them
// has had it, all of them are alerted; an accepted session rolls over no
// more.
func TestSmartBoxQueueModeRollsOver(t *testing.T) {
	h := servertest.Start(t, servertest.WithAlertRollover(300*time.Millisecond))
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	h.AddRep(t, "erin", "erin-password-1", protocol.RoleRep)
	h.AddRep(t, "finn", "finn-password-1", protocol.RoleRep)
	erin, finn := a.login(t, "erin", "erin-password-1"), a.login(t, "finn", "finn-password-1")
	p := createPortal(t, a, tok, "box")
	setPortal(t, a, tok, p, func(s *portalmodel.Settings) { s.Type, s.BoxMode = portalmodel.SmartBox, portalmodel.BoxQueue })
	r := a.do(t, "POST", "/api/v1/admin/teams", tok, map[string]any{"name": "Box", "portal_ids": []string{p.ID}, "rep_ids": []string{erin.Rep.ID, finn.Rep.ID}})
	if r.status != http.StatusCreated {
		t.Fatalf("team: %d %s", r.status, r.body)
	}
	ew, _ := mustDial(t, a, erin.Token)
	fw, _ := mustDial(t, a, finn.Token)

	var j protocol.JoinResponse
	a.ok(t, "POST", protocol.PathPortals+"box/requests", "", protocol.PortalRequest{Question: "anyone?"}, &j)
	sid := j.Session.ID
	// The first alert goes to one of them: whoever reads it first.
	first, second := ew, fw
	e, f := ew.alerts(1), fw.alerts(2)
	switch {
	case len(e) == 1 && len(f) == 0:
	case len(e) == 0 && len(f) == 1:
		first, second = fw, ew
	default:
		t.Fatalf("queue mode: erin got %v, finn %v; want exactly one alert", e, f)
	}
	// Nobody accepts: the other is alerted, then, both having had it,
	// both again.
	second.expectAlert(sid)
	first.expectAlert(sid)
	second.expectAlert(sid)

	// Once accepted, nothing more.
	ew.send(protocol.TypeSessionAccept, 5, sid, nil)
	for {
		var st protocol.SessionInfo
		if ew.expect(protocol.TypeSessionState, &st); st.ID == sid && st.State == protocol.StateActive {
			break
		}
	}
	time.Sleep(time.Second) // three rollover times: any further alert would be queued by now
	if e, f := ew.alerts(3), fw.alerts(4); len(e)+len(f) != 0 {
		t.Errorf("after the accept: erin got %v, finn %v; want no alerts", e, f)
	}
}

// expectAlert reads frames until the session.waiting alert of sessionID.
func (c *wsConn) expectAlert(sessionID string) {
	c.t.Helper()
	for {
		env := c.expect(protocol.TypeSessionWaiting, nil)
		if env.Session == sessionID {
			return
		}
	}
}
