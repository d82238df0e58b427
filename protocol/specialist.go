package protocol

import (
	"fmt"
	"time"
)

// External specialists are people without a rep account whom a rep of a
// session invites into it: each invitation is a single-use code that
// admits one specialist, with view-only or control rights, while the
// session lasts and the code is neither spent, expired nor cancelled. The
// session's portal sets how many a rep may invite
// ([Functions.MaxExternalSpecialists]; 0 turns invitations off). A
// specialist joins with the representative console's "Join as a
// specialist", sees the customer's screen, chats, and with control
// rights may ask the customer for control, which the customer grants or
// refuses like a rep's.

// Paths of external specialist invitations.
const (
	// PathSpecialistsSuffix follows [PathSession] and a session ID. POST
	// ([SpecialistInviteRequest], a rep of the session) creates an
	// invitation and answers its [SpecialistInvitation]; GET answers the
	// session's invitations ([SpecialistInvitations]).
	PathSpecialistsSuffix = "/specialists"
	// PathSpecialistJoin admits a specialist (POST [SpecialistJoinRequest],
	// no token); the answer is a [JoinResponse] whose token admits the
	// specialist to that session only. Wrong codes count against the
	// caller's address like wrong session keys.
	PathSpecialistJoin = "/api/v1/specialist-join"
)

// CodeNoSpecialists refuses an invitation where the session's portal does
// not allow external specialists, or its limit is reached.
const CodeNoSpecialists ErrorCode = "no_specialists"

// SpecialistRights is what an invited specialist may do.
type SpecialistRights int

// Specialist rights.
const (
	RightsUnknown SpecialistRights = iota
	// RightsView: see the screen and chat.
	RightsView
	// RightsControl: also ask the customer for control of the keyboard
	// and mouse.
	RightsControl
)

var rightsNames = []string{"unknown", "view", "control"}

func (r SpecialistRights) String() string {
	if r < 0 || int(r) >= len(rightsNames) {
		return fmt.Sprintf("SpecialistRights(%d)", int(r))
	}
	return rightsNames[r]
}

// MarshalText implements encoding.TextMarshaler.
func (r SpecialistRights) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *SpecialistRights) UnmarshalText(b []byte) error {
	for i, n := range rightsNames {
		if i > 0 && n == string(b) {
			*r = SpecialistRights(i)
			return nil
		}
	}
	return fmt.Errorf("%w: specialist rights %.20q: want view or control", ErrBadData, b)
}

// SpecialistInviteRequest is the body of POST
// [PathSession]{id}[PathSpecialistsSuffix].
type SpecialistInviteRequest struct {
	Rights SpecialistRights `json:"rights"`
}

// Validate checks an invitation request.
func (r SpecialistInviteRequest) Validate() error {
	if r.Rights != RightsView && r.Rights != RightsControl {
		return fmt.Errorf("%w: specialist rights: want view or control", ErrBadData)
	}
	return nil
}

// SpecialistInvitation is one invitation of a session.
type SpecialistInvitation struct {
	// Code is the 9-digit code the specialist types.
	Code    string           `json:"code"`
	Rights  SpecialistRights `json:"rights"`
	Created time.Time        `json:"created"`
	Expires time.Time        `json:"expires"`
	// InvitedBy is the participant ID of the rep who made it.
	InvitedBy string `json:"invited_by"`
	// UsedBy is the specialist's participant ID once the code was spent.
	UsedBy string `json:"used_by,omitempty"`
	// Cancelled: a rep cancelled the code before it was spent.
	Cancelled bool `json:"cancelled,omitempty"`
}

// SpecialistInvitations answers GET [PathSession]{id}[PathSpecialistsSuffix].
type SpecialistInvitations struct {
	Invitations []SpecialistInvitation `json:"invitations"`
	// Max is how many the session's portal allows.
	Max int `json:"max"`
}

// SpecialistJoinRequest is the body of POST [PathSpecialistJoin].
type SpecialistJoinRequest struct {
	Code string `json:"code"`
	// Name is the specialist's name as the others will see it.
	Name string `json:"name"`
}

// Validate checks a join request; it normalises the code like
// [JoinRequest.Validate] and requires a name.
func (j *SpecialistJoinRequest) Validate() error {
	j.Code = NormalizeCode(j.Code)
	if err := ValidateCode(j.Code); err != nil {
		return err
	}
	return ValidateName("name", j.Name, true)
}
