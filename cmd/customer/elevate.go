package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/tandemhq/tandem/agent"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/host"
	"github.com/tandemhq/tandem/protocol"
)

// The customer client runs with administrative rights when the portal's
// policy says so at its start, or when a rep asks and the customer
// accepts. Elevating means relaunching: this process writes a hand-off of
// its session to a file only its user can read, relaunches itself
// elevated with -resume FILE, and waits until the new process has
// connected (it removes the file then); it then lets go of the machine and
// exits without ending the session, which the new process carries on.

// takeOverTimeout bounds the wait for the elevated process to connect,
// system prompt included.
const takeOverTimeout = 3 * time.Minute

// handoffName is the hand-off file's name in its private directory.
const handoffName = "handoff.json"

// writeHandoff writes the session's hand-off for the process that takes
// it over into a private directory made in dir (the system's temporary
// directory when empty) and returns the file's path; remove removes the
// directory.
func writeHandoff(s *client.Session, dir string) (path string, remove func(), err error) {
	h, err := s.Handoff()
	if err != nil {
		return "", nil, err
	}
	dir, err = os.MkdirTemp(dir, "tandem-handoff-")
	if err != nil {
		return "", nil, fmt.Errorf("hand-off directory: %w", err)
	}
	remove = func() { _ = os.RemoveAll(dir) }
	path = filepath.Join(dir, handoffName)
	if err := client.WriteHandoff(path, h); err != nil {
		remove()
		return "", nil, err
	}
	return path, remove, nil
}

// errAlready reports that the process runs elevated already.
var errAlready = errors.New("already elevated")

// elevator carries out elevation for one customer client. Its zero value
// is not usable: see newElevator.
type elevator struct {
	log *slog.Logger
	// args are passed to the relaunched process after -resume FILE (the
	// log level, say).
	args []string
	// resumed: this process was relaunched with -resume; it does not
	// elevate automatically again.
	resumed bool

	// Replaced in tests.
	elevated func() bool
	probe    func(ctx context.Context) error
	launch   func(ctx context.Context, policy host.ElevationPolicy, args []string) (*host.Elevation, error)
	dir      string // where hand-off directories go; "" means os.TempDir

	tasks
}

// newElevator returns an elevator acting through h; resumed says whether
// this process was relaunched with -resume, args are passed on to a
// relaunch.
func newElevator(h *host.Host, log *slog.Logger, resumed bool, args []string) *elevator {
	e := &elevator{
		log: log, resumed: resumed, args: args,
		elevated: host.IsElevated, probe: h.ProbeSilentElevation, launch: h.Elevate,
	}
	e.begin()
	return e
}

// holdFunc is ui.CustomerOptions.Hold.
type holdFunc = func(s *client.Session, cfg protocol.CustomerClientConfig) (func(client.Event), <-chan agent.Status, func())

// wrapHold adds elevation to the hold on this computer: the automatic
// elevation starts with it, the reps' requests come with its events, and
// an elevated relaunch releases it before this process exits.
func (e *elevator) wrapHold(hold holdFunc) holdFunc {
	return func(s *client.Session, cfg protocol.CustomerClientConfig) (func(client.Event), <-chan agent.Status, func()) {
		handle, status, release := hold(s, cfg)
		e.setRelease(release)
		elevation := e.attach(s, cfg)
		return func(ev client.Event) {
				handle(ev)
				elevation(ev)
			}, status, func() {
				e.close()
				release()
			}
	}
}

// attach starts the elevation of a session: the automatic one by the
// portal's policy (unless this process was relaunched already), and the
// returned handler answers the reps' requests among the session's events.
// The handler returns at once.
func (e *elevator) attach(s *client.Session, cfg protocol.CustomerClientConfig) func(client.Event) {
	if !e.resumed {
		e.goDo(func() { e.atStart(s, cfg) })
	}
	return func(ev client.Event) {
		if r, ok := ev.(client.ElevationRequested); ok {
			e.goDo(func() { e.requested(s, cfg, r.Participant) })
		}
	}
}

// hostPolicy maps the portal's automatic elevation setting to the host's.
func hostPolicy(p protocol.Elevation) host.ElevationPolicy {
	switch p {
	case protocol.ElevationNever:
		return host.ElevationNever
	case protocol.ElevationNoPrompt:
		return host.ElevationIfNoPrompt
	case protocol.ElevationAlways:
		return host.ElevationAlways
	}
	return host.ElevationUnknown
}

// decide gathers the facts and decides; the probe runs only when it
// matters.
func (e *elevator) decide(policy host.ElevationPolicy, requested bool) host.ElevationStep {
	f := host.ElevationFacts{Elevated: e.elevated(), Policy: policy, Requested: requested}
	if !f.Elevated && (requested || policy == host.ElevationIfNoPrompt || policy == host.ElevationAlways) {
		err := e.probe(e.ctx)
		f.Silent = err == nil
		if err != nil {
			e.log.Debug("elevation would prompt", "err", err)
		}
	}
	return host.DecideElevation(f)
}

// atStart elevates as the portal's automatic elevation says.
func (e *elevator) atStart(s *client.Session, cfg protocol.CustomerClientConfig) {
	policy := hostPolicy(cfg.Misc.Elevation)
	step := e.decide(policy, false)
	e.log.Info("automatic elevation", "policy", policy, "step", step)
	if step != host.ElevationSilently && step != host.ElevationPrompting {
		return
	}
	if !e.claim() {
		return
	}
	defer e.unclaim()
	if err := e.relaunch(s, step); err != nil {
		e.log.Warn("automatic elevation failed; carrying on unelevated", "err", err)
	}
}

// requested answers a rep's request: refused where the session policy
// does not allow it, "already" when elevated, else the customer is asked
// and, on yes, the client relaunches elevated.
func (e *elevator) requested(s *client.Session, cfg protocol.CustomerClientConfig, rep protocol.Participant) {
	answer := func(o client.ElevationOutcome, reason string) {
		if err := s.AnswerElevation(rep.ID, o, reason); err != nil {
			e.log.Warn("answer an elevation request", "rep", rep.ID, "outcome", o, "err", err)
		}
	}
	switch {
	case !cfg.Policy.Elevation:
		e.log.Info("elevation request refused by the session policy", "rep", rep.ID)
		answer(client.ElevationDeclined, "the session policy does not allow elevation")
		return
	case e.elevated():
		answer(client.ElevationAlready, "")
		return
	case !e.claim():
		answer(client.ElevationDeclined, "an elevation is already under way")
		return
	}
	defer e.unclaim()
	if !e.askCustomer(rep.Name) {
		e.log.Info("the customer declined elevation", "rep", rep.ID)
		answer(client.ElevationDeclined, "the customer declined")
		return
	}
	step := e.decide(hostPolicy(cfg.Misc.Elevation), true)
	if step != host.ElevationSilently && step != host.ElevationPrompting {
		answer(client.ElevationAlready, "")
		return
	}
	// The rep hears it now: once the relaunch works, this process and its
	// peer connection are gone.
	answer(client.ElevationAccepted, "relaunching elevated ("+step.String()+")")
	if err := e.relaunch(s, step); err != nil {
		e.log.Warn("elevation failed; carrying on unelevated", "err", err)
		o, reason := outcomeOf(err)
		answer(o, reason)
	}
}

// outcomeOf turns a failed relaunch into the answer for the rep.
func outcomeOf(err error) (client.ElevationOutcome, string) {
	switch {
	case errors.Is(err, errAlready):
		return client.ElevationAlready, ""
	case errors.Is(err, host.ErrElevationDeclined):
		return client.ElevationDeclined, reasonText(err.Error())
	}
	return client.ElevationFailed, reasonText(err.Error())
}

// reasonText makes an error fit an elevation reason: control characters
// become spaces and it is cut to client.MaxElevationReason characters.
func reasonText(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > client.MaxElevationReason {
		s = string([]rune(s)[:client.MaxElevationReason-1]) + "…"
	}
	return s
}

// relaunch hands the session to an elevated copy of this program and,
// once that has connected, lets go and exits through takeOver. It returns
// only when the relaunch did not take over: errAlready when elevated
// already, host's elevation errors, or a new process that did not connect
// in time.
func (e *elevator) relaunch(s *client.Session, step host.ElevationStep) error {
	path, remove, err := writeHandoff(s, e.dir)
	if err != nil {
		return err
	}
	defer remove()
	el, err := e.launch(e.ctx, step.Policy(), append([]string{"-resume", path}, e.args...))
	if err != nil {
		return err
	}
	if el.Already {
		return errAlready
	}
	e.log.Info("relaunched elevated; waiting for it to take over", "method", el.Method)
	exited := make(chan error, 1)
	go func() { exited <- el.Wait() }() // not waited for: the mechanism may outlive this process
	if err := waitGone(e.ctx, path, exited); err != nil {
		_ = os.Remove(path) // a late process must not take over from a live one
		return fmt.Errorf("%s: %w", el.Method, err)
	}
	e.log.Info("the elevated client took the session over; exiting", "method", el.Method)
	e.takeOver()
	return nil
}

// waitGone waits until the file at path is removed — the relaunched
// client has connected — or until the mechanism reports a failure, ctx
// ends or takeOverTimeout passes.
func waitGone(ctx context.Context, path string, exited <-chan error) error {
	ctx, cancel := context.WithTimeout(ctx, takeOverTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil
		}
		select {
		case err := <-exited:
			if _, serr := os.Stat(path); errors.Is(serr, os.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			// runas and osascript return once launched: keep waiting.
			exited = nil
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("the elevated client did not take over: %w", ctx.Err())
		}
	}
}

// surviveLostStderr keeps a relaunched client alive once the process that
// launched it has exited: pkexec and sudo hand it the launcher's stderr,
// a pipe the launcher read, and Go ends a program that writes to a broken
// pipe on fd 1 or 2 unless it takes SIGPIPE itself. Writes then fail
// (EPIPE) and the log lines are lost, not the session.
func surviveLostStderr() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
}

// resumeCustomer takes the session over from the hand-off at path (the
// -resume flag) and removes the file, which tells the process that wrote
// it that this one is connected.
func resumeCustomer(ctx context.Context, path string, cfg client.Config) (*client.Customer, error) {
	h, err := client.ReadHandoff(path)
	if err != nil {
		return nil, err
	}
	c, err := client.Resume(ctx, cfg, h)
	if err != nil {
		return nil, err
	}
	if err := os.Remove(path); err != nil {
		c.Close()
		return nil, fmt.Errorf("remove the hand-off: %w", err)
	}
	return c, nil
}
