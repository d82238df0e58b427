package client

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
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
	nexts     map[uint64]chan *Session       // Get Next requests by Ref, until the server names the session
	status    protocol.RepStatus             // sent again after every reconnect
	terms     map[string]chan struct{}       // termination overrides waiting for their echo, by session
	sigReady  chan struct{}                  // closed once sig is set: frames may arrive before
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
		nexts:     make(map[uint64]chan *Session),
		terms:     make(map[string]chan struct{}),
		sigReady:  make(chan struct{}),
	}
	r.sig = startSignaling(a, log, r.handle, func(up bool, err error) {
		<-r.sigReady
		if up {
			// Before anyone hears of the reconnect, so that the server has
			// the status ahead of anything the app sends next.
			r.resendStatus()
		}
		r.ev.emit(ConnectionChanged{Connected: up, Err: err})
	})
	close(r.sigReady)
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
		s.loadFilePolicy(ctx)
		return s, nil
	case perr := <-answer:
		return nil, fmt.Errorf("accept: %w", perr)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// GetNext takes the oldest session waiting in any of the rep's queues.
// The server arbitrates: of two reps asking at once, each gets a different
// session. When nobody waits the error is a *protocol.Error with
// [protocol.CodeQueueEmpty] (test it with [IsCode]).
func (r *Rep) GetNext(ctx context.Context) (*Session, error) {
	ref, answer := r.reqs.add()
	defer r.reqs.drop(ref)
	got := make(chan *Session, 1)
	r.mu.Lock()
	r.nexts[ref] = got
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.nexts, ref)
		r.mu.Unlock()
	}()
	if err := r.sig.send(ctx, protocol.TypeSessionNext, ref, "", nil); err != nil {
		return nil, fmt.Errorf("get next: %w", err)
	}
	select {
	case s := <-got:
		s.loadFilePolicy(ctx)
		return s, nil
	case perr := <-answer:
		return nil, fmt.Errorf("get next: %w", perr)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// SetStatus tells the server the rep's availability: only available reps
// are alerted to new sessions. The status is sent again after every
// reconnect. A status the server refuses is logged.
func (r *Rep) SetStatus(ctx context.Context, status protocol.RepStatus) error {
	u := protocol.RepStatusUpdate{Status: status}
	if err := u.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	r.status = status
	r.mu.Unlock()
	if err := r.sig.send(ctx, protocol.TypeRepStatus, 0, "", u); err != nil {
		return fmt.Errorf("set status: %w", err)
	}
	return nil
}

// resendStatus repeats the rep's status after a reconnect; it runs on the
// signaling goroutine, once the new connection was welcomed.
func (r *Rep) resendStatus() {
	r.mu.Lock()
	status := r.status
	r.mu.Unlock()
	if status == protocol.RepStatusUnknown {
		return
	}
	ctx, cancel := context.WithTimeout(r.sig.ctx, 5*time.Second)
	defer cancel()
	if err := r.sig.send(ctx, protocol.TypeRepStatus, 0, "", protocol.RepStatusUpdate{Status: status}); err != nil {
		r.log.Warn("status not sent again after reconnecting", "err", err)
	}
}

// Queues names the rep's queues and the portals sessions come from.
func (r *Rep) Queues(ctx context.Context) (protocol.QueueList, error) {
	var q protocol.QueueList
	if err := r.api.do(ctx, "GET", protocol.PathQueues, nil, &q); err != nil {
		return protocol.QueueList{}, fmt.Errorf("queues: %w", err)
	}
	return q, nil
}

// Canned lists the canned chat messages of the rep's teams, by team and
// title. A server without the canned-message API answers an empty list.
func (r *Rep) Canned(ctx context.Context) ([]protocol.CannedMessage, error) {
	list := []protocol.CannedMessage{}
	err := r.api.do(ctx, "GET", protocol.PathCanned, nil, &list)
	if IsCode(err, protocol.CodeNotFound) {
		return []protocol.CannedMessage{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("canned messages: %w", err)
	}
	return list, nil
}

// Invite generates a session key and has the server e-mail it to the
// customer in language lang ("" for English). A server without a mail
// server answers *protocol.Error with [protocol.CodeNoMail].
func (r *Rep) Invite(ctx context.Context, email, lang string) (protocol.Key, error) {
	req := protocol.InviteRequest{Email: email, Language: lang}
	if err := req.Validate(); err != nil {
		return protocol.Key{}, err
	}
	var k protocol.Key
	if err := r.api.do(ctx, "POST", protocol.PathInvitations, req, &k); err != nil {
		return protocol.Key{}, fmt.Errorf("invite: %w", err)
	}
	return k, nil
}

// Leave takes the rep out of a session that other reps stay in ("hold
// session"); the session then ends for this console only.
func (r *Rep) Leave(ctx context.Context, sessionID string) error {
	s := r.Session(sessionID)
	if s == nil {
		return fmt.Errorf("leave %s: %w", sessionID, ErrSessionEnded)
	}
	ref, answer := r.reqs.add()
	defer r.reqs.drop(ref)
	if err := r.sig.send(ctx, protocol.TypeSessionLeave, ref, sessionID, nil); err != nil {
		return fmt.Errorf("leave: %w", err)
	}
	select {
	case <-s.Ended():
		return nil
	case perr := <-answer:
		return fmt.Errorf("leave: %w", perr)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Summary fetches what the console's summary tab shows of a session.
func (r *Rep) Summary(ctx context.Context, sessionID string) (protocol.SessionSummary, error) {
	var sum protocol.SessionSummary
	if err := r.api.do(ctx, "GET", protocol.PathSession+url.PathEscape(sessionID)+protocol.PathSummarySuffix, nil, &sum); err != nil {
		return protocol.SessionSummary{}, fmt.Errorf("summary: %w", err)
	}
	return sum, nil
}

// SetTermination overrides what the customer's computer does at the end of
// a session, where the session's policy allows it; it returns once the
// server announced the change to the session.
func (r *Rep) SetTermination(ctx context.Context, sessionID string, t protocol.Termination) error {
	o := protocol.TerminationOverride{Termination: t}
	if err := o.Validate(); err != nil {
		return err
	}
	echo := make(chan struct{})
	r.mu.Lock()
	r.terms[sessionID] = echo
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		if r.terms[sessionID] == echo {
			delete(r.terms, sessionID)
		}
		r.mu.Unlock()
	}()
	ref, answer := r.reqs.add()
	defer r.reqs.drop(ref)
	if err := r.sig.send(ctx, protocol.TypeSessionTermination, ref, sessionID, o); err != nil {
		return fmt.Errorf("set termination: %w", err)
	}
	select {
	case <-echo:
		return nil
	case perr := <-answer:
		return fmt.Errorf("set termination: %w", perr)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Session returns a session the rep is in, or nil.
func (r *Rep) Session(id string) *Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sessions[id]
}

func (r *Rep) handle(env protocol.Envelope) {
	<-r.sigReady
	switch env.Type {
	case protocol.TypeWelcome:
	case protocol.TypeSessionAssigned:
		r.mu.Lock()
		got := r.nexts[env.Ref]
		delete(r.nexts, env.Ref)
		if got != nil && env.Session != "" {
			// The session's state follows on this connection; it creates
			// the Session and hands it to GetNext.
			r.accepting[env.Session] = got
		}
		r.mu.Unlock()
		if got == nil {
			r.log.Warn("ignoring session.assigned for no Get Next", "ref", env.Ref, "session", env.Session)
		}
	case protocol.TypeSessionTermination:
		var o protocol.TerminationOverride
		if err := env.Decode(&o); err != nil {
			r.log.Warn("ignoring termination override", "err", err)
			return
		}
		r.mu.Lock()
		if ch := r.terms[env.Session]; ch != nil {
			close(ch)
			delete(r.terms, env.Session)
		}
		r.mu.Unlock()
		r.ev.emit(TerminationChanged{SessionID: env.Session, Termination: o.Termination})
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
	var resumed *Session
	if s == nil && env.Type == protocol.TypeSessionState {
		var info protocol.SessionInfo
		if err := env.Decode(&info); err != nil {
			r.mu.Unlock()
			r.log.Warn("ignoring session state", "err", err)
			return
		}
		self, present := protocol.Participant{ID: r.account.ID, Role: protocol.RoleRep, Name: r.account.DisplayName}, false
		for _, p := range info.Participants {
			if p.ID == r.account.ID {
				self, present = p, true
			}
		}
		switch {
		case waiter != nil:
			s = newSession(info, self, r.api, r.sig, &r.reqs, r.cfg)
			r.sessions[env.Session] = s
			delete(r.accepting, env.Session)
			early = r.early[env.Session]
			delete(r.early, env.Session)
			waiter <- s
		case present && info.State == protocol.StateActive:
			// A session of this rep that this console did not accept: the
			// console restarted, or another console of the rep took it.
			s = newSession(info, self, r.api, r.sig, &r.reqs, r.cfg)
			r.sessions[env.Session] = s
			resumed = s
		}
	}
	r.mu.Unlock()
	if resumed != nil {
		r.ev.emit(SessionResumed{Session: resumed})
	}
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
