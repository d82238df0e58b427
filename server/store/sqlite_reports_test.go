package store

import (
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
)

func TestSetRecording(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	q, err := s.PersonalQueue(ctx, "r1")
	must(t, err)
	testSession(t, s, "s1", q.ID, t0)
	testSession(t, s, "s2", q.ID, t0)
	cfg := protocol.DefaultCustomerClientConfig()
	cfg.Logging = protocol.Logging{RecordScreen: true, RecordShell: true, SystemInfo: true}
	cfg.Functions.RecordCustomerScreen, cfg.Functions.RecordRepScreen = true, true
	must(t, s.SaveSessionConfig(ctx, "s1", cfg))
	must(t, s.SaveSessionConfig(ctx, "s2", cfg))

	if c, err := s.Recording(ctx, "s1"); err != nil || c != protocol.RecordingConsentUnknown {
		t.Errorf("Recording before an answer = %v, %v; want unknown", c, err)
	}
	must(t, s.SetRecording(ctx, "s1", true, t0))
	if got, _ := s.SessionConfig(ctx, "s1"); got.Logging != cfg.Logging {
		t.Errorf("logging after an allowance = %+v; want unchanged %+v", got.Logging, cfg.Logging)
	}
	must(t, s.SetRecording(ctx, "s1", false, t0.Add(time.Second)))
	must(t, s.SetRecording(ctx, "s1", false, t0.Add(2*time.Second)))
	wantErr(t, "allow after a refusal", s.SetRecording(ctx, "s1", true, t0), ErrConflict)
	wantErr(t, "no such session", s.SetRecording(ctx, "nope", false, t0), ErrNotFound)
	if c, err := s.Recording(ctx, "s1"); err != nil || c != protocol.RecordingRefused {
		t.Errorf("Recording = %v, %v; want refused", c, err)
	}
	got, err := s.SessionConfig(ctx, "s1")
	must(t, err)
	if got.Logging != (protocol.Logging{}) || got.Functions.RecordCustomerScreen || got.Functions.RecordRepScreen {
		t.Errorf("config after the refusal: logging %+v, functions %+v; want nothing recorded", got.Logging, got.Functions)
	}
	if other, _ := s.SessionConfig(ctx, "s2"); other.Logging != cfg.Logging {
		t.Errorf("the other session's logging = %+v; want unchanged", other.Logging)
	}
}

func TestRatings(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	testRep(t, s, "r2", "bob", protocol.RoleRep)
	q, err := s.PersonalQueue(ctx, "r1")
	must(t, err)
	testSession(t, s, "s1", q.ID, t0)

	cust := Rating{SessionID: "s1", Role: protocol.RoleCustomer, Score: 5, Comment: "thanks", At: t0}
	rep1 := Rating{SessionID: "s1", Role: protocol.RoleRep, RepID: "r1", Score: 4, At: t0.Add(time.Second)}
	rep2 := Rating{SessionID: "s1", Role: protocol.RoleRep, RepID: "r2", Score: 2, At: t0.Add(2 * time.Second)}
	for _, r := range []Rating{cust, rep1, rep2} {
		must(t, s.SaveRating(ctx, r))
	}
	wantErr(t, "customer twice", s.SaveRating(ctx, Rating{SessionID: "s1", Role: protocol.RoleCustomer, At: t0}), ErrConflict)
	wantErr(t, "rep twice", s.SaveRating(ctx, Rating{SessionID: "s1", Role: protocol.RoleRep, RepID: "r1", Score: 1, At: t0}), ErrConflict)
	wantErr(t, "no such session", s.SaveRating(ctx, Rating{SessionID: "nope", Role: protocol.RoleCustomer, Score: 1, At: t0}), ErrNotFound)
	for name, bad := range map[string]Rating{
		"score 6":        {SessionID: "s1", Role: protocol.RoleRep, RepID: "r2", Score: 6, At: t0},
		"rep without ID": {SessionID: "s1", Role: protocol.RoleRep, Score: 3, At: t0},
		"zero time":      {SessionID: "s1", Role: protocol.RoleRep, RepID: "r3", Score: 3},
	} {
		if err := s.SaveRating(ctx, bad); err == nil {
			t.Errorf("SaveRating(%s) succeeded; want an error", name)
		}
	}
	got, err := s.Ratings(ctx, "s1")
	must(t, err)
	want := []Rating{cust, rep1, rep2}
	if len(got) != len(want) {
		t.Fatalf("Ratings = %+v; want %+v", got, want)
	}
	for i := range want {
		want[i].At = utc(want[i].At)
		if got[i] != want[i] {
			t.Errorf("Ratings[%d] = %+v; want %+v", i, got[i], want[i])
		}
	}
}

func TestKeepSurveyTokens(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	q, err := s.PersonalQueue(ctx, "r1")
	must(t, err)
	_, cust := testSession(t, s, "s1", q.ID, t0)
	must(t, s.SaveToken(ctx, Token{Hash: "h-cust", Kind: TokenCustomer, SessionID: "s1", ParticipantID: cust.ID, Created: t0, Expires: t0.Add(12 * time.Hour)}))
	must(t, s.SaveToken(ctx, Token{Hash: "h-rep", Kind: TokenRep, RepID: "r1", Created: t0, Expires: t0.Add(12 * time.Hour)}))

	must(t, s.KeepSurveyTokens(ctx, "s1", t0.Add(time.Hour)))
	tok, err := s.TokenByHash(ctx, "h-cust", t0.Add(59*time.Minute))
	if err != nil || tok.Kind != TokenSurvey || tok.SessionID != "s1" || tok.ParticipantID != cust.ID {
		t.Errorf("customer token after the end = %+v, %v; want a survey token of s1", tok, err)
	}
	_, err = s.TokenByHash(ctx, "h-cust", t0.Add(time.Hour))
	wantErr(t, "survey token at its expiry", err, ErrNotFound)
	if _, err := s.TokenByHash(ctx, "h-rep", t0); err != nil {
		t.Errorf("the rep's own token: %v; want kept", err)
	}
	var k TokenKind
	if err := k.UnmarshalText([]byte("survey")); err != nil || k != TokenSurvey || TokenSurvey.String() != "survey" {
		t.Errorf("TokenSurvey round trip = %v, %v", k, err)
	}
}
