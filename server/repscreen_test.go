package server_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

// TestRepScreenRequests: the session's functions and the rep's screen
// start and stop answer only the session's reps, refuse a start where the
// portal does not allow it, and refuse malformed bodies with a reason.
func TestRepScreenRequests(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	s := startSession(t, a, h.AdminUser, h.AdminPassword)
	h.AddRep(t, "bob", "bob-password-1", protocol.RoleRep)
	bob := a.login(t, "bob", "bob-password-1").Token
	functions := protocol.PathSession + s.id + "/functions"
	repScreen := protocol.PathSession + s.id + "/rep-screen"

	r := a.do(t, "GET", functions, s.repTok, nil)
	var f protocol.Functions
	if r.status != http.StatusOK || json.Unmarshal(r.body, &f) != nil || f.RepScreenSharing || !f.CustomerScreenSharing {
		t.Fatalf("functions: %d %s; want the default portal's (customer sharing only)", r.status, r.body)
	}
	for _, tt := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		code                      protocol.ErrorCode
		reason                    string
	}{
		{"functions without a token", "GET", functions, "", nil, http.StatusUnauthorized, protocol.CodeUnauthorized, ""},
		{"functions of a rep not in it", "GET", functions, bob, nil, http.StatusForbidden, protocol.CodeForbidden, "representatives"},
		{"functions of the customer", "GET", functions, s.custTk, nil, http.StatusForbidden, protocol.CodeForbidden, "only representatives"},
		{"functions of no session", "GET", protocol.PathSession + "nope/functions", s.repTok, nil, http.StatusForbidden, protocol.CodeForbidden, ""},
		{"start, not allowed", "POST", repScreen, s.repTok, map[string]bool{"showing": true}, http.StatusForbidden, protocol.CodeForbidden, "does not allow representatives to show their screen"},
		{"start by a rep not in it", "POST", repScreen, bob, map[string]bool{"showing": true}, http.StatusForbidden, protocol.CodeForbidden, ""},
		{"not JSON", "POST", repScreen, s.repTok, "{", http.StatusBadRequest, protocol.CodeBadData, ""},
		{"unknown field", "POST", repScreen, s.repTok, `{"showing":true,"video":"x"}`, http.StatusBadRequest, protocol.CodeBadData, ""},
		{"no body", "POST", repScreen, s.repTok, nil, http.StatusUnsupportedMediaType, protocol.CodeBadData, "application/json"},
		{"recording of another screen", "POST", protocol.PathSession + s.id + "/recordings?screen=desk", s.repTok, "x", http.StatusBadRequest, protocol.CodeBadData, "customer or rep"},
		{"recording of the rep's screen, not recorded", "POST", protocol.PathSession + s.id + "/recordings?screen=rep", s.repTok, "x", http.StatusForbidden, protocol.CodeForbidden, "representative's screen"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantRefused(t, a.do(t, tt.method, tt.path, tt.token, tt.body), tt.status, tt.code, tt.reason)
		})
	}
	if r := a.do(t, "POST", repScreen, s.repTok, map[string]bool{"showing": false}); r.status != http.StatusNoContent {
		t.Errorf("stop: %d %s; want 204", r.status, r.body)
	}
}
