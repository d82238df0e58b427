package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tandemhq/tandem/protocol"
)

// SpecialistInvitation is a single-use code that admits one external
// specialist to an active session.
type SpecialistInvitation struct {
	Code      string
	SessionID string
	// InvitedBy is the inviting rep's participant ID.
	InvitedBy string
	Rights    protocol.SpecialistRights
	Created   time.Time
	Expires   time.Time
	// UsedBy is the specialist's participant ID once the code was spent.
	UsedBy string
	// Cancelled is when a rep cancelled the code; zero if not.
	Cancelled time.Time
}

// CreateSpecialistInvitation stores a new invitation of an active session
// unless the session has max invitations that still count (spent, or
// neither cancelled nor expired at now): [ErrLimit] then, [ErrConflict] if
// the code is in use or the session is not active, [ErrNotFound] if there
// is no such session.
func (s *SQLite) CreateSpecialistInvitation(ctx context.Context, inv SpecialistInvitation, max int, now time.Time) error {
	if inv.Code == "" || inv.SessionID == "" || inv.InvitedBy == "" {
		return errors.New("create specialist invitation: needs Code, SessionID and InvitedBy")
	}
	rights, err := inv.Rights.MarshalText()
	if err != nil || (inv.Rights != protocol.RightsView && inv.Rights != protocol.RightsControl) {
		return fmt.Errorf("create specialist invitation: rights %v not storable", inv.Rights)
	}
	var ta timeArgs
	created, expires, at := ta.req("created", inv.Created), ta.req("expires", inv.Expires), ta.req("now", now)
	if ta.err != nil {
		return fmt.Errorf("create specialist invitation: %w", ta.err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := activeSession(ctx, tx, inv.SessionID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM specialist_invitations
			WHERE session_id = ? AND cancelled IS NULL AND (used_by IS NOT NULL OR expires > ?)`,
			inv.SessionID, at).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return fmt.Errorf("%w: %d of %d", ErrLimit, n, max)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO specialist_invitations
			(code, session_id, invited_by, rights, created, expires) VALUES (?, ?, ?, ?, ?, ?)`,
			inv.Code, inv.SessionID, inv.InvitedBy, string(rights), created, expires)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("create specialist invitation for session %s: %w", inv.SessionID, err)
	}
	return nil
}

// activeSession checks that a session exists and is active.
func activeSession(ctx context.Context, tx *sql.Tx, sessionID string) error {
	var state string
	if err := tx.QueryRowContext(ctx, "SELECT state FROM sessions WHERE id = ?", sessionID).Scan(&state); err != nil {
		return notFound(err)
	}
	if state != "active" {
		return fmt.Errorf("%w: the session is %s", ErrConflict, state)
	}
	return nil
}

const invitationColumns = "SELECT code, session_id, invited_by, rights, created, expires, used_by, cancelled FROM specialist_invitations"

func scanInvitation(sc scanner) (SpecialistInvitation, error) {
	var (
		inv                         SpecialistInvitation
		rights                      string
		used                        sql.NullString
		created, expires, cancelled sql.NullInt64
	)
	if err := sc.Scan(&inv.Code, &inv.SessionID, &inv.InvitedBy, &rights, &created, &expires, &used, &cancelled); err != nil {
		return inv, err
	}
	if err := inv.Rights.UnmarshalText([]byte(rights)); err != nil {
		return inv, err
	}
	inv.Created, inv.Expires, inv.UsedBy, inv.Cancelled = fromNanos(created), fromNanos(expires), used.String, fromNanos(cancelled)
	return inv, nil
}

// SpecialistInvitations lists a session's invitations, oldest first.
func (s *SQLite) SpecialistInvitations(ctx context.Context, sessionID string) ([]SpecialistInvitation, error) {
	rows, err := s.r.QueryContext(ctx, invitationColumns+" WHERE session_id = ? ORDER BY created, rowid", sessionID)
	if err != nil {
		return nil, fmt.Errorf("specialist invitations of session %s: %w", sessionID, err)
	}
	defer rows.Close()
	var out []SpecialistInvitation
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, fmt.Errorf("specialist invitations of session %s: %w", sessionID, err)
		}
		out = append(out, inv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("specialist invitations of session %s: %w", sessionID, err)
	}
	return out, nil
}

// CancelSpecialistInvitation makes a session's unspent code unusable:
// [ErrNotFound] if the session has no such code, [ErrUsed] if a
// specialist spent it already. Cancelling twice keeps the first time.
func (s *SQLite) CancelSpecialistInvitation(ctx context.Context, sessionID, code string, now time.Time) error {
	var ta timeArgs
	at := ta.req("now", now)
	if ta.err != nil {
		return fmt.Errorf("cancel specialist invitation: %w", ta.err)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		inv, err := scanInvitation(tx.QueryRowContext(ctx, invitationColumns+" WHERE code = ? AND session_id = ?", code, sessionID))
		if err != nil {
			return notFound(err)
		}
		switch {
		case inv.UsedBy != "":
			return ErrUsed
		case !inv.Cancelled.IsZero():
			return nil
		}
		_, err = tx.ExecContext(ctx, "UPDATE specialist_invitations SET cancelled = ? WHERE code = ?", at, code)
		return err
	})
	if err != nil {
		return fmt.Errorf("cancel specialist invitation %s: %w", code, err)
	}
	return nil
}

// UseSpecialistInvitation spends a code atomically and adds the
// specialist p (its ID, name and joining time; the rest is filled in) to
// the invitation's session, view only unless the code gives control. The
// first caller gets it: [ErrNotFound] for an unknown code, [ErrCancelled],
// [ErrUsed] or [ErrExpired] for one that cannot be used any more, and
// [ErrConflict] where the session is no longer active.
func (s *SQLite) UseSpecialistInvitation(ctx context.Context, code string, p Participant, now time.Time) (SpecialistInvitation, Participant, error) {
	var inv SpecialistInvitation
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if inv, err = scanInvitation(tx.QueryRowContext(ctx, invitationColumns+" WHERE code = ?", code)); err != nil {
			return notFound(err)
		}
		switch {
		case !inv.Cancelled.IsZero():
			return ErrCancelled
		case inv.UsedBy != "":
			return ErrUsed
		case !now.Before(inv.Expires):
			return ErrExpired
		}
		if err := activeSession(ctx, tx, inv.SessionID); err != nil {
			return err
		}
		p.SessionID, p.Role, p.RepID = inv.SessionID, protocol.RoleSpecialist, ""
		p.ViewOnly = inv.Rights != protocol.RightsControl
		if err := insertParticipant(ctx, tx, p); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE specialist_invitations SET used_by = ? WHERE code = ? AND used_by IS NULL", p.ID, code)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ErrUsed
		}
		inv.UsedBy = p.ID
		return nil
	})
	if err != nil {
		return SpecialistInvitation{}, Participant{}, fmt.Errorf("use specialist invitation %s: %w", code, err)
	}
	return inv, p, nil
}
