package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tandemhq/tandem/protocol"
)

// Elevation travels on the control channel like control requests: a rep
// asks the customer's client to run with administrative rights
// (elevate.request), and the customer's client answers with the outcome
// (elevate.result). The customer's client decides, as the portal's policy
// and the customer say; an accepted request is followed by the client
// relaunching itself elevated, which the rep sees as its peer connection
// to the customer being made afresh (see [Resume]). An external
// specialist may not ask: the customer's client declines its requests by
// itself, whatever its rights, without asking the customer.

// Elevation messages on the control channel.
const (
	// Rep → customer: the rep asks for elevation.
	ctlElevateRequest controlKind = "elevate.request"
	// Customer → rep: the answer, with its outcome.
	ctlElevateResult controlKind = "elevate.result"
)

// SpecialistElevationReason is the reason the customer's client gives an
// external specialist whose request for elevation it declines.
const SpecialistElevationReason = "external specialists may not ask for administrative rights"

// elevatePrefix starts the kind of every elevation message.
const elevatePrefix = "elevate."

// MaxElevationReason is the most characters an elevation result's reason
// may have.
const MaxElevationReason = 300

// ElevationOutcome is how the customer's client answered a request for
// elevation.
type ElevationOutcome int

// Elevation outcomes.
const (
	// ElevationUnknown is the zero value; it is never sent.
	ElevationUnknown ElevationOutcome = iota
	// ElevationAccepted: the customer accepted and the client relaunches
	// itself elevated; the rep's peer connection is then made afresh.
	ElevationAccepted
	// ElevationDeclined: the customer, or the portal's policy, said no.
	ElevationDeclined
	// ElevationFailed: the customer accepted but the system did not
	// elevate (no mechanism, the system prompt refused, the relaunch
	// failed).
	ElevationFailed
	// ElevationAlready: the client already runs elevated.
	ElevationAlready
)

var elevationOutcomeNames = [...]string{"unknown", "accepted", "declined", "failed", "already"}

// String returns the outcome's name: "unknown", "accepted", "declined",
// "failed" or "already".
func (o ElevationOutcome) String() string {
	if o < 0 || int(o) >= len(elevationOutcomeNames) {
		return fmt.Sprintf("ElevationOutcome(%d)", int(o))
	}
	return elevationOutcomeNames[o]
}

// MarshalText implements encoding.TextMarshaler; ElevationUnknown and
// values out of range are refused.
func (o ElevationOutcome) MarshalText() ([]byte, error) {
	if o <= ElevationUnknown || int(o) >= len(elevationOutcomeNames) {
		return nil, fmt.Errorf("%w: outcome %v", ErrBadElevation, o)
	}
	return []byte(o.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler: only the names of
// the outcomes other than ElevationUnknown are accepted.
func (o *ElevationOutcome) UnmarshalText(b []byte) error {
	for i, n := range elevationOutcomeNames {
		if i > 0 && n == string(b) {
			*o = ElevationOutcome(i)
			return nil
		}
	}
	return fmt.Errorf("%w: outcome %q", ErrBadElevation, b)
}

// ElevationRequested (customer side): a rep asks the client to run with
// administrative rights. Answer with [Session.AnswerElevation].
type ElevationRequested struct{ Participant protocol.Participant }

// ElevationChanged (rep side): the customer's client answered a request
// for elevation, or reports an elevation it made by itself. Participant
// is the customer.
type ElevationChanged struct {
	Participant protocol.Participant
	Outcome     ElevationOutcome
	// Reason says why, for the rep; may be empty.
	Reason string
}

func (ElevationRequested) event() {}
func (ElevationChanged) event()   {}

// elevateMsg is an elevation message on the control channel.
type elevateMsg struct {
	Type    controlKind      `json:"type"`
	Outcome ElevationOutcome `json:"outcome,omitzero"`
	Reason  string           `json:"reason,omitempty"`
}

// RequestElevation asks the customer's client to run with administrative
// rights (rep side). The answer arrives as an [ElevationChanged] event of
// the rep's session; an external specialist's request is always declined
// (with SpecialistElevationReason).
func (p *Peer) RequestElevation() error {
	if p.part.Role != protocol.RoleCustomer {
		return fmt.Errorf("request elevation of %s: %w", p.part.ID, ErrNotCustomer)
	}
	return p.sendElevate(elevateMsg{Type: ctlElevateRequest})
}

// AnswerElevation tells a rep how its request for elevation ended
// (customer side), or reports an elevation the client made by itself.
// outcome must be one of the outcomes other than ElevationUnknown; reason
// is optional, at most MaxElevationReason characters of text.
func (s *Session) AnswerElevation(participantID string, outcome ElevationOutcome, reason string) error {
	if s.self.Role != protocol.RoleCustomer {
		return fmt.Errorf("answer elevation: %w", ErrNotCustomer)
	}
	m := elevateMsg{Type: ctlElevateResult, Outcome: outcome, Reason: reason}
	if err := m.validate(); err != nil {
		return fmt.Errorf("answer elevation: %w", err)
	}
	if err := s.answerPeer(participantID, func(p *Peer) error { return p.sendElevate(m) }); err != nil {
		return fmt.Errorf("answer elevation: %w", err)
	}
	return nil
}

func (p *Peer) sendElevate(m elevateMsg) error { return p.sendJSON(string(m.Type), m) }

// validate checks a message as received or about to be sent: a request
// carries nothing, a result an outcome and a short text reason.
func (m elevateMsg) validate() error {
	switch m.Type {
	case ctlElevateRequest:
		if m.Outcome != ElevationUnknown || m.Reason != "" {
			return fmt.Errorf("%w: a request carries no outcome or reason", ErrBadElevation)
		}
	case ctlElevateResult:
		if m.Outcome <= ElevationUnknown || int(m.Outcome) >= len(elevationOutcomeNames) {
			return fmt.Errorf("%w: outcome %v", ErrBadElevation, m.Outcome)
		}
		if err := protocol.ValidateText("reason", m.Reason, MaxElevationReason, false); err != nil {
			return fmt.Errorf("%w: %v", ErrBadElevation, err)
		}
	default:
		return fmt.Errorf("%w: unknown kind %q", ErrBadElevation, m.Type)
	}
	return nil
}

// handleElevation takes an elevation message off the control channel; it
// reports false for a message that is not one (its kind does not start
// with "elevate."), which handleControl then judges. Whatever is refused
// is logged.
func (s *Session) handleElevation(p *Peer, data []byte) bool {
	if len(data) > maxControlMsg {
		return false
	}
	var kind struct {
		Type controlKind `json:"type"`
	}
	// The first JSON value names the kind; UnmarshalStrict below judges
	// the whole message.
	if json.NewDecoder(bytes.NewReader(data)).Decode(&kind) != nil || !strings.HasPrefix(string(kind.Type), elevatePrefix) {
		return false
	}
	var m elevateMsg
	if err := protocol.UnmarshalStrict(data, &m); err != nil {
		s.log.Warn("refusing a malformed elevation message", "from", p.part.ID, "bytes", len(data), "err", err)
		return true
	}
	if err := m.validate(); err != nil {
		s.log.Warn("refusing an elevation message", "from", p.part.ID, "err", err)
		return true
	}
	if !s.member(p.part.ID) {
		s.log.Warn("refusing an elevation message from a participant not in the session", "from", p.part.ID, "type", m.Type)
		return true
	}
	customer := s.self.Role == protocol.RoleCustomer
	specialist, _ := s.rightsOf(p.part)
	switch {
	case m.Type == ctlElevateRequest && customer && specialist:
		s.log.Warn("refusing elevation: an external specialist may not ask for it", "by", p.part.ID, "err", ErrSpecialist)
		if err := p.sendElevate(elevateMsg{Type: ctlElevateResult, Outcome: ElevationDeclined, Reason: SpecialistElevationReason}); err != nil {
			s.log.Warn("answer an elevation request", "to", p.part.ID, "err", err)
		}
	case m.Type == ctlElevateRequest && customer && p.part.Role != protocol.RoleCustomer:
		s.log.Info("elevation requested", "by", p.part.ID)
		s.ev.emit(ElevationRequested{Participant: p.part})
	case m.Type == ctlElevateResult && !customer && p.part.Role == protocol.RoleCustomer:
		s.log.Info("elevation answered", "outcome", m.Outcome, "reason", m.Reason)
		s.ev.emit(ElevationChanged{Participant: p.part, Outcome: m.Outcome, Reason: m.Reason})
	default:
		s.log.Warn("refusing an elevation message", "from", p.part.ID, "role", p.part.Role, "type", m.Type)
	}
	return true
}

// member reports whether a participant is present in the session as the
// server last described it.
func (s *Session) member(participantID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.info.Participants {
		if q.ID == participantID {
			return true
		}
	}
	return false
}
