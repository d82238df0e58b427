package server_test

import (
	"context"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	netmail "net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tmail "github.com/tandemhq/tandem/server/mail"
	"github.com/tandemhq/tandem/server/portal"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
	"github.com/tandemhq/tandem/server/store"
)

// teamOfTwo starts a server with two reps who serve one team queue and
// signs both in.
func teamOfTwo(t *testing.T) (*servertest.Harness, string, [2]*client.Rep) {
	t.Helper()
	h := servertest.Start(t)
	ctx := t.Context()
	st := h.Server.Store()
	q := store.Queue{ID: "team-q", Kind: store.QueueTeam, Name: "Level 1"}
	if err := st.CreateQueue(ctx, q); err != nil {
		t.Fatal(err)
	}
	var reps [2]*client.Rep
	for i := range reps {
		user := fmt.Sprintf("rep%d", i+1)
		h.AddRep(t, user, "a long enough password 1")
		acct, err := st.RepByUsername(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.AddQueueMember(ctx, q.ID, acct.ID); err != nil {
			t.Fatal(err)
		}
		r, err := client.SignIn(ctx, client.Config{Server: h.URL, Fingerprint: h.Fingerprint}, user, "a long enough password 1")
		if err != nil {
			t.Fatalf("sign in %s: %v", user, err)
		}
		t.Cleanup(func() { r.Close() })
		reps[i] = r
	}
	return h, q.ID, reps
}

// seed stores a waiting session in a queue, created at the given time.
func seed(t *testing.T, h *servertest.Harness, queueID, id, name string, created time.Time) {
	t.Helper()
	s := store.Session{ID: id, State: protocol.StateWaiting, QueueID: queueID, CustomerName: name, Created: created}
	c := store.Participant{SessionID: id, ID: "cust-" + id, Role: protocol.RoleCustomer, Name: name, Joined: created}
	if err := h.Server.Store().CreateSession(t.Context(), s, c); err != nil {
		t.Fatal(err)
	}
}

// getNextTogether has both reps press Get Next at the same moment and
// returns what each got: a session ID or the error code.
func getNextTogether(t *testing.T, reps [2]*client.Rep) [2]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var got [2]string
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, r := range reps {
		wg.Go(func() {
			<-start
			s, err := r.GetNext(ctx)
			switch {
			case err == nil:
				got[i] = s.ID()
			case client.IsCode(err, protocol.CodeQueueEmpty):
				got[i] = string(protocol.CodeQueueEmpty)
			default:
				got[i] = "error: " + err.Error()
			}
		})
	}
	close(start)
	wg.Wait()
	return got
}

func TestGetNextTwoRepsAtOnce(t *testing.T) {
	h, q, reps := teamOfTwo(t)
	base := time.Now().Add(-time.Hour)

	// Two waiting: each rep gets one, never the same.
	seed(t, h, q, "older", "Ada", base)
	seed(t, h, q, "newer", "Bo", base.Add(time.Minute))
	got := getNextTogether(t, reps)
	if !(got[0] == "older" && got[1] == "newer" || got[0] == "newer" && got[1] == "older") {
		t.Fatalf("two waiting: got %q; want older and newer, one each", got)
	}

	// One waiting, several rounds: one rep gets it, the other hears that
	// the queue is empty.
	for round := range 5 {
		id := fmt.Sprintf("single-%d", round)
		seed(t, h, q, id, "Cy", base.Add(time.Duration(round+2)*time.Minute))
		got := getNextTogether(t, reps)
		empty := string(protocol.CodeQueueEmpty)
		if !(got[0] == id && got[1] == empty || got[0] == empty && got[1] == id) {
			t.Fatalf("round %d, one waiting: got %q; want %s and %s", round, got, id, empty)
		}
	}
	for id, want := range map[string]int{"older": 2, "newer": 2} {
		ps, err := h.Server.Store().Participants(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != want {
			t.Errorf("session %s has %d participants; want %d (customer and one rep)", id, len(ps), want)
		}
	}
}

func TestGetNextTakesTheOldest(t *testing.T) {
	h, q, reps := teamOfTwo(t)
	base := time.Now().Add(-time.Hour)
	// Stored out of order: the oldest is stored last.
	seed(t, h, q, "third", "C", base.Add(2*time.Minute))
	seed(t, h, q, "second", "B", base.Add(time.Minute))
	seed(t, h, q, "first", "A", base)
	ctx := t.Context()
	for _, want := range []string{"first", "second", "third"} {
		s, err := reps[0].GetNext(ctx)
		if err != nil {
			t.Fatalf("Get Next for %s: %v", want, err)
		}
		if s.ID() != want {
			t.Errorf("Get Next: got %s; want %s", s.ID(), want)
		}
		if s.Info().State != protocol.StateActive {
			t.Errorf("session %s is %v; want active", s.ID(), s.Info().State)
		}
	}
	_, err := reps[0].GetNext(ctx)
	if !client.IsCode(err, protocol.CodeQueueEmpty) {
		t.Errorf("Get Next on an empty queue: got %v; want %s", err, protocol.CodeQueueEmpty)
	}
}

func TestOnlyAvailableRepsAreAlerted(t *testing.T) {
	h := servertest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	rep, err := client.SignIn(ctx, client.Config{Server: h.URL, Fingerprint: h.Fingerprint}, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	join := func(name string) *client.Customer {
		t.Helper()
		k, err := rep.CreateKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c, err := client.Join(ctx, client.Config{Server: h.URL, Fingerprint: h.Fingerprint}, k.Code, name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// waitQueue waits for the queue update that lists n sessions and
	// returns the alerts seen on the way.
	waitQueue := func(n int) []string {
		t.Helper()
		var alerts []string
		for {
			select {
			case ev := <-rep.Events():
				switch e := ev.(type) {
				case client.SessionWaiting:
					alerts = append(alerts, e.Session.CustomerName)
				case client.QueueChanged:
					if len(e.Queue.Waiting) == n {
						return alerts
					}
				}
			case <-ctx.Done():
				t.Fatalf("no queue with %d sessions", n)
			}
		}
	}
	waitQueue(0)

	if err := rep.SetStatus(ctx, protocol.RepStatusBusy); err != nil {
		t.Fatal(err)
	}
	// A round trip over the same connection: the server has the status
	// before the customer below joins.
	if _, err := rep.GetNext(ctx); !client.IsCode(err, protocol.CodeQueueEmpty) {
		t.Fatalf("Get Next: %v", err)
	}
	join("Busy Time")
	alerts := waitQueue(1)
	if err := rep.SetStatus(ctx, protocol.RepStatusAvailable); err != nil {
		t.Fatal(err)
	}
	if _, err := rep.GetNext(ctx); err != nil {
		t.Fatalf("Get Next: %v", err)
	}
	waitQueue(0)
	join("Free Time")
	alerts = append(alerts, waitQueue(1)...)
	// The alert follows its queue update.
	for {
		ev := <-rep.Events()
		if e, ok := ev.(client.SessionWaiting); ok {
			alerts = append(alerts, e.Session.CustomerName)
			break
		}
	}
	if strings.Join(alerts, ",") != "Free Time" {
		t.Errorf("alerts %q; want only the one that came while available", alerts)
	}
}

func TestQueuesNamesTheRepsQueues(t *testing.T) {
	h, _, reps := teamOfTwo(t)
	got, err := reps[0].Queues(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Queues) != 2 || got.Queues[0].Kind != protocol.QueueKindPersonal || got.Queues[1].Name != "Level 1" || got.Queues[1].Kind != protocol.QueueKindTeam {
		t.Errorf("queues %+v; want the personal queue, then Level 1", got.Queues)
	}
	a := newAPI(t, h)
	if r := a.do(t, http.MethodGet, protocol.PathQueues, "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("without a token: status %d; want 401", r.status)
	}
}

func TestInviteWithoutMailServer(t *testing.T) {
	_, _, reps := teamOfTwo(t)
	_, err := reps[0].Invite(t.Context(), "ada@example.com", "")
	if !client.IsCode(err, protocol.CodeNoMail) || !strings.Contains(err.Error(), "no outgoing mail server") {
		t.Errorf("invite without SMTP: got %v; want %s saying so", err, protocol.CodeNoMail)
	}
	if _, err := reps[0].Invite(t.Context(), "not an address", ""); err == nil {
		t.Error("invite to a bad address: no error")
	}
	canned, err := reps[0].Canned(t.Context())
	if err != nil || canned == nil {
		t.Errorf("canned: got %v, %v; want a list (empty without the API)", canned, err)
	}
}

func TestHoldLeavesTheSessionToTheOthers(t *testing.T) {
	h, q, reps := teamOfTwo(t)
	ctx := t.Context()
	st := h.Server.Store()
	seed(t, h, q, "held", "Ada", time.Now())
	s, err := reps[0].GetNext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := reps[0].Leave(ctx, s.ID()); !client.IsCode(err, protocol.CodeConflict) {
		t.Fatalf("leaving the customer alone: got %v; want a conflict", err)
	}
	other, err := st.RepByUsername(ctx, "rep2")
	if err != nil {
		t.Fatal(err)
	}
	// Until transfer exists, the second rep joins through the store.
	if err := st.AddParticipant(ctx, store.Participant{SessionID: s.ID(), ID: other.ID, Role: protocol.RoleRep, Name: "rep2", RepID: other.ID, Joined: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := reps[0].Leave(ctx, s.ID()); err != nil {
		t.Fatalf("hold with another rep present: %v", err)
	}
	select {
	case <-s.Ended():
	default:
		t.Error("the session did not end for the rep who left")
	}
	sess, err := st.Session(ctx, s.ID())
	if err != nil {
		t.Fatal(err)
	}
	if sess.State != protocol.StateActive {
		t.Errorf("session is %v after a hold; want active", sess.State)
	}
	ps, err := st.Participants(ctx, s.ID())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if gone := !p.Left.IsZero(); gone != (p.ID == s.Self().ID) {
			t.Errorf("participant %s (%v) left=%v", p.Name, p.Role, gone)
		}
	}
}

// startInviteSMTP runs the mail package's test SMTP server (Debian
// python3-aiosmtpd) without TLS and returns its port and the directory it
// writes each message to.
func startInviteSMTP(t *testing.T) (int, string) {
	t.Helper()
	out := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command("/usr/bin/python3", "mail/testdata/smtpd.py", strconv.Itoa(port), out, "-", "-")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start aiosmtpd (apt-get install python3-aiosmtpd): %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	buf := make([]byte, 6)
	if _, err := io.ReadFull(stdout, buf); err != nil || string(buf) != "READY\n" {
		t.Fatalf("aiosmtpd did not start: %q %v", buf, err)
	}
	return port, out
}

func TestInviteSendsTheEmail(t *testing.T) {
	h, _, reps := teamOfTwo(t)
	port, out := startInviteSMTP(t)
	err := h.Server.Store().SaveSiteSettings(t.Context(), portal.SiteSettings{SMTP: portal.SMTP{
		Host: "127.0.0.1", Port: port, From: "support@example.com", StartTLS: tmail.StartTLSOff,
	}})
	if err != nil {
		t.Fatal(err)
	}
	key, err := reps[0].Invite(t.Context(), "ada@example.com", "de")
	if err != nil {
		t.Fatalf("invite: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("got %d messages; want 1", len(files))
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := netmail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Header.Get("To"); !strings.Contains(got, "ada@example.com") {
		t.Errorf("To: %q", got)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if subject != "rep1 lädt Sie zu einer Support-Sitzung ein" {
		t.Errorf("subject %q; want the German default with the rep's name", subject)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{key.URL, protocol.FormatCode(key.Code), h.URL + "/"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

func TestSummaryAndTerminationOverride(t *testing.T) {
	h, q, reps := teamOfTwo(t)
	ctx := t.Context()
	st := h.Server.Store()
	s := store.Session{ID: "sum", State: protocol.StateWaiting, QueueID: q, CustomerName: "Ada", KeyCode: "123456789", Created: time.Now()}
	if err := st.CreateSession(ctx, s, store.Participant{SessionID: s.ID, ID: "cust", Role: protocol.RoleCustomer, Name: "Ada", Joined: s.Created}); err != nil {
		t.Fatal(err)
	}
	if _, err := reps[0].GetNext(ctx); err != nil {
		t.Fatal(err)
	}
	sum, err := reps[0].Summary(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Key != "123456789" || sum.PortalName != "Default" || sum.Accepted.IsZero() || len(sum.Session.Participants) != 2 ||
		sum.Termination != protocol.TerminationNothing || sum.TerminationOverride {
		t.Errorf("summary %+v; want the key, the default portal, accepted, two attendees, nothing at the end, no override", sum)
	}
	if _, err := reps[1].Summary(ctx, s.ID); !client.IsCode(err, protocol.CodeForbidden) {
		t.Errorf("summary for a rep outside the session: got %v; want forbidden", err)
	}
	if err := reps[0].SetTermination(ctx, s.ID, protocol.TerminationLock); !client.IsCode(err, protocol.CodeForbidden) {
		t.Fatalf("override against the policy: got %v; want forbidden", err)
	}
	cfg := protocol.DefaultCustomerClientConfig()
	cfg.Connection.RepOverride = true
	if err := st.SaveSessionConfig(ctx, s.ID, cfg); err != nil {
		t.Fatal(err)
	}
	if err := reps[0].SetTermination(ctx, s.ID, protocol.TerminationLock); err != nil {
		t.Fatalf("override the policy allows: %v", err)
	}
	if sum, err = reps[0].Summary(ctx, s.ID); err != nil || sum.Termination != protocol.TerminationLock || !sum.TerminationOverride {
		t.Errorf("after the override: %+v, %v; want lock, override allowed", sum, err)
	}
}

// BenchmarkGetNext measures Get Next on a queue of waiting sessions: the
// oldest found across the rep's queues, taken atomically in SQLite, the
// rep told which, the state broadcast and the queue sent again.
func BenchmarkGetNext(b *testing.B) {
	h := servertest.Start(b, servertest.WithLogger(discard))
	a := newAPI(b, h)
	lr := a.login(b, h.AdminUser, h.AdminPassword)
	rep, _ := mustDial(b, a, lr.Token)
	st := h.Server.Store()
	q, err := st.PersonalQueue(b.Context(), lr.Rep.ID)
	if err != nil {
		b.Fatal(err)
	}
	base := time.Now().Add(-time.Hour)
	for i := 0; b.Loop(); i++ {
		if i%100 == 0 {
			b.StopTimer()
			for j := range 100 {
				id := fmt.Sprintf("s%d", i+j)
				s := store.Session{ID: id, State: protocol.StateWaiting, QueueID: q.ID, CustomerName: "C", Created: base.Add(time.Duration(i+j) * time.Millisecond)}
				if err := st.CreateSession(b.Context(), s, store.Participant{SessionID: id, ID: "c" + id, Role: protocol.RoleCustomer, Name: "C", Joined: s.Created}); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
		}
		rep.send(protocol.TypeSessionNext, uint64(i+1), "", nil)
		if env := rep.expect(protocol.TypeSessionAssigned, nil); env.Session != fmt.Sprintf("s%d", i) {
			b.Fatalf("Get Next %d took %s; want s%d", i, env.Session, i)
		}
		rep.expect(protocol.TypeQueue, nil)
	}
}

func TestCannedMessagesOfTheRepsTeams(t *testing.T) {
	h, _, reps := teamOfTwo(t)
	ctx := t.Context()
	st := h.Server.Store()
	rep1, err := st.RepByUsername(ctx, "rep1")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := st.CreateTeam(ctx, portal.Team{ID: "t1", Name: "Level 1", Created: now, RepIDs: []string{rep1.ID}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []portal.Canned{
		{ID: "c1", TeamID: "t1", Title: "Greeting", Text: "Hello, how can I help?", Created: now},
		{ID: "c2", TeamID: "t1", Title: "Closing", Text: "Anything else?", Created: now},
	} {
		if err := st.CreateCanned(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := reps[0].Canned(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Title != "Closing" || got[1].Text != "Hello, how can I help?" || got[0].Team != "Level 1" {
		t.Errorf("rep1's canned messages %+v; want Closing, Greeting of Level 1", got)
	}
	if other, err := reps[1].Canned(ctx); err != nil || len(other) != 0 {
		t.Errorf("rep2 (no team): %+v, %v; want none", other, err)
	}
}

func TestStatusSurvivesAServerRestart(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	h := servertest.Start(t, servertest.WithAddr(addr))
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint}
	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	if err := rep.SetStatus(ctx, protocol.RepStatusAway); err != nil {
		t.Fatal(err)
	}
	h.Restart(t) // the server forgets every status
	for dropped := false; ; {
		select {
		case ev := <-rep.Events():
			if e, ok := ev.(client.ConnectionChanged); ok {
				if !e.Connected {
					dropped = true
				} else if dropped {
					goto reconnected
				}
			}
		case <-ctx.Done():
			t.Fatal("the console never reconnected")
		}
	}
reconnected:
	// A round trip on the new connection: the status sent again is in.
	if _, err := rep.GetNext(ctx); !client.IsCode(err, protocol.CodeQueueEmpty) {
		t.Fatalf("Get Next: %v", err)
	}
	k, err := rep.CreateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cust, err := client.Join(ctx, cfg, k.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	defer cust.Close()
	// Ada arrives (the queue lists her), then the rep takes her (the queue
	// is empty again): an alert for her would have come in between.
	taken := false
	for {
		select {
		case ev := <-rep.Events():
			switch e := ev.(type) {
			case client.SessionWaiting:
				t.Fatalf("an away rep was alerted to %s after the restart", e.Session.CustomerName)
			case client.QueueChanged:
				switch {
				case len(e.Queue.Waiting) == 1 && !taken:
					if _, err := rep.GetNext(ctx); err != nil {
						t.Fatal(err)
					}
					taken = true
				case len(e.Queue.Waiting) == 0 && taken:
					return
				}
			}
		case <-ctx.Done():
			t.Fatal("Ada never came and went")
		}
	}
}

func TestARestartedConsoleGetsItsSessionsBack(t *testing.T) {
	h, q, reps := teamOfTwo(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	seed(t, h, q, "kept", "Ada", time.Now())
	s, err := reps[0].GetNext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The console crashes and starts again: a new sign-in of the same rep.
	again, err := client.SignIn(ctx, client.Config{Server: h.URL, Fingerprint: h.Fingerprint}, "rep1", "a long enough password 1")
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	var resumed *client.Session
	for resumed == nil {
		select {
		case ev := <-again.Events():
			if e, ok := ev.(client.SessionResumed); ok {
				resumed = e.Session
			}
		case <-ctx.Done():
			t.Fatal("the restarted console never got its session back")
		}
	}
	if resumed.ID() != s.ID() || resumed.Info().CustomerName != "Ada" {
		t.Errorf("resumed %s (%s); want %s (Ada)", resumed.ID(), resumed.Info().CustomerName, s.ID())
	}
	if err := resumed.SendChat(ctx, "Sorry, my console restarted."); err != nil {
		t.Errorf("chat in the resumed session: %v", err)
	}
}
