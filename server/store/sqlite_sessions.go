package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tandemhq/tandem/protocol"
)

// CreateQueue adds a queue; [ErrConflict] if the ID is taken or the rep
// has a personal queue already. A personal queue needs RepID; a team
// queue has none (its reps are added with [SQLite.AddQueueMember]).
func (s *SQLite) CreateQueue(ctx context.Context, q Queue) error {
	if q.ID == "" {
		return fmt.Errorf("create queue %q: no ID", q.Name)
	}
	switch {
	case q.Kind == QueuePersonal && q.RepID == "":
		return fmt.Errorf("create queue %s: a personal queue needs RepID", q.ID)
	case q.Kind == QueueTeam && q.RepID != "":
		return fmt.Errorf("create queue %s: a team queue has no RepID", q.ID)
	case q.Kind != QueuePersonal && q.Kind != QueueTeam:
		return fmt.Errorf("create queue %s: kind %v not storable", q.ID, q.Kind)
	}
	err := s.write(ctx, func(tx *sql.Tx) error { return insertQueue(ctx, tx, q) })
	if err != nil {
		return fmt.Errorf("create queue %s: %w", q.ID, err)
	}
	return nil
}

func insertQueue(ctx context.Context, tx *sql.Tx, q Queue) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO queues (id, kind, name, rep_id, portal_id, team_id) VALUES (?, ?, ?, ?, ?, ?)",
		q.ID, q.Kind.String(), q.Name, nullString(q.RepID), nullString(q.PortalID), nullString(q.TeamID))
	return mapErr(err)
}

// queueColumns selects a queue.
const queueColumns = "SELECT q.id, q.kind, q.name, q.rep_id, q.portal_id, q.team_id FROM queues q"

// scanQueue reads one row of queueColumns.
func scanQueue(sc scanner) (Queue, error) {
	var (
		q                   Queue
		kind                string
		repID, portal, team sql.NullString
	)
	if err := sc.Scan(&q.ID, &kind, &q.Name, &repID, &portal, &team); err != nil {
		return Queue{}, notFound(err)
	}
	if err := q.Kind.UnmarshalText([]byte(kind)); err != nil {
		return Queue{}, err
	}
	q.RepID, q.PortalID, q.TeamID = repID.String, portal.String, team.String
	return q, nil
}

// PersonalQueue returns the rep's personal queue, creating it the first
// time (named after the rep); [ErrNotFound] if there is no such rep.
func (s *SQLite) PersonalQueue(ctx context.Context, repID string) (Queue, error) {
	q, err := s.personalQueue(ctx, repID)
	if err != nil {
		return Queue{}, fmt.Errorf("personal queue of rep %s: %w", repID, err)
	}
	return q, nil
}

func (s *SQLite) personalQueue(ctx context.Context, repID string) (Queue, error) {
	q, err := scanQueue(s.r.QueryRowContext(ctx, queueColumns+" WHERE q.kind = 'personal' AND q.rep_id = ?", repID))
	if !errors.Is(err, ErrNotFound) {
		return q, err
	}
	// Look again inside the write transaction: another caller may have
	// created it since.
	err = s.write(ctx, func(tx *sql.Tx) error {
		q, err = scanQueue(tx.QueryRowContext(ctx, queueColumns+" WHERE q.kind = 'personal' AND q.rep_id = ?", repID))
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		var name string
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(nullif(display_name, ''), username) FROM reps WHERE id = ?", repID).
			Scan(&name); err != nil {
			return notFound(err)
		}
		q = Queue{ID: newID(), Kind: QueuePersonal, Name: name, RepID: repID}
		return insertQueue(ctx, tx, q)
	})
	if err != nil {
		return Queue{}, err
	}
	return q, nil
}

// QueuesForRep lists the queues a rep serves: its personal queue (created
// if need be) first, then its teams' queues by name: team queues it was
// added to with [SQLite.AddQueueMember], and the queue of each of its
// teams on each portal the team is assigned to. [ErrNotFound] if there is
// no such rep.
func (s *SQLite) QueuesForRep(ctx context.Context, repID string) ([]Queue, error) {
	personal, err := s.personalQueue(ctx, repID)
	if err != nil {
		return nil, fmt.Errorf("queues of rep %s: %w", repID, err)
	}
	qs := []Queue{personal}
	rows, err := s.r.QueryContext(ctx, queueColumns+` WHERE q.kind = 'team' AND (
			q.id IN (SELECT queue_id FROM queue_members WHERE rep_id = ?1)
			OR EXISTS (SELECT 1 FROM team_members tm JOIN team_portals tp ON tp.team_id = tm.team_id
				WHERE tm.rep_id = ?1 AND tm.team_id = q.team_id AND tp.portal_id = q.portal_id))
		ORDER BY q.name, q.id`, repID)
	if err != nil {
		return nil, fmt.Errorf("queues of rep %s: %w", repID, err)
	}
	defer rows.Close()
	for rows.Next() {
		q, err := scanQueue(rows)
		if err != nil {
			return nil, fmt.Errorf("queues of rep %s: %w", repID, err)
		}
		qs = append(qs, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("queues of rep %s: %w", repID, err)
	}
	return qs, nil
}

// AddQueueMember makes a rep serve a team queue; adding a member twice is
// not an error. [ErrNotFound] if the queue or the rep does not exist,
// [ErrConflict] if the queue is not a team queue.
func (s *SQLite) AddQueueMember(ctx context.Context, queueID, repID string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var kind string
		if err := tx.QueryRowContext(ctx, "SELECT kind FROM queues WHERE id = ?", queueID).Scan(&kind); err != nil {
			return notFound(err)
		}
		if kind != QueueTeam.String() {
			return fmt.Errorf("%w: a %s queue has no members", ErrConflict, kind)
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO queue_members (queue_id, rep_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
			queueID, repID)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("add rep %s to queue %s: %w", repID, queueID, err)
	}
	return nil
}

// RemoveQueueMember stops a rep serving a team queue; removing one who is
// not a member is not an error.
func (s *SQLite) RemoveQueueMember(ctx context.Context, queueID, repID string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM queue_members WHERE queue_id = ? AND rep_id = ?", queueID, repID)
		return err
	})
	if err != nil {
		return fmt.Errorf("remove rep %s from queue %s: %w", repID, queueID, err)
	}
	return nil
}

// CreateSession stores a new session together with its first participant
// (the customer) in one transaction. A zero State means
// [protocol.StateWaiting]; the participant's zero SessionID means s.ID and
// its zero Joined means s.Created. [ErrConflict] if the session ID is
// taken; [ErrNotFound] if the queue, portal or rep it names does not exist.
func (s *SQLite) CreateSession(ctx context.Context, sess Session, customer Participant) error {
	if sess.ID == "" {
		return errors.New("create session: no ID")
	}
	if sess.State == protocol.StateUnknown {
		sess.State = protocol.StateWaiting
	}
	state, err := stateText(sess.State)
	if err != nil {
		return fmt.Errorf("create session %s: %w", sess.ID, err)
	}
	if customer.SessionID == "" {
		customer.SessionID = sess.ID
	}
	if customer.Joined.IsZero() {
		customer.Joined = sess.Created
	}
	if customer.SessionID != sess.ID {
		return fmt.Errorf("create session %s: participant names session %s", sess.ID, customer.SessionID)
	}
	var ta timeArgs
	created, accepted, ended := ta.req("created", sess.Created), ta.opt("accepted", sess.Accepted), ta.opt("ended", sess.Ended)
	if ta.err != nil {
		return fmt.Errorf("create session %s: %w", sess.ID, ta.err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions
			(id, state, queue_id, portal_id, customer_name, question, key_code, rep_id, created, accepted, ended, end_reason)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sess.ID, state, nullString(sess.QueueID), nullString(sess.PortalID), sess.CustomerName, sess.Question,
			sess.KeyCode, nullString(sess.RepID), created, accepted, ended, sess.EndReason)
		if err != nil {
			return mapErr(err)
		}
		return insertParticipant(ctx, tx, customer)
	})
	if err != nil {
		return fmt.Errorf("create session %s: %w", sess.ID, err)
	}
	return nil
}

// sessionColumns selects a session.
const sessionColumns = `SELECT id, state, queue_id, portal_id, customer_name, question, key_code, rep_id,
	created, accepted, ended, end_reason FROM sessions`

// scanSession reads one row of sessionColumns.
func scanSession(sc scanner) (Session, error) {
	var (
		s                        Session
		state                    string
		queue, portal, rep       sql.NullString
		created, accepted, ended sql.NullInt64
	)
	if err := sc.Scan(&s.ID, &state, &queue, &portal, &s.CustomerName, &s.Question, &s.KeyCode, &rep,
		&created, &accepted, &ended, &s.EndReason); err != nil {
		return Session{}, notFound(err)
	}
	st, err := parseState(state)
	if err != nil {
		return Session{}, err
	}
	s.State = st
	s.QueueID, s.PortalID, s.RepID = queue.String, portal.String, rep.String
	s.Created, s.Accepted, s.Ended = fromNanos(created), fromNanos(accepted), fromNanos(ended)
	return s, nil
}

// Session finds a session by ID.
func (s *SQLite) Session(ctx context.Context, id string) (Session, error) {
	sess, err := scanSession(s.r.QueryRowContext(ctx, sessionColumns+" WHERE id = ?", id))
	if err != nil {
		return Session{}, fmt.Errorf("session %s: %w", id, err)
	}
	return sess, nil
}

// WaitingSessions lists sessions waiting in any of the queues, oldest first.
func (s *SQLite) WaitingSessions(ctx context.Context, queueIDs []string) ([]Session, error) {
	if len(queueIDs) == 0 {
		return nil, nil
	}
	ids, err := json.Marshal(queueIDs)
	if err != nil {
		return nil, fmt.Errorf("waiting sessions: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, sessionColumns+
		" WHERE state = 'waiting' AND queue_id IN (SELECT value FROM json_each(?)) ORDER BY created, rowid", string(ids))
	if err != nil {
		return nil, fmt.Errorf("waiting sessions: %w", err)
	}
	defer rows.Close()
	var ss []Session
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("waiting sessions: %w", err)
		}
		ss = append(ss, sess)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("waiting sessions: %w", err)
	}
	return ss, nil
}

// AcceptSession moves a waiting session to active with rep as its owner
// (Session.RepID = rep.RepID, Accepted = now) and adds the rep's
// participant, atomically; [ErrConflict] if the session is not waiting
// (someone else took it, or it ended), [ErrNotFound] if there is none. The
// participant's zero SessionID means sessionID and its zero Joined means now.
func (s *SQLite) AcceptSession(ctx context.Context, sessionID string, rep Participant, now time.Time) (Session, error) {
	if rep.SessionID == "" {
		rep.SessionID = sessionID
	}
	if rep.Joined.IsZero() {
		rep.Joined = now
	}
	if rep.SessionID != sessionID {
		return Session{}, fmt.Errorf("accept session %s: participant names session %s", sessionID, rep.SessionID)
	}
	if rep.RepID == "" {
		return Session{}, fmt.Errorf("accept session %s: participant has no RepID", sessionID)
	}
	var ta timeArgs
	at := ta.req("now", now)
	if ta.err != nil {
		return Session{}, fmt.Errorf("accept session %s: %w", sessionID, ta.err)
	}
	var sess Session
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET state = 'active', rep_id = ?, accepted = ?
			WHERE id = ? AND state = 'waiting'`, rep.RepID, at, sessionID)
		if err != nil {
			return mapErr(err)
		}
		if err := oneRow(ctx, tx, res, sessionID); err != nil {
			return err
		}
		if err := insertParticipant(ctx, tx, rep); err != nil {
			return err
		}
		sess, err = scanSession(tx.QueryRowContext(ctx, sessionColumns+" WHERE id = ?", sessionID))
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("accept session %s: %w", sessionID, err)
	}
	return sess, nil
}

// oneRow checks that a conditional UPDATE of a session changed it: if not,
// the session is missing ([ErrNotFound]) or not in the state the update
// needed ([ErrConflict]).
func oneRow(ctx context.Context, tx *sql.Tx, res sql.Result, sessionID string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	var state string
	if err := tx.QueryRowContext(ctx, "SELECT state FROM sessions WHERE id = ?", sessionID).Scan(&state); err != nil {
		return notFound(err)
	}
	return fmt.Errorf("%w: session is %s", ErrConflict, state)
}

// EndSession marks a session ended at now with a reason, and every
// participant still in it as left at now; [ErrConflict] if it had already
// ended, [ErrNotFound] if there is none.
func (s *SQLite) EndSession(ctx context.Context, sessionID, reason string, now time.Time) (Session, error) {
	var ta timeArgs
	at := ta.req("now", now)
	if ta.err != nil {
		return Session{}, fmt.Errorf("end session %s: %w", sessionID, ta.err)
	}
	var sess Session
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET state = 'ended', ended = ?, end_reason = ?
			WHERE id = ? AND state != 'ended'`, at, reason, sessionID)
		if err != nil {
			return err
		}
		if err := oneRow(ctx, tx, res, sessionID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE participants SET left_at = ? WHERE session_id = ? AND left_at IS NULL",
			at, sessionID); err != nil {
			return err
		}
		sess, err = scanSession(tx.QueryRowContext(ctx, sessionColumns+" WHERE id = ?", sessionID))
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("end session %s: %w", sessionID, err)
	}
	return sess, nil
}

// insertParticipant stores p, checking its fields.
func insertParticipant(ctx context.Context, tx *sql.Tx, p Participant) error {
	if p.SessionID == "" || p.ID == "" {
		return errors.New("participant needs SessionID and ID")
	}
	role, err := roleText(p.Role)
	if err != nil || role == "" {
		return fmt.Errorf("participant %s: role %v not storable", p.ID, p.Role)
	}
	var ta timeArgs
	joined, left := ta.req("joined", p.Joined), ta.opt("left", p.Left)
	if ta.err != nil {
		return fmt.Errorf("participant %s: %w", p.ID, ta.err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO participants (session_id, id, role, name, rep_id, joined, left_at, view_only)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.SessionID, p.ID, role, p.Name, nullString(p.RepID), joined, left, p.ViewOnly)
	if err != nil {
		return fmt.Errorf("participant %s: %w", p.ID, mapErr(err))
	}
	return nil
}

// AddParticipant adds a participant to a session; [ErrConflict] if the
// session has one with that ID, [ErrNotFound] if there is no such session.
func (s *SQLite) AddParticipant(ctx context.Context, p Participant) error {
	err := s.write(ctx, func(tx *sql.Tx) error { return insertParticipant(ctx, tx, p) })
	if err != nil {
		return fmt.Errorf("add participant to session %s: %w", p.SessionID, err)
	}
	return nil
}

// LeaveParticipant marks a participant as gone at now; [ErrNotFound] if
// there is no such participant. Leaving twice keeps the first time.
func (s *SQLite) LeaveParticipant(ctx context.Context, sessionID, participantID string, now time.Time) error {
	var ta timeArgs
	at := ta.req("now", now)
	if ta.err != nil {
		return fmt.Errorf("participant %s leaves session %s: %w", participantID, sessionID, ta.err)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE participants SET left_at = ? WHERE session_id = ? AND id = ? AND left_at IS NULL",
			at, sessionID, participantID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var one int
		err = tx.QueryRowContext(ctx, "SELECT 1 FROM participants WHERE session_id = ? AND id = ?", sessionID, participantID).Scan(&one)
		return notFound(err)
	})
	if err != nil {
		return fmt.Errorf("participant %s leaves session %s: %w", participantID, sessionID, err)
	}
	return nil
}

// Participants lists a session's participants in the order they joined,
// those who left included. A session without participants, or no session,
// gives an empty list.
func (s *SQLite) Participants(ctx context.Context, sessionID string) ([]Participant, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT session_id, id, role, name, rep_id, joined, left_at, view_only
		FROM participants WHERE session_id = ? ORDER BY joined, rowid`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("participants of session %s: %w", sessionID, err)
	}
	defer rows.Close()
	var ps []Participant
	for rows.Next() {
		var (
			p            Participant
			role         string
			rep          sql.NullString
			joined, left sql.NullInt64
		)
		if err := rows.Scan(&p.SessionID, &p.ID, &role, &p.Name, &rep, &joined, &left, &p.ViewOnly); err != nil {
			return nil, fmt.Errorf("participants of session %s: %w", sessionID, err)
		}
		if p.Role, err = parseRole(role); err != nil {
			return nil, fmt.Errorf("participants of session %s: %w", sessionID, err)
		}
		p.RepID, p.Joined, p.Left = rep.String, fromNanos(joined), fromNanos(left)
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("participants of session %s: %w", sessionID, err)
	}
	return ps, nil
}

// AppendEvent stores an event, assigning the session's next sequence
// number (1, 2, 3, ...), and returns it as stored. The event needs a Kind
// and a time; its Seq is ignored. [ErrNotFound] if there is no such session.
func (s *SQLite) AppendEvent(ctx context.Context, e Event) (Event, error) {
	if e.SessionID == "" || e.Kind == "" {
		return Event{}, errors.New("append event: SessionID and Kind are required")
	}
	role, err := roleText(e.Role)
	if err != nil {
		return Event{}, fmt.Errorf("append %s event to session %s: %w", e.Kind, e.SessionID, err)
	}
	var ta timeArgs
	at := ta.req("at", e.At)
	if ta.err != nil {
		return Event{}, fmt.Errorf("append %s event to session %s: %w", e.Kind, e.SessionID, ta.err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		return mapErr(tx.QueryRowContext(ctx, `INSERT INTO events (session_id, seq, kind, from_id, name, role, text, at)
			SELECT ?1, coalesce(max(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7 FROM events WHERE session_id = ?1
			RETURNING seq`, e.SessionID, e.Kind, e.From, e.Name, role, e.Text, at).Scan(&e.Seq))
	})
	if err != nil {
		return Event{}, fmt.Errorf("append %s event to session %s: %w", e.Kind, e.SessionID, err)
	}
	e.At = fromNanos(sql.NullInt64{Int64: at.(int64), Valid: true})
	return e, nil
}

// Events lists a session's events in sequence order.
func (s *SQLite) Events(ctx context.Context, sessionID string) ([]Event, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT session_id, seq, kind, from_id, name, role, text, at
		FROM events WHERE session_id = ? ORDER BY seq`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("events of session %s: %w", sessionID, err)
	}
	defer rows.Close()
	var es []Event
	for rows.Next() {
		var (
			e    Event
			role string
			at   sql.NullInt64
		)
		if err := rows.Scan(&e.SessionID, &e.Seq, &e.Kind, &e.From, &e.Name, &role, &e.Text, &at); err != nil {
			return nil, fmt.Errorf("events of session %s: %w", sessionID, err)
		}
		if e.Role, err = parseRole(role); err != nil {
			return nil, fmt.Errorf("events of session %s: %w", sessionID, err)
		}
		e.At = fromNanos(at)
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events of session %s: %w", sessionID, err)
	}
	return es, nil
}

// newID returns 16 random bytes in hex, for records the store creates.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (Go 1.24+); crashes the program instead
	return hex.EncodeToString(b)
}

// UnendedSessions lists the sessions that have not ended (waiting or
// active), oldest first. Beyond [Store]: a server that restarts uses it to
// end the sessions nobody is connected to any more.
func (s *SQLite) UnendedSessions(ctx context.Context) ([]Session, error) {
	rows, err := s.r.QueryContext(ctx, sessionColumns+" WHERE state != 'ended' ORDER BY created, rowid")
	if err != nil {
		return nil, fmt.Errorf("unended sessions: %w", err)
	}
	defer rows.Close()
	var ss []Session
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("unended sessions: %w", err)
		}
		ss = append(ss, sess)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("unended sessions: %w", err)
	}
	return ss, nil
}
