package client

import (
	"context"
	"fmt"

	"github.com/tandemhq/tandem/protocol"
)

// A customer who asked for help through a portal page's form (SmartButton,
// SmartBox, SmartMatch) is already in a queue when the support program
// downloads: the server created the waiting session and put its customer
// token into the program's join data as a queue ticket. [JoinTicket] takes
// that session up: it asks the server who the ticket is ([protocol.PathMe])
// and resumes the session with it, spending no session code.

// maxTicketBytes bounds a queue ticket: the server reads bearer tokens of
// at most 256 bytes, and join data carries no longer ones.
const maxTicketBytes = 256

// JoinTicket joins the waiting session of a queue ticket, the customer
// token a portal page's form created (joindata.Data.Ticket). cfg is as for
// [Join]: Server and Fingerprint name the server (from the join data),
// Logger and the media options apply to the session.
//
// A ticket that is not 1..256 bytes of printable ASCII is refused before
// anything is sent, with an error wrapping protocol.ErrBadData. The server's
// refusals are *protocol.Error (test them with [IsCode]):
// CodeUnauthorized for a ticket that is unknown or expired (a customer
// token lasts 12 hours), CodeConflict for one whose session has ended,
// CodeNotFound for a session that is gone, CodeForbidden for a token that
// is not a customer's.
//
// The returned Customer is the one [Resume] makes: Config is the session's
// snapshot; the session's state (waiting) arrives with the first
// SessionChanged event, as the server's welcome is handled.
func JoinTicket(ctx context.Context, cfg Config, ticket string) (*Customer, error) {
	if err := checkTicket(ticket); err != nil {
		return nil, fmt.Errorf("join with a queue ticket: %w", err)
	}
	a, err := cfg.newAPI()
	if err != nil {
		return nil, fmt.Errorf("join with a queue ticket: %w", err)
	}
	a.token = ticket
	var me protocol.Me
	err = a.do(ctx, "GET", protocol.PathMe, nil, &me)
	a.http.CloseIdleConnections()
	if err != nil {
		return nil, fmt.Errorf("join with a queue ticket: %w", err)
	}
	h := Handoff{
		Version:     HandoffVersion,
		Server:      a.base.String(),
		Fingerprint: cfg.Fingerprint,
		Token:       ticket,
		Session:     me.Session,
		Participant: me.Participant,
	}
	if err := h.Validate(); err != nil {
		return nil, fmt.Errorf("join with a queue ticket: the server's answer: %w", err)
	}
	c, err := Resume(ctx, cfg, h)
	if err != nil {
		return nil, fmt.Errorf("join with a queue ticket: %w", err)
	}
	return c, nil
}

// checkTicket checks that a queue ticket can go into a bearer header.
func checkTicket(t string) error {
	if t == "" || len(t) > maxTicketBytes {
		return fmt.Errorf("%w: a queue ticket has %d bytes; want 1..%d", protocol.ErrBadData, len(t), maxTicketBytes)
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] > '~' {
			return fmt.Errorf("%w: a queue ticket holds byte %#x", protocol.ErrBadData, t[i])
		}
	}
	return nil
}
