package client

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/tandemhq/tandem/protocol"
)

// External specialists on the client. A specialist's [Session] is a
// member's like a rep's: its one peer connection is with the customer,
// who offers it the screen ([Peer.Screen]). The customer's client is the
// authority on its machine and does not rely on the server to hold a
// specialist to its rights:
//
//   - view only ([protocol.Participant.ViewOnly]): a control request is
//     denied at once without asking the customer, GrantControl refuses
//     with ErrViewOnly, input is dropped and annotations are refused;
//   - whatever the rights: elevation and running-as-a-service requests
//     are declined (SpecialistElevationReason, SpecialistServiceReason),
//     files go neither way, and the customer offers no slot for, and
//     refuses, a specialist's screen;
//   - with control rights: control is asked, granted and revoked, and
//     annotations drawn, as a rep's.
//
// On its own side a specialist may not end the session (ErrSpecialist;
// it leaves, [Session.Leave]), share or show a screen, offer files or ask
// the server for the session's functions. Its session ends, and its
// signaling stops reconnecting, when the session ends or it leaves.

// Specialist is an external specialist admitted to one session by a
// rep's invitation (see [protocol.SpecialistRights]): it sees the
// customer's screen, chats and, with control rights, may ask the customer
// for control ([Peer.RequestControl]), as a rep does.
type Specialist struct{ m *Customer }

// JoinSpecialist spends a specialist invitation code and opens the
// specialist's signaling connection to the invitation's session.
func JoinSpecialist(ctx context.Context, cfg Config, code, name string) (*Specialist, error) {
	req := protocol.SpecialistJoinRequest{Code: code, Name: name}
	if err := req.Validate(); err != nil {
		return nil, fmt.Errorf("join as a specialist: %w", err)
	}
	m, err := admit(ctx, cfg, protocol.PathSpecialistJoin, req)
	if err != nil {
		return nil, err
	}
	return &Specialist{m: m}, nil
}

// Session is the session the specialist was invited to. Its Self is
// the specialist, ViewOnly where the invitation gave no control.
func (sp *Specialist) Session() *Session { return sp.m.session }

// Close closes the peer and signaling connections; it does not leave the
// session (see [Session.Leave]).
func (sp *Specialist) Close() error { return sp.m.Close() }

// specialistsPath is the session's invitations resource.
func (s *Session) specialistsPath() string {
	return protocol.PathSession + url.PathEscape(s.id) + protocol.PathSpecialistsSuffix
}

// InviteSpecialist makes a single-use code that admits one external
// specialist to this session with the given rights (a rep of the
// session). The server refuses it with [protocol.CodeNoSpecialists] where
// the portal allows no specialists or its limit is reached.
func (s *Session) InviteSpecialist(ctx context.Context, rights protocol.SpecialistRights) (protocol.SpecialistInvitation, error) {
	req := protocol.SpecialistInviteRequest{Rights: rights}
	if err := req.Validate(); err != nil {
		return protocol.SpecialistInvitation{}, fmt.Errorf("invite a specialist: %w", err)
	}
	var inv protocol.SpecialistInvitation
	if err := s.api.do(ctx, "POST", s.specialistsPath(), req, &inv); err != nil {
		return protocol.SpecialistInvitation{}, fmt.Errorf("invite a specialist: %w", err)
	}
	return inv, nil
}

// SpecialistInvitations lists the session's invitations and how many the
// portal allows (a rep of the session).
func (s *Session) SpecialistInvitations(ctx context.Context) (protocol.SpecialistInvitations, error) {
	var l protocol.SpecialistInvitations
	if err := s.api.do(ctx, "GET", s.specialistsPath(), nil, &l); err != nil {
		return protocol.SpecialistInvitations{}, fmt.Errorf("specialist invitations: %w", err)
	}
	return l, nil
}

// CancelSpecialistInvitation makes an unspent code unusable (a rep of the
// session). A specialist who joined with it stays.
func (s *Session) CancelSpecialistInvitation(ctx context.Context, code string) error {
	code = protocol.NormalizeCode(code)
	if err := protocol.ValidateCode(code); err != nil {
		return fmt.Errorf("cancel specialist invitation: %w", err)
	}
	if err := s.api.do(ctx, "DELETE", s.specialistsPath()+"/"+code, nil, nil); err != nil {
		return fmt.Errorf("cancel specialist invitation: %w", err)
	}
	return nil
}

// Leave takes this member out of the session while the others stay in
// it: an external specialist's way out (it may not end the session), or a
// rep's where another rep stays (as [Rep.Leave]). It returns once the
// session ended for this side, or with the server's refusal (a customer
// ends the session instead; the last rep may not leave the customer).
func (s *Session) Leave(ctx context.Context) error {
	select {
	case <-s.ended:
		return nil
	default:
	}
	if err := s.request(ctx, protocol.TypeSessionLeave, nil, nil); err != nil {
		return fmt.Errorf("leave: %w", err)
	}
	return nil
}

// rightsOf reports whether a participant is an external specialist and
// whether it may only view, as the customer's client judges it: from the
// participant as its peer connection was announced, the current peer
// connection's and the session's participant list. Whichever of them
// restricts it restricts it.
func (s *Session) rightsOf(part protocol.Participant) (specialist, viewOnly bool) {
	specialist, viewOnly = part.Role == protocol.RoleSpecialist, part.ViewOnly
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.peers[part.ID]; p != nil {
		specialist = specialist || p.part.Role == protocol.RoleSpecialist
		viewOnly = viewOnly || p.part.ViewOnly
	}
	for _, q := range s.info.Participants {
		if q.ID == part.ID {
			specialist = specialist || q.Role == protocol.RoleSpecialist
			viewOnly = viewOnly || q.ViewOnly
		}
	}
	return specialist, viewOnly
}

// specialistGone ends a specialist's session where the server's state of
// it says it is over for the specialist: the session ended, or the
// specialist is no longer among its participants (it left on another
// connection). The server's session.ended normally says so first; this
// covers a connection made afresh after that frame was lost. Signaling
// then stops reconnecting (see finish).
func (s *Session) specialistGone(info protocol.SessionInfo) {
	if s.self.Role != protocol.RoleSpecialist {
		return
	}
	present := false
	for _, q := range info.Participants {
		present = present || q.ID == s.self.ID
	}
	var reason string
	switch {
	case info.State == protocol.StateEnded:
		reason = "the session has ended"
	case !present:
		reason = "you are no longer in the session"
	default:
		return
	}
	s.log.Info("the session is over for this specialist", "reason", reason)
	s.finish(protocol.SessionEnded{Reason: reason, At: time.Now()})
}

// viewOnly reports whether the customer's client holds a participant to
// viewing only (see rightsOf).
func (s *Session) viewOnly(part protocol.Participant) bool {
	_, v := s.rightsOf(part)
	return v
}
