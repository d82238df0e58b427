package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"github.com/tandemhq/tandem/internal/atomicfile"
	"github.com/tandemhq/tandem/protocol"
)

// A customer's client that relaunches itself (to run elevated) keeps its
// session: the old process writes a [Handoff] to a file only its user can
// read, the new one reads it and calls [Resume], which connects with the
// same bearer token without spending a session code. The server admits the
// same participant again and asks the reps' peers to connect to the
// newest connection, so the reps see the new process; the old one then
// closes ([Customer.Close] does not end the session) and exits.

// HandoffVersion is the version of the hand-off format this package writes
// and reads.
const HandoffVersion = 1

// MaxHandoffBytes bounds a hand-off file.
const MaxHandoffBytes = 16 << 10

// maxTokenBytes and maxIDBytes bound a hand-off's token and IDs.
const (
	maxTokenBytes = 1024
	maxIDBytes    = 128
)

// Handoff is what a relaunched customer client needs to take the session
// over: the server and its certificate pin, the customer's bearer token
// and who it is in which session. The token admits to the session: keep a
// Handoff in memory or in a file only the user can read.
type Handoff struct {
	// Version is HandoffVersion.
	Version int `json:"version"`
	// Server is the server's base URL, as in [Config.Server].
	Server string `json:"server"`
	// Fingerprint pins the server's certificate, as in
	// [Config.Fingerprint]; empty means the system roots.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Token is the customer's bearer token for the session.
	Token string `json:"token"`
	// Session is the session's ID.
	Session string `json:"session"`
	// Participant is the customer in the session.
	Participant protocol.Participant `json:"participant"`
}

// Validate checks a hand-off: the version, an https server URL, a
// well-formed pin, a token of printable ASCII, and a customer participant.
func (h Handoff) Validate() error {
	if h.Version != HandoffVersion {
		return fmt.Errorf("%w: version %d; this client reads %d", ErrBadHandoff, h.Version, HandoffVersion)
	}
	cfg := Config{Server: h.Server, Fingerprint: h.Fingerprint}
	if _, err := cfg.base(); err != nil {
		return fmt.Errorf("%w: %v", ErrBadHandoff, err)
	}
	if _, err := cfg.tlsConfig(); err != nil {
		return fmt.Errorf("%w: %v", ErrBadHandoff, err)
	}
	if err := checkASCII("token", h.Token, maxTokenBytes); err != nil {
		return err
	}
	if err := checkASCII("session", h.Session, maxIDBytes); err != nil {
		return err
	}
	if err := checkASCII("participant id", h.Participant.ID, maxIDBytes); err != nil {
		return err
	}
	if h.Participant.Role != protocol.RoleCustomer {
		return fmt.Errorf("%w: participant is a %v, not the customer", ErrBadHandoff, h.Participant.Role)
	}
	if err := protocol.ValidateText("participant name", h.Participant.Name, protocol.MaxNameRunes, false); err != nil {
		return fmt.Errorf("%w: %v", ErrBadHandoff, err)
	}
	return nil
}

// checkASCII checks that s is 1..max bytes of printable ASCII with no
// spaces: a token or an ID that goes into a header or a path.
func checkASCII(field, s string, max int) error {
	if s == "" || len(s) > max {
		return fmt.Errorf("%w: %s has %d bytes; want 1..%d", ErrBadHandoff, field, len(s), max)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return fmt.Errorf("%w: %s contains byte %#x", ErrBadHandoff, field, s[i])
		}
	}
	return nil
}

// Handoff returns what a relaunched client needs to take this customer's
// session over with [Resume].
func (c *Customer) Handoff() Handoff {
	h, _ := c.session.Handoff() // a Customer's session is a customer's
	return h
}

// Handoff returns what a relaunched client needs to take this session
// over with [Resume]. Only a customer's session can be handed over; a
// rep's returns ErrNotCustomer.
func (s *Session) Handoff() (Handoff, error) {
	if s.self.Role != protocol.RoleCustomer {
		return Handoff{}, fmt.Errorf("hand-off: %w", ErrNotCustomer)
	}
	return Handoff{
		Version:     HandoffVersion,
		Server:      s.api.base.String(),
		Fingerprint: s.cfg.Fingerprint,
		Token:       s.api.token,
		Session:     s.id,
		Participant: s.self,
	}, nil
}

// WriteHandoff writes h to path as JSON, readable by the user only (mode
// 0600). The file appears whole or not at all: it is written beside path
// and renamed. An existing file at path is replaced.
func WriteHandoff(path string, h Handoff) error {
	if err := h.Validate(); err != nil {
		return fmt.Errorf("write hand-off: %w", err)
	}
	b, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("write hand-off: %w", err)
	}
	if err := atomicfile.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("write hand-off: %w", err)
	}
	return nil
}

// ReadHandoff reads and validates a hand-off file that WriteHandoff
// wrote. It refuses anything but a regular file, one that others may read
// or write (outside Windows), one larger than MaxHandoffBytes, and JSON
// that is malformed or has unknown fields.
func ReadHandoff(path string) (Handoff, error) {
	f, err := os.Open(path)
	if err != nil {
		return Handoff{}, fmt.Errorf("read hand-off: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Handoff{}, fmt.Errorf("read hand-off: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return Handoff{}, fmt.Errorf("read hand-off %s: %w: not a regular file", path, ErrBadHandoff)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return Handoff{}, fmt.Errorf("read hand-off %s: %w: mode %v lets others read it", path, ErrBadHandoff, fi.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxHandoffBytes+1))
	if err != nil {
		return Handoff{}, fmt.Errorf("read hand-off: %w", err)
	}
	return parseHandoff(b)
}

// parseHandoff decodes and validates a hand-off's JSON.
func parseHandoff(b []byte) (Handoff, error) {
	if len(b) > MaxHandoffBytes {
		return Handoff{}, fmt.Errorf("read hand-off: %w: larger than %d bytes", ErrBadHandoff, MaxHandoffBytes)
	}
	var h Handoff
	if err := protocol.UnmarshalStrict(bytes.TrimSpace(b), &h); err != nil {
		return Handoff{}, fmt.Errorf("read hand-off: %w: %v", ErrBadHandoff, err)
	}
	if err := h.Validate(); err != nil {
		return Handoff{}, fmt.Errorf("read hand-off: %w", err)
	}
	return h, nil
}

// Resume takes a customer's session over from a client that handed it
// off: it connects with the hand-off's token, spending no session code,
// and fetches the session's configuration snapshot. cfg supplies the
// logger and media options; its Server and Fingerprint are the
// hand-off's. The server then asks every rep's peer to connect to this
// client.
func Resume(ctx context.Context, cfg Config, h Handoff) (*Customer, error) {
	if err := h.Validate(); err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	cfg.Server, cfg.Fingerprint = h.Server, h.Fingerprint
	a, err := cfg.newAPI()
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	a.token = h.Token
	var conf *protocol.CustomerClientConfig
	var got protocol.CustomerClientConfig
	switch err := a.do(ctx, "GET", protocol.PathClientConfig, nil, &got); {
	case err == nil:
		if err := got.Validate(); err != nil {
			return nil, fmt.Errorf("resume: the session's configuration: %w", err)
		}
		conf = &got
	case IsCode(err, protocol.CodeNotFound):
		// A session without a snapshot, as Join would have had no Config.
	default:
		return nil, fmt.Errorf("resume: the session's configuration: %w", err)
	}
	c := &Customer{api: a, log: cfg.logger().With("session", h.Session), config: conf}
	ready := make(chan struct{})
	var once sync.Once
	c.sig = startSignaling(a, c.log, func(env protocol.Envelope) {
		<-ready
		if env.Type == protocol.TypeWelcome {
			once.Do(func() { c.checkWelcome(env, h) })
		}
		c.handle(env)
	}, func(up bool, err error) { c.session.ev.emit(ConnectionChanged{Connected: up, Err: err}) })
	info := protocol.SessionInfo{ID: h.Session, CustomerName: h.Participant.Name} // the welcome brings the rest
	c.session = newSession(info, h.Participant, a, c.sig, &c.reqs, cfg)
	c.session.setFilePolicy(conf)
	close(ready)
	if err := c.sig.waitFirst(ctx); err != nil {
		c.sig.close()
		return nil, fmt.Errorf("resume: signaling: %w", err)
	}
	return c, nil
}

// checkWelcome logs a server whose welcome does not match the hand-off:
// the token then belongs to another session or participant, and frames
// for the hand-off's session will not come.
func (c *Customer) checkWelcome(env protocol.Envelope, h Handoff) {
	var w protocol.Welcome
	if err := env.Decode(&w); err != nil {
		return // handle logs it
	}
	if w.Participant.ID != h.Participant.ID || w.Session == nil || w.Session.ID != h.Session {
		c.log.Error("the server's welcome does not match the hand-off",
			"participant", w.Participant.ID, "want_participant", h.Participant.ID)
	}
}
