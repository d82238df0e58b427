package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/portal"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// t0 is a time with nanoseconds and a zone that is not UTC, so that tests
// see the round trip to UTC nanoseconds.
var t0 = time.Date(2026, 11, 23, 6, 0, 0, 123456789, time.FixedZone("CET", 3600))

// openAt opens a store at path, closing it when the test ends.
func openAt(t *testing.T, path string) *SQLite {
	t.Helper()
	s, err := Open(t.Context(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openTest opens a store in a fresh directory.
func openTest(t *testing.T) *SQLite {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "tandem.db"))
}

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr checks that err wraps want.
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: got error %v; want %v", what, err, want)
	}
}

// utc is what the store gives back for t.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Round(0)
}

// testRep creates a rep and returns it as stored.
func testRep(t *testing.T, s *SQLite, id, username string, roles ...protocol.Role) Rep {
	t.Helper()
	r := Rep{ID: id, Username: username, DisplayName: "Rep " + username, PasswordHash: "$argon2id$x",
		Roles: roles, Created: t0}
	must(t, s.CreateRep(t.Context(), r))
	r.Created = utc(r.Created)
	return r
}

// testSession creates a waiting session in queue with a customer participant.
func testSession(t *testing.T, s *SQLite, id, queueID string, created time.Time) (Session, Participant) {
	t.Helper()
	sess := Session{ID: id, State: protocol.StateWaiting, QueueID: queueID, CustomerName: "Cust " + id,
		Question: "help", KeyCode: "123456789", Created: created}
	cust := Participant{SessionID: id, ID: "c-" + id, Role: protocol.RoleCustomer, Name: "Cust " + id, Joined: created}
	must(t, s.CreateSession(t.Context(), sess, cust))
	sess.Created, cust.Joined = utc(created), utc(created)
	return sess, cust
}

func TestReps(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()

	n, err := s.CountReps(ctx)
	if err != nil || n != 0 {
		t.Fatalf("CountReps on a new store = %d, %v; want 0, nil", n, err)
	}
	bob := testRep(t, s, "r2", "Bob", protocol.RoleRep)
	alice := testRep(t, s, "r1", "alice", protocol.RoleAdmin, protocol.RoleRep)
	carol := testRep(t, s, "r3", "carol")

	for _, tc := range []struct {
		name     string
		username string
		want     Rep
	}{
		{"exact", "alice", alice},
		{"other case", "ALICE", alice},
		{"stored upper case", "bob", bob},
		{"no roles", "carol", carol},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.RepByUsername(ctx, tc.username)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("RepByUsername(%q) = %+v; want %+v", tc.username, got, tc.want)
			}
		})
	}
	got, err := s.RepByID(ctx, "r1")
	if err != nil || !reflect.DeepEqual(got, alice) {
		t.Errorf("RepByID(r1) = %+v, %v; want %+v", got, err, alice)
	}
	if !got.HasRole(protocol.RoleAdmin) || got.HasRole(protocol.RoleCustomer) {
		t.Errorf("roles of alice = %v; want admin and rep", got.Roles)
	}
	reps, err := s.Reps(ctx)
	must(t, err)
	if want := []Rep{alice, bob, carol}; !reflect.DeepEqual(reps, want) {
		t.Errorf("Reps = %+v; want %+v", reps, want)
	}
	if n, _ := s.CountReps(ctx); n != 3 {
		t.Errorf("CountReps = %d; want 3", n)
	}

	_, err = s.RepByUsername(ctx, "dave")
	wantErr(t, "RepByUsername(dave)", err, ErrNotFound)
	_, err = s.RepByID(ctx, "nope")
	wantErr(t, "RepByID(nope)", err, ErrNotFound)

	for _, tc := range []struct {
		name string
		rep  Rep
		want error // nil: any error
	}{
		{"username taken in other case", Rep{ID: "r9", Username: "BOB", Created: t0}, ErrConflict},
		{"ID taken", Rep{ID: "r1", Username: "zed", Created: t0}, ErrConflict},
		{"no username", Rep{ID: "r9", Created: t0}, nil},
		{"no ID", Rep{Username: "zed", Created: t0}, nil},
		{"no time", Rep{ID: "r9", Username: "zed"}, nil},
		{"role twice", Rep{ID: "r9", Username: "zed", Created: t0, Roles: []protocol.Role{protocol.RoleRep, protocol.RoleRep}}, nil},
		{"unknown role", Rep{ID: "r9", Username: "zed", Created: t0, Roles: []protocol.Role{protocol.RoleUnknown}}, nil},
		{"bad role", Rep{ID: "r9", Username: "zed", Created: t0, Roles: []protocol.Role{42}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CreateRep(ctx, tc.rep)
			if err == nil {
				t.Fatalf("CreateRep(%+v) succeeded; want an error", tc.rep)
			}
			if tc.want != nil {
				wantErr(t, "CreateRep", err, tc.want)
			}
		})
	}
	if n, _ := s.CountReps(ctx); n != 3 {
		t.Errorf("CountReps after refused creates = %d; want 3 (nothing half-written)", n)
	}
}

func TestTokens(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	q, err := s.PersonalQueue(ctx, "r1")
	must(t, err)
	_, cust := testSession(t, s, "s1", q.ID, t0)
	testSession(t, s, "s2", q.ID, t0)

	repTok := Token{Hash: "h-rep", Kind: TokenRep, RepID: "r1", Created: t0, Expires: t0.Add(time.Hour)}
	custTok := Token{Hash: "h-cust", Kind: TokenCustomer, SessionID: "s1", ParticipantID: cust.ID,
		Created: t0, Expires: t0.Add(time.Hour)}
	other := Token{Hash: "h-other", Kind: TokenCustomer, SessionID: "s2", ParticipantID: "c-s2",
		Created: t0, Expires: t0.Add(time.Hour)}
	for _, tok := range []Token{repTok, custTok, other} {
		must(t, s.SaveToken(ctx, tok))
	}

	for _, tc := range []struct {
		name string
		hash string
		now  time.Time
		want Token
		err  error
	}{
		{"rep", "h-rep", t0, repTok, nil},
		{"customer", "h-cust", t0.Add(59 * time.Minute), custTok, nil},
		{"at expiry", "h-rep", t0.Add(time.Hour), Token{}, ErrNotFound},
		{"after expiry", "h-cust", t0.Add(2 * time.Hour), Token{}, ErrNotFound},
		{"unknown", "h-none", t0, Token{}, ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.TokenByHash(ctx, tc.hash, tc.now)
			if tc.err != nil {
				wantErr(t, "TokenByHash", err, tc.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Created, tc.want.Expires = utc(tc.want.Created), utc(tc.want.Expires)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("TokenByHash(%s) = %+v; want %+v", tc.hash, got, tc.want)
			}
		})
	}

	for _, tc := range []struct {
		name string
		tok  Token
		want error // nil: any error
	}{
		{"hash taken", repTok, ErrConflict},
		{"unknown rep", Token{Hash: "x", Kind: TokenRep, RepID: "nobody", Created: t0, Expires: t0}, ErrNotFound},
		{"unknown session", Token{Hash: "x", Kind: TokenCustomer, SessionID: "nope", ParticipantID: "c-s1", Created: t0, Expires: t0}, ErrNotFound},
		{"participant of another session", Token{Hash: "x", Kind: TokenCustomer, SessionID: "s2", ParticipantID: "c-s1", Created: t0, Expires: t0}, ErrNotFound},
		{"no kind", Token{Hash: "x", RepID: "r1", Created: t0, Expires: t0}, nil},
		{"rep token with session", Token{Hash: "x", Kind: TokenRep, RepID: "r1", SessionID: "s1", Created: t0, Expires: t0}, nil},
		{"customer token without participant", Token{Hash: "x", Kind: TokenCustomer, SessionID: "s1", Created: t0, Expires: t0}, nil},
		{"no hash", Token{Kind: TokenRep, RepID: "r1", Created: t0, Expires: t0}, nil},
		{"no expiry", Token{Hash: "x", Kind: TokenRep, RepID: "r1", Created: t0}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.SaveToken(ctx, tc.tok)
			if err == nil {
				t.Fatalf("SaveToken(%+v) succeeded; want an error", tc.tok)
			}
			if tc.want != nil {
				wantErr(t, "SaveToken", err, tc.want)
			}
		})
	}

	must(t, s.DeleteToken(ctx, "h-rep"))
	must(t, s.DeleteToken(ctx, "h-rep")) // missing: not an error
	_, err = s.TokenByHash(ctx, "h-rep", t0)
	wantErr(t, "TokenByHash after DeleteToken", err, ErrNotFound)

	must(t, s.DeleteSessionTokens(ctx, "s1"))
	_, err = s.TokenByHash(ctx, "h-cust", t0)
	wantErr(t, "TokenByHash after DeleteSessionTokens", err, ErrNotFound)
	if _, err := s.TokenByHash(ctx, "h-other", t0); err != nil {
		t.Errorf("a token of another session was deleted too: %v", err)
	}
}

func TestKeys(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	must(t, s.CreatePortal(ctx, Portal{ID: "p1", Slug: "default", Name: "Support", Created: t0}))

	k := Key{Code: "012345678", RepID: "r1", PortalID: "p1", Created: t0, Expires: t0.Add(20 * time.Minute)}
	must(t, s.CreateKey(ctx, k))
	err := s.CreateKey(ctx, Key{Code: "012345678", RepID: "r1", Created: t0.Add(time.Minute), Expires: t0.Add(time.Hour)})
	wantErr(t, "CreateKey with a code in use", err, ErrConflict)
	err = s.CreateKey(ctx, Key{Code: "999999999", RepID: "nobody", Created: t0, Expires: t0.Add(time.Hour)})
	wantErr(t, "CreateKey for an unknown rep", err, ErrNotFound)
	for _, bad := range []Key{
		{Code: "12345", RepID: "r1", Created: t0, Expires: t0},
		{Code: "12345678a", RepID: "r1", Created: t0, Expires: t0},
		{Code: "111111111", Created: t0, Expires: t0},
		{Code: "111111111", RepID: "r1", Created: t0},
	} {
		if err := s.CreateKey(ctx, bad); err == nil {
			t.Errorf("CreateKey(%+v) succeeded; want an error", bad)
		}
	}

	_, err = s.UseKey(ctx, "876543210", t0)
	wantErr(t, "UseKey(unknown)", err, ErrNotFound)

	now := t0.Add(5 * time.Minute)
	got, err := s.UseKey(ctx, "012345678", now)
	must(t, err)
	want := Key{Code: k.Code, RepID: "r1", PortalID: "p1", Created: utc(k.Created), Expires: utc(k.Expires), Used: utc(now)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UseKey = %+v; want %+v", got, want)
	}
	_, err = s.UseKey(ctx, "012345678", now.Add(time.Second))
	wantErr(t, "UseKey twice", err, ErrUsed)
	_, err = s.UseKey(ctx, "012345678", t0.Add(time.Hour))
	wantErr(t, "UseKey of a spent key after its expiry", err, ErrUsed)

	exp := Key{Code: "222222222", RepID: "r1", Created: t0, Expires: t0.Add(20 * time.Minute)}
	must(t, s.CreateKey(ctx, exp))
	_, err = s.UseKey(ctx, exp.Code, exp.Expires)
	wantErr(t, "UseKey at expiry", err, ErrExpired)
	_, err = s.UseKey(ctx, exp.Code, exp.Expires.Add(time.Second))
	wantErr(t, "UseKey after expiry", err, ErrExpired)

	// An expired key's code may be given out again; the new key works.
	again := Key{Code: exp.Code, RepID: "r1", Created: exp.Expires, Expires: exp.Expires.Add(20 * time.Minute)}
	must(t, s.CreateKey(ctx, again))
	if _, err := s.UseKey(ctx, again.Code, again.Created.Add(time.Minute)); err != nil {
		t.Errorf("UseKey of a reissued code: %v", err)
	}
}

func TestUseKeyRace(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	must(t, s.CreateKey(ctx, Key{Code: "555555555", RepID: "r1", Created: t0, Expires: t0.Add(time.Hour)}))

	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = s.UseKey(ctx, "555555555", t0.Add(time.Duration(i)*time.Second))
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
			t.Errorf("UseKey #%d: got %v; want nil or ErrUsed", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d racing UseKey calls won; want exactly 1", won, n)
	}
}

func TestDeleteExpired(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	for i, exp := range []time.Duration{time.Minute, time.Hour} {
		must(t, s.SaveToken(ctx, Token{Hash: fmt.Sprint("t", i), Kind: TokenRep, RepID: "r1", Created: t0, Expires: t0.Add(exp)}))
		must(t, s.CreateKey(ctx, Key{Code: fmt.Sprint("00000000", i), RepID: "r1", Created: t0, Expires: t0.Add(exp)}))
	}
	_, err := s.UseKey(ctx, "000000000", t0)
	must(t, err)
	must(t, s.DeleteExpired(ctx, t0.Add(time.Minute)))

	// TokenByHash at t0 would still accept an expired token's row if it
	// had survived; the deletion is what is checked here.
	_, err = s.TokenByHash(ctx, "t0", t0)
	wantErr(t, "expired token after DeleteExpired", err, ErrNotFound)
	_, err = s.UseKey(ctx, "000000000", t0)
	wantErr(t, "spent expired key after DeleteExpired", err, ErrNotFound)
	if _, err := s.TokenByHash(ctx, "t1", t0); err != nil {
		t.Errorf("live token deleted: %v", err)
	}
	if _, err := s.UseKey(ctx, "000000001", t0); err != nil {
		t.Errorf("live key deleted: %v", err)
	}
}

func TestPortals(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	p := Portal{ID: "p1", Slug: "default", Name: "Support", Created: t0}
	must(t, s.CreatePortal(ctx, p))
	p.Created = utc(p.Created)
	p.Settings = portal.DefaultSettings()
	got, err := s.PortalBySlug(ctx, "default")
	if err != nil || !reflect.DeepEqual(got, p) {
		t.Errorf("PortalBySlug = %+v, %v; want %+v", got, err, p)
	}
	got, err = s.PortalByID(ctx, "p1")
	if err != nil || !reflect.DeepEqual(got, p) {
		t.Errorf("PortalByID = %+v, %v; want %+v", got, err, p)
	}
	_, err = s.PortalBySlug(ctx, "other")
	wantErr(t, "PortalBySlug(other)", err, ErrNotFound)
	_, err = s.PortalByID(ctx, "p2")
	wantErr(t, "PortalByID(p2)", err, ErrNotFound)
	err = s.CreatePortal(ctx, Portal{ID: "p2", Slug: "default", Created: t0})
	wantErr(t, "CreatePortal with a taken slug", err, ErrConflict)
	err = s.CreatePortal(ctx, Portal{ID: "p1", Slug: "other", Created: t0})
	wantErr(t, "CreatePortal with a taken ID", err, ErrConflict)
}

func TestQueues(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	testRep(t, s, "r2", "bob", protocol.RoleRep)
	must(t, s.CreatePortal(ctx, Portal{ID: "p1", Slug: "default", Created: t0}))

	// Racing first calls create one personal queue.
	const n = 8
	qs := make([]Queue, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var err error
			qs[i], err = s.PersonalQueue(ctx, "r1")
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	personal := qs[0]
	if personal.ID == "" || personal.Kind != QueuePersonal || personal.RepID != "r1" || personal.Name != "Rep alice" {
		t.Errorf("PersonalQueue(r1) = %+v; want a personal queue of r1 named after the rep", personal)
	}
	for i, q := range qs {
		if q != personal {
			t.Errorf("PersonalQueue call %d = %+v; want %+v", i, q, personal)
		}
	}
	_, err := s.PersonalQueue(ctx, "nobody")
	wantErr(t, "PersonalQueue(nobody)", err, ErrNotFound)

	support := Queue{ID: "q-support", Kind: QueueTeam, Name: "Support", PortalID: "p1"}
	billing := Queue{ID: "q-billing", Kind: QueueTeam, Name: "Billing"}
	must(t, s.CreateQueue(ctx, support))
	must(t, s.CreateQueue(ctx, billing))
	must(t, s.AddQueueMember(ctx, "q-support", "r1"))
	must(t, s.AddQueueMember(ctx, "q-support", "r1")) // twice: fine
	must(t, s.AddQueueMember(ctx, "q-billing", "r1"))
	must(t, s.AddQueueMember(ctx, "q-billing", "r2"))

	got, err := s.QueuesForRep(ctx, "r1")
	must(t, err)
	if want := []Queue{personal, billing, support}; !reflect.DeepEqual(got, want) {
		t.Errorf("QueuesForRep(r1) = %+v; want %+v", got, want)
	}
	got, err = s.QueuesForRep(ctx, "r2")
	must(t, err)
	if len(got) != 2 || got[0].Kind != QueuePersonal || got[0].RepID != "r2" || got[1] != billing {
		t.Errorf("QueuesForRep(r2) = %+v; want its personal queue, then billing", got)
	}
	must(t, s.RemoveQueueMember(ctx, "q-billing", "r2"))
	got, err = s.QueuesForRep(ctx, "r2")
	if err != nil || len(got) != 1 {
		t.Errorf("QueuesForRep(r2) after removal = %+v, %v; want only its personal queue", got, err)
	}
	_, err = s.QueuesForRep(ctx, "nobody")
	wantErr(t, "QueuesForRep(nobody)", err, ErrNotFound)

	wantErr(t, "AddQueueMember to a personal queue", s.AddQueueMember(ctx, personal.ID, "r2"), ErrConflict)
	wantErr(t, "AddQueueMember to no queue", s.AddQueueMember(ctx, "nope", "r2"), ErrNotFound)
	wantErr(t, "AddQueueMember of no rep", s.AddQueueMember(ctx, "q-support", "nobody"), ErrNotFound)

	for _, tc := range []struct {
		name string
		q    Queue
		want error
	}{
		{"ID taken", Queue{ID: "q-support", Kind: QueueTeam}, ErrConflict},
		{"second personal queue", Queue{ID: "q-x", Kind: QueuePersonal, RepID: "r1"}, ErrConflict},
		{"personal queue of nobody", Queue{ID: "q-x", Kind: QueuePersonal, RepID: "nobody"}, ErrNotFound},
		{"unknown portal", Queue{ID: "q-x", Kind: QueueTeam, PortalID: "nope"}, ErrNotFound},
		{"no kind", Queue{ID: "q-x"}, nil},
		{"personal without rep", Queue{ID: "q-x", Kind: QueuePersonal}, nil},
		{"team with rep", Queue{ID: "q-x", Kind: QueueTeam, RepID: "r1"}, nil},
		{"no ID", Queue{Kind: QueueTeam}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CreateQueue(ctx, tc.q)
			if err == nil {
				t.Fatalf("CreateQueue(%+v) succeeded; want an error", tc.q)
			}
			if tc.want != nil {
				wantErr(t, "CreateQueue", err, tc.want)
			}
		})
	}
}

func TestSessions(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	testRep(t, s, "r2", "bob", protocol.RoleRep)
	qa, err := s.PersonalQueue(ctx, "r1")
	must(t, err)
	qb, err := s.PersonalQueue(ctx, "r2")
	must(t, err)

	s3, _ := testSession(t, s, "s3", qa.ID, t0.Add(3*time.Second))
	s1, c1 := testSession(t, s, "s1", qb.ID, t0.Add(1*time.Second))
	s2, _ := testSession(t, s, "s2", qa.ID, t0.Add(2*time.Second))

	got, err := s.Session(ctx, "s1")
	if err != nil || !reflect.DeepEqual(got, s1) {
		t.Errorf("Session(s1) = %+v, %v; want %+v", got, err, s1)
	}
	_, err = s.Session(ctx, "nope")
	wantErr(t, "Session(nope)", err, ErrNotFound)

	for _, tc := range []struct {
		name   string
		queues []string
		want   []Session
	}{
		{"both queues, oldest first", []string{qa.ID, qb.ID}, []Session{s1, s2, s3}},
		{"one queue", []string{qa.ID}, []Session{s2, s3}},
		{"unknown queue", []string{"nope"}, nil},
		{"no queues", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.WaitingSessions(ctx, tc.queues)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("WaitingSessions(%v) = %+v; want %+v", tc.queues, got, tc.want)
			}
		})
	}

	// Refused creations.
	for _, tc := range []struct {
		name string
		sess Session
		cust Participant
		want error
	}{
		{"ID taken", Session{ID: "s1", Created: t0}, Participant{ID: "c", Role: protocol.RoleCustomer}, ErrConflict},
		{"unknown queue", Session{ID: "sx", QueueID: "nope", Created: t0}, Participant{ID: "c", Role: protocol.RoleCustomer}, ErrNotFound},
		{"participant of another session", Session{ID: "sx", Created: t0}, Participant{SessionID: "s1", ID: "c", Role: protocol.RoleCustomer}, nil},
		{"participant without role", Session{ID: "sx", Created: t0}, Participant{ID: "c"}, nil},
		{"participant without ID", Session{ID: "sx", Created: t0}, Participant{Role: protocol.RoleCustomer}, nil},
		{"no time", Session{ID: "sx"}, Participant{ID: "c", Role: protocol.RoleCustomer}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CreateSession(ctx, tc.sess, tc.cust)
			if err == nil {
				t.Fatal("CreateSession succeeded; want an error")
			}
			if tc.want != nil {
				wantErr(t, "CreateSession", err, tc.want)
			}
		})
	}
	if _, err := s.Session(ctx, "sx"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a refused CreateSession left a session behind: %v", err)
	}

	// Accept.
	acceptAt := t0.Add(time.Minute)
	rep := Participant{ID: "p-r2", Role: protocol.RoleRep, Name: "Bob", RepID: "r2"}
	accepted, err := s.AcceptSession(ctx, "s1", rep, acceptAt)
	must(t, err)
	wantSess := s1
	wantSess.State, wantSess.RepID, wantSess.Accepted = protocol.StateActive, "r2", utc(acceptAt)
	if !reflect.DeepEqual(accepted, wantSess) {
		t.Errorf("AcceptSession = %+v; want %+v", accepted, wantSess)
	}
	_, err = s.AcceptSession(ctx, "s1", Participant{ID: "p-r1", Role: protocol.RoleRep, RepID: "r1"}, acceptAt)
	wantErr(t, "AcceptSession of an active session", err, ErrConflict)
	_, err = s.AcceptSession(ctx, "nope", Participant{ID: "p-r1", Role: protocol.RoleRep, RepID: "r1"}, acceptAt)
	wantErr(t, "AcceptSession(nope)", err, ErrNotFound)
	got2, err := s.WaitingSessions(ctx, []string{qa.ID, qb.ID})
	if err != nil || !reflect.DeepEqual(got2, []Session{s2, s3}) {
		t.Errorf("WaitingSessions after accept = %+v, %v; want s2, s3", got2, err)
	}

	// Participants, leaving, adding.
	spec := Participant{SessionID: "s1", ID: "p-spec", Role: protocol.RoleSpecialist, Name: "Carol", Joined: t0.Add(2 * time.Minute)}
	must(t, s.AddParticipant(ctx, spec))
	wantErr(t, "AddParticipant twice", s.AddParticipant(ctx, spec), ErrConflict)
	wantErr(t, "AddParticipant to no session",
		s.AddParticipant(ctx, Participant{SessionID: "nope", ID: "x", Role: protocol.RoleRep, Joined: t0}), ErrNotFound)
	leftAt := t0.Add(3 * time.Minute)
	must(t, s.LeaveParticipant(ctx, "s1", "p-spec", leftAt))
	must(t, s.LeaveParticipant(ctx, "s1", "p-spec", leftAt.Add(time.Minute))) // keeps the first time
	wantErr(t, "LeaveParticipant(unknown)", s.LeaveParticipant(ctx, "s1", "nope", leftAt), ErrNotFound)

	endAt := t0.Add(10 * time.Minute)
	ended, err := s.EndSession(ctx, "s1", "rep ended", endAt)
	must(t, err)
	wantSess.State, wantSess.Ended, wantSess.EndReason = protocol.StateEnded, utc(endAt), "rep ended"
	if !reflect.DeepEqual(ended, wantSess) {
		t.Errorf("EndSession = %+v; want %+v", ended, wantSess)
	}
	_, err = s.EndSession(ctx, "s1", "again", endAt)
	wantErr(t, "EndSession twice", err, ErrConflict)
	_, err = s.EndSession(ctx, "nope", "x", endAt)
	wantErr(t, "EndSession(nope)", err, ErrNotFound)
	_, err = s.AcceptSession(ctx, "s1", Participant{ID: "p-r1", Role: protocol.RoleRep, RepID: "r1"}, endAt)
	wantErr(t, "AcceptSession of an ended session", err, ErrConflict)

	ps, err := s.Participants(ctx, "s1")
	must(t, err)
	c1.Left = utc(endAt)
	wantRep := rep
	wantRep.SessionID, wantRep.Joined, wantRep.Left = "s1", utc(acceptAt), utc(endAt)
	spec.Joined, spec.Left = utc(spec.Joined), utc(leftAt)
	if want := []Participant{c1, wantRep, spec}; !reflect.DeepEqual(ps, want) {
		t.Errorf("Participants(s1) =\n%+v; want\n%+v", ps, want)
	}
	ps, err = s.Participants(ctx, "nope")
	if err != nil || len(ps) != 0 {
		t.Errorf("Participants(nope) = %+v, %v; want none", ps, err)
	}
	// A waiting session can be ended too (the customer gave up).
	if _, err := s.EndSession(ctx, "s2", "customer left", endAt); err != nil {
		t.Errorf("EndSession of a waiting session: %v", err)
	}
}

func TestAcceptSessionRace(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	testRep(t, s, "r2", "bob", protocol.RoleRep)
	q, err := s.PersonalQueue(ctx, "r1")
	must(t, err)
	for round := range 10 {
		id := fmt.Sprint("s", round)
		testSession(t, s, id, q.ID, t0)
		var (
			wg    sync.WaitGroup
			errs  [2]error
			start = make(chan struct{})
		)
		for i, repID := range []string{"r1", "r2"} {
			wg.Go(func() {
				<-start
				_, errs[i] = s.AcceptSession(ctx, id, Participant{ID: "p-" + repID, Role: protocol.RoleRep, RepID: repID}, t0)
			})
		}
		close(start)
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: AcceptSession errors %v, %v; want exactly one nil", round, errs[0], errs[1])
		}
		for _, err := range errs {
			if err != nil && !errors.Is(err, ErrConflict) {
				t.Errorf("round %d: loser got %v; want ErrConflict", round, err)
			}
		}
		ps, err := s.Participants(ctx, id)
		must(t, err)
		if len(ps) != 2 {
			t.Errorf("round %d: %d participants; want the customer and one rep", round, len(ps))
		}
	}
}

func TestEvents(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	q, err := s.PersonalQueue(ctx, "r1")
	must(t, err)
	testSession(t, s, "s1", q.ID, t0)
	testSession(t, s, "s2", q.ID, t0)

	in := []Event{
		{SessionID: "s1", Kind: "created", At: t0},
		{SessionID: "s1", Kind: "chat", From: "c-s1", Name: "Cust", Role: protocol.RoleCustomer, Text: "hello ✓", At: t0.Add(time.Second), Seq: 99},
		{SessionID: "s2", Kind: "created", At: t0},
		{SessionID: "s1", Kind: "ended", Text: "bye", At: t0.Add(2 * time.Second)},
	}
	var want []Event
	for _, e := range in {
		got, err := s.AppendEvent(ctx, e)
		must(t, err)
		if e.SessionID == "s1" {
			e.Seq = int64(len(want) + 1)
			e.At = utc(e.At)
			want = append(want, e)
			if !reflect.DeepEqual(got, e) {
				t.Errorf("AppendEvent = %+v; want %+v", got, e)
			}
		} else if got.Seq != 1 {
			t.Errorf("first event of s2 has seq %d; want 1", got.Seq)
		}
	}
	got, err := s.Events(ctx, "s1")
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Events(s1) =\n%+v; want\n%+v", got, want)
	}
	got, err = s.Events(ctx, "nope")
	if err != nil || len(got) != 0 {
		t.Errorf("Events(nope) = %+v, %v; want none", got, err)
	}
	_, err = s.AppendEvent(ctx, Event{SessionID: "nope", Kind: "chat", At: t0})
	wantErr(t, "AppendEvent to no session", err, ErrNotFound)
	for _, bad := range []Event{
		{SessionID: "s1", At: t0},
		{Kind: "chat", At: t0},
		{SessionID: "s1", Kind: "chat"},
		{SessionID: "s1", Kind: "chat", At: t0, Role: 42},
	} {
		if _, err := s.AppendEvent(ctx, bad); err == nil {
			t.Errorf("AppendEvent(%+v) succeeded; want an error", bad)
		}
	}
}

func TestAppendEventConcurrent(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	q, err := s.PersonalQueue(ctx, "r1")
	must(t, err)
	sessions := []string{"s1", "s2"}
	for _, id := range sessions {
		testSession(t, s, id, q.ID, t0)
	}
	const writers, each = 10, 10
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := sessions[(w+i)%len(sessions)]
				if _, err := s.AppendEvent(ctx, Event{SessionID: id, Kind: "chat", Text: fmt.Sprint(w, "/", i), At: t0}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	// Readers beside the writers must not fail either.
	for range 2 {
		wg.Go(func() {
			for range 20 {
				if _, err := s.Events(ctx, "s1"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for _, id := range sessions {
		es, err := s.Events(ctx, id)
		must(t, err)
		for i, e := range es {
			if e.Seq != int64(i+1) {
				t.Fatalf("session %s: event %d has seq %d; want %d", id, i, e.Seq, i+1)
			}
		}
		total += len(es)
	}
	if total != writers*each {
		t.Errorf("%d events stored; want %d", total, writers*each)
	}
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tandem.db")
	ctx := t.Context()
	s, err := Open(ctx, path, slog.New(slog.DiscardHandler))
	must(t, err)

	rep := Rep{ID: "r1", Username: "alice", DisplayName: "Alice", PasswordHash: "$argon2id$v=19$x",
		Roles: []protocol.Role{protocol.RoleRep, protocol.RoleAdmin}, Created: t0, Disabled: true}
	must(t, s.CreateRep(ctx, rep))
	portal := Portal{ID: "p1", Slug: "default", Name: "Support", Created: t0}
	must(t, s.CreatePortal(ctx, portal))
	team := Queue{ID: "q-team", Kind: QueueTeam, Name: "Team", PortalID: "p1"}
	must(t, s.CreateQueue(ctx, team))
	must(t, s.AddQueueMember(ctx, "q-team", "r1"))
	personal, err := s.PersonalQueue(ctx, "r1")
	must(t, err)
	key := Key{Code: "123456789", RepID: "r1", PortalID: "p1", Created: t0, Expires: t0.Add(time.Hour)}
	must(t, s.CreateKey(ctx, key))
	usedKey := Key{Code: "987654321", RepID: "r1", Created: t0, Expires: t0.Add(time.Hour)}
	must(t, s.CreateKey(ctx, usedKey))
	_, err = s.UseKey(ctx, usedKey.Code, t0.Add(time.Minute))
	must(t, err)
	sess := Session{ID: "s1", QueueID: personal.ID, PortalID: "p1", CustomerName: "Cust", Question: "help",
		KeyCode: usedKey.Code, Created: t0}
	cust := Participant{ID: "c1", Role: protocol.RoleCustomer, Name: "Cust"}
	must(t, s.CreateSession(ctx, sess, cust))
	_, err = s.AcceptSession(ctx, "s1", Participant{ID: "p1", Role: protocol.RoleRep, Name: "Alice", RepID: "r1"}, t0.Add(time.Minute))
	must(t, err)
	repTok := Token{Hash: "h1", Kind: TokenRep, RepID: "r1", Created: t0, Expires: t0.Add(time.Hour)}
	custTok := Token{Hash: "h2", Kind: TokenCustomer, SessionID: "s1", ParticipantID: "c1", Created: t0, Expires: t0.Add(time.Hour)}
	must(t, s.SaveToken(ctx, repTok))
	must(t, s.SaveToken(ctx, custTok))
	for i, text := range []string{"hi", "hello"} {
		_, err := s.AppendEvent(ctx, Event{SessionID: "s1", Kind: "chat", From: "c1", Role: protocol.RoleCustomer, Text: text, At: t0.Add(time.Duration(i) * time.Second)})
		must(t, err)
	}

	// Everything as seen before closing...
	before := snapshot(t, s)
	must(t, s.Close())
	must(t, s.Close()) // idempotent
	if _, err := s.CountReps(ctx); err == nil {
		t.Error("CountReps after Close succeeded; want an error")
	}

	// ... is what a reopened store sees.
	s2 := openAt(t, path)
	after := snapshot(t, s2)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("after reopening:\n%+v\nwant\n%+v", after, before)
	}
	// And the state machines carry on where they were.
	_, err = s2.UseKey(ctx, usedKey.Code, t0.Add(2*time.Minute))
	wantErr(t, "UseKey of a spent key after reopening", err, ErrUsed)
	if _, err := s2.UseKey(ctx, key.Code, t0.Add(2*time.Minute)); err != nil {
		t.Errorf("UseKey after reopening: %v", err)
	}
	e, err := s2.AppendEvent(ctx, Event{SessionID: "s1", Kind: "ended", At: t0.Add(time.Hour)})
	if err != nil || e.Seq != 3 {
		t.Errorf("AppendEvent after reopening = seq %d, %v; want 3", e.Seq, err)
	}
}

// state is everything a store holds, as its methods show it.
type state struct {
	Reps         []Rep
	Queues       []Queue
	Portal       Portal
	Session      Session
	Participants []Participant
	Events       []Event
	Tokens       []Token
	Waiting      []Session
}

func snapshot(t *testing.T, s *SQLite) state {
	t.Helper()
	ctx := t.Context()
	var st state
	var err error
	st.Reps, err = s.Reps(ctx)
	must(t, err)
	st.Queues, err = s.QueuesForRep(ctx, "r1")
	must(t, err)
	st.Portal, err = s.PortalBySlug(ctx, "default")
	must(t, err)
	st.Session, err = s.Session(ctx, "s1")
	must(t, err)
	st.Participants, err = s.Participants(ctx, "s1")
	must(t, err)
	st.Events, err = s.Events(ctx, "s1")
	must(t, err)
	for _, h := range []string{"h1", "h2"} {
		tok, err := s.TokenByHash(ctx, h, t0)
		must(t, err)
		st.Tokens = append(st.Tokens, tok)
	}
	qids := make([]string, len(st.Queues))
	for i, q := range st.Queues {
		qids[i] = q.ID
	}
	st.Waiting, err = s.WaitingSessions(ctx, qids)
	must(t, err)
	return st
}

func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tandem.db")
	for range 3 {
		s, err := Open(t.Context(), path, slog.New(slog.DiscardHandler))
		must(t, err)
		must(t, s.Close())
	}
	db, err := sql.Open("sqlite", path)
	must(t, err)
	defer db.Close()
	var rows, max int
	must(t, db.QueryRow("SELECT count(*), max(version) FROM schema_version").Scan(&rows, &max))
	if rows != SchemaVersion() || max != SchemaVersion() || SchemaVersion() < 1 {
		t.Errorf("schema_version has %d rows up to %d after three opens; want %d rows up to %d",
			rows, max, SchemaVersion(), SchemaVersion())
	}
	var mode string
	must(t, db.QueryRow("PRAGMA journal_mode").Scan(&mode))
	if mode != "wal" {
		t.Errorf("journal_mode = %q; want wal", mode)
	}

	// A database from a newer program is refused, not damaged.
	_, err = db.Exec("INSERT INTO schema_version (version, name, applied) VALUES (?, 'future', 0)", SchemaVersion()+1)
	must(t, err)
	must(t, db.Close())
	if s, err := Open(t.Context(), path, slog.New(slog.DiscardHandler)); err == nil {
		s.Close()
		t.Error("Open of a database with a newer schema succeeded; want an error")
	}
}

func TestOpenRefuses(t *testing.T) {
	for _, path := range []string{"", ":memory:", "a?b", filepath.Join(t.TempDir(), "missing", "dir", "x.db")} {
		if s, err := Open(t.Context(), path, slog.New(slog.DiscardHandler)); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded; want an error", path)
		}
	}
}

func TestTimeRange(t *testing.T) {
	s := openTest(t)
	for _, tm := range []time.Time{
		time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		if err := s.CreatePortal(t.Context(), Portal{ID: "p", Slug: "p", Created: tm}); err == nil {
			t.Errorf("CreatePortal at %v succeeded; want an error", tm)
		}
	}
}

func TestKinds(t *testing.T) {
	for _, tc := range []struct {
		v    interface{ MarshalText() ([]byte, error) }
		want string
	}{
		{TokenRep, "rep"}, {TokenCustomer, "customer"}, {TokenUnknown, "unknown"}, {TokenKind(9), "TokenKind(9)"},
		{QueuePersonal, "personal"}, {QueueTeam, "team"}, {QueueKind(-1), "QueueKind(-1)"},
	} {
		b, _ := tc.v.MarshalText()
		if string(b) != tc.want {
			t.Errorf("MarshalText(%#v) = %q; want %q", tc.v, b, tc.want)
		}
	}
	var tk TokenKind
	if err := tk.UnmarshalText([]byte("customer")); err != nil || tk != TokenCustomer {
		t.Errorf("UnmarshalText(customer) = %v, %v; want TokenCustomer", tk, err)
	}
	if err := tk.UnmarshalText([]byte("unknown")); err == nil {
		t.Error("UnmarshalText(unknown) succeeded; want an error")
	}
	var qk QueueKind
	if err := qk.UnmarshalText([]byte("team")); err != nil || qk != QueueTeam {
		t.Errorf("UnmarshalText(team) = %v, %v; want QueueTeam", qk, err)
	}
}

func BenchmarkAppendEvent(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "tandem.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.CreateRep(ctx, Rep{ID: "r1", Username: "a", Created: t0}); err != nil {
		b.Fatal(err)
	}
	if err := s.CreateSession(ctx, Session{ID: "s1", Created: t0}, Participant{ID: "c", Role: protocol.RoleCustomer}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.AppendEvent(ctx, Event{SessionID: "s1", Kind: "chat", Text: "hello", At: t0}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSetRepPassword(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	must(t, s.SetRepPassword(ctx, "r1", "$argon2id$new"))
	r, err := s.RepByID(ctx, "r1")
	if err != nil || r.PasswordHash != "$argon2id$new" {
		t.Errorf("PasswordHash after SetRepPassword = %q, %v; want $argon2id$new", r.PasswordHash, err)
	}
	wantErr(t, "SetRepPassword(nobody)", s.SetRepPassword(ctx, "nobody", "x"), ErrNotFound)
}

func TestUnendedSessions(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	q, err := s.PersonalQueue(ctx, "r1")
	must(t, err)
	testSession(t, s, "s1", q.ID, t0.Add(2*time.Second))
	s2, _ := testSession(t, s, "s2", q.ID, t0.Add(time.Second))
	testSession(t, s, "s3", q.ID, t0)
	s1, err := s.AcceptSession(ctx, "s1", Participant{ID: "p", Role: protocol.RoleRep, RepID: "r1"}, t0.Add(time.Minute))
	must(t, err)
	_, err = s.EndSession(ctx, "s3", "gone", t0.Add(time.Minute))
	must(t, err)
	got, err := s.UnendedSessions(ctx)
	must(t, err)
	if want := []Session{s2, s1}; !reflect.DeepEqual(got, want) {
		t.Errorf("UnendedSessions = %+v; want %+v", got, want)
	}
}

func TestCancelledContext(t *testing.T) {
	s := openTest(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.CreatePortal(ctx, Portal{ID: "p", Slug: "p", Created: t0}); !errors.Is(err, context.Canceled) {
		t.Errorf("CreatePortal with a cancelled context: got %v; want context.Canceled", err)
	}
	if _, err := s.PortalByID(ctx, "p"); !errors.Is(err, context.Canceled) {
		t.Errorf("PortalByID with a cancelled context: got %v; want context.Canceled", err)
	}
	// The store is still usable, and nothing was written.
	_, err := s.PortalByID(t.Context(), "p")
	wantErr(t, "PortalByID after the cancelled create", err, ErrNotFound)
	must(t, s.CreatePortal(t.Context(), Portal{ID: "p", Slug: "p", Created: t0}))
}
