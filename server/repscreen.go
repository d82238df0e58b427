package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/store"
)

// The rep's screen, shown to the customer (Functions.RepScreenSharing).
// Media goes peer to peer; the server decides at two points:
//
//   - A rep's console asks before it shows its screen (POST PathSession +
//     id + "/rep-screen" with {"showing": true}, and false when it stops).
//     The server refuses a rep who is not present in the active session,
//     and a start when the session's snapshot does not allow it; it logs
//     starts and stops as session events (KindRepScreen).
//   - The signaling hub checks every SDP it relays (hub/media.go): a rep's
//     that sends video needs RepScreenSharing, a customer's that sends
//     video needs CustomerScreenSharing.
//
// A console reads the session's functions (GET PathSession + id +
// "/functions", the session's reps and admins) to show or hide its
// button; the record flags there are the effective ones (off when the
// snapshot records no screen or the customer refused recording).

// KindRepScreen is the session event of a rep starting ("started") or
// stopping ("stopped") to show the screen.
const KindRepScreen = "rep_screen"

// repScreenRoutes registers the functions and the rep's screen.
func (s *Server) repScreenRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+protocol.PathSession+"{id}"+protocol.PathFunctionsSuffix, s.api(s.handleFunctions))
	mux.HandleFunc("POST "+protocol.PathSession+"{id}"+protocol.PathRepScreenSuffix, s.api(s.handleRepScreen))
}

// sessionRep loads a session and the requesting rep's participant in it;
// admins who are not in it get a zero participant when admins is set.
func (s *Server) sessionRep(r *http.Request, admins bool) (store.Session, store.Participant, error) {
	ctx := r.Context()
	rep, err := s.authRep(ctx, r)
	if err != nil {
		return store.Session{}, store.Participant{}, err
	}
	forbidden := apiErr(http.StatusForbidden, protocol.CodeForbidden, "only the session's representatives may do this")
	id := r.PathValue("id")
	sess, err := s.store.Session(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, store.Participant{}, forbidden
	}
	if err != nil {
		return store.Session{}, store.Participant{}, err
	}
	ps, err := s.store.Participants(ctx, id)
	if err != nil {
		return store.Session{}, store.Participant{}, err
	}
	for _, p := range ps {
		if p.RepID == rep.ID && p.Left.IsZero() {
			return sess, p, nil
		}
	}
	if admins && rep.HasRole(protocol.RoleAdmin) {
		return sess, store.Participant{}, nil
	}
	return store.Session{}, store.Participant{}, forbidden
}

// effectiveFunctions are a session's functions as in effect now: the
// record flags need the snapshot to record the screen and the customer
// not to have refused.
func (s *Server) effectiveFunctions(ctx context.Context, sessionID string) (protocol.Functions, error) {
	cfg, err := s.store.SessionConfig(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		cfg = protocol.DefaultCustomerClientConfig()
	} else if err != nil {
		return protocol.Functions{}, err
	}
	f := cfg.Functions
	consent, err := s.store.Recording(ctx, sessionID)
	if err != nil {
		return protocol.Functions{}, err
	}
	if !cfg.Logging.RecordScreen || consent == protocol.RecordingRefused {
		f.RecordCustomerScreen, f.RecordRepScreen = false, false
	}
	return f, nil
}

// handleFunctions answers a session's functions to its reps and admins.
func (s *Server) handleFunctions(w http.ResponseWriter, r *http.Request) error {
	sess, _, err := s.sessionRep(r, true)
	if err != nil {
		return err
	}
	f, err := s.effectiveFunctions(r.Context(), sess.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

// handleRepScreen takes a rep's start or stop of showing the screen.
func (s *Server) handleRepScreen(w http.ResponseWriter, r *http.Request) error {
	sess, self, err := s.sessionRep(r, false)
	if err != nil {
		return err
	}
	var st protocol.RepScreenState
	if err := readJSON(w, r, &st, false); err != nil {
		return err
	}
	if sess.State != protocol.StateActive {
		return apiErr(http.StatusConflict, protocol.CodeConflict, "the session is "+sess.State.String()+", not active")
	}
	ctx := r.Context()
	text := "stopped"
	if st.Showing {
		f, err := s.effectiveFunctions(ctx, sess.ID)
		if err != nil {
			return err
		}
		if !f.RepScreenSharing {
			// Logged with its reason by s.api, as every refusal.
			return apiErr(http.StatusForbidden, protocol.CodeForbidden, "this session's portal does not allow representatives to show their screen")
		}
		text = "started"
	}
	if _, err := s.store.AppendEvent(ctx, store.Event{SessionID: sess.ID, Kind: KindRepScreen, From: self.ID, Name: self.Name,
		Role: self.Role, Text: text, At: s.now()}); err != nil {
		return err
	}
	s.logger.Info("representative's screen "+text, "session", sess.ID, "rep", self.RepID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// recordsRepScreen reports whether the session's configuration snapshot
// records the rep's screen and the customer did not refuse.
func (s *Server) recordsRepScreen(r *http.Request, sessionID string) (bool, error) {
	f, err := s.effectiveFunctions(r.Context(), sessionID)
	if err != nil {
		return false, err
	}
	return f.RecordRepScreen, nil
}
