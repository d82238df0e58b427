package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tandemhq/tandem/protocol"
)

// Rating is a rating of a session: the customer's exit survey or a rep's.
type Rating struct {
	SessionID string
	// Role is protocol.RoleCustomer or the rep's role.
	Role protocol.Role
	// RepID is set for a rep's rating.
	RepID string
	// Score is 1..5; 0 means the customer declined the survey.
	Score   int
	Comment string
	At      time.Time
}

// rater is a rating's key within its session.
func (r Rating) rater() string {
	if r.Role == protocol.RoleCustomer {
		return "customer"
	}
	return r.RepID
}

// SetRecording stores the customer's answer to the recording prompt. A
// refusal also turns recording off in the session's configuration snapshot
// (Logging and the Functions' screen recording), in the same transaction,
// so that everything reading the snapshot afterwards sees it off.
// Answering again the same way is not an error and keeps the first time;
// withdrawing an allowance is taken; allowing after a refusal is
// [ErrConflict] (a refusal stands for the session). [ErrNotFound] if there
// is no such session.
func (s *SQLite) SetRecording(ctx context.Context, sessionID string, allow bool, at time.Time) error {
	var ta timeArgs
	when := ta.req("at", at)
	if ta.err != nil {
		return fmt.Errorf("recording consent of session %s: %w", sessionID, ta.err)
	}
	want := protocol.RecordingRefused
	if allow {
		want = protocol.RecordingAllowed
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, "SELECT 1 FROM sessions WHERE id = ?", sessionID).Scan(&one); err != nil {
			return notFound(err)
		}
		var prev string
		err := tx.QueryRowContext(ctx, "SELECT consent FROM session_recording WHERE session_id = ?", sessionID).Scan(&prev)
		switch {
		case err == nil && prev == want.String():
			return nil
		case err == nil && prev == protocol.RecordingRefused.String():
			return fmt.Errorf("%w: the customer refused recording; the refusal stands", ErrConflict)
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO session_recording (session_id, consent, at) VALUES (?, ?, ?)
			ON CONFLICT (session_id) DO UPDATE SET consent = excluded.consent, at = excluded.at`,
			sessionID, want.String(), when); err != nil {
			return mapErr(err)
		}
		if allow {
			return nil
		}
		var b string
		err = tx.QueryRowContext(ctx, "SELECT config FROM session_configs WHERE session_id = ?", sessionID).Scan(&b)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		var c protocol.CustomerClientConfig
		if err := json.Unmarshal([]byte(b), &c); err != nil {
			return fmt.Errorf("stored config: %w", err)
		}
		c.Logging = protocol.Logging{}
		c.Functions.RecordCustomerScreen, c.Functions.RecordRepScreen = false, false
		nb, err := json.Marshal(c)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE session_configs SET config = ? WHERE session_id = ?", string(nb), sessionID)
		return err
	})
	if err != nil {
		return fmt.Errorf("recording consent of session %s: %w", sessionID, err)
	}
	return nil
}

// Recording returns the customer's answer to the recording prompt;
// [protocol.RecordingConsentUnknown] when there is none yet.
func (s *SQLite) Recording(ctx context.Context, sessionID string) (protocol.RecordingConsent, error) {
	var v string
	err := s.r.QueryRowContext(ctx, "SELECT consent FROM session_recording WHERE session_id = ?", sessionID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return protocol.RecordingConsentUnknown, nil
	}
	if err != nil {
		return 0, fmt.Errorf("recording consent of session %s: %w", sessionID, err)
	}
	var c protocol.RecordingConsent
	if err := c.UnmarshalText([]byte(v)); err != nil {
		return 0, fmt.Errorf("stored recording consent of session %s: %w", sessionID, err)
	}
	return c, nil
}

// SaveRating stores a rating; [ErrConflict] if its rater (the customer,
// or that rep) rated the session already, [ErrNotFound] if there is no
// such session.
func (s *SQLite) SaveRating(ctx context.Context, r Rating) error {
	if r.SessionID == "" || r.Role == protocol.RoleUnknown || r.Role != protocol.RoleCustomer && r.RepID == "" {
		return fmt.Errorf("save rating: SessionID, Role and a rep's RepID are required")
	}
	if r.Score < 0 || r.Score > protocol.MaxRating {
		return fmt.Errorf("save rating of session %s: score %d out of range", r.SessionID, r.Score)
	}
	role, err := roleText(r.Role)
	if err != nil {
		return fmt.Errorf("save rating of session %s: %w", r.SessionID, err)
	}
	var ta timeArgs
	at := ta.req("at", r.At)
	if ta.err != nil {
		return fmt.Errorf("save rating of session %s: %w", r.SessionID, ta.err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO ratings (session_id, rater, role, rep_id, score, comment, at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.SessionID, r.rater(), role, nullString(r.RepID), r.Score, r.Comment, at)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("save rating of session %s: %w", r.SessionID, err)
	}
	return nil
}

// Ratings lists a session's ratings in the order they were given.
func (s *SQLite) Ratings(ctx context.Context, sessionID string) ([]Rating, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT session_id, role, rep_id, score, comment, at
		FROM ratings WHERE session_id = ? ORDER BY at, rowid`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("ratings of session %s: %w", sessionID, err)
	}
	defer rows.Close()
	var rs []Rating
	for rows.Next() {
		var (
			r    Rating
			role string
			rep  sql.NullString
			at   sql.NullInt64
		)
		if err := rows.Scan(&r.SessionID, &role, &rep, &r.Score, &r.Comment, &at); err != nil {
			return nil, fmt.Errorf("ratings of session %s: %w", sessionID, err)
		}
		if r.Role, err = parseRole(role); err != nil {
			return nil, fmt.Errorf("ratings of session %s: %w", sessionID, err)
		}
		r.RepID, r.At = rep.String, fromNanos(at)
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ratings of session %s: %w", sessionID, err)
	}
	return rs, nil
}

// KeepSurveyTokens replaces [SQLite.DeleteSessionTokens] at a session's
// end where an exit survey may follow: the customers' tokens become
// [TokenSurvey] tokens expiring at expires, which admit nothing but the
// survey; every other token of the session is deleted.
func (s *SQLite) KeepSurveyTokens(ctx context.Context, sessionID string, expires time.Time) error {
	var ta timeArgs
	exp := ta.req("expires", expires)
	if ta.err != nil {
		return fmt.Errorf("survey tokens of session %s: %w", sessionID, ta.err)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE tokens SET kind = ?, expires = ? WHERE session_id = ? AND kind = ?",
			TokenSurvey.String(), exp, sessionID, TokenCustomer.String()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM tokens WHERE session_id = ? AND kind != ?", sessionID, TokenSurvey.String())
		return err
	})
	if err != nil {
		return fmt.Errorf("survey tokens of session %s: %w", sessionID, err)
	}
	return nil
}
