package mail

import "errors"

// Sentinel errors returned by this package; wrap-checked with errors.Is.
var (
	// ErrHeaderInjection is returned when a header value or address contains CR or LF.
	ErrHeaderInjection = errors.New("mail: CR or LF in header value")
	// ErrBadAddress is returned when an address does not parse as RFC 5322.
	ErrBadAddress = errors.New("mail: invalid address")
	// ErrUnknownMacro is returned when a template uses a %MACRO% this package does not know.
	ErrUnknownMacro = errors.New("mail: unknown macro")
	// ErrNoStartTLS is returned when StartTLSRequired and the server lacks STARTTLS.
	ErrNoStartTLS = errors.New("mail: server does not offer STARTTLS")
	// ErrUnknownLanguage is returned when no default template exists for a language.
	ErrUnknownLanguage = errors.New("mail: no default template for language")
)
