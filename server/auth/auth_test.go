package auth

import (
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// cheap are parameters that make tests fast.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerify(t *testing.T) {
	const pw = "correct horse battery staple"
	h, err := HashPasswordWith(cheap, pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("HashPasswordWith = %q; want the PHC argon2id form with m=64,t=1,p=1", h)
	}
	for _, tc := range []struct {
		name string
		pw   string
		want bool
	}{
		{"right", pw, true},
		{"wrong", "correct horse battery stapler", false},
		{"empty", "", false},
		{"case", strings.ToUpper(pw), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := VerifyPassword(h, tc.pw)
			if err != nil || ok != tc.want {
				t.Errorf("VerifyPassword(%q) = %v, %v; want %v, nil", tc.pw, ok, err, tc.want)
			}
		})
	}

	h2, err := HashPasswordWith(cheap, pw)
	if err != nil {
		t.Fatal(err)
	}
	if h2 == h {
		t.Errorf("two hashes of one password are equal (%s); want different salts", h)
	}
	if ok, _ := VerifyPassword(h2, pw); !ok {
		t.Error("second hash does not verify")
	}
}

func TestDefaultParams(t *testing.T) {
	h, err := HashPassword("a password of some length")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=3,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(h) {
		t.Errorf("HashPassword = %q; want $argon2id$v=19$m=65536,t=3,p=2$<22 chars>$<43 chars>", h)
	}
	ok, err := VerifyPassword(h, "a password of some length")
	if err != nil || !ok {
		t.Errorf("VerifyPassword of the right password = %v, %v; want true, nil", ok, err)
	}
	if NeedsRehash(h, DefaultParams) {
		t.Error("NeedsRehash(default hash, DefaultParams) = true; want false")
	}
	if !NeedsRehash(h, cheap) {
		t.Error("NeedsRehash(default hash, cheap) = false; want true")
	}
}

// TestKnownVectors checks interoperability with the reference
// implementation: these hashes were made once with the reference C library
// (libargon2 20171227, argon2id_hash_encoded).
func TestKnownVectors(t *testing.T) {
	for _, tc := range []struct{ phc, pw string }{
		{"$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU", "password"},
		{"$argon2id$v=19$m=64,t=3,p=1$MDEyMzQ1Njc4OWFiY2RlZg$o5lr8pyLCDE9qzjCQQ2yJxyZESu2Svjwku7S+dbJgnI", "correct horse battery staple"},
	} {
		ok, err := VerifyPassword(tc.phc, tc.pw)
		if err != nil || !ok {
			t.Errorf("VerifyPassword(%s, %q) = %v, %v; want true, nil", tc.phc, tc.pw, ok, err)
		}
		if ok, _ := VerifyPassword(tc.phc, tc.pw+"x"); ok {
			t.Errorf("VerifyPassword(%s, wrong) = true; want false", tc.phc)
		}
	}
}

func TestVerifyMalformed(t *testing.T) {
	good, err := HashPasswordWith(cheap, "some password")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	for _, tc := range []struct {
		name string
		phc  string
	}{
		{"empty", ""},
		{"plain text", "some password"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"no version", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key},
		{"params reordered", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key},
		{"param missing", "$argon2id$v=19$m=64,t=1$" + salt + "$" + key},
		{"extra param", "$argon2id$v=19$m=64,t=1,p=1,x=2$" + salt + "$" + key},
		{"leading zero", "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key},
		{"plus sign", "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key},
		{"negative", "$argon2id$v=19$m=64,t=-1,p=1$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"threads overflow", "$argon2id$v=19$m=64,t=1,p=256$" + salt + "$" + key},
		{"huge memory", "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key},
		{"memory overflow", "$argon2id$v=19$m=99999999999,t=1,p=1$" + salt + "$" + key},
		{"huge time", "$argon2id$v=19$m=64,t=100000,p=1$" + salt + "$" + key},
		{"memory below 8p", "$argon2id$v=19$m=8,t=1,p=2$" + salt + "$" + key},
		{"salt not base64", "$argon2id$v=19$m=64,t=1,p=1$!!!!$" + key},
		{"padded salt", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{"short salt", "$argon2id$v=19$m=64,t=1,p=1$YWJj$" + key},
		{"empty hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$"},
		{"short hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$YWJjZGVm"},
		{"trailing field", good + "$x"},
		{"no leading dollar", strings.TrimPrefix(good, "$")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := VerifyPassword(tc.phc, "some password")
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Errorf("VerifyPassword(%q) = %v, %v; want false, ErrMalformedHash", tc.phc, ok, err)
			}
			if !NeedsRehash(tc.phc, cheap) {
				t.Errorf("NeedsRehash(%q) = false; want true", tc.phc)
			}
		})
	}
}

func TestHashPasswordWithBadParams(t *testing.T) {
	for _, p := range []Params{
		{},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8},
		{Memory: 1 << 30, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
	} {
		if h, err := HashPasswordWith(p, "x"); err == nil {
			t.Errorf("HashPasswordWith(%+v) = %q; want an error", p, h)
		}
	}
	SimulateVerify(cheap, "x")
	SimulateVerify(Params{}, "x") // falls back to DefaultParams, does not panic
}

func TestValidatePassword(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{"0123456789", true},
		{"äöüßéèêëïî", true}, // ten characters, twenty bytes
		{"correct horse battery staple", true},
		{"012345678", false},
		{"", false},
		{"          ", false},
		{"0123456789\n", false},
		{"01234\x0056789", false},
		{"0123456789\xff", false},
		{strings.Repeat("a", MaxPasswordBytes), true},
		{strings.Repeat("a", MaxPasswordBytes+1), false},
	} {
		err := ValidatePassword(tc.pw)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrWeakPassword)) {
			t.Errorf("ValidatePassword(%.20q) = %v; want ok=%v (errors wrapping ErrWeakPassword)", tc.pw, err, tc.ok)
		}
	}
}

func TestTokens(t *testing.T) {
	tok, hash, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(tok) {
		t.Errorf("NewToken = %q; want 43 base64url characters", tok)
	}
	if hash != HashToken(tok) {
		t.Errorf("NewToken's hash %s; want HashToken(token) %s", hash, HashToken(tok))
	}
	tok2, _, _ := NewToken()
	if tok2 == tok {
		t.Error("two tokens are equal")
	}
	// Stable: SHA-256 hex, independent of anything but the token.
	for _, tc := range []struct{ in, want string }{
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	} {
		if got := HashToken(tc.in); got != tc.want {
			t.Errorf("HashToken(%q) = %s; want %s", tc.in, got, tc.want)
		}
	}
}

func TestNewID(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		id := NewID()
		if b, err := hex.DecodeString(id); err != nil || len(b) != 16 || strings.ToLower(id) != id {
			t.Fatalf("NewID = %q; want 32 lower-case hex digits", id)
		}
		if seen[id] {
			t.Fatalf("NewID repeated %s", id)
		}
		seen[id] = true
	}
}

func TestNewCode(t *testing.T) {
	const draws = 5000
	var counts [9][10]int
	for range draws {
		c, err := NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != 9 {
			t.Fatalf("NewCode = %q; want 9 digits", c)
		}
		for i := range len(c) {
			d := c[i] - '0'
			if d > 9 {
				t.Fatalf("NewCode = %q; want only digits", c)
			}
			counts[i][d]++
		}
	}
	// Each position sees every digit, none wildly over- or under-drawn:
	// with 500 expected per cell, a uniform source leaves [350, 650] with
	// probability 1 - 1e-11 per cell.
	for pos, row := range counts {
		for d, n := range row {
			if n < 350 || n > 650 {
				t.Errorf("position %d: digit %d drawn %d times of %d; want about %d", pos, d, n, draws, draws/10)
			}
		}
	}
}

func TestNewPassword(t *testing.T) {
	re := regexp.MustCompile(`^[` + passwordAlphabet + `]{5}(-[` + passwordAlphabet + `]{5}){3}$`)
	seen := make(map[string]bool)
	chars := make(map[rune]bool)
	for range 200 {
		pw, err := NewPassword()
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(pw) {
			t.Fatalf("NewPassword = %q; want four dash-separated groups of five unambiguous characters", pw)
		}
		if err := ValidatePassword(pw); err != nil {
			t.Fatalf("NewPassword %q fails the rule: %v", pw, err)
		}
		if seen[pw] {
			t.Fatalf("NewPassword repeated %q", pw)
		}
		seen[pw] = true
		for _, r := range strings.ReplaceAll(pw, "-", "") {
			chars[r] = true
		}
	}
	if len(chars) != len(passwordAlphabet) {
		t.Errorf("200 passwords used %d distinct characters; want all %d", len(chars), len(passwordAlphabet))
	}
	if strings.ContainsAny(passwordAlphabet, "01ilo") {
		t.Errorf("alphabet %q has ambiguous characters", passwordAlphabet)
	}
}

func TestLimiter(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return base.Add(d) }
	l := NewLimiter(3, time.Minute)

	type step struct {
		op   string // "allow", "fail", "reset"
		key  string
		at   time.Duration
		ok   bool          // for allow
		wait time.Duration // for allow
	}
	steps := []step{
		{"allow", "a", 0, true, 0},
		{"fail", "a", 0, false, 0},
		{"fail", "a", 10 * time.Second, false, 0},
		{"allow", "a", 10 * time.Second, true, 0},
		{"fail", "a", 20 * time.Second, false, 0},
		// Three failures within the minute: locked until the first leaves.
		{"allow", "a", 20 * time.Second, false, 40 * time.Second},
		{"allow", "a", 59 * time.Second, false, time.Second},
		{"allow", "b", 30 * time.Second, true, 0}, // other keys are not affected
		// At 60 s the first failure has left the window: one more attempt.
		{"allow", "a", 60 * time.Second, true, 0},
		{"fail", "a", 60 * time.Second, false, 0},
		{"allow", "a", 61 * time.Second, false, 9 * time.Second},
		// After a full quiet window everything is forgotten.
		{"allow", "a", 121 * time.Second, true, 0},
		{"fail", "a", 121 * time.Second, false, 0},
		{"fail", "a", 122 * time.Second, false, 0},
		{"fail", "a", 123 * time.Second, false, 0},
		{"allow", "a", 124 * time.Second, false, 57 * time.Second},
		{"reset", "a", 0, false, 0},
		{"allow", "a", 124 * time.Second, true, 0},
	}
	for i, s := range steps {
		switch s.op {
		case "allow":
			ok, wait := l.Allow(s.key, at(s.at))
			if ok != s.ok || wait != s.wait {
				t.Errorf("step %d: Allow(%s, +%v) = %v, %v; want %v, %v", i, s.key, s.at, ok, wait, s.ok, s.wait)
			}
		case "fail":
			l.Fail(s.key, at(s.at))
		case "reset":
			l.Reset(s.key)
		}
	}
}

func TestLimiterClockStepsBack(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(2, time.Minute)
	l.Fail("k", base.Add(30*time.Second))
	l.Fail("k", base) // earlier than the first
	ok, wait := l.Allow("k", base.Add(30*time.Second))
	if ok || wait != 30*time.Second {
		t.Errorf("Allow = %v, %v; want false, 30s (the oldest failure leaves first)", ok, wait)
	}
}

func TestLimiterMemoryBound(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(5, time.Minute)
	l.MaxKeys = 100

	// Many keys failing at once: never more than MaxKeys.
	for i := range 1000 {
		l.Fail(fmt.Sprint("ip", i), base)
		if n := l.Len(); n > 100 {
			t.Fatalf("after %d keys the limiter tracks %d; want at most 100", i+1, n)
		}
	}
	// Once the window has passed, new keys sweep the old ones away.
	later := base.Add(2 * time.Minute)
	l.Fail("fresh", later)
	if n := l.Len(); n != 1 {
		t.Errorf("after the window passed the limiter tracks %d keys; want 1", n)
	}
	// Allow forgets a key whose failures have left the window.
	if ok, _ := l.Allow("fresh", later.Add(time.Minute)); !ok || l.Len() != 0 {
		t.Errorf("Allow after the window = %v with %d keys; want true with 0", ok, l.Len())
	}
	// A key keeps at most max failure times.
	for i := range 100 {
		l.Fail("busy", later.Add(time.Duration(i)*time.Millisecond))
	}
	l.mu.Lock()
	n := len(l.keys["busy"].times)
	l.mu.Unlock()
	if n != 5 {
		t.Errorf("a key holds %d failure times; want max = 5", n)
	}
}

func TestLimiterConcurrent(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(50, time.Minute)
	l.MaxKeys = 16
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				key := fmt.Sprint("k", (g*7+i)%20)
				now := base.Add(time.Duration(i) * time.Second)
				l.Allow(key, now)
				l.Fail(key, now)
				if i%17 == 0 {
					l.Reset(key)
				}
			}
		})
	}
	wg.Wait()
	if l.Len() > 16 {
		t.Errorf("limiter tracks %d keys; want at most 16", l.Len())
	}
	// One key, failed concurrently max times, is then refused.
	l2 := NewLimiter(40, time.Minute)
	for range 40 {
		wg.Go(func() { l2.Fail("acct", base) })
	}
	wg.Wait()
	if ok, _ := l2.Allow("acct", base); ok {
		t.Error("Allow after 40 concurrent failures = true; want false")
	}
}

func TestNewLimiterPanics(t *testing.T) {
	for _, tc := range []struct {
		max    int
		window time.Duration
	}{{0, time.Minute}, {1, 0}, {-1, -time.Second}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewLimiter(%d, %v) did not panic", tc.max, tc.window)
				}
			}()
			NewLimiter(tc.max, tc.window)
		}()
	}
}

func BenchmarkHashPasswordDefault(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLimiterAllowFail(b *testing.B) {
	l := NewLimiter(5, time.Minute)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	i := 0
	for b.Loop() {
		key := fmt.Sprint("k", i%1000)
		now := base.Add(time.Duration(i) * time.Millisecond)
		l.Allow(key, now)
		l.Fail(key, now)
		i++
	}
}

func TestConcurrentHashes(t *testing.T) {
	// More callers than hash slots: all finish, all verify.
	var wg sync.WaitGroup
	for i := range 4 * cap(hashSlots) {
		wg.Go(func() {
			pw := fmt.Sprint("password number ", i)
			h, err := HashPasswordWith(cheap, pw)
			if err != nil {
				t.Error(err)
				return
			}
			if ok, err := VerifyPassword(h, pw); !ok || err != nil {
				t.Errorf("VerifyPassword = %v, %v; want true, nil", ok, err)
			}
		})
	}
	wg.Wait()
	if n := len(hashSlots); n != 0 {
		t.Errorf("%d hash slots still taken; want 0", n)
	}
}
