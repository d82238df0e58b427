package hub

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/store"
)

// defaultOnHoldInterval is the re-send interval of a session whose
// configuration names none (or an invalid one).
const defaultOnHoldInterval = 60 * time.Second

// CustomerWaitStatus computes what a waiting customer is told: its
// position in its queue (oldest first, 1 is next), the queue's estimated
// wait, the greeting and on-hold texts of its session's snapshot in lang
// and the portal's active notices at now. A session without a snapshot
// uses its portal's current configuration, or the defaults. A session
// that is not waiting gets only its State. Both GET
// protocol.PathWaitStatus and the pushed protocol.TypeWaitStatus use it.
func CustomerWaitStatus(ctx context.Context, st store.Store, sessionID, lang string, now time.Time) (protocol.WaitStatus, error) {
	ws := protocol.WaitStatus{Notices: []protocol.Notice{}}
	s, err := st.Session(ctx, sessionID)
	if err != nil {
		return ws, err
	}
	ws.State = s.State
	if s.State != protocol.StateWaiting {
		return ws, nil
	}
	cfg, err := sessionConfig(ctx, st, s)
	if err != nil {
		return ws, err
	}
	waiting, err := st.WaitingSessions(ctx, []string{s.QueueID})
	if err != nil {
		return ws, err
	}
	position := slices.IndexFunc(waiting, func(w store.Session) bool { return w.ID == sessionID }) + 1
	samples, err := st.WaitSamples(ctx, s.QueueID, portal.WaitWindow)
	if err != nil {
		return ws, err
	}
	var notices []portal.Notice
	if cfg.Display.Notices {
		if notices, err = st.ActiveNotices(ctx, s.PortalID, now); err != nil {
			return ws, err
		}
	}
	return portal.WaitStatus(cfg, position, samples, notices, lang), nil
}

// sessionConfig is a session's snapshot, or its portal's current
// configuration (banner URL left empty), or the defaults.
func sessionConfig(ctx context.Context, st store.Store, s store.Session) (protocol.CustomerClientConfig, error) {
	cfg, err := st.SessionConfig(ctx, s.ID)
	if !isNotFound(err) {
		return cfg, err
	}
	site, err := st.SiteSettings(ctx)
	if err != nil {
		return cfg, err
	}
	if s.PortalID == "" {
		return portal.DefaultSnapshot(site, nil), nil
	}
	p, err := st.PortalByID(ctx, s.PortalID)
	if isNotFound(err) {
		return portal.DefaultSnapshot(site, nil), nil
	}
	if err != nil {
		return cfg, err
	}
	return p.Snapshot(site, nil), nil
}

// subscribe handles wait.subscribe: it records the customer's language,
// answers with the status (with the frame's Ref) and restarts the on-hold
// timer.
func (c *conn) subscribe(ctx context.Context, env protocol.Envelope) error {
	s, _, _, err := c.membership(ctx, env.Session)
	if err != nil {
		return err
	}
	var sub protocol.WaitSubscribe
	if err := env.Decode(&sub); err != nil {
		return err
	}
	if err := sub.Validate(); err != nil {
		return err
	}
	if s.State != protocol.StateWaiting {
		return &refusal{protocol.CodeConflict, fmt.Sprintf("the session is %s, not waiting", s.State)}
	}
	lang := sub.Language()
	c.h.setWaitLang(c.pid, lang)
	c.log.Info("wait status subscribed", "session", s.ID, "lang", lang)
	if err := c.pushWait(ctx, lang, env.Ref, protocol.WaitReasonSubscribed); err != nil {
		return err
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return nil
}

// pushWait computes the customer's status and queues it, under the
// connection's push lock, so that pushes leave in the order they were
// computed. It sends nothing for a session that stopped waiting.
func (c *conn) pushWait(ctx context.Context, lang string, ref uint64, reason protocol.WaitReason) error {
	c.pushMu.Lock()
	defer c.pushMu.Unlock()
	st, err := CustomerWaitStatus(ctx, c.h.store, c.id.SessionID, lang, c.h.now())
	if err != nil {
		return fmt.Errorf("wait status: %w", err)
	}
	if st.State != protocol.StateWaiting {
		return nil
	}
	c.send1(protocol.TypeWaitStatus, ref, c.id.SessionID, protocol.WaitStatusPush{WaitStatus: st, Reason: reason})
	return nil
}

// remind re-sends a subscribed customer's status every on-hold interval
// of its session's configuration, so that the client repeats the on-hold
// message, until the session stops waiting or the connection ends. A new
// subscription restarts the interval.
func (c *conn) remind() {
	for {
		var tick <-chan time.Time
		var timer *time.Timer
		lang, subscribed := c.h.waitLang(c.pid)
		if subscribed {
			d, waiting, err := c.h.onHoldInterval(c.ctx, c.id.SessionID)
			switch {
			case c.ctx.Err() != nil:
				return
			case errors.Is(err, store.ErrNotFound):
				return
			case err != nil:
				c.log.Warn("on-hold interval", "session", c.id.SessionID, "err", err)
				d, waiting = defaultOnHoldInterval, true
			}
			if !waiting {
				return
			}
			timer = time.NewTimer(d)
			tick = timer.C
		}
		select {
		case <-c.ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return
		case <-c.wake:
			if timer != nil {
				timer.Stop()
			}
		case <-tick:
			if err := c.pushWait(c.ctx, lang, 0, protocol.WaitReasonOnHold); err != nil && c.ctx.Err() == nil {
				c.log.Warn("push wait status", "session", c.id.SessionID, "err", err)
			}
		}
	}
}

// onHoldInterval is how often a session's waiting customer hears its
// status again, and whether the session still waits.
func (h *Hub) onHoldInterval(ctx context.Context, sessionID string) (time.Duration, bool, error) {
	s, err := h.store.Session(ctx, sessionID)
	if err != nil {
		return 0, false, err
	}
	if s.State != protocol.StateWaiting {
		return 0, false, nil
	}
	cfg, err := sessionConfig(ctx, h.store, s)
	if err != nil {
		return 0, true, err
	}
	d := defaultOnHoldInterval
	if sec := cfg.Queue.OnHoldIntervalSeconds; sec >= protocol.MinOnHoldIntervalSeconds && sec <= protocol.MaxOnHoldIntervalSeconds {
		d = time.Duration(sec) * time.Second
	}
	if h.onHold != nil {
		d = h.onHold(d)
	}
	return d, true, nil
}

// pushQueue sends a fresh status to every subscribed customer connection
// whose session waits in queueID.
func (h *Hub) pushQueue(ctx context.Context, queueID string) {
	if queueID == "" {
		return
	}
	var subs []*conn
	langs := map[*conn]string{}
	h.mu.Lock()
	for pid, cs := range h.conns {
		lang, ok := h.waitLangs[pid]
		if !ok {
			continue
		}
		for _, c := range cs {
			if !c.id.isRep() {
				subs = append(subs, c)
				langs[c] = lang
			}
		}
	}
	h.mu.Unlock()
	if len(subs) == 0 {
		return
	}
	waiting, err := h.store.WaitingSessions(ctx, []string{queueID})
	if err != nil {
		h.logger.Warn("waiting sessions", "queue", queueID, "err", err)
		return
	}
	for _, c := range subs {
		if !slices.ContainsFunc(waiting, func(s store.Session) bool { return s.ID == c.id.SessionID }) {
			continue
		}
		if err := c.pushWait(ctx, langs[c], 0, protocol.WaitReasonQueue); err != nil && ctx.Err() == nil {
			c.log.Warn("push wait status", "session", c.id.SessionID, "err", err)
		}
	}
}

// waitLang returns a customer's subscribed language.
func (h *Hub) waitLang(pid string) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	l, ok := h.waitLangs[pid]
	return l, ok
}

// setWaitLang records a customer's subscription.
func (h *Hub) setWaitLang(pid, lang string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.waitLangs[pid] = lang
}

// unsubscribe forgets the subscriptions of a session's customers once it
// no longer waits.
func (h *Hub) unsubscribe(ps []store.Participant) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range ps {
		if p.Role == protocol.RoleCustomer {
			delete(h.waitLangs, p.ID)
		}
	}
}

// resumeWait brings a subscribed customer's new connection up to date.
func (h *Hub) resumeWait(ctx context.Context, c *conn) error {
	lang, ok := h.waitLang(c.pid)
	if !ok {
		return nil
	}
	return c.pushWait(ctx, lang, 0, protocol.WaitReasonSubscribed)
}
