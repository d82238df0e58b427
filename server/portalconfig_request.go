package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/auth"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/store"
)

// Limits of portal requests, per source address: each request creates a
// session, so they are counted whether they succeed or not.
const (
	portalRequestMax    = 20
	portalRequestWindow = 10 * time.Minute
)

// portalRequests serves the public portal endpoints: a portal's
// description and customers' requests through SmartButton, SmartBox and
// SmartMatch portals. Business hours, holidays and the portal's teams
// decide whether a request is taken; outside them the customer gets the
// portal's orphaned session message.
type portalRequests struct {
	s       *Server
	limiter *auth.Limiter
}

// routes registers the public portal endpoints: a portal's description,
// customers' requests (JSON, and the form of a portal's own page), and
// who a customer token is. The portal pages take p for their forms, so
// both kinds of request share one rate limit per address.
func (p *portalRequests) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+protocol.PathPortals+"{slug}", p.s.api(p.handleInfo))
	mux.HandleFunc("POST "+protocol.PathPortals+"{slug}/requests", p.s.api(p.handleRequest))
	mux.HandleFunc("GET "+protocol.PathMe, p.s.api(p.handleMe))
	mux.HandleFunc("POST "+portalmodel.PathPrefix+"{slug}/{$}", p.s.handlePortalSlugPost)
	// The portal pages' forms share this limit with the JSON requests.
	p.s.portal.requests = p
}

// portal finds the portal of the path.
func (p *portalRequests) portal(ctx context.Context, slug string) (portalmodel.Portal, error) {
	pt, err := p.s.store.PortalBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return pt, apiErr(http.StatusNotFound, protocol.CodeNotFound, "no such portal")
	}
	return pt, err
}

// openNow reports whether the portal takes requests now, with its team
// queues: within its business hours, served by a team, and with at least
// one member available (a rep who set busy or away is not).
func (p *portalRequests) openNow(ctx context.Context, pt portalmodel.Portal) (bool, []store.Queue, error) {
	open, err := pt.Settings.OpenAt(p.s.now())
	if err != nil || !open {
		return false, nil, err
	}
	qs, err := p.s.store.PortalQueues(ctx, pt.ID)
	if err != nil || len(qs) == 0 {
		return false, nil, err
	}
	reps, err := p.portalReps(ctx, pt.ID)
	if err != nil {
		return false, nil, err
	}
	return len(reps) > 0, qs, nil
}

// handleInfo describes a portal to customers.
func (p *portalRequests) handleInfo(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	pt, err := p.portal(ctx, r.PathValue("slug"))
	if err != nil {
		return err
	}
	info := protocol.PublicPortal{ID: pt.ID, Slug: pt.Slug, Name: pt.Name, Type: pt.Settings.Type.String(), WebChat: pt.Settings.WebChat}
	if info.Open, _, err = p.openNow(ctx, pt); err != nil {
		return err
	}
	if !info.Open {
		c := pt.Settings.Client
		if c.Orphan.Message {
			info.Orphaned = c.MessagesFor(r.URL.Query().Get("lang")).Orphaned
		}
		info.OrphanURL = c.Orphan.URL
	}
	if pt.Settings.Type == portalmodel.SmartMatch && info.Open {
		if info.Reps, err = p.portalReps(ctx, pt.ID); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, info)
	return nil
}

// portalReps lists the available, enabled members of the teams serving a
// portal.
func (p *portalRequests) portalReps(ctx context.Context, portalID string) ([]protocol.PortalRep, error) {
	ts, err := p.s.store.Teams(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	reps := []protocol.PortalRep{}
	for _, t := range ts {
		serves := false
		for _, pid := range t.PortalIDs {
			serves = serves || pid == portalID
		}
		if !serves {
			continue
		}
		for _, id := range t.RepIDs {
			if seen[id] {
				continue
			}
			seen[id] = true
			rep, err := p.s.store.RepByID(ctx, id)
			if err != nil {
				return nil, err
			}
			if !rep.Disabled && p.available(rep.ID) {
				reps = append(reps, protocol.PortalRep{ID: rep.ID, DisplayName: rep.DisplayName})
			}
		}
	}
	return reps, nil
}

// available reports whether a rep takes new sessions: not busy or away.
func (p *portalRequests) available(repID string) bool {
	h := p.s.currentHub()
	return h == nil || h.Status(repID) == protocol.RepStatusAvailable
}

// handleRequest creates a waiting session through a portal and admits
// the customer to it, like a join with a session key.
func (p *portalRequests) handleRequest(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	src := sourceIP(r)
	if err := p.admit(src); err != nil {
		return err
	}
	var req protocol.PortalRequest
	if err := readJSON(w, r, &req, false); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return badRequest(err)
	}
	pt, err := p.portal(ctx, r.PathValue("slug"))
	if err != nil {
		return err
	}
	jr, err := p.create(ctx, pt, req, src)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, jr)
	return nil
}

// badRequest is the refusal of a request that does not validate.
func badRequest(err error) *apiError {
	return apiErr(http.StatusBadRequest, protocol.CodeBadData, strings.TrimPrefix(err.Error(), protocol.ErrBadData.Error()+": "))
}

// admit counts a support request against its source address's limit:
// each request may create a session, so every one counts, whether it
// succeeds or not. It refuses with CodeRateLimited once the address has
// made portalRequestMax within portalRequestWindow.
func (p *portalRequests) admit(src string) error {
	now := p.s.now()
	if ok, wait := p.limiter.Allow(src, now); !ok {
		return rateLimited(wait, "too many support requests from this address; wait and try again")
	}
	p.limiter.Fail(src, now)
	return nil
}

// create checks a customer's request against the portal (its type, its
// business hours and available reps, the chosen rep), creates the waiting
// session in a queue and a customer token for it, and tells the reps. The
// JSON endpoint and the portal page's form both create sessions here.
// Refusals are *apiError: CodeBadData for what the portal's type needs,
// CodeClosed (with the orphaned message in req.Lang) outside business
// hours or without an available rep, CodeNotFound for a rep who does not
// serve the portal. src is the source address, for the log.
func (p *portalRequests) create(ctx context.Context, pt portalmodel.Portal, req protocol.PortalRequest, src string) (protocol.JoinResponse, error) {
	if err := req.Validate(); err != nil {
		return protocol.JoinResponse{}, badRequest(err)
	}
	now := p.s.now()
	typ := pt.Settings.Type
	switch typ {
	case portalmodel.SmartPin, portalmodel.CodePage:
		return protocol.JoinResponse{}, apiErr(http.StatusBadRequest, protocol.CodeBadData, "this portal takes session codes: join with the code your representative gave you")
	case portalmodel.SmartBox:
		if strings.TrimSpace(req.Question) == "" {
			return protocol.JoinResponse{}, apiErr(http.StatusBadRequest, protocol.CodeBadData, "type your question")
		}
	case portalmodel.SmartMatch:
		if req.Rep == "" {
			return protocol.JoinResponse{}, apiErr(http.StatusBadRequest, protocol.CodeBadData, "choose a representative")
		}
	}
	open, qs, err := p.openNow(ctx, pt)
	if err != nil {
		return protocol.JoinResponse{}, err
	}
	if !open {
		msg := pt.Settings.Client.MessagesFor(req.Lang).Orphaned
		return protocol.JoinResponse{}, apiErr(http.StatusServiceUnavailable, protocol.CodeClosed, msg)
	}
	var queue store.Queue
	if typ == portalmodel.SmartMatch {
		reps, err := p.portalReps(ctx, pt.ID)
		if err != nil {
			return protocol.JoinResponse{}, err
		}
		found := false
		for _, rep := range reps {
			found = found || rep.ID == req.Rep
		}
		if !found {
			return protocol.JoinResponse{}, apiErr(http.StatusNotFound, protocol.CodeNotFound, "this representative does not serve this portal; choose another")
		}
		if queue, err = p.s.store.PersonalQueue(ctx, req.Rep); err != nil {
			return protocol.JoinResponse{}, err
		}
	} else if queue, err = p.shortestQueue(ctx, qs); err != nil {
		return protocol.JoinResponse{}, err
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		name = "Customer"
	}
	sess := store.Session{ID: auth.NewID(), State: protocol.StateWaiting, QueueID: queue.ID, PortalID: pt.ID,
		CustomerName: name, Question: strings.TrimSpace(req.Question), Created: now}
	cust := store.Participant{SessionID: sess.ID, ID: auth.NewID(), Role: protocol.RoleCustomer, Name: name, Joined: now}
	if err := p.s.store.CreateSession(ctx, sess, cust); err != nil {
		return protocol.JoinResponse{}, err
	}
	if _, err := p.s.store.AppendEvent(ctx, store.Event{SessionID: sess.ID, Kind: "created", From: cust.ID, Name: name,
		Role: protocol.RoleCustomer, Text: fmt.Sprintf("requested support on portal %s (%s)", pt.Slug, typ), At: now}); err != nil {
		return protocol.JoinResponse{}, err
	}
	cfg, err := p.s.snapshotConfig(ctx, sess.ID, pt.ID)
	if err != nil {
		return protocol.JoinResponse{}, err
	}
	tok, hash, err := auth.NewToken()
	if err != nil {
		return protocol.JoinResponse{}, err
	}
	if err := p.s.store.SaveToken(ctx, store.Token{Hash: hash, Kind: store.TokenCustomer, SessionID: sess.ID,
		ParticipantID: cust.ID, Created: now, Expires: now.Add(TokenLifetime)}); err != nil {
		return protocol.JoinResponse{}, err
	}
	p.s.logger.Info("customer requested support", "session", sess.ID, "portal", pt.Slug, "type", typ, "queue", queue.ID, "source", src)
	part := protocol.Participant{ID: cust.ID, Role: protocol.RoleCustomer, Name: name}
	// The reps hear of the session before the customer's answer: once a
	// request is answered, its queue updates and alerts are on their way.
	if h := p.s.currentHub(); h != nil {
		h.SessionCreated(ctx, sess.ID)
	}
	return protocol.JoinResponse{
		Token: tok,
		Session: protocol.SessionInfo{ID: sess.ID, State: sess.State, CustomerName: name, Question: sess.Question,
			Portal: pt.ID, Queue: queue.ID, Created: now, Participants: []protocol.Participant{part}},
		Participant: part,
		Config:      &cfg,
	}, nil
}

// handleMe answers a customer's token with its session and participant,
// so that a client holding only a queue ticket can take its session up.
func (p *portalRequests) handleMe(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := p.s.authenticate(ctx, r)
	if err != nil {
		return err
	}
	switch c.token.Kind {
	case store.TokenCustomer:
	case store.TokenSurvey:
		return apiErr(http.StatusConflict, protocol.CodeConflict, "the session has ended")
	default:
		return apiErr(http.StatusForbidden, protocol.CodeForbidden, "only a session's customer may ask this")
	}
	sess, err := p.s.store.Session(ctx, c.token.SessionID)
	if errors.Is(err, store.ErrNotFound) {
		return apiErr(http.StatusNotFound, protocol.CodeNotFound, "the session is gone")
	}
	if err != nil {
		return err
	}
	if sess.State == protocol.StateEnded {
		return apiErr(http.StatusConflict, protocol.CodeConflict, "the session has ended")
	}
	ps, err := p.s.store.Participants(ctx, sess.ID)
	if err != nil {
		return err
	}
	for _, pa := range ps {
		if pa.ID == c.token.ParticipantID {
			writeJSON(w, http.StatusOK, protocol.Me{Session: sess.ID,
				Participant: pa.Wire()})
			return nil
		}
	}
	return apiErr(http.StatusNotFound, protocol.CodeNotFound, "the customer is not in the session")
}

// shortestQueue picks the queue with the fewest waiting sessions; on a
// tie, the first (by team name).
func (p *portalRequests) shortestQueue(ctx context.Context, qs []store.Queue) (store.Queue, error) {
	best, bestN := qs[0], -1
	for _, q := range qs {
		ws, err := p.s.store.WaitingSessions(ctx, []string{q.ID})
		if err != nil {
			return best, err
		}
		if bestN < 0 || len(ws) < bestN {
			best, bestN = q, len(ws)
		}
	}
	return best, nil
}
