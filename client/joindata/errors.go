package joindata

import "errors"

// Errors of reading and writing join data. Every error [Read] returns wraps
// exactly one of them.
var (
	// ErrNoData: the file carries no join data (a developer build, or a
	// client copied from somewhere else than the portal).
	ErrNoData = errors.New("joindata: the file carries no join data")
	// ErrCorrupt: the trailer is there but malformed: changed or cut.
	ErrCorrupt = errors.New("joindata: the join data is damaged")
	// ErrVersion: the trailer was written by a newer format version.
	ErrVersion = errors.New("joindata: unsupported join data version")
	// ErrSignature: the signature does not verify with the certificate
	// in the trailer.
	ErrSignature = errors.New("joindata: the join data's signature is not valid")
	// ErrExpired: the join data is past its expiry (or not yet valid).
	ErrExpired = errors.New("joindata: the join data has expired")
	// ErrBadData: the fields to write, or the fields read, are not valid.
	ErrBadData = errors.New("joindata: invalid join data")
	// ErrKey: the signer's key does not belong to the certificate, or is
	// of a kind this package does not sign with.
	ErrKey = errors.New("joindata: unusable signing key")
)
