package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/tandemhq/tandem/protocol"
)

// Customer is a customer admitted to one session.
type Customer struct {
	api       *api
	sig       *signaling
	reqs      requests
	session   *Session
	log       *slog.Logger
	config    *protocol.CustomerClientConfig
	closeOnce sync.Once
}

// Join spends a session code and opens the customer's signaling connection.
func Join(ctx context.Context, cfg Config, code, name string) (*Customer, error) {
	req := protocol.JoinRequest{Code: code, Name: name, Portal: cfg.Portal}
	if err := req.Validate(); err != nil {
		return nil, fmt.Errorf("join: %w", err)
	}
	return admit(ctx, cfg, protocol.PathJoin, req)
}

// admit spends a code at path (req is the request) and opens the
// signaling connection of the member it admits to one session: a
// customer, or an external specialist (see [JoinSpecialist]).
func admit(ctx context.Context, cfg Config, path string, req any) (*Customer, error) {
	a, err := cfg.newAPI()
	if err != nil {
		return nil, err
	}
	var jr protocol.JoinResponse
	if err := a.do(ctx, "POST", path, req, &jr); err != nil {
		return nil, fmt.Errorf("join: %w", err)
	}
	a.token = jr.Token
	c := &Customer{api: a, log: cfg.logger().With("session", jr.Session.ID), config: jr.Config}
	// The session exists before the connection so that no frame is missed.
	ready := make(chan struct{})
	c.sig = startSignaling(a, c.log, func(env protocol.Envelope) {
		<-ready
		c.handle(env)
	}, func(up bool, err error) { c.session.ev.emit(ConnectionChanged{Connected: up, Err: err}) })
	c.session = newSession(jr.Session, jr.Participant, a, c.sig, &c.reqs, cfg)
	c.session.setFilePolicy(jr.Config)
	close(ready)
	if err := c.sig.waitFirst(ctx); err != nil {
		c.sig.close()
		return nil, fmt.Errorf("join: signaling: %w", err)
	}
	return c, nil
}

// Session is the customer's session.
func (c *Customer) Session() *Session { return c.session }

// Config is the portal's customer client configuration as snapshotted
// for this session when it started; nil from a server that sent none.
func (c *Customer) Config() *protocol.CustomerClientConfig { return c.config }

// WaitStatus asks the server for the customer's place in the queue, the
// estimated wait and the notices, with texts in lang.
func (c *Customer) WaitStatus(ctx context.Context, lang string) (protocol.WaitStatus, error) {
	var st protocol.WaitStatus
	q := url.Values{"lang": {lang}}
	err := c.api.do(ctx, "GET", protocol.PathWaitStatus+"?"+q.Encode(), nil, &st)
	return st, err
}

// maxBannerBytes bounds a downloaded banner: an 8-bit 480x40 BMP is
// about 20 KB.
const maxBannerBytes = 256 << 10

// Banner fetches the chat window banner of the session's configuration
// from the server and checks it against the configuration's SHA-256. It
// returns ErrNoBanner when the configuration names none.
func (c *Customer) Banner(ctx context.Context) ([]byte, error) {
	if c.config == nil || c.config.Banner.SHA256 == "" {
		return nil, ErrNoBanner
	}
	want := strings.ToLower(c.config.Banner.SHA256)
	if b, err := hex.DecodeString(want); err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("banner: bad hash %q", want)
	}
	// Only the session's own server, at the content address: a
	// configuration cannot send the client elsewhere.
	req, err := http.NewRequestWithContext(ctx, "GET", c.api.base.String()+protocol.PathBanners+want, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.api.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("banner: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("banner: %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBannerBytes+1))
	if err != nil {
		return nil, fmt.Errorf("banner: %w", err)
	}
	if len(b) > maxBannerBytes {
		return nil, fmt.Errorf("banner: larger than %d bytes", maxBannerBytes)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != want {
		return nil, errors.New("banner: content does not match its hash")
	}
	return b, nil
}

// SetRecording tells the server the customer's answer to the recording
// prompt. A refusal stands for the session: the server turns screen and
// shell recording and the system information log off, and refuses a later
// allowance.
func (c *Customer) SetRecording(ctx context.Context, allow bool) error {
	if err := c.api.do(ctx, "POST", protocol.PathRecording, protocol.RecordingAnswer{Allow: &allow}, nil); err != nil {
		return fmt.Errorf("recording answer: %w", err)
	}
	return nil
}

// ReportSystemInfo tells the server about the customer's machine, for the
// reps' session summary; the server writes it to the session's log only
// where recording is allowed.
func (c *Customer) ReportSystemInfo(ctx context.Context, info protocol.SystemInfo) error {
	if err := info.Validate(); err != nil {
		return fmt.Errorf("system info: %w", err)
	}
	if err := c.api.do(ctx, "POST", protocol.PathSystemInfo, info, nil); err != nil {
		return fmt.Errorf("system info: %w", err)
	}
	return nil
}

// Rate answers the exit survey after the session ended (r.Declined to
// decline it): once, within the server's survey window. The answer also
// releases the completed-session notification, which waits for it.
func (c *Customer) Rate(ctx context.Context, r protocol.Rating) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("rate: %w", err)
	}
	if err := c.api.do(ctx, "POST", protocol.PathRating, r, nil); err != nil {
		return fmt.Errorf("rate: %w", err)
	}
	return nil
}

func (c *Customer) handle(env protocol.Envelope) {
	switch env.Type {
	case protocol.TypeWelcome:
		var w protocol.Welcome
		if err := env.Decode(&w); err != nil {
			c.log.Warn("ignoring welcome", "err", err)
			return
		}
		if w.Session != nil {
			c.session.setInfo(*w.Session)
		}
	case protocol.TypeError:
		handleError(&c.reqs, c.log, env)
	default:
		if env.Session != c.session.id {
			c.log.Warn("ignoring a frame for another session", "type", env.Type)
			return
		}
		c.session.handle(env) // a session.ended stops the signaling (Session.finish)
	}
}

// Close closes the peer connections and the signaling connection. It is
// idempotent; it does not end the session (see [Session.End]).
func (c *Customer) Close() error {
	c.closeOnce.Do(func() {
		c.session.closePeers()
		c.sig.close()
		c.api.http.CloseIdleConnections()
	})
	return nil
}
