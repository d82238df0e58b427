package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
)

// RepOptions configure the rep console.
type RepOptions struct {
	// Server and User prefill the sign-in screen; zero means the last used.
	Server, User string
	// Fingerprint pins the server certificate; zero means trust on first
	// use: the fingerprint is shown, remembered per server, and a changed
	// one is refused.
	Fingerprint string
	// Password, when set with Server and User, signs in at once.
	Password string
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// repApp is the console's state; it lives on Fyne's goroutine except where
// a method says otherwise.
type repApp struct {
	app    fyne.App
	win    fyne.Window
	opts   RepOptions
	log    *slog.Logger
	signIn *SignIn
	con    *Console
	rep    *client.Rep
	done   chan struct{}
}

// NewRepWindow returns the console's window, showing the sign-in screen.
func NewRepWindow(a fyne.App, opts RepOptions) fyne.Window {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	r := &repApp{app: a, opts: opts, log: opts.Logger, done: make(chan struct{})}
	r.win = a.NewWindow("Tandem Console")
	r.win.SetIcon(Icon)
	r.win.Resize(fyne.NewSize(1100, 720))
	prefs := a.Preferences()
	v := SignInValues{Server: opts.Server, User: opts.User, Password: opts.Password}
	if v.Server == "" {
		v.Server = prefs.String("server")
	}
	if v.User == "" {
		v.User = prefs.String("user")
	}
	r.signIn = NewSignIn(v, r.submit)
	r.signIn.SetFingerprint(opts.Fingerprint)
	r.win.SetContent(r.signIn.Content)
	r.win.SetOnClosed(r.close)
	if opts.Password != "" && v.Server != "" && v.User != "" {
		r.submit(v)
	}
	return r.win
}

func (r *repApp) close() {
	select {
	case <-r.done:
		return
	default:
	}
	close(r.done)
	if r.rep != nil {
		_ = r.rep.Close()
	}
}

// submit signs in on a goroutine of its own.
func (r *repApp) submit(v SignInValues) {
	r.signIn.SetBusy(true)
	prefs := r.app.Preferences()
	known := prefs.String("fingerprint " + v.Server)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		fp, err := r.trust(ctx, v.Server, known)
		var rep *client.Rep
		if err == nil {
			rep, err = client.SignIn(ctx, client.Config{Server: v.Server, Fingerprint: fp, Logger: r.log}, v.User, v.Password)
		}
		fyne.Do(func() {
			r.signIn.SetFingerprint(fp)
			if err != nil {
				r.signIn.ShowError(friendly(err))
				return
			}
			prefs.SetString("server", v.Server)
			prefs.SetString("user", v.User)
			if r.opts.Fingerprint == "" {
				prefs.SetString("fingerprint "+v.Server, fp)
			}
			r.signedIn(rep)
		})
	}()
}

// trust returns the fingerprint to pin: the given one, or the server's
// own if it matches what was seen before (or nothing was). It runs off
// Fyne's goroutine.
func (r *repApp) trust(ctx context.Context, server, known string) (string, error) {
	if r.opts.Fingerprint != "" {
		return r.opts.Fingerprint, nil
	}
	fp, err := client.FetchFingerprint(ctx, server)
	if err != nil {
		return "", err
	}
	if known != "" && known != fp {
		return fp, fmt.Errorf("%w: this server's certificate has changed since you last signed in (it was %s). "+
			"Someone may be impersonating it; ask your administrator before you continue", client.ErrFingerprint, known)
	}
	return fp, nil
}

// friendly turns an error into words for the rep.
func friendly(err error) string {
	var perr *protocol.Error
	switch {
	case errors.As(err, &perr) && perr.Code == protocol.CodeUnauthorized:
		return "The username or password is wrong."
	case errors.As(err, &perr) && perr.Code == protocol.CodeRateLimited:
		return "Too many attempts. Please wait a few minutes and try again."
	case errors.As(err, &perr):
		return perr.Message
	default:
		return err.Error()
	}
}

func (r *repApp) signedIn(rep *client.Rep) {
	r.rep = rep
	acct := rep.Account()
	r.con = NewConsole(r.win, ConsoleActions{Generate: r.generate, Accept: r.accept})
	r.con.SetStatus("Signed in as " + acct.DisplayName + " — connected")
	r.win.SetContent(r.con.Content)
	go r.pump()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if q, err := rep.Queue(ctx); err == nil {
			fyne.Do(func() { r.con.Queue.Set(q.Waiting) })
		}
	}()
}

// pump hands the rep's events to Fyne until the window closes.
func (r *repApp) pump() {
	name := r.rep.Account().DisplayName
	for {
		select {
		case ev := <-r.rep.Events():
			fyne.Do(func() {
				switch e := ev.(type) {
				case client.QueueChanged:
					r.con.Queue.Set(e.Queue.Waiting)
					if len(e.Queue.Waiting) == 0 {
						r.con.SetStatus("Signed in as " + name + " — connected")
					}
				case client.SessionWaiting:
					r.con.SetStatus("Signed in as " + name + " — " + e.Session.CustomerName + " is waiting")
					r.app.SendNotification(fyne.NewNotification("A customer is waiting", e.Session.CustomerName+" needs help."))
				case client.ConnectionChanged:
					if e.Connected {
						r.con.SetStatus("Signed in as " + name + " — connected")
					} else {
						r.con.SetStatus("Signed in as " + name + " — connection lost, reconnecting…")
					}
				}
			})
		case <-r.done:
			return
		}
	}
}

func (r *repApp) generate() {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		k, err := r.rep.CreateKey(ctx)
		fyne.Do(func() {
			if err != nil {
				r.con.SetStatus("Could not generate a key: " + friendly(err))
				return
			}
			r.con.Keys.Show(k)
		})
	}()
}

func (r *repApp) accept(id string) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		s, err := r.rep.Accept(ctx, id)
		fyne.Do(func() {
			if err != nil {
				r.con.SetStatus("Could not accept: " + friendly(err))
				return
			}
			r.openSession(s)
		})
	}()
}

func (r *repApp) openSession(s *client.Session) {
	var v *SessionView
	v = r.con.OpenSession(s.Info(), func(text string) {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := s.SendChat(ctx, text); err != nil {
				fyne.Do(func() { v.Chat.Notice("Not sent: " + friendly(err)) })
			}
		}()
	}, func() {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := s.End(ctx, "ended by the representative"); err != nil {
				fyne.Do(func() { v.Chat.Notice("Could not end the session: " + friendly(err)) })
			}
		}()
	})
	go pumpSession(s, r.done, func(ev client.Event) {
		switch e := ev.(type) {
		case client.ChatReceived:
			v.Chat.Append(e.Message)
		case client.SessionChanged:
			v.SetInfo(e.Info)
		case client.PeerChanged:
			v.Peer.SetText("Direct connection to " + e.Participant.Name + ": " + e.State)
		case client.SessionEnded:
			v.Ended(e.Ended.Reason)
		}
	})
}

// pumpSession hands a session's events to Fyne until it ends or done closes.
func pumpSession(s *client.Session, done <-chan struct{}, handle func(client.Event)) {
	for {
		select {
		case ev := <-s.Events():
			fyne.Do(func() { handle(ev) })
			if _, ok := ev.(client.SessionEnded); ok {
				return
			}
		case <-done:
			return
		}
	}
}
