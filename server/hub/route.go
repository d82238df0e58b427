package hub

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/portal"
)

// DefaultAlertRollover is how long the one rep alerted in queue mode has
// to accept before the next available rep is alerted.
const DefaultAlertRollover = 30 * time.Second

// offer is a waiting session of a queue-mode portal being offered to one
// rep at a time: who was alerted already and the timer that rolls it over
// to the next.
type offer struct {
	tried map[string]bool
	timer *time.Timer
}

// alertees picks who of the available reps serving a new session's queue
// receive its session.waiting alert. A SmartBox portal in queue mode
// alerts one rep: the one alerted least recently through any queue-mode
// portal (round robin; a rep never alerted comes first, ties go to the
// smaller account ID); if that rep has not accepted within the rollover
// time the next one is alerted (see rollover). Every other session is
// broadcast to all of them.
func (h *Hub) alertees(ctx context.Context, s *protocol.SessionInfo, available []string) []string {
	if len(available) <= 1 || !h.queueMode(ctx, s.Portal) {
		return available
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	o := &offer{tried: make(map[string]bool)}
	next := h.pickLocked(available, o)
	if h.rollover > 0 && !h.closed {
		if old := h.offers[s.ID]; old != nil {
			old.timer.Stop()
		}
		id := s.ID
		o.timer = time.AfterFunc(h.rollover, func() { h.rollOver(id) })
		h.offers[id] = o
	}
	return []string{next}
}

// pickLocked returns the next of candidates in round robin order and
// marks them offered o. h.mu is held.
func (h *Hub) pickLocked(candidates []string, o *offer) string {
	next := slices.MinFunc(candidates, func(a, b string) int {
		if c := cmp.Compare(h.lastAlert[a], h.lastAlert[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	h.alertSeq++
	h.lastAlert[next] = h.alertSeq
	o.tried[next] = true
	return next
}

// rollOver runs when the rep offered a queue-mode session let the
// rollover time pass: the session, if it is still waiting, is offered to
// the next available rep not yet alerted; once every available rep has
// been, it is alerted to all of them (better every rep alerted than a
// customer forgotten).
func (h *Hub) rollOver(sessionID string) {
	var o *offer
	if !h.timerStart(func() bool { o = h.offers[sessionID]; return o != nil }) {
		return
	}
	defer h.wg.Done()
	ctx := h.ctx
	s, ps, err := h.load(ctx, sessionID)
	if err != nil || s.State != protocol.StateWaiting {
		if err != nil && !isNotFound(err) {
			h.logger.Warn("queue-mode rollover", "session", sessionID, "err", err)
		}
		h.dropOffer(sessionID)
		return
	}
	available := h.availableFor(ctx, s.QueueID, false)
	si := Info(s, ps)

	h.mu.Lock()
	if h.closed || h.offers[sessionID] != o {
		h.mu.Unlock()
		return
	}
	var untried []string
	for _, r := range available {
		if !o.tried[r] {
			untried = append(untried, r)
		}
	}
	to := available
	if len(untried) > 0 {
		to = []string{h.pickLocked(untried, o)}
		o.timer = time.AfterFunc(h.rollover, func() { h.rollOver(sessionID) })
	} else {
		delete(h.offers, sessionID)
	}
	h.mu.Unlock()

	if len(untried) > 0 {
		h.logger.Info("queue-mode alert rolled over", "session", sessionID, "rep", to[0])
	} else {
		h.logger.Info("queue-mode alert not taken by any rep; alerting all available", "session", sessionID, "reps", len(to))
	}
	for _, repID := range to {
		h.sendAll(repID, protocol.TypeSessionWaiting, si.ID, si)
	}
}

// dropOffer forgets a session's queue-mode offer.
func (h *Hub) dropOffer(sessionID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if o := h.offers[sessionID]; o != nil {
		o.timer.Stop()
		delete(h.offers, sessionID)
	}
}

// queueMode reports whether a portal is a SmartBox in queue mode. A
// portal that cannot be read is treated as broadcast: better every rep
// alerted than none.
func (h *Hub) queueMode(ctx context.Context, portalID string) bool {
	if portalID == "" {
		return false
	}
	p, err := h.store.PortalByID(ctx, portalID)
	if err != nil {
		if !isNotFound(err) {
			h.logger.Warn("portal of a new session", "portal", portalID, "err", err)
		}
		return false
	}
	return p.Settings.Type == portal.SmartBox && p.Settings.BoxMode == portal.BoxQueue
}
