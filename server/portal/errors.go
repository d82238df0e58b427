package portal

import "errors"

// ErrUnknownType is returned for a portal type that does not exist.
var ErrUnknownType = errors.New("portal: unknown portal type")

// ErrBadBanner is returned for a chat window banner that is not an 8-bit BMP
// 480 px wide.
var ErrBadBanner = errors.New("portal: bad banner")

// ErrInvalid is returned by Validate for a setting with a bad value.
var ErrInvalid = errors.New("portal: invalid setting")

// ErrClosed is returned when a portal takes no sessions now: outside its
// business hours, or on a holiday.
var ErrClosed = errors.New("portal: closed")
