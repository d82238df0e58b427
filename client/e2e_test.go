package client_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// next waits for an event of type T on ch, skipping others.
func next[T client.Event](t *testing.T, ch <-chan client.Event) T {
	t.Helper()
	timeout := time.After(hung)
	for {
		select {
		case ev := <-ch:
			if e, ok := ev.(T); ok {
				return e
			}
		case <-timeout:
			var zero T
			t.Fatalf("no %T event within 20s", zero)
			return zero
		}
	}
}

func TestEndToEnd(t *testing.T) {
	for _, tt := range []struct {
		name      string
		relayOnly bool
		wantType  string
	}{
		{"host candidates", false, "host"},
		{"relay through embedded TURN", true, "relay"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			runSession(t, tt.relayOnly, tt.wantType)
		})
	}
}

func runSession(t *testing.T, relayOnly bool, wantType string) {
	h := servertest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	logger := testLogger(t)
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: logger, RelayOnly: relayOnly}

	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	defer rep.Close()
	key, err := rep.CreateKey(ctx)
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	if err := protocol.ValidateCode(key.Code); err != nil {
		t.Fatalf("key code %q: %v", key.Code, err)
	}

	joinCfg, code, err := client.ParseJoinURL(key.URL)
	if err != nil {
		t.Fatalf("ParseJoinURL(%q): %v", key.URL, err)
	}
	if joinCfg.Fingerprint != h.Fingerprint || code != key.Code {
		t.Fatalf("ParseJoinURL: got fp %q code %q; want %q %q", joinCfg.Fingerprint, code, h.Fingerprint, key.Code)
	}
	joinCfg.Logger, joinCfg.RelayOnly = logger, relayOnly
	cust, err := client.Join(ctx, joinCfg, code, "Ada")
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	defer cust.Close()
	cs := cust.Session()

	alert := next[client.SessionWaiting](t, rep.Events())
	if alert.Session.ID != cs.ID() || alert.Session.CustomerName != "Ada" {
		t.Fatalf("alert: got %+v; want session %s of Ada", alert.Session, cs.ID())
	}
	if _, err := client.Join(ctx, joinCfg, code, "Eve"); !client.IsCode(err, protocol.CodeNotFound) {
		t.Fatalf("second Join with a spent key: got %v; want a not_found refusal", err)
	}

	rs, err := rep.Accept(ctx, cs.ID())
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	custPeer, repPeer := waitPeer(t, cs, rep.Account().ID), waitPeer(t, rs, cs.Self().ID)
	if err := custPeer.Connected(ctx); err != nil {
		t.Fatalf("customer peer: %v", err)
	}
	if err := repPeer.Connected(ctx); err != nil {
		t.Fatalf("rep peer: %v", err)
	}
	if got := custPeer.CandidateType(); got != wantType {
		t.Errorf("customer's candidate type: got %q; want %q", got, wantType)
	}
	if got := repPeer.CandidateType(); got != wantType {
		t.Errorf("rep's candidate type: got %q; want %q", got, wantType)
	}

	// A data-channel message each way.
	if err := custPeer.Send(client.ControlLabel, []byte("ping")); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, repPeer); string(m.Data) != "ping" || m.Label != client.ControlLabel {
		t.Fatalf("rep received %q on %q; want ping on control", m.Data, m.Label)
	}
	// The other way, binary messages on the control channel are input
	// events, for the customer's client alone (TestControlIsTheCustomers).

	// Chat both ways, stored by the server.
	if err := cs.SendChat(ctx, "My printer is on fire 🔥"); err != nil {
		t.Fatalf("customer SendChat: %v", err)
	}
	if got := next[client.ChatReceived](t, rs.Events()).Message; got.Text != "My printer is on fire 🔥" || got.Name != "Ada" {
		t.Fatalf("rep got chat %+v", got)
	}
	if err := rs.SendChat(ctx, "Let me take a look."); err != nil {
		t.Fatalf("rep SendChat: %v", err)
	}
	for {
		got := next[client.ChatReceived](t, cs.Events()).Message
		if got.Text == "Let me take a look." {
			if got.Role != protocol.RoleRep {
				t.Errorf("rep's line has role %v", got.Role)
			}
			break
		}
	}
	if err := cs.SendChat(ctx, "   "); err == nil {
		t.Error("SendChat of blank text: got nil error; want a refusal")
	}

	tr, err := rs.Transcript(ctx)
	if err != nil {
		t.Fatalf("Transcript: %v", err)
	}
	var lines []string
	for _, e := range tr.Events {
		if e.Kind == "chat" {
			lines = append(lines, e.Text)
		}
	}
	if len(lines) != 2 || lines[0] != "My printer is on fire 🔥" || lines[1] != "Let me take a look." {
		t.Fatalf("transcript chat lines: got %q", lines)
	}

	// The rep ends it; both sides hear.
	if err := rs.End(ctx, "resolved"); err != nil {
		t.Fatalf("End: %v", err)
	}
	for _, s := range []*client.Session{rs, cs} {
		ended := next[client.SessionEnded](t, s.Events())
		if ended.Ended.Reason != "resolved" {
			t.Errorf("ended reason: got %q; want resolved", ended.Ended.Reason)
		}
	}
	if err := cs.SendChat(ctx, "hello?"); !errors.Is(err, client.ErrSessionEnded) {
		t.Errorf("chat after the end: got %v; want ErrSessionEnded", err)
	}
}

func waitPeer(t *testing.T, s *client.Session, id string) *client.Peer {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if p := s.Peer(id); p != nil {
			return p
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no peer connection to %s", id)
	return nil
}

func recv(t *testing.T, p *client.Peer) client.DataMessage {
	t.Helper()
	select {
	case m := <-p.Messages():
		return m
	case <-time.After(hung):
		t.Fatal("no data-channel message within 20s")
		return client.DataMessage{}
	}
}

// testLogger logs to the test until it ends. Pion's socket goroutines may
// log a last line just after a connection's Close returns; once the test's
// cleanup has run those lines are dropped rather than logged to a finished
// test.
func testLogger(t *testing.T) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: testLogLevel}))
}

type testWriter struct {
	t    *testing.T
	mu   sync.Mutex
	done bool
}

func (w *testWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(string(b))
	}
	return len(b), nil
}
