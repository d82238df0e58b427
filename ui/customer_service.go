package ui

import (
	"context"

	"github.com/tandemhq/tandem/assets"
)

// A rep may ask for the customer's client to run as a service of the
// operating system for the rest of the session, where the portal allows
// it; the customer decides. ServicePrompt holds the prompt's texts and
// Prompter.AskService shows it in the session window.

// ServicePrompt returns the prompt for rep's request to run as a service
// in the language of locale: German for "de", "de-AT", "de_DE.UTF-8" and
// the like, else English.
func ServicePrompt(locale, rep string) ElevationPromptTexts {
	if rep == "" {
		rep = "?"
	}
	if assets.Language(locale) == "de" {
		return ElevationPromptTexts{
			Title: "Als Dienst ausführen?",
			Body: rep + " bittet darum, dass das Support-Programm für den Rest der Sitzung als Dienst " +
				"Ihres Systems läuft: mit Administratorrechten, und auch dann, wenn Sie sich abmelden. " +
				"Das Programm startet dazu neu; die Sitzung läuft weiter.",
			Allow: "Erlauben",
			Deny:  "Ablehnen",
		}
	}
	return ElevationPromptTexts{
		Title: "Run as a service?",
		Body: rep + " asks for the support program to run as a service of your system for the rest " +
			"of the session: with administrative rights, and on when you log off. " +
			"The program restarts for this; the session carries on.",
		Allow: "Allow",
		Deny:  "Deny",
	}
}

// AskService asks whether rep may have the program run as a service and
// returns the customer's answer: false when ctx ends first (the prompt is
// then withdrawn), or when there is no session window to ask in. It
// blocks: call it off Fyne's goroutine.
func (p *Prompter) AskService(ctx context.Context, rep string) bool {
	return p.ask(ctx, func(lang string) ElevationPromptTexts { return ServicePrompt(lang, rep) })
}
