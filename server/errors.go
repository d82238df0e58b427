package server

import "errors"

// Errors returned by this package.
var (
	// ErrNoDataDir: Config.DataDir is empty.
	ErrNoDataDir = errors.New("server: no data directory")
	// ErrStarted: Start was called twice.
	ErrStarted = errors.New("server: already started")
	// ErrClosed: the server was closed.
	ErrClosed = errors.New("server: closed")
	// ErrBadCert: the certificate or key file cannot be used.
	ErrBadCert = errors.New("server: bad certificate")
)
