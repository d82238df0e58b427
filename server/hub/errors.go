package hub

import "errors"

// ErrClosed is returned by [Hub.Serve] after [Hub.Close].
var ErrClosed = errors.New("hub closed")
