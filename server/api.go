package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/auth"
	"github.com/tandemhq/tandem/server/hub"
	"github.com/tandemhq/tandem/server/store"
)

// routes is the server's HTTP handler.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+protocol.PathHealth, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("POST "+protocol.PathLogin, s.api(s.handleLogin))
	mux.HandleFunc("POST "+protocol.PathLogout, s.api(s.handleLogout))
	mux.HandleFunc("POST "+protocol.PathKeys, s.api(s.handleKeys))
	mux.HandleFunc("POST "+protocol.PathJoin, s.api(s.handleJoin))
	mux.HandleFunc("GET "+protocol.PathQueue, s.api(s.handleQueue))
	mux.HandleFunc("GET "+protocol.PathSession+"{id}/events", s.api(s.handleTranscript))
	mux.HandleFunc("GET "+protocol.PathSignal, s.handleSignal)
	mux.HandleFunc("/api/", s.api(func(w http.ResponseWriter, r *http.Request) error {
		return apiErr(http.StatusNotFound, protocol.CodeNotFound, "no such API endpoint or method")
	}))
	mux.HandleFunc("GET /{$}", s.handlePortal)
	mux.HandleFunc("POST /{$}", s.handlePortalPost)
	mux.HandleFunc("GET "+protocol.PathKeyPage+"{code}", s.handleKeyPage)
	s.adminRoutes(mux)
	s.downloadRoutes(mux)
	s.consoleRoutes(mux)
	s.customerRoutes(mux)
	s.specialistRoutes(mux)
	s.recordingRoutes(mux)
	return mux
}

// apiError is an API failure: the status and the body.
type apiError struct {
	status int
	body   protocol.Error
}

func (e *apiError) Error() string { return e.body.Error() }

// apiErr makes an apiError.
func apiErr(status int, code protocol.ErrorCode, msg string) *apiError {
	return &apiError{status: status, body: protocol.Error{Code: code, Message: msg}}
}

// rateLimited is the answer to too many failures.
func rateLimited(wait time.Duration, msg string) *apiError {
	e := apiErr(http.StatusTooManyRequests, protocol.CodeRateLimited, msg)
	e.body.RetryAfter = max(1, int(math.Ceil(wait.Seconds())))
	return e
}

// api wraps a JSON API handler: version header, security headers and
// errors as protocol.Error bodies.
func (s *Server) api(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		var err error
		if v := r.Header.Get(protocol.VersionHeader); v != "" && v != strconv.Itoa(protocol.Version) {
			err = apiErr(http.StatusBadRequest, protocol.CodeBadData, fmt.Sprintf("protocol version %q; this server speaks %d", v, protocol.Version))
		} else {
			err = h(w, r)
		}
		if err == nil {
			return
		}
		var ae *apiError
		if !errors.As(err, &ae) {
			if errors.Is(err, protocol.ErrBadData) {
				ae = apiErr(http.StatusBadRequest, protocol.CodeBadData, err.Error())
			} else {
				s.logger.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
				ae = apiErr(http.StatusInternalServerError, protocol.CodeInternal, "the server failed; try again")
			}
		} else if ae.status >= 400 {
			s.logger.Info("api request refused", "method", r.Method, "path", r.URL.Path, "source", sourceIP(r), "status", ae.status, "code", ae.body.Code, "reason", ae.body.Message)
		}
		if ae.body.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(ae.body.RetryAfter))
		}
		writeJSON(w, ae.status, ae.body)
	}
}

// writeJSON writes v as the JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// readJSON reads a request body of at most protocol.MaxRequestBytes into
// v, strictly. An empty body is allowed when optional.
func readJSON(w http.ResponseWriter, r *http.Request, v any, optional bool) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, protocol.MaxRequestBytes))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apiErr(http.StatusRequestEntityTooLarge, protocol.CodeTooLarge, fmt.Sprintf("the request body is over %d bytes", protocol.MaxRequestBytes))
	}
	if err != nil {
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, "cannot read the request body")
	}
	if len(b) == 0 && optional {
		return nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return apiErr(http.StatusUnsupportedMediaType, protocol.CodeBadData, "the request body must be application/json")
	}
	if err := protocol.UnmarshalStrict(b, v); err != nil {
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, "bad JSON: "+err.Error())
	}
	return nil
}

// sourceIP is the request's source address, the key of per-source limits.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// bearer returns the token of the Authorization header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" || len(tok) > 256 {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// caller is who a bearer token admits.
type caller struct {
	token store.Token
	rep   store.Rep // for rep tokens
}

// authenticate checks the bearer token.
func (s *Server) authenticate(ctx context.Context, r *http.Request) (caller, error) {
	tok, ok := bearer(r)
	if !ok {
		return caller{}, apiErr(http.StatusUnauthorized, protocol.CodeUnauthorized, "sign in first: no bearer token")
	}
	t, err := s.store.TokenByHash(ctx, auth.HashToken(tok), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return caller{}, apiErr(http.StatusUnauthorized, protocol.CodeUnauthorized, "the token is unknown or expired; sign in again")
	}
	if err != nil {
		return caller{}, err
	}
	c := caller{token: t}
	if t.Kind == store.TokenRep {
		rep, err := s.store.RepByID(ctx, t.RepID)
		if errors.Is(err, store.ErrNotFound) || err == nil && rep.Disabled {
			return caller{}, apiErr(http.StatusUnauthorized, protocol.CodeUnauthorized, "the account is disabled")
		}
		if err != nil {
			return caller{}, err
		}
		c.rep = rep
	}
	return c, nil
}

// authRep checks that the bearer token is a rep's.
func (s *Server) authRep(ctx context.Context, r *http.Request) (store.Rep, error) {
	c, err := s.authenticate(ctx, r)
	if err != nil {
		return store.Rep{}, err
	}
	if c.token.Kind != store.TokenRep || !(c.rep.HasRole(protocol.RoleRep) || c.rep.HasRole(protocol.RoleAdmin)) {
		return store.Rep{}, apiErr(http.StatusForbidden, protocol.CodeForbidden, "only representatives may do this")
	}
	return c.rep, nil
}

// handleLogin signs a rep in.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	var req protocol.LoginRequest
	if err := readJSON(w, r, &req, false); err != nil {
		return err
	}
	if req.Username == "" || req.Password == "" || len(req.Username) > 256 || len(req.Password) > auth.MaxPasswordBytes {
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, "give a username and a password")
	}
	now := s.now()
	account, src := strings.ToLower(req.Username), sourceIP(r)
	okA, waitA := s.loginAccount.Allow(account, now)
	okS, waitS := s.loginSource.Allow(src, now)
	if !okA || !okS {
		return rateLimited(max(waitA, waitS), "too many failed sign-ins; wait and try again")
	}
	fail := func() error {
		s.loginAccount.Fail(account, now)
		s.loginSource.Fail(src, now)
		return apiErr(http.StatusUnauthorized, protocol.CodeUnauthorized, "wrong username or password")
	}
	rep, err := s.store.RepByUsername(r.Context(), req.Username)
	if errors.Is(err, store.ErrNotFound) {
		auth.SimulateVerify(auth.DefaultParams, req.Password)
		return fail()
	}
	if err != nil {
		return err
	}
	ok, err := auth.VerifyPassword(rep.PasswordHash, req.Password)
	if err != nil {
		s.logger.Error("stored password hash unusable", "rep", rep.ID, "err", err)
	}
	if !ok || rep.Disabled {
		return fail()
	}
	s.loginAccount.Reset(account)
	tok, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	exp := now.Add(TokenLifetime)
	if err := s.store.SaveToken(r.Context(), store.Token{Hash: hash, Kind: store.TokenRep, RepID: rep.ID, Created: now, Expires: exp}); err != nil {
		return err
	}
	s.logger.Info("rep signed in", "rep", rep.ID, "username", rep.Username, "source", src)
	writeJSON(w, http.StatusOK, protocol.LoginResponse{Token: tok, Expires: exp, Rep: wireRep(rep)})
	return nil
}

// handleLogout deletes the caller's token.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	tok, ok := bearer(r)
	if !ok {
		return apiErr(http.StatusUnauthorized, protocol.CodeUnauthorized, "no bearer token")
	}
	if err := s.store.DeleteToken(r.Context(), auth.HashToken(tok)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// maxCodeTries is how often key generation retries a code in use.
const maxCodeTries = 5

// handleKeys generates a session key for the calling rep.
func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.authRep(r.Context(), r)
	if err != nil {
		return err
	}
	var req protocol.KeyRequest
	if err := readJSON(w, r, &req, true); err != nil {
		return err
	}
	var portalID string
	if req.Portal != "" {
		p, err := s.store.PortalBySlug(r.Context(), req.Portal)
		if errors.Is(err, store.ErrNotFound) {
			return apiErr(http.StatusNotFound, protocol.CodeNotFound, "no such portal")
		}
		if err != nil {
			return err
		}
		portalID = p.ID
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
	s.logger.Info("session key generated", "rep", rep.ID, "expires", k.Expires)
	writeJSON(w, http.StatusOK, protocol.Key{Code: k.Code, URL: s.keyURL(k.Code), Expires: k.Expires})
	return nil
}

// keyURL is the portal page of a key, carrying the certificate's fingerprint.
func (s *Server) keyURL(code string) string {
	return s.publicURL() + protocol.PathKeyPage + code + "?fp=" + s.fp
}

// handleJoin spends a key and creates a waiting session in the key's rep's
// personal queue.
func (s *Server) handleJoin(w http.ResponseWriter, r *http.Request) error {
	now, src := s.now(), sourceIP(r)
	if ok, wait := s.joinSource.Allow(src, now); !ok {
		return rateLimited(wait, "too many wrong session codes; wait and try again")
	}
	var req protocol.JoinRequest
	if err := readJSON(w, r, &req, false); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		s.joinSource.Fail(src, now)
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, strings.TrimPrefix(err.Error(), protocol.ErrBadData.Error()+": "))
	}
	var site *store.Portal
	if req.Portal != "" {
		pt, err := s.codePortal(r.Context(), req.Code, req.Portal, now)
		if ae := (*apiError)(nil); errors.As(err, &ae) {
			s.joinSource.Fail(src, now)
			s.logger.Info("join refused", "portal", req.Portal, "source", src, "reason", ae.body.Message)
			return err
		}
		if err != nil {
			return err
		}
		site = &pt
	}
	k, err := s.store.UseKey(r.Context(), req.Code, now)
	if ae := keyRefusal(err); ae != nil {
		s.joinSource.Fail(src, now)
		return ae
	}
	if err != nil {
		return err
	}
	if site != nil {
		k.PortalID = site.ID
	}
	q, err := s.store.PersonalQueue(r.Context(), k.RepID)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		name = "Customer"
	}
	sess := store.Session{ID: auth.NewID(), State: protocol.StateWaiting, QueueID: q.ID, PortalID: k.PortalID, CustomerName: name, KeyCode: k.Code, Created: now}
	cust := store.Participant{SessionID: sess.ID, ID: auth.NewID(), Role: protocol.RoleCustomer, Name: name, Joined: now}
	if err := s.store.CreateSession(r.Context(), sess, cust); err != nil {
		return err
	}
	if _, err := s.store.AppendEvent(r.Context(), store.Event{SessionID: sess.ID, Kind: "created", From: cust.ID, Name: name, Role: protocol.RoleCustomer, Text: "joined with a session key", At: now}); err != nil {
		return err
	}
	cfg, err := s.snapshotConfig(r.Context(), sess.ID, sess.PortalID)
	if err != nil {
		return err
	}
	tok, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	if err := s.store.SaveToken(r.Context(), store.Token{Hash: hash, Kind: store.TokenCustomer, SessionID: sess.ID, ParticipantID: cust.ID, Created: now, Expires: now.Add(TokenLifetime)}); err != nil {
		return err
	}
	s.logger.Info("customer joined", "session", sess.ID, "participant", cust.ID, "rep", k.RepID, "source", src)
	p := protocol.Participant{ID: cust.ID, Role: protocol.RoleCustomer, Name: name}
	writeJSON(w, http.StatusOK, protocol.JoinResponse{
		Token: tok,
		Session: protocol.SessionInfo{
			ID: sess.ID, State: sess.State, CustomerName: name, Portal: sess.PortalID, Queue: q.ID, Created: now,
			Participants: []protocol.Participant{p},
		},
		Participant: p,
		Config:      &cfg,
	})
	if h := s.currentHub(); h != nil {
		h.SessionCreated(r.Context(), sess.ID)
	}
	return nil
}

// currentHub returns the hub once started.
func (s *Server) currentHub() *hub.Hub {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hub
}

// handleQueue lists the calling rep's waiting sessions, oldest first.
func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.authRep(r.Context(), r)
	if err != nil {
		return err
	}
	qs, err := s.store.QueuesForRep(r.Context(), rep.ID)
	if err != nil {
		return err
	}
	ids := make([]string, len(qs))
	for i, q := range qs {
		ids[i] = q.ID
	}
	q, err := hub.Waiting(r.Context(), s.store, ids)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, q)
	return nil
}

// handleTranscript returns a session's stored events to its reps and to admins.
func (s *Server) handleTranscript(w http.ResponseWriter, r *http.Request) error {
	c, err := s.authenticate(r.Context(), r)
	if err != nil {
		return err
	}
	forbidden := apiErr(http.StatusForbidden, protocol.CodeForbidden, "only the session's representatives and admins may read its transcript")
	if c.token.Kind != store.TokenRep {
		return forbidden
	}
	id := r.PathValue("id")
	sess, err := s.store.Session(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		if c.rep.HasRole(protocol.RoleAdmin) {
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
	for _, p := range ps {
		member = member || p.RepID == c.rep.ID
	}
	if !member && !c.rep.HasRole(protocol.RoleAdmin) {
		return forbidden
	}
	es, err := s.store.Events(r.Context(), id)
	if err != nil {
		return err
	}
	t := protocol.Transcript{Session: sessionInfo(sess, ps), Events: []protocol.TranscriptEvent{}}
	for _, e := range es {
		t.Events = append(t.Events, protocol.TranscriptEvent{Seq: e.Seq, Kind: e.Kind, From: e.From, Name: e.Name, Role: e.Role, Text: e.Text, At: e.At})
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// sessionInfo describes a session with all its participants, those who left included.
func sessionInfo(s store.Session, ps []store.Participant) protocol.SessionInfo {
	si := protocol.SessionInfo{ID: s.ID, State: s.State, CustomerName: s.CustomerName, Question: s.Question, Portal: s.PortalID, Queue: s.QueueID, Created: s.Created, Participants: []protocol.Participant{}}
	for _, p := range ps {
		si.Participants = append(si.Participants, p.Wire())
	}
	return si
}

// handleSignal authenticates the bearer token and hands the upgraded
// WebSocket to the hub.
func (s *Server) handleSignal(w http.ResponseWriter, r *http.Request) {
	var id hub.Identity
	err := func() error {
		if v := r.Header.Get(protocol.VersionHeader); v != "" && v != strconv.Itoa(protocol.Version) {
			return apiErr(http.StatusBadRequest, protocol.CodeBadData, fmt.Sprintf("protocol version %q; this server speaks %d", v, protocol.Version))
		}
		c, err := s.authenticate(r.Context(), r)
		if err != nil {
			return err
		}
		switch c.token.Kind {
		case store.TokenRep:
			role := protocol.RoleRep
			if !c.rep.HasRole(protocol.RoleRep) {
				if !c.rep.HasRole(protocol.RoleAdmin) {
					return apiErr(http.StatusForbidden, protocol.CodeForbidden, "the account has no representative role")
				}
				role = protocol.RoleAdmin
			}
			id = hub.Identity{Role: role, RepID: c.rep.ID, Name: c.rep.DisplayName}
		case store.TokenCustomer, store.TokenSpecialist:
			ps, err := s.store.Participants(r.Context(), c.token.SessionID)
			if err != nil {
				return err
			}
			role := protocol.RoleCustomer
			if c.token.Kind == store.TokenSpecialist {
				role = protocol.RoleSpecialist
			}
			id = hub.Identity{Role: role, SessionID: c.token.SessionID, ParticipantID: c.token.ParticipantID}
			for _, p := range ps {
				if p.ID == c.token.ParticipantID {
					id.Name = p.Name
				}
			}
		default:
			return apiErr(http.StatusUnauthorized, protocol.CodeUnauthorized, "unusable token")
		}
		return nil
	}()
	if err != nil {
		s.api(func(http.ResponseWriter, *http.Request) error { return err })(w, r)
		return
	}
	h := s.currentHub()
	s.ws.Add(1)
	defer s.ws.Done()
	// The HTTP server's deadlines would cut the long-lived connection.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Time{})
	rc.SetWriteDeadline(time.Time{})
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		s.logger.Info("websocket upgrade failed", "source", sourceIP(r), "err", err)
		return
	}
	if err := h.Serve(context.WithoutCancel(r.Context()), ws, id); err != nil {
		s.logger.Info("signaling refused", "err", err)
	}
}
