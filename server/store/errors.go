package store

import "errors"

// Errors returned by every [Store] implementation.
var (
	// ErrNotFound: no such record.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: the record exists already, or is not in the state the
	// operation needs.
	ErrConflict = errors.New("store: conflict")
	// ErrExpired: a key's lifetime has passed.
	ErrExpired = errors.New("store: expired")
	// ErrUsed: a single-use key was spent already.
	ErrUsed = errors.New("store: already used")
	// ErrCancelled: a rep cancelled the invitation.
	ErrCancelled = errors.New("store: cancelled")
	// ErrLimit: the session has as many invitations as it may.
	ErrLimit = errors.New("store: limit reached")
)
