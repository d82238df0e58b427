package ui

import (
	"context"
	"errors"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/input"
	"github.com/tandemhq/tandem/protocol"
)

// watchScreen shows the customer's screen in the session's Screen tab
// for as long as the session lasts, following the connection to the
// customer through reconnects.
func (r *repApp) watchScreen(s *client.Session, v *SessionView) {
	r.goWait(func() {
		// recording stops the current connection's recording and uploads it.
		recording := func(context.Context) error { return nil }
		var repScreen repScreenSlot // "Show my screen" (console_repshare.go)
		defer func() {
			r.uploadRecording(recording)
			repScreen.close()
		}()
		r.followCustomer(s, func(streamCtx context.Context, peer *client.Peer) {
			prev := recording
			r.goWait(func() { r.uploadRecording(prev) })
			// Where the session's configuration records the screen, the
			// console records what it receives and uploads it at the end.
			recording = StartRecording(r.ctx, r.rep, s.ID(), peer.Screen(), "", r.log)
			r.do(func() {
				panel := r.newScreenPanel(peer)
				panel.AddTool(NewElevationButton(func() *client.Peer { return customerPeer(s) }, v.Chat.Notice))
				panel.Service = NewServiceButton(func() *client.Peer { return customerPeer(s) }, v.Chat.Notice)
				panel.AddTool(panel.Service)
				if err := QueryServiceAllowed(peer); err != nil {
					r.log.Debug("service query not sent", "err", err)
				}
				ann := NewAnnotator(func(a client.Annotation) error {
					p := customerPeer(s)
					if p == nil {
						return errNotConnected
					}
					return p.Annotate(a)
				}, func(err error) { v.Chat.Notice("Annotation not sent: " + friendly(err)) })
				panel.AddTool(ann.Controls())
				panel.AddTool(r.repScreenTool(&repScreen, s, v).Controls())
				panel.View.SetAnnotator(ann)
				v.SetScreen(panel.Content)
				v.screen = panel
				v.Control.SetChecked(false)
				r.goWait(func() { StreamScreen(streamCtx, panel, peer.Screen(), r.do) })
			})
		})
	})
}

// followCustomer calls onPeer for each new connection to the session's
// customer that carries the screen, once it is connected, until the
// session or the console ends. The ctx onPeer gets ends when the next
// connection replaces this one, or with the session.
func (r *repApp) followCustomer(s *client.Session, onPeer func(ctx context.Context, p *client.Peer)) {
	var current *client.Peer
	stop := func() {}
	defer func() { stop() }()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-r.done:
			return
		case <-s.Ended():
			return
		case <-tick.C:
		}
		p := customerPeer(s)
		if p == nil || p == current || p.Screen() == nil {
			continue
		}
		ctx, cancel := context.WithTimeout(r.ctx, 100*time.Millisecond)
		err := p.Connected(ctx)
		cancel()
		if err != nil {
			continue
		}
		stop()
		current = p
		streamCtx, cancel := context.WithCancel(r.ctx)
		stop = cancel
		onPeer(streamCtx, p)
	}
}

// newScreenPanel returns a screen panel whose input and monitor choice go
// to the customer over peer (UI goroutine).
func (r *repApp) newScreenPanel(peer *client.Peer) *ScreenPanel {
	panel := NewScreenPanel(r.win, func(ev input.Event) {
		if err := peer.SendInput(ev); err != nil {
			r.log.Debug("input not sent", "err", err)
		}
	}, func(i int) {
		if err := peer.Screen().SelectMonitor(i); err != nil {
			r.log.Warn("monitor not selected", "err", err)
		}
	})
	// The view's updates go to the console's UI goroutine asynchronously
	// (r.do serialises the test driver, which runs fyne.Do on the
	// caller's goroutine).
	panel.View.do = func(f func()) { r.goWait(func() { r.do(f) }) }
	return panel
}

// errNotConnected: the customer's computer is not connected.
var errNotConnected = errors.New("the customer's computer is not connected")

// customerPeer is the rep's connection to the session's customer.
func customerPeer(s *client.Session) *client.Peer {
	for _, p := range s.Info().Participants {
		if p.Role == protocol.RoleCustomer {
			return s.Peer(p.ID)
		}
	}
	return nil
}

// setControl asks the customer for control, or gives it up.
func (r *repApp) setControl(s *client.Session, v *SessionView, on bool) {
	p := customerPeer(s)
	if p == nil {
		v.Chat.Notice("The customer's computer is not connected yet.")
		v.Control.SetChecked(false)
		return
	}
	if !on {
		if sp := v.screen; sp != nil {
			sp.SetControl(false)
		}
		return
	}
	if err := p.RequestControl(); err != nil {
		v.Chat.Notice("Could not ask for control: " + friendly(err))
		v.Control.SetChecked(false)
		return
	}
	v.Chat.Notice("Asked the customer for control…")
}

// controlChanged follows the customer's answer: control granted, taken
// back, or refused.
func (r *repApp) controlChanged(v *SessionView, e client.ControlChanged) {
	switch {
	case e.Denied:
		v.Chat.Notice("The customer declined remote control.")
		v.Control.SetChecked(false)
	case e.InControl:
		v.Chat.Notice("You now control the customer's computer.")
		if sp := v.screen; sp != nil {
			sp.SetControl(true)
		}
	default:
		v.Chat.Notice("The customer took back control.")
		v.Control.SetChecked(false)
		if sp := v.screen; sp != nil {
			sp.SetControl(false)
		}
	}
}

// uploadTimeout bounds the upload of a screen recording.
const uploadTimeout = 2 * time.Minute

// uploadRecording stops a screen recording and uploads it.
func (r *repApp) uploadRecording(stop func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), uploadTimeout)
	defer cancel()
	if err := stop(ctx); err != nil {
		r.log.Warn("upload the screen recording", "err", err)
	}
}
