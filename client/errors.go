package client

import "errors"

// Errors of this package. Refusals from the server are *protocol.Error.
var (
	// ErrBadServer: the server URL or fingerprint is malformed.
	ErrBadServer = errors.New("client: bad server address")
	// ErrBadJoinURL: a join link is not a Tandem session key URL.
	ErrBadJoinURL = errors.New("client: not a session link")
	// ErrFingerprint: the server's certificate is not the pinned one.
	ErrFingerprint = errors.New("client: server certificate does not match")
	// ErrClosed: the object was closed.
	ErrClosed = errors.New("client: closed")
	// ErrSessionEnded: the session is over.
	ErrSessionEnded = errors.New("client: session ended")
	// ErrPeerFailed: the peer connection failed or closed before it connected.
	ErrPeerFailed = errors.New("client: peer connection failed")
	// ErrNoBanner: the session's configuration names no banner.
	ErrNoBanner = errors.New("client: no banner configured")
	// ErrAlreadySharing: the session already shares a screen.
	ErrAlreadySharing = errors.New("client: already sharing the screen")
)
