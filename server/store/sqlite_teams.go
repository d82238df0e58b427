package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/portal"
)

// setTeamLinks replaces a team's portals and members inside tx, and creates
// the team's queue on each of its portals.
func setTeamLinks(ctx context.Context, tx *sql.Tx, t portal.Team) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM team_portals WHERE team_id = ?", t.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM team_members WHERE team_id = ?", t.ID); err != nil {
		return err
	}
	for _, pid := range t.PortalIDs {
		if _, err := tx.ExecContext(ctx, "INSERT INTO team_portals (team_id, portal_id) VALUES (?, ?)", t.ID, pid); err != nil {
			return fmt.Errorf("portal %s: %w", pid, mapErr(err))
		}
		if err := ensureTeamQueue(ctx, tx, t.ID, pid); err != nil {
			return err
		}
	}
	for _, rid := range t.RepIDs {
		if _, err := tx.ExecContext(ctx, "INSERT INTO team_members (team_id, rep_id) VALUES (?, ?)", t.ID, rid); err != nil {
			return fmt.Errorf("rep %s: %w", rid, mapErr(err))
		}
	}
	return nil
}

// ensureTeamQueue creates the queue of a team on a portal if it is missing,
// named "team name (portal name)".
func ensureTeamQueue(ctx context.Context, tx *sql.Tx, teamID, portalID string) error {
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM queues WHERE team_id = ? AND portal_id = ?", teamID, portalID).Scan(&one)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var name string
	if err := tx.QueryRowContext(ctx, `SELECT t.name || ' (' || p.name || ')' FROM teams t, portals p
		WHERE t.id = ? AND p.id = ?`, teamID, portalID).Scan(&name); err != nil {
		return notFound(err)
	}
	return insertQueue(ctx, tx, Queue{ID: newID(), Kind: QueueTeam, Name: name, PortalID: portalID, TeamID: teamID})
}

// CreateTeam adds a team with its portals and members, and the team's
// queue on each portal. [ErrConflict] if the ID is taken, [ErrNotFound] if
// a portal or rep does not exist, an error wrapping [portal.ErrInvalid]
// for a bad name or list.
func (s *SQLite) CreateTeam(ctx context.Context, t portal.Team) error {
	if t.ID == "" {
		return errors.New("create team: no ID")
	}
	t.Name = strings.TrimSpace(t.Name)
	if err := t.Validate(); err != nil {
		return fmt.Errorf("create team %q: %w", t.Name, err)
	}
	var ta timeArgs
	created := ta.req("created", t.Created)
	if ta.err != nil {
		return fmt.Errorf("create team %q: %w", t.Name, ta.err)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO teams (id, name, created) VALUES (?, ?, ?)", t.ID, t.Name, created); err != nil {
			return mapErr(err)
		}
		return setTeamLinks(ctx, tx, t)
	})
	if err != nil {
		return fmt.Errorf("create team %q: %w", t.Name, err)
	}
	return nil
}

// UpdateTeam replaces a team's name, portals and members (Created is
// kept); [ErrNotFound] if there is no such team, or a portal or rep.
func (s *SQLite) UpdateTeam(ctx context.Context, t portal.Team) error {
	t.Name = strings.TrimSpace(t.Name)
	if err := t.Validate(); err != nil {
		return fmt.Errorf("update team %s: %w", t.ID, err)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE teams SET name = ? WHERE id = ?", t.Name, t.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ErrNotFound
		}
		return setTeamLinks(ctx, tx, t)
	})
	if err != nil {
		return fmt.Errorf("update team %s: %w", t.ID, err)
	}
	return nil
}

// DeleteTeam removes a team, its memberships and canned messages; its
// queues stay (without team) for the sessions that waited in them.
// [ErrNotFound] if there is no such team.
func (s *SQLite) DeleteTeam(ctx context.Context, id string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM teams WHERE id = ?", id)
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
		return fmt.Errorf("delete team %s: %w", id, err)
	}
	return nil
}

// teamColumns selects a team with its portal and rep IDs.
const teamColumns = `SELECT t.id, t.name, t.created,
	(SELECT json_group_array(portal_id) FROM (SELECT portal_id FROM team_portals WHERE team_id = t.id ORDER BY portal_id)),
	(SELECT json_group_array(rep_id) FROM (SELECT rep_id FROM team_members WHERE team_id = t.id ORDER BY rep_id))
	FROM teams t`

// scanTeam reads one row of teamColumns.
func scanTeam(sc scanner) (portal.Team, error) {
	var (
		t             portal.Team
		created       sql.NullInt64
		portals, reps string
	)
	if err := sc.Scan(&t.ID, &t.Name, &created, &portals, &reps); err != nil {
		return t, notFound(err)
	}
	t.Created = fromNanos(created)
	if err := json.Unmarshal([]byte(portals), &t.PortalIDs); err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(reps), &t.RepIDs); err != nil {
		return t, err
	}
	return t, nil
}

// queryTeams runs a teamColumns query.
func (s *SQLite) queryTeams(ctx context.Context, q string, args ...any) ([]portal.Team, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ts []portal.Team
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, rows.Err()
}

// Team finds a team by ID.
func (s *SQLite) Team(ctx context.Context, id string) (portal.Team, error) {
	t, err := scanTeam(s.r.QueryRowContext(ctx, teamColumns+" WHERE t.id = ?", id))
	if err != nil {
		return t, fmt.Errorf("team %s: %w", id, err)
	}
	return t, nil
}

// Teams lists the teams by name.
func (s *SQLite) Teams(ctx context.Context) ([]portal.Team, error) {
	ts, err := s.queryTeams(ctx, teamColumns+" ORDER BY t.name, t.id")
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	return ts, nil
}

// TeamsForRep lists the teams a rep belongs to, by name.
func (s *SQLite) TeamsForRep(ctx context.Context, repID string) ([]portal.Team, error) {
	ts, err := s.queryTeams(ctx, teamColumns+
		" WHERE t.id IN (SELECT team_id FROM team_members WHERE rep_id = ?) ORDER BY t.name, t.id", repID)
	if err != nil {
		return nil, fmt.Errorf("teams of rep %s: %w", repID, err)
	}
	return ts, nil
}

// SetPortalTeams replaces the teams assigned to a portal and creates
// their queues on it; [ErrNotFound] if the portal or a team does not exist.
func (s *SQLite) SetPortalTeams(ctx context.Context, portalID string, teamIDs []string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, "SELECT 1 FROM portals WHERE id = ?", portalID).Scan(&one); err != nil {
			return notFound(err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM team_portals WHERE portal_id = ?", portalID); err != nil {
			return err
		}
		for _, tid := range teamIDs {
			if _, err := tx.ExecContext(ctx, "INSERT INTO team_portals (team_id, portal_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
				tid, portalID); err != nil {
				return fmt.Errorf("team %s: %w", tid, mapErr(err))
			}
			if err := ensureTeamQueue(ctx, tx, tid, portalID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set teams of portal %s: %w", portalID, err)
	}
	return nil
}

// PortalQueues lists the queues of the teams assigned to a portal, by team
// name, creating any that are missing. No teams, no queues.
func (s *SQLite) PortalQueues(ctx context.Context, portalID string) ([]Queue, error) {
	var qs []Queue
	err := s.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT tp.team_id FROM team_portals tp JOIN teams t ON t.id = tp.team_id
			WHERE tp.portal_id = ? ORDER BY t.name, t.id`, portalID)
		if err != nil {
			return err
		}
		var teams []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			teams = append(teams, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, tid := range teams {
			if err := ensureTeamQueue(ctx, tx, tid, portalID); err != nil {
				return err
			}
			q, err := scanQueue(tx.QueryRowContext(ctx, queueColumns+" WHERE q.team_id = ? AND q.portal_id = ?", tid, portalID))
			if err != nil {
				return err
			}
			qs = append(qs, q)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("queues of portal %s: %w", portalID, err)
	}
	return qs, nil
}

// CreateNotice adds a customer notice (a draft while Sent is zero); the
// error wraps [portal.ErrInvalid] for a bad message or expiry,
// [ErrNotFound] for an unknown portal.
func (s *SQLite) CreateNotice(ctx context.Context, n portal.Notice) error {
	if n.ID == "" {
		return errors.New("create notice: no ID")
	}
	if err := n.Validate(); err != nil {
		return fmt.Errorf("create notice: %w", err)
	}
	var ta timeArgs
	created, sent, expires := ta.req("created", n.Created), ta.opt("sent", n.Sent), ta.req("expires", n.Expires)
	if ta.err != nil {
		return fmt.Errorf("create notice: %w", ta.err)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO notices (id, portal_id, message, created, sent, expires)
			VALUES (?, ?, ?, ?, ?, ?)`, n.ID, nullString(n.PortalID), n.Message, created, sent, expires)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("create notice: %w", err)
	}
	return nil
}

// UpdateNotice replaces a notice's portal, message, sent and expiry times
// (Created is kept); [ErrNotFound] if there is no such notice.
func (s *SQLite) UpdateNotice(ctx context.Context, n portal.Notice) error {
	var ta timeArgs
	sent, expires := ta.opt("sent", n.Sent), ta.req("expires", n.Expires)
	if ta.err != nil {
		return fmt.Errorf("update notice %s: %w", n.ID, ta.err)
	}
	if err := protocol.ValidateText("message", n.Message, portal.MaxNoticeRunes, true); err != nil {
		return fmt.Errorf("update notice %s: %w: %v", n.ID, portal.ErrInvalid, err)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE notices SET portal_id = ?, message = ?, sent = ?, expires = ? WHERE id = ?",
			nullString(n.PortalID), n.Message, sent, expires, n.ID)
		if err != nil {
			return mapErr(err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return err
		} else if k != 1 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update notice %s: %w", n.ID, err)
	}
	return nil
}

// noticeColumns selects a notice.
const noticeColumns = "SELECT id, portal_id, message, created, sent, expires FROM notices"

// queryNotices runs a noticeColumns query.
func (s *SQLite) queryNotices(ctx context.Context, q string, args ...any) ([]portal.Notice, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ns []portal.Notice
	for rows.Next() {
		var (
			n                      portal.Notice
			p                      sql.NullString
			created, sent, expires sql.NullInt64
		)
		if err := rows.Scan(&n.ID, &p, &n.Message, &created, &sent, &expires); err != nil {
			return nil, err
		}
		n.PortalID, n.Created, n.Sent, n.Expires = p.String, fromNanos(created), fromNanos(sent), fromNanos(expires)
		ns = append(ns, n)
	}
	return ns, rows.Err()
}

// Notice finds a notice by ID.
func (s *SQLite) Notice(ctx context.Context, id string) (portal.Notice, error) {
	ns, err := s.queryNotices(ctx, noticeColumns+" WHERE id = ?", id)
	if err == nil && len(ns) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return portal.Notice{}, fmt.Errorf("notice %s: %w", id, err)
	}
	return ns[0], nil
}

// Notices lists every notice, newest first.
func (s *SQLite) Notices(ctx context.Context) ([]portal.Notice, error) {
	ns, err := s.queryNotices(ctx, noticeColumns+" ORDER BY created DESC, rowid DESC")
	if err != nil {
		return nil, fmt.Errorf("list notices: %w", err)
	}
	return ns, nil
}

// ActiveNotices lists the notices customers of a portal see at now, oldest
// first: sent at or before now, expiring after now, for that portal or for
// every portal. An empty portalID gives the notices for every portal only.
func (s *SQLite) ActiveNotices(ctx context.Context, portalID string, now time.Time) ([]portal.Notice, error) {
	var ta timeArgs
	at := ta.req("now", now)
	if ta.err != nil {
		return nil, fmt.Errorf("active notices: %w", ta.err)
	}
	ns, err := s.queryNotices(ctx, noticeColumns+
		" WHERE sent IS NOT NULL AND sent <= ?1 AND expires > ?1 AND (portal_id IS NULL OR portal_id = ?2) ORDER BY sent, rowid",
		at, portalID)
	if err != nil {
		return nil, fmt.Errorf("active notices: %w", err)
	}
	return ns, nil
}

// CreateCanned adds a canned message to a team; [ErrNotFound] if there is
// no such team, an error wrapping [portal.ErrInvalid] for a bad title or text.
func (s *SQLite) CreateCanned(ctx context.Context, c portal.Canned) error {
	if c.ID == "" {
		return errors.New("create canned message: no ID")
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("create canned message: %w", err)
	}
	var ta timeArgs
	created := ta.req("created", c.Created)
	if ta.err != nil {
		return fmt.Errorf("create canned message: %w", ta.err)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO canned (id, team_id, title, text, created) VALUES (?, ?, ?, ?, ?)",
			c.ID, c.TeamID, c.Title, c.Text, created)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("create canned message: %w", err)
	}
	return nil
}

// UpdateCanned replaces a canned message's team, title and text;
// [ErrNotFound] if there is no such message or team.
func (s *SQLite) UpdateCanned(ctx context.Context, c portal.Canned) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("update canned message %s: %w", c.ID, err)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE canned SET team_id = ?, title = ?, text = ? WHERE id = ?", c.TeamID, c.Title, c.Text, c.ID)
		if err != nil {
			return mapErr(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update canned message %s: %w", c.ID, err)
	}
	return nil
}

// DeleteCanned removes a canned message; [ErrNotFound] if there is none.
func (s *SQLite) DeleteCanned(ctx context.Context, id string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM canned WHERE id = ?", id)
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
		return fmt.Errorf("delete canned message %s: %w", id, err)
	}
	return nil
}

// queryCanned runs a query of canned id, team_id, title, text, created.
func (s *SQLite) queryCanned(ctx context.Context, q string, args ...any) ([]portal.Canned, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cs []portal.Canned
	for rows.Next() {
		var (
			c       portal.Canned
			created sql.NullInt64
		)
		if err := rows.Scan(&c.ID, &c.TeamID, &c.Title, &c.Text, &created); err != nil {
			return nil, err
		}
		c.Created = fromNanos(created)
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// Canned finds a canned message by ID.
func (s *SQLite) Canned(ctx context.Context, id string) (portal.Canned, error) {
	cs, err := s.queryCanned(ctx, "SELECT id, team_id, title, text, created FROM canned WHERE id = ?", id)
	if err == nil && len(cs) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return portal.Canned{}, fmt.Errorf("canned message %s: %w", id, err)
	}
	return cs[0], nil
}

// CannedForTeam lists a team's canned messages by title.
func (s *SQLite) CannedForTeam(ctx context.Context, teamID string) ([]portal.Canned, error) {
	cs, err := s.queryCanned(ctx, "SELECT id, team_id, title, text, created FROM canned WHERE team_id = ? ORDER BY title, id", teamID)
	if err != nil {
		return nil, fmt.Errorf("canned messages of team %s: %w", teamID, err)
	}
	return cs, nil
}

// CannedForRep lists the canned messages of a rep's teams by team name and title.
func (s *SQLite) CannedForRep(ctx context.Context, repID string) ([]protocol.CannedMessage, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT c.id, c.team_id, t.name, c.title, c.text FROM canned c
		JOIN teams t ON t.id = c.team_id JOIN team_members m ON m.team_id = c.team_id
		WHERE m.rep_id = ? ORDER BY t.name, c.title, c.id`, repID)
	if err != nil {
		return nil, fmt.Errorf("canned messages of rep %s: %w", repID, err)
	}
	defer rows.Close()
	cs := []protocol.CannedMessage{}
	for rows.Next() {
		var c protocol.CannedMessage
		if err := rows.Scan(&c.ID, &c.TeamID, &c.Team, &c.Title, &c.Text); err != nil {
			return nil, fmt.Errorf("canned messages of rep %s: %w", repID, err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("canned messages of rep %s: %w", repID, err)
	}
	return cs, nil
}

// AppendAudit records an administrative change and returns its ID; it
// needs a time, the admin's rep ID and an action.
func (s *SQLite) AppendAudit(ctx context.Context, a portal.AuditRecord) (int64, error) {
	if a.RepID == "" || a.Action == "" {
		return 0, errors.New("append audit: RepID and Action are required")
	}
	var ta timeArgs
	at := ta.req("at", a.At)
	if ta.err != nil {
		return 0, fmt.Errorf("append audit: %w", ta.err)
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO audit (at, rep_id, username, action, target, detail)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, at, a.RepID, a.Username, a.Action, a.Target, a.Detail).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("append audit %s: %w", a.Action, err)
	}
	return id, nil
}

// Audit lists up to limit records (at most 10000), newest first.
func (s *SQLite) Audit(ctx context.Context, limit int) ([]portal.AuditRecord, error) {
	limit = min(max(limit, 1), 10000)
	rows, err := s.r.QueryContext(ctx, "SELECT id, at, rep_id, username, action, target, detail FROM audit ORDER BY id DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()
	var as []portal.AuditRecord
	for rows.Next() {
		var (
			a  portal.AuditRecord
			at sql.NullInt64
		)
		if err := rows.Scan(&a.ID, &at, &a.RepID, &a.Username, &a.Action, &a.Target, &a.Detail); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		a.At = fromNanos(at)
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return as, nil
}

// WaitSamples returns the limit most recently answered sessions of a
// queue, newest first, for the wait estimate; sessions never answered are
// not samples.
func (s *SQLite) WaitSamples(ctx context.Context, queueID string, limit int) ([]portal.WaitSample, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT created, accepted FROM sessions
		WHERE queue_id = ? AND accepted IS NOT NULL ORDER BY accepted DESC, rowid DESC LIMIT ?`, queueID, max(limit, 0))
	if err != nil {
		return nil, fmt.Errorf("wait samples of queue %s: %w", queueID, err)
	}
	defer rows.Close()
	var ws []portal.WaitSample
	for rows.Next() {
		var c, a sql.NullInt64
		if err := rows.Scan(&c, &a); err != nil {
			return nil, fmt.Errorf("wait samples of queue %s: %w", queueID, err)
		}
		ws = append(ws, portal.WaitSample{Created: fromNanos(c), Accepted: fromNanos(a)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("wait samples of queue %s: %w", queueID, err)
	}
	return ws, nil
}
