package protocol

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Type is the kind of a signaling frame.
type Type int

// Frame types. Direction: "→ server" are sent by clients, "server →" by the
// server only.
const (
	TypeUnknown Type = iota

	// TypeWelcome, server →: the connection is accepted. Data: [Welcome].
	TypeWelcome
	// TypeError, server →: a frame was refused. Data: [Error].
	TypeError

	// TypeQueue, server → rep: the rep's queues, whole. Data: [Queue].
	TypeQueue
	// TypeSessionWaiting, server → rep: a session arrived in one of the rep's
	// queues (the alert). Data: [SessionInfo].
	TypeSessionWaiting

	// TypeSessionAccept, rep → server: take a waiting session. Session names it; no data.
	TypeSessionAccept
	// TypeSessionState, server → members: the session and its participants. Data: [SessionInfo].
	TypeSessionState
	// TypeSessionEnd, member → server: end the session. Data: optional [SessionEnd].
	TypeSessionEnd
	// TypeSessionEnded, server → members: the session is over. Data: [SessionEnded].
	TypeSessionEnded

	// TypePeerConnect, server → members: open a peer connection to a
	// participant. Data: [PeerConnect].
	TypePeerConnect
	// TypeSignal, member ↔ member through the server: SDP or an ICE
	// candidate for one peer connection. Data: [Signal].
	TypeSignal

	// TypeChatSend, member → server: a chat line. Data: [ChatSend].
	TypeChatSend
	// TypeChatMessage, server → members: a stored chat line. Data: [ChatMessage].
	TypeChatMessage

	// TypeRepStatus, rep → server: the rep's availability. Data: [RepStatusUpdate].
	TypeRepStatus
	// TypeSessionNext, rep → server: accept the oldest session waiting in
	// any of the rep's queues (Get Next). No session, no data. Answered by
	// [TypeSessionAssigned], or [TypeError] with [CodeQueueEmpty].
	TypeSessionNext
	// TypeSessionAssigned, server → rep: the session a [TypeSessionNext]
	// took, sent with its Ref and Session before the session's state. No data.
	TypeSessionAssigned
	// TypeSessionLeave, rep → server: leave a session to the other reps
	// in it ("hold session"); the leaver receives [TypeSessionEnded], the
	// others [TypeSessionState]. No data.
	TypeSessionLeave
	// TypeSessionTermination, rep → server → members: what the customer's
	// computer does at the session's end, changed by a rep where the
	// session's policy allows it (Connection.RepOverride). Data:
	// [TerminationOverride].
	TypeSessionTermination

	// TypeWaitSubscribe, customer → server: push my [WaitStatus] while my
	// session waits, with texts in a language. Session names the
	// customer's own session, which must be waiting. Data: [WaitSubscribe].
	// Answered by [TypeWaitStatus] with the frame's Ref, or [TypeError].
	// The subscription lasts until the session stops waiting, across
	// reconnects; sending it again changes the language.
	TypeWaitSubscribe
	// TypeWaitStatus, server → customer: the customer's place in the queue,
	// pushed on subscribing, whenever its queue changes, and every
	// on-hold interval of its portal. Data: [WaitStatusPush].
	TypeWaitStatus
)

var typeNames = []string{
	TypeUnknown:            "unknown",
	TypeWelcome:            "welcome",
	TypeError:              "error",
	TypeQueue:              "queue",
	TypeSessionWaiting:     "session.waiting",
	TypeSessionAccept:      "session.accept",
	TypeSessionState:       "session.state",
	TypeSessionEnd:         "session.end",
	TypeSessionEnded:       "session.ended",
	TypePeerConnect:        "peer.connect",
	TypeSignal:             "signal",
	TypeChatSend:           "chat.send",
	TypeChatMessage:        "chat.message",
	TypeRepStatus:          "rep.status",
	TypeSessionNext:        "session.next",
	TypeSessionAssigned:    "session.assigned",
	TypeSessionLeave:       "session.leave",
	TypeSessionTermination: "session.termination",
	TypeWaitSubscribe:      "wait.subscribe",
	TypeWaitStatus:         "wait.status",
}

func (t Type) String() string {
	if t < 0 || int(t) >= len(typeNames) {
		return fmt.Sprintf("Type(%d)", int(t))
	}
	return typeNames[t]
}

// MarshalText implements encoding.TextMarshaler.
func (t Type) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler. An unknown name
// decodes to [TypeUnknown] without error, so that the receiver can answer it
// with [CodeUnknownType] and keep the frame's Ref.
func (t *Type) UnmarshalText(b []byte) error {
	for i, n := range typeNames {
		if i > 0 && n == string(b) {
			*t = Type(i)
			return nil
		}
	}
	*t = TypeUnknown
	return nil
}

// Rule says who may send a frame type to the server.
type Rule struct {
	// Roles that may send it.
	Roles []Role
	// NeedsSession: the frame must name a session the sender belongs to
	// (for TypeSessionAccept: a session waiting in one of the sender's queues).
	NeedsSession bool
}

// ClientRules lists the frame types clients may send; any other type from a
// client is refused with [CodeForbidden] (a server type) or
// [CodeUnknownType].
var ClientRules = map[Type]Rule{
	TypeSessionAccept:      {Roles: []Role{RoleRep, RoleAdmin}, NeedsSession: true},
	TypeSessionEnd:         {Roles: []Role{RoleCustomer, RoleRep, RoleAdmin}, NeedsSession: true}, // a specialist leaves instead
	TypeSignal:             {Roles: []Role{RoleCustomer, RoleRep, RoleAdmin, RoleSpecialist}, NeedsSession: true},
	TypeChatSend:           {Roles: []Role{RoleCustomer, RoleRep, RoleAdmin, RoleSpecialist}, NeedsSession: true},
	TypeRepStatus:          {Roles: []Role{RoleRep, RoleAdmin}},
	TypeSessionNext:        {Roles: []Role{RoleRep, RoleAdmin}},
	TypeSessionLeave:       {Roles: []Role{RoleRep, RoleAdmin, RoleSpecialist}, NeedsSession: true},
	TypeSessionTermination: {Roles: []Role{RoleRep, RoleAdmin}, NeedsSession: true},
	TypeWaitSubscribe:      {Roles: []Role{RoleCustomer}, NeedsSession: true},
}

// Allows reports whether role r may send frames under this rule.
func (r Rule) Allows(role Role) bool {
	for _, x := range r.Roles {
		if x == role {
			return true
		}
	}
	return false
}

// Welcome greets a connection.
type Welcome struct {
	Version int  `json:"version"`
	Role    Role `json:"role"`
	// Participant is the connection's own identity. For a customer its ID
	// is the participant ID within its session.
	Participant Participant `json:"participant"`
	// Session is set for a customer: the one session its token admits it to.
	Session *SessionInfo `json:"session,omitempty"`
}

// ErrorCode classifies a refused frame or request.
type ErrorCode string

// Error codes.
const (
	CodeBadFrame     ErrorCode = "bad_frame"    // not JSON, or not an envelope
	CodeTooLarge     ErrorCode = "too_large"    // over MaxFrameBytes / MaxRequestBytes
	CodeUnknownType  ErrorCode = "unknown_type" // type not in the protocol
	CodeForbidden    ErrorCode = "forbidden"    // role or membership does not allow it
	CodeBadData      ErrorCode = "bad_data"     // payload invalid for its type
	CodeNotFound     ErrorCode = "not_found"    // no such session, key, participant
	CodeConflict     ErrorCode = "conflict"     // e.g. session already taken or ended
	CodeRateLimited  ErrorCode = "rate_limited" // too many attempts; retry later
	CodeUnauthorized ErrorCode = "unauthorized" // missing, wrong or expired credentials
	CodeInternal     ErrorCode = "internal"     // the server failed; logged there
)

// Error is the data of [TypeError] and the body of every JSON API error.
type Error struct {
	Code    ErrorCode `json:"code"`
	Message string    `json:"message"`
	// RetryAfter is set with CodeRateLimited: seconds until a retry may succeed.
	RetryAfter int `json:"retry_after,omitempty"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Queue is a rep's view of its queues.
type Queue struct {
	// Waiting sessions, oldest first.
	Waiting []SessionInfo `json:"waiting"`
}

// SessionEnd optionally says why a member ends a session.
type SessionEnd struct {
	Reason string `json:"reason,omitempty"`
}

// SessionEnded tells members the session is over.
type SessionEnded struct {
	// By is the participant who ended it; empty when the server did
	// (timeout, shutdown).
	By     string    `json:"by,omitempty"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// PeerConnect asks a member to open a peer connection to another participant.
type PeerConnect struct {
	// Peer is the participant at the other end.
	Peer Participant `json:"peer"`
	// Initiator: this side creates the offer.
	Initiator bool `json:"initiator"`
	// ICEServers to use, with credentials minted for this session.
	ICEServers []ICEServer `json:"ice_servers"`
}

// SignalKind is what a [Signal] carries.
type SignalKind string

// Signal kinds.
const (
	SignalOffer     SignalKind = "offer"
	SignalAnswer    SignalKind = "answer"
	SignalCandidate SignalKind = "candidate"
)

// Signal is SDP or an ICE candidate for one peer connection.
type Signal struct {
	// To is the receiving participant; set by the sender.
	To string `json:"to,omitempty"`
	// From is the sending participant; set by the server, ignored from clients.
	From string     `json:"from,omitempty"`
	Kind SignalKind `json:"kind"`
	// SDP is set for offers and answers.
	SDP string `json:"sdp,omitempty"`
	// Candidate is set for candidates: the JSON of an ICE candidate init
	// (candidate, sdpMid, sdpMLineIndex); empty means end of candidates.
	Candidate string `json:"candidate,omitempty"`
	// Conn names one connection attempt between two participants: the
	// initiator chooses it for its offer and both sides repeat it in every
	// later signal. After a reconnect the server asks for a new attempt;
	// signals of an older attempt are stale and dropped.
	Conn string `json:"conn,omitempty"`
}

// Validate checks a signal sent by a client.
func (s Signal) Validate() error {
	if s.To == "" || len(s.To) > 64 {
		return fmt.Errorf("%w: signal needs a recipient", ErrBadData)
	}
	if len(s.Conn) > 64 {
		return fmt.Errorf("%w: connection attempt name too long", ErrBadData)
	}
	switch s.Kind {
	case SignalOffer, SignalAnswer:
		if s.SDP == "" || s.Candidate != "" {
			return fmt.Errorf("%w: %s needs sdp and no candidate", ErrBadData, s.Kind)
		}
	case SignalCandidate:
		if s.SDP != "" {
			return fmt.Errorf("%w: candidate carries no sdp", ErrBadData)
		}
	default:
		return fmt.Errorf("%w: signal kind %q", ErrBadData, s.Kind)
	}
	return nil
}

// ChatSend is a chat line from a member.
type ChatSend struct {
	Text string `json:"text"`
}

// Validate checks a chat line.
func (c ChatSend) Validate() error {
	return ValidateText("chat text", c.Text, MaxChatRunes, true)
}

// ChatMessage is a chat line as stored by the server.
type ChatMessage struct {
	// Seq orders the session's events; it increases by one per event.
	Seq  int64     `json:"seq"`
	From string    `json:"from"`
	Name string    `json:"name"`
	Role Role      `json:"role"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// ValidateName checks a person's name as [ValidateText] does, and also
// refuses line breaks and tabs: a name is one line wherever it is shown.
func ValidateName(field, s string, required bool) error {
	if err := ValidateText(field, s, MaxNameRunes, required); err != nil {
		return err
	}
	if strings.ContainsAny(s, "\n\t") {
		return fmt.Errorf("%w: %s contains a line break or a tab", ErrBadData, field)
	}
	return nil
}

// ValidateText checks a text field from outside: valid UTF-8, at most max
// characters, no control characters other than newline and tab, and not
// blank when required.
func ValidateText(field, s string, max int, required bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrBadData, field)
	}
	if required && strings.TrimSpace(s) == "" {
		return fmt.Errorf("%w: %s is empty", ErrBadData, field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%w: %s has %d characters; at most %d", ErrBadData, field, n, max)
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return fmt.Errorf("%w: %s contains control character %U", ErrBadData, field, r)
		}
	}
	return nil
}
