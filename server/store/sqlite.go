package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var _ Store = (*SQLite)(nil)

// busyTimeout is how long a connection waits for a lock before SQLITE_BUSY.
// Writers never wait for each other (there is one writer connection); the
// wait covers readers during a WAL checkpoint and other processes that open
// the file, such as a backup.
const busyTimeout = 10 * time.Second

// readers is the number of read-only connections.
const readers = 4

// SQLite is a [Store] on an embedded SQLite database file (the pure-Go
// modernc.org/sqlite driver, no cgo).
//
// The database runs in WAL mode with foreign keys on. Every write goes
// through one connection in BEGIN IMMEDIATE transactions, so writers queue
// in Go rather than failing with SQLITE_BUSY; reads use a small pool of
// read-only connections and run beside the writer.
//
// Times are stored as UTC nanoseconds since the Unix epoch: what a method
// returns is the time it was given, in UTC, without a monotonic clock
// reading (compare with [time.Time.Equal]). The zero time is stored as NULL
// and comes back as the zero time. Times outside the years 1678–2262 are
// refused with an error. Roles, states and kinds are stored as text.
//
// Beyond the [Store] contract: a write that names a record that does not
// exist (a token for an unknown rep, a session in an unknown queue) fails
// with [ErrNotFound]; one that repeats a unique value fails with
// [ErrConflict].
type SQLite struct {
	w      *sql.DB // the one writer connection
	r      *sql.DB // read-only connections
	logger *slog.Logger

	closeOnce sync.Once
	closeErr  error
}

// Open opens the database file at path, creating it if needed, and brings
// its schema up to date. The directory must exist; a new file is
// created readable by its owner only. A nil logger discards.
func Open(ctx context.Context, path string, logger *slog.Logger) (*SQLite, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if path == "" || strings.ContainsAny(path, "?#") || path == ":memory:" {
		return nil, fmt.Errorf("open store %q: need a file path without '?' or '#'", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %q: %w", path, err)
	}
	// The file holds password and token hashes: only the server's user
	// may read it. SQLite gives its -wal and -shm files the same mode.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	pragmas := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)", busyTimeout.Milliseconds())

	w, err := sql.Open("sqlite", abs+"?"+pragmas+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &SQLite{w: w, logger: logger}

	// The writer connects first: it switches the file to WAL mode, which
	// the readers then find.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: journal mode: %w", abs, err)
	}
	if !strings.EqualFold(mode, "wal") {
		w.Close()
		return nil, fmt.Errorf("open store %s: journal mode is %q, want wal", abs, mode)
	}

	r, err := sql.Open("sqlite", abs+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	s.r = r

	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	return s, nil
}

// Close closes the database. It is idempotent; calls after the first
// return the first call's result.
func (s *SQLite) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.r != nil {
			errs = append(errs, s.r.Close())
		}
		errs = append(errs, s.w.Close())
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("close store: %w", err)
		}
	})
	return s.closeErr
}

// write runs fn in one write transaction, committing when it returns nil.
func (s *SQLite) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error from fn is the one that matters
		return err
	}
	return tx.Commit()
}

// mapErr turns SQLite constraint failures into the package's sentinels,
// keeping the original error in the chain.
func mapErr(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w (%w)", ErrConflict, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("%w: a record it refers to does not exist (%w)", ErrNotFound, err)
	}
	return err
}

// notFound turns sql.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// Bounds of the times an int64 of nanoseconds can hold.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// timeArgs encodes times for SQL arguments and remembers the first error,
// so that a statement's arguments can be written in one expression.
type timeArgs struct{ err error }

// opt encodes t for a nullable column: NULL for the zero time.
func (a *timeArgs) opt(field string, t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return a.req(field, t)
}

// req encodes t for a NOT NULL column: the zero time is an error.
func (a *timeArgs) req(field string, t time.Time) any {
	if a.err != nil {
		return nil
	}
	if t.IsZero() {
		a.err = fmt.Errorf("%s: zero time", field)
		return nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		a.err = fmt.Errorf("%s: time %v out of range", field, t)
		return nil
	}
	return t.UnixNano()
}

// fromNanos decodes a time column.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// nullString encodes s for a nullable column: NULL for "".
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}
