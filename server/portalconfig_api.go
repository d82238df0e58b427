package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/hub"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/store"
)

// portalConfigRoutes registers what clients read of the portal
// configuration: banners by hash, the session's snapshot, the waiting
// customer's status and the rep's canned messages; and each portal's
// own page at portalmodel.PathPrefix + slug + "/" (a portal's host name
// is served at "/", see handlePortal).
func (s *Server) portalConfigRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+protocol.PathBanners+"{sha256}", s.api(s.handleBanner))
	mux.HandleFunc("GET "+protocol.PathClientConfig, s.api(s.handleClientConfig))
	mux.HandleFunc("GET "+protocol.PathWaitStatus, s.api(s.handleWaitStatus))
	mux.HandleFunc("GET "+protocol.PathCanned, s.api(s.handleCanned))
	mux.HandleFunc("GET "+portalmodel.PathPrefix+"{slug}/{$}", s.handlePortalSlug)
}

// handleBanner serves a banner by its SHA-256. Banners are public and
// immutable: the hash names the content.
func (s *Server) handleBanner(w http.ResponseWriter, r *http.Request) error {
	b, err := s.store.Banner(r.Context(), r.PathValue("sha256"))
	if errors.Is(err, store.ErrNotFound) {
		return apiErr(http.StatusNotFound, protocol.CodeNotFound, "no such banner")
	}
	if err != nil {
		return err
	}
	writeBMP(w, b, true)
	return nil
}

// authCustomer checks that the bearer token is a customer's.
func (s *Server) authCustomer(r *http.Request) (store.Token, error) {
	c, err := s.authenticate(r.Context(), r)
	if err != nil {
		return store.Token{}, err
	}
	if c.token.Kind != store.TokenCustomer {
		return store.Token{}, apiErr(http.StatusForbidden, protocol.CodeForbidden, "only a session's customer may read this")
	}
	return c.token, nil
}

// handleClientConfig answers a customer with its session's snapshot.
func (s *Server) handleClientConfig(w http.ResponseWriter, r *http.Request) error {
	tok, err := s.authCustomer(r)
	if err != nil {
		return err
	}
	c, err := s.store.SessionConfig(r.Context(), tok.SessionID)
	if errors.Is(err, store.ErrNotFound) {
		return apiErr(http.StatusNotFound, protocol.CodeNotFound, "the session has no configuration snapshot")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// handleWaitStatus answers a waiting customer with its position, the
// queue's estimated wait, the on-hold message in the asked language
// (?lang=de) and the active notices, as its snapshot configures them.
func (s *Server) handleWaitStatus(w http.ResponseWriter, r *http.Request) error {
	tok, err := s.authCustomer(r)
	if err != nil {
		return err
	}
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = protocol.DefaultLanguage
	}
	if !protocol.ValidLanguage(lang) {
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, "lang must be a language tag such as en or de")
	}
	st, err := s.waitStatus(r, tok.SessionID, lang)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// waitStatus computes a session's WaitStatus, as the hub pushes it.
func (s *Server) waitStatus(r *http.Request, sessionID, lang string) (protocol.WaitStatus, error) {
	return hub.CustomerWaitStatus(r.Context(), s.store, sessionID, lang, s.now())
}

// handleCanned lists the canned messages of the calling rep's teams.
func (s *Server) handleCanned(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.authRep(r.Context(), r)
	if err != nil {
		return err
	}
	cs, err := s.store.CannedForRep(r.Context(), rep.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cs)
	return nil
}

// minutes converts a count of minutes.
func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

// parseTime parses an RFC 3339 time.
func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339, s) }
