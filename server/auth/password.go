// Package auth holds the server's secrets handling: argon2id password
// hashes, bearer tokens and their hashes, random IDs, session codes and
// passwords, and a limiter of failed attempts.
//
// Everything random comes from crypto/rand. [HashPassword],
// [VerifyPassword] and [SimulateVerify] run at most max(2, NumCPU) argon2
// computations at once across the process; further calls wait their turn,
// so a burst of logins cannot exhaust the server's memory.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters and sizes.
type Params struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism (lanes).
	Threads uint8
	// SaltLen is the salt's length in bytes.
	SaltLen uint32
	// KeyLen is the hash's length in bytes.
	KeyLen uint32
}

// DefaultParams are the parameters new password hashes use: RFC 9106's
// second recommended option (section 4: argon2id, t=3, m=64 MiB, 128-bit
// salt, 256-bit tag) with two lanes instead of four, because the server
// typically has few cores and a login should not take them all. One hash
// costs 64 MiB and 0.1–0.3 s of CPU (0.31 s measured on the project's
// shared 2-core build machine: go test -bench HashPasswordDefault).
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}

// Limits of the parameters VerifyPassword accepts from a stored hash, so
// that a damaged or hostile hash cannot make one verification take
// gigabytes or minutes.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 100
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

// hashSlots bounds the argon2 computations running at once, and so their
// memory (Memory KiB each): a burst of logins waits instead of exhausting
// the server's memory.
var hashSlots = make(chan struct{}, max(2, runtime.NumCPU()))

// idKey is argon2.IDKey inside a hash slot.
func idKey(pw, salt []byte, p Params) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey(pw, salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// The password rule.
const (
	// MinPasswordRunes is the shortest password, in characters.
	MinPasswordRunes = 10
	// MaxPasswordBytes is the longest password, in bytes of UTF-8.
	MaxPasswordBytes = 1024
)

// ValidatePassword checks a new password against the rule: valid UTF-8,
// at least [MinPasswordRunes] characters, at most [MaxPasswordBytes] bytes,
// no control characters, and not only spaces. Any other character is
// allowed (NIST SP 800-63B: length matters, composition rules do not).
// [NewPassword]'s passwords satisfy it. The error wraps [ErrWeakPassword].
func ValidatePassword(pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return fmt.Errorf("%w: not valid UTF-8", ErrWeakPassword)
	case len(pw) > MaxPasswordBytes:
		return fmt.Errorf("%w: longer than %d bytes", ErrWeakPassword, MaxPasswordBytes)
	case utf8.RuneCountInString(pw) < MinPasswordRunes:
		return fmt.Errorf("%w: shorter than %d characters", ErrWeakPassword, MinPasswordRunes)
	case strings.TrimSpace(pw) == "":
		return fmt.Errorf("%w: only spaces", ErrWeakPassword)
	case strings.ContainsFunc(pw, unicode.IsControl):
		return fmt.Errorf("%w: contains control characters", ErrWeakPassword)
	}
	return nil
}

// HashPassword hashes pw with [DefaultParams] and a random salt, in PHC
// string form: $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>, salt and hash
// in unpadded standard base64. It does not apply the password rule; see
// [ValidatePassword].
func HashPassword(pw string) (string, error) {
	return HashPasswordWith(DefaultParams, pw)
}

// HashPasswordWith is [HashPassword] with other parameters (tests use
// cheap ones). The parameters must lie within what [VerifyPassword]
// accepts.
func HashPasswordWith(p Params, pw string) (string, error) {
	if err := p.check(); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := idKey([]byte(pw), salt, p)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// b64 is the PHC string format's base64: standard alphabet, no padding,
// and strict about the unused bits of the last character.
var b64 = base64.RawStdEncoding.Strict()

// VerifyPassword reports whether pw matches the PHC string phc, comparing
// in constant time. A phc that is not an argon2id hash of version 19 with
// parameters in range gives false and an error wrapping [ErrMalformedHash].
func VerifyPassword(phc, pw string) (bool, error) {
	p, salt, key, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	got := idKey([]byte(pw), salt, p)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether phc was made with parameters other than p,
// so that the server can rehash a password at the next successful login.
// A malformed phc needs one.
func NeedsRehash(phc string, p Params) bool {
	got, _, _, err := parsePHC(phc)
	return err != nil || got != p
}

// SimulateVerify spends the time of one [VerifyPassword] with parameters
// p and throws the result away. The server calls it when a login names an
// account that does not exist, so that the answer's timing does not tell
// which accounts exist.
func SimulateVerify(p Params, pw string) {
	if p.check() != nil {
		p = DefaultParams
	}
	salt := make([]byte, p.SaltLen)
	_ = idKey([]byte(pw), salt, p)
}

// check reports parameters outside the accepted ranges.
func (p Params) check() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("argon2 time %d outside 1..%d", p.Time, maxTime)
	case p.Threads < 1:
		return fmt.Errorf("argon2 parallelism %d below 1", p.Threads)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("argon2 memory %d KiB outside %d..%d", p.Memory, 8*uint32(p.Threads), maxMemory)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("argon2 salt length %d outside %d..%d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("argon2 hash length %d outside %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// parsePHC parses $argon2id$v=19$m=M,t=T,p=P$salt$hash, strictly: the
// fields in this order, decimal numbers without signs or leading zeros.
func parsePHC(phc string) (Params, []byte, []byte, error) {
	bad := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, why)
	}
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("want $argon2id$v=19$m=…,t=…,p=…$salt$hash")
	}
	if parts[1] != "argon2id" {
		return bad(fmt.Sprintf("algorithm %.20q, want argon2id", parts[1]))
	}
	v, ok := strings.CutPrefix(parts[2], "v=")
	if !ok {
		return bad("no version")
	}
	if n, err := parseUint(v, 32); err != nil || n != argon2.Version {
		return bad(fmt.Sprintf("version %.10q, want %d", v, argon2.Version))
	}
	var p Params
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return bad("want parameters m=…,t=…,p=…")
	}
	for i, name := range []string{"m", "t", "p"} {
		val, ok := strings.CutPrefix(fields[i], name+"=")
		if !ok {
			return bad(fmt.Sprintf("parameter %d is not %s", i+1, name))
		}
		bits := 32
		if name == "p" {
			bits = 8
		}
		n, err := parseUint(val, bits)
		if err != nil {
			return bad(fmt.Sprintf("parameter %s: %v", name, err))
		}
		switch name {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			p.Threads = uint8(n)
		}
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return bad("salt is not base64")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return bad("hash is not base64")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.check(); err != nil {
		return bad(err.Error())
	}
	return p, salt, key, nil
}

// parseUint parses a decimal number without sign or leading zeros.
func parseUint(s string, bits int) (uint64, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') || s[0] == '+' {
		return 0, fmt.Errorf("%.12q is not a plain decimal number", s)
	}
	return strconv.ParseUint(s, 10, bits)
}
