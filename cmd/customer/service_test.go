package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/agent"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/host"
	"github.com/tandemhq/tandem/internal/systemdtest"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

// serviceAnswers returns the rep's answers to service requests as they
// come.
func serviceAnswers(t *testing.T, s *client.Session) <-chan client.ServiceChanged {
	ch := make(chan client.ServiceChanged, 16)
	pump(t, s, func(ev client.Event) {
		if e, ok := ev.(client.ServiceChanged); ok {
			ch <- e
		}
	})
	return ch
}

func nextServiceAnswer(t *testing.T, ctx context.Context, ch <-chan client.ServiceChanged) client.ServiceChanged {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-ctx.Done():
		t.Fatal("no answer to the service request")
		return client.ServiceChanged{}
	}
}

// noSystemd is a service manager whose systemd does not run: a user
// instance in an empty runtime directory. (This machine's own system
// manager is absent too, but not on every machine the tests run on.)
func noSystemd(t *testing.T) *host.ServiceManager {
	return &host.ServiceManager{User: true, Env: []string{"XDG_RUNTIME_DIR=" + t.TempDir()}}
}

// unitsLeft lists the manager's units named for this client, loaded or
// not, and the unit files left.
func unitsLeft(t *testing.T, sd *systemdtest.Manager) string {
	t.Helper()
	out := sd.Systemctl(t, "list-units", "--all", "--plain", "--no-legend", host.ServiceNamePrefix+"*")
	files, _ := filepath.Glob(filepath.Join(sd.UnitDir(), host.ServiceNamePrefix+"*"))
	if len(files) > 0 {
		out += strings.Join(files, " ")
	}
	return out
}

// TestServiceRequests: the customer client's answers to a rep's request
// to run as a service, through every path short of a service that takes
// over, against a real server and a real (private) systemd.
func TestServiceRequests(t *testing.T) {
	s := startSession(t)
	got := serviceAnswers(t, s.rs)
	sd := systemdtest.Start(t)
	allowed := protocol.DefaultCustomerClientConfig()
	allowed.Functions.RunAsService = true
	forbidden := protocol.DefaultCustomerClientConfig()

	tests := []struct {
		name    string
		cfg     protocol.CustomerClientConfig
		mgr     *host.ServiceManager
		service string // the service this process runs as
		ask     bool
		badExe  bool // the command cannot be installed
		want    []client.ServiceOutcome
		asked   bool
	}{
		{"portal forbids", forbidden, &host.ServiceManager{User: true, Env: sd.Env}, "", true, false,
			[]client.ServiceOutcome{client.ServiceDeclined}, false},
		{"already a service", allowed, &host.ServiceManager{User: true, Env: sd.Env}, host.ServiceName(s.cs.ID()), true, false,
			[]client.ServiceOutcome{client.ServiceAlready}, false},
		{"no systemd", allowed, noSystemd(t), "", true, false,
			[]client.ServiceOutcome{client.ServiceUnsupported}, false},
		{"customer declines", allowed, &host.ServiceManager{User: true, Env: sd.Env}, "", false, false,
			[]client.ServiceOutcome{client.ServiceDeclined}, true},
		{"install fails", allowed, &host.ServiceManager{User: true, Env: sd.Env}, "", true, true,
			[]client.ServiceOutcome{client.ServiceAccepted, client.ServiceFailed}, true},
		// /bin/true starts and ends without taking the session over.
		{"the service ends before it takes over", allowed, &host.ServiceManager{User: true, Env: sd.Env}, "", true, false,
			[]client.ServiceOutcome{client.ServiceAccepted, client.ServiceFailed}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sv := newServicer(tt.mgr, testLogger(t), tt.service, "", nil)
			sv.dir = t.TempDir()
			sv.exit = func() { t.Error("the process exited") }
			var handoff string
			sv.command = func(args []string) (serviceCommand, error) {
				handoff = args[1]
				if tt.badExe {
					return serviceCommand{exe: "relative/tandem-customer", args: args}, nil
				}
				return serviceCommand{exe: "/bin/true", args: args}, nil
			}
			asked := false
			sv.setAsk(func(_ context.Context, rep string) bool {
				asked = true
				if rep != "Administrator" {
					t.Errorf("asked for rep %q", rep)
				}
				return tt.ask
			})
			handle := sv.attach(s.cs, tt.cfg)
			handle(client.ServiceRequested{Participant: protocol.Participant{ID: s.repID, Role: protocol.RoleRep, Name: "Administrator"}})
			for _, want := range tt.want {
				if a := nextServiceAnswer(t, s.ctx, got); a.Outcome != want {
					t.Errorf("answer: got %v (%s); want %v", a.Outcome, a.Reason, want)
				}
			}
			sv.close()
			if asked != tt.asked {
				t.Errorf("asked the customer: got %v; want %v", asked, tt.asked)
			}
			if handoff != "" {
				if _, err := os.Stat(handoff); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the hand-off %s is left after a failed hand-over (%v)", handoff, err)
				}
			}
			if left := unitsLeft(t, sd); left != "" {
				t.Errorf("units left: %q", left)
			}
		})
	}
}

// TestStartAsService: at the start the portal's StartAsService hands the
// session to a service where services can be installed; where they cannot
// (no systemd), or the install fails, the client runs normally — nothing
// is left installed and the process does not exit.
func TestStartAsService(t *testing.T) {
	s := startSession(t)
	sd := systemdtest.Start(t)
	start := protocol.DefaultCustomerClientConfig()
	start.Functions.StartAsService = true
	// This machine's own system manager: on these VMs systemd is not PID
	// 1, so the client runs normally without trying; where it is (and the
	// test runs as root) the install is tried and refused before it
	// reaches systemd (a relative program).
	system := &host.ServiceManager{}
	systemOK := system.Probe(t.Context()) == nil
	t.Logf("this machine's systemd: probe ok %v", systemOK)
	tests := []struct {
		name     string
		cfg      protocol.CustomerClientConfig
		mgr      *host.ServiceManager
		service  string
		launched bool // the command was asked for: an install was tried
	}{
		{"portal does not start as a service", protocol.DefaultCustomerClientConfig(), &host.ServiceManager{User: true, Env: sd.Env}, "", false},
		{"no systemd: runs normally", start, noSystemd(t), "", false},
		{"this machine's system manager", start, system, "", systemOK},
		{"the service itself", start, &host.ServiceManager{User: true, Env: sd.Env}, "tandem-customer-x", false},
		{"install fails: runs normally", start, &host.ServiceManager{User: true, Env: sd.Env}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sv := newServicer(tt.mgr, testLogger(t), tt.service, "", nil)
			sv.dir = t.TempDir()
			sv.exit = func() { t.Error("the process exited") }
			var mu sync.Mutex
			launched := false
			sv.command = func(args []string) (serviceCommand, error) {
				mu.Lock()
				launched = true
				mu.Unlock()
				return serviceCommand{exe: "no/such/relative/program", args: args}, nil
			}
			sv.attach(s.cs, tt.cfg)
			sv.close() // waits for the start as a service
			if launched != tt.launched {
				t.Errorf("install tried: got %v; want %v", launched, tt.launched)
			}
			if left := unitsLeft(t, sd); left != "" {
				t.Errorf("units left: %q", left)
			}
			select {
			case <-s.cs.Ended():
				t.Fatal("the session ended")
			default:
			}
		})
	}
}

// Variables of the service process TestServiceProcess plays.
const (
	serviceArgsEnv = "TANDEM_TEST_SERVICE_ARGS" // the program's arguments, JSON
	serviceLogEnv  = "TANDEM_TEST_SERVICE_LOG"  // where it logs
)

// startServiceSession is startSession on a portal whose configuration
// lets the customer's client run as a service and uninstall it at the
// end, so that the customer's client (which judges requests by its
// portal's configuration) lets the rep's request through.
func startServiceSession(t *testing.T) *session {
	t.Helper()
	h := servertest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Second)
	t.Cleanup(cancel)
	var lr protocol.LoginResponse
	h.Call(t, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: h.AdminUser, Password: h.AdminPassword}, &lr)
	var p struct {
		ID   string `json:"id"`
		Slug string `json:"slug"`
	}
	h.Call(t, "POST", "/api/v1/admin/portals", lr.Token, map[string]string{"slug": "service", "name": "Service"}, &p)
	var cc protocol.CustomerClientConfig
	h.Call(t, "GET", "/api/v1/admin/portals/"+p.ID+"/client-config", lr.Token, nil, &cc)
	cc.Functions.RunAsService, cc.Functions.UninstallServiceAtEnd = true, true
	h.Call(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/client-config", lr.Token, cc, nil)
	var key protocol.Key
	h.Call(t, "POST", protocol.PathKeys, lr.Token, protocol.KeyRequest{Portal: p.Slug}, &key)

	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: testLogger(t)}
	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close() })
	cust, err := client.Join(ctx, cfg, key.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cust.Close() })
	if c := cust.Config(); c == nil || !c.Functions.RunAsService || !c.Functions.UninstallServiceAtEnd {
		t.Fatalf("the customer's portal configuration %+v does not allow a service", c)
	}
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

// TestServiceTakesOverTheSession runs the whole hand-over to a service in
// a real (private) systemd: the rep asks, the customer accepts, the client
// writes the hand-off, installs and starts a unit whose process (this
// test binary, as TestServiceProcess, standing in for tandem-customer
// -resume FILE -service NAME) resumes the session and removes the file;
// the first process lets go and "exits" without ending the session; the
// rep's peer connects to the service, which answers the rep's next
// request itself ("already"). When the rep ends the session, the service
// uninstalls itself (UninstallServiceAtEnd) and exits, and systemd has
// nothing of it left.
//
// With StartAsService the same hand-over happens at the start, unasked.
func TestServiceTakesOverTheSession(t *testing.T) {
	t.Run("rep's request", func(t *testing.T) { testServiceTakeOver(t, false) })
	t.Run("start as a service", func(t *testing.T) { testServiceTakeOver(t, true) })
}

func testServiceTakeOver(t *testing.T, atStart bool) {
	s := startServiceSession(t)
	got := serviceAnswers(t, s.rs)
	sd := systemdtest.Start(t)
	cfg := protocol.DefaultCustomerClientConfig()
	cfg.Functions.RunAsService = true
	cfg.Functions.UninstallServiceAtEnd = true
	cfg.Functions.StartAsService = atStart
	logPath := filepath.Join(t.TempDir(), "service.log")
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("the service's log:\n%s\nsystemd:\n%s", b, sd.Log())
		}
	})

	sv := newServicer(&host.ServiceManager{User: true, Env: sd.Env}, testLogger(t), "", "", []string{"-log-level", "debug"})
	var unit string
	sv.command = func(args []string) (serviceCommand, error) {
		b, err := json.Marshal(args)
		if err != nil {
			return serviceCommand{}, err
		}
		unit = args[3] + ".service"
		return serviceCommand{
			exe:  os.Args[0],
			args: []string{"-test.run=^TestServiceProcess$", "-test.count=1"},
			env:  append([]string{serviceArgsEnv + "=" + string(b), serviceLogEnv + "=" + logPath}, sd.Env...),
		}, nil
	}
	released, exited := make(chan struct{}), make(chan struct{})
	hold := sv.wrapHold(func(*client.Session, protocol.CustomerClientConfig) (func(client.Event), <-chan agent.Status, func()) {
		return func(client.Event) {}, nil, func() {
			select {
			case <-released:
			default:
				close(released)
			}
		}
	})
	sv.exit = func() {
		s.cust.Close() // as the process ending would
		close(exited)
	}
	sv.setAsk(func(context.Context, string) bool { return true })
	handle, _, release := hold(s.cs, cfg)
	defer release()
	pump(t, s.cs, handle)

	if !atStart {
		if err := s.peer.RequestService(); err != nil {
			t.Fatal(err)
		}
		if a := nextServiceAnswer(t, s.ctx, got); a.Outcome != client.ServiceAccepted {
			t.Fatalf("answer: got %v (%s); want accepted", a.Outcome, a.Reason)
		}
	}
	select {
	case <-exited:
	case <-s.ctx.Done():
		t.Fatal("the first process did not hand over")
	}
	select {
	case <-released:
	default:
		t.Error("the hold on the computer was not released before the exit")
	}
	if st := sd.Property(t, unit, "ActiveState"); st != "active" {
		t.Errorf("the service: ActiveState %q; want active", st)
	}

	peer := waitNewPeer(t, s.ctx, s.rs, s.cs.Self().ID, s.peer)
	if err := peer.RequestService(); err != nil {
		t.Fatal(err)
	}
	if a := nextServiceAnswer(t, s.ctx, got); a.Outcome != client.ServiceAlready {
		t.Errorf("the service's answer: got %v (%s); want already", a.Outcome, a.Reason)
	}
	if st := s.rs.Info().State; st != protocol.StateActive {
		t.Errorf("session state: got %v; want active", st)
	}

	if err := s.rs.End(s.ctx, "done"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(120 * time.Second)
	for unitsLeft(t, sd) != "" {
		if time.Now().After(deadline) {
			t.Fatalf("after the session's end the service is left: %q", unitsLeft(t, sd))
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, err := os.ReadFile(logPath)
	if err != nil || !strings.Contains(string(b), "the service is uninstalled") {
		t.Errorf("the service's log (%v) does not say it uninstalled itself:\n%s", err, b)
	}
}

// TestServiceProcess is the service's process of
// TestServiceTakesOverTheSession; run by itself it has nothing to do. It
// takes the arguments tandem-customer would get from the unit, resumes
// the session as -resume does, answers the reps' service requests with
// the real servicer, and at the session's end removes its own unit and
// exits.
func TestServiceProcess(t *testing.T) {
	argsJSON := os.Getenv(serviceArgsEnv)
	if argsJSON == "" {
		return // not started by TestServiceTakesOverTheSession
	}
	var args []string
	if err := json.Unmarshal([]byte(argsJSON), &args); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("tandem-customer", flag.ContinueOnError)
	resume := fs.String("resume", "", "")
	service := fs.String("service", "", "")
	fs.String("log-level", "info", "")
	if err := fs.Parse(args); err != nil || *resume == "" || *service == "" {
		t.Fatalf("the service's arguments %q: %v", args, err)
	}
	lf, err := os.Create(os.Getenv(serviceLogEnv))
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	log := slog.New(slog.NewTextHandler(lf, &slog.HandlerOptions{Level: slog.LevelDebug})).With("process", "service")
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Second)
	defer cancel()
	c, err := resumeCustomer(ctx, *resume, client.Config{Logger: log})
	if err != nil {
		log.Error("resume", "err", err)
		t.Fatal(err)
	}
	defer c.Close()
	sv := newServicer(&host.ServiceManager{User: true}, log, *service, "", nil)
	cfg := protocol.DefaultCustomerClientConfig()
	cfg.Functions.RunAsService = true
	cfg.Functions.UninstallServiceAtEnd = true
	handle := sv.attach(c.Session(), cfg)
	defer sv.close()
	for {
		select {
		case ev := <-c.Session().Events():
			handle(ev)
			if _, ok := ev.(client.SessionEnded); ok {
				return
			}
		case <-ctx.Done():
			log.Error("the session did not end")
			return
		}
	}
}
