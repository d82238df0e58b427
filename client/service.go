package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tandemhq/tandem/protocol"
)

// Running as a service travels on the control channel like elevation: a
// rep asks the customer's client to run as a service of the operating
// system for the rest of the session (service.request), and the client
// answers with the outcome (service.result). A service runs with
// administrative rights and outlives the customer's logging off; the
// client hands the session to it as an elevated relaunch does, so the rep
// sees its peer connection to the customer made afresh (see [Resume]).
//
// Whether the portal allows it (Functions.RunAsService) is the customer's
// client's to judge, from the configuration snapshot it got at join or
// resume: it refuses a request by itself where the portal does not allow
// it, and answers a rep's console that asks (service.query) whether to
// offer the action at all (service.allowed). The messages go peer to
// peer; the server does not see them. An external specialist may not ask,
// whatever its rights: its queries are answered no and its requests
// declined by the client itself.

// Service messages on the control channel.
const (
	// Rep → customer: may the rep ask for the client to run as a service?
	ctlServiceQuery controlKind = "service.query"
	// Customer → rep: the answer to a query.
	ctlServiceAllowed controlKind = "service.allowed"
	// Rep → customer: the rep asks for the client to run as a service.
	ctlServiceRequest controlKind = "service.request"
	// Customer → rep: the answer to a request, with its outcome.
	ctlServiceResult controlKind = "service.result"
)

// SpecialistServiceReason is the reason the customer's client gives an
// external specialist whose request to run as a service it declines.
const SpecialistServiceReason = "external specialists may not ask for running as a service"

// servicePrefix starts the kind of every service message.
const servicePrefix = "service."

// MaxServiceReason is the most characters a service result's reason may
// have.
const MaxServiceReason = 300

// ServiceOutcome is how the customer's client answered a request to run
// as a service.
type ServiceOutcome int

// Service outcomes.
const (
	// ServiceUnknown is the zero value; it is never sent.
	ServiceUnknown ServiceOutcome = iota
	// ServiceAccepted: the customer accepted; the client installs the
	// service and hands the session over to it, and the rep's peer
	// connection is then made afresh.
	ServiceAccepted
	// ServiceDeclined: the customer, or the portal, said no.
	ServiceDeclined
	// ServiceFailed: the customer accepted but the service did not take
	// over (install or start failed, or it did not connect).
	ServiceFailed
	// ServiceUnsupported: services cannot be installed here (no service
	// manager, or the client lacks administrative rights).
	ServiceUnsupported
	// ServiceAlready: the client runs as a service already.
	ServiceAlready
)

var serviceOutcomeNames = [...]string{"unknown", "accepted", "declined", "failed", "unsupported", "already"}

// String returns the outcome's name: "unknown", "accepted", "declined",
// "failed", "unsupported" or "already".
func (o ServiceOutcome) String() string {
	if o < 0 || int(o) >= len(serviceOutcomeNames) {
		return fmt.Sprintf("ServiceOutcome(%d)", int(o))
	}
	return serviceOutcomeNames[o]
}

// MarshalText implements encoding.TextMarshaler; ServiceUnknown and
// values out of range are refused.
func (o ServiceOutcome) MarshalText() ([]byte, error) {
	if o <= ServiceUnknown || int(o) >= len(serviceOutcomeNames) {
		return nil, fmt.Errorf("%w: outcome %v", ErrBadService, o)
	}
	return []byte(o.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler: only the names of
// the outcomes other than ServiceUnknown are accepted.
func (o *ServiceOutcome) UnmarshalText(b []byte) error {
	for i, n := range serviceOutcomeNames {
		if i > 0 && n == string(b) {
			*o = ServiceOutcome(i)
			return nil
		}
	}
	return fmt.Errorf("%w: outcome %q", ErrBadService, b)
}

// ServiceRequested (customer side): a rep asks the client to run as a
// service, and the portal allows it. Answer with [Session.AnswerService].
type ServiceRequested struct{ Participant protocol.Participant }

// ServiceChanged (rep side): the customer's client answered a request to
// run as a service. Participant is the customer.
type ServiceChanged struct {
	Participant protocol.Participant
	Outcome     ServiceOutcome
	// Reason says why, for the rep; may be empty.
	Reason string
}

// ServiceAllowed (rep side): the customer's client answered
// [Peer.QueryService]: whether its portal lets reps ask for it to run as
// a service. Participant is the customer.
type ServiceAllowed struct {
	Participant protocol.Participant
	Allowed     bool
}

func (ServiceRequested) event() {}
func (ServiceChanged) event()   {}
func (ServiceAllowed) event()   {}

// serviceMsg is a service message on the control channel.
type serviceMsg struct {
	Type    controlKind    `json:"type"`
	Outcome ServiceOutcome `json:"outcome,omitzero"`
	Reason  string         `json:"reason,omitempty"`
	// Allowed is the answer of service.allowed.
	Allowed bool `json:"allowed,omitempty"`
}

// RequestService asks the customer's client to run as a service (rep
// side). The answer arrives as a [ServiceChanged] event of the rep's
// session.
func (p *Peer) RequestService() error {
	if p.part.Role != protocol.RoleCustomer {
		return fmt.Errorf("request service of %s: %w", p.part.ID, ErrNotCustomer)
	}
	return p.sendService(serviceMsg{Type: ctlServiceRequest})
}

// QueryService asks the customer's client whether its portal lets reps
// ask for it to run as a service (rep side). The answer arrives as a
// [ServiceAllowed] event of the rep's session.
func (p *Peer) QueryService() error {
	if p.part.Role != protocol.RoleCustomer {
		return fmt.Errorf("query service of %s: %w", p.part.ID, ErrNotCustomer)
	}
	return p.sendService(serviceMsg{Type: ctlServiceQuery})
}

// AnswerService tells a rep how its request to run as a service ended
// (customer side). outcome must be one of the outcomes other than
// ServiceUnknown; reason is optional, at most MaxServiceReason characters
// of text.
func (s *Session) AnswerService(participantID string, outcome ServiceOutcome, reason string) error {
	if s.self.Role != protocol.RoleCustomer {
		return fmt.Errorf("answer service: %w", ErrNotCustomer)
	}
	m := serviceMsg{Type: ctlServiceResult, Outcome: outcome, Reason: reason}
	if err := m.validate(); err != nil {
		return fmt.Errorf("answer service: %w", err)
	}
	if err := s.answerPeer(participantID, func(p *Peer) error { return p.sendService(m) }); err != nil {
		return fmt.Errorf("answer service: %w", err)
	}
	return nil
}

func (p *Peer) sendService(m serviceMsg) error { return p.sendJSON(string(m.Type), m) }

// validate checks a message as received or about to be sent: a query and
// a request carry nothing, an allowed its answer only, a result an
// outcome and a short text reason.
func (m serviceMsg) validate() error {
	switch m.Type {
	case ctlServiceQuery, ctlServiceRequest:
		if m.Outcome != ServiceUnknown || m.Reason != "" || m.Allowed {
			return fmt.Errorf("%w: a %s carries nothing", ErrBadService, m.Type)
		}
	case ctlServiceAllowed:
		if m.Outcome != ServiceUnknown || m.Reason != "" {
			return fmt.Errorf("%w: an answer to a query carries no outcome or reason", ErrBadService)
		}
	case ctlServiceResult:
		if m.Outcome <= ServiceUnknown || int(m.Outcome) >= len(serviceOutcomeNames) {
			return fmt.Errorf("%w: outcome %v", ErrBadService, m.Outcome)
		}
		if m.Allowed {
			return fmt.Errorf("%w: a result carries no allowed", ErrBadService)
		}
		if err := protocol.ValidateText("reason", m.Reason, MaxServiceReason, false); err != nil {
			return fmt.Errorf("%w: %v", ErrBadService, err)
		}
	default:
		return fmt.Errorf("%w: unknown kind %q", ErrBadService, m.Type)
	}
	return nil
}

// serviceAllowed reports whether the customer's portal allows running as
// a service. The configuration snapshot is the one the session was given
// at join or resume (kept with the file transfers, see setFilePolicy);
// without one nothing is allowed.
func (s *Session) serviceAllowed() bool {
	h := s.fileHub()
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cfg != nil && h.cfg.Functions.RunAsService
}

// handleService takes a service message off the control channel; it
// reports false for a message that is not one (its kind does not start
// with "service."), which handleControl then judges. Whatever is refused
// is logged. On the customer's side a query is answered here, and so is
// a request the portal does not allow.
func (s *Session) handleService(p *Peer, data []byte) bool {
	if len(data) > maxControlMsg {
		return false
	}
	var kind struct {
		Type controlKind `json:"type"`
	}
	// The first JSON value names the kind; UnmarshalStrict below judges
	// the whole message.
	if json.NewDecoder(bytes.NewReader(data)).Decode(&kind) != nil || !strings.HasPrefix(string(kind.Type), servicePrefix) {
		return false
	}
	var m serviceMsg
	if err := protocol.UnmarshalStrict(data, &m); err != nil {
		s.log.Warn("refusing a malformed service message", "from", p.part.ID, "bytes", len(data), "err", err)
		return true
	}
	if err := m.validate(); err != nil {
		s.log.Warn("refusing a service message", "from", p.part.ID, "err", err)
		return true
	}
	if !s.member(p.part.ID) {
		s.log.Warn("refusing a service message from a participant not in the session", "from", p.part.ID, "type", m.Type)
		return true
	}
	customer := s.self.Role == protocol.RoleCustomer
	fromRep := p.part.Role != protocol.RoleCustomer
	specialist, _ := s.rightsOf(p.part)
	switch {
	case m.Type == ctlServiceQuery && customer && specialist:
		// An external specialist may never ask: the answer says no.
		if err := p.sendService(serviceMsg{Type: ctlServiceAllowed, Allowed: false}); err != nil {
			s.log.Warn("answer a service query", "specialist", p.part.ID, "err", err)
		}
	case m.Type == ctlServiceRequest && customer && specialist:
		s.log.Warn("running as a service refused: an external specialist may not ask for it", "by", p.part.ID, "err", ErrSpecialist)
		if err := p.sendService(serviceMsg{Type: ctlServiceResult, Outcome: ServiceDeclined, Reason: SpecialistServiceReason}); err != nil {
			s.log.Warn("answer a service request", "specialist", p.part.ID, "err", err)
		}
	case m.Type == ctlServiceQuery && customer && fromRep:
		if err := p.sendService(serviceMsg{Type: ctlServiceAllowed, Allowed: s.serviceAllowed()}); err != nil {
			s.log.Warn("answer a service query", "rep", p.part.ID, "err", err)
		}
	case m.Type == ctlServiceRequest && customer && fromRep && !s.serviceAllowed():
		s.log.Info("running as a service refused: the portal does not allow it", "by", p.part.ID)
		if err := p.sendService(serviceMsg{Type: ctlServiceResult, Outcome: ServiceDeclined, Reason: "the portal does not allow running as a service"}); err != nil {
			s.log.Warn("answer a service request", "rep", p.part.ID, "err", err)
		}
	case m.Type == ctlServiceRequest && customer && fromRep:
		s.log.Info("running as a service requested", "by", p.part.ID)
		s.ev.emit(ServiceRequested{Participant: p.part})
	case m.Type == ctlServiceAllowed && !customer && !fromRep:
		s.ev.emit(ServiceAllowed{Participant: p.part, Allowed: m.Allowed})
	case m.Type == ctlServiceResult && !customer && !fromRep:
		s.log.Info("running as a service answered", "outcome", m.Outcome, "reason", m.Reason)
		s.ev.emit(ServiceChanged{Participant: p.part, Outcome: m.Outcome, Reason: m.Reason})
	default:
		s.log.Warn("refusing a service message", "from", p.part.ID, "role", p.part.Role, "type", m.Type)
	}
	return true
}
