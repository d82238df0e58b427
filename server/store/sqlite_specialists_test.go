package store

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
)

// activeTestSession creates a session accepted by rep r1 (created first)
// and returns it.
func activeTestSession(t *testing.T, s *SQLite, id string) Session {
	t.Helper()
	q, err := s.PersonalQueue(t.Context(), "r1")
	must(t, err)
	testSession(t, s, id, q.ID, t0)
	sess, err := s.AcceptSession(t.Context(), id, Participant{ID: "r1", Role: protocol.RoleRep, Name: "Rep alice", RepID: "r1"}, t0)
	must(t, err)
	return sess
}

// invitation is an invitation of session made by r1 at created, lasting an hour.
func invitation(session, code string, rights protocol.SpecialistRights, created time.Time) SpecialistInvitation {
	return SpecialistInvitation{Code: code, SessionID: session, InvitedBy: "r1", Rights: rights, Created: created, Expires: created.Add(time.Hour)}
}

func TestCreateSpecialistInvitation(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	activeTestSession(t, s, "s1")
	activeTestSession(t, s, "s2")
	q, err := s.PersonalQueue(ctx, "r1")
	must(t, err)
	testSession(t, s, "waiting", q.ID, t0)
	activeTestSession(t, s, "ended")
	_, err = s.EndSession(ctx, "ended", "done", t0.Add(time.Minute))
	must(t, err)

	// s1 has two invitations that do not count (cancelled; expired
	// unused) and one spent long ago, which does.
	must(t, s.CreateSpecialistInvitation(ctx, invitation("s1", "100000001", protocol.RightsView, t0), 5, t0))
	must(t, s.CreateSpecialistInvitation(ctx, invitation("s1", "100000002", protocol.RightsControl, t0), 5, t0))
	must(t, s.CreateSpecialistInvitation(ctx, invitation("s1", "100000003", protocol.RightsView, t0), 5, t0))
	must(t, s.CancelSpecialistInvitation(ctx, "s1", "100000001", t0.Add(time.Second)))
	if _, _, err := s.UseSpecialistInvitation(ctx, "100000003", Participant{ID: "spec-3", Name: "Sam", Joined: t0.Add(time.Second)}, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(2 * time.Hour) // 100000002 expired unused; 100000003 spent
	must(t, s.CreateSpecialistInvitation(ctx, invitation("s1", "100000004", protocol.RightsView, later), 3, later))

	for _, tc := range []struct {
		name string
		inv  SpecialistInvitation
		max  int
		want error
	}{
		// counted for s1: 100000003 (spent), 100000004 (open)
		{"within the limit", invitation("s1", "100000005", protocol.RightsControl, later), 3, nil},
		{"at the limit", invitation("s1", "100000006", protocol.RightsView, later), 3, ErrLimit},
		{"limit zero", invitation("s2", "100000007", protocol.RightsView, later), 0, ErrLimit},
		{"another session counts its own", invitation("s2", "100000008", protocol.RightsView, later), 1, nil},
		{"code in use", invitation("s2", "100000004", protocol.RightsView, later), 5, ErrConflict},
		{"waiting session", invitation("waiting", "100000009", protocol.RightsView, later), 5, ErrConflict},
		{"ended session", invitation("ended", "100000010", protocol.RightsView, later), 5, ErrConflict},
		{"no session", invitation("nope", "100000011", protocol.RightsView, later), 5, ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CreateSpecialistInvitation(ctx, tc.inv, tc.max, later)
			if tc.want == nil && err != nil || !errors.Is(err, tc.want) {
				t.Errorf("got %v; want %v", err, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		inv  SpecialistInvitation
	}{
		{"no code", SpecialistInvitation{SessionID: "s2", InvitedBy: "r1", Rights: protocol.RightsView, Created: later, Expires: later}},
		{"no inviter", SpecialistInvitation{Code: "100000012", SessionID: "s2", Rights: protocol.RightsView, Created: later, Expires: later}},
		{"unknown rights", invitation("s2", "100000013", protocol.RightsUnknown, later)},
		{"out-of-range rights", invitation("s2", "100000014", protocol.SpecialistRights(9), later)},
		{"no expiry", SpecialistInvitation{Code: "100000015", SessionID: "s2", InvitedBy: "r1", Rights: protocol.RightsView, Created: later}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.CreateSpecialistInvitation(ctx, tc.inv, 5, later); err == nil {
				t.Error("got nil; want an error")
			}
		})
	}

	got, err := s.SpecialistInvitations(ctx, "s1")
	must(t, err)
	var codes []string
	for _, inv := range got {
		codes = append(codes, inv.Code)
	}
	if want := []string{"100000001", "100000002", "100000003", "100000004", "100000005"}; !reflect.DeepEqual(codes, want) {
		t.Errorf("invitations of s1: %v; want %v (oldest first)", codes, want)
	}
	want := invitation("s1", "100000001", protocol.RightsView, utc(t0))
	want.Cancelled = utc(t0.Add(time.Second))
	if got[0] != want {
		t.Errorf("cancelled invitation %+v; want %+v", got[0], want)
	}
	if got[2].UsedBy != "spec-3" || !got[2].Cancelled.IsZero() || got[1].Rights != protocol.RightsControl {
		t.Errorf("invitations %+v; want #3 spent by spec-3, #2 with control", got)
	}
	if none, err := s.SpecialistInvitations(ctx, "nope"); err != nil || len(none) != 0 {
		t.Errorf("invitations of no session: %v, %v; want none", none, err)
	}
}

func TestCancelSpecialistInvitation(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	activeTestSession(t, s, "s1")
	activeTestSession(t, s, "s2")
	must(t, s.CreateSpecialistInvitation(ctx, invitation("s1", "200000001", protocol.RightsView, t0), 5, t0))
	must(t, s.CreateSpecialistInvitation(ctx, invitation("s1", "200000002", protocol.RightsView, t0), 5, t0))
	_, _, err := s.UseSpecialistInvitation(ctx, "200000002", Participant{ID: "spec", Name: "Sam", Joined: t0}, t0)
	must(t, err)

	for _, tc := range []struct {
		name, session, code string
		want                error
	}{
		{"another session's code", "s2", "200000001", ErrNotFound},
		{"unknown code", "s1", "299999999", ErrNotFound},
		{"spent", "s1", "200000002", ErrUsed},
		{"open", "s1", "200000001", nil},
		{"twice", "s1", "200000001", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CancelSpecialistInvitation(ctx, tc.session, tc.code, t0.Add(time.Minute))
			if tc.want == nil && err != nil || !errors.Is(err, tc.want) {
				t.Errorf("got %v; want %v", err, tc.want)
			}
		})
	}
	must(t, s.CancelSpecialistInvitation(ctx, "s1", "200000001", t0.Add(time.Hour)))
	got, err := s.SpecialistInvitations(ctx, "s1")
	must(t, err)
	if got[0].Cancelled != utc(t0.Add(time.Minute)) {
		t.Errorf("cancelled %v after cancelling three times; want the first, %v", got[0].Cancelled, utc(t0.Add(time.Minute)))
	}
	if got[1].UsedBy != "spec" || !got[1].Cancelled.IsZero() {
		t.Errorf("spent invitation after a refused cancel: %+v; want spent, not cancelled", got[1])
	}
}

func TestUseSpecialistInvitation(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	activeTestSession(t, s, "s1")
	activeTestSession(t, s, "ended")
	for _, inv := range []SpecialistInvitation{
		invitation("s1", "300000001", protocol.RightsView, t0),
		invitation("s1", "300000002", protocol.RightsControl, t0),
		invitation("s1", "300000003", protocol.RightsView, t0),
		invitation("s1", "300000004", protocol.RightsView, t0),
		invitation("s1", "300000005", protocol.RightsView, t0),
		invitation("ended", "300000006", protocol.RightsView, t0),
	} {
		must(t, s.CreateSpecialistInvitation(ctx, inv, 9, t0))
	}
	must(t, s.CancelSpecialistInvitation(ctx, "s1", "300000003", t0))
	_, err := s.EndSession(ctx, "ended", "done", t0.Add(time.Second))
	must(t, err)

	now := t0.Add(time.Minute)
	for _, tc := range []struct {
		name, code string
		now        time.Time
		viewOnly   bool
		want       error
	}{
		{"view", "300000001", now, true, nil},
		{"control", "300000002", now, false, nil},
		{"spent", "300000001", now, false, ErrUsed},
		{"unknown", "399999999", now, false, ErrNotFound},
		{"cancelled", "300000003", now, false, ErrCancelled},
		{"expired", "300000004", t0.Add(time.Hour), false, ErrExpired},
		{"ended session", "300000006", now, false, ErrConflict},
		{"just before expiry", "300000005", t0.Add(time.Hour - time.Nanosecond), true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Participant{ID: "spec-" + tc.code, Name: "Sam " + tc.name, Joined: tc.now, Role: protocol.RoleAdmin, RepID: "r1"}
			inv, got, err := s.UseSpecialistInvitation(ctx, tc.code, p, tc.now)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Errorf("got %v; want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := Participant{SessionID: "s1", ID: p.ID, Role: protocol.RoleSpecialist, Name: p.Name, Joined: tc.now, ViewOnly: tc.viewOnly}
			if got != want {
				t.Errorf("participant %+v; want %+v (role and rep filled in by the store)", got, want)
			}
			if inv.UsedBy != p.ID || inv.Code != tc.code || inv.SessionID != "s1" {
				t.Errorf("invitation %+v; want %s spent by %s", inv, tc.code, p.ID)
			}
			ps, err := s.Participants(ctx, "s1")
			must(t, err)
			stored, ok := Participant{}, false
			for _, q := range ps {
				if q.ID == p.ID {
					stored, ok = q, true
				}
			}
			want.Joined = utc(want.Joined)
			if !ok || stored != want {
				t.Errorf("stored participant %+v (found %v); want %+v", stored, ok, want)
			}
		})
	}
	// A refused use adds nobody.
	ps, err := s.Participants(ctx, "s1")
	must(t, err)
	if len(ps) != 5 { // customer, rep, three specialists
		t.Errorf("s1 has %d participants; want 5", len(ps))
	}
	if ps, err := s.Participants(ctx, "ended"); err != nil || len(ps) != 2 {
		t.Errorf("the ended session has %d participants, %v; want 2", len(ps), err)
	}
}

func TestUseSpecialistInvitationRace(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	activeTestSession(t, s, "s1")
	must(t, s.CreateSpecialistInvitation(ctx, invitation("s1", "400000001", protocol.RightsControl, t0), 5, t0))

	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, _, errs[i] = s.UseSpecialistInvitation(ctx, "400000001", Participant{ID: fmt.Sprintf("spec-%d", i), Name: "Sam", Joined: t0}, t0)
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ErrUsed):
			t.Errorf("UseSpecialistInvitation #%d: got %v; want nil or ErrUsed", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d racing uses won; want exactly 1", won, n)
	}
	ps, err := s.Participants(ctx, "s1")
	must(t, err)
	specs := 0
	for _, p := range ps {
		if p.Role == protocol.RoleSpecialist {
			specs++
		}
	}
	if specs != 1 {
		t.Errorf("%d specialists in the session; want 1", specs)
	}
}

// TestSpecialistsMigration: migration 0006 applies to a database of
// schema 5 with sessions in it; their participants are not view only.
func TestSpecialistsMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tandem.db")
	ms, err := migrations()
	must(t, err)
	db, err := sql.Open("sqlite", path)
	must(t, err)
	_, err = db.Exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL) STRICT")
	must(t, err)
	for _, m := range ms[:5] {
		if _, err := db.Exec(m.sql); err != nil {
			t.Fatalf("apply %s: %v", m.name, err)
		}
		_, err := db.Exec("INSERT INTO schema_version (version, name, applied) VALUES (?, ?, 0)", m.version, m.name)
		must(t, err)
	}
	for _, q := range []string{
		"INSERT INTO reps (id, username, username_fold, display_name, password_hash, created) VALUES ('r1', 'alice', 'alice', 'Alice', 'x', 1)",
		"INSERT INTO queues (id, kind, rep_id, name) VALUES ('q1', 'personal', 'r1', 'Alice')",
		"INSERT INTO sessions (id, state, queue_id, customer_name, question, key_code, rep_id, created, accepted, end_reason) VALUES ('old', 'active', 'q1', 'Carol', '', '123456789', 'r1', 1, 2, '')",
		"INSERT INTO participants (session_id, id, role, name, joined) VALUES ('old', 'c1', 'customer', 'Carol', 1)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	must(t, db.Close())

	s, err := Open(t.Context(), path, slog.New(slog.DiscardHandler))
	must(t, err)
	defer s.Close()
	ps, err := s.Participants(t.Context(), "old")
	if err != nil || len(ps) != 1 || ps[0].ViewOnly || ps[0].Role != protocol.RoleCustomer {
		t.Fatalf("participants after the migration: %+v, %v; want the customer, not view only", ps, err)
	}
	if err := s.CreateSpecialistInvitation(t.Context(), invitation("old", "500000001", protocol.RightsView, t0), 5, t0); err != nil {
		t.Errorf("invite into a session from before the migration: %v", err)
	}
}

// BenchmarkSpecialistInvitation measures one invitation's life in the
// store: created within the limit (counting the session's others), then
// spent, which adds the specialist's participant.
func BenchmarkSpecialistInvitation(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "tandem.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := b.Context()
	if err := s.CreateSession(ctx, Session{ID: "s1", Created: t0}, Participant{ID: "c", Role: protocol.RoleCustomer}); err != nil {
		b.Fatal(err)
	}
	if err := s.CreateRep(ctx, Rep{ID: "r1", Username: "a", Created: t0}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.AcceptSession(ctx, "s1", Participant{ID: "r1", Role: protocol.RoleRep, RepID: "r1"}, t0); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		code := fmt.Sprintf("%09d", i)
		// Each one expires before the next is made, so the limit of 5 holds.
		at := t0.Add(time.Duration(i) * time.Hour)
		inv := SpecialistInvitation{Code: code, SessionID: "s1", InvitedBy: "r1", Rights: protocol.RightsView, Created: at, Expires: at.Add(time.Minute)}
		if err := s.CreateSpecialistInvitation(ctx, inv, 5, at); err != nil {
			b.Fatal(err)
		}
		if _, _, err := s.UseSpecialistInvitation(ctx, code, Participant{ID: "spec-" + code, Name: "Sam", Joined: at}, at); err != nil {
			b.Fatal(err)
		}
		if i%4 == 0 { // spent ones count: make room
			if _, err := s.w.ExecContext(ctx, "DELETE FROM specialist_invitations"); err != nil {
				b.Fatal(err)
			}
		}
	}
}
