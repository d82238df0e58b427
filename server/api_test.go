package server_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

func TestHealthz(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	r := a.do(t, "GET", protocol.PathHealth, "", nil)
	if r.status != http.StatusOK || string(r.body) != "ok" {
		t.Errorf("GET /healthz = %d %q; want 200 \"ok\"", r.status, r.body)
	}
	if ok, _ := regexp.MatchString("^[0-9a-f]{64}$", h.Fingerprint); !ok {
		t.Errorf("fingerprint %q; want 64 lowercase hex digits", h.Fingerprint)
	}
	user, pw, created := h.Server.FirstAdmin()
	if user != "admin" || pw != servertest.AdminPassword || !created {
		t.Errorf("FirstAdmin = %q, %q, %v; want admin, the given password, true", user, pw, created)
	}
}

func TestLogin(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	h.AddRep(t, "alice", "alice-password")

	lr := a.login(t, "alice", "alice-password")
	if lr.Token == "" || lr.Rep.Username != "alice" || !lr.Expires.After(time.Now().Add(11*time.Hour)) {
		t.Errorf("login = %+v; want a token for alice lasting 12 hours", lr)
	}
	a.ok(t, "GET", protocol.PathQueue, lr.Token, nil, nil)
	if r := a.do(t, "POST", protocol.PathLogout, lr.Token, nil); r.status != http.StatusNoContent {
		t.Errorf("logout = %d %s; want 204", r.status, r.body)
	}
	if r := a.do(t, "GET", protocol.PathQueue, lr.Token, nil); r.status != http.StatusUnauthorized {
		t.Errorf("queue after logout = %d; want 401", r.status)
	}

	for _, tc := range []struct {
		name   string
		body   any
		ctype  string
		status int
		code   protocol.ErrorCode
	}{
		{"wrong password", protocol.LoginRequest{Username: "alice", Password: "wrong-password"}, "", 401, protocol.CodeUnauthorized},
		{"unknown user", protocol.LoginRequest{Username: "bob", Password: "alice-password"}, "", 401, protocol.CodeUnauthorized},
		{"not JSON", `{"username":`, "", 400, protocol.CodeBadData},
		{"unknown field", `{"username":"alice","password":"alice-password","x":1}`, "", 400, protocol.CodeBadData},
		{"trailing data", `{"username":"alice","password":"alice-password"} {}`, "", 400, protocol.CodeBadData},
		{"wrong type", `{"username":5,"password":"alice-password"}`, "", 400, protocol.CodeBadData},
		{"empty", `{}`, "", 400, protocol.CodeBadData},
		{"not json content type", `{"username":"alice","password":"alice-password"}`, "text/plain", 415, protocol.CodeBadData},
		{"too large", `{"username":"` + strings.Repeat("a", protocol.MaxRequestBytes) + `"}`, "", 413, protocol.CodeTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r response
			if tc.ctype != "" {
				req, _ := http.NewRequestWithContext(t.Context(), "POST", h.URL+protocol.PathLogin, strings.NewReader(tc.body.(string)))
				req.Header.Set("Content-Type", tc.ctype)
				resp, err := a.client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				r.status = resp.StatusCode
				if r.status != tc.status {
					t.Errorf("status %d; want %d", r.status, tc.status)
				}
				return
			}
			r = a.do(t, "POST", protocol.PathLogin, "", tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d %s; want %d", r.status, r.body, tc.status)
			}
			if e := r.errBody(t); e.Code != tc.code {
				t.Errorf("error code %s; want %s", e.Code, tc.code)
			}
		})
	}

	if r := a.do(t, "GET", protocol.PathQueue, "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("queue without token = %d; want 401", r.status)
	}
	if r := a.do(t, "GET", "/api/v1/nothing", "", nil); r.status != http.StatusNotFound {
		t.Errorf("unknown endpoint = %d; want 404", r.status)
	}
}

// checkLimited checks a 429 answer.
func checkLimited(t *testing.T, r response) {
	t.Helper()
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("status %d %s; want 429", r.status, r.body)
	}
	e := r.errBody(t)
	if e.Code != protocol.CodeRateLimited || e.RetryAfter <= 0 {
		t.Errorf("body %+v; want rate_limited with retry_after", e)
	}
	if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra != e.RetryAfter {
		t.Errorf("Retry-After %q; want %d", r.header.Get("Retry-After"), e.RetryAfter)
	}
}

func TestLoginRateLimitAccount(t *testing.T) {
	clk := newClock()
	h := servertest.Start(t, servertest.WithNow(clk.Now))
	a := newAPI(t, h)
	h.AddRep(t, "alice", "alice-password")
	wrong := protocol.LoginRequest{Username: "alice", Password: "wrong-password"}

	// A success resets the account's count.
	for range 4 {
		if r := a.do(t, "POST", protocol.PathLogin, "", wrong); r.status != 401 {
			t.Fatalf("wrong password = %d; want 401", r.status)
		}
	}
	a.login(t, "alice", "alice-password")
	for i := range 5 {
		if r := a.do(t, "POST", protocol.PathLogin, "", wrong); r.status != 401 {
			t.Fatalf("wrong password %d after a success = %d; want 401", i+1, r.status)
		}
	}
	// Five failures: even the right password is refused now.
	r := a.do(t, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: "ALICE", Password: "alice-password"})
	checkLimited(t, r)
	if e := r.errBody(t); e.RetryAfter > 15*60 {
		t.Errorf("retry_after %d; want at most 900", e.RetryAfter)
	}
	clk.Advance(16 * time.Minute)
	a.login(t, "alice", "alice-password")
}

func TestLoginRateLimitSource(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	for i := range 20 {
		r := a.do(t, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: "nobody" + strconv.Itoa(i), Password: "wrong-password"})
		if r.status != 401 {
			t.Fatalf("attempt %d = %d; want 401", i+1, r.status)
		}
	}
	checkLimited(t, a.do(t, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: h.AdminUser, Password: h.AdminPassword}))
}

func TestKeys(t *testing.T) {
	clk := newClock()
	h := servertest.Start(t, servertest.WithNow(clk.Now), servertest.WithKeyLifetime(5*time.Minute))
	a := newAPI(t, h)
	tok := a.login(t, h.AdminUser, h.AdminPassword).Token

	k := a.key(t, tok)
	if ok, _ := regexp.MatchString(`^[0-9]{9}$`, k.Code); !ok {
		t.Errorf("code %q; want 9 digits", k.Code)
	}
	if want := h.URL + "/k/" + k.Code + "?fp=" + h.Fingerprint; k.URL != want {
		t.Errorf("URL %q; want %q", k.URL, want)
	}
	if !k.Expires.Equal(clk.Now().Add(5 * time.Minute)) {
		t.Errorf("expires %v; want now + 5m", k.Expires)
	}
	if r := a.do(t, "POST", protocol.PathKeys, "", nil); r.status != 401 {
		t.Errorf("key without token = %d; want 401", r.status)
	}

	j := a.join(t, protocol.FormatCode(k.Code), "Carol")
	if j.Token == "" || j.Session.State != protocol.StateWaiting || j.Participant.Role != protocol.RoleCustomer || j.Participant.Name != "Carol" {
		t.Errorf("join = %+v; want a waiting session with Carol as customer", j)
	}
	r := a.do(t, "POST", protocol.PathJoin, "", protocol.JoinRequest{Code: k.Code})
	if r.status != http.StatusGone || !strings.Contains(r.errBody(t).Message, "used") {
		t.Errorf("second join = %d %s; want 410 saying used", r.status, r.body)
	}
	if r := a.do(t, "POST", protocol.PathKeys, j.Token, nil); r.status != 403 {
		t.Errorf("key with a customer token = %d; want 403", r.status)
	}

	var q protocol.Queue
	a.ok(t, "GET", protocol.PathQueue, tok, nil, &q)
	if len(q.Waiting) != 1 || q.Waiting[0].ID != j.Session.ID {
		t.Errorf("queue %+v; want the one waiting session %s", q, j.Session.ID)
	}

	old := a.key(t, tok)
	clk.Advance(5*time.Minute + time.Second)
	r = a.do(t, "POST", protocol.PathJoin, "", protocol.JoinRequest{Code: old.Code})
	if r.status != http.StatusGone || !strings.Contains(r.errBody(t).Message, "expired") {
		t.Errorf("join with an expired key = %d %s; want 410 saying expired", r.status, r.body)
	}
	unknown := "000000000"
	if unknown == k.Code || unknown == old.Code {
		unknown = "999999999"
	}
	if r := a.do(t, "POST", protocol.PathJoin, "", protocol.JoinRequest{Code: unknown}); r.status != http.StatusNotFound {
		t.Errorf("join with an unknown code = %d %s; want 404", r.status, r.body)
	}
	if r := a.do(t, "POST", protocol.PathJoin, "", protocol.JoinRequest{Code: "12345"}); r.status != http.StatusBadRequest {
		t.Errorf("join with a short code = %d %s; want 400", r.status, r.body)
	}
}

func TestJoinRateLimit(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	tok := a.login(t, h.AdminUser, h.AdminPassword).Token
	k := a.key(t, tok)
	wrong := "000000000"
	if wrong == k.Code {
		wrong = "000000001"
	}
	for i := range 10 {
		if r := a.do(t, "POST", protocol.PathJoin, "", protocol.JoinRequest{Code: wrong}); r.status != 404 {
			t.Fatalf("wrong code %d = %d; want 404", i+1, r.status)
		}
	}
	// Even the right code is refused now, and is not spent.
	checkLimited(t, a.do(t, "POST", protocol.PathJoin, "", protocol.JoinRequest{Code: k.Code}))
}

func TestTranscriptAccess(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	h.AddRep(t, "alice", "alice-password")
	h.AddRep(t, "bob", "bob-password")
	alice := a.login(t, "alice", "alice-password").Token
	bob := a.login(t, "bob", "bob-password").Token
	admin := a.login(t, h.AdminUser, h.AdminPassword).Token
	j := a.join(t, a.key(t, alice).Code, "")

	path := protocol.PathSession + j.Session.ID + "/events"
	// Alice is not a member before she accepts; the admin may read it.
	for _, tc := range []struct {
		name, token string
		status      int
	}{
		{"no token", "", 401},
		{"customer", j.Token, 403},
		{"other rep", bob, 403},
		{"owner before accepting", alice, 403},
		{"admin", admin, 200},
	} {
		if r := a.do(t, "GET", path, tc.token, nil); r.status != tc.status {
			t.Errorf("%s: transcript = %d %s; want %d", tc.name, r.status, r.body, tc.status)
		}
	}
	tr := a.transcript(t, admin, j.Session.ID)
	if len(tr.Events) != 1 || tr.Events[0].Kind != "created" || tr.Session.CustomerName != "Customer" {
		t.Errorf("transcript %+v; want one created event for \"Customer\"", tr)
	}
}

func TestPublicURL(t *testing.T) {
	h := servertest.Start(t, servertest.WithPublicURL("https://support.example.com/"))
	a := newAPI(t, h)
	k := a.key(t, a.login(t, h.AdminUser, h.AdminPassword).Token)
	if want := "https://support.example.com/k/" + k.Code + "?fp=" + h.Fingerprint; k.URL != want {
		t.Errorf("key URL %q; want %q", k.URL, want)
	}
}
