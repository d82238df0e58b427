// Package servertest runs a real Tandem server for tests: real TLS, a real
// SQLite file in a temporary directory and TURN on 127.0.0.1.
package servertest

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server"
)

// AdminPassword is the first admin's password in every harness.
const AdminPassword = "servertest-admin-password"

// Option changes the server's configuration.
type Option func(*server.Config)

// WithNow sets the server's clock.
func WithNow(now func() time.Time) Option { return func(c *server.Config) { c.Now = now } }

// WithKeyLifetime sets how long session keys last.
func WithKeyLifetime(d time.Duration) Option { return func(c *server.Config) { c.KeyLifetime = d } }

// WithPublicURL sets the base URL of the links the server hands out.
func WithPublicURL(u string) Option { return func(c *server.Config) { c.PublicURL = u } }

// WithRelayIP sets the IP the TURN server hands out as relay address.
func WithRelayIP(ip string) Option { return func(c *server.Config) { c.RelayIP = ip } }

// WithAddr sets the HTTPS listen address, for tests that restart the
// server and need it back on the same port.
func WithAddr(addr string) Option { return func(c *server.Config) { c.Addr = addr } }

// WithAlertRollover sets how long the rep alerted in queue mode has
// before the next one is alerted.
func WithAlertRollover(d time.Duration) Option {
	return func(c *server.Config) { c.AlertRollover = d }
}

// WithLogger sets the server's logger; the default writes to the test's log.
func WithLogger(l *slog.Logger) Option { return func(c *server.Config) { c.Logger = l } }

// Harness is a running server.
type Harness struct {
	Server      *server.Server
	URL         string
	Fingerprint string
	DataDir     string
	// AdminUser and AdminPassword sign in as the first admin.
	AdminUser, AdminPassword string

	cfg server.Config
}

// Start runs a real server and closes it when the test ends.
func Start(t testing.TB, opts ...Option) *Harness {
	t.Helper()
	cfg := server.Config{
		DataDir:       t.TempDir(),
		Addr:          "127.0.0.1:0",
		TURNAddr:      "127.0.0.1:0",
		AdminPassword: AdminPassword,
		Logger:        testLogger(t),
	}
	for _, o := range opts {
		o(&cfg)
	}
	h := &Harness{cfg: cfg, DataDir: cfg.DataDir, AdminUser: server.AdminUsername, AdminPassword: AdminPassword}
	h.start(t)
	return h
}

// start creates and starts the server on h's configuration.
func (h *Harness) start(t testing.TB) {
	t.Helper()
	s, err := server.New(t.Context(), h.cfg)
	if err != nil {
		t.Fatalf("servertest: %v", err)
	}
	if err := s.Start(t.Context()); err != nil {
		s.Close()
		t.Fatalf("servertest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	h.Server, h.URL, h.Fingerprint = s, s.URL(), s.Fingerprint()
}

// AddRep creates an account with the given roles (RoleRep when none).
func (h *Harness) AddRep(t testing.TB, username, password string, roles ...protocol.Role) {
	t.Helper()
	if _, err := h.Server.CreateRep(context.Background(), username, "", password, roles...); err != nil {
		t.Fatalf("servertest: add rep %s: %v", username, err)
	}
}

// Restart closes the server and starts a new one on the same data
// directory. The port may change: read URL again.
func (h *Harness) Restart(t testing.TB) {
	t.Helper()
	if err := h.Server.Close(); err != nil {
		t.Fatalf("servertest: close: %v", err)
	}
	h.start(t)
}

// Client returns an HTTP client that trusts exactly this server's certificate.
func (h *Harness) Client() *http.Client {
	return PinnedClient(h.Fingerprint)
}

// PinnedClient returns an HTTP client that accepts only a server
// certificate with the given fingerprint.
func PinnedClient(fp string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{
			InsecureSkipVerify: true, // replaced by the pin below
			VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
				if len(raw) == 0 {
					return errors.New("no certificate")
				}
				sum := sha256.Sum256(raw[0])
				if hex.EncodeToString(sum[:]) != fp {
					return errors.New("certificate fingerprint mismatch")
				}
				return nil
			},
		},
		ForceAttemptHTTP2: true,
	}}
}

// testLogger writes to the test's log until the test ends.
func testLogger(t testing.TB) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(w.stop) // registered first, so it runs after the server's Close
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// testWriter forwards to t.Log until stopped.
type testWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

var _ io.Writer = (*testWriter)(nil)

func (w *testWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(string(b[:len(b)-1]))
	}
	return len(b), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
}
