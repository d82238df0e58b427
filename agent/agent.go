// Package agent is the customer client's hold on its own machine during a
// support session. It sits between the session (package client) and the
// machine:
//
//   - it injects the input of the reps the customer gave control (the
//     session drops everyone else's), and lets go of every held key and
//     button when control ends or the connection drops;
//   - while no rep is connected it can lock the customer's own mouse and
//     keyboard out (the portal's input lockout setting), gives them back
//     when a rep is connected again, and ends the session when none comes
//     back within the reconnect time;
//   - at session end it carries out the end action (nothing, lock, log off).
//
// The app passes every event of the session to [Agent.Handle], in order;
// the agent reports what the customer should see through [Agent.Status].
package agent

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/host"
	"github.com/tandemhq/tandem/input"
	"github.com/tandemhq/tandem/input/hotkey"
	"github.com/tandemhq/tandem/input/inject"
	"github.com/tandemhq/tandem/input/lockout"
	"github.com/tandemhq/tandem/protocol"
)

// Config is what the portal's configuration decides for this machine.
type Config struct {
	// Display is the X display the customer works on; empty means
	// $DISPLAY (and is ignored where there is no X11).
	Display string
	// Lockout disables the customer's mouse and keyboard while no rep is
	// connected.
	Lockout bool
	// ReconnectTime is how long the client waits for a rep whose
	// connection dropped before it ends the session; zero means 60s.
	ReconnectTime time.Duration
	// Termination is the portal's session-end behaviour, and RepOverride
	// whether a rep may change it during the session (a
	// client.TerminationChanged event then does).
	Termination protocol.Termination
	RepOverride bool
	// TakeBackKey lets the customer take control back from every rep with
	// a key combination (hotkey.TakeBack), wherever the focus is.
	TakeBackKey bool
	// Logger; nil discards.
	Logger *slog.Logger
}

// Status is what the customer window shows about the connection.
type Status struct {
	// RepAway: no rep is connected; Deadline is when the session ends if
	// none comes back.
	RepAway  bool
	Deadline time.Time
	// LockedOut: the customer's own input is disabled.
	LockedOut bool
	// Ended: the session is over and the end action was carried out;
	// EndErr says why it could not be.
	Ended  bool
	EndErr error
}

// Session is what the agent needs of the customer's session.
type Session interface {
	HandleInput(client.InputHandler)
	End(ctx context.Context, reason string) error
	RevokeAllControl()
}

// Agent holds the machine for one session. Its methods are safe for
// concurrent use.
type Agent struct {
	cfg  Config
	s    Session
	log  *slog.Logger
	host host.Host

	status chan Status

	mu        sync.Mutex
	inj       *inject.Injector
	injErr    error
	lock      *lockout.Lockout
	connected map[string]bool // rep peers connected
	everUp    bool
	timer     *time.Timer
	st        Status
	closed    bool
	override  protocol.Termination
	// hotkey is the take-back combination; nil without one.
	hotkey *hotkey.Hotkey
}

// New starts holding the machine for session s.
func New(s Session, cfg Config) *Agent {
	if cfg.ReconnectTime <= 0 {
		cfg.ReconnectTime = 60 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Agent{
		cfg: cfg, s: s, log: log, host: host.Host{Display: cfg.Display},
		status: make(chan Status, 1), connected: make(map[string]bool),
	}
	s.HandleInput(a.input)
	if cfg.TakeBackKey {
		hk, err := hotkey.Register(cfg.Display, s.RevokeAllControl, log)
		if err != nil {
			log.Warn("the take-back key combination is not available", "keys", hotkey.TakeBack, "err", err)
		}
		a.hotkey = hk
	}
	return a
}

// Status delivers the newest status when it changes.
func (a *Agent) Status() <-chan Status { return a.status }

// input injects one event of a participant in control.
func (a *Agent) input(from protocol.Participant, ev input.Event) {
	inj, err := a.injector()
	if err != nil {
		return
	}
	if err := inj.Inject(ev); err != nil {
		a.log.Warn("input not injected", "from", from.ID, "event", ev, "err", err)
	}
}

// injector opens the injector the first time it is needed.
func (a *Agent) injector() (*inject.Injector, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil, errors.New("agent closed")
	}
	if a.inj == nil && a.injErr == nil {
		a.inj, a.injErr = inject.New(a.cfg.Display, a.log)
		if a.injErr != nil {
			a.log.Error("remote control unavailable", "err", a.injErr)
		}
	}
	return a.inj, a.injErr
}

// releaseKeys lets go of every key and button the injector holds.
func (a *Agent) releaseKeys() {
	a.mu.Lock()
	inj := a.inj
	a.mu.Unlock()
	if inj != nil {
		if err := inj.ReleaseAll(); err != nil {
			a.log.Warn("release held keys", "err", err)
		}
	}
}

// Handle takes one event of the session.
func (a *Agent) Handle(ev client.Event) {
	switch e := ev.(type) {
	case client.ControlChanged:
		if !e.InControl {
			a.releaseKeys()
		}
	case client.PeerChanged:
		if e.Participant.Role == protocol.RoleCustomer {
			return
		}
		switch e.State {
		case "connected":
			a.repUp(e.Participant.ID)
		case "disconnected", "failed", "closed":
			a.repDown(e.Participant.ID)
		}
	case client.TerminationChanged:
		a.mu.Lock()
		a.override = e.Termination
		a.mu.Unlock()
	case client.SessionEnded:
		a.end()
	}
}

func (a *Agent) repUp(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.connected[id] = true
	a.everUp = true
	if a.timer != nil {
		a.timer.Stop()
		a.timer = nil
	}
	if a.lock != nil {
		if err := a.lock.Release(); err != nil {
			a.log.Warn("release input lockout", "err", err)
		}
		a.lock = nil
	}
	a.setStatusLocked(Status{})
}

func (a *Agent) repDown(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.connected, id)
	if !a.everUp || len(a.connected) > 0 || a.closed || a.st.RepAway {
		return
	}
	a.log.Warn("the rep's connection dropped; waiting for it", "for", a.cfg.ReconnectTime)
	if a.inj != nil {
		if err := a.inj.ReleaseAll(); err != nil {
			a.log.Warn("release held keys", "err", err)
		}
	}
	st := Status{RepAway: true, Deadline: time.Now().Add(a.cfg.ReconnectTime)}
	if a.cfg.Lockout && a.lock == nil {
		ctx, cancel := context.WithTimeout(context.Background(), lockout.GrabWait)
		l, err := lockout.Engage(ctx, a.cfg.Display, a.log)
		cancel()
		if err != nil {
			a.log.Error("input lockout", "err", err)
		} else {
			a.lock = l
			st.LockedOut = true
		}
	}
	a.timer = time.AfterFunc(a.cfg.ReconnectTime, a.giveUp)
	a.setStatusLocked(st)
}

// giveUp ends the session when no rep came back in time.
func (a *Agent) giveUp() {
	a.mu.Lock()
	away := a.st.RepAway && !a.closed
	a.mu.Unlock()
	if !away {
		return
	}
	a.log.Warn("the rep did not come back in time; ending the session")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.s.End(ctx, "the representative's connection was lost"); err != nil {
		a.log.Error("end the session", "err", err)
		// The session is over for this machine either way.
		a.end()
	}
}

// end gives the machine back and carries out the end action, once.
func (a *Agent) end() {
	a.mu.Lock()
	if a.st.Ended {
		a.mu.Unlock()
		return
	}
	a.releaseAllLocked()
	a.st = Status{Ended: true}
	action := host.DecideEndAction(endAction(a.cfg.Termination), endAction(a.override), a.cfg.RepOverride)
	a.mu.Unlock()

	var err error
	if action != host.EndNothing {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var out host.Outcome
		out, err = a.host.End(ctx, action)
		cancel()
		if err != nil {
			a.log.Error("session end action", "action", action, "err", err)
		} else {
			a.log.Info("session end action", "action", action, "by", out.Method)
		}
	}
	a.mu.Lock()
	a.setStatusLocked(Status{Ended: true, EndErr: err})
	a.mu.Unlock()
}

// releaseAllLocked stops the timer, releases the lockout and held keys
// and closes the injector.
func (a *Agent) releaseAllLocked() {
	if a.timer != nil {
		a.timer.Stop()
		a.timer = nil
	}
	if a.lock != nil {
		if err := a.lock.Release(); err != nil {
			a.log.Warn("release input lockout", "err", err)
		}
		a.lock = nil
	}
	if a.inj != nil {
		if err := a.inj.Close(); err != nil {
			a.log.Warn("close the injector", "err", err)
		}
		a.inj = nil
	}
}

func (a *Agent) setStatusLocked(st Status) {
	a.st = st
	for {
		select {
		case a.status <- st:
			return
		default:
		}
		select {
		case <-a.status:
		default:
		}
	}
}

// Close gives the machine back (held keys, lockout) without an end
// action. It is idempotent.
func (a *Agent) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	a.releaseAllLocked()
	hk := a.hotkey
	a.mu.Unlock()
	if hk != nil {
		// Outside the lock: Close waits for a running press, which
		// revokes control and so calls back into the session.
		return hk.Close()
	}
	return nil
}

// endAction maps the portal's setting to the host's action; the zero
// value (no setting, no override) maps to EndUnknown.
func endAction(t protocol.Termination) host.EndAction {
	switch t {
	case protocol.TerminationNothing:
		return host.EndNothing
	case protocol.TerminationLock:
		return host.EndLock
	case protocol.TerminationLogOff:
		return host.EndLogOff
	}
	return host.EndUnknown
}
