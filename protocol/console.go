package protocol

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// The representative console's messages beyond the session flow: the
// rep's availability ([TypeRepStatus]), Get Next ([TypeSessionNext],
// answered by [TypeSessionAssigned] or [CodeQueueEmpty]), the names of the
// rep's queues and portals ([PathQueues]) and invitation e-mails
// ([PathInvitations]).

// Paths of the console's JSON API.
const (
	// PathSummarySuffix follows [PathSession] and a session ID: GET answers
	// the session's [SessionSummary] to its reps and to admins.
	PathSummarySuffix = "/summary"
	// PathQueues lists the calling rep's queues and the portals they serve (GET): [QueueList].
	PathQueues = "/api/v1/queues"
	// PathInvitations generates a session key and e-mails it to a customer
	// (POST [InviteRequest]); the answer is the [Key].
	PathInvitations = "/api/v1/invitations"
)

// CodeQueueEmpty answers [TypeSessionNext] when nobody is waiting in the
// rep's queues.
const CodeQueueEmpty ErrorCode = "queue_empty"

// CodeNoMail answers [PathInvitations] when the server has no outgoing
// mail server configured.
const CodeNoMail ErrorCode = "no_mail"

// RepStatus is a representative's availability. Only available reps are
// alerted to arriving sessions; any rep may still take one with Get Next.
type RepStatus int

// Rep statuses.
const (
	RepStatusUnknown RepStatus = iota
	// RepStatusAvailable: alerted to new sessions.
	RepStatusAvailable
	// RepStatusBusy: working, not alerted.
	RepStatusBusy
	// RepStatusAway: not at the desk, not alerted.
	RepStatusAway
)

var repStatusNames = []string{"unknown", "available", "busy", "away"}

func (s RepStatus) String() string {
	if s < 0 || int(s) >= len(repStatusNames) {
		return fmt.Sprintf("RepStatus(%d)", int(s))
	}
	return repStatusNames[s]
}

// MarshalText implements encoding.TextMarshaler.
func (s RepStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *RepStatus) UnmarshalText(b []byte) error {
	for i, n := range repStatusNames {
		if i > 0 && n == string(b) {
			*s = RepStatus(i)
			return nil
		}
	}
	return fmt.Errorf("%w: rep status %q", ErrBadData, b)
}

// RepStatusUpdate is the data of [TypeRepStatus].
type RepStatusUpdate struct {
	Status RepStatus `json:"status"`
}

// Validate checks a status update from a client.
func (u RepStatusUpdate) Validate() error {
	if u.Status <= RepStatusUnknown || int(u.Status) >= len(repStatusNames) {
		return fmt.Errorf("%w: rep status %d", ErrBadData, int(u.Status))
	}
	return nil
}

// QueueKind says whose queue it is.
type QueueKind int

// Queue kinds.
const (
	QueueKindUnknown QueueKind = iota
	// QueueKindPersonal is one rep's own queue.
	QueueKindPersonal
	// QueueKindTeam is a team's queue.
	QueueKindTeam
)

var queueKindNames = []string{"unknown", "personal", "team"}

func (k QueueKind) String() string {
	if k < 0 || int(k) >= len(queueKindNames) {
		return fmt.Sprintf("QueueKind(%d)", int(k))
	}
	return queueKindNames[k]
}

// MarshalText implements encoding.TextMarshaler.
func (k QueueKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *QueueKind) UnmarshalText(b []byte) error {
	for i, n := range queueKindNames {
		if i > 0 && n == string(b) {
			*k = QueueKind(i)
			return nil
		}
	}
	return fmt.Errorf("%w: queue kind %q", ErrBadData, b)
}

// QueueInfo names one of the rep's queues.
type QueueInfo struct {
	ID   string    `json:"id"`
	Kind QueueKind `json:"kind"`
	Name string    `json:"name"`
}

// PortalInfo names a portal.
type PortalInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// QueueList answers GET [PathQueues]: the rep's queues, personal first,
// and the portals sessions may come from.
type QueueList struct {
	Queues  []QueueInfo  `json:"queues"`
	Portals []PortalInfo `json:"portals"`
}

// MaxEmailBytes is the longest e-mail address accepted.
const MaxEmailBytes = 254

// InviteRequest is the body of POST [PathInvitations].
type InviteRequest struct {
	// Email is the customer's address.
	Email string `json:"email"`
	// Language selects the template ("en", "de"); empty means English.
	Language string `json:"language,omitempty"`
	// Portal names the portal by slug, as in [KeyRequest]; empty means the default.
	Portal string `json:"portal,omitempty"`
}

// Validate checks an invitation request and trims the address.
func (r *InviteRequest) Validate() error {
	r.Email = strings.TrimSpace(r.Email)
	if r.Email == "" {
		return fmt.Errorf("%w: give the customer's e-mail address", ErrBadData)
	}
	if len(r.Email) > MaxEmailBytes || strings.ContainsAny(r.Email, "\r\n<>,;\" ") {
		return fmt.Errorf("%w: %q is not a plain e-mail address", ErrBadData, r.Email)
	}
	a, err := mail.ParseAddress(r.Email)
	if err != nil || a.Address != r.Email || !strings.Contains(r.Email, "@") {
		return fmt.Errorf("%w: %q is not an e-mail address", ErrBadData, r.Email)
	}
	if r.Language != "" && !ValidLanguage(r.Language) {
		return fmt.Errorf("%w: language %q", ErrBadData, r.Language)
	}
	if err := ValidateText("portal", r.Portal, MaxNameRunes, false); err != nil {
		return err
	}
	return nil
}

// TerminationOverride is the data of [TypeSessionTermination].
type TerminationOverride struct {
	Termination Termination `json:"termination"`
}

// Validate checks an override: nothing, lock or log off.
func (o TerminationOverride) Validate() error {
	if o.Termination < TerminationNothing || o.Termination > TerminationLogOff {
		return fmt.Errorf("%w: termination %d", ErrBadData, int(o.Termination))
	}
	return nil
}

// SessionSummary answers GET [PathSession] + id + [PathSummarySuffix]:
// what the console's summary tab shows.
type SessionSummary struct {
	// Session is the session with the participants present now.
	Session SessionInfo `json:"session"`
	// Key is the session key the customer joined with, if any.
	Key string `json:"key,omitempty"`
	// PortalName names the portal the session came from.
	PortalName string    `json:"portal_name,omitempty"`
	Accepted   time.Time `json:"accepted,omitzero"`
	// Termination is what the customer's computer does at the end.
	Termination Termination `json:"termination"`
	// TerminationOverride: the policy lets the rep change Termination.
	TerminationOverride bool `json:"termination_override"`
	// Host and OS describe the customer's computer once its client
	// reported them; empty until then.
	Host string `json:"host,omitempty"`
	OS   string `json:"os,omitempty"`
	// SystemInfo is what the customer's client reported of its machine
	// (Host and OS come from it); nil until then.
	SystemInfo *SystemInfo `json:"system_info,omitempty"`
	// Recording says whether the session is recorded (screen, shell or
	// system information): false when the configuration records nothing
	// or the customer refused, so a console can show "not recorded".
	Recording bool `json:"recording"`
	// RecordingConsent is the customer's answer to the recording prompt.
	RecordingConsent RecordingConsent `json:"recording_consent"`
}
