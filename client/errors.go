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
	// ErrBadElevation is returned by [Session.AnswerElevation] for an
	// outcome or reason that cannot be sent; received elevation messages
	// that are refused are logged with it.
	ErrBadElevation = errors.New("client: bad elevation message")
	// ErrBadService is returned by [Session.AnswerService] for an outcome
	// or reason that cannot be sent; received service messages that are
	// refused are logged with it.
	ErrBadService = errors.New("client: bad service message")
	// ErrNotCustomer is returned by what only a customer's session can do
	// (answer elevation requests, hand the session over), called on a rep's.
	ErrNotCustomer = errors.New("client: not the customer's session")
	// ErrBadHandoff is returned for a hand-off that cannot be used:
	// malformed, too big, of another version, readable by others, or not
	// a customer's.
	ErrBadHandoff = errors.New("client: bad session hand-off")
	// ErrRepScreenOff is returned by [Session.ShowScreen] when the
	// session's portal does not allow reps to show their screen.
	ErrRepScreenOff = errors.New("client: the session's portal does not allow showing the representative's screen")
	// ErrCustomerScreenOff is returned by a customer's
	// [Session.ShareScreen] when the session's portal does not allow
	// sharing the customer's screen.
	ErrCustomerScreenOff = errors.New("client: the session's portal does not allow sharing the customer's screen")
	// ErrNotRep is returned by what only a rep's session can do, called
	// on a customer's or an external specialist's.
	ErrNotRep = errors.New("client: not a representative's session")
	// ErrNotShowing is returned by [Session.RecordShown] when the rep does
	// not show its screen.
	ErrNotShowing = errors.New("client: not showing the screen")
	// ErrViewOnly is returned by [Session.GrantControl] for an external
	// specialist invited to view only: the customer's client never gives
	// it control.
	ErrViewOnly = errors.New("client: the participant may only view")
	// ErrSpecialist is returned for what an external specialist may not
	// do, or may not be given: end the session (it leaves instead), have
	// files, elevation, a service or a screen of its own.
	ErrSpecialist = errors.New("client: not allowed for an external specialist")
)
