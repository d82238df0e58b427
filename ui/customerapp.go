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
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/agent"
	"github.com/tandemhq/tandem/assets"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/client/joindata"
	"github.com/tandemhq/tandem/protocol"
)

// CustomerOptions configure the customer client.
type CustomerOptions struct {
	// JoinURL is a session key link; with it the client joins at once.
	JoinURL string
	// JoinData is the verified join data of the client's own executable
	// (see package joindata); with it the client joins at once, pinning
	// the certificate it carries. It wins over JoinURL.
	JoinData *joindata.Data
	// JoinDataErr is why the executable's join data was refused; the
	// client then explains it kindly and asks for the code.
	JoinDataErr error
	// Name is the name the representative sees.
	Name string
	// Lang is the locale for texts, such as "de_DE.UTF-8"; zero means English.
	Lang string
	// RemoveSelf is optional: called once when the session is over, it
	// removes the downloaded client and reports whether it did; nil means
	// nothing is removed.
	RemoveSelf func() bool
	// Share is optional: it starts sharing this computer's screen and
	// taking the input of representatives in control in the session, and
	// returns what stops it. nil means nothing is shared (chat only). It
	// is called once the customer passed the agreement, and only where the
	// portal allows screen sharing.
	Share func(s *client.Session) (stop func(), err error)
	// Hold is optional: it takes hold of this computer for the session
	// (input of reps in control, input lockout while the rep is away, the
	// end action) as the configuration says. The app passes it every
	// event of the session; status reports what the customer should see;
	// release gives the computer back.
	Hold func(s *client.Session, cfg protocol.CustomerClientConfig) (handle func(client.Event), status <-chan agent.Status, release func())
	// SystemInfo is optional: it describes this computer (host name,
	// operating system) for the representative's session summary; the
	// server writes it to the session's log only where the customer
	// allowed recording.
	SystemInfo func(ctx context.Context) (protocol.SystemInfo, error)
	// Prompter is optional: the window connects it, so that the program
	// can ask the customer (elevation) the way the portal shows prompts.
	Prompter *Prompter
	// Display is the X display the customer works on, where a
	// representative's annotations are drawn; empty means $DISPLAY.
	Display string
	// Minimize is optional: it minimizes the client's window and gives the
	// focus back to the window that had it before the client started;
	// called where the portal starts the client minimized without focus.
	Minimize func() error
	// Apps is optional: it limits the shared screen to windows the
	// customer chooses, where the portal allows it.
	Apps AppSharing
	// Indicator is optional: it shows the always-on-top "this computer is
	// being supported" message on the shared screen, where the portal's
	// display options ask for it.
	Indicator func(text string) (Indicator, error)
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// Indicator is the "this computer is being supported" message on the
// customer's screen.
type Indicator interface {
	// SetText changes the message.
	SetText(text string)
	// Close removes it.
	Close() error
}

// The customer client uses these where package client offers them; until
// then it uses the built-in configuration and leaves the status line at
// its general text.
type (
	// configSource hands out the portal's configuration snapshot from the join.
	configSource interface {
		Config() *protocol.CustomerClientConfig
	}
	// waitStatusSource answers the customer's place in the queue (GET
	// protocol.PathWaitStatus?lang=).
	waitStatusSource interface {
		WaitStatus(ctx context.Context, lang string) (protocol.WaitStatus, error)
	}
	// recordingConsent tells the server the answer to the recording prompt.
	recordingConsent interface {
		SetRecording(ctx context.Context, allow bool) error
	}
	// bannerSource fetches the portal's chat window banner (BMP bytes).
	bannerSource interface {
		Banner(ctx context.Context) ([]byte, error)
	}
	// waitSubscriber asks the server to push the wait status as the queue
	// changes (client.WaitStatusChanged events).
	waitSubscriber interface {
		SubscribeWaitStatus(ctx context.Context, lang string) error
	}
	// systemInfoSink takes this computer's description for the summary.
	systemInfoSink interface {
		ReportSystemInfo(ctx context.Context, info protocol.SystemInfo) error
	}
	// surveySink takes the answer to the exit survey.
	surveySink interface {
		Rate(ctx context.Context, r protocol.Rating) error
	}
)

// waitPoll is how often a waiting customer's place in the queue is asked.
const waitPoll = 10 * time.Second

type customerApp struct {
	win  fyne.Window
	opts CustomerOptions
	log  *slog.Logger
	form *JoinForm
	view *CustomerView
	cust *client.Customer
	bell *xbell
	// do runs f on Fyne's goroutine: fyne.Do, or a test's runner.
	do   func(func())
	done chan struct{}
	// ctx bounds the app's background calls; close cancels it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	removeOnce sync.Once
	removed    bool

	shareOnce sync.Once
	stopShare func()
	release   func()
	// reps are the names of the representatives in the session; ind is
	// the supported indicator while the screen is shared. Both belong to
	// Fyne's goroutine.
	reps []string
	ind  Indicator
	// showIndicator: the portal shows the supported indicator.
	showIndicator bool
	// files runs the session's file transfers; sendFile is the customer's
	// "Send a file" where the portal allows it.
	files    *fileDesk
	sendFile *widget.Button
	// annotations draws the representatives' strokes on the screen.
	annotations *AnnotationLayer
}

// firstRep is the representative a customer's file goes to: the first in
// the session; zero when none is.
func firstRep(reps []protocol.Participant) protocol.Participant {
	if len(reps) == 0 {
		return protocol.Participant{}
	}
	return reps[0]
}

// NewCustomerWindow returns the customer client's window: joining at once
// with downloaded join data or a link, or asking for the code.
func NewCustomerWindow(a fyne.App, opts CustomerOptions) fyne.Window {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	c := newCustomerApp(opts, fyne.Do)
	c.bell = &xbell{log: c.log}
	c.win = a.NewWindow(c.t("title"))
	c.win.SetIcon(Icon)
	c.win.Resize(fyne.NewSize(520, 640))
	c.win.SetOnClosed(c.close)
	switch d := opts.JoinData; {
	case d != nil && d.Code != "":
		name := opts.Name
		if name == "" {
			name = d.Name
		}
		c.connecting()
		c.join(client.Config{Server: d.Server, Fingerprint: d.Fingerprint(), Portal: d.Portal}, d.Code, name)
	case d != nil:
		// A portal's form put the customer in a queue already: the ticket
		// takes that place up.
		c.connecting()
		c.joinTicket(client.Config{Server: d.Server, Fingerprint: d.Fingerprint()}, d.Ticket)
	case opts.JoinDataErr != nil:
		c.log.Warn("the executable's join data was refused", "err", opts.JoinDataErr)
		c.showForm(JoinValues{Name: opts.Name})
		c.form.ShowError(c.t(joinDataMessage(opts.JoinDataErr)))
	case opts.JoinURL != "":
		cfg, code, err := client.ParseJoinURL(opts.JoinURL)
		if err != nil {
			c.showForm(JoinValues{Name: opts.Name})
			c.form.ShowError(err.Error())
			return c.win
		}
		c.connecting()
		c.join(cfg, code, opts.Name)
	default:
		c.showForm(JoinValues{Name: opts.Name})
	}
	return c.win
}

func newCustomerApp(opts CustomerOptions, do func(func())) *customerApp {
	c := &customerApp{opts: opts, log: opts.Logger, do: do, done: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	opts.Prompter.connect(c)
	return c
}

// joinErrorMessage is the text key that explains a failed join to the
// customer.
func joinErrorMessage(err error) string {
	switch {
	case client.IsCode(err, protocol.CodeNotFound):
		return "join.code_gone"
	case client.IsCode(err, protocol.CodeRateLimited):
		return "join.too_many"
	case client.IsCode(err, protocol.CodeBadData):
		return "join.bad_code"
	case errors.Is(err, client.ErrFingerprint):
		return "join.wrong_server"
	}
	return "join.unreachable"
}

// joinDataMessage is the text key that explains a refused trailer.
func joinDataMessage(err error) string {
	if errors.Is(err, joindata.ErrExpired) {
		return "download.expired"
	}
	return "download.damaged"
}

func (c *customerApp) t(key string) string { return assets.Text(c.opts.Lang, key) }

func (c *customerApp) showForm(v JoinValues) {
	c.form = NewJoinForm(c.opts.Lang, v, func(v JoinValues) {
		c.form.Button.Disable()
		c.form.Message.SetText(c.t("join.connecting"))
		go func() {
			// Typed by hand, the server is trusted on first sight for this
			// connection; links and downloads carry the fingerprint.
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			fp, err := client.FetchFingerprint(ctx, v.Server)
			if err != nil {
				fyne.Do(func() { c.form.ShowError(err.Error()) })
				return
			}
			fyne.Do(func() { c.join(client.Config{Server: v.Server, Fingerprint: fp}, v.Code, v.Name) })
		}()
	})
	c.win.SetContent(c.form.Content)
}

func (c *customerApp) connecting() {
	l := widget.NewLabel(c.t("join.connecting"))
	c.win.SetContent(container.NewCenter(l))
}

func (c *customerApp) join(cfg client.Config, code, name string) {
	cfg.Logger = c.log
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cust, err := client.Join(ctx, cfg, code, name)
		fyne.Do(func() {
			if err != nil {
				if c.form == nil {
					c.showForm(JoinValues{Server: cfg.Server, Code: code, Name: name})
				}
				c.log.Warn("join", "err", err)
				c.form.ShowError(c.t(joinErrorMessage(err)))
				return
			}
			c.joined(cust)
		})
	}()
}

// joinTicket takes up the waiting session of a portal's queue ticket.
func (c *customerApp) joinTicket(cfg client.Config, ticket string) {
	cfg.Logger = c.log
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cust, err := client.JoinTicket(ctx, cfg, ticket)
		fyne.Do(func() {
			if err != nil {
				c.log.Warn("join with the queue ticket", "err", err)
				c.showForm(JoinValues{Server: cfg.Server})
				c.form.ShowError(c.t(ticketErrorMessage(err)))
				return
			}
			c.joined(cust)
		})
	}()
}

// ticketErrorMessage is the text key that explains a refused queue ticket.
func ticketErrorMessage(err error) string {
	switch {
	case client.IsCode(err, protocol.CodeUnauthorized), client.IsCode(err, protocol.CodeConflict),
		client.IsCode(err, protocol.CodeNotFound), client.IsCode(err, protocol.CodeForbidden):
		return "download.ticket"
	case errors.Is(err, client.ErrFingerprint):
		return "join.wrong_server"
	}
	return "join.unreachable"
}

// customerTitle is the window title: the product, and the portal's host
// name where the portal shows it.
func customerTitle(lang string, cfg protocol.CustomerClientConfig) string {
	t := assets.Text(lang, "title")
	if cfg.Display.HostnameInTitle && cfg.Hostname != "" {
		t += " – " + cfg.Hostname
	}
	return t
}

func (c *customerApp) joined(cust *client.Customer) {
	c.cust = cust
	s := cust.Session()
	cfg := protocol.DefaultCustomerClientConfig()
	if cs, ok := any(cust).(configSource); ok && cs.Config() != nil {
		cfg = *cs.Config()
	}
	lang := CustomerLanguage(c.opts.Lang, cfg)
	c.win.SetTitle(customerTitle(lang, cfg))
	if cfg.Display.StartMinimizedNoFocus && c.opts.Minimize != nil {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			if err := c.opts.Minimize(); err != nil {
				c.log.Warn("start minimized", "err", err)
			}
		}()
	}
	bg := func(f func(ctx context.Context)) {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			f(ctx)
		}()
	}
	c.view = NewCustomerView(c.win, CustomerSetup{Lang: lang, Config: cfg}, CustomerCallbacks{
		Send: func(text string) {
			bg(func(ctx context.Context) {
				if err := s.SendChat(ctx, text); err != nil {
					fyne.Do(func() { c.view.Chat.Notice(friendly(err)) })
				}
			})
		},
		End: func(reason string) {
			bg(func(ctx context.Context) { _ = s.End(ctx, reason) })
		},
		Agreement: func(ok bool) { c.log.Info("customer agreement", "accepted", ok) },
		Rate:      c.rate(cust),
		Recording: c.recording(cust),
		ChatSound: c.bell.Ring,
		Admitted:  func() { c.share(s, cfg) },
		TakeBack:  s.RevokeAllControl,
		Apps:      c.opts.Apps,
	})
	c.win.SetContent(c.view.Content)
	files := newCustomerFiles(c.view, s, DownloadsDir())
	c.files = files
	// A representative's strokes are drawn over the customer's screen,
	// where the portal allows annotations (the client refuses them
	// otherwise); the layer opens with the first one.
	c.annotations = NewAnnotationLayer(c.opts.Display, c.log)
	var reps []protocol.Participant // Fyne's goroutine
	_, canOffer := s.FilesAllowed()
	if b := files.SendButton(c.view, canOffer, func() protocol.Participant { return firstRep(reps) }); b != nil {
		b.Disable() // until a representative is there to receive
		c.view.AddTool(b)
		c.sendFile = b
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.prepare(cust, lang)
	}()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.reportSystem(cust)
	}()
	seen := map[string]bool{}
	hold := func(client.Event) {}
	if c.opts.Hold != nil {
		var status <-chan agent.Status
		var release func()
		hold, status, release = c.opts.Hold(s, cfg)
		c.release = release
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.followHold(status)
		}()
	}
	// The rep's screen, where a rep shows it (customer_repview.go).
	repScreen := NewRepScreenViewer(nil, c.view.Chat.Notice, c.do, c.log)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer repScreen.Close()
		pumpSession(s, c.done, func(ev client.Event) {
			hold(ev)
			if files.Handle(ev) || repScreen.Handle(ev) {
				return
			}
			switch e := ev.(type) {
			case client.SessionChanged:
				var names []string
				reps = reps[:0]
				for _, p := range e.Info.Participants {
					if p.Role == protocol.RoleCustomer {
						continue
					}
					names = append(names, p.Name)
					reps = append(reps, p)
					switch {
					case seen[p.ID]:
					case p.Role == protocol.RoleSpecialist:
						seen[p.ID] = true
						c.view.SpecialistJoined(p.Name)
					default:
						seen[p.ID] = true
						c.view.ChattingWith(p.Name)
					}
				}
				c.view.Present(names)
				c.reps = names
				c.indicate()
				if len(names) == 0 {
					// Nobody is left to explain the strokes.
					if err := c.annotations.Clear(); err != nil {
						c.log.Warn("clear the annotations", "err", err)
					}
				}
				if c.sendFile != nil {
					if len(reps) > 0 && e.Info.State != protocol.StateEnded {
						c.sendFile.Enable()
					} else {
						c.sendFile.Disable()
					}
				}
			case client.WaitStatusChanged:
				c.waited(e.Status)
			case client.AnnotationReceived:
				if err := c.annotations.Apply(e.Annotation); err != nil {
					c.log.Warn("annotation not drawn", "from", e.Participant.ID, "err", err)
				}
			case client.ChatReceived:
				c.view.Received(e.Message)
			case client.ConnectionChanged:
				c.view.Connection(e.Connected)
			case client.ControlRequested:
				c.controlRequested(s, cfg, e.Participant)
			case client.ControlChanged:
				c.view.Controlled(e.Participant.Name, e.InControl)
			case client.SessionEnded:
				c.hideIndicator()
				_ = c.annotations.Close()
				if c.sendFile != nil {
					c.sendFile.Disable()
				}
				c.view.Ended(c.removeSelf())
			}
		})
	}()
}

// share starts sharing the screen once, where the portal allows it.
func (c *customerApp) share(s *client.Session, cfg protocol.CustomerClientConfig) {
	c.shareOnce.Do(func() {
		if c.opts.Share == nil || !cfg.Functions.CustomerScreenSharing || cfg.Policy.Control < protocol.ControlView {
			return
		}
		stop, err := c.opts.Share(s)
		if err != nil {
			c.log.Warn("share the screen", "err", err)
			return
		}
		c.stopShare = stop
		c.showIndicator = cfg.Display.SupportedIndicator
		c.view.Sharing(true)
		c.indicate()
	})
}

// indicatorText is the supported indicator's message: who supports this
// computer, once someone does.
func (c *customerApp) indicatorText() string {
	if len(c.reps) == 0 {
		return c.view.t("indicator.text")
	}
	return fmt.Sprintf(c.view.t("indicator.by"), strings.Join(c.reps, ", "))
}

// indicate shows the supported indicator while representatives can see
// the shared screen, where the portal shows it, naming them; and removes
// it when none can.
func (c *customerApp) indicate() {
	switch {
	case c.stopShare == nil || len(c.reps) == 0 || !c.showIndicator || c.opts.Indicator == nil:
		c.hideIndicator()
	case c.ind == nil:
		ind, err := c.opts.Indicator(c.indicatorText())
		if err != nil {
			c.log.Warn("the supported indicator", "err", err)
			return
		}
		c.ind = ind
	default:
		c.ind.SetText(c.indicatorText())
	}
}

// hideIndicator removes the supported indicator.
func (c *customerApp) hideIndicator() {
	if c.ind != nil {
		if err := c.ind.Close(); err != nil {
			c.log.Warn("remove the supported indicator", "err", err)
		}
		c.ind = nil
	}
}

// controlRequested answers a representative's request for control as the
// session policy says: refused where it allows viewing only, granted
// without asking where it does not prompt, else the customer decides.
func (c *customerApp) controlRequested(s *client.Session, cfg protocol.CustomerClientConfig, p protocol.Participant) {
	answer := func(allow bool) {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			var err error
			if allow {
				err = s.GrantControl(p.ID)
			} else {
				err = s.DenyControl(p.ID)
			}
			if err != nil {
				c.log.Warn("answer a control request", "allow", allow, "err", err)
			}
		}()
	}
	switch {
	case cfg.Policy.Control < protocol.ControlFull || c.stopShare == nil:
		answer(false)
	case !cfg.Policy.Prompt:
		answer(true)
	default:
		c.view.AskControl(p.Name, answer)
	}
}

// recording returns the recording prompt's callback: it tells the server
// through src where src can.
func (c *customerApp) recording(src any) func(bool) {
	return func(allow bool) {
		rc, ok := src.(recordingConsent)
		if !ok {
			c.log.Warn("this client build cannot tell the server the recording answer", "allow", allow)
			return
		}
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := rc.SetRecording(ctx, allow); err != nil {
				c.log.Warn("recording answer", "allow", allow, "err", err)
			}
		}()
	}
}

// prepare fetches the banner and the first wait status, starts the view,
// and asks for the wait status every waitPoll until the session leaves
// the queue.
func (c *customerApp) prepare(src any, lang string) {
	ctx := c.ctx
	if bs, ok := src.(bannerSource); ok {
		if b, err := bs.Banner(ctx); err != nil {
			c.log.Warn("chat window banner", "err", err)
		} else if img, err := DecodeBanner(b); err != nil {
			c.log.Warn("chat window banner", "err", err)
		} else {
			c.do(func() { c.view.Banner.Image = img; c.view.Banner.Refresh() })
		}
	}
	if sub, ok := src.(waitSubscriber); ok {
		// The server pushes the status whenever the queue changes; the
		// first push starts the view (see waited).
		err := sub.SubscribeWaitStatus(ctx, lang)
		if err == nil || ctx.Err() != nil {
			return
		}
		c.log.Warn("wait status pushes; asking instead", "err", err)
	}
	ws, ok := src.(waitStatusSource)
	if !ok {
		c.do(c.view.Start)
		return
	}
	first := true
	for {
		st, err := ws.WaitStatus(ctx, lang)
		if err != nil && ctx.Err() != nil {
			return
		}
		if err != nil {
			c.log.Warn("wait status", "err", err)
		}
		isFirst := first
		c.do(func() {
			if err == nil {
				c.view.Waiting(st)
			}
			if isFirst {
				c.view.Start()
			}
		})
		first = false
		if err == nil && st.State != protocol.StateWaiting {
			return
		}
		select {
		case <-time.After(waitPoll):
		case <-ctx.Done():
			return
		}
	}
}

// waited shows a pushed wait status; the first one starts the view.
func (c *customerApp) waited(st protocol.WaitStatus) {
	c.view.Waiting(st)
	c.view.Start()
}

// reportSystem tells the server what computer this is, for the rep's
// session summary.
func (c *customerApp) reportSystem(src any) {
	sink, ok := src.(systemInfoSink)
	if !ok || c.opts.SystemInfo == nil {
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	info, err := c.opts.SystemInfo(ctx)
	if err != nil {
		c.log.Warn("describe this computer", "err", err)
		return
	}
	if err := sink.ReportSystemInfo(ctx, info); err != nil {
		c.log.Warn("report this computer to the session", "err", err)
	}
}

// rate returns the exit survey's callback: it sends the answer where src
// takes one.
func (c *customerApp) rate(src any) func(protocol.Rating) {
	sink, ok := src.(surveySink)
	if !ok {
		return nil
	}
	return func(r protocol.Rating) {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := sink.Rate(ctx, r); err != nil {
				c.log.Warn("exit survey", "err", err)
			}
		}()
	}
}

// removeSelf removes the downloaded client once; it reports whether the
// file is gone.
func (c *customerApp) removeSelf() bool {
	c.removeOnce.Do(func() {
		if c.opts.RemoveSelf != nil {
			c.removed = c.opts.RemoveSelf()
		}
	})
	return c.removed
}

// close leaves the session when the customer closes the window.
func (c *customerApp) close() {
	select {
	case <-c.done:
		return
	default:
	}
	close(c.done)
	c.cancel()
	if c.view != nil {
		c.view.Close()
		c.view.SurveyClosed()
	}
	c.bell.Close()
	if c.cust != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_ = c.cust.Session().End(ctx, "the customer closed the window")
		cancel()
		_ = c.cust.Close()
	}
	c.hideIndicator()
	if c.files != nil {
		c.files.Close()
	}
	if c.annotations != nil {
		_ = c.annotations.Close()
	}
	if c.stopShare != nil {
		c.stopShare()
	}
	if c.release != nil {
		c.release()
	}
	c.removeSelf()
	c.wg.Wait()
}

// followHold shows what the hold on this computer reports: the rep's
// connection lost (and the customer's input locked out) or back.
func (c *customerApp) followHold(status <-chan agent.Status) {
	for {
		select {
		case <-c.done:
			return
		case st := <-status:
			if st.Ended {
				if st.EndErr != nil {
					c.log.Warn("session end action", "err", st.EndErr)
				}
				continue
			}
			fyne.Do(func() {
				if c.view != nil {
					c.view.Connection(!st.RepAway)
				}
			})
		}
	}
}
