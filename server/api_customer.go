package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/mail"
	"github.com/tandemhq/tandem/server/store"
)

// DefaultSurveyWindow is how long after a session's end the exit survey
// and the reps' ratings are accepted, and the longest the completed-session
// notification waits for the survey.
const DefaultSurveyWindow = 5 * time.Minute

// Kinds of the session log's events this file writes.
const (
	// KindRecording records the customer's answer to the recording prompt;
	// its Text is "allowed" or "refused".
	KindRecording = "recording"
	// KindSystemInfo records the customer's machine (JSON of
	// protocol.SystemInfo), written only where recording is allowed.
	KindSystemInfo = "system_info"
)

// shutdownNotifyTimeout bounds the delivery of a notification still
// waiting for its survey when the server stops.
const shutdownNotifyTimeout = 10 * time.Second

// maxSystemInfoReports bounds how often one session's customer may report
// its machine (a client reports once, again after a reconnect).
const maxSystemInfoReports = 20

// customerReports holds what customers reported for the live sessions and
// the notifications waiting for an exit survey. The zero value is ready.
type customerReports struct {
	// mu serialises the recording and system information handlers, so
	// that a report and the consent arriving together are decided once.
	mu sync.Mutex
	// info is the last system information of each session not ended,
	// logged or not: the summary reads it.
	info map[string]sysInfoReport
	// surveys are the completed-session notifications waiting for the
	// session's exit survey; closing the channel sends at once.
	surveys map[string]chan struct{}
}

// sysInfoReport is a session's reported machine.
type sysInfoReport struct {
	info protocol.SystemInfo
	// logged is the JSON last written to the session's log, "" if none.
	logged  string
	reports int
}

// customerRoutes registers what the customer's client reports (recording
// consent, system information, exit survey) and the reps' ratings.
func (s *Server) customerRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+protocol.PathRecording, s.api(s.handleRecording))
	mux.HandleFunc("POST "+protocol.PathSystemInfo, s.api(s.handleSystemInfo))
	mux.HandleFunc("POST "+protocol.PathRating, s.api(s.handleCustomerRating))
	mux.HandleFunc("POST "+protocol.PathSession+"{id}"+protocol.PathRatingSuffix, s.api(s.handleRepRating))
}

// liveCustomer checks that the bearer token is the customer's of a
// session that has not ended, and returns the token and the session.
func (s *Server) liveCustomer(r *http.Request) (store.Token, store.Session, error) {
	c, err := s.authenticate(r.Context(), r)
	if err != nil {
		return store.Token{}, store.Session{}, err
	}
	switch c.token.Kind {
	case store.TokenCustomer:
	case store.TokenSurvey:
		return store.Token{}, store.Session{}, apiErr(http.StatusConflict, protocol.CodeConflict, "the session has ended")
	default:
		return store.Token{}, store.Session{}, apiErr(http.StatusForbidden, protocol.CodeForbidden, "only the session's customer reports this")
	}
	sess, err := s.store.Session(r.Context(), c.token.SessionID)
	if err != nil {
		return store.Token{}, store.Session{}, err
	}
	if sess.State == protocol.StateEnded {
		return store.Token{}, store.Session{}, apiErr(http.StatusConflict, protocol.CodeConflict, "the session has ended")
	}
	return c.token, sess, nil
}

// badData turns a protocol validation error into a 400 answer.
func badData(err error) error {
	return apiErr(http.StatusBadRequest, protocol.CodeBadData, strings.TrimPrefix(err.Error(), protocol.ErrBadData.Error()+": "))
}

// handleRecording stores the customer's answer to the recording prompt. A
// refusal turns recording off in the session's configuration snapshot;
// an allowance writes system information reported before it to the log.
func (s *Server) handleRecording(w http.ResponseWriter, r *http.Request) error {
	tok, sess, err := s.liveCustomer(r)
	if err != nil {
		return err
	}
	var a protocol.RecordingAnswer
	if err := readJSON(w, r, &a, false); err != nil {
		return err
	}
	if err := a.Validate(); err != nil {
		return badData(err)
	}
	ctx := r.Context()
	s.reports.mu.Lock()
	defer s.reports.mu.Unlock()
	before, err := s.store.Recording(ctx, sess.ID)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.store.SetRecording(ctx, sess.ID, *a.Allow, now)
	if errors.Is(err, store.ErrConflict) {
		return apiErr(http.StatusConflict, protocol.CodeConflict, "recording was refused for this session; the refusal stands")
	}
	if err != nil {
		return err
	}
	consent := protocol.RecordingRefused
	if *a.Allow {
		consent = protocol.RecordingAllowed
	}
	if consent != before {
		name := ""
		if ps, err := s.store.Participants(ctx, sess.ID); err == nil {
			for _, p := range ps {
				if p.ID == tok.ParticipantID {
					name = p.Name
				}
			}
		}
		if _, err := s.store.AppendEvent(ctx, store.Event{SessionID: sess.ID, Kind: KindRecording, From: tok.ParticipantID,
			Name: name, Role: protocol.RoleCustomer, Text: consent.String(), At: now}); err != nil {
			return err
		}
		s.logger.Info("recording consent", "session", sess.ID, "consent", consent)
	}
	if consent == protocol.RecordingAllowed {
		if err := s.logSystemInfo(ctx, sess.ID, tok.ParticipantID); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleSystemInfo keeps the customer's machine for the session summary
// and writes it to the session's log where recording is allowed.
func (s *Server) handleSystemInfo(w http.ResponseWriter, r *http.Request) error {
	tok, sess, err := s.liveCustomer(r)
	if err != nil {
		return err
	}
	var si protocol.SystemInfo
	if err := readJSON(w, r, &si, false); err != nil {
		return err
	}
	if err := si.Validate(); err != nil {
		return badData(err)
	}
	s.reports.mu.Lock()
	defer s.reports.mu.Unlock()
	if s.reports.info == nil {
		s.reports.info = make(map[string]sysInfoReport)
	}
	rep := s.reports.info[sess.ID]
	if rep.reports >= maxSystemInfoReports {
		return rateLimited(time.Minute, "the system information of this session was reported too often")
	}
	rep.info, rep.reports = si, rep.reports+1
	s.reports.info[sess.ID] = rep
	if err := s.logSystemInfo(r.Context(), sess.ID, tok.ParticipantID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// logSystemInfo writes the session's reported machine to its log when
// the session may log it and it changed since it was last written: the
// configuration logs system information and the customer allowed
// recording (or was not asked and did not refuse). s.reports.mu is held.
func (s *Server) logSystemInfo(ctx context.Context, sessionID, participantID string) error {
	rep, ok := s.reports.info[sessionID]
	if !ok {
		return nil
	}
	consent, err := s.store.Recording(ctx, sessionID)
	if err != nil {
		return err
	}
	if consent == protocol.RecordingRefused {
		return nil
	}
	cfg, err := s.store.SessionConfig(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		cfg = protocol.DefaultCustomerClientConfig()
	} else if err != nil {
		return err
	}
	if !cfg.Logging.SystemInfo || cfg.Agreement.RecordingPrompt && consent != protocol.RecordingAllowed {
		return nil
	}
	b, err := json.Marshal(rep.info)
	if err != nil {
		return err
	}
	if string(b) == rep.logged {
		return nil
	}
	if _, err := s.store.AppendEvent(ctx, store.Event{SessionID: sessionID, Kind: KindSystemInfo, From: participantID,
		Role: protocol.RoleCustomer, Text: string(b), At: s.now()}); err != nil {
		return err
	}
	rep.logged = string(b)
	s.reports.info[sessionID] = rep
	return nil
}

// summaryReports adds to a session summary what the customer reported:
// the recording consent (and whether the session is recorded at all) and
// the machine, from memory while the session runs, else from its log.
func (s *Server) summaryReports(ctx context.Context, sum *protocol.SessionSummary, sessionID string, cfg protocol.CustomerClientConfig, es []store.Event) error {
	consent, err := s.store.Recording(ctx, sessionID)
	if err != nil {
		return err
	}
	sum.RecordingConsent = consent
	sum.Recording = consent != protocol.RecordingRefused &&
		(cfg.Logging.RecordScreen || cfg.Logging.RecordShell || cfg.Logging.SystemInfo ||
			cfg.Functions.RecordCustomerScreen || cfg.Functions.RecordRepScreen)
	s.reports.mu.Lock()
	rep, ok := s.reports.info[sessionID]
	s.reports.mu.Unlock()
	if !ok {
		for _, e := range es {
			var si protocol.SystemInfo
			if e.Kind == KindSystemInfo && protocol.UnmarshalStrict([]byte(e.Text), &si) == nil && si.Validate() == nil {
				rep.info, ok = si, true
			}
		}
	}
	if ok {
		si := rep.info
		sum.SystemInfo, sum.Host, sum.OS = &si, si.HostName, si.OSDescription()
	}
	return nil
}

// handleCustomerRating takes the customer's exit survey: once, after the
// session ended and within the survey window. It sends the
// completed-session notification waiting for it.
func (s *Server) handleCustomerRating(w http.ResponseWriter, r *http.Request) error {
	c, err := s.authenticate(r.Context(), r)
	if err != nil {
		return err
	}
	if c.token.Kind != store.TokenCustomer && c.token.Kind != store.TokenSurvey {
		return apiErr(http.StatusForbidden, protocol.CodeForbidden, "only the session's customer answers its exit survey; representatives rate at "+protocol.PathSession+"{id}"+protocol.PathRatingSuffix)
	}
	var rt protocol.Rating
	if err := readJSON(w, r, &rt, false); err != nil {
		return err
	}
	if err := rt.Validate(); err != nil {
		return badData(err)
	}
	ctx := r.Context()
	sess, err := s.store.Session(ctx, c.token.SessionID)
	if err != nil {
		return err
	}
	now := s.now()
	if sess.State != protocol.StateEnded {
		return apiErr(http.StatusConflict, protocol.CodeConflict, "the exit survey opens when the session has ended")
	}
	if now.After(sess.Ended.Add(s.cfg.SurveyWindow)) {
		return apiErr(http.StatusGone, protocol.CodeSurveyClosed, "the exit survey closed "+s.cfg.SurveyWindow.String()+" after the session ended")
	}
	err = s.store.SaveRating(ctx, store.Rating{SessionID: sess.ID, Role: protocol.RoleCustomer, Score: rt.Score, Comment: rt.Comment, At: now})
	if errors.Is(err, store.ErrConflict) {
		return apiErr(http.StatusConflict, protocol.CodeConflict, "the exit survey of this session was answered already")
	}
	if err != nil {
		return err
	}
	s.logger.Info("exit survey answered", "session", sess.ID, "score", rt.Score, "declined", rt.Declined)
	s.surveyDone(sess.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleRepRating takes a rep's rating of a session the rep was in: once,
// during the session or within the survey window after its end.
func (s *Server) handleRepRating(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.authRep(r.Context(), r)
	if err != nil {
		return err
	}
	var rt protocol.Rating
	if err := readJSON(w, r, &rt, false); err != nil {
		return err
	}
	if rt.Declined {
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, "only customers decline the survey; a representative who does not rate sends nothing")
	}
	if err := rt.Validate(); err != nil {
		return badData(err)
	}
	ctx := r.Context()
	forbidden := apiErr(http.StatusForbidden, protocol.CodeForbidden, "only a representative who was in the session may rate it")
	id := r.PathValue("id")
	sess, err := s.store.Session(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return forbidden
	}
	if err != nil {
		return err
	}
	ps, err := s.store.Participants(ctx, id)
	if err != nil {
		return err
	}
	var self *store.Participant
	for i, p := range ps {
		if p.RepID == rep.ID {
			self = &ps[i]
		}
	}
	if self == nil {
		return forbidden
	}
	now := s.now()
	if sess.State == protocol.StateEnded && now.After(sess.Ended.Add(s.cfg.SurveyWindow)) {
		return apiErr(http.StatusGone, protocol.CodeSurveyClosed, "ratings closed "+s.cfg.SurveyWindow.String()+" after the session ended")
	}
	err = s.store.SaveRating(ctx, store.Rating{SessionID: id, Role: self.Role, RepID: rep.ID, Score: rt.Score, Comment: rt.Comment, At: now})
	if errors.Is(err, store.ErrConflict) {
		return apiErr(http.StatusConflict, protocol.CodeConflict, "you rated this session already")
	}
	if err != nil {
		return err
	}
	s.logger.Info("session rated", "session", id, "rep", rep.ID, "score", rt.Score)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// DeleteSessionTokens, called by the hub at a session's end, keeps the
// customers' tokens as survey tokens for the survey window (they admit
// nothing but the exit survey) and deletes the others.
func (n *notifyingStore) DeleteSessionTokens(ctx context.Context, sessionID string) error {
	// An hour beyond the window, so that a late answer is told the survey
	// closed rather than that its token is unknown.
	return n.SQLite.KeepSurveyTokens(ctx, sessionID, n.s.now().Add(n.s.cfg.SurveyWindow+time.Hour))
}

// sessionEnded forgets what the session's customer reported (a refused
// log never outlives the running session) and, for a session of a portal,
// sends the completed-session notification once the customer answered or
// declined the exit survey, or when the survey window closes, whichever
// comes first; a server that stops sends the waiting notifications
// before it closes. The session's end does not wait for it.
func (s *Server) sessionEnded(sess store.Session) {
	s.reports.mu.Lock()
	delete(s.reports.info, sess.ID)
	s.reports.mu.Unlock()
	if sess.PortalID == "" {
		return
	}
	select {
	case <-s.stop:
		return
	default:
	}
	done := make(chan struct{})
	s.reports.mu.Lock()
	if s.reports.surveys == nil {
		s.reports.surveys = make(map[string]chan struct{})
	}
	s.reports.surveys[sess.ID] = done
	s.reports.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTimer(s.cfg.SurveyWindow)
		defer t.Stop()
		select {
		case <-s.stop:
			// The server stops during the survey window: send what there
			// is now rather than lose the notification (a crash loses it).
			ctx, cancel := context.WithTimeout(context.Background(), shutdownNotifyTimeout)
			if err := s.sendNotification(ctx, sess); err != nil {
				s.logger.Warn("completed-session notification not sent at shutdown", "session", sess.ID, "portal", sess.PortalID, "err", err)
			}
			cancel()
		case <-done:
			s.notifyEnded(sess)
		case <-t.C:
			s.notifyEnded(sess)
		}
		s.reports.mu.Lock()
		if s.reports.surveys[sess.ID] == done {
			delete(s.reports.surveys, sess.ID)
		}
		s.reports.mu.Unlock()
	}()
}

// surveyDone sends the notification waiting for the session's survey.
func (s *Server) surveyDone(sessionID string) {
	s.reports.mu.Lock()
	defer s.reports.mu.Unlock()
	if done, ok := s.reports.surveys[sessionID]; ok {
		close(done)
		delete(s.reports.surveys, sessionID)
	}
}

// reportRatings adds the session's ratings to its completed-session
// report: the customer's score and comment (none when declined) and the
// rating of the session's owner, else of the first rep who rated.
func (s *Server) reportRatings(ctx context.Context, r *mail.SessionReport, sess store.Session) error {
	rs, err := s.store.Ratings(ctx, sess.ID)
	if err != nil {
		return err
	}
	for _, rt := range rs {
		score := rt.Score
		switch {
		case rt.Role == protocol.RoleCustomer:
			if score > 0 {
				r.CustomerRating, r.CustomerComment = &score, rt.Comment
			}
		case r.RepRating == nil || rt.RepID == sess.RepID:
			r.RepRating = &score
		}
	}
	return nil
}
