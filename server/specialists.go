package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/auth"
	"github.com/tandemhq/tandem/server/hub"
	"github.com/tandemhq/tandem/server/store"
)

// External specialists (see protocol/specialist.go): a rep of an active
// session makes single-use invitation codes, within the portal's limit;
// each admits one specialist with a session-scoped token.

func (s *Server) specialistRoutes(mux *http.ServeMux) {
	base := protocol.PathSession + "{id}" + protocol.PathSpecialistsSuffix
	mux.HandleFunc("POST "+base, s.api(s.handleInviteSpecialist))
	mux.HandleFunc("GET "+base, s.api(s.handleSpecialistInvitations))
	mux.HandleFunc("DELETE "+base+"/{code}", s.api(s.handleCancelSpecialist))
	mux.HandleFunc("POST "+protocol.PathSpecialistJoin, s.api(s.handleSpecialistJoin))
}

// specialistLimit is how many specialists the session's portal allows.
func (s *Server) specialistLimit(r *http.Request, sessionID string) (int, error) {
	f, err := s.effectiveFunctions(r.Context(), sessionID)
	if err != nil {
		return 0, err
	}
	return f.MaxExternalSpecialists, nil
}

// wireInvitation is an invitation as the console sees it.
func wireInvitation(inv store.SpecialistInvitation) protocol.SpecialistInvitation {
	return protocol.SpecialistInvitation{
		Code: inv.Code, Rights: inv.Rights, Created: inv.Created, Expires: inv.Expires,
		InvitedBy: inv.InvitedBy, UsedBy: inv.UsedBy, Cancelled: !inv.Cancelled.IsZero(),
	}
}

// handleInviteSpecialist makes an invitation for a rep of the session.
func (s *Server) handleInviteSpecialist(w http.ResponseWriter, r *http.Request) error {
	sess, self, err := s.sessionRep(r, false)
	if err != nil {
		return err
	}
	var req protocol.SpecialistInviteRequest
	if err := readJSON(w, r, &req, false); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return badData(err)
	}
	if sess.State != protocol.StateActive {
		return apiErr(http.StatusConflict, protocol.CodeConflict, fmt.Sprintf("the session is %s; specialists join active sessions", sess.State))
	}
	max, err := s.specialistLimit(r, sess.ID)
	if err != nil {
		return err
	}
	if max == 0 {
		return apiErr(http.StatusForbidden, protocol.CodeNoSpecialists, "this session's support site does not allow external specialists")
	}
	now := s.now()
	inv := store.SpecialistInvitation{SessionID: sess.ID, InvitedBy: self.ID, Rights: req.Rights, Created: now, Expires: now.Add(s.cfg.KeyLifetime)}
	for i := 0; ; i++ {
		if inv.Code, err = auth.NewCode(); err != nil {
			return err
		}
		// A conflict is a code in use (try another) or, rarely, a session
		// that ended since it was loaded (every try fails alike).
		err = s.store.CreateSpecialistInvitation(r.Context(), inv, max, now)
		if !errors.Is(err, store.ErrConflict) || i == maxCodeTries {
			break
		}
	}
	switch {
	case errors.Is(err, store.ErrLimit):
		return apiErr(http.StatusForbidden, protocol.CodeNoSpecialists, fmt.Sprintf("this session has %d specialist invitations, as many as its support site allows; cancel an unused one first", max))
	case errors.Is(err, store.ErrConflict):
		return apiErr(http.StatusConflict, protocol.CodeConflict, "the session is no longer active")
	case err != nil:
		return err
	}
	if _, err := s.store.AppendEvent(r.Context(), store.Event{SessionID: sess.ID, Kind: "specialist.invited", From: self.ID, Name: self.Name, Role: self.Role,
		Text: "invited an external specialist (" + req.Rights.String() + ")", At: now}); err != nil {
		s.logger.Error("store specialist.invited event", "session", sess.ID, "err", err)
	}
	s.logger.Info("specialist invited", "session", sess.ID, "by", self.ID, "rights", req.Rights, "expires", inv.Expires)
	writeJSON(w, http.StatusOK, wireInvitation(inv))
	return nil
}

// handleSpecialistInvitations lists a session's invitations to its reps
// and to admins.
func (s *Server) handleSpecialistInvitations(w http.ResponseWriter, r *http.Request) error {
	sess, _, err := s.sessionRep(r, true)
	if err != nil {
		return err
	}
	max, err := s.specialistLimit(r, sess.ID)
	if err != nil {
		return err
	}
	invs, err := s.store.SpecialistInvitations(r.Context(), sess.ID)
	if err != nil {
		return err
	}
	out := protocol.SpecialistInvitations{Invitations: []protocol.SpecialistInvitation{}, Max: max}
	for _, inv := range invs {
		out.Invitations = append(out.Invitations, wireInvitation(inv))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handleCancelSpecialist cancels an unspent invitation for a rep of the
// session.
func (s *Server) handleCancelSpecialist(w http.ResponseWriter, r *http.Request) error {
	sess, self, err := s.sessionRep(r, false)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	if err := protocol.ValidateCode(code); err != nil {
		return badData(err)
	}
	now := s.now()
	err = s.store.CancelSpecialistInvitation(r.Context(), sess.ID, code, now)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return apiErr(http.StatusNotFound, protocol.CodeNotFound, "this session has no invitation with that code")
	case errors.Is(err, store.ErrUsed):
		return apiErr(http.StatusConflict, protocol.CodeConflict, "a specialist has joined with this code already")
	case err != nil:
		return err
	}
	if _, err := s.store.AppendEvent(r.Context(), store.Event{SessionID: sess.ID, Kind: "specialist.cancelled", From: self.ID, Name: self.Name, Role: self.Role,
		Text: "cancelled an external specialist invitation", At: now}); err != nil {
		s.logger.Error("store specialist.cancelled event", "session", sess.ID, "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleSpecialistJoin spends an invitation code and admits its
// specialist to the session. Wrong codes count against the caller's
// address, with the session keys'.
func (s *Server) handleSpecialistJoin(w http.ResponseWriter, r *http.Request) error {
	now, src := s.now(), sourceIP(r)
	if ok, wait := s.joinSource.Allow(src, now); !ok {
		return rateLimited(wait, "too many wrong codes; wait and try again")
	}
	var req protocol.SpecialistJoinRequest
	if err := readJSON(w, r, &req, false); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		s.joinSource.Fail(src, now)
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, strings.TrimPrefix(err.Error(), protocol.ErrBadData.Error()+": "))
	}
	name := strings.TrimSpace(req.Name)
	inv, p, err := s.store.UseSpecialistInvitation(r.Context(), req.Code, store.Participant{ID: auth.NewID(), Name: name, Joined: now}, now)
	var refusal *apiError
	switch {
	case errors.Is(err, store.ErrNotFound):
		refusal = apiErr(http.StatusNotFound, protocol.CodeNotFound, "no invitation has this code; check the digits with the representative")
	case errors.Is(err, store.ErrCancelled):
		refusal = apiErr(http.StatusGone, protocol.CodeNotFound, "the representative cancelled this invitation")
	case errors.Is(err, store.ErrUsed):
		refusal = apiErr(http.StatusGone, protocol.CodeNotFound, "this invitation has been used already; ask the representative for a new one")
	case errors.Is(err, store.ErrExpired):
		refusal = apiErr(http.StatusGone, protocol.CodeNotFound, "this invitation has expired; ask the representative for a new one")
	case errors.Is(err, store.ErrConflict):
		refusal = apiErr(http.StatusGone, protocol.CodeConflict, "the session has ended")
	case err != nil:
		return err
	}
	if refusal != nil {
		s.joinSource.Fail(src, now)
		s.logger.Info("specialist join refused", "source", src, "reason", refusal.body.Message)
		return refusal
	}
	tok, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	if err := s.store.SaveToken(r.Context(), store.Token{Hash: hash, Kind: store.TokenSpecialist, SessionID: inv.SessionID, ParticipantID: p.ID, Created: now, Expires: now.Add(TokenLifetime)}); err != nil {
		return err
	}
	sess, err := s.store.Session(r.Context(), inv.SessionID)
	if err != nil {
		return err
	}
	if sess.State != protocol.StateActive {
		// The session ended between the code's use and the token's
		// saving: its end deleted the tokens it knew of, not this one.
		if err := s.store.DeleteToken(r.Context(), hash); err != nil {
			return err
		}
		return apiErr(http.StatusGone, protocol.CodeConflict, "the session has ended")
	}
	ps, err := s.store.Participants(r.Context(), inv.SessionID)
	if err != nil {
		return err
	}
	s.logger.Info("specialist joined", "session", sess.ID, "participant", p.ID, "rights", inv.Rights, "source", src)
	writeJSON(w, http.StatusOK, protocol.JoinResponse{Token: tok, Session: hub.Info(sess, ps), Participant: p.Wire()})
	if h := s.currentHub(); h != nil {
		h.MemberAdded(r.Context(), sess.ID)
	}
	return nil
}
