package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

const fp = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestParseJoinURL(t *testing.T) {
	tests := []struct {
		name, raw         string
		server, code, fpr string
		ok                bool
	}{
		{"plain", "https://127.0.0.1:8443/k/123456789?fp=" + fp, "https://127.0.0.1:8443", "123456789", fp, true},
		{"no fingerprint", "https://support.example.com/k/000000001", "https://support.example.com", "000000001", "", true},
		{"under a path", "https://example.com/tandem/k/123456789", "https://example.com/tandem", "123456789", "", true},
		{"spaces around", "  https://h:1/k/123456789  ", "https://h:1", "123456789", "", true},
		{"http refused", "http://h/k/123456789", "", "", "", false},
		{"no code", "https://h/k/", "", "", "", false},
		{"short code", "https://h/k/12345", "", "", "", false},
		{"letters", "https://h/k/12345678x", "", "", "", false},
		{"not a key page", "https://h/portal/123456789", "", "", "", false},
		{"bad fingerprint", "https://h/k/123456789?fp=xyz", "", "", "", false},
		{"garbage", "::::", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, code, err := client.ParseJoinURL(tt.raw)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseJoinURL(%q): got err %v; want ok=%v", tt.raw, err, tt.ok)
			}
			if !tt.ok {
				if !errors.Is(err, client.ErrBadJoinURL) {
					t.Errorf("got %v; want ErrBadJoinURL", err)
				}
				return
			}
			if cfg.Server != tt.server || code != tt.code || cfg.Fingerprint != tt.fpr {
				t.Errorf("got server %q code %q fp %q; want %q %q %q", cfg.Server, code, cfg.Fingerprint, tt.server, tt.code, tt.fpr)
			}
		})
	}
}

func TestPinMismatchIsRefused(t *testing.T) {
	h := servertest.Start(t)
	ctx := t.Context()
	got, err := client.FetchFingerprint(ctx, h.URL)
	if err != nil || got != h.Fingerprint {
		t.Fatalf("FetchFingerprint: got %q, %v; want %q", got, err, h.Fingerprint)
	}
	_, err = client.SignIn(ctx, client.Config{Server: h.URL, Fingerprint: fp}, h.AdminUser, h.AdminPassword)
	if !errors.Is(err, client.ErrFingerprint) {
		t.Fatalf("SignIn with a wrong pin: got %v; want ErrFingerprint", err)
	}
	if !strings.Contains(err.Error(), h.Fingerprint) || !strings.Contains(err.Error(), fp) {
		t.Errorf("error %q should name both fingerprints", err)
	}
	// Without a pin, the self-signed certificate fails normal verification.
	if _, err := client.SignIn(ctx, client.Config{Server: h.URL}, h.AdminUser, h.AdminPassword); err == nil {
		t.Fatal("SignIn without a pin to a self-signed server: got nil error")
	}
}

func TestWrongPasswordIsUnauthorized(t *testing.T) {
	h := servertest.Start(t)
	_, err := client.SignIn(t.Context(), client.Config{Server: h.URL, Fingerprint: h.Fingerprint}, h.AdminUser, "not the password")
	if !client.IsCode(err, protocol.CodeUnauthorized) {
		t.Fatalf("got %v; want an unauthorized refusal", err)
	}
}

// TestBadFramesAreIgnored runs a fake server that greets, then sends
// garbage, and finally a valid queue: the client survives and reports only
// the valid frame.
func TestBadFramesAreIgnored(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+protocol.PathLogin, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"token":"t","expires":"2030-01-01T00:00:00Z","rep":{"id":"r1","username":"ann","display_name":"Ann","roles":["rep"]}}`))
	})
	mux.HandleFunc(protocol.PathLogout, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc(protocol.PathSignal, func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := r.Context()
		for _, f := range []string{
			`{"type":"welcome","data":{"version":1,"role":"rep","participant":{"id":"r1","role":"rep","name":"Ann"}}}`,
			`not json`,
			`{"type":"no.such.type"}`,
			`{"type":"queue","data":{"waiting":"oops"}}`,
			`{"type":"queue","extra":1}`,
			`{"type":"session.state","session":"nope","data":{}}`,
			`{"type":"error","ref":99,"data":{"code":"x","message":"y"}}`,
			`[]`,
			`{"type":"queue","data":{"waiting":[{"id":"s1","state":"waiting","customer_name":"Bo","created":"2026-01-01T00:00:00Z","participants":[]}]}}`,
		} {
			if err := c.Write(ctx, websocket.MessageText, []byte(f)); err != nil {
				return
			}
		}
		_ = c.Write(ctx, websocket.MessageBinary, []byte{0, 1, 2})
		for {
			if _, _, err := c.Read(ctx); err != nil {
				return
			}
		}
	})
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()
	der := srv.Certificate().Raw

	logger := testLogger(t)
	rep, err := client.SignIn(t.Context(), client.Config{Server: srv.URL, Fingerprint: client.Fingerprint(der), Logger: logger}, "ann", "pw")
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	q := next[client.QueueChanged](t, rep.Events())
	if len(q.Queue.Waiting) != 1 || q.Queue.Waiting[0].CustomerName != "Bo" {
		t.Fatalf("queue: got %+v; want Bo waiting", q.Queue)
	}
	srv.CloseClientConnections()
	if err := rep.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestSessionSurvivesServerRestart drops both signaling links by restarting
// the server: both sides reconnect, connect their peers afresh, and chat on.
func TestSessionSurvivesServerRestart(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	h := servertest.Start(t, servertest.WithAddr(addr))
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	logger := testLogger(t)
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: logger}

	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	key, err := rep.CreateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cust, err := client.Join(ctx, cfg, key.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	defer cust.Close()
	cs := cust.Session()
	rs, err := rep.Accept(ctx, cs.ID())
	if err != nil {
		t.Fatal(err)
	}
	if err := waitPeer(t, cs, rep.Account().ID).Connected(ctx); err != nil {
		t.Fatal(err)
	}

	h.Restart(t)
	if h.URL != cfg.Server {
		t.Fatalf("server came back at %s; want %s", h.URL, cfg.Server)
	}
	if e := next[client.ConnectionChanged](t, cs.Events()); e.Connected {
		t.Fatal("customer: first connection event after the restart says connected; want the drop")
	}
	for {
		if e := next[client.ConnectionChanged](t, cs.Events()); e.Connected {
			break
		}
	}
	for dropped := false; ; {
		e := next[client.ConnectionChanged](t, rep.Events())
		if !e.Connected {
			dropped = true
		} else if dropped {
			break
		}
	}
	// Both ends were asked to connect afresh; wait for the new peer.
	deadline := time.Now().Add(30 * time.Second)
	for {
		p := cs.Peer(rep.Account().ID)
		if p != nil {
			cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
			err := p.Connected(cctx)
			ccancel()
			if err == nil && rs.Peer(cs.Self().ID) != nil {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("peers did not reconnect after the restart")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := cs.SendChat(ctx, "still there?"); err != nil {
		t.Fatalf("chat after reconnect: %v", err)
	}
	for {
		if m := next[client.ChatReceived](t, rs.Events()).Message; m.Text == "still there?" {
			break
		}
	}
	if err := rs.End(ctx, ""); err != nil {
		t.Fatal(err)
	}
}
