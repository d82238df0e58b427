package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/auth"
	"github.com/tandemhq/tandem/server/hub"
	"github.com/tandemhq/tandem/server/mail"
	pmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/store"
)

// consoleRoutes registers the console's API beyond the spine: status, Get Next, canned messages, invitations.
// Status and Get Next travel over the signaling WebSocket (package hub).
func (s *Server) consoleRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+protocol.PathQueues, s.api(s.handleQueues))
	mux.HandleFunc("POST "+protocol.PathInvitations, s.api(s.handleInvite))
	mux.HandleFunc("GET "+protocol.PathSession+"{id}"+protocol.PathSummarySuffix, s.api(s.handleSummary))
}

// handleSummary answers a session's summary to its reps and to admins.
func (s *Server) handleSummary(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.authRep(r.Context(), r)
	if err != nil {
		return err
	}
	forbidden := apiErr(http.StatusForbidden, protocol.CodeForbidden, "only the session's representatives and admins may read its summary")
	id := r.PathValue("id")
	sess, err := s.store.Session(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		if rep.HasRole(protocol.RoleAdmin) {
			return apiErr(http.StatusNotFound, protocol.CodeNotFound, "no such session")
		}
		return forbidden
	}
	if err != nil {
		return err
	}
	ps, err := s.store.Participants(r.Context(), id)
	if err != nil {
		return err
	}
	member := false
	present := ps[:0:0]
	for _, p := range ps {
		member = member || p.RepID == rep.ID
		if p.Left.IsZero() {
			present = append(present, p)
		}
	}
	if !member && !rep.HasRole(protocol.RoleAdmin) {
		return forbidden
	}
	cfg, err := s.store.SessionConfig(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		cfg = protocol.DefaultCustomerClientConfig()
	} else if err != nil {
		return err
	}
	sum := protocol.SessionSummary{
		Session: sessionInfo(sess, present), Key: sess.KeyCode, PortalName: "Default", Accepted: sess.Accepted,
		Termination: cfg.Connection.Termination, TerminationOverride: cfg.Connection.RepOverride,
	}
	if sess.PortalID != "" {
		p, err := s.store.PortalByID(r.Context(), sess.PortalID)
		switch {
		case err == nil:
			sum.PortalName = p.Name
		case errors.Is(err, store.ErrNotFound):
			sum.PortalName = sess.PortalID
		default:
			return err
		}
	}
	es, err := s.store.Events(r.Context(), id)
	if err != nil {
		return err
	}
	for _, e := range es {
		var t protocol.Termination
		if e.Kind == hub.KindTermination && t.UnmarshalText([]byte(e.Text)) == nil {
			sum.Termination = t
		}
	}
	if err := s.summaryReports(r.Context(), &sum, id, cfg, es); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sum)
	return nil
}

// handleQueues names the calling rep's queues and the portals.
func (s *Server) handleQueues(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.authRep(r.Context(), r)
	if err != nil {
		return err
	}
	qs, err := s.store.QueuesForRep(r.Context(), rep.ID)
	if err != nil {
		return err
	}
	out := protocol.QueueList{Queues: []protocol.QueueInfo{}, Portals: []protocol.PortalInfo{}}
	for _, q := range qs {
		qi := protocol.QueueInfo{ID: q.ID, Name: q.Name}
		switch q.Kind {
		case store.QueuePersonal:
			qi.Kind, qi.Name = protocol.QueueKindPersonal, "My queue"
		case store.QueueTeam:
			qi.Kind = protocol.QueueKindTeam
		}
		out.Queues = append(out.Queues, qi)
	}
	ps, err := s.store.Portals(r.Context())
	if err != nil {
		return err
	}
	for _, p := range ps {
		out.Portals = append(out.Portals, protocol.PortalInfo{ID: p.ID, Name: p.Name})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handleInvite generates a session key for the calling rep and e-mails
// it to the customer with the portal's invitation template.
func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.authRep(r.Context(), r)
	if err != nil {
		return err
	}
	var req protocol.InviteRequest
	if err := readJSON(w, r, &req, false); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, strings.TrimPrefix(err.Error(), protocol.ErrBadData.Error()+": "))
	}
	site, err := s.store.SiteSettings(r.Context())
	if err != nil {
		return err
	}
	if site.SMTP.Host == "" {
		return apiErr(http.StatusServiceUnavailable, protocol.CodeNoMail,
			"the server has no outgoing mail server configured; ask your administrator to set SMTP in the site settings, or give the customer the code or link yourself")
	}
	settings, portalID := pmodel.DefaultSettings(), ""
	if req.Portal != "" {
		p, err := s.store.PortalBySlug(r.Context(), req.Portal)
		if errors.Is(err, store.ErrNotFound) {
			return apiErr(http.StatusNotFound, protocol.CodeNotFound, "no such portal")
		}
		if err != nil {
			return err
		}
		settings, portalID = p.Settings, p.ID
	}
	lang := req.Language
	if lang == "" {
		lang = protocol.DefaultLanguage
	}
	tmpl, err := settings.Invitation(lang)
	if err != nil {
		return err
	}
	now := s.now()
	k := store.Key{RepID: rep.ID, PortalID: portalID, Created: now, Expires: now.Add(s.cfg.KeyLifetime)}
	for i := 0; ; i++ {
		if k.Code, err = auth.NewCode(); err != nil {
			return err
		}
		err = s.store.CreateKey(r.Context(), k)
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrConflict) || i == maxCodeTries {
			return err
		}
	}
	key := protocol.Key{Code: k.Code, URL: s.keyURL(k.Code), Expires: k.Expires}
	body := tmpl.Expand(mail.InvitationData{
		RepName: rep.DisplayName, SessionKey: protocol.FormatCode(k.Code), SessionURL: key.URL, PortalURL: s.publicURL() + "/",
	})
	m := site.SMTP
	sender := mail.NewSender(mail.Config{Host: m.Host, Port: m.Port, Username: m.Username, Password: m.Password, From: m.From, StartTLS: m.StartTLS}, s.logger.With("component", "mail"))
	if err := sender.Send(r.Context(), mail.Message{To: []string{req.Email}, Subject: body.Subject, Body: body.Body}); err != nil {
		return apiErr(http.StatusBadGateway, protocol.CodeNoMail, "the mail server did not take the invitation: "+err.Error())
	}
	s.logger.Info("invitation sent", "rep", rep.ID, "expires", k.Expires)
	writeJSON(w, http.StatusOK, key)
	return nil
}
