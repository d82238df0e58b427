package hub

import (
	"context"
	"errors"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/store"
)

// Abandoned waiting sessions. A customer who closes the support program
// while waiting, or who filled a portal's form and never ran the program,
// leaves a session behind that no rep can help: after the session's
// reconnect time without a signaling connection (plus the first-connect
// grace for a customer who never connected), the hub ends it as
// abandoned, so queues show only customers who are there.

// DefaultFirstConnectGrace is how long a new waiting session's customer
// has to connect at all (a portal's download link lasts 10 minutes) before
// the reconnect time starts counting.
const DefaultFirstConnectGrace = 10 * time.Minute

// abandonedReason is the end reason of an abandoned waiting session.
const abandonedReason = "abandoned: the customer left the queue"

// watchAbsence ends sessionID as abandoned if it still waits and its
// customer pid has no signaling connection after the session's reconnect
// time plus extra. A later call for the same customer replaces the watch.
func (h *Hub) watchAbsence(ctx context.Context, sessionID, pid string, extra time.Duration) {
	s, err := h.store.Session(ctx, sessionID)
	if err != nil || s.State != protocol.StateWaiting {
		return
	}
	after := defaultReconnect
	if cfg, err := sessionConfig(ctx, h.store, s); err == nil && cfg.Connection.ReconnectSeconds > 0 {
		after = time.Duration(cfg.Connection.ReconnectSeconds) * time.Second
	}
	after += extra
	if h.abandonAfter != nil {
		after = h.abandonAfter(after)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	if t := h.absent[pid]; t != nil {
		t.Stop()
	}
	h.absent[pid] = time.AfterFunc(after, func() { h.abandon(sessionID, pid) })
}

// timerStart begins a timer's work: it runs ok under h.mu and, when the
// hub is open and ok says so, counts the work in h.wg (Close waits for
// it) and reports true; the caller then defers h.wg.Done.
func (h *Hub) timerStart(ok func() bool) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || !ok() {
		return false
	}
	h.wg.Add(1)
	return true
}

// defaultReconnect is the reconnect time of a session whose configuration
// cannot be read.
const defaultReconnect = 2 * time.Minute

// abandon ends a waiting session whose customer stayed away.
func (h *Hub) abandon(sessionID, pid string) {
	if !h.timerStart(func() bool {
		delete(h.absent, pid)
		return len(h.conns[pid]) == 0
	}) {
		return
	}
	defer h.wg.Done()
	ctx := h.ctx
	s, ps, err := h.load(ctx, sessionID)
	if err != nil || s.State != protocol.StateWaiting {
		return
	}
	now := h.now()
	ended, err := h.store.EndSession(ctx, s.ID, abandonedReason, now)
	if errors.Is(err, store.ErrConflict) {
		return // accepted or ended meanwhile
	}
	if err != nil {
		h.logger.Warn("end an abandoned session", "session", sessionID, "err", err)
		return
	}
	h.dropOffer(sessionID)
	h.finish(ctx, ended, ps, pid, abandonedReason, now)
	h.queueChanged(ctx, s.QueueID, nil)
}

// WatchWaiting watches the customers of every session that waits now, as
// if each had just left: used when the server starts, so sessions left
// waiting by a server that stopped are ended too if nobody comes back.
func (h *Hub) WatchWaiting(ctx context.Context) error {
	ss, err := h.store.UnendedSessions(ctx)
	if err != nil {
		return err
	}
	for _, s := range ss {
		if s.State != protocol.StateWaiting {
			continue
		}
		ps, err := h.store.Participants(ctx, s.ID)
		if err != nil {
			return err
		}
		for _, p := range present(ps) {
			if p.Role == protocol.RoleCustomer {
				h.watchAbsence(ctx, s.ID, p.ID, h.firstGrace)
			}
		}
	}
	return nil
}
