package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tandemhq/tandem/agent"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/host"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

func TestHostPolicy(t *testing.T) {
	tests := []struct {
		in   protocol.Elevation
		want host.ElevationPolicy
	}{
		{protocol.ElevationUnknown, host.ElevationUnknown},
		{protocol.ElevationNever, host.ElevationNever},
		{protocol.ElevationNoPrompt, host.ElevationIfNoPrompt},
		{protocol.ElevationAlways, host.ElevationAlways},
		{protocol.Elevation(42), host.ElevationUnknown},
	}
	for _, tt := range tests {
		if got := hostPolicy(tt.in); got != tt.want {
			t.Errorf("hostPolicy(%v): got %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestOutcomeOf(t *testing.T) {
	tests := []struct {
		err    error
		want   client.ElevationOutcome
		reason string
	}{
		{errAlready, client.ElevationAlready, ""},
		{fmt.Errorf("elevate (always): pkexec: exit status 126: %w", host.ErrElevationDeclined), client.ElevationDeclined,
			"elevate (always): pkexec: exit status 126: elevation declined by the customer"},
		{fmt.Errorf("elevate: %w", host.ErrElevationUnavailable), client.ElevationFailed, "elevate: no elevation mechanism available"},
		{errors.New("sudo: exit status 1:\n\x1b[31mbad\tthing"), client.ElevationFailed, "sudo: exit status 1:  [31mbad thing"},
	}
	for _, tt := range tests {
		o, r := outcomeOf(tt.err)
		if o != tt.want || r != tt.reason {
			t.Errorf("outcomeOf(%q): got %v, %q; want %v, %q", tt.err, o, r, tt.want, tt.reason)
		}
	}
	long := reasonText(strings.Repeat("é", 1000) + "\xff")
	if n := utf8.RuneCountInString(long); n != client.MaxElevationReason || !utf8.ValidString(long) {
		t.Errorf("reasonText of a long text: got %d characters (valid %v); want %d", n, utf8.ValidString(long), client.MaxElevationReason)
	}
}

// TestWaitGone: the wait for the elevated client ends when it removed the
// hand-off, when the mechanism failed, or when the wait is given up; a
// mechanism that returns once launched (runas) is waited past.
func TestWaitGone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "h")
	mk := func() {
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	mk()
	exited := make(chan error, 1)
	exited <- fmt.Errorf("pkexec: %w", host.ErrElevationDeclined)
	if err := waitGone(t.Context(), path, exited); !errors.Is(err, host.ErrElevationDeclined) {
		t.Errorf("mechanism failed: got %v; want ErrElevationDeclined", err)
	}

	exited = make(chan error, 1)
	exited <- nil // launched, as runas does
	done := make(chan error, 1)
	go func() { done <- waitGone(t.Context(), path, exited) }()
	// waitGone stats the file before it receives from exited; once the
	// channel is drained it is past that and waiting for the removal.
	for len(exited) > 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("removed after launch: got %v; want nil", err)
	}

	mk()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := waitGone(ctx, path, make(chan error)); !errors.Is(err, context.Canceled) {
		t.Errorf("given up: got %v; want context.Canceled", err)
	}
}

// session is a rep and a customer in an accepted session on a real
// server, their peer connection up.
type session struct {
	ctx    context.Context
	cfg    client.Config
	cust   *client.Customer
	cs, rs *client.Session
	repID  string
	peer   *client.Peer // the rep's, to the customer
}

func startSession(t *testing.T) *session {
	t.Helper()
	h := servertest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	t.Cleanup(cancel)
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: testLogger(t)}
	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close() })
	key, err := rep.CreateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cust, err := client.Join(ctx, cfg, key.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cust.Close() })
	cs := cust.Session()
	rs, err := rep.Accept(ctx, cs.ID())
	if err != nil {
		t.Fatal(err)
	}
	s := &session{ctx: ctx, cfg: cfg, cust: cust, cs: cs, rs: rs, repID: rep.Account().ID}
	s.peer = waitNewPeer(t, ctx, rs, cs.Self().ID, nil)
	for cs.Peer(s.repID) == nil || cs.Peer(s.repID).Connected(ctx) != nil {
		if ctx.Err() != nil {
			t.Fatal("the customer's peer did not connect")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s
}

// waitNewPeer waits for a connected peer to id other than old.
func waitNewPeer(t *testing.T, ctx context.Context, s *client.Session, id string, old *client.Peer) *client.Peer {
	t.Helper()
	for {
		if p := s.Peer(id); p != nil && p != old && p.Connected(ctx) == nil {
			return p
		}
		if ctx.Err() != nil {
			t.Fatalf("no new connected peer to %s", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pump hands the session's events to handle until the test ends.
func pump(t *testing.T, s *client.Session, handle func(client.Event)) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case ev := <-s.Events():
				handle(ev)
			case <-done:
				return
			}
		}
	}()
	t.Cleanup(func() { close(done); wg.Wait() })
}

// answers returns the rep's elevation answers as they come.
func answers(t *testing.T, s *client.Session) <-chan client.ElevationChanged {
	ch := make(chan client.ElevationChanged, 16)
	pump(t, s, func(ev client.Event) {
		if e, ok := ev.(client.ElevationChanged); ok {
			ch <- e
		}
	})
	return ch
}

func nextAnswer(t *testing.T, ctx context.Context, ch <-chan client.ElevationChanged) client.ElevationChanged {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-ctx.Done():
		t.Fatal("no elevation answer")
		return client.ElevationChanged{}
	}
}

// TestElevationRequests: the customer client's answers to a rep's request
// through every path short of a relaunch that takes over, against a real
// server.
func TestElevationRequests(t *testing.T) {
	s := startSession(t)
	got := answers(t, s.rs)
	allowed := protocol.DefaultCustomerClientConfig()
	allowed.Policy.Elevation = true
	forbidden := allowed
	forbidden.Policy.Elevation = false

	type launchCall struct {
		policy host.ElevationPolicy
		args   []string
		h      client.Handoff
	}
	tests := []struct {
		name     string
		cfg      protocol.CustomerClientConfig
		elevated bool
		silent   bool
		ask      bool
		launch   error // what the launch returns; errAlready: an Already elevation
		want     []client.ElevationOutcome
		asked    bool
		policy   host.ElevationPolicy // passed to the launch; unknown: no launch
	}{
		{"policy forbids", forbidden, false, true, true, nil, []client.ElevationOutcome{client.ElevationDeclined}, false, 0},
		{"already elevated", allowed, true, true, true, nil, []client.ElevationOutcome{client.ElevationAlready}, false, 0},
		{"customer declines", allowed, false, true, false, nil, []client.ElevationOutcome{client.ElevationDeclined}, true, 0},
		{"system prompt dismissed", allowed, false, false, true, fmt.Errorf("pkexec: %w", host.ErrElevationDeclined),
			[]client.ElevationOutcome{client.ElevationAccepted, client.ElevationDeclined}, true, host.ElevationAlways},
		{"no mechanism", allowed, false, false, true, fmt.Errorf("elevate: %w", host.ErrElevationUnavailable),
			[]client.ElevationOutcome{client.ElevationAccepted, client.ElevationFailed}, true, host.ElevationAlways},
		{"sudo -n works but it was root after all", allowed, false, true, true, errAlready,
			[]client.ElevationOutcome{client.ElevationAccepted, client.ElevationAlready}, true, host.ElevationIfNoPrompt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newElevator(&host.Host{}, testLogger(t), true, []string{"-log-level", "debug"})
			e.dir = t.TempDir()
			e.elevated = func() bool { return tt.elevated }
			e.probe = func(context.Context) error {
				if tt.silent {
					return nil
				}
				return host.ErrElevationWouldPrompt
			}
			var calls []launchCall
			e.launch = func(_ context.Context, p host.ElevationPolicy, args []string) (*host.Elevation, error) {
				c := launchCall{policy: p, args: args}
				if len(args) > 1 {
					h, err := client.ReadHandoff(args[1])
					if err != nil {
						t.Errorf("the hand-off at launch: %v", err)
					}
					c.h = h
				}
				calls = append(calls, c)
				if errors.Is(tt.launch, errAlready) {
					return &host.Elevation{Already: true}, nil
				}
				return nil, tt.launch
			}
			e.exit = func() { t.Error("the process exited") }
			asked := false
			e.setAsk(func(_ context.Context, rep string) bool {
				asked = true
				if rep != "Administrator" {
					t.Errorf("asked for rep %q", rep)
				}
				return tt.ask
			})
			handle := e.attach(s.cs, tt.cfg)
			handle(client.ElevationRequested{Participant: protocol.Participant{ID: s.repID, Role: protocol.RoleRep, Name: "Administrator"}})
			for _, want := range tt.want {
				if a := nextAnswer(t, s.ctx, got); a.Outcome != want {
					t.Errorf("answer: got %v (%s); want %v", a.Outcome, a.Reason, want)
				}
			}
			e.close()
			if asked != tt.asked {
				t.Errorf("asked the customer: got %v; want %v", asked, tt.asked)
			}
			if tt.policy == host.ElevationUnknown {
				if len(calls) != 0 {
					t.Errorf("launches: got %+v; want none", calls)
				}
				return
			}
			if len(calls) != 1 {
				t.Fatalf("launches: got %d; want 1", len(calls))
			}
			c := calls[0]
			if c.policy != tt.policy || len(c.args) != 4 || c.args[0] != "-resume" || !slices.Equal(c.args[2:], []string{"-log-level", "debug"}) {
				t.Errorf("launch: got %v %q; want %v -resume FILE -log-level debug", c.policy, c.args, tt.policy)
			}
			if want, _ := s.cs.Handoff(); c.h != want {
				t.Errorf("hand-off: got %+v; want %+v", c.h, want)
			}
			if _, err := os.Stat(c.args[1]); !os.IsNotExist(err) {
				t.Errorf("the hand-off file %s is left after a failed relaunch (%v)", c.args[1], err)
			}
		})
	}
}

// TestAutomaticElevation: at start the portal's policy decides; a
// relaunched process does not elevate again.
func TestAutomaticElevation(t *testing.T) {
	s := startSession(t)
	tests := []struct {
		name    string
		policy  protocol.Elevation
		silent  bool
		resumed bool
		want    host.ElevationPolicy // passed to the launch; unknown: none
	}{
		{"never", protocol.ElevationNever, true, false, host.ElevationUnknown},
		{"if no prompt, sudo -n true works", protocol.ElevationNoPrompt, true, false, host.ElevationIfNoPrompt},
		{"if no prompt, would prompt", protocol.ElevationNoPrompt, false, false, host.ElevationUnknown},
		{"always, would prompt", protocol.ElevationAlways, false, false, host.ElevationAlways},
		{"always, relaunched already", protocol.ElevationAlways, false, true, host.ElevationUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newElevator(&host.Host{}, testLogger(t), tt.resumed, nil)
			e.dir = t.TempDir()
			e.elevated = func() bool { return false }
			e.probe = func(context.Context) error {
				if tt.silent {
					return nil
				}
				return host.ErrElevationWouldPrompt
			}
			var got []host.ElevationPolicy
			var mu sync.Mutex
			e.launch = func(_ context.Context, p host.ElevationPolicy, _ []string) (*host.Elevation, error) {
				mu.Lock()
				got = append(got, p)
				mu.Unlock()
				return nil, host.ErrElevationDeclined
			}
			cfg := protocol.DefaultCustomerClientConfig()
			cfg.Misc.Elevation = tt.policy
			e.attach(s.cs, cfg)
			e.close() // waits for the automatic elevation
			var want []host.ElevationPolicy
			if tt.want != host.ElevationUnknown {
				want = []host.ElevationPolicy{tt.want}
			}
			if !slices.Equal(got, want) {
				t.Errorf("launches: got %v; want %v", got, want)
			}
		})
	}
}

// resumedEnv names the hand-off file TestResumedProcess takes over from.
const resumedEnv = "TANDEM_TEST_CUSTOMER_RESUME"

// TestElevatedRelaunchKeepsTheSession runs the whole relaunch across two
// processes: the rep asks, the customer accepts, the client writes the
// hand-off and launches a second process (this test binary, standing in
// for the elevated client: the tests run as root, so Host.Elevate would
// not relaunch), which resumes with -resume's code and removes the file;
// the first lets go and "exits" (closes its client) without ending the
// session; the rep's peer connects to the second process, which outlives
// its broken stderr and answers the rep's next request itself (it runs as
// root: "already").
func TestElevatedRelaunchKeepsTheSession(t *testing.T) {
	s := startSession(t)
	got := answers(t, s.rs)
	cfg := protocol.DefaultCustomerClientConfig()
	cfg.Policy.Elevation = true
	cfg.Misc.Elevation = protocol.ElevationNever // only the rep's request

	var child *exec.Cmd
	var stdin io.WriteCloser
	var stderrRead *os.File
	childDone := make(chan error, 1)
	e := newElevator(&host.Host{}, testLogger(t), false, nil)
	e.elevated = func() bool { return false }
	e.probe = func(context.Context) error { return nil }
	e.launch = func(_ context.Context, _ host.ElevationPolicy, args []string) (*host.Elevation, error) {
		child = exec.Command(os.Args[0], "-test.run=^TestResumedProcess$", "-test.count=1")
		child.Env = append(os.Environ(), resumedEnv+"="+args[1])
		w := &testWriter{t: t}
		// Its stderr is a pipe this "process" reads, as with pkexec and
		// sudo; it breaks when this one has exited (below).
		r, pw, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		child.Stdout, child.Stderr = w, pw
		go func() { _, _ = io.Copy(w, r) }()
		stderrRead = r
		defer pw.Close()
		if stdin, err = child.StdinPipe(); err != nil {
			return nil, err
		}
		if err := child.Start(); err != nil {
			return nil, err
		}
		go func() { childDone <- child.Wait() }()
		return &host.Elevation{Method: "exec"}, nil
	}
	released, exited := make(chan struct{}), make(chan struct{})
	hold := e.wrapHold(func(*client.Session, protocol.CustomerClientConfig) (func(client.Event), <-chan agent.Status, func()) {
		return func(client.Event) {}, nil, func() {
			select {
			case <-released:
			default:
				close(released)
			}
		}
	})
	e.exit = func() {
		s.cust.Close() // as the process ending would
		close(exited)
	}
	e.setAsk(func(context.Context, string) bool { return true })
	handle, _, release := hold(s.cs, cfg)
	pump(t, s.cs, handle)

	if err := s.peer.RequestElevation(); err != nil {
		t.Fatal(err)
	}
	if a := nextAnswer(t, s.ctx, got); a.Outcome != client.ElevationAccepted {
		t.Fatalf("answer: got %v (%s); want accepted", a.Outcome, a.Reason)
	}
	select {
	case <-exited:
	case err := <-childDone:
		t.Fatalf("the relaunched process ended before it took over: %v", err)
	case <-s.ctx.Done():
		t.Fatal("the first process did not hand over")
	}
	defer func() {
		stdin.Close()
		if err := <-childDone; err != nil {
			t.Errorf("the relaunched process: %v", err)
		}
	}()
	select {
	case <-released:
	default:
		t.Error("the hold on the computer was not released before the exit")
	}
	// The launcher is gone: the relaunched client's stderr is broken, and
	// it must outlive its next log line.
	stderrRead.Close()
	select {
	case <-s.cs.Ended():
		t.Fatal("the hand-over ended the session")
	default:
	}

	peer := waitNewPeer(t, s.ctx, s.rs, s.cs.Self().ID, s.peer)
	if err := peer.RequestElevation(); err != nil {
		t.Fatal(err)
	}
	if a := nextAnswer(t, s.ctx, got); a.Outcome != client.ElevationAlready {
		t.Errorf("the relaunched process's answer: got %v (%s); want already", a.Outcome, a.Reason)
	}
	if st := s.rs.Info().State; st != protocol.StateActive {
		t.Errorf("session state: got %v; want active", st)
	}
	release()
}

// TestResumedProcess is the relaunched client of
// TestElevatedRelaunchKeepsTheSession; run by itself it has nothing to do.
// It takes the session over as -resume does (logging to a stderr that
// breaks when its launcher exits), answers the reps' elevation
// requests with the real elevator, and ends when its standard input
// closes.
func TestResumedProcess(t *testing.T) {
	path := os.Getenv(resumedEnv)
	if path == "" {
		return // not started by TestElevatedRelaunchKeepsTheSession
	}
	ctx, cancel := context.WithTimeout(t.Context(), 80*time.Second)
	defer cancel()
	surviveLostStderr()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("process", "resumed")
	c, err := resumeCustomer(ctx, path, client.Config{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the hand-off is still there after resuming (%v)", err)
	}
	e := newElevator(&host.Host{}, log, true, nil)
	defer e.close()
	cfg := protocol.DefaultCustomerClientConfig()
	cfg.Policy.Elevation = true
	handle := e.attach(c.Session(), cfg)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	for {
		select {
		case ev := <-c.Session().Events():
			handle(ev)
		case <-ctx.Done():
			return
		}
	}
}

// testLogger logs to the test until it ends.
func testLogger(t *testing.T) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() { w.mu.Lock(); w.done = true; w.mu.Unlock() })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct {
	t    *testing.T
	mu   sync.Mutex
	done bool
}

func (w *testWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(b), "\n"))
	}
	return len(b), nil
}
