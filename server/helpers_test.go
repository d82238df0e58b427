package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clock is a test clock the server reads through Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// api is a JSON API client for one harness.
type api struct {
	h      *servertest.Harness
	client *http.Client
}

func newAPI(t testing.TB, h *servertest.Harness) *api {
	c := h.Client()
	t.Cleanup(c.CloseIdleConnections)
	return &api{h: h, client: c}
}

// response is an answer of the API.
type response struct {
	status int
	header http.Header
	body   []byte
}

// errBody decodes the protocol.Error body.
func (r response) errBody(t testing.TB) protocol.Error {
	t.Helper()
	var e protocol.Error
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	return e
}

// do sends a request; body is marshalled to JSON unless it is a string.
func (a *api) do(t testing.TB, method, path, token string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, a.h.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// ok sends a request, expects 200 and decodes the body into v.
func (a *api) ok(t testing.TB, method, path, token string, body, v any) {
	t.Helper()
	r := a.do(t, method, path, token, body)
	if r.status != http.StatusOK {
		t.Fatalf("%s %s = %d %s; want 200", method, path, r.status, r.body)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			t.Fatalf("%s %s: body %s: %v", method, path, r.body, err)
		}
	}
}

func (a *api) login(t testing.TB, user, pw string) protocol.LoginResponse {
	t.Helper()
	var lr protocol.LoginResponse
	a.ok(t, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: user, Password: pw}, &lr)
	return lr
}

func (a *api) key(t testing.TB, token string) protocol.Key {
	t.Helper()
	var k protocol.Key
	a.ok(t, "POST", protocol.PathKeys, token, nil, &k)
	return k
}

func (a *api) join(t testing.TB, code, name string) protocol.JoinResponse {
	t.Helper()
	var j protocol.JoinResponse
	a.ok(t, "POST", protocol.PathJoin, "", protocol.JoinRequest{Code: code, Name: name}, &j)
	return j
}

func (a *api) transcript(t testing.TB, token, session string) protocol.Transcript {
	t.Helper()
	var tr protocol.Transcript
	a.ok(t, "GET", protocol.PathSession+session+"/events", token, nil, &tr)
	return tr
}

// wsConn is a signaling connection.
type wsConn struct {
	t  testing.TB
	ws *websocket.Conn
}

// dialWS opens the signaling WebSocket with a token; it returns the HTTP
// status when the upgrade is refused.
func dialWS(t testing.TB, a *api, token string) (*wsConn, int) {
	t.Helper()
	hdr := http.Header{}
	if token != "" {
		hdr.Set("Authorization", "Bearer "+token)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, "wss"+strings.TrimPrefix(a.h.URL, "https")+protocol.PathSignal, &websocket.DialOptions{
		HTTPClient: a.client,
		HTTPHeader: hdr,
	})
	if err != nil {
		if resp != nil {
			return nil, resp.StatusCode
		}
		t.Fatalf("dial signaling: %v", err)
	}
	ws.SetReadLimit(1 << 20)
	c := &wsConn{t: t, ws: ws}
	t.Cleanup(func() { ws.CloseNow() })
	return c, http.StatusSwitchingProtocols
}

// mustDial opens the signaling WebSocket and reads the welcome.
func mustDial(t testing.TB, a *api, token string) (*wsConn, protocol.Welcome) {
	t.Helper()
	c, status := dialWS(t, a, token)
	if c == nil {
		t.Fatalf("dial signaling = %d; want 101", status)
	}
	var w protocol.Welcome
	c.expect(protocol.TypeWelcome, &w)
	return c, w
}

// readEnv reads the next frame.
func (c *wsConn) readEnv() (protocol.Envelope, error) {
	ctx, cancel := context.WithTimeout(c.t.Context(), 30*time.Second)
	defer cancel()
	_, b, err := c.ws.Read(ctx)
	if err != nil {
		return protocol.Envelope{}, err
	}
	var env protocol.Envelope
	if err := protocol.UnmarshalStrict(b, &env); err != nil {
		c.t.Fatalf("frame %s: %v", b, err)
	}
	return env, nil
}

// expect reads frames until one of type typ, skipping the others, and
// decodes its data into v (when not nil).
func (c *wsConn) expect(typ protocol.Type, v any) protocol.Envelope {
	c.t.Helper()
	for {
		env, err := c.readEnv()
		if err != nil {
			c.t.Fatalf("waiting for %s: %v", typ, err)
		}
		if env.Type != typ {
			continue
		}
		if v != nil {
			if err := json.Unmarshal(env.Data, v); err != nil {
				c.t.Fatalf("%s data %s: %v", typ, env.Data, err)
			}
		}
		return env
	}
}

// expectError reads until an error frame and checks its code and Ref.
func (c *wsConn) expectError(code protocol.ErrorCode, ref uint64) {
	c.t.Helper()
	var e protocol.Error
	env := c.expect(protocol.TypeError, &e)
	if e.Code != code || env.Ref != ref {
		c.t.Errorf("error frame %s (ref %d: %s); want %s with ref %d", e.Code, env.Ref, e.Message, code, ref)
	}
}

// send writes a frame.
func (c *wsConn) send(t protocol.Type, ref uint64, session string, data any) {
	c.t.Helper()
	env, err := protocol.NewEnvelope(t, session, data)
	if err != nil {
		c.t.Fatal(err)
	}
	env.Ref = ref
	b, err := json.Marshal(env)
	if err != nil {
		c.t.Fatal(err)
	}
	c.raw(b)
}

// raw writes bytes as one text frame.
func (c *wsConn) raw(b []byte) {
	c.t.Helper()
	if err := c.ws.Write(c.t.Context(), websocket.MessageText, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// closedWith reads until the connection closes and returns the close status.
func (c *wsConn) closedWith() websocket.StatusCode {
	c.t.Helper()
	for {
		_, err := c.readEnv()
		if err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

// discard is a logger for benchmarks.
var discard = slog.New(slog.DiscardHandler)
