package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
)

// TokenBytes is the number of random bytes in a token.
const TokenBytes = 32

// NewToken returns a new bearer token (TokenBytes random bytes, unpadded
// base64url: 43 characters) and its hash as [HashToken] computes it. The
// server hands out the token and stores only the hash.
func NewToken() (token, hash string, err error) {
	b := make([]byte, TokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("new token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken returns the SHA-256 of token in lower-case hex: the form a
// token is stored and looked up by. A token has 256 random bits, so a fast
// hash suffices (nothing to brute-force).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewID returns a random identifier: 16 random bytes in lower-case hex
// (32 characters). Reps, sessions and participants are named by these.
func NewID() string {
	b := make([]byte, 16)
	// crypto/rand.Read never returns an error (Go 1.24+): on failure it
	// crashes the program rather than hand out predictable bytes.
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// codeSpace is the number of session codes: 10^9.
var codeSpace = big.NewInt(1_000_000_000)

// NewCode returns a session code: 9 decimal digits drawn uniformly from
// 000000000 to 999999999 (crypto/rand.Int rejects out-of-range draws, so
// there is no modulo bias). The first digit may be 0.
func NewCode() (string, error) {
	n, err := rand.Int(rand.Reader, codeSpace)
	if err != nil {
		return "", fmt.Errorf("new code: %w", err)
	}
	return fmt.Sprintf("%09d", n.Int64()), nil
}

// passwordAlphabet has the digits and lower-case letters people do not
// confuse: no 0, 1, i, l, o.
const passwordAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// Shape of the passwords NewPassword makes.
const (
	passwordGroups     = 4
	passwordGroupRunes = 5
)

// NewPassword returns a random password for an account nobody chose one
// for (the first admin): four groups of five characters from 31 that are
// not easily confused, joined by dashes, like "k7m2q-xw9fh-3nbtp-a4e8r"
// (about 99 bits). It satisfies [ValidatePassword].
func NewPassword() (string, error) {
	var sb strings.Builder
	size := big.NewInt(int64(len(passwordAlphabet)))
	for g := range passwordGroups {
		if g > 0 {
			sb.WriteByte('-')
		}
		for range passwordGroupRunes {
			n, err := rand.Int(rand.Reader, size)
			if err != nil {
				return "", fmt.Errorf("new password: %w", err)
			}
			sb.WriteByte(passwordAlphabet[n.Int64()])
		}
	}
	return sb.String(), nil
}
