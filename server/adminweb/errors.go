package adminweb

import (
	"errors"
	"regexp"
	"strings"

	"github.com/tandemhq/tandem/server/portal"
)

// Errors a Deps implementation returns (wrapped is fine) so that the pages
// can answer them plainly.
var (
	// ErrBadCredentials: the username or the password is wrong, or the
	// account is disabled.
	ErrBadCredentials = errors.New("adminweb: wrong username or password")
	// ErrRateLimited: too many failed sign-ins; the page asks to wait.
	ErrRateLimited = errors.New("adminweb: too many failed sign-ins")
	// ErrNotFound: the portal, team, message or notice does not exist.
	ErrNotFound = errors.New("adminweb: not found")
	// ErrInvalid: a value was refused; the error text says why. A
	// *FieldError is more precise and is shown next to its field.
	ErrInvalid = errors.New("adminweb: invalid value")
)

// FieldError is a refused value of one form field. Deps implementations
// return it (alone, wrapped, or several joined with errors.Join) so that
// the page shows each message next to its field.
type FieldError struct {
	// Field is the field's name: the JSON path of a setting such as
	// "greeting.interval", or a plain form field such as "slug".
	Field string
	// Message says what is wrong, for the admin to read.
	Message string
}

// Error returns "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes a FieldError match ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// fieldErrors collects the FieldErrors in err (which may be a join or a
// wrap of several) by field; rest is err's text when it holds none.
func fieldErrors(err error) (byField map[string]string, rest string) {
	byField = map[string]string{}
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if fe, ok := e.(*FieldError); ok {
			if _, dup := byField[fe.Field]; !dup {
				byField[fe.Field] = fe.Message
			}
			return
		}
		if f, msg, ok := modelFieldError(e); ok {
			if _, dup := byField[f]; !dup {
				byField[f] = msg
			}
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	if len(byField) == 0 {
		return byField, err.Error()
	}
	return byField, ""
}

var (
	// pathRE is a JSON path as the model's errors start with.
	pathRE = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)*$`)
	// rangeRE is the model's "N not in A..B".
	rangeRE = regexp.MustCompile(`^(-?\d+) not in (-?\d+)\.\.(-?\d+)$`)
)

// modelFieldError reads an error of the portal model, which wraps
// portal.ErrInvalid and names the field first ("portal: invalid setting:
// client.agreement.timeout_seconds 0 not in 1..3600"), as a field and a
// message for people.
func modelFieldError(err error) (field, msg string, ok bool) {
	if !errors.Is(err, portal.ErrInvalid) {
		return "", "", false
	}
	text := err.Error()
	prefix := portal.ErrInvalid.Error() + ": "
	i := strings.LastIndex(text, prefix)
	if i < 0 {
		return "", "", false
	}
	text = text[i+len(prefix):]
	end := strings.IndexAny(text, " :")
	if end < 0 {
		return "", "", false
	}
	field, msg = text[:end], strings.TrimSpace(strings.TrimPrefix(text[end:], ":"))
	if !pathRE.MatchString(field) || msg == "" {
		return "", "", false
	}
	if m := rangeRE.FindStringSubmatch(msg); m != nil {
		msg = m[1] + " is not allowed here: give a value from " + m[2] + " to " + m[3] + "."
	}
	for _, verb := range []string{"is ", "has ", "contains ", "must ", "needs ", "cannot "} {
		if strings.HasPrefix(msg, verb) {
			msg = "This field " + msg
			break
		}
	}
	return field, msg, true
}
