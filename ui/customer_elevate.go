package ui

import (
	"context"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/assets"
	"github.com/tandemhq/tandem/client"
)

// A rep may ask the customer's client to run with administrative rights;
// the customer decides. ElevationPrompt holds the prompt's texts,
// AskElevation shows it as a pop-up, and NewResumedCustomerWindow is the
// window of the client relaunched elevated, which takes the session over
// from a hand-off (cmd/customer's -resume).

// ElevationPromptTexts are the texts of the customer's prompt for a rep's
// request for elevation.
type ElevationPromptTexts struct {
	Title, Body, Allow, Deny string
}

// ElevationPrompt returns the prompt for rep's request in the language of
// locale: German for "de", "de-AT", "de_DE.UTF-8" and the like, else
// English.
func ElevationPrompt(locale, rep string) ElevationPromptTexts {
	if rep == "" {
		rep = "?"
	}
	if assets.Language(locale) == "de" {
		return ElevationPromptTexts{
			Title: "Administratorrechte erlauben?",
			Body: rep + " bittet darum, dass das Support-Programm mit Administratorrechten läuft, " +
				"um zum Beispiel Software zu installieren oder Systemeinstellungen zu ändern. " +
				"Das Programm startet dazu neu; Ihr Computer fragt womöglich nach Ihrem Passwort. " +
				"Die Sitzung läuft weiter.",
			Allow: "Erlauben",
			Deny:  "Ablehnen",
		}
	}
	return ElevationPromptTexts{
		Title: "Allow administrative rights?",
		Body: rep + " asks for the support program to run with administrative rights, " +
			"for example to install software or change system settings. " +
			"The program restarts for this; your computer may ask for your password. " +
			"The session carries on.",
		Allow: "Allow",
		Deny:  "Deny",
	}
}

// AskElevation shows the elevation prompt for rep's request over win and
// returns the customer's answer; false when ctx ends first (the pop-up
// then closes). It blocks: call it off Fyne's goroutine.
func AskElevation(ctx context.Context, win fyne.Window, locale, rep string) bool {
	answer := make(chan bool, 1)
	var d *dialog.ConfirmDialog
	fyne.DoAndWait(func() {
		d = showElevationPrompt(win, locale, rep, func(ok bool) {
			select {
			case answer <- ok:
			default:
			}
		})
	})
	select {
	case ok := <-answer:
		return ok
	case <-ctx.Done():
		fyne.Do(d.Hide)
		return false
	}
}

// showElevationPrompt shows the prompt over win, on Fyne's goroutine;
// answer gets the customer's choice.
func showElevationPrompt(win fyne.Window, locale, rep string, answer func(bool)) *dialog.ConfirmDialog {
	t := ElevationPrompt(locale, rep)
	body := widget.NewLabel(t.Body)
	body.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(t.Title, t.Allow, t.Deny, body, answer, win)
	d.Resize(fyne.NewSize(440, 260))
	d.Show()
	win.RequestFocus()
	return d
}

// NewResumedCustomerWindow returns the customer client's window for a
// session taken over from another process of the client (relaunched
// elevated): connect resumes it. The window then runs as after a join:
// the screen is shared once the customer passed the agreement again (the
// automatic elevation may have relaunched the client before the first
// process showed it). When connect fails, the window says the client
// cannot reach the server.
func NewResumedCustomerWindow(a fyne.App, opts CustomerOptions, connect func(ctx context.Context) (*client.Customer, error)) fyne.Window {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	c := newCustomerApp(opts, fyne.Do)
	c.bell = &xbell{log: c.log}
	c.win = a.NewWindow(c.t("title"))
	c.win.SetIcon(Icon)
	c.win.Resize(fyne.NewSize(520, 640))
	c.win.SetOnClosed(c.close)
	c.connecting()
	go func() {
		ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
		defer cancel()
		cust, err := connect(ctx)
		fyne.Do(func() {
			if err != nil {
				c.log.Warn("resume the session", "err", err)
				c.win.SetContent(widget.NewLabel(c.t("join.unreachable")))
				return
			}
			c.joined(cust)
		})
	}()
	return c.win
}
