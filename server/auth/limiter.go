package auth

import (
	"fmt"
	"sync"
	"time"
)

// DefaultMaxKeys is how many keys a [Limiter] tracks when its MaxKeys is zero.
const DefaultMaxKeys = 100_000

// evictSample is how many entries a full Limiter looks at to pick one to
// drop: the one whose last failure is oldest among them.
const evictSample = 8

// Limiter counts failed attempts per key (an account, a source address)
// in a sliding window and refuses a key that has failed max times within
// the last window, until the oldest of those failures leaves the window.
// Times are passed in, so tests and callers control the clock.
//
// Typical use, per attempt:
//
//	if ok, wait := l.Allow(key, now); !ok {
//		// refuse with 429 and Retry-After: wait
//	}
//	if failed {
//		l.Fail(key, now)
//	} else {
//		l.Reset(key) // for account keys; a source address may keep its count
//	}
//
// Allow and Fail are separate calls, so attempts running at the same
// moment may each pass Allow before any of them fails: the limit can be
// exceeded by the number of concurrent attempts.
//
// Memory is bounded: a key is forgotten once its failures have left the
// window, and at most MaxKeys keys are tracked; beyond that, keys whose
// failures lie in the past are swept, then the stalest of a small random
// sample is dropped. A Limiter is safe for concurrent use.
type Limiter struct {
	// MaxKeys caps the number of keys tracked; optional, zero means
	// [DefaultMaxKeys]. Set it before the Limiter is first used.
	MaxKeys int

	max    int
	window time.Duration

	mu        sync.Mutex
	keys      map[string]*failures
	lastSweep time.Time
}

// failures are one key's failures within the window, oldest first; at
// most max of them.
type failures struct {
	times []time.Time
}

// newest is the time of the latest failure.
func (f *failures) newest() time.Time { return f.times[len(f.times)-1] }

// NewLimiter returns a Limiter that refuses a key after max failures
// within window. It panics if max < 1 or window <= 0 (a programming error).
func NewLimiter(max int, window time.Duration) *Limiter {
	if max < 1 || window <= 0 {
		panic(fmt.Sprintf("auth.NewLimiter(%d, %v): need max >= 1 and window > 0", max, window))
	}
	return &Limiter{max: max, window: window, keys: make(map[string]*failures)}
}

// Allow reports whether key may make an attempt at now. When not, it also
// returns how long until it may (until the oldest counted failure leaves
// the window).
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.keys[key]
	if f == nil {
		return true, 0
	}
	if l.prune(f, now) {
		delete(l.keys, key)
		return true, 0
	}
	if len(f.times) < l.max {
		return true, 0
	}
	wait := f.times[0].Add(l.window).Sub(now)
	if wait <= 0 { // cannot happen after prune; keep the promise anyway
		return true, 0
	}
	return false, wait
}

// Fail records a failed attempt by key at now.
func (l *Limiter) Fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.keys[key]
	if f == nil {
		l.makeRoom(now)
		f = &failures{times: make([]time.Time, 0, min(l.max, 8))}
		l.keys[key] = f
	} else {
		l.prune(f, now)
	}
	// Keep the times sorted even if the clock stepped back.
	i := len(f.times)
	f.times = append(f.times, now)
	for ; i > 0 && f.times[i-1].After(now); i-- {
		f.times[i] = f.times[i-1]
	}
	f.times[i] = now
	if len(f.times) > l.max {
		f.times = append(f.times[:0], f.times[len(f.times)-l.max:]...)
	}
}

// Reset forgets key's failures (after a successful attempt).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// Len returns the number of keys tracked.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// prune drops the failures that have left the window at now and reports
// whether none are left.
func (l *Limiter) prune(f *failures, now time.Time) bool {
	cut := 0
	for cut < len(f.times) && !now.Before(f.times[cut].Add(l.window)) {
		cut++
	}
	if cut > 0 {
		f.times = append(f.times[:0], f.times[cut:]...)
	}
	return len(f.times) == 0
}

// makeRoom makes sure one more key fits.
func (l *Limiter) makeRoom(now time.Time) {
	maxKeys := l.MaxKeys
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	if len(l.keys) < maxKeys {
		return
	}
	// Sweeping looks at every key: do it at most a few times per window.
	if l.lastSweep.IsZero() || now.Sub(l.lastSweep) >= l.window/8 || now.Before(l.lastSweep) {
		l.lastSweep = now
		for k, f := range l.keys {
			if !now.Before(f.newest().Add(l.window)) {
				delete(l.keys, k)
			}
		}
	}
	for len(l.keys) >= maxKeys {
		var (
			victim string
			oldest time.Time
			seen   int
		)
		for k, f := range l.keys { // map iteration starts at a random place
			if seen == 0 || f.newest().Before(oldest) {
				victim, oldest = k, f.newest()
			}
			if seen++; seen == evictSample {
				break
			}
		}
		delete(l.keys, victim)
	}
}
