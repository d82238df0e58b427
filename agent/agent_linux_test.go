//go:build linux && cgo

package agent_test

import (
	"context"
	"log/slog"
	"net"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/tandemhq/tandem/agent"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/input"
	"github.com/tandemhq/tandem/internal/xvfb"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

// x is a plain X client on the customer's display: it reads the pointer
// and tries to grab input, as anyone at the customer's desk would.
type x struct {
	conn *xgb.Conn
	root xproto.Window
}

func dial(t *testing.T, d *xvfb.Display) *x {
	t.Helper()
	c, err := xgb.NewConnDisplay(d.Name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return &x{conn: c, root: xproto.Setup(c).DefaultScreen(c).Root}
}

func (c *x) pointer(t *testing.T) (int, int) {
	t.Helper()
	r, err := xproto.QueryPointer(c.conn, c.root).Reply()
	if err != nil {
		t.Fatal(err)
	}
	return int(r.RootX), int(r.RootY)
}

// canGrab reports whether this client can grab the pointer (and lets go
// again at once).
func (c *x) canGrab(t *testing.T) bool {
	t.Helper()
	r, err := xproto.GrabPointer(c.conn, false, c.root, 0, xproto.GrabModeAsync, xproto.GrabModeAsync,
		xproto.WindowNone, xproto.CursorNone, xproto.TimeCurrentTime).Reply()
	if err != nil {
		t.Fatal(err)
	}
	xproto.UngrabPointer(c.conn, xproto.TimeCurrentTime)
	if _, err := xproto.GetInputFocus(c.conn).Reply(); err != nil {
		t.Fatal(err)
	}
	return r.Status == xproto.GrabStatusSuccess
}

// eventually polls cond until it holds, failing after a generous limit.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 45s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type statusLog struct {
	mu   sync.Mutex
	last agent.Status
}

func (s *statusLog) get() agent.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func logger(t *testing.T) *slog.Logger {
	var mu sync.Mutex
	done := false
	t.Cleanup(func() { mu.Lock(); done = true; mu.Unlock() })
	return slog.New(slog.NewTextHandler(writerFunc(func(b []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			t.Log(string(b))
		}
		return len(b), nil
	}), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// session is a customer session with a rep, both in this process; the
// agent holds display d for the customer.
type session struct {
	h      *servertest.Harness
	rep    *client.Rep
	cs, rs *client.Session
	agent  *agent.Agent
	status *statusLog
}

func start(t *testing.T, d *xvfb.Display, cfg agent.Config) *session {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	h := servertest.Start(t, servertest.WithAddr(addr))
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	log := logger(t)
	ccfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: log}
	rep, err := client.SignIn(ctx, ccfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close() })
	key, err := rep.CreateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cust, err := client.Join(ctx, ccfg, key.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cust.Close() })
	cs := cust.Session()
	cfg.Display, cfg.Logger = d.Name, log
	a := agent.New(cs, cfg)
	t.Cleanup(func() { a.Close() })
	st := &statusLog{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	t.Cleanup(func() { close(stop); wg.Wait() })
	go func() { // the customer app's event loop
		defer wg.Done()
		for {
			select {
			case ev := <-cs.Events():
				if req, ok := ev.(client.ControlRequested); ok {
					_ = cs.GrantControl(req.Participant.ID)
				}
				a.Handle(ev)
			case <-stop:
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case s := <-a.Status():
				st.mu.Lock()
				st.last = s
				st.mu.Unlock()
			case <-stop:
				return
			}
		}
	}()
	for {
		ev := <-rep.Events()
		if _, ok := ev.(client.SessionWaiting); ok {
			break
		}
	}
	rs, err := rep.Accept(ctx, cs.ID())
	if err != nil {
		t.Fatal(err)
	}
	return &session{h: h, rep: rep, cs: cs, rs: rs, agent: a, status: st}
}

// repPeer waits for the rep's live connection to the customer.
func (s *session) repPeer(t *testing.T) *client.Peer {
	t.Helper()
	var p *client.Peer
	eventually(t, "the rep's peer connection", func() bool {
		p = s.rs.Peer(s.cs.Self().ID)
		if p == nil {
			return false
		}
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		return p.Connected(ctx) == nil
	})
	return p
}

// TestControlLockoutAndReconnect: the rep's input moves the customer's
// pointer; when the rep's connection drops the customer's own input is
// locked out, and it comes back when the rep reconnects and at the end.
func TestControlLockoutAndReconnect(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 800, Height: 600}}})
	desk := dial(t, d)
	s := start(t, d, agent.Config{Lockout: true, ReconnectTime: time.Minute})
	p := s.repPeer(t)
	if err := p.RequestControl(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "control granted", func() bool { return s.cs.InControl(s.rep.Account().ID) })
	if err := p.SendInput(input.Event{Kind: input.KindMove, X: 123, Y: 45}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the pointer at 123,45", func() bool { x, y := desk.pointer(t); return x == 123 && y == 45 })
	if !desk.canGrab(t) {
		t.Fatal("input is locked out while the rep is connected")
	}

	// The rep's connection drops.
	p.Close()
	eventually(t, "the lockout", func() bool { st := s.status.get(); return st.RepAway && st.LockedOut })
	if desk.canGrab(t) {
		t.Fatal("another client could grab the pointer during the lockout")
	}

	// Both sides reconnect (the server restarts): input comes back.
	s.h.Restart(t)
	eventually(t, "the lockout released on reconnect", func() bool { return !s.status.get().RepAway })
	if !desk.canGrab(t) {
		t.Fatal("input still locked out after the rep reconnected")
	}

	// Dropped again, then the session ends: input comes back.
	s.repPeer(t).Close()
	eventually(t, "the second lockout", func() bool { return s.status.get().LockedOut })
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := s.rs.End(ctx, "done"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the end", func() bool { return s.status.get().Ended })
	if !desk.canGrab(t) {
		t.Fatal("input still locked out after the session ended")
	}
}

// TestRepDoesNotComeBack: after the reconnect time the customer's client
// ends the session itself.
func TestRepDoesNotComeBack(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 640, Height: 480}}})
	desk := dial(t, d)
	s := start(t, d, agent.Config{Lockout: true, ReconnectTime: 2 * time.Second})
	s.repPeer(t).Close()
	eventually(t, "the lockout", func() bool { return s.status.get().LockedOut })
	select {
	case <-s.cs.Ended():
	case <-time.After(45 * time.Second):
		t.Fatal("the session did not end after the reconnect time")
	}
	eventually(t, "the end", func() bool { return s.status.get().Ended })
	if !desk.canGrab(t) {
		t.Fatal("input still locked out after the session ended")
	}
}

// TestTakeBackKey: the customer's key combination takes control back from
// the rep at once, wherever the focus is: the rep learns it, and the
// rep's input no longer moves the pointer.
func TestTakeBackKey(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 640, Height: 480}}})
	desk := dial(t, d)
	s := start(t, d, agent.Config{TakeBackKey: true})
	p := s.repPeer(t)
	if err := p.RequestControl(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "control granted", func() bool { return s.cs.InControl(s.rep.Account().ID) })
	if err := p.SendInput(input.Event{Kind: input.KindMove, X: 100, Y: 100}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the pointer at 100,100", func() bool { x, y := desk.pointer(t); return x == 100 && y == 100 })

	cmd := exec.Command("xdotool", "key", hotkeyKeys)
	cmd.Env = d.Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v\n%s", err, out)
	}
	eventually(t, "control taken back", func() bool { return !s.cs.InControl(s.rep.Account().ID) })
	for {
		ev := <-s.rs.Events()
		if c, ok := ev.(client.ControlChanged); ok && !c.InControl {
			break
		}
	}
	// The customer moves the pointer; the rep's next move is dropped. The
	// control channel is ordered: once the rep's following request for
	// control has been granted, the move before it has been handled.
	cmd = exec.Command("xdotool", "mousemove", "7", "7")
	cmd.Env = d.Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v\n%s", err, out)
	}
	if err := p.SendInput(input.Event{Kind: input.KindMove, X: 300, Y: 300}); err != nil {
		t.Fatal(err)
	}
	if err := p.RequestControl(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "control granted again", func() bool { return s.cs.InControl(s.rep.Account().ID) })
	if x, y := desk.pointer(t); x != 7 || y != 7 {
		t.Errorf("pointer at %d,%d; want 7,7: the rep's input after the take-back was injected", x, y)
	}
}

// hotkeyKeys is hotkey.TakeBack as xdotool names it.
const hotkeyKeys = "ctrl+alt+shift+t"

var _ = protocol.RoleRep
