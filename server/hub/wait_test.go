package hub_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/hub"
	"github.com/tandemhq/tandem/server/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// harness is a hub on a real store, served by an httptest server that
// admits whoever names an identity in the request's query.
type harness struct {
	t     *testing.T
	st    *store.SQLite
	h     *hub.Hub
	srv   *httptest.Server
	queue store.Queue

	mu  sync.Mutex
	ids map[string]hub.Identity
	// asked records the configured intervals OnHoldInterval was given.
	asked []time.Duration
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := t.Context()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "tandem.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	hs := &harness{t: t, st: st, ids: map[string]hub.Identity{}}
	if err := st.CreateRep(ctx, store.Rep{ID: "rep1", Username: "rep1", DisplayName: "Rep", PasswordHash: "x", Roles: []protocol.Role{protocol.RoleRep}, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if hs.queue, err = st.PersonalQueue(ctx, "rep1"); err != nil {
		t.Fatal(err)
	}
	hs.h = hub.New(hub.Config{
		Store:  st,
		ICE:    func(string, string) []protocol.ICEServer { return nil },
		Logger: slog.New(slog.DiscardHandler),
		OnHoldInterval: func(d time.Duration) time.Duration {
			hs.mu.Lock()
			defer hs.mu.Unlock()
			hs.asked = append(hs.asked, d)
			return time.Millisecond
		},
	})
	hs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hs.mu.Lock()
		id, ok := hs.ids[r.URL.Query().Get("id")]
		hs.mu.Unlock()
		if !ok {
			http.Error(w, "who?", http.StatusUnauthorized)
			return
		}
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		hs.h.Serve(r.Context(), ws, id)
	}))
	t.Cleanup(func() {
		hs.srv.CloseClientConnections()
		hs.h.Close()
		hs.srv.Close()
		st.Close()
	})
	return hs
}

// waiting creates a waiting session in the rep's queue with an on-hold
// interval of sec seconds and returns the customer's identity.
func (hs *harness) waiting(name string, sec int) hub.Identity {
	hs.t.Helper()
	ctx := hs.t.Context()
	sid, pid := "s-"+name, "c-"+name
	now := time.Now()
	if err := hs.st.CreateSession(ctx, store.Session{ID: sid, State: protocol.StateWaiting, QueueID: hs.queue.ID, CustomerName: name, Created: now},
		store.Participant{SessionID: sid, ID: pid, Role: protocol.RoleCustomer, Name: name, Joined: now}); err != nil {
		hs.t.Fatal(err)
	}
	cfg := protocol.DefaultCustomerClientConfig()
	cfg.Queue.OnHoldIntervalSeconds = sec
	if err := hs.st.SaveSessionConfig(ctx, sid, cfg); err != nil {
		hs.t.Fatal(err)
	}
	return hub.Identity{Role: protocol.RoleCustomer, Name: name, SessionID: sid, ParticipantID: pid}
}

// dial connects as id.
func (hs *harness) dial(key string, id hub.Identity) *websocket.Conn {
	hs.t.Helper()
	hs.mu.Lock()
	hs.ids[key] = id
	hs.mu.Unlock()
	ws, _, err := websocket.Dial(hs.t.Context(), "ws"+strings.TrimPrefix(hs.srv.URL, "http")+"/?id="+key, nil)
	if err != nil {
		hs.t.Fatal(err)
	}
	hs.t.Cleanup(func() { ws.CloseNow() })
	return ws
}

// send writes one frame.
func send(t *testing.T, ws *websocket.Conn, typ protocol.Type, ref uint64, session string, data any) {
	t.Helper()
	env, err := protocol.NewEnvelope(typ, session, data)
	if err != nil {
		t.Fatal(err)
	}
	env.Ref = ref
	b, _ := json.Marshal(env)
	if err := ws.Write(t.Context(), websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

// next reads frames until one of typ.
func next(t *testing.T, ws *websocket.Conn, typ protocol.Type, v any) protocol.Envelope {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		var env protocol.Envelope
		if err := protocol.UnmarshalStrict(b, &env); err != nil {
			t.Fatalf("frame %s: %v", b, err)
		}
		if env.Type != typ {
			continue
		}
		if v != nil {
			if err := json.Unmarshal(env.Data, v); err != nil {
				t.Fatal(err)
			}
		}
		return env
	}
}

// TestWaitStatusOnHold: a subscribed customer hears its status again at
// its session's on-hold interval, with the on-hold message in its
// language, until a rep accepts; the connection's reminder ends with it.
func TestWaitStatusOnHold(t *testing.T) {
	hs := newHarness(t)
	id := hs.waiting("ada", 45)
	ws := hs.dial("ada", id)
	next(t, ws, protocol.TypeWelcome, nil)
	send(t, ws, protocol.TypeWaitSubscribe, 1, id.SessionID, protocol.WaitSubscribe{Lang: "de"})
	var p protocol.WaitStatusPush
	if env := next(t, ws, protocol.TypeWaitStatus, &p); env.Ref != 1 || p.Reason != protocol.WaitReasonSubscribed || p.Position != 1 {
		t.Fatalf("answer: ref %d %+v; want ref 1, subscribed, position 1", env.Ref, p)
	}
	de, _ := protocol.DefaultMessages("de")
	prefix, _, _ := strings.Cut(de.OnHold, "%")
	for range 2 {
		p = protocol.WaitStatusPush{}
		next(t, ws, protocol.TypeWaitStatus, &p)
		if p.Reason != protocol.WaitReasonOnHold || !strings.HasPrefix(p.Message, strings.TrimSpace(prefix)) {
			t.Errorf("reminder: %+v; want on_hold with the German on-hold text", p)
		}
	}
	hs.mu.Lock()
	asked := hs.asked[0]
	hs.mu.Unlock()
	if asked != 45*time.Second {
		t.Errorf("configured interval: got %v; want 45s", asked)
	}
}

// TestWaitSubscribeRefused: frames that cannot subscribe are refused
// with a reason.
func TestWaitSubscribeRefused(t *testing.T) {
	hs := newHarness(t)
	id := hs.waiting("ada", 60)
	ws := hs.dial("ada", id)
	next(t, ws, protocol.TypeWelcome, nil)
	rep := hs.dial("rep", hub.Identity{Role: protocol.RoleRep, RepID: "rep1", Name: "Rep"})
	next(t, rep, protocol.TypeWelcome, nil)
	for _, tc := range []struct {
		name    string
		ws      *websocket.Conn
		session string
		data    any
		code    protocol.ErrorCode
		reason  string
	}{
		{"rep", rep, id.SessionID, protocol.WaitSubscribe{Lang: "en"}, protocol.CodeForbidden, "a rep may not send wait.subscribe"},
		{"no session", ws, "", protocol.WaitSubscribe{Lang: "en"}, protocol.CodeForbidden, "must name a session"},
		{"other session", ws, "s-bob", protocol.WaitSubscribe{Lang: "en"}, protocol.CodeForbidden, "not a member"},
		{"bad lang", ws, id.SessionID, protocol.WaitSubscribe{Lang: "english please"}, protocol.CodeBadData, "not a language tag"},
		{"long lang", ws, id.SessionID, protocol.WaitSubscribe{Lang: strings.Repeat("a", 5000)}, protocol.CodeBadData, "not a language tag"},
		{"unknown field", ws, id.SessionID, map[string]string{"language": "en"}, protocol.CodeBadData, "unknown field"},
		{"no data", ws, id.SessionID, nil, protocol.CodeBadData, "has no data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			send(t, tc.ws, protocol.TypeWaitSubscribe, 9, tc.session, tc.data)
			var e protocol.Error
			env := next(t, tc.ws, protocol.TypeError, &e)
			if env.Ref != 9 || e.Code != tc.code || !strings.Contains(e.Message, tc.reason) {
				t.Errorf("got %s %q (ref %d); want %s containing %q", e.Code, e.Message, env.Ref, tc.code, tc.reason)
			}
		})
	}
}
