// Package protocol defines the messages Tandem's server and clients exchange:
// the JSON API for requests with one answer, and the signaling WebSocket for
// everything that happens during a session.
//
// # Flow
//
// A representative signs in with POST /api/v1/login and receives an opaque
// bearer token. With it the rep opens the signaling WebSocket
// (GET /api/v1/signal, header "Authorization: Bearer <token>") and the server
// greets it with [TypeWelcome]. The rep asks for a session key with
// POST /api/v1/keys: a random 9-digit code, single use, short-lived, bound to
// the rep and shown as a code and as a portal URL.
//
// The customer joins with POST /api/v1/join carrying the code. The server
// spends the key, creates a waiting session in the rep's personal queue and
// answers with a customer token bound to that one session. The customer opens
// the WebSocket with that token and receives [TypeWelcome] naming its session.
// Every rep whose queue changed receives [TypeQueue] (the whole queue) and,
// for a new arrival, [TypeSessionWaiting] (the alert).
//
// The rep accepts with [TypeSessionAccept]. The server adds the rep to the
// session and sends [TypeSessionState] to every member, then
// [TypePeerConnect] to both ends of each media pair: the customer is the
// initiator (it owns the screen) and offers; the rep answers. Offers, answers
// and ICE candidates travel as [TypeSignal], addressed by participant ID; the
// server stamps the sender and forwards them only inside one session.
// [TypePeerConnect] carries ICE servers, including TURN credentials minted
// for this session and participant.
//
// Chat goes through the server, which stores it before it broadcasts it, so
// the transcript survives a crashed client: [TypeChatSend] in,
// [TypeChatMessage] out to every member (the sender included, with the
// server's sequence number and time).
//
// Either side ends the session with [TypeSessionEnd]; the server records the
// outcome and sends [TypeSessionEnded] to every member.
//
// # Validation
//
// Every frame is at most [MaxFrameBytes]. The server checks, in order, that a
// frame is valid JSON of the [Envelope] form, that its type is known, that the
// sender's role may send it, that the sender is a member of the named
// session, and that the data is valid for the type. A frame that fails is
// answered with [TypeError] (carrying the frame's Ref and a [ErrorCode]) and
// logged; the connection stays open unless the frame was too large or not
// JSON at all.
package protocol

import (
	"encoding/json"
	"fmt"
	"time"
)

// Version is the protocol version. A client sends it in the
// "Tandem-Protocol" header; the server refuses a different major version.
const Version = 1

// VersionHeader is the HTTP header that carries [Version].
const VersionHeader = "Tandem-Protocol"

// Limits.
const (
	// MaxFrameBytes is the largest signaling frame either side accepts.
	MaxFrameBytes = 64 << 10
	// MaxRequestBytes is the largest JSON API request body the server reads.
	MaxRequestBytes = 64 << 10
	// MaxChatRunes is the longest chat message, in characters.
	MaxChatRunes = 4000
	// MaxNameRunes is the longest display name, in characters.
	MaxNameRunes = 80
	// MaxQuestionRunes is the longest question a customer may ask on a portal.
	MaxQuestionRunes = 1000
	// CodeDigits is the length of a session key's code.
	CodeDigits = 9
)

// Paths of the JSON API and the signaling WebSocket.
const (
	PathHealth  = "/healthz"
	PathLogin   = "/api/v1/login"
	PathLogout  = "/api/v1/logout"
	PathKeys    = "/api/v1/keys"
	PathJoin    = "/api/v1/join"
	PathQueue   = "/api/v1/queue"
	PathSignal  = "/api/v1/signal"
	PathSession = "/api/v1/sessions/" // + {id}/events for the transcript
	// PathKeyPage is the portal page of a session key: PathKeyPage + code.
	PathKeyPage = "/k/"
)

// Envelope is one signaling frame.
type Envelope struct {
	// Type says what Data holds.
	Type Type `json:"type"`
	// Ref is chosen by the sender of a request and echoed in the answer
	// or error; zero means none.
	Ref uint64 `json:"ref,omitempty"`
	// Session names the session the frame concerns, where it concerns one.
	Session string `json:"session,omitempty"`
	// Data is the type's payload.
	Data json.RawMessage `json:"data,omitempty"`
}

// NewEnvelope returns an envelope of type t carrying data marshalled to JSON.
func NewEnvelope(t Type, session string, data any) (Envelope, error) {
	env := Envelope{Type: t, Session: session}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return Envelope{}, fmt.Errorf("marshal %s: %w", t, err)
		}
		env.Data = b
	}
	return env, nil
}

// Decode unmarshals the envelope's data into v, refusing unknown fields.
func (e Envelope) Decode(v any) error {
	if len(e.Data) == 0 {
		return fmt.Errorf("%w: %s has no data", ErrBadData, e.Type)
	}
	if err := unmarshalStrict(e.Data, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrBadData, e.Type, err)
	}
	return nil
}

// Role is what a participant is in Tandem.
type Role int

// Roles.
const (
	RoleUnknown Role = iota
	RoleCustomer
	RoleRep
	RoleSpecialist
	RoleAdmin
)

var roleNames = []string{"unknown", "customer", "rep", "specialist", "admin"}

func (r Role) String() string {
	if r < 0 || int(r) >= len(roleNames) {
		return fmt.Sprintf("Role(%d)", int(r))
	}
	return roleNames[r]
}

// MarshalText implements encoding.TextMarshaler.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Role) UnmarshalText(b []byte) error {
	for i, n := range roleNames {
		if i > 0 && n == string(b) {
			*r = Role(i)
			return nil
		}
	}
	return fmt.Errorf("%w: role %q", ErrBadData, b)
}

// SessionState is where a session is in its life.
type SessionState int

// Session states.
const (
	StateUnknown SessionState = iota
	// StateWaiting: the customer is in a queue; no rep has accepted yet.
	StateWaiting
	// StateActive: a rep has accepted.
	StateActive
	// StateEnded: the session is over; only its record remains.
	StateEnded
)

var stateNames = []string{"unknown", "waiting", "active", "ended"}

func (s SessionState) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("SessionState(%d)", int(s))
	}
	return stateNames[s]
}

// MarshalText implements encoding.TextMarshaler.
func (s SessionState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *SessionState) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if i > 0 && n == string(b) {
			*s = SessionState(i)
			return nil
		}
	}
	return fmt.Errorf("%w: session state %q", ErrBadData, b)
}

// Participant is one member of a session.
type Participant struct {
	// ID is unique within the session; signaling is addressed by it.
	ID   string `json:"id"`
	Role Role   `json:"role"`
	// Name is what others see: the rep's display name, the customer's name.
	Name string `json:"name"`
	// ViewOnly is set for an external specialist invited to view only:
	// the customer's client never gives it control.
	ViewOnly bool `json:"view_only,omitempty"`
}

// ICEServer is a STUN or TURN server a peer connection may use.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// SessionInfo describes a session to its members and to reps who see it in a queue.
type SessionInfo struct {
	ID           string        `json:"id"`
	State        SessionState  `json:"state"`
	CustomerName string        `json:"customer_name"`
	Question     string        `json:"question,omitempty"`
	Portal       string        `json:"portal,omitempty"`
	Queue        string        `json:"queue,omitempty"`
	Created      time.Time     `json:"created"`
	Participants []Participant `json:"participants"`
}
