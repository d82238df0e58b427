package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ScreenRecording is a stored recording of a session's customer screen,
// or of the rep's screen shown to the customer: an IVF file the rep's
// console uploaded. The file itself lives in the
// server's data directory under the recording's ID.
type ScreenRecording struct {
	ID        string
	SessionID string
	// RepID is the rep who uploaded it.
	RepID string
	// Codec is the IVF FourCC's codec: "VP8" or "VP9".
	Codec string
	// Width and Height are the file header's picture size.
	Width, Height int
	// Size is the file's length in bytes; Frames how many frames it holds.
	Size    int64
	Frames  int
	Created time.Time
	// Screen is whose screen it is: RecordingCustomerScreen (also for
	// "") or RecordingRepScreen.
	Screen string
}

// Whose screen a recording is.
const (
	RecordingCustomerScreen = "customer"
	RecordingRepScreen      = "rep"
)

// SaveRecording stores a recording's row. Beyond [Store] (the file is the
// server's). [ErrNotFound] if the session or the rep does not exist,
// [ErrConflict] if the ID is taken.
func (s *SQLite) SaveRecording(ctx context.Context, r ScreenRecording) error {
	if r.ID == "" || r.SessionID == "" || r.RepID == "" {
		return fmt.Errorf("save recording: ID, SessionID and RepID are required")
	}
	var ta timeArgs
	created := ta.req("created", r.Created)
	if ta.err != nil {
		return fmt.Errorf("save recording %s: %w", r.ID, ta.err)
	}
	screen := r.Screen
	if screen == "" {
		screen = RecordingCustomerScreen
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO recordings (id, session_id, rep_id, codec, width, height, size, frames, created, screen)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.SessionID, r.RepID, r.Codec, r.Width, r.Height, r.Size, r.Frames, created, screen)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("save recording %s of session %s: %w", r.ID, r.SessionID, err)
	}
	return nil
}

// recordingColumns selects a recording.
const recordingColumns = `SELECT id, session_id, rep_id, codec, width, height, size, frames, created, screen FROM recordings`

// scanRecording reads one row of recordingColumns.
func scanRecording(sc scanner) (ScreenRecording, error) {
	var (
		r       ScreenRecording
		created sql.NullInt64
	)
	if err := sc.Scan(&r.ID, &r.SessionID, &r.RepID, &r.Codec, &r.Width, &r.Height, &r.Size, &r.Frames, &created, &r.Screen); err != nil {
		return ScreenRecording{}, err
	}
	r.Created = fromNanos(created)
	return r, nil
}

// RecordingByID finds a recording; [ErrNotFound] if there is none.
func (s *SQLite) RecordingByID(ctx context.Context, id string) (ScreenRecording, error) {
	r, err := scanRecording(s.r.QueryRowContext(ctx, recordingColumns+" WHERE id = ?", id))
	if err != nil {
		return ScreenRecording{}, fmt.Errorf("recording %s: %w", id, notFound(err))
	}
	return r, nil
}

// SessionRecordings lists a session's recordings, oldest first; none (and
// no error) for a session without any or no such session.
func (s *SQLite) SessionRecordings(ctx context.Context, sessionID string) ([]ScreenRecording, error) {
	rows, err := s.r.QueryContext(ctx, recordingColumns+" WHERE session_id = ? ORDER BY created, rowid", sessionID)
	if err != nil {
		return nil, fmt.Errorf("recordings of session %s: %w", sessionID, err)
	}
	defer rows.Close()
	var rs []ScreenRecording
	for rows.Next() {
		r, err := scanRecording(rows)
		if err != nil {
			return nil, fmt.Errorf("recordings of session %s: %w", sessionID, err)
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recordings of session %s: %w", sessionID, err)
	}
	return rs, nil
}
