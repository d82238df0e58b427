package adminweb

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"sync"
	"time"
)

// Session limits.
const (
	// sessionIdle ends a session nobody used for this long.
	sessionIdle = 30 * time.Minute
	// sessionMax ends every session this long after sign-in.
	sessionMax = 8 * time.Hour
	// maxSessions bounds the sessions kept in memory; the oldest go first.
	maxSessions = 10000
)

// Cookie names. The __Host- prefix makes browsers insist on Secure, Path=/
// and no Domain, so no other host or plain-HTTP page can set them.
const (
	sessionCookie = "__Host-tandem-admin"
	// signinCookie carries the sign-in form's CSRF token before there is a session.
	signinCookie = "__Host-tandem-admin-signin"
	// csrfField is the hidden form field with the CSRF token.
	csrfField = "csrf"
)

// session is one signed-in admin's browser.
type session struct {
	repID string
	// csrf is the token every form of the session posts back.
	csrf    string
	created time.Time
	seen    time.Time
}

// sessions are the signed-in browsers, in memory: a restart signs
// everybody out. They are keyed by the SHA-256 of the cookie's value, so
// that the map holds no usable secret.
type sessions struct {
	mu  sync.Mutex
	m   map[string]*session
	now func() time.Time
}

// newSessions makes an empty set.
func newSessions(now func() time.Time) *sessions {
	return &sessions{m: map[string]*session{}, now: now}
}

// randomToken is 32 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand, Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// key is the map key of a cookie value.
func key(cookie string) string {
	h := sha256.Sum256([]byte(cookie))
	return hex.EncodeToString(h[:])
}

// create starts a session for a rep and returns the cookie value.
func (s *sessions) create(repID string) (string, *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.expireLocked(now)
	if len(s.m) >= maxSessions {
		var oldest string
		var at time.Time
		for k, v := range s.m {
			if oldest == "" || v.created.Before(at) {
				oldest, at = k, v.created
			}
		}
		delete(s.m, oldest)
	}
	c := randomToken()
	ss := &session{repID: repID, csrf: randomToken(), created: now, seen: now}
	s.m[key(c)] = ss
	return c, ss
}

// get returns the live session of a cookie value and marks it used.
func (s *sessions) get(cookie string) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(cookie)
	ss, ok := s.m[k]
	if !ok {
		return session{}, false
	}
	now := s.now()
	if now.Sub(ss.seen) > sessionIdle || now.Sub(ss.created) > sessionMax {
		delete(s.m, k)
		return session{}, false
	}
	ss.seen = now
	return *ss, true
}

// end deletes the session of a cookie value.
func (s *sessions) end(cookie string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key(cookie))
}

// expireLocked drops expired sessions.
func (s *sessions) expireLocked(now time.Time) {
	for k, v := range s.m {
		if now.Sub(v.seen) > sessionIdle || now.Sub(v.created) > sessionMax {
			delete(s.m, k)
		}
	}
}

// tokensEqual compares two tokens in constant time; empty never matches.
func tokensEqual(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// setCookie sets a Secure, HttpOnly, SameSite=Strict cookie; maxAge < 0
// deletes it, 0 makes it last as long as the browser.
func setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	})
}
