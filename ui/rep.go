package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/ui/notify"
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
	// Specialist, an invitation code, joins a session as an external
	// specialist at once with Server and Name, without the form.
	Specialist string
	// Name prefills the specialist's name; zero means the last used.
	Name string
	// Logger; nil means slog.Default().
	Logger *slog.Logger
	// Sound plays the chat sound; nil means the X11 bell.
	Sound func()
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
	// spec is the session joined as an external specialist, and specView
	// its window; nil otherwise.
	spec     *client.Specialist
	specView *SpecialistView
	// server is the URL signed in to or joined.
	server string
	names  protocol.QueueList
	// notifier shows clickable desktop notifications; nil without a
	// notification service.
	notifier *notify.Notifier
	done     chan struct{}
	wg       sync.WaitGroup
	// ctx bounds every request; close cancels it.
	ctx    context.Context
	cancel context.CancelFunc
	bell   *xbell // the default sound; nil when RepOptions.Sound is set
	// do runs a function on Fyne's goroutine.
	do func(func())
}

// NewRepWindow returns the console's window, showing the sign-in screen.
func NewRepWindow(a fyne.App, opts RepOptions) fyne.Window { return newRepApp(a, opts, fyne.Do).win }

// newRepApp builds the console with its window; do runs a function on
// Fyne's goroutine (fyne.Do; tests serialise with a lock, since the test
// driver runs it on the caller's goroutine).
func newRepApp(a fyne.App, opts RepOptions, do func(func())) *repApp {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	r := &repApp{app: a, opts: opts, log: opts.Logger, do: do, done: make(chan struct{})}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	if r.opts.Sound == nil {
		r.bell = &xbell{log: opts.Logger}
		r.opts.Sound = r.bell.Ring
	}
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
	sv := SpecialistValues{Server: v.Server, Code: protocol.NormalizeCode(opts.Specialist), Name: opts.Name}
	if sv.Name == "" {
		sv.Name = prefs.String("specialist name")
	}
	r.signIn.AddSpecialist(NewSpecialistForm(sv, r.joinSpecialist))
	r.signIn.SetFingerprint(opts.Fingerprint)
	r.win.SetContent(r.signIn.Content)
	r.win.SetOnClosed(r.close)
	switch {
	case opts.Specialist != "":
		r.signIn.Tabs.SelectIndex(1)
		r.joinSpecialist(sv)
	case opts.Password != "" && v.Server != "" && v.User != "":
		r.submit(v)
	}
	return r
}

func (r *repApp) close() {
	select {
	case <-r.done:
		return
	default:
	}
	close(r.done)
	if r.spec != nil && r.specView != nil && !r.specView.IsEnded() {
		// A specialist who closes the window leaves the session: the
		// invitation admitted it once.
		ctx, cancel := context.WithTimeout(r.ctx, 3*time.Second)
		if err := r.spec.Session().Leave(ctx); err != nil {
			r.log.Warn("leave the session", "err", err)
		}
		cancel()
	}
	r.cancel()
	if r.rep != nil {
		_ = r.rep.Close()
	}
	if r.spec != nil {
		_ = r.spec.Close()
	}
	r.wg.Wait()
	if r.con != nil {
		r.con.WaitAlerts()
	}
	if r.notifier != nil {
		r.notifier.Close()
	}
	if r.bell != nil {
		r.bell.Close()
	}
}

// dialNotifier connects to the desktop's notification service, whose
// notifications accept a session when clicked; without one (no session
// bus) it returns nil and the console keeps Fyne's notifications, which
// cannot be clicked. Connecting to a session bus is local and quick.
func (r *repApp) dialNotifier() *notify.Notifier {
	ctx, cancel := context.WithTimeout(r.ctx, 2*time.Second)
	defer cancel()
	n, err := notify.Dial(ctx, "", r.log.With("component", "notify"))
	if err != nil {
		r.log.Info("desktop notifications cannot be clicked", "err", err)
		return nil
	}
	return n
}

// submit signs in on a goroutine of its own.
func (r *repApp) submit(v SignInValues) {
	r.signIn.SetBusy(true)
	prefs := r.app.Preferences()
	known := prefs.String("fingerprint " + v.Server)
	r.goWait(func() {
		ctx, cancel := context.WithTimeout(r.ctx, 20*time.Second)
		defer cancel()
		fp, err := r.trust(ctx, v.Server, known)
		var rep *client.Rep
		if err == nil {
			rep, err = client.SignIn(ctx, client.Config{Server: v.Server, Fingerprint: fp, Logger: r.log}, v.User, v.Password)
		}
		r.do(func() {
			r.signIn.SetFingerprint(fp)
			if err != nil {
				r.signIn.ShowError(friendly(err))
				return
			}
			r.server = v.Server
			r.signedIn(rep)
			prefs.SetString("server", v.Server)
			prefs.SetString("user", v.User)
			if r.opts.Fingerprint == "" {
				prefs.SetString("fingerprint "+v.Server, fp)
			}
		})
	})
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
	r.con = NewConsole(r.win, ConsoleActions{
		Generate: r.generate, Invite: r.invite, Accept: r.accept, GetNext: r.getNext, Status: r.setStatus,
	})
	r.notifier = r.dialNotifier()
	r.con.SetAlerts(AlertOptions{Notifier: r.notifier, Log: r.log})
	r.con.SetStatus("Signed in as " + acct.DisplayName + " — connected")
	r.win.SetContent(r.con.Content)
	r.goWait(r.pump)
	r.goWait(r.tick)
	r.goWait(func() {
		ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
		defer cancel()
		if names, err := rep.Queues(ctx); err == nil {
			r.do(func() { r.names = names; r.con.Queue.SetNames(names) })
		} else {
			r.log.Warn("queue names", "err", err)
		}
		if q, err := rep.Queue(ctx); err == nil {
			r.do(func() { r.con.SetQueue(q.Waiting) })
		}
		if canned, err := rep.Canned(ctx); err == nil {
			r.do(func() { r.con.SetCanned(canned) })
		} else {
			r.log.Warn("canned messages", "err", err)
		}
	})
}

// goWait runs fn on a goroutine that close waits for.
func (r *repApp) goWait(fn func()) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		fn()
	}()
}

// tick refreshes waiting times and durations every few seconds until the
// window closes.
func (r *repApp) tick() {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			r.do(func() { r.con.Tick(now) })
		case <-r.done:
			return
		}
	}
}

// connected is the status line while signed in.
func (r *repApp) connected(what string) {
	r.con.SetStatus("Signed in as " + r.rep.Account().DisplayName + " — " + what)
}

// pump hands the rep's events to Fyne until the window closes.
func (r *repApp) pump() {
	for {
		select {
		case ev := <-r.rep.Events():
			r.do(func() {
				switch e := ev.(type) {
				case client.QueueChanged:
					r.con.SetQueue(e.Queue.Waiting)
					r.refreshNames(e.Queue.Waiting)
				case client.SessionWaiting:
					r.con.Alert(e.Session, false)
					if r.notifier == nil {
						// Without a notification service to click, Fyne's
						// notification at least tells the rep.
						r.app.SendNotification(fyne.NewNotification("A customer is waiting", e.Session.CustomerName+" needs help."))
					}
				case client.SessionResumed:
					if r.con.Session(e.Session.ID()) == nil {
						r.openSession(e.Session)
					}
				case client.TerminationChanged:
					if v := r.con.Session(e.SessionID); v != nil {
						v.Summary.SetTermination(e.Termination)
					}
				case client.ConnectionChanged:
					if e.Connected {
						r.connected("connected")
					} else {
						r.connected("connection lost, reconnecting…")
					}
				}
			})
		case <-r.done:
			return
		}
	}
}

// refreshNames fetches the queue names again when a session waits in a
// queue the console does not know (the rep joined a team).
func (r *repApp) refreshNames(waiting []protocol.SessionInfo) {
	known := map[string]bool{}
	for _, q := range r.names.Queues {
		known[q.ID] = true
	}
	for _, s := range waiting {
		if !known[s.Queue] {
			r.goWait(func() {
				ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
				defer cancel()
				if names, err := r.rep.Queues(ctx); err == nil {
					r.do(func() { r.names = names; r.con.Queue.SetNames(names) })
				}
			})
			return
		}
	}
}

func (r *repApp) setStatus(st protocol.RepStatus) {
	r.goWait(func() {
		ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
		defer cancel()
		err := r.rep.SetStatus(ctx, st)
		r.do(func() {
			if err != nil {
				r.connected("status not changed: " + friendly(err))
				return
			}
			r.connected(strings.ToLower(statusNames[st]))
		})
	})
}

func (r *repApp) generate() {
	r.goWait(func() {
		ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
		defer cancel()
		k, err := r.rep.CreateKey(ctx)
		r.do(func() {
			if err != nil {
				r.con.SetStatus("Could not generate a key: " + friendly(err))
				return
			}
			r.con.Keys.Show(k)
		})
	})
}

func (r *repApp) invite(email string) {
	r.goWait(func() {
		ctx, cancel := context.WithTimeout(r.ctx, 45*time.Second)
		defer cancel()
		k, err := r.rep.Invite(ctx, email, "")
		r.do(func() { r.con.Keys.Invited(email, k, err) })
	})
}

func (r *repApp) accept(id string) {
	if v := r.con.Session(id); v != nil {
		r.con.Tabs.Select(r.con.tabs[id])
		return
	}
	r.goWait(func() {
		ctx, cancel := context.WithTimeout(r.ctx, 15*time.Second)
		defer cancel()
		s, err := r.rep.Accept(ctx, id)
		r.do(func() {
			if err != nil {
				r.con.SetStatus("Could not accept: " + friendly(err))
				return
			}
			r.openSession(s)
		})
	})
}

func (r *repApp) getNext() {
	r.con.GetNext.Disable()
	r.goWait(func() {
		ctx, cancel := context.WithTimeout(r.ctx, 15*time.Second)
		defer cancel()
		s, err := r.rep.GetNext(ctx)
		r.do(func() {
			r.con.GetNext.Enable()
			switch {
			case client.IsCode(err, protocol.CodeQueueEmpty):
				r.connected("nobody is waiting in your queues")
			case err != nil:
				r.con.SetStatus("Get Next failed: " + friendly(err))
			default:
				r.openSession(s)
			}
		})
	})
}

// portalName names a portal from the queue list.
func (r *repApp) portalName(id string) string {
	if id == "" {
		return "Default"
	}
	for _, p := range r.names.Portals {
		if p.ID == id {
			return p.Name
		}
	}
	return id
}

func (r *repApp) openSession(s *client.Session) {
	var v *SessionView
	ctxDo := func(timeout time.Duration, fn func(ctx context.Context) error, failed string) {
		r.goWait(func() {
			ctx, cancel := context.WithTimeout(r.ctx, timeout)
			defer cancel()
			if err := fn(ctx); err != nil {
				r.do(func() { v.Chat.Notice(failed + friendly(err)) })
			}
		})
	}
	v = r.con.OpenSession(s.Self().ID, s.Info(), SessionActions{
		Send: func(text string) {
			ctxDo(10*time.Second, func(ctx context.Context) error { return s.SendChat(ctx, text) }, "Not sent: ")
		},
		End: func() {
			ctxDo(10*time.Second, func(ctx context.Context) error { return s.End(ctx, "ended by the representative") }, "Could not end the session: ")
		},
		Hold: func() {
			ctxDo(10*time.Second, func(ctx context.Context) error { return r.rep.Leave(ctx, s.ID()) }, "Could not hold the session: ")
		},
		Control: func(on bool) {
			r.log.Info("remote control", "session", s.ID(), "on", on)
			r.setControl(s, v, on)
		},
		Termination: func(t protocol.Termination) {
			ctxDo(10*time.Second, func(ctx context.Context) error { return r.rep.SetTermination(ctx, s.ID(), t) }, "End-of-session behaviour not changed: ")
		},
		Sound:       r.opts.Sound,
		Close:       func() { r.con.CloseSession(s.ID()) },
		Specialists: r.specialistActions(s, func() *SessionView { return v }),
	})
	v.act.Specialists.List() // whether the portal allows specialists
	v.Summary.SetPortal(r.portalName(s.Info().Portal))
	files := newConsoleFiles(r.win, s, DownloadsDir(), r.do)
	send := NewSendFileButton(r.win, func(path string) {
		if p := customerPeer(s); p != nil {
			files.Offer(p.Participant(), path)
		} else {
			v.Chat.Notice("The customer's computer is not connected yet: the file was not sent.")
		}
	})
	if ok, _ := s.FilesAllowed(); !ok {
		// The server said the session's portal lets reps send no files.
		send.SetText("Sending files is off for this portal")
		send.Disable()
	}
	v.SetFiles(files, send)
	r.watchScreen(s, v)
	r.goWait(func() {
		ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
		defer cancel()
		if t, err := s.Transcript(ctx); err == nil {
			r.do(func() {
				for _, e := range t.Events {
					if e.Kind == "chat" {
						v.Chat.Append(protocol.ChatMessage{Seq: e.Seq, From: e.From, Name: e.Name, Role: e.Role, Text: e.Text, At: e.At})
					}
				}
			})
		} else {
			r.log.Warn("chat history", "session", s.ID(), "err", err)
		}
		r.followSummary(s, v)
	})
	r.goWait(func() {
		defer files.Close()
		pumpSessionWith(s, r.done, r.do, func(ev client.Event) {
			if files.Handle(ev) {
				return
			}
			switch e := ev.(type) {
			case client.ChatReceived:
				v.Received(e.Message)
			case client.SessionChanged:
				v.SetInfo(e.Info)
			case client.PeerChanged:
				v.Peer.SetText("Direct connection to " + e.Participant.Name + ": " + e.State)
			case client.ControlChanged:
				r.controlChanged(v, e)
			case client.ElevationChanged:
				v.Chat.Notice(ElevationNotice(e))
			case client.ServiceChanged:
				v.Chat.Notice(ServiceNotice(e))
			case client.ServiceAllowed:
				v.screen.ShowService(e.Allowed)
			case client.SessionEnded:
				v.Ended(e.Ended.Reason)
			}
		})
	})
}

// pumpSession hands a session's events to Fyne until it ends or done closes.
func pumpSession(s *client.Session, done <-chan struct{}, handle func(client.Event)) {
	pumpSessionWith(s, done, fyne.Do, handle)
}

// pumpSessionWith is pumpSession with do in place of fyne.Do.
func pumpSessionWith(s *client.Session, done <-chan struct{}, do func(func()), handle func(client.Event)) {
	for {
		select {
		case ev := <-s.Events():
			do(func() { handle(ev) })
			if _, ok := ev.(client.SessionEnded); ok {
				return
			}
		case <-done:
			return
		}
	}
}

// summaryRetry is how often the console asks for the summary again until
// the customer's client has described its computer, and summaryTries how
// many times.
const (
	summaryRetry = 2 * time.Second
	summaryTries = 30
)

// followSummary shows the session's summary, asking again while the
// customer's computer is not described yet (its client reports it just
// after joining) or the session ends.
func (r *repApp) followSummary(s *client.Session, v *SessionView) {
	for try := 0; ; try++ {
		ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
		sum, err := r.rep.Summary(ctx, s.ID())
		cancel()
		if err != nil {
			r.log.Warn("session summary", "session", s.ID(), "err", err)
			return
		}
		r.do(func() {
			v.Summary.SetKey(sum.Key)
			v.Summary.SetPortal(sum.PortalName)
			v.Summary.SetStarted(sum.Accepted)
			v.Summary.SetHost(sum.Host, sum.OS)
			v.Summary.SetSystem(sum.SystemInfo)
			v.Summary.SetRecording(sum.Recording, sum.RecordingConsent)
			v.Summary.SetPolicy(sum.TerminationOverride, sum.Termination)
		})
		if sum.SystemInfo != nil || try+1 >= summaryTries || sum.Session.State == protocol.StateEnded {
			return
		}
		select {
		case <-time.After(summaryRetry):
		case <-r.done:
			return
		}
	}
}
