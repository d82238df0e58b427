package client

import (
	"context"
	"fmt"
	"log/slog"
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
	closeOnce sync.Once
}

// Join spends a session code and opens the customer's signaling connection.
func Join(ctx context.Context, cfg Config, code, name string) (*Customer, error) {
	a, err := cfg.newAPI()
	if err != nil {
		return nil, err
	}
	req := protocol.JoinRequest{Code: code, Name: name}
	if err := req.Validate(); err != nil {
		return nil, fmt.Errorf("join: %w", err)
	}
	var jr protocol.JoinResponse
	if err := a.do(ctx, "POST", protocol.PathJoin, req, &jr); err != nil {
		return nil, fmt.Errorf("join: %w", err)
	}
	a.token = jr.Token
	c := &Customer{api: a, log: cfg.logger().With("session", jr.Session.ID)}
	// The session exists before the connection so that no frame is missed.
	ready := make(chan struct{})
	c.sig = startSignaling(a, c.log, func(env protocol.Envelope) {
		<-ready
		c.handle(env)
	}, func(up bool, err error) { c.session.ev.emit(ConnectionChanged{Connected: up, Err: err}) })
	c.session = newSession(jr.Session, jr.Participant, a, c.sig, &c.reqs, cfg)
	close(ready)
	if err := c.sig.waitFirst(ctx); err != nil {
		c.sig.close()
		return nil, fmt.Errorf("join: signaling: %w", err)
	}
	return c, nil
}

// Session is the customer's session.
func (c *Customer) Session() *Session { return c.session }

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
		c.session.handle(env)
		if env.Type == protocol.TypeSessionEnded {
			// The server closes a customer's connection at the end: do not
			// reconnect to a session that is over.
			c.sig.stop()
		}
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
