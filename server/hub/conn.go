package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/store"
)

// Connection tuning.
const (
	// sendQueue is how many frames wait for a slow client; a client that
	// lets more pile up is disconnected rather than blocking the hub.
	sendQueue = 256
	// writeTimeout bounds one frame's write.
	writeTimeout = 10 * time.Second
	// pingInterval is how often the server checks that a client is alive.
	pingInterval = 30 * time.Second
	// pingTimeout is how long the pong may take.
	pingTimeout = 15 * time.Second
	// maxReasonRunes bounds the reason a member gives for ending a session.
	maxReasonRunes = 200
)

// outMsg is one item of a connection's send queue: a frame, or the
// instruction to close.
type outMsg struct {
	data   []byte
	close  bool
	code   websocket.StatusCode
	reason string
}

// conn is one client's WebSocket. One goroutine reads (and handles what
// it reads); one writes from the send queue.
type conn struct {
	h   *Hub
	ws  *websocket.Conn
	id  Identity
	pid string
	log *slog.Logger

	send chan outMsg
	// wake restarts a waiting customer's on-hold timer (see remind).
	wake chan struct{}
	// pushMu orders the wait status pushes (see pushWait).
	pushMu sync.Mutex
	// ctx ends the connection; it is derived from the hub's lifetime.
	ctx     context.Context
	cancel  context.CancelFunc
	closing atomic.Bool
}

// enqueue adds to the send queue without blocking; a full queue
// disconnects the client.
func (c *conn) enqueue(m outMsg) {
	if c.ctx.Err() != nil {
		return
	}
	select {
	case c.send <- m:
	default:
		c.log.Warn("send queue full; disconnecting a client that does not read")
		c.cancel()
	}
}

// send1 queues one frame.
func (c *conn) send1(t protocol.Type, ref uint64, session string, data any) {
	b, err := envelope(t, ref, session, data)
	if err != nil {
		c.log.Error("marshal frame", "type", t, "err", err)
		return
	}
	c.enqueue(outMsg{data: b})
}

// closeAfter queues a close after the frames already queued.
func (c *conn) closeAfter(code websocket.StatusCode, reason string) {
	c.closing.Store(true)
	c.enqueue(outMsg{close: true, code: code, reason: reason})
}

// run serves the connection until it ends; it returns why.
func (c *conn) run() error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.writeLoop()
	}()
	reminded := make(chan struct{})
	go func() {
		defer close(reminded)
		if !c.id.isRep() {
			c.remind()
		}
	}()
	err := c.readLoop()
	if !c.closing.Load() {
		c.cancel()
	}
	<-done
	c.cancel()
	<-reminded
	c.ws.CloseNow()
	return err
}

// writeLoop writes queued frames and pings.
func (c *conn) writeLoop() {
	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case m := <-c.send:
			if m.close {
				c.ws.Close(m.code, m.reason)
				c.cancel()
				return
			}
			ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
			err := c.ws.Write(ctx, websocket.MessageText, m.data)
			cancel()
			if err != nil {
				c.log.Debug("write", "err", err)
				c.cancel()
				return
			}
		case <-ping.C:
			ctx, cancel := context.WithTimeout(c.ctx, pingTimeout)
			err := c.ws.Ping(ctx)
			cancel()
			if err != nil {
				c.log.Info("ping failed; disconnecting", "err", err)
				c.cancel()
				return
			}
		}
	}
}

// readLoop reads and handles frames until the connection fails or a
// frame ends it.
func (c *conn) readLoop() error {
	c.ws.SetReadLimit(protocol.MaxFrameBytes)
	for {
		typ, data, err := c.ws.Read(c.ctx)
		if err != nil {
			if c.ctx.Err() == nil && websocket.CloseStatus(err) == -1 {
				c.log.Warn("read refused or failed; connection closed", "err", err)
			}
			return fmt.Errorf("read: %w", err)
		}
		if typ != websocket.MessageText || !json.Valid(data) {
			c.refuse(protocol.Envelope{}, protocol.CodeBadFrame, "a frame must be JSON text")
			c.closeAfter(websocket.StatusUnsupportedData, "bad frame")
			return errors.New("frame is not JSON")
		}
		c.handle(data)
	}
}

// refusal is a refused frame: an error code and a message for the client.
type refusal struct {
	code protocol.ErrorCode
	msg  string
}

func (r *refusal) Error() string { return string(r.code) + ": " + r.msg }

// refuse logs a refused frame and answers it with an error frame.
func (c *conn) refuse(env protocol.Envelope, code protocol.ErrorCode, msg string) {
	c.log.Warn("frame refused", "session", env.Session, "type", env.Type, "ref", env.Ref, "code", code, "reason", msg)
	c.send1(protocol.TypeError, env.Ref, env.Session, protocol.Error{Code: code, Message: msg})
}

// handle checks one frame, in the order the protocol names, and acts on it.
func (c *conn) handle(data []byte) {
	var env protocol.Envelope
	if err := protocol.UnmarshalStrict(data, &env); err != nil {
		var loose struct {
			Ref     uint64 `json:"ref"`
			Session string `json:"session"`
		}
		_ = json.Unmarshal(data, &loose)
		c.refuse(protocol.Envelope{Ref: loose.Ref, Session: loose.Session}, protocol.CodeBadFrame, "not a signaling envelope: "+err.Error())
		return
	}
	if env.Type == protocol.TypeUnknown {
		c.refuse(env, protocol.CodeUnknownType, "unknown frame type")
		return
	}
	rule, ok := protocol.ClientRules[env.Type]
	if !ok {
		c.refuse(env, protocol.CodeForbidden, fmt.Sprintf("clients do not send %s", env.Type))
		return
	}
	if !rule.Allows(c.id.Role) {
		c.refuse(env, protocol.CodeForbidden, fmt.Sprintf("a %s may not send %s", c.id.Role, env.Type))
		return
	}
	if rule.NeedsSession && env.Session == "" {
		c.refuse(env, protocol.CodeForbidden, fmt.Sprintf("%s must name a session", env.Type))
		return
	}
	ctx := c.ctx
	var err error
	switch env.Type {
	case protocol.TypeSessionAccept:
		err = c.accept(ctx, env)
	case protocol.TypeChatSend:
		err = c.chat(ctx, env)
	case protocol.TypeSignal:
		err = c.signal(ctx, env)
	case protocol.TypeSessionEnd:
		err = c.end(ctx, env)
	case protocol.TypeRepStatus:
		err = c.repStatus(env)
	case protocol.TypeSessionNext:
		err = c.next(ctx, env)
	case protocol.TypeSessionLeave:
		err = c.leave(ctx, env)
	case protocol.TypeSessionTermination:
		err = c.termination(ctx, env)
	case protocol.TypeWaitSubscribe:
		err = c.subscribe(ctx, env)
	default:
		err = &refusal{protocol.CodeForbidden, fmt.Sprintf("clients do not send %s", env.Type)}
	}
	var r *refusal
	switch {
	case err == nil:
	case errors.As(err, &r):
		c.refuse(env, r.code, r.msg)
	case errors.Is(err, protocol.ErrBadData):
		c.refuse(env, protocol.CodeBadData, err.Error())
	case ctx.Err() != nil:
	default:
		c.log.Error("frame failed", "session", env.Session, "type", env.Type, "ref", env.Ref, "err", err)
		c.send1(protocol.TypeError, env.Ref, env.Session, protocol.Error{Code: protocol.CodeInternal, Message: "the server failed; try again"})
	}
}

// notMember is the refusal for a session the sender does not belong to.
var notMember = &refusal{protocol.CodeForbidden, "you are not a member of this session"}

// membership loads a session the sender belongs to.
func (c *conn) membership(ctx context.Context, sessionID string) (store.Session, []store.Participant, store.Participant, error) {
	if !c.id.isRep() && c.id.SessionID != sessionID {
		return store.Session{}, nil, store.Participant{}, notMember
	}
	s, ps, err := c.h.load(ctx, sessionID)
	if isNotFound(err) {
		return store.Session{}, nil, store.Participant{}, notMember
	}
	if err != nil {
		return store.Session{}, nil, store.Participant{}, err
	}
	self, ok := findPresent(ps, c.pid)
	if !ok {
		return store.Session{}, nil, store.Participant{}, notMember
	}
	return s, ps, self, nil
}

// accept takes a waiting session from one of the rep's queues.
func (c *conn) accept(ctx context.Context, env protocol.Envelope) error {
	if len(env.Data) > 0 && string(env.Data) != "null" && string(env.Data) != "{}" {
		return fmt.Errorf("%w: %s carries no data", protocol.ErrBadData, env.Type)
	}
	notQueued := &refusal{protocol.CodeForbidden, "this session is not in your queues"}
	s, err := c.h.store.Session(ctx, env.Session)
	if isNotFound(err) {
		return notQueued
	}
	if err != nil {
		return err
	}
	qs, err := c.h.store.QueuesForRep(ctx, c.id.RepID)
	if err != nil {
		return err
	}
	queued := false
	for _, q := range qs {
		queued = queued || q.ID == s.QueueID
	}
	if !queued {
		return notQueued
	}
	if s.State != protocol.StateWaiting {
		return &refusal{protocol.CodeConflict, fmt.Sprintf("the session is %s, not waiting", s.State)}
	}
	s, err = c.take(ctx, s)
	if err != nil {
		return err
	}
	c.h.accepted(ctx, s)
	return nil
}

// take makes the rep the owner of a waiting session, atomically: of two
// reps taking one session at once, one gets it and the other a conflict.
func (c *conn) take(ctx context.Context, s store.Session) (store.Session, error) {
	now := c.h.now()
	rep := store.Participant{SessionID: s.ID, ID: c.pid, Role: protocol.RoleRep, Name: c.id.Name, RepID: c.id.RepID, Joined: now}
	s, err := c.h.store.AcceptSession(ctx, s.ID, rep, now)
	if errors.Is(err, store.ErrConflict) {
		return store.Session{}, errTaken
	}
	if err != nil {
		return store.Session{}, err
	}
	c.log.Info("session accepted", "session", s.ID)
	if _, err := c.h.store.AppendEvent(ctx, store.Event{SessionID: s.ID, Kind: "accepted", From: c.pid, Name: c.id.Name, Role: protocol.RoleRep, At: now}); err != nil {
		c.log.Error("store accepted event", "session", s.ID, "err", err)
	}
	return s, nil
}

// errTaken is the refusal for a session someone else took first.
var errTaken = &refusal{protocol.CodeConflict, "another representative took this session, or it ended"}

// accepted tells a session's members that a rep accepted it, starts their
// peer connections and updates the queues it left.
func (h *Hub) accepted(ctx context.Context, s store.Session) {
	ps, err := h.store.Participants(ctx, s.ID)
	if err != nil {
		h.logger.Error("participants of an accepted session", "session", s.ID, "err", err)
		return
	}
	h.unsubscribe(ps)
	h.broadcast(ps, protocol.TypeSessionState, s.ID, Info(s, ps))
	h.peerConnect(s, ps, "")
	h.queueChanged(ctx, s.QueueID, nil)
}

// maxNextTries bounds how often Get Next moves on to the next session
// after another rep took the oldest first.
const maxNextTries = 20

// next is Get Next: it takes the oldest session waiting in any of the
// rep's queues. A session another rep takes at the same moment is skipped
// for the next one; an empty queue is answered with CodeQueueEmpty.
func (c *conn) next(ctx context.Context, env protocol.Envelope) error {
	if env.Session != "" {
		return fmt.Errorf("%w: %s names no session", protocol.ErrBadData, env.Type)
	}
	if len(env.Data) > 0 && string(env.Data) != "null" && string(env.Data) != "{}" {
		return fmt.Errorf("%w: %s carries no data", protocol.ErrBadData, env.Type)
	}
	for range maxNextTries {
		qs, err := c.h.store.QueuesForRep(ctx, c.id.RepID)
		if err != nil {
			return err
		}
		ids := make([]string, len(qs))
		for i, q := range qs {
			ids[i] = q.ID
		}
		waiting, err := c.h.store.WaitingSessions(ctx, ids)
		if err != nil {
			return err
		}
		if len(waiting) == 0 {
			return &refusal{protocol.CodeQueueEmpty, "nobody is waiting in your queues"}
		}
		s, err := c.take(ctx, waiting[0])
		if errors.Is(err, errTaken) {
			continue
		}
		if err != nil {
			return err
		}
		// The answer comes before the session's state on this connection,
		// so the console knows which session the state is about.
		c.send1(protocol.TypeSessionAssigned, env.Ref, s.ID, nil)
		c.h.accepted(ctx, s)
		return nil
	}
	return &refusal{protocol.CodeConflict, "other representatives took every waiting session first; try again"}
}

// leave takes the sender out of an active session that other reps or
// specialists stay in ("hold session"). The leaver's connections hear
// that the session ended for them; the others get the new state.
func (c *conn) leave(ctx context.Context, env protocol.Envelope) error {
	if len(env.Data) > 0 && string(env.Data) != "null" && string(env.Data) != "{}" {
		return fmt.Errorf("%w: %s carries no data", protocol.ErrBadData, env.Type)
	}
	s, ps, self, err := c.membership(ctx, env.Session)
	if err != nil {
		return err
	}
	if s.State != protocol.StateActive {
		return &refusal{protocol.CodeConflict, fmt.Sprintf("the session is %s, not active", s.State)}
	}
	reps := false // a rep stays with the customer; specialists alone may not
	for _, p := range present(ps) {
		reps = reps || p.ID != self.ID && (p.Role == protocol.RoleRep || p.Role == protocol.RoleAdmin)
	}
	if !reps {
		return &refusal{protocol.CodeConflict, "no other representative would stay with the customer; end the session instead"}
	}
	now := c.h.now()
	if err := c.h.store.LeaveParticipant(ctx, s.ID, self.ID, now); err != nil {
		return err
	}
	if _, err := c.h.store.AppendEvent(ctx, store.Event{SessionID: s.ID, Kind: "left", From: self.ID, Name: self.Name, Role: self.Role, At: now}); err != nil {
		c.log.Error("store left event", "session", s.ID, "err", err)
	}
	ps, err = c.h.store.Participants(ctx, s.ID)
	if err != nil {
		return err
	}
	c.log.Info("left the session", "session", s.ID)
	c.h.sendAll(self.ID, protocol.TypeSessionEnded, s.ID, protocol.SessionEnded{By: self.ID, Reason: "you left the session", At: now})
	c.h.broadcast(ps, protocol.TypeSessionState, s.ID, Info(s, ps))
	if self.Role == protocol.RoleSpecialist {
		// A specialist's connection admits it to this session only.
		for _, cc := range c.h.connsOf(self.ID) {
			cc.closeAfter(websocket.StatusNormalClosure, "left the session")
		}
	}
	return nil
}

// termination records a rep's override of what the customer's computer
// does at the session's end, where the session's policy allows it, and
// tells every member (the customer's client applies it).
func (c *conn) termination(ctx context.Context, env protocol.Envelope) error {
	s, ps, self, err := c.membership(ctx, env.Session)
	if err != nil {
		return err
	}
	var o protocol.TerminationOverride
	if err := env.Decode(&o); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if s.State != protocol.StateActive {
		return &refusal{protocol.CodeConflict, fmt.Sprintf("the session is %s, not active", s.State)}
	}
	cfg, err := c.h.store.SessionConfig(ctx, s.ID)
	if isNotFound(err) {
		cfg = protocol.DefaultCustomerClientConfig()
	} else if err != nil {
		return err
	}
	if !cfg.Connection.RepOverride {
		return &refusal{protocol.CodeForbidden, "the session's policy does not let representatives change what happens at its end"}
	}
	if _, err := c.h.store.AppendEvent(ctx, store.Event{
		SessionID: s.ID, Kind: KindTermination, From: self.ID, Name: self.Name, Role: self.Role, Text: o.Termination.String(), At: c.h.now(),
	}); err != nil {
		return err
	}
	c.h.broadcast(ps, protocol.TypeSessionTermination, s.ID, o)
	return nil
}

// KindTermination is the kind of the stored event of a termination
// override; its Text is the Termination's name.
const KindTermination = "termination"

// repStatus records the rep's availability.
func (c *conn) repStatus(env protocol.Envelope) error {
	if env.Session != "" {
		return fmt.Errorf("%w: %s names no session", protocol.ErrBadData, env.Type)
	}
	var u protocol.RepStatusUpdate
	if err := env.Decode(&u); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return err
	}
	c.h.setStatus(c.id.RepID, u.Status)
	c.log.Info("rep status", "status", u.Status)
	return nil
}

// chat stores a chat line, then sends it to every member.
func (c *conn) chat(ctx context.Context, env protocol.Envelope) error {
	s, ps, self, err := c.membership(ctx, env.Session)
	if err != nil {
		return err
	}
	var m protocol.ChatSend
	if err := env.Decode(&m); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	if s.State == protocol.StateEnded {
		return &refusal{protocol.CodeConflict, "the session has ended"}
	}
	e, err := c.h.store.AppendEvent(ctx, store.Event{
		SessionID: s.ID, Kind: "chat", From: self.ID, Name: self.Name, Role: self.Role, Text: m.Text, At: c.h.now(),
	})
	if err != nil {
		return err
	}
	c.h.broadcast(ps, protocol.TypeChatMessage, s.ID, protocol.ChatMessage{
		Seq: e.Seq, From: e.From, Name: e.Name, Role: e.Role, Text: e.Text, At: e.At,
	})
	return nil
}

// signal forwards SDP or a candidate to one connected member of the same
// session, stamped with the sender.
func (c *conn) signal(ctx context.Context, env protocol.Envelope) error {
	s, ps, self, err := c.membership(ctx, env.Session)
	if err != nil {
		return err
	}
	var sig protocol.Signal
	if err := env.Decode(&sig); err != nil {
		return err
	}
	if err := sig.Validate(); err != nil {
		return err
	}
	if s.State != protocol.StateActive {
		return &refusal{protocol.CodeConflict, fmt.Sprintf("the session is %s, not active", s.State)}
	}
	to, ok := findPresent(ps, sig.To)
	if !ok || sig.To == self.ID {
		return &refusal{protocol.CodeNotFound, "no such participant in this session"}
	}
	if (self.Role == protocol.RoleSpecialist || to.Role == protocol.RoleSpecialist) &&
		self.Role != protocol.RoleCustomer && to.Role != protocol.RoleCustomer {
		// The hub opens a specialist's peer connection with the customer only.
		return &refusal{protocol.CodeForbidden, "an external specialist's peer connection is with the customer only"}
	}
	if err := c.checkMedia(ctx, s.ID, self, sig); err != nil {
		return err
	}
	sig.From = self.ID
	if !c.h.sendNewest(sig.To, protocol.TypeSignal, s.ID, sig) {
		return &refusal{protocol.CodeNotFound, "the participant is not connected"}
	}
	return nil
}

// end ends a session: stored, announced to every member, and the
// customer's tokens deleted.
func (c *conn) end(ctx context.Context, env protocol.Envelope) error {
	s, ps, self, err := c.membership(ctx, env.Session)
	if err != nil {
		return err
	}
	var m protocol.SessionEnd
	if len(env.Data) > 0 && string(env.Data) != "null" {
		if err := env.Decode(&m); err != nil {
			return err
		}
		if err := protocol.ValidateText("reason", m.Reason, maxReasonRunes, false); err != nil {
			return err
		}
	}
	if s.State == protocol.StateEnded {
		return &refusal{protocol.CodeConflict, "the session has ended already"}
	}
	reason := m.Reason
	if reason == "" {
		reason = "ended by " + self.Role.String()
	}
	now := c.h.now()
	ended, err := c.h.store.EndSession(ctx, s.ID, reason, now)
	if errors.Is(err, store.ErrConflict) {
		return &refusal{protocol.CodeConflict, "the session has ended already"}
	}
	if err != nil {
		return err
	}
	c.h.finish(ctx, ended, ps, self.ID, reason, now)
	if s.State == protocol.StateWaiting {
		c.h.queueChanged(ctx, s.QueueID, nil)
	}
	return nil
}

// finish records and announces a session's end and disconnects its
// customers and specialists, whose connections admit them to it only.
func (h *Hub) finish(ctx context.Context, s store.Session, ps []store.Participant, by, reason string, at time.Time) {
	log := h.logger.With("session", s.ID)
	log.Info("session ended", "by", by, "reason", reason)
	var byP store.Participant
	for _, p := range ps {
		if p.ID == by {
			byP = p
		}
	}
	if _, err := h.store.AppendEvent(ctx, store.Event{SessionID: s.ID, Kind: "ended", From: by, Name: byP.Name, Role: byP.Role, Text: reason, At: at}); err != nil {
		log.Error("store ended event", "err", err)
	}
	if err := h.store.DeleteSessionTokens(ctx, s.ID); err != nil {
		log.Error("delete session tokens", "err", err)
	}
	h.unsubscribe(ps)
	h.broadcast(ps, protocol.TypeSessionEnded, s.ID, protocol.SessionEnded{By: by, Reason: reason, At: at})
	for _, p := range present(ps) {
		if p.Role != protocol.RoleCustomer && p.Role != protocol.RoleSpecialist {
			continue
		}
		for _, cc := range h.connsOf(p.ID) {
			cc.closeAfter(websocket.StatusNormalClosure, "session ended")
		}
	}
}
