// Package mail builds and delivers the server's e-mail: invitation e-mails
// per language with %MACRO% expansion, and completed-session notifications.
//
// Template macros (case-sensitive, written between percent signs):
//
//	%REP_NAME%    the representative's display name
//	%SESSION_KEY% the session key (code) the customer enters
//	%SESSION_URL% the key's unique URL
//	%PORTAL_URL%  the public site (portal) URL
//
// Any other %WORD% made of capitals, digits and underscores is refused by
// ValidateTemplate; an empty custom template means the default.
package mail

import (
	"fmt"
	"regexp"
	"strings"
)

// Template is an invitation e-mail: a subject line and a plain-text body.
type Template struct {
	// Subject is the subject line; it may contain macros.
	Subject string `json:"subject"`
	// Body is the plain-text body; it may contain macros.
	Body string `json:"body"`
}

// InvitationData is the values the invitation macros expand to.
type InvitationData struct {
	// RepName expands %REP_NAME%.
	RepName string
	// SessionKey expands %SESSION_KEY%.
	SessionKey string
	// SessionURL expands %SESSION_URL%.
	SessionURL string
	// PortalURL expands %PORTAL_URL%.
	PortalURL string
}

var macroRE = regexp.MustCompile(`%[A-Z0-9_]+%`)

var knownMacros = map[string]bool{
	"%REP_NAME%": true, "%SESSION_KEY%": true, "%SESSION_URL%": true, "%PORTAL_URL%": true,
}

var defaults = map[string]Template{
	"en": {
		Subject: "%REP_NAME% invites you to a support session",
		Body: "Hello,\n\n%REP_NAME% would like to help you with a remote support session.\n\n" +
			"Open this link to join:\n%SESSION_URL%\n\n" +
			"Or go to %PORTAL_URL% and enter the session key %SESSION_KEY%.\n\nThank you.\n",
	},
	"de": {
		Subject: "%REP_NAME% lädt Sie zu einer Support-Sitzung ein",
		Body: "Guten Tag,\n\n%REP_NAME% möchte Ihnen in einer Fernwartungssitzung behilflich sein.\n\n" +
			"Öffnen Sie diesen Link, um teilzunehmen:\n%SESSION_URL%\n\n" +
			"Oder gehen Sie zu %PORTAL_URL% und geben Sie den Sitzungsschlüssel %SESSION_KEY% ein.\n\nVielen Dank.\n",
	},
}

// DefaultTemplate returns the embedded default invitation for lang ("en", "de").
func DefaultTemplate(lang string) (Template, error) {
	t, ok := defaults[lang]
	if !ok {
		return Template{}, fmt.Errorf("%w: %q", ErrUnknownLanguage, lang)
	}
	return t, nil
}

// ValidateTemplate reports an error naming the first unknown macro in t,
// or a CR/LF in its subject.
func ValidateTemplate(t Template) error {
	if strings.ContainsAny(t.Subject, "\r\n") {
		return fmt.Errorf("subject: %w", ErrHeaderInjection)
	}
	for _, s := range []string{t.Subject, t.Body} {
		for _, m := range macroRE.FindAllString(s, -1) {
			if !knownMacros[m] {
				return fmt.Errorf("%w %s (known: %%REP_NAME%%, %%SESSION_KEY%%, %%SESSION_URL%%, %%PORTAL_URL%%)", ErrUnknownMacro, m)
			}
		}
	}
	return nil
}

// Resolve returns the template to use for lang: custom when both its subject
// and body are non-blank after validation, else the default for lang. A blank
// custom field falls back to the default field.
func Resolve(lang string, custom Template) (Template, error) {
	def, err := DefaultTemplate(lang)
	if err != nil {
		return Template{}, err
	}
	if err := ValidateTemplate(custom); err != nil {
		return Template{}, err
	}
	if strings.TrimSpace(custom.Subject) != "" {
		def.Subject = custom.Subject
	}
	if strings.TrimSpace(custom.Body) != "" {
		def.Body = custom.Body
	}
	return def, nil
}

// Expand replaces the known macros in t with d's values.
func (t Template) Expand(d InvitationData) Template {
	r := strings.NewReplacer("%REP_NAME%", d.RepName, "%SESSION_KEY%", d.SessionKey,
		"%SESSION_URL%", d.SessionURL, "%PORTAL_URL%", d.PortalURL)
	return Template{Subject: r.Replace(t.Subject), Body: r.Replace(t.Body)}
}
