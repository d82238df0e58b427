package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tandemhq/tandem/input"
	"github.com/tandemhq/tandem/protocol"
)

// Remote control travels on the control data channel, peer to peer: the
// customer's client is the authority on its own machine, so the server is
// not asked. Binary messages are input events (package input's wire
// format) from a rep to the customer; text messages are the JSON control
// messages below. Anything else is refused and logged.
//
// An external specialist asks and is granted control like a rep, except
// one invited to view only (Participant.ViewOnly): the customer's client
// denies its requests by itself, without asking the customer, and
// GrantControl refuses it (ErrViewOnly), so its input is always dropped.

// controlKind names a control message.
type controlKind string

// Control messages.
const (
	// Rep → customer: the rep asks for control.
	ctlRequest controlKind = "control.request"
	// Customer → rep: the rep now has control, or no longer has it.
	ctlGranted controlKind = "control.granted"
	ctlRevoked controlKind = "control.revoked"
	// Customer → rep: the customer refused the request.
	ctlDenied controlKind = "control.denied"
)

// maxControlMsg bounds a JSON control message.
const maxControlMsg = 1024

type controlMsg struct {
	Type controlKind `json:"type"`
}

// ErrNoControl: input from a participant the customer has not given
// control.
var ErrNoControl = errors.New("client: participant has no control")

// InputHandler receives the input events of a participant in control, on
// the customer's side, in order. It runs on the peer's message goroutine:
// it must not block for long.
type InputHandler func(from protocol.Participant, ev input.Event)

// ControlRequested (customer side): a rep, or an external specialist
// with control rights, asks for control. Answer with Session.GrantControl
// or Session.DenyControl.
type ControlRequested struct{ Participant protocol.Participant }

// ControlChanged (both sides): a participant got or lost control. On the
// rep's side Participant is the rep itself.
type ControlChanged struct {
	Participant protocol.Participant
	InControl   bool
	// Denied (rep side): the customer refused the request.
	Denied bool
}

func (ControlRequested) event() {}
func (ControlChanged) event()   {}

// HandleInput sets where the input events of participants in control go
// (the customer's injector). Without a handler input is dropped.
func (s *Session) HandleInput(h InputHandler) {
	s.mu.Lock()
	s.onInput = h
	s.mu.Unlock()
}

// GrantControl gives a participant control of this machine (customer
// side) and tells it so. An external specialist invited to view only is
// refused with ErrViewOnly.
func (s *Session) GrantControl(participantID string) error {
	if _, viewOnly := s.rightsOf(protocol.Participant{ID: participantID}); viewOnly {
		return fmt.Errorf("grant control to %s: %w", participantID, ErrViewOnly)
	}
	return s.setControl(participantID, true)
}

// RevokeControl takes control back from a participant at once: its input
// is dropped from now on, whatever is already on the way.
func (s *Session) RevokeControl(participantID string) error {
	return s.setControl(participantID, false)
}

// RevokeAllControl takes control back from everyone (the customer's
// hotkey).
func (s *Session) RevokeAllControl() {
	s.mu.Lock()
	var ids []string
	for id := range s.control {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	for _, id := range ids {
		_ = s.setControl(id, false)
	}
}

// DenyControl answers a request for control with no.
func (s *Session) DenyControl(participantID string) error {
	p := s.Peer(participantID)
	if p == nil {
		return fmt.Errorf("deny control: no connection to %s", participantID)
	}
	return p.sendControl(ctlDenied)
}

// InControl reports whether the participant has control.
func (s *Session) InControl(participantID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.control[participantID]
}

// dropAbsentControl takes control back from the participants the
// session's state no longer lists (a rep or a specialist who left) and
// returns them; s.mu is held.
func (s *Session) dropAbsentControl(info protocol.SessionInfo) []protocol.Participant {
	var gone []protocol.Participant
	for id := range s.control {
		present := false
		for _, q := range info.Participants {
			present = present || q.ID == id
		}
		if present {
			continue
		}
		delete(s.control, id)
		part := protocol.Participant{ID: id}
		if p := s.peers[id]; p != nil {
			part = p.part
		}
		gone = append(gone, part)
	}
	return gone
}

func (s *Session) setControl(participantID string, on bool) error {
	p := s.Peer(participantID)
	s.mu.Lock()
	was := s.control[participantID]
	if on {
		s.control[participantID] = true
	} else {
		delete(s.control, participantID)
	}
	s.mu.Unlock()
	if was != on && p != nil {
		s.ev.emit(ControlChanged{Participant: p.part, InControl: on})
	}
	if p == nil {
		if on {
			return fmt.Errorf("grant control: no connection to %s", participantID)
		}
		return nil
	}
	kind := ctlRevoked
	if on {
		kind = ctlGranted
	}
	return p.sendControl(kind)
}

// RequestControl asks the customer for control (rep or external
// specialist side). The answer arrives as a [ControlChanged] event; a
// specialist invited to view only is always denied.
func (p *Peer) RequestControl() error { return p.sendControl(ctlRequest) }

// SendInput sends one input event to the customer (rep side). The
// customer's client drops it unless it gave this rep control.
func (p *Peer) SendInput(ev input.Event) error {
	b, err := input.Encode(ev)
	if err != nil {
		return err
	}
	return p.Send(ControlLabel, b)
}

func (p *Peer) sendControl(k controlKind) error {
	return p.sendJSON(string(k), controlMsg{Type: k})
}

// answerWait bounds how long an answer to a participant waits for a
// connection that is being made afresh.
const answerWait = 15 * time.Second

// answerPeer sends an answer (send) to a participant on its current
// connection. A request may come just before that connection is replaced
// (the customer starts sharing, a client takes the session over): where
// the connection is closing, or the send fails, the answer waits for the
// next connection, for at most answerWait and while the session lasts,
// so that it is not lost in the restart.
func (s *Session) answerPeer(participantID string, send func(*Peer) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), answerWait)
	defer cancel()
	err := fmt.Errorf("no connection to %s", participantID)
	var tried *Peer
	for {
		if p := s.Peer(participantID); p != nil && p != tried {
			tried = p
			if err = p.Connected(ctx); err == nil {
				if err = send(p); err == nil {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return err
		case <-s.Ended():
			return err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// sendJSON sends v as a JSON text message on the control channel; kind
// names it in errors.
func (p *Peer) sendJSON(kind string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("send %s: %w", kind, err)
	}
	if err := p.sendText(ControlLabel, b); err != nil {
		return fmt.Errorf("send %s: %w", kind, err)
	}
	return nil
}

// handleControl takes a control-channel message that the session, not the
// app, handles; it reports false for messages the app gets.
func (s *Session) handleControl(p *Peer, data []byte, isString bool) bool {
	if !isString {
		if s.self.Role != protocol.RoleCustomer {
			return false
		}
		s.handleInput(p, data)
		return true
	}
	if s.handleElevation(p, data) || s.handleService(p, data) || s.handleAnnotation(p, data) {
		return true
	}
	var m controlMsg
	if len(data) > maxControlMsg || protocol.UnmarshalStrict(data, &m) != nil {
		s.log.Warn("refusing a malformed control message", "from", p.part.ID, "bytes", len(data))
		return true
	}
	customer := s.self.Role == protocol.RoleCustomer
	switch {
	case m.Type == ctlRequest && customer:
		if _, viewOnly := s.rightsOf(p.part); viewOnly {
			s.log.Warn("denying control to a participant who may only view", "from", p.part.ID, "err", ErrViewOnly)
			if err := p.sendControl(ctlDenied); err != nil {
				s.log.Warn("deny control", "to", p.part.ID, "err", err)
			}
			return true
		}
		s.ev.emit(ControlRequested{Participant: p.part})
	case (m.Type == ctlGranted || m.Type == ctlRevoked) && !customer && p.part.Role == protocol.RoleCustomer:
		s.ev.emit(ControlChanged{Participant: s.self, InControl: m.Type == ctlGranted})
	case m.Type == ctlDenied && !customer && p.part.Role == protocol.RoleCustomer:
		s.ev.emit(ControlChanged{Participant: s.self, Denied: true})
	default:
		s.log.Warn("refusing a control message", "from", p.part.ID, "type", m.Type)
	}
	return true
}

// handleInput checks and delivers one input event (customer side).
func (s *Session) handleInput(p *Peer, data []byte) {
	s.mu.Lock()
	allowed, h := s.control[p.part.ID], s.onInput
	s.mu.Unlock()
	if !allowed {
		s.log.Warn("dropping input from a participant without control", "from", p.part.ID, "err", ErrNoControl)
		return
	}
	ev, err := input.Decode(data)
	if err != nil {
		s.log.Warn("refusing a malformed input event", "from", p.part.ID, "err", err)
		return
	}
	if h != nil {
		h(p.part, ev)
	}
}
