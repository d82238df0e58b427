package client

import (
	"context"
	"fmt"
	"net/url"

	"github.com/tandemhq/tandem/protocol"
)

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
