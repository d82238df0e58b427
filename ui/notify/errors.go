package notify

import "errors"

var (
	// ErrClosed means the notifier was closed.
	ErrClosed = errors.New("notify: notifier closed")
	// ErrNoServer means nothing on the session bus shows notifications.
	ErrNoServer = errors.New("notify: no notification server on the session bus")
)
