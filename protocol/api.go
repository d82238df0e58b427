package protocol

import (
	"fmt"
	"strings"
	"time"
)

// LoginRequest is the body of POST [PathLogin].
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// LoginResponse answers a successful login.
type LoginResponse struct {
	// Token is the bearer token for the API and the signaling WebSocket.
	Token   string    `json:"token"`
	Expires time.Time `json:"expires"`
	Rep     Rep       `json:"rep"`
}

// Rep is a representative's account as clients see it.
type Rep struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Roles       []Role `json:"roles"`
}

// KeyRequest is the body of POST [PathKeys]; it may be empty.
type KeyRequest struct {
	// Portal names the public portal the key's URL points at; empty means
	// the default portal.
	Portal string `json:"portal,omitempty"`
}

// Key is a session key: a single-use code for one customer to join the
// rep's personal queue.
type Key struct {
	// Code is the 9-digit code the customer types.
	Code string `json:"code"`
	// URL is the portal page of the key; opening it shows how to join.
	URL     string    `json:"url"`
	Expires time.Time `json:"expires"`
}

// JoinRequest is the body of POST [PathJoin].
type JoinRequest struct {
	Code string `json:"code"`
	// Name is the customer's name as the rep will see it; optional.
	Name string `json:"name,omitempty"`
	// Portal is the slug of the support site the code was typed into;
	// optional. With it the code must be one of that site's (its rep
	// serves the site), and the session takes the site's configuration.
	Portal string `json:"portal,omitempty"`
}

// MaxPortalSlugBytes is the longest portal slug.
const MaxPortalSlugBytes = 63

// Validate checks a join request; it normalises the code by dropping
// spaces and dashes.
func (j *JoinRequest) Validate() error {
	j.Code = NormalizeCode(j.Code)
	if err := ValidateCode(j.Code); err != nil {
		return err
	}
	if err := ValidatePortalSlug(j.Portal); err != nil {
		return err
	}
	return ValidateName("name", j.Name, false)
}

// ValidatePortalSlug checks the form of an optional portal slug: at most
// MaxPortalSlugBytes of lowercase letters, digits and dashes.
func ValidatePortalSlug(slug string) error {
	bad := strings.ContainsFunc(slug, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-'
	})
	if len(slug) > MaxPortalSlugBytes || bad {
		return fmt.Errorf("%w: portal %.70q is not a portal's name in its URL", ErrBadData, slug)
	}
	return nil
}

// JoinResponse admits a customer to a session.
type JoinResponse struct {
	// Token is the customer's bearer token, valid for this session only.
	Token       string      `json:"token"`
	Session     SessionInfo `json:"session"`
	Participant Participant `json:"participant"`
	// Config is the portal's customer client configuration, snapshotted
	// into the session when it was created.
	Config *CustomerClientConfig `json:"config,omitempty"`
}

// TranscriptEvent is one stored event of a session.
type TranscriptEvent struct {
	Seq  int64     `json:"seq"`
	Kind string    `json:"kind"` // "chat", "joined", "left", "accepted", "ended", ...
	From string    `json:"from,omitempty"`
	Name string    `json:"name,omitempty"`
	Role Role      `json:"role,omitempty"`
	Text string    `json:"text,omitempty"`
	At   time.Time `json:"at"`
}

// Transcript answers GET [PathSession]{id}/events.
type Transcript struct {
	Session SessionInfo       `json:"session"`
	Events  []TranscriptEvent `json:"events"`
}

// NormalizeCode removes the spaces and dashes people type into codes.
func NormalizeCode(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// ValidateCode checks that s is exactly CodeDigits ASCII digits.
func ValidateCode(s string) error {
	if len(s) != CodeDigits {
		return fmt.Errorf("%w: a session code has %d digits", ErrBadData, CodeDigits)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%w: a session code has only digits", ErrBadData)
		}
	}
	return nil
}

// FormatCode groups a code for people: "123 456 789".
func FormatCode(code string) string {
	if len(code) != CodeDigits {
		return code
	}
	return code[0:3] + " " + code[3:6] + " " + code[6:9]
}

// Paths of what the customer's client reports (see [SystemInfo]).
const (
	// PathRecording takes the customer's answer to the recording prompt
	// (POST [RecordingAnswer], customer token); 204 No Content.
	PathRecording = "/api/v1/recording"
	// PathSystemInfo takes a description of the customer's machine (POST
	// [SystemInfo], customer token); 204 No Content.
	PathSystemInfo = "/api/v1/system-info"
	// PathRating takes the customer's exit survey (POST [Rating], the
	// customer's token, after the session ended); 204 No Content.
	PathRating = "/api/v1/rating"
	// PathRatingSuffix follows [PathSession] and a session ID: a rep who
	// was in the session rates it (POST [Rating], rep token); 204 No Content.
	PathRatingSuffix = "/rating"
	// PathFunctionsSuffix follows [PathSession] and a session ID: GET
	// answers the session's [Functions] as in effect now (recording off
	// where the snapshot does not record or the customer refused) to its
	// reps and to admins.
	PathFunctionsSuffix = "/functions"
	// PathRepScreenSuffix follows [PathSession] and a session ID: a rep of
	// the session starts or stops showing its screen to the customer (POST
	// [RepScreenState], rep token); 204 No Content. A start is refused
	// where the session's portal does not allow it.
	PathRepScreenSuffix = "/rep-screen"
)

// RepScreenState is the body of POST [PathSession]{id}[PathRepScreenSuffix],
// and the rep's message to the customer's client on the repscreen data
// channel.
type RepScreenState struct {
	Showing bool `json:"showing"`
}

// PathMe answers a customer's bearer token with who it admits (GET,
// customer token): a [Me]. A client that holds only a queue ticket (the
// customer token of a session a portal form created) learns its session
// and participant from it. An unknown or expired token is refused with
// CodeUnauthorized, a rep's with CodeForbidden, one of a session that
// has ended with CodeConflict.
const PathMe = "/api/v1/me"

// Me answers GET [PathMe]: the session a customer token admits to and
// the customer in it.
type Me struct {
	// Session is the session's ID.
	Session string `json:"session"`
	// Participant is the customer in the session.
	Participant Participant `json:"participant"`
}
