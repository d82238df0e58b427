// Package server is Tandem's server: HTTPS with the JSON API, the
// signaling WebSocket (package hub), the public portal page, embedded
// STUN/TURN (package turn) and the SQLite store (package store).
//
// [New] opens the data directory — the database, the TLS certificate
// (generated on the first run) — and creates the first admin account when
// there are no accounts; [Server.Start] listens; [Server.Close] stops
// everything and waits for it.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/auth"
	"github.com/tandemhq/tandem/server/hub"
	"github.com/tandemhq/tandem/server/store"
	"github.com/tandemhq/tandem/server/turn"
)

// Defaults.
const (
	DefaultAddr        = ":8443"
	DefaultTURNAddr    = ":3478"
	DefaultKeyLifetime = 20 * time.Minute
	// TokenLifetime is how long a login or a customer's token lasts.
	TokenLifetime = 12 * time.Hour
	// TURNLifetime is how long minted TURN credentials last.
	TURNLifetime = time.Hour
	// sweepInterval is how often expired tokens and keys are deleted.
	sweepInterval = 10 * time.Minute
	// AdminUsername is the first admin's username.
	AdminUsername = "admin"
)

// Rate limits of failed attempts.
const (
	loginAccountMax    = 5
	loginAccountWindow = 15 * time.Minute
	loginSourceMax     = 20
	loginSourceWindow  = 15 * time.Minute
	joinSourceMax      = 10
	joinSourceWindow   = 10 * time.Minute
)

// Config configures a Server.
type Config struct {
	// DataDir is required: the SQLite file, TLS certificate and key live here.
	DataDir string
	// Addr is the HTTPS listen address; "" means ":8443"; "127.0.0.1:0" picks a port.
	Addr string
	// TURNAddr is the UDP listen address for STUN/TURN; "" means ":3478".
	TURNAddr string
	// RelayIP is optional: the IP TURN hands out as relay address; zero
	// means the TURN listen IP, or 127.0.0.1 when that is unspecified.
	RelayIP string
	// PublicURL is optional: the base URL for links (key URLs); zero means
	// https://<listen addr>.
	PublicURL string
	// AdminPassword is used only when the store has no reps: the first
	// admin's password; zero means generate one.
	AdminPassword string
	// KeyLifetime is optional; zero means 20 minutes.
	KeyLifetime time.Duration
	// CertFile and KeyFile are optional; zero means generate a self-signed
	// certificate into DataDir on the first run.
	CertFile, KeyFile string
	// SurveyWindow is optional; zero means DefaultSurveyWindow: how long
	// after a session's end its customer may answer the exit survey and
	// its reps rate it, and the longest the completed-session notification
	// waits for the survey.
	SurveyWindow time.Duration
	// MaxRecordingBytes is optional; zero means DefaultMaxRecordingBytes:
	// the largest screen recording a rep's console may upload.
	MaxRecordingBytes int64
	// AlertRollover is optional; zero means hub.DefaultAlertRollover: how
	// long the one rep a SmartBox portal in queue mode alerts has to accept
	// before the next available rep is alerted. Negative never rolls over.
	AlertRollover time.Duration
	// Now is optional; zero means time.Now (tests move the clock).
	Now func() time.Time
	// Logger is optional; zero means slog.Default().
	Logger *slog.Logger
}

// Server is a Tandem server.
type Server struct {
	cfg    Config
	logger *slog.Logger
	now    func() time.Time
	store  *store.SQLite
	cert   tls.Certificate
	fp     string

	adminPassword string
	adminCreated  bool

	loginAccount *auth.Limiter
	loginSource  *auth.Limiter
	joinSource   *auth.Limiter
	portal       *portal
	reports      customerReports

	mu      sync.Mutex
	started bool
	closed  bool
	url     string
	turn    *turn.Server
	hub     *hub.Hub
	http    *http.Server
	// ws counts the WebSocket handlers, which http.Server.Shutdown does not wait for.
	ws sync.WaitGroup
	wg sync.WaitGroup
	// stop ends the background sweep; Close closes it.
	stop chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// New opens the data directory (database, certificate) and creates the
// first admin account when there are no accounts.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.DataDir == "" {
		return nil, ErrNoDataDir
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.TURNAddr == "" {
		cfg.TURNAddr = DefaultTURNAddr
	}
	if cfg.KeyLifetime <= 0 {
		cfg.KeyLifetime = DefaultKeyLifetime
	}
	if cfg.SurveyWindow <= 0 {
		cfg.SurveyWindow = DefaultSurveyWindow
	}
	if cfg.MaxRecordingBytes <= 0 {
		cfg.MaxRecordingBytes = DefaultMaxRecordingBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RelayIP != "" && net.ParseIP(cfg.RelayIP) == nil {
		return nil, fmt.Errorf("server: relay IP %q is not an IP address", cfg.RelayIP)
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("server: data directory: %w", err)
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("server: listen address %q: %w", cfg.Addr, err)
	}
	cert, fp, err := loadOrCreateCert(cfg.DataDir, cfg.CertFile, cfg.KeyFile, host, cfg.Now())
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	st, err := store.Open(ctx, filepath.Join(cfg.DataDir, dbFileName), cfg.Logger.With("component", "store"))
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	p, err := newPortal()
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("server: %w", err)
	}
	s := &Server{
		cfg:          cfg,
		logger:       cfg.Logger,
		now:          cfg.Now,
		store:        st,
		cert:         cert,
		fp:           fp,
		loginAccount: auth.NewLimiter(loginAccountMax, loginAccountWindow),
		loginSource:  auth.NewLimiter(loginSourceMax, loginSourceWindow),
		joinSource:   auth.NewLimiter(joinSourceMax, joinSourceWindow),
		portal:       p,
		stop:         make(chan struct{}),
	}
	if err := s.firstAdmin(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return s, nil
}

// firstAdmin creates the "admin" account when there are no reps.
func (s *Server) firstAdmin(ctx context.Context) error {
	n, err := s.store.CountReps(ctx)
	if err != nil {
		return fmt.Errorf("server: count reps: %w", err)
	}
	if n > 0 {
		return nil
	}
	pw := s.cfg.AdminPassword
	if pw == "" {
		if pw, err = auth.NewPassword(); err != nil {
			return fmt.Errorf("server: admin password: %w", err)
		}
	}
	if _, err := s.CreateRep(ctx, AdminUsername, "Administrator", pw, protocol.RoleAdmin, protocol.RoleRep); err != nil {
		return fmt.Errorf("server: first admin: %w", err)
	}
	s.adminPassword = pw
	s.adminCreated = true
	s.logger.Info("first admin account created", "username", AdminUsername)
	return nil
}

// CreateRep adds a representative's account with a password that
// satisfies auth.ValidatePassword. Beyond the first admin, the admin pages
// of a later issue and tests create accounts with it.
func (s *Server) CreateRep(ctx context.Context, username, displayName, password string, roles ...protocol.Role) (protocol.Rep, error) {
	if err := protocol.ValidateText("username", username, protocol.MaxNameRunes, true); err != nil {
		return protocol.Rep{}, err
	}
	if displayName == "" {
		displayName = username
	}
	if err := protocol.ValidateText("display name", displayName, protocol.MaxNameRunes, true); err != nil {
		return protocol.Rep{}, err
	}
	if err := auth.ValidatePassword(password); err != nil {
		return protocol.Rep{}, err
	}
	if len(roles) == 0 {
		roles = []protocol.Role{protocol.RoleRep}
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return protocol.Rep{}, fmt.Errorf("create rep %s: %w", username, err)
	}
	r := store.Rep{ID: auth.NewID(), Username: username, DisplayName: displayName, PasswordHash: hash, Roles: roles, Created: s.now()}
	if err := s.store.CreateRep(ctx, r); err != nil {
		return protocol.Rep{}, fmt.Errorf("create rep %s: %w", username, err)
	}
	return wireRep(r), nil
}

// wireRep is an account as clients see it.
func wireRep(r store.Rep) protocol.Rep {
	return protocol.Rep{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Roles: r.Roles}
}

// FirstAdmin returns the first admin's credentials; created is true only
// on the run that created the account (the password is known only then).
func (s *Server) FirstAdmin() (username, password string, created bool) {
	if !s.adminCreated {
		return AdminUsername, "", false
	}
	return AdminUsername, s.adminPassword, true
}

// Fingerprint is the lowercase hex SHA-256 of the certificate's DER bytes.
func (s *Server) Fingerprint() string { return s.fp }

// URL returns the base URL after Start, e.g. https://127.0.0.1:34567.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// publicURL is the base of links handed out.
func (s *Server) publicURL() string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	return s.URL()
}

// Start listens for HTTPS and TURN and returns once both listen. ctx
// bounds the start only.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.started {
		return ErrStarted
	}
	var relay net.IP
	if s.cfg.RelayIP != "" {
		relay = net.ParseIP(s.cfg.RelayIP)
	}
	t, err := turn.Listen(turn.Config{Addr: s.cfg.TURNAddr, RelayIP: relay, Now: s.now, Logger: s.logger.With("component", "turn")})
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		t.Close()
		return fmt.Errorf("server: listen %s: %w", s.cfg.Addr, err)
	}
	s.turn = t
	s.hub = hub.New(hub.Config{
		Store: s.hubStore(),
		ICE: func(sessionID, participantID string) []protocol.ICEServer {
			return t.ICEServers(participantID, TURNLifetime)
		},
		Now:           s.now,
		Logger:        s.logger.With("component", "hub"),
		AlertRollover: s.cfg.AlertRollover,
		// A portal's download link is the longest a new customer may
		// take to connect at all.
		FirstConnectGrace: s.ticketLifetime(),
	})
	if err := s.hub.WatchWaiting(ctx); err != nil {
		s.logger.Warn("watch the waiting sessions' customers", "err", err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	host := "localhost"
	if !addr.IP.IsUnspecified() {
		host = addr.IP.String()
	}
	s.url = "https://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
	s.http = &http.Server{
		Handler:           s.routes(),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{s.cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger.With("component", "http").Handler(), slog.LevelDebug),
	}
	s.started = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.http.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("https server stopped", "err", err)
		}
	}()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.sweep()
	}()
	s.logger.Info("server listening", "url", s.url, "turn", t.Addr().String(), "fingerprint", s.fp)
	return nil
}

// Close stops the server and waits for every goroutine. It is idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.stop)
		var errs []error
		if s.started {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := s.http.Shutdown(ctx); err != nil {
				s.http.Close()
			}
			cancel()
			s.hub.Close()
			s.ws.Wait()
			s.wg.Wait()
			if err := s.turn.Close(); err != nil {
				errs = append(errs, err)
			}
		}
		if err := s.store.Close(); err != nil {
			errs = append(errs, err)
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// sweep deletes expired tokens and keys every sweepInterval until Close.
func (s *Server) sweep() {
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if err := s.store.DeleteExpired(ctx, s.now()); err != nil {
				s.logger.Warn("delete expired tokens and keys", "err", err)
			}
			cancel()
		}
	}
}
