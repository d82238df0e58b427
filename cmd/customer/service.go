package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/tandemhq/tandem/agent"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/host"
	"github.com/tandemhq/tandem/protocol"
)

// The customer client runs as a service of the operating system when a
// rep asks and the customer accepts (the portal's RunAsService), or at
// its start when the portal says so (StartAsService) and it may install
// services. Like an elevated relaunch it hands the session over: this
// process writes a hand-off to a file only its user can read, installs a
// service for the session (host.ServiceName) whose command is this
// program with -resume FILE -service NAME, starts it, and waits until the
// service's process has connected (it removes the file); it then lets go
// of the machine and exits, leaving the session to the service. A service
// that did not take over is uninstalled again, and this process carries
// on. At the session's end the service's process removes its own service
// where the portal says so (UninstallServiceAtEnd); systemd forgets the
// unit once the process has exited.

// serviceCommand is what a service runs: a program, its arguments and
// variables.
type serviceCommand struct {
	exe  string
	args []string
	env  []string
}

// servicer runs one customer client as a service. Its zero value is not
// usable: see newServicer.
type servicer struct {
	log *slog.Logger
	mgr *host.ServiceManager
	// args are passed to the service's process after -resume FILE
	// -service NAME (the log level, say).
	args []string
	// name is the service this process runs as (the -service flag); ""
	// when it is not a service.
	name string
	// display is the X display the service's process shows on.
	display string

	// Replaced in tests.
	// command turns the program's arguments into the service's command;
	// nil means this program (os.Executable) with the desktop's variables.
	command func(args []string) (serviceCommand, error)
	dir     string // where hand-off directories go; "" means os.TempDir

	tasks

	// ended: atEnd ran (at the session's end, or at the release); under
	// tasks.mu.
	ended bool
}

// newServicer returns a servicer installing through mgr; name is the
// service this process runs as ("" when none), args are passed on to the
// service.
func newServicer(mgr *host.ServiceManager, log *slog.Logger, name, display string, args []string) *servicer {
	sv := &servicer{log: log, mgr: mgr, name: name, display: display, args: args}
	sv.begin()
	return sv
}

// wrapHold adds the service to the hold on this computer: the start as a
// service begins with it, the reps' requests come with its events, a
// hand-over releases it before this process exits, and the session's end
// (or the release) removes this process's own service where the portal
// says so.
func (sv *servicer) wrapHold(hold holdFunc) holdFunc {
	return func(s *client.Session, cfg protocol.CustomerClientConfig) (func(client.Event), <-chan agent.Status, func()) {
		handle, status, release := hold(s, cfg)
		sv.setRelease(release)
		service := sv.attach(s, cfg)
		return func(ev client.Event) {
				handle(ev)
				service(ev)
			}, status, func() {
				sv.close()
				sv.atEnd(cfg)
				release()
			}
	}
}

// attach starts the service of a session: the start as a service where
// the portal says so (unless this process is the service), and the
// returned handler answers the reps' requests among the session's events
// and removes this process's own service at the session's end. The
// handler returns at once.
func (sv *servicer) attach(s *client.Session, cfg protocol.CustomerClientConfig) func(client.Event) {
	if sv.name == "" && cfg.Functions.StartAsService {
		sv.goDo(func() { sv.atStart(s) })
	}
	return func(ev client.Event) {
		switch e := ev.(type) {
		case client.ServiceRequested:
			sv.goDo(func() { sv.requested(s, cfg, e.Participant) })
		case client.SessionEnded:
			sv.goDo(func() { sv.atEnd(cfg) })
		}
	}
}

// atStart hands the session to a service where services can be
// installed, and otherwise runs on as it is, saying why in the log.
func (sv *servicer) atStart(s *client.Session) {
	if err := sv.mgr.Probe(sv.ctx); err != nil {
		sv.log.Info("start as a service: services cannot be installed here; running normally", "err", err)
		return
	}
	if !sv.claim() {
		return
	}
	defer sv.unclaim()
	if err := sv.handOver(s); err != nil {
		sv.log.Warn("start as a service failed; running normally", "err", err)
	}
}

// atEnd removes this process's own service at the session's end, where
// the portal says so; the process exits later, and the service manager
// forgets the service then.
func (sv *servicer) atEnd(cfg protocol.CustomerClientConfig) {
	if sv.name == "" {
		return
	}
	sv.mu.Lock()
	done := sv.ended
	sv.ended = true
	sv.mu.Unlock()
	if done {
		return
	}
	if !cfg.Functions.UninstallServiceAtEnd {
		sv.log.Info("the session ended; the service stays installed", "service", sv.name)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), takeOverTimeout)
	defer cancel()
	if err := sv.mgr.RemoveSelf(ctx, sv.name); err != nil {
		sv.log.Warn("remove the service at the session's end", "service", sv.name, "err", err)
		return
	}
	sv.log.Info("the session ended; the service is uninstalled", "service", sv.name)
}

// requested answers a rep's request: refused where the portal does not
// allow it, "already" in the service, "unsupported" where services
// cannot be installed; else the customer is asked and, on yes, the
// session is handed to a service.
func (sv *servicer) requested(s *client.Session, cfg protocol.CustomerClientConfig, rep protocol.Participant) {
	answer := func(o client.ServiceOutcome, reason string) {
		if err := s.AnswerService(rep.ID, o, reasonText(reason)); err != nil {
			sv.log.Warn("answer a service request", "rep", rep.ID, "outcome", o, "err", err)
		}
	}
	switch {
	case !cfg.Functions.RunAsService:
		sv.log.Info("running as a service refused by the portal", "rep", rep.ID)
		answer(client.ServiceDeclined, "the portal does not allow running as a service")
		return
	case sv.name != "":
		answer(client.ServiceAlready, "")
		return
	}
	if err := sv.mgr.Probe(sv.ctx); err != nil {
		sv.log.Info("running as a service requested, but services cannot be installed here", "err", err)
		answer(client.ServiceUnsupported, err.Error())
		return
	}
	if !sv.claim() {
		answer(client.ServiceDeclined, "a hand-over is already under way")
		return
	}
	defer sv.unclaim()
	if !sv.askCustomer(rep.Name) {
		sv.log.Info("the customer declined running as a service", "rep", rep.ID)
		answer(client.ServiceDeclined, "the customer declined")
		return
	}
	// The rep hears it now: once the service takes over, this process
	// and its peer connection are gone.
	answer(client.ServiceAccepted, "installing the service")
	if err := sv.handOver(s); err != nil {
		sv.log.Warn("running as a service failed; carrying on", "err", err)
		answer(client.ServiceFailed, err.Error())
	}
}

// defaultCommand is this program with args, and the variables that let
// it reach the customer's desktop.
func (sv *servicer) defaultCommand(args []string) (serviceCommand, error) {
	exe, err := os.Executable()
	if err != nil {
		return serviceCommand{}, fmt.Errorf("own executable: %w", err)
	}
	return serviceCommand{exe: exe, args: args, env: host.SessionEnv(sv.display)}, nil
}

// handOver installs and starts a service for the session and, once its
// process has connected, lets go and exits through takeOver. It returns
// only when the service did not take over; the service is uninstalled
// then.
func (sv *servicer) handOver(s *client.Session) error {
	path, remove, err := writeHandoff(s, sv.dir)
	if err != nil {
		return err
	}
	defer remove()
	name := host.ServiceName(s.ID())
	command := sv.command
	if command == nil {
		command = sv.defaultCommand
	}
	cmd, err := command(append([]string{"-resume", path, "-service", name}, sv.args...))
	if err != nil {
		return err
	}
	spec := host.ServiceSpec{Name: name, Exe: cmd.exe, Args: cmd.args, Env: cmd.env,
		Description: "Tandem support session (customer client)"}
	if err := sv.mgr.Install(sv.ctx, spec); err != nil {
		return err
	}
	if err := sv.start(path, name); err != nil {
		_ = os.Remove(path) // a late service must not take over from a live process
		ctx, cancel := context.WithTimeout(context.Background(), takeOverTimeout)
		defer cancel()
		if uerr := sv.mgr.Uninstall(ctx, name); uerr != nil {
			sv.log.Warn("uninstall the service that did not take over", "service", name, "err", uerr)
		}
		return err
	}
	sv.log.Info("the service took the session over; exiting", "service", name)
	sv.takeOver()
	return nil
}

// start starts the installed service and waits for its process to take
// the session over (it removes the hand-off at path).
func (sv *servicer) start(path, name string) error {
	if err := sv.mgr.Start(sv.ctx, name); err != nil {
		return err
	}
	sv.log.Info("started the service; waiting for it to take over", "service", name)
	ctx, cancel := context.WithCancel(sv.ctx)
	stopped := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		stopped <- sv.watch(ctx, name)
	}()
	defer func() {
		cancel()
		wg.Wait()
	}()
	if err := waitGone(ctx, path, stopped); err != nil {
		return fmt.Errorf("service %s: %w", name, err)
	}
	return nil
}

// errServiceStopped: the service's process ended before it took over.
var errServiceStopped = errors.New("the service stopped before it took the session over")

// watch returns errServiceStopped once the service no longer runs, or
// nil when ctx ends first.
func (sv *servicer) watch(ctx context.Context, name string) error {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		on, err := sv.mgr.Running(ctx, name)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			sv.log.Debug("service state", "service", name, "err", err)
			continue
		}
		if !on {
			return errServiceStopped
		}
	}
}
