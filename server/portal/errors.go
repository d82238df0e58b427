package portal

import "errors"

// ErrUnknownType is returned for a portal type that does not exist.
var ErrUnknownType = errors.New("portal: unknown portal type")
