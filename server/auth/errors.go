package auth

import "errors"

// Errors returned by this package.
var (
	// ErrMalformedHash: a stored password hash is not an argon2id PHC
	// string this package can verify.
	ErrMalformedHash = errors.New("auth: malformed password hash")
	// ErrWeakPassword: a new password does not satisfy the password rule.
	ErrWeakPassword = errors.New("auth: password does not satisfy the rule")
)
