package hub

import (
	"cmp"
	"context"
	"slices"

	"github.com/tandemhq/tandem/server/portal"
)

// alertees picks who of the available reps serving a new session's queue
// receive its session.waiting alert. A SmartBox portal in queue mode
// alerts one rep: the one alerted least recently through any queue-mode
// portal (round robin; a rep never alerted comes first, ties go to the
// smaller account ID). Every other session is broadcast to all of them.
func (h *Hub) alertees(ctx context.Context, portalID string, available []string) []string {
	if len(available) <= 1 || !h.queueMode(ctx, portalID) {
		return available
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	next := slices.MinFunc(available, func(a, b string) int {
		if c := cmp.Compare(h.lastAlert[a], h.lastAlert[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	h.alertSeq++
	h.lastAlert[next] = h.alertSeq
	return []string{next}
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
