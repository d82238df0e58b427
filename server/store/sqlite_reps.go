package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tandemhq/tandem/protocol"
)

// foldUsername is the key usernames are compared by.
func foldUsername(u string) string { return strings.ToLower(u) }

// CreateRep adds a representative; [ErrConflict] if the username (compared
// case-insensitively) or the ID is taken. Roles keep their order; a role
// given twice is an error.
func (s *SQLite) CreateRep(ctx context.Context, r Rep) error {
	if r.ID == "" || r.Username == "" {
		return fmt.Errorf("create rep %q: ID and username are required", r.Username)
	}
	roles := make([]string, len(r.Roles))
	for i, role := range r.Roles {
		t, err := roleText(role)
		if err != nil || t == "" {
			return fmt.Errorf("create rep %q: role %v not storable", r.Username, role)
		}
		roles[i] = t
	}
	var ta timeArgs
	created := ta.req("created", r.Created)
	if ta.err != nil {
		return fmt.Errorf("create rep %q: %w", r.Username, ta.err)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO reps
			(id, username, username_fold, display_name, password_hash, created, disabled)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.Username, foldUsername(r.Username), r.DisplayName, r.PasswordHash, created, r.Disabled); err != nil {
			return mapErr(err)
		}
		for i, role := range roles {
			if _, err := tx.ExecContext(ctx, "INSERT INTO rep_roles (rep_id, pos, role) VALUES (?, ?, ?)",
				r.ID, i, role); err != nil {
				if errors.Is(mapErr(err), ErrConflict) {
					return fmt.Errorf("role %s given twice", role)
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create rep %q: %w", r.Username, err)
	}
	return nil
}

// repColumns selects a rep with its roles in order.
const repColumns = `SELECT r.id, r.username, r.display_name, r.password_hash, r.created, r.disabled,
	(SELECT group_concat(role, ',' ORDER BY pos) FROM rep_roles WHERE rep_id = r.id)
	FROM reps r`

// scanRep reads one row of repColumns.
func scanRep(sc scanner) (Rep, error) {
	var (
		r       Rep
		created sql.NullInt64
		roles   sql.NullString
	)
	if err := sc.Scan(&r.ID, &r.Username, &r.DisplayName, &r.PasswordHash, &created, &r.Disabled, &roles); err != nil {
		return Rep{}, notFound(err)
	}
	r.Created = fromNanos(created)
	if roles.Valid && roles.String != "" {
		for _, t := range strings.Split(roles.String, ",") {
			role, err := parseRole(t)
			if err != nil {
				return Rep{}, err
			}
			r.Roles = append(r.Roles, role)
		}
	}
	return r, nil
}

// RepByUsername finds a representative by username (case-insensitive).
func (s *SQLite) RepByUsername(ctx context.Context, username string) (Rep, error) {
	r, err := scanRep(s.r.QueryRowContext(ctx, repColumns+" WHERE r.username_fold = ?", foldUsername(username)))
	if err != nil {
		return Rep{}, fmt.Errorf("rep %q: %w", username, err)
	}
	return r, nil
}

// RepByID finds a representative by ID.
func (s *SQLite) RepByID(ctx context.Context, id string) (Rep, error) {
	r, err := scanRep(s.r.QueryRowContext(ctx, repColumns+" WHERE r.id = ?", id))
	if err != nil {
		return Rep{}, fmt.Errorf("rep %s: %w", id, err)
	}
	return r, nil
}

// Reps lists every representative, by username.
func (s *SQLite) Reps(ctx context.Context) ([]Rep, error) {
	rows, err := s.r.QueryContext(ctx, repColumns+" ORDER BY r.username_fold")
	if err != nil {
		return nil, fmt.Errorf("list reps: %w", err)
	}
	defer rows.Close()
	var reps []Rep
	for rows.Next() {
		r, err := scanRep(rows)
		if err != nil {
			return nil, fmt.Errorf("list reps: %w", err)
		}
		reps = append(reps, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list reps: %w", err)
	}
	return reps, nil
}

// CountReps counts representatives (zero on a new server).
func (s *SQLite) CountReps(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM reps").Scan(&n); err != nil {
		return 0, fmt.Errorf("count reps: %w", err)
	}
	return n, nil
}

// SaveToken stores a token by its hash. A rep token needs RepID; a
// customer token needs SessionID and ParticipantID naming an existing
// participant. [ErrConflict] if the hash is stored already.
func (s *SQLite) SaveToken(ctx context.Context, t Token) error {
	if err := checkToken(t); err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	var ta timeArgs
	created, expires := ta.req("created", t.Created), ta.req("expires", t.Expires)
	if ta.err != nil {
		return fmt.Errorf("save token: %w", ta.err)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tokens
			(hash, kind, rep_id, session_id, participant_id, created, expires)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.Hash, t.Kind.String(), nullString(t.RepID), nullString(t.SessionID), nullString(t.ParticipantID),
			created, expires)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	return nil
}

// checkToken checks that a token's fields fit its kind.
func checkToken(t Token) error {
	if t.Hash == "" {
		return errors.New("no hash")
	}
	switch t.Kind {
	case TokenRep:
		if t.RepID == "" || t.SessionID != "" || t.ParticipantID != "" {
			return errors.New("a rep token needs RepID and nothing else")
		}
	case TokenCustomer, TokenSpecialist:
		if t.RepID != "" || t.SessionID == "" || t.ParticipantID == "" {
			return fmt.Errorf("a %v token needs SessionID and ParticipantID and no RepID", t.Kind)
		}
	default:
		return fmt.Errorf("token kind %v not storable", t.Kind)
	}
	return nil
}

// TokenByHash finds a token that has not expired at now (it expires at
// its Expires instant); [ErrNotFound] if missing or expired.
func (s *SQLite) TokenByHash(ctx context.Context, hash string, now time.Time) (Token, error) {
	var ta timeArgs
	at := ta.req("now", now)
	if ta.err != nil {
		return Token{}, fmt.Errorf("token: %w", ta.err)
	}
	var (
		t                             Token
		kind                          string
		repID, sessionID, participant sql.NullString
		created, expires              sql.NullInt64
	)
	err := s.r.QueryRowContext(ctx, `SELECT hash, kind, rep_id, session_id, participant_id, created, expires
		FROM tokens WHERE hash = ? AND expires > ?`, hash, at).
		Scan(&t.Hash, &kind, &repID, &sessionID, &participant, &created, &expires)
	if err != nil {
		return Token{}, fmt.Errorf("token: %w", notFound(err))
	}
	if err := t.Kind.UnmarshalText([]byte(kind)); err != nil {
		return Token{}, fmt.Errorf("token: %w", err)
	}
	t.RepID, t.SessionID, t.ParticipantID = repID.String, sessionID.String, participant.String
	t.Created, t.Expires = fromNanos(created), fromNanos(expires)
	return t, nil
}

// DeleteToken removes a token (logout); deleting a missing one is not an error.
func (s *SQLite) DeleteToken(ctx context.Context, hash string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM tokens WHERE hash = ?", hash)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete token: %w", err)
	}
	return nil
}

// DeleteSessionTokens removes every token bound to a session (at its end).
func (s *SQLite) DeleteSessionTokens(ctx context.Context, sessionID string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM tokens WHERE session_id = ?", sessionID)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete tokens of session %s: %w", sessionID, err)
	}
	return nil
}

// DeleteExpired removes tokens and keys that expired at or before now,
// spent keys included.
func (s *SQLite) DeleteExpired(ctx context.Context, now time.Time) error {
	var ta timeArgs
	at := ta.req("now", now)
	if ta.err != nil {
		return fmt.Errorf("delete expired: %w", ta.err)
	}
	var tokens, keys int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM tokens WHERE expires <= ?", at)
		if err != nil {
			return err
		}
		tokens, _ = res.RowsAffected()
		res, err = tx.ExecContext(ctx, "DELETE FROM keys WHERE expires <= ?", at)
		if err != nil {
			return err
		}
		keys, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete expired: %w", err)
	}
	if tokens+keys > 0 {
		s.logger.Debug("store: deleted expired", "tokens", tokens, "keys", keys)
	}
	return nil
}

// CreateKey stores a new session key; [ErrConflict] if the code belongs
// to a key that has not expired at k.Created (spent or not). A row left by
// an expired key with the same code is replaced.
func (s *SQLite) CreateKey(ctx context.Context, k Key) error {
	if err := protocol.ValidateCode(k.Code); err != nil {
		return fmt.Errorf("create key: %w", err)
	}
	if k.RepID == "" {
		return fmt.Errorf("create key %s: no rep", k.Code)
	}
	var ta timeArgs
	created, expires, used := ta.req("created", k.Created), ta.req("expires", k.Expires), ta.opt("used", k.Used)
	if ta.err != nil {
		return fmt.Errorf("create key %s: %w", k.Code, ta.err)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM keys WHERE code = ? AND expires <= ?", k.Code, created); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO keys (code, rep_id, portal_id, created, expires, used)
			VALUES (?, ?, ?, ?, ?, ?)`, k.Code, k.RepID, nullString(k.PortalID), created, expires, used)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("create key %s: %w", k.Code, err)
	}
	return nil
}

// KeyByCode reads a key without spending it; [ErrNotFound] if there is
// none with code.
func (s *SQLite) KeyByCode(ctx context.Context, code string) (Key, error) {
	var (
		k                       Key
		portal                  sql.NullString
		created, expires, spent sql.NullInt64
	)
	err := s.r.QueryRowContext(ctx, "SELECT code, rep_id, portal_id, created, expires, used FROM keys WHERE code = ?", code).
		Scan(&k.Code, &k.RepID, &portal, &created, &expires, &spent)
	if err != nil {
		return Key{}, fmt.Errorf("key %s: %w", code, notFound(err))
	}
	k.PortalID, k.Created, k.Expires, k.Used = portal.String, fromNanos(created), fromNanos(expires), fromNanos(spent)
	return k, nil
}

// UseKey spends a key atomically: the first caller gets it, marked used at
// now; later callers get [ErrUsed]; a key whose Expires is at or before now
// gives [ErrExpired]; an unknown code [ErrNotFound]. A spent key gives
// [ErrUsed] even once it has expired, until [SQLite.DeleteExpired] removes it.
func (s *SQLite) UseKey(ctx context.Context, code string, now time.Time) (Key, error) {
	var ta timeArgs
	at := ta.req("now", now)
	if ta.err != nil {
		return Key{}, fmt.Errorf("use key: %w", ta.err)
	}
	var k Key
	err := s.write(ctx, func(tx *sql.Tx) error {
		var (
			portal                  sql.NullString
			created, expires, spent sql.NullInt64
		)
		err := tx.QueryRowContext(ctx, "SELECT code, rep_id, portal_id, created, expires, used FROM keys WHERE code = ?", code).
			Scan(&k.Code, &k.RepID, &portal, &created, &expires, &spent)
		if err != nil {
			return notFound(err)
		}
		k.PortalID, k.Created, k.Expires, k.Used = portal.String, fromNanos(created), fromNanos(expires), fromNanos(spent)
		switch {
		case spent.Valid:
			return ErrUsed
		case !now.Before(k.Expires):
			return ErrExpired
		}
		res, err := tx.ExecContext(ctx, "UPDATE keys SET used = ? WHERE code = ? AND used IS NULL", at, code)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ErrUsed
		}
		k.Used = fromNanos(sql.NullInt64{Int64: at.(int64), Valid: true})
		return nil
	})
	if err != nil {
		return Key{}, fmt.Errorf("use key %s: %w", code, err)
	}
	return k, nil
}

// SetRepPassword replaces a rep's password hash; [ErrNotFound] if there is
// no such rep. Beyond [Store]: for password changes and for rehashing with
// new parameters after a login.
func (s *SQLite) SetRepPassword(ctx context.Context, repID, passwordHash string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE reps SET password_hash = ? WHERE id = ?", passwordHash, repID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set password of rep %s: %w", repID, err)
	}
	return nil
}
