// Package hub is Tandem's signaling hub: it serves one authenticated
// WebSocket per connected client and implements the session flow described
// in package protocol — welcome, queue updates and alerts, accepting a
// session, peer.connect with TURN credentials, routing signals inside one
// session, chat stored before it is broadcast, and the session's end.
//
// Waiting customers who subscribe (wait.subscribe) get their place in the
// queue pushed (wait.status) whenever their queue changes and every
// on-hold interval of their portal. A new session's alert goes to every
// available rep serving its queue, except for a SmartBox portal in queue
// mode, whose alert goes to one of them in turn.
//
// The hub keeps only connections in memory. Sessions, participants and
// events live in the store, so every check of membership reads the store
// and a restarted server carries on where it stopped.
//
// A representative's participant ID in every session is the rep's account
// ID; a customer's is the ID its join minted.
package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/store"
)

// Store is what the hub needs from the server's state: [store.Store] and
// the list of sessions that have not ended (for a rep who reconnects).
type Store interface {
	store.Store
	UnendedSessions(ctx context.Context) ([]store.Session, error)
}

// Identity is who a connection belongs to, established by the HTTP layer
// from the bearer token.
type Identity struct {
	// Role is RoleRep or RoleAdmin for reps (admins are reps too),
	// RoleCustomer for customers, RoleSpecialist for external specialists.
	Role protocol.Role
	// RepID is set for reps.
	RepID string
	// Name is the display name.
	Name string
	// SessionID is set for customers and specialists: the one session
	// their token admits.
	SessionID string
	// ParticipantID is set for customers and specialists: their
	// participant ID in that session.
	ParticipantID string
}

// isRep reports whether the identity is a representative's.
func (id Identity) isRep() bool { return id.Role == protocol.RoleRep || id.Role == protocol.RoleAdmin }

// participantID is the identity's participant ID in its sessions.
func (id Identity) participantID() string {
	if id.isRep() {
		return id.RepID
	}
	return id.ParticipantID
}

// Config configures a Hub.
type Config struct {
	// Store is required.
	Store Store
	// ICE is required: it returns the ICE servers, with TURN credentials
	// minted for one participant of one session.
	ICE func(sessionID, participantID string) []protocol.ICEServer
	// Now is optional; zero means time.Now.
	Now func() time.Time
	// Logger is optional; zero means slog.Default().
	Logger *slog.Logger
	// OnHoldInterval is optional: it maps a session's on-hold interval
	// (from its configuration) to the interval the hub re-sends its
	// waiting customer's status at; zero means unchanged. Tests shorten it.
	OnHoldInterval func(configured time.Duration) time.Duration
	// AlertRollover is optional: in queue mode, how long the one rep
	// alerted has to accept a waiting session before the next available
	// rep is alerted. Zero means DefaultAlertRollover; negative never
	// rolls over.
	AlertRollover time.Duration
	// FirstConnectGrace is optional; zero means DefaultFirstConnectGrace:
	// how long a new waiting session's customer has to connect at all
	// before the session's reconnect time starts counting towards ending
	// it as abandoned.
	FirstConnectGrace time.Duration
	// AbandonAfter is optional: it maps how long a waiting customer may be
	// away (reconnect time, plus the grace for one who never connected)
	// to the time the hub waits; zero means unchanged. Tests shorten it.
	AbandonAfter func(time.Duration) time.Duration
}

// Hub routes signaling between the connected clients.
type Hub struct {
	store  Store
	ice    func(sessionID, participantID string) []protocol.ICEServer
	now    func() time.Time
	logger *slog.Logger
	onHold func(time.Duration) time.Duration
	// rollover is Config.AlertRollover; zero or less never rolls over.
	rollover     time.Duration
	firstGrace   time.Duration
	abandonAfter func(time.Duration) time.Duration

	// ctx is the hub's lifetime: Close cancels it, which ends every connection.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	// conns are the connections by participant ID (a rep's account ID),
	// oldest first.
	conns map[string][]*conn
	// status is each rep's availability by account ID; a rep not in it is
	// available. It outlives the rep's connections, so a console that
	// reconnects keeps its status (and sends it again anyway).
	status map[string]protocol.RepStatus
	// waitLangs are the languages of the customers subscribed to their
	// wait status, by participant ID; they outlive a connection, so a
	// client that reconnects keeps its subscription.
	waitLangs map[string]string
	// lastAlert is, by rep account ID, the alertSeq of the last
	// queue-mode alert the rep received (round robin).
	lastAlert map[string]uint64
	alertSeq  uint64
	// offers are the waiting sessions of queue-mode portals being
	// offered one rep at a time, by session ID.
	offers map[string]*offer
	// absent are the timers that end a waiting session whose customer
	// stays away, by the customer's participant ID.
	absent map[string]*time.Timer
}

// New returns a hub. It panics if cfg.Store or cfg.ICE is nil (a programming error).
func New(cfg Config) *Hub {
	if cfg.Store == nil || cfg.ICE == nil {
		panic("hub: Config.Store and Config.ICE are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.AlertRollover == 0 {
		cfg.AlertRollover = DefaultAlertRollover
	}
	if cfg.FirstConnectGrace <= 0 {
		cfg.FirstConnectGrace = DefaultFirstConnectGrace
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Hub{
		rollover:     cfg.AlertRollover,
		firstGrace:   cfg.FirstConnectGrace,
		abandonAfter: cfg.AbandonAfter,
		absent:       make(map[string]*time.Timer),
		offers:       make(map[string]*offer),
		store:        cfg.Store,
		ice:          cfg.ICE,
		now:          cfg.Now,
		logger:       cfg.Logger,
		onHold:       cfg.OnHoldInterval,
		ctx:          ctx,
		cancel:       cancel,
		conns:        make(map[string][]*conn),
		status:       make(map[string]protocol.RepStatus),
		waitLangs:    make(map[string]string),
		lastAlert:    make(map[string]uint64),
	}
}

// Close disconnects everyone and returns after every connection's
// goroutines have exited. It is idempotent.
func (h *Hub) Close() error {
	h.mu.Lock()
	h.closed = true
	for id, o := range h.offers {
		o.timer.Stop()
		delete(h.offers, id)
	}
	for pid, t := range h.absent {
		t.Stop()
		delete(h.absent, pid)
	}
	h.mu.Unlock()
	h.cancel()
	h.wg.Wait()
	return nil
}

// Serve runs one authenticated, already upgraded WebSocket until it
// closes, ctx ends or the hub closes. It always closes ws.
func (h *Hub) Serve(ctx context.Context, ws *websocket.Conn, id Identity) error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		ws.CloseNow()
		return ErrClosed
	}
	h.wg.Add(1)
	h.mu.Unlock()
	defer h.wg.Done()

	cctx, cancel := context.WithCancel(h.ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()

	c := &conn{
		h:      h,
		ws:     ws,
		id:     id,
		pid:    id.participantID(),
		send:   make(chan outMsg, sendQueue),
		wake:   make(chan struct{}, 1),
		ctx:    cctx,
		cancel: cancel,
	}
	c.log = h.logger.With("participant", c.pid, "role", id.Role)
	if !id.isRep() {
		if err := h.joined(cctx, id); err != nil {
			c.log.Warn("store joined event", "session", id.SessionID, "err", err)
		}
	}
	if err := h.greet(cctx, c); err != nil {
		ws.Close(websocket.StatusInternalError, "cannot load the session")
		return err
	}
	h.add(c)
	defer func() {
		if h.remove(c) && !id.isRep() {
			// The customer's last connection: a waiting session is
			// ended if they stay away.
			h.watchAbsence(h.ctx, id.SessionID, c.pid, 0)
		}
	}()
	c.log.Info("signaling connected")
	if err := h.resume(cctx, c); err != nil {
		c.log.Warn("resume sessions", "err", err)
	}
	err := c.run()
	c.log.Info("signaling disconnected", "reason", err)
	return nil
}

// joined stores the "joined" event the first time a customer's or a
// specialist's signaling connection reaches its session.
func (h *Hub) joined(ctx context.Context, id Identity) error {
	es, err := h.store.Events(ctx, id.SessionID)
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.Kind == "joined" && e.From == id.ParticipantID {
			return nil
		}
	}
	_, err = h.store.AppendEvent(ctx, store.Event{
		SessionID: id.SessionID, Kind: "joined", From: id.ParticipantID, Name: id.Name, Role: id.Role, At: h.now(),
	})
	return err
}

// add registers a connection.
func (h *Hub) add(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.conns[c.pid] = append(h.conns[c.pid], c)
}

// remove forgets a connection; it reports whether it was the
// participant's last.
func (h *Hub) remove(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	cs := slices.DeleteFunc(h.conns[c.pid], func(x *conn) bool { return x == c })
	if len(cs) == 0 {
		delete(h.conns, c.pid)
		return true
	}
	h.conns[c.pid] = cs
	return false
}

// connsOf returns a participant's connections, oldest first.
func (h *Hub) connsOf(pid string) []*conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.conns[pid])
}

// newest returns a participant's newest connection, or nil.
func (h *Hub) newest(pid string) *conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	cs := h.conns[pid]
	if len(cs) == 0 {
		return nil
	}
	return cs[len(cs)-1]
}

// connectedReps returns the account IDs of the connected reps.
func (h *Hub) connectedReps() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var ids []string
	for pid, cs := range h.conns {
		if len(cs) > 0 && cs[0].id.isRep() {
			ids = append(ids, pid)
		}
	}
	return ids
}

// envelope marshals one frame.
func envelope(t protocol.Type, ref uint64, session string, data any) ([]byte, error) {
	env, err := protocol.NewEnvelope(t, session, data)
	if err != nil {
		return nil, err
	}
	env.Ref = ref
	return json.Marshal(env)
}

// sendAll sends a frame to every connection of a participant.
func (h *Hub) sendAll(pid string, t protocol.Type, session string, data any) {
	b, err := envelope(t, 0, session, data)
	if err != nil {
		h.logger.Error("marshal frame", "type", t, "err", err)
		return
	}
	for _, c := range h.connsOf(pid) {
		c.enqueue(outMsg{data: b})
	}
}

// sendNewest sends a frame to a participant's newest connection and
// reports whether there was one.
func (h *Hub) sendNewest(pid string, t protocol.Type, session string, data any) bool {
	c := h.newest(pid)
	if c == nil {
		return false
	}
	c.send1(t, 0, session, data)
	return true
}

// present returns the participants who have not left.
func present(ps []store.Participant) []store.Participant {
	return slices.DeleteFunc(slices.Clone(ps), func(p store.Participant) bool { return !p.Left.IsZero() })
}

// Info describes a session for its members and for queues: its
// participants are those who have not left.
func Info(s store.Session, ps []store.Participant) protocol.SessionInfo {
	si := protocol.SessionInfo{
		ID:           s.ID,
		State:        s.State,
		CustomerName: s.CustomerName,
		Question:     s.Question,
		Portal:       s.PortalID,
		Queue:        s.QueueID,
		Created:      s.Created,
		Participants: []protocol.Participant{},
	}
	for _, p := range present(ps) {
		si.Participants = append(si.Participants, p.Wire())
	}
	return si
}

// load reads a session and its participants.
func (h *Hub) load(ctx context.Context, id string) (store.Session, []store.Participant, error) {
	s, err := h.store.Session(ctx, id)
	if err != nil {
		return store.Session{}, nil, err
	}
	ps, err := h.store.Participants(ctx, id)
	if err != nil {
		return store.Session{}, nil, err
	}
	return s, ps, nil
}

// greet queues the welcome frame, the first a connection receives. A
// specialist who left its session is welcomed to it without being in it,
// and the connection is closed: its token admits it to that session only.
func (h *Hub) greet(ctx context.Context, c *conn) error {
	w := protocol.Welcome{
		Version:     protocol.Version,
		Role:        c.id.Role,
		Participant: protocol.Participant{ID: c.pid, Role: c.id.Role, Name: c.id.Name},
	}
	gone := false
	if !c.id.isRep() {
		s, ps, err := h.load(ctx, c.id.SessionID)
		if err != nil {
			return fmt.Errorf("welcome %s: %w", c.pid, err)
		}
		si := Info(s, ps)
		w.Session = &si
		p, ok := findPresent(ps, c.pid)
		if ok {
			// As the others see it: a specialist's rights included.
			w.Participant = p.Wire()
		}
		gone = !ok && c.id.Role == protocol.RoleSpecialist
	}
	c.send1(protocol.TypeWelcome, 0, "", w)
	if gone {
		c.log.Info("a specialist who left the session came back; closing", "session", c.id.SessionID)
		c.closeAfter(websocket.StatusNormalClosure, "you are no longer in the session")
	}
	return nil
}

// resume brings a new connection up to date: a rep gets its queue; a
// member of an active session gets session.state, and the ends of each of
// its peer connections get peer.connect again so that they renegotiate
// (the customer's: all of them; another member's: its own with the
// customer).
func (h *Hub) resume(ctx context.Context, c *conn) error {
	var active []store.Session
	if c.id.isRep() {
		q, err := h.queueOf(ctx, c.pid)
		if err != nil {
			return err
		}
		c.send1(protocol.TypeQueue, 0, "", q)
		ss, err := h.store.UnendedSessions(ctx)
		if err != nil {
			return err
		}
		for _, s := range ss {
			if s.State == protocol.StateActive {
				active = append(active, s)
			}
		}
	} else {
		s, err := h.store.Session(ctx, c.id.SessionID)
		if err != nil {
			return err
		}
		if s.State == protocol.StateActive {
			active = append(active, s)
		}
		if s.State == protocol.StateWaiting {
			if err := h.resumeWait(ctx, c); err != nil {
				return err
			}
		}
	}
	for _, s := range active {
		ps, err := h.store.Participants(ctx, s.ID)
		if err != nil {
			return err
		}
		if _, ok := findPresent(ps, c.pid); !ok {
			continue
		}
		c.send1(protocol.TypeSessionState, 0, s.ID, Info(s, ps))
		h.peerConnect(s, ps, c.pid)
	}
	return nil
}

// findPresent finds a participant who has not left.
func findPresent(ps []store.Participant, id string) (store.Participant, bool) {
	for _, p := range ps {
		if p.ID == id && p.Left.IsZero() {
			return p, true
		}
	}
	return store.Participant{}, false
}

// peerConnect tells the customer and each other member of a session (rep
// or specialist) to open their peer connection: the customer offers. With
// only set, just the connections with that participant at one end.
func (h *Hub) peerConnect(s store.Session, ps []store.Participant, only string) {
	ps = present(ps)
	for _, cust := range ps {
		if cust.Role != protocol.RoleCustomer {
			continue
		}
		for _, r := range ps {
			if r.Role == protocol.RoleCustomer || only != "" && only != cust.ID && only != r.ID {
				continue
			}
			// The answering rep first: the customer's offer, which its
			// peer.connect sets off, must reach the rep after the rep's
			// own peer.connect, or the rep's new connection would replace
			// the one that took the offer and wait for an offer that
			// never comes.
			h.sendNewest(r.ID, protocol.TypePeerConnect, s.ID, protocol.PeerConnect{
				Peer: cust.Wire(), Initiator: false, ICEServers: h.ice(s.ID, r.ID),
			})
			h.sendNewest(cust.ID, protocol.TypePeerConnect, s.ID, protocol.PeerConnect{
				Peer: r.Wire(), Initiator: true, ICEServers: h.ice(s.ID, cust.ID),
			})
		}
	}
}

// broadcast sends a frame to every connection of every present member.
func (h *Hub) broadcast(ps []store.Participant, t protocol.Type, session string, data any) {
	for _, p := range present(ps) {
		h.sendAll(p.ID, t, session, data)
	}
}

// queueOf builds a rep's view of its queues.
func (h *Hub) queueOf(ctx context.Context, repID string) (protocol.Queue, error) {
	qs, err := h.store.QueuesForRep(ctx, repID)
	if err != nil {
		return protocol.Queue{}, fmt.Errorf("queues of %s: %w", repID, err)
	}
	ids := make([]string, len(qs))
	for i, q := range qs {
		ids[i] = q.ID
	}
	return Waiting(ctx, h.store, ids)
}

// Waiting returns the sessions waiting in the given queues, oldest first,
// as a rep sees them.
func Waiting(ctx context.Context, st store.Store, queueIDs []string) (protocol.Queue, error) {
	q := protocol.Queue{Waiting: []protocol.SessionInfo{}}
	if len(queueIDs) == 0 {
		return q, nil
	}
	ss, err := st.WaitingSessions(ctx, queueIDs)
	if err != nil {
		return q, fmt.Errorf("waiting sessions: %w", err)
	}
	for _, s := range ss {
		ps, err := st.Participants(ctx, s.ID)
		if err != nil {
			return q, fmt.Errorf("participants of %s: %w", s.ID, err)
		}
		q.Waiting = append(q.Waiting, Info(s, ps))
	}
	return q, nil
}

// queueChanged sends the whole queue to every connected rep who serves
// queueID and, for a new arrival, the alert to those who are available
// (to one of them for a SmartBox portal in queue mode; see alertees).
// Then every subscribed customer waiting in the queue hears its new
// status.
func (h *Hub) queueChanged(ctx context.Context, queueID string, arrived *protocol.SessionInfo) {
	available := h.availableFor(ctx, queueID, true)
	if arrived != nil {
		for _, repID := range h.alertees(ctx, arrived, available) {
			h.sendAll(repID, protocol.TypeSessionWaiting, arrived.ID, *arrived)
		}
	}
	h.pushQueue(ctx, queueID)
}

// availableFor returns the connected reps serving queueID who are
// available, sorted; with send, every connected rep serving it is sent
// its queue on the way.
func (h *Hub) availableFor(ctx context.Context, queueID string, send bool) []string {
	var available []string
	reps := h.connectedReps()
	slices.Sort(reps)
	for _, repID := range reps {
		qs, err := h.store.QueuesForRep(ctx, repID)
		if err != nil {
			h.logger.Warn("queues for rep", "rep", repID, "err", err)
			continue
		}
		if !slices.ContainsFunc(qs, func(q store.Queue) bool { return q.ID == queueID }) {
			continue
		}
		if send {
			q, err := h.queueOf(ctx, repID)
			if err != nil {
				h.logger.Warn("queue for rep", "rep", repID, "err", err)
				continue
			}
			h.sendAll(repID, protocol.TypeQueue, "", q)
		}
		if h.Status(repID) == protocol.RepStatusAvailable {
			available = append(available, repID)
		}
	}
	return available
}

// SessionCreated is called by the HTTP layer after a customer joined (a
// waiting session was created): every connected rep whose queues contain
// it receives its queue and the session.waiting alert.
func (h *Hub) SessionCreated(ctx context.Context, sessionID string) {
	s, ps, err := h.load(ctx, sessionID)
	if err != nil {
		h.logger.Warn("session created", "session", sessionID, "err", err)
		return
	}
	si := Info(s, ps)
	h.queueChanged(ctx, s.QueueID, &si)
	for _, p := range present(ps) {
		if p.Role == protocol.RoleCustomer && len(h.connsOf(p.ID)) == 0 {
			h.watchAbsence(ctx, s.ID, p.ID, h.firstGrace)
		}
	}
}

// Status returns a rep's availability; a rep who never said is available.
func (h *Hub) Status(repID string) protocol.RepStatus {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.status[repID]; ok {
		return s
	}
	return protocol.RepStatusAvailable
}

// setStatus records a rep's availability.
func (h *Hub) setStatus(repID string, s protocol.RepStatus) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status[repID] = s
}

// isNotFound reports a store miss.
func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// MemberAdded tells a session's members that a participant the HTTP
// layer added (an external specialist) is in it: the new participant
// list. Its peer connection with the customer is opened when its own
// signaling connection comes (see resume).
func (h *Hub) MemberAdded(ctx context.Context, sessionID string) {
	s, ps, err := h.load(ctx, sessionID)
	if err != nil {
		h.logger.Warn("member added", "session", sessionID, "err", err)
		return
	}
	h.broadcast(ps, protocol.TypeSessionState, s.ID, Info(s, ps))
}
