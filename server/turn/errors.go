package turn

import "errors"

// ErrNoAddr is returned by [Listen] without a listen address.
var ErrNoAddr = errors.New("no listen address")
