package client

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tandemhq/tandem/protocol"
)

// Rep is a signed-in representative.
type Rep struct {
	cfg     Config
	api     *api
	account protocol.Rep
	sig     *signaling
	reqs    requests
	ev      *events
	log     *slog.Logger

	mu        sync.Mutex
	sessions  map[string]*Session
	accepting map[string]chan *Session
	early     map[string][]protocol.Envelope // frames of a session being accepted, before its state
	closeOnce sync.Once
}

// SignIn logs a rep in and opens the signaling connection, which then
// reconnects by itself until Close.
func SignIn(ctx context.Context, cfg Config, username, password string) (*Rep, error) {
	a, err := cfg.newAPI()
	if err != nil {
		return nil, err
	}
	var lr protocol.LoginResponse
	if err := a.do(ctx, "POST", protocol.PathLogin, protocol.LoginRequest{Username: username, Password: password}, &lr); err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	a.token = lr.Token
	log := cfg.logger().With("rep", lr.Rep.Username)
	r := &Rep{
		cfg: cfg, api: a, account: lr.Rep, log: log,
		ev:        newEvents(func(e Event) { log.Warn("rep events full; dropping one", "event", fmt.Sprintf("%T", e)) }),
		sessions:  make(map[string]*Session),
		accepting: make(map[string]chan *Session),
		early:     make(map[string][]protocol.Envelope),
	}
	r.sig = startSignaling(a, log, r.handle, func(up bool, err error) { r.ev.emit(ConnectionChanged{Connected: up, Err: err}) })
	if err := r.sig.waitFirst(ctx); err != nil {
		r.sig.close()
		return nil, fmt.Errorf("sign in: signaling: %w", err)
	}
	r.ev.emit(ConnectionChanged{Connected: true})
	return r, nil
}

// Account is the signed-in rep's account.
func (r *Rep) Account() protocol.Rep { return r.account }

// Events delivers queue updates, alerts and connection changes.
func (r *Rep) Events() <-chan Event { return r.ev.ch }

// CreateKey asks for a new session key.
func (r *Rep) CreateKey(ctx context.Context) (protocol.Key, error) {
	var k protocol.Key
	if err := r.api.do(ctx, "POST", protocol.PathKeys, protocol.KeyRequest{}, &k); err != nil {
		return protocol.Key{}, fmt.Errorf("create key: %w", err)
	}
	return k, nil
}

// Queue fetches the rep's waiting sessions, oldest first.
func (r *Rep) Queue(ctx context.Context) (protocol.Queue, error) {
	var q protocol.Queue
	if err := r.api.do(ctx, "GET", protocol.PathQueue, nil, &q); err != nil {
		return protocol.Queue{}, fmt.Errorf("queue: %w", err)
	}
	return q, nil
}

// Accept takes a waiting session. It returns once the server has made the
// rep a member; the peer connection follows on its own.
func (r *Rep) Accept(ctx context.Context, sessionID string) (*Session, error) {
	got := make(chan *Session, 1)
	r.mu.Lock()
	r.accepting[sessionID] = got
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.accepting, sessionID)
		r.mu.Unlock()
	}()
	ref, answer := r.reqs.add()
	defer r.reqs.drop(ref)
	if err := r.sig.send(ctx, protocol.TypeSessionAccept, ref, sessionID, nil); err != nil {
		return nil, err
	}
	select {
	case s := <-got:
		return s, nil
	case perr := <-answer:
		return nil, fmt.Errorf("accept: %w", perr)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Session returns a session the rep is in, or nil.
func (r *Rep) Session(id string) *Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sessions[id]
}

func (r *Rep) handle(env protocol.Envelope) {
	switch env.Type {
	case protocol.TypeWelcome:
	case protocol.TypeError:
		handleError(&r.reqs, r.log, env)
	case protocol.TypeQueue:
		var q protocol.Queue
		if err := env.Decode(&q); err != nil {
			r.log.Warn("ignoring queue", "err", err)
			return
		}
		r.ev.emit(QueueChanged{Queue: q})
	case protocol.TypeSessionWaiting:
		var info protocol.SessionInfo
		if err := env.Decode(&info); err != nil {
			r.log.Warn("ignoring alert", "err", err)
			return
		}
		r.ev.emit(SessionWaiting{Session: info})
	default:
		r.sessionFrame(env)
	}
}

// sessionFrame routes a frame to its session; the first session.state after
// an Accept creates the Session.
func (r *Rep) sessionFrame(env protocol.Envelope) {
	r.mu.Lock()
	s := r.sessions[env.Session]
	waiter := r.accepting[env.Session]
	if s == nil && waiter != nil && env.Type != protocol.TypeSessionState {
		// Accepted, but its state has not arrived yet: keep the frame.
		if len(r.early[env.Session]) < maxEarlySignals {
			r.early[env.Session] = append(r.early[env.Session], env)
		}
		r.mu.Unlock()
		return
	}
	var early []protocol.Envelope
	if s == nil && waiter != nil && env.Type == protocol.TypeSessionState {
		var info protocol.SessionInfo
		if err := env.Decode(&info); err != nil {
			r.mu.Unlock()
			r.log.Warn("ignoring session state", "err", err)
			return
		}
		self := protocol.Participant{ID: r.account.ID, Role: protocol.RoleRep, Name: r.account.DisplayName}
		for _, p := range info.Participants {
			if p.ID == r.account.ID {
				self = p
			}
		}
		s = newSession(info, self, r.api, r.sig, &r.reqs, r.cfg)
		r.sessions[env.Session] = s
		delete(r.accepting, env.Session)
		early = r.early[env.Session]
		delete(r.early, env.Session)
		waiter <- s
	}
	r.mu.Unlock()
	if s == nil {
		r.log.Debug("ignoring a frame for a session this console does not hold", "type", env.Type, "session", env.Session)
		return
	}
	s.handle(env)
	for _, e := range early {
		s.handle(e)
	}
	if env.Type == protocol.TypeSessionEnded {
		r.mu.Lock()
		delete(r.sessions, env.Session)
		r.mu.Unlock()
	}
}

// Close closes the rep's sessions' peer connections, signs out and closes
// the signaling connection. It is idempotent.
func (r *Rep) Close() error {
	r.closeOnce.Do(func() {
		r.mu.Lock()
		sessions := r.sessions
		r.sessions = map[string]*Session{}
		r.mu.Unlock()
		for _, s := range sessions {
			s.closePeers()
		}
		r.sig.close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := r.api.do(ctx, "POST", protocol.PathLogout, nil, nil); err != nil {
			r.log.Warn("sign out", "err", err)
		}
		r.api.http.CloseIdleConnections()
	})
	return nil
}
