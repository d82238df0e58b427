//go:build linux && cgo

package client_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/codec"
	"github.com/tandemhq/tandem/input"
	"github.com/tandemhq/tandem/internal/xvfb"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

// logRecorder is a slog handler that keeps every record's text (the
// message and its attributes) besides handing it on, so that a test can
// wait for a refusal that is only logged.
type logRecorder struct {
	slog.Handler
	mu    *sync.Mutex
	lines *[]string
}

func newLogRecorder(h slog.Handler) logRecorder {
	return logRecorder{Handler: h, mu: new(sync.Mutex), lines: new([]string)}
}

func (r logRecorder) Handle(ctx context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(rec.Message)
	rec.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	r.mu.Lock()
	*r.lines = append(*r.lines, b.String())
	r.mu.Unlock()
	return r.Handler.Handle(ctx, rec)
}

func (r logRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return logRecorder{Handler: r.Handler.WithAttrs(as), mu: r.mu, lines: r.lines}
}

func (r logRecorder) WithGroup(name string) slog.Handler {
	return logRecorder{Handler: r.Handler.WithGroup(name), mu: r.mu, lines: r.lines}
}

// wait waits for a logged line that holds every one of parts.
func (r logRecorder) wait(t *testing.T, parts ...string) string {
	t.Helper()
	deadline := time.Now().Add(hung)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		for _, l := range *r.lines {
			all := true
			for _, p := range parts {
				all = all && strings.Contains(l, p)
			}
			if all {
				r.mu.Unlock()
				return l
			}
		}
		r.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no log line with %q", parts)
	return ""
}

// specialistSession is an active session between a rep and a customer,
// whose client's log is recorded, ready for specialists.
type specialistSession struct {
	h       *servertest.Harness
	ctx     context.Context
	cfg     client.Config
	rep     *client.Rep
	cust    *client.Customer
	cs, rs  *client.Session
	custLog logRecorder
}

// startSpecialistSession starts a server, a rep and a customer whose
// session the rep accepts; functions, where set, makes it a session of a
// portal whose functions it changes (else the default portal's).
func startSpecialistSession(t *testing.T, functions func(*protocol.Functions)) *specialistSession {
	t.Helper()
	h := servertest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*hung)
	t.Cleanup(cancel)
	logger := testLogger(t)
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: logger, VideoCodecs: []codec.Codec{codec.VP8}}
	rec := newLogRecorder(logger.Handler())
	custCfg := cfg
	custCfg.Logger = slog.New(rec)
	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	t.Cleanup(func() { rep.Close() })
	var code string
	if functions != nil {
		admin := newAdminHTTP(t, h)
		code = admin.key(t, admin.functionsPortal(t, "specialists", false, functions))
	} else {
		key, err := rep.CreateKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		code = key.Code
	}
	cust, err := client.Join(ctx, custCfg, code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cust.Close() })
	cs := cust.Session()
	var rs *client.Session
	for {
		// The session may not be waiting yet just after the join.
		if rs, err = rep.Accept(ctx, cs.ID()); err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("Accept: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := waitPeer(t, rs, cs.Self().ID).Connected(ctx); err != nil {
		t.Fatal(err)
	}
	if err := waitPeer(t, cs, rep.Account().ID).Connected(ctx); err != nil {
		t.Fatal(err)
	}
	return &specialistSession{h: h, ctx: ctx, cfg: cfg, rep: rep, cust: cust, cs: cs, rs: rs, custLog: rec}
}

// specialist is an external specialist in a session, connected to the
// customer.
type specialist struct {
	sp *client.Specialist
	ss *client.Session
	// peer is the specialist's connection to the customer, custPeer the
	// customer's to the specialist.
	peer, custPeer *client.Peer
}

// inviteSpecialist has the rep of rs invite a specialist with rights,
// who joins as name with cfg; it returns once the specialist's and the
// customer's ends of their connection are up.
func inviteSpecialist(t *testing.T, ctx context.Context, cfg client.Config, rs, cs *client.Session, rights protocol.SpecialistRights, name string) *specialist {
	t.Helper()
	inv, err := rs.InviteSpecialist(ctx, rights)
	if err != nil {
		t.Fatalf("InviteSpecialist(%v): %v", rights, err)
	}
	if err := protocol.ValidateCode(inv.Code); err != nil || inv.Rights != rights {
		t.Fatalf("invitation %+v: code %v; want a valid code with rights %v", inv, err, rights)
	}
	sp, err := client.JoinSpecialist(ctx, cfg, inv.Code, name)
	if err != nil {
		t.Fatalf("JoinSpecialist: %v", err)
	}
	t.Cleanup(func() { sp.Close() })
	ss := sp.Session()
	self := ss.Self()
	if self.Role != protocol.RoleSpecialist || self.Name != name || self.ViewOnly != (rights == protocol.RightsView) || ss.ID() != cs.ID() {
		t.Fatalf("specialist's self %+v in session %s; want specialist %q, view only %v, in %s", self, ss.ID(), name, rights == protocol.RightsView, cs.ID())
	}
	peer := waitPeer(t, ss, cs.Self().ID)
	if err := peer.Connected(ctx); err != nil {
		t.Fatalf("specialist's peer: %v", err)
	}
	custPeer := waitPeer(t, cs, self.ID)
	if err := custPeer.Connected(ctx); err != nil {
		t.Fatalf("customer's peer to the specialist: %v", err)
	}
	return &specialist{sp: sp, ss: ss, peer: peer, custPeer: custPeer}
}

// waitMember waits until s's participant list has the participant id
// (present) or not, from its current state or a SessionChanged event
// (other events are skipped), and returns the participant.
func waitMember(t *testing.T, s *client.Session, id string, present bool) protocol.Participant {
	t.Helper()
	find := func(info protocol.SessionInfo) (protocol.Participant, bool) {
		for _, p := range info.Participants {
			if p.ID == id {
				return p, present
			}
		}
		return protocol.Participant{}, !present
	}
	if p, ok := find(s.Info()); ok {
		return p
	}
	deadline := time.After(hung)
	for {
		select {
		case ev := <-s.Events():
			if c, ok := ev.(client.SessionChanged); ok {
				if p, ok := find(c.Info); ok {
					return p
				}
			}
		case <-deadline:
			t.Fatalf("participant %s present=%v: not within %v; participants %+v", id, present, hung, s.Info().Participants)
			return protocol.Participant{}
		}
	}
}

// noEvent fails if an event of type T is waiting on ch; the others are
// dropped. The caller knows that the event, had it come, came already.
func noEvent[T client.Event](t *testing.T, ch <-chan client.Event) {
	t.Helper()
	for {
		select {
		case ev := <-ch:
			if e, ok := ev.(T); ok {
				t.Errorf("unexpected %T: %+v", e, e)
			}
		default:
			return
		}
	}
}

// inputRecorder hands the customer's input events to a channel.
func inputRecorder(s *client.Session) <-chan struct {
	from protocol.Participant
	ev   input.Event
} {
	got := make(chan struct {
		from protocol.Participant
		ev   input.Event
	}, 64)
	s.HandleInput(func(from protocol.Participant, ev input.Event) {
		got <- struct {
			from protocol.Participant
			ev   input.Event
		}{from, ev}
	})
	return got
}

func move(x int32) input.Event { return input.Event{Kind: input.KindMove, X: x, Y: 7} }

// TestSpecialistViewOnly: a rep invites a view-only specialist into a
// session whose customer shares an Xvfb screen. The specialist sees the
// screen sharp; everyone sees it in the participant list as view only;
// the customer's client denies its control requests without asking the
// customer, refuses to grant it control, drops its input and its
// annotations, and refuses its file offer; what a specialist may not do
// is refused on its own side too.
func TestSpecialistViewOnly(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1024, Height: 768}}})
	paint(t, d, 1024, 768, 3)
	var base client.Config
	var custLog logRecorder
	s := startSharing(t, d, []codec.Codec{codec.VP8}, func(rep bool, cfg client.Config) client.Config {
		if rep {
			base = cfg
			return cfg
		}
		custLog = newLogRecorder(cfg.Logger.Handler())
		cfg.Logger = slog.New(custLog)
		return cfg
	})
	ctx, cancel := context.WithTimeout(t.Context(), 3*hung)
	defer cancel()
	got := inputRecorder(s.cs)

	sp := inviteSpecialist(t, ctx, base, s.rs, s.cs, protocol.RightsView, "Grace Hopper")
	spID := sp.ss.Self().ID
	for _, side := range []*client.Session{s.cs, s.rs, sp.ss} {
		if p := waitMember(t, side, spID, true); p.Role != protocol.RoleSpecialist || !p.ViewOnly || p.Name != "Grace Hopper" {
			t.Errorf("%s's participant list has the specialist as %+v; want a view-only specialist Grace Hopper", side.Self().Role, p)
		}
	}

	// The customer's screen reaches the specialist, sharp.
	if sp.peer.Screen() == nil {
		t.Fatal("the specialist's peer has no remote screen")
	}
	waitSharp(t, &sharing{screen: sp.peer.Screen()}, grab(t, d, 0), 40)

	// Control: denied by the customer's client alone.
	if err := sp.peer.SendInput(move(1)); err != nil {
		t.Fatal(err)
	}
	stroke := client.Annotation{Kind: client.AnnotationStroke, Ink: client.InkRed, Width: 4, Points: []image.Point{{10, 10}, {50, 50}}}
	if err := sp.peer.Annotate(stroke); err != nil {
		t.Fatal(err)
	}
	if err := sp.peer.RequestControl(); err != nil {
		t.Fatal(err)
	}
	// The request travels behind the input and the stroke on the ordered
	// control channel: once its denial is here, all three were judged.
	if ch := next[client.ControlChanged](t, sp.ss.Events()); !ch.Denied || ch.InControl {
		t.Fatalf("specialist's control request: got %+v; want denied", ch)
	}
	noEvent[client.ControlRequested](t, s.cs.Events())
	noEvent[client.AnnotationReceived](t, s.cs.Events())
	select {
	case in := <-got:
		t.Fatalf("input from %+v was handed on: %+v", in.from, in.ev)
	default:
	}
	custLog.wait(t, "denying control to a participant who may only view", spID)
	custLog.wait(t, "refusing an annotation: the participant may only view", spID)

	if err := s.cs.GrantControl(spID); !errors.Is(err, client.ErrViewOnly) {
		t.Fatalf("GrantControl(view-only specialist): got %v; want %v", err, client.ErrViewOnly)
	}
	if s.cs.InControl(spID) {
		t.Fatal("the view-only specialist is in control")
	}

	// Files: refused by the customer's client when a modified specialist
	// offers one, and by each side's own client.
	offer := `{"type":"offer","id":"f1","name":"tool.exe","size":3,"sha256":"` + strings.Repeat("ab", 32) + `"}`
	if err := client.SendLabelText(sp.peer, client.FilesLabel, offer); err != nil {
		t.Fatal(err)
	}
	custLog.wait(t, "refusing a file transfer", spID, client.ErrSpecialist.Error())
	noEvent[client.FileOffered](t, s.cs.Events())
	if _, err := sp.peer.OfferFile(ctx, "/etc/hostname"); !errors.Is(err, client.ErrSpecialist) {
		t.Errorf("specialist's OfferFile: got %v; want %v", err, client.ErrSpecialist)
	}
	if _, err := s.cs.OfferFile(ctx, spID, "/etc/hostname"); !errors.Is(err, client.ErrSpecialist) {
		t.Errorf("customer's OfferFile to the specialist: got %v; want %v", err, client.ErrSpecialist)
	}
	if recv, off := sp.ss.FilesAllowed(); recv || off {
		t.Errorf("specialist's FilesAllowed: got %v, %v; want false, false", recv, off)
	}

	// What only a rep or the customer does.
	if err := sp.ss.ShowScreen(ctx, s.cap); !errors.Is(err, client.ErrNotRep) {
		t.Errorf("specialist's ShowScreen: got %v; want %v", err, client.ErrNotRep)
	}
	if err := sp.ss.ShareScreen(s.cap); !errors.Is(err, client.ErrSpecialist) {
		t.Errorf("specialist's ShareScreen: got %v; want %v", err, client.ErrSpecialist)
	}
	if _, err := sp.ss.Functions(ctx); !errors.Is(err, client.ErrSpecialist) {
		t.Errorf("specialist's Functions: got %v; want %v", err, client.ErrSpecialist)
	}
	if sp.custPeer.RepScreen() != nil {
		t.Error("the customer's connection to the specialist has a slot for a rep's screen")
	}
}

// TestSpecialistControl: a specialist with control rights asks the
// customer, who grants it; its input reaches the customer's handler until
// the customer revokes control. It may draw on the customer's screen.
func TestSpecialistControl(t *testing.T) {
	s := startSpecialistSession(t, nil)
	got := inputRecorder(s.cs)
	sp := inviteSpecialist(t, s.ctx, s.cfg, s.rs, s.cs, protocol.RightsControl, "Linus")
	spID := sp.ss.Self().ID
	if p := waitMember(t, s.cs, spID, true); p.ViewOnly {
		t.Fatalf("the customer sees the control specialist as %+v; want not view only", p)
	}

	if err := sp.peer.SendInput(move(1)); err != nil {
		t.Fatal(err)
	}
	if err := sp.peer.RequestControl(); err != nil {
		t.Fatal(err)
	}
	req := next[client.ControlRequested](t, s.cs.Events())
	if req.Participant.ID != spID || req.Participant.Role != protocol.RoleSpecialist {
		t.Fatalf("control request from %+v; want the specialist", req.Participant)
	}
	if err := s.cs.GrantControl(spID); err != nil {
		t.Fatalf("GrantControl: %v", err)
	}
	if ch := next[client.ControlChanged](t, sp.ss.Events()); !ch.InControl {
		t.Fatalf("specialist side: got %+v; want in control", ch)
	}
	if err := sp.peer.SendInput(move(100)); err != nil {
		t.Fatal(err)
	}
	select {
	case in := <-got:
		if in.ev != move(100) || in.from.ID != spID {
			t.Fatalf("input: got %+v from %+v; want %+v from the specialist (the move before the grant slipped through?)", in.ev, in.from, move(100))
		}
	case <-time.After(hung):
		t.Fatal("the specialist's input did not arrive")
	}

	stroke := client.Annotation{Kind: client.AnnotationStroke, Ink: client.InkBlue, Width: 3, Points: []image.Point{{1, 2}, {3, 4}}}
	if err := sp.peer.Annotate(stroke); err != nil {
		t.Fatal(err)
	}
	if a := next[client.AnnotationReceived](t, s.cs.Events()); a.Participant.ID != spID {
		t.Fatalf("annotation from %+v; want the specialist", a.Participant)
	}

	if err := s.cs.RevokeControl(spID); err != nil {
		t.Fatal(err)
	}
	if ch := next[client.ControlChanged](t, sp.ss.Events()); ch.InControl {
		t.Fatalf("specialist side after revoke: got %+v; want not in control", ch)
	}
	if err := sp.peer.SendInput(move(2)); err != nil {
		t.Fatal(err)
	}
	// The request behind the move is the fence: once it is here, the
	// move has been judged.
	if err := sp.peer.RequestControl(); err != nil {
		t.Fatal(err)
	}
	next[client.ControlRequested](t, s.cs.Events())
	select {
	case in := <-got:
		t.Fatalf("input after the revoke was handed on: %+v", in.ev)
	default:
	}
}

// TestSpecialistRefusedByTheCustomer: whatever its rights, a specialist's
// requests for elevation and for running as a service are declined by
// the customer's client itself, which the customer's app never hears of,
// while the rep may still ask.
func TestSpecialistRefusedByTheCustomer(t *testing.T) {
	s := startSpecialistSession(t, func(f *protocol.Functions) {
		f.RunAsService = true
		f.RepScreenSharing = true
	})
	sp := inviteSpecialist(t, s.ctx, s.cfg, s.rs, s.cs, protocol.RightsControl, "Margaret")
	spID := sp.ss.Self().ID

	if err := sp.peer.RequestElevation(); err != nil {
		t.Fatal(err)
	}
	if got, want := next[client.ElevationChanged](t, sp.ss.Events()), (client.ElevationChanged{Participant: s.cs.Self(), Outcome: client.ElevationDeclined, Reason: client.SpecialistElevationReason}); got != want {
		t.Fatalf("specialist's elevation request: got %+v; want %+v", got, want)
	}
	if err := sp.peer.QueryService(); err != nil {
		t.Fatal(err)
	}
	if got := next[client.ServiceAllowed](t, sp.ss.Events()); got.Allowed {
		t.Fatalf("specialist's service query: got %+v; want not allowed", got)
	}
	if err := sp.peer.RequestService(); err != nil {
		t.Fatal(err)
	}
	if got, want := next[client.ServiceChanged](t, sp.ss.Events()), (client.ServiceChanged{Participant: s.cs.Self(), Outcome: client.ServiceDeclined, Reason: client.SpecialistServiceReason}); got != want {
		t.Fatalf("specialist's service request: got %+v; want %+v", got, want)
	}
	noEvent[client.ElevationRequested](t, s.cs.Events())
	noEvent[client.ServiceRequested](t, s.cs.Events())
	custLog := s.custLog
	custLog.wait(t, "refusing elevation: an external specialist may not ask for it", spID)
	custLog.wait(t, "running as a service refused: an external specialist may not ask for it", spID)

	// The rep still may: the portal allows it.
	repPeer := waitPeer(t, s.rs, s.cs.Self().ID)
	if err := repPeer.QueryService(); err != nil {
		t.Fatal(err)
	}
	if got := next[client.ServiceAllowed](t, s.rs.Events()); !got.Allowed {
		t.Fatalf("rep's service query: got %+v; want allowed", got)
	}
	if err := repPeer.RequestService(); err != nil {
		t.Fatal(err)
	}
	if got := next[client.ServiceRequested](t, s.cs.Events()); got.Participant.ID != s.rep.Account().ID {
		t.Fatalf("service request from %+v; want the rep", got.Participant)
	}

	// The rep's screen: the customer's connection to the rep has its
	// slot, the one to the specialist none, and a specialist's start is
	// refused.
	if waitPeer(t, s.cs, s.rep.Account().ID).RepScreen() == nil {
		t.Error("the customer's connection to the rep has no slot for the rep's screen")
	}
	if sp.custPeer.RepScreen() != nil {
		t.Error("the customer's connection to the specialist has a slot for a rep's screen")
	}
	if err := client.SendLabelText(sp.peer, client.RepScreenLabel, `{"showing":true}`); err == nil {
		t.Error("the specialist's connection has a rep's screen channel")
	}
}

// TestSpecialistInvitations: a code admits one specialist once; a
// cancelled code admits none; the rep lists the session's invitations
// with the portal's limit; only a rep of the session invites.
func TestSpecialistInvitations(t *testing.T) {
	s := startSpecialistSession(t, nil)
	ctx := s.ctx
	view, err := s.rs.InviteSpecialist(ctx, protocol.RightsView)
	if err != nil {
		t.Fatal(err)
	}
	ctl, err := s.rs.InviteSpecialist(ctx, protocol.RightsControl)
	if err != nil {
		t.Fatal(err)
	}
	if view.Code == ctl.Code {
		t.Fatalf("two invitations share the code %s", view.Code)
	}
	if _, err := s.rs.InviteSpecialist(ctx, protocol.RightsUnknown); err == nil {
		t.Error("InviteSpecialist(RightsUnknown): got nil error; want a refusal")
	}
	if _, err := s.cs.InviteSpecialist(ctx, protocol.RightsView); err == nil {
		t.Error("the customer's InviteSpecialist: got nil error; want a refusal")
	}

	sp, err := client.JoinSpecialist(ctx, s.cfg, view.Code, "Barbara")
	if err != nil {
		t.Fatalf("JoinSpecialist: %v", err)
	}
	defer sp.Close()
	spID := sp.Session().Self().ID
	if _, err := sp.Session().InviteSpecialist(ctx, protocol.RightsControl); err == nil {
		t.Error("the specialist's InviteSpecialist: got nil error; want a refusal")
	}
	if _, err := client.JoinSpecialist(ctx, s.cfg, view.Code, "Eve"); err == nil || !strings.Contains(err.Error(), "used") {
		t.Errorf("second JoinSpecialist with a spent code: got %v; want a refusal saying it was used", err)
	}
	if _, err := client.JoinSpecialist(ctx, s.cfg, ctl.Code, " "); err == nil {
		t.Error("JoinSpecialist with a blank name: got nil error; want a refusal")
	}

	if err := s.rs.CancelSpecialistInvitation(ctx, ctl.Code); err != nil {
		t.Fatalf("CancelSpecialistInvitation: %v", err)
	}
	if _, err := client.JoinSpecialist(ctx, s.cfg, ctl.Code, "Mallory"); err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Errorf("JoinSpecialist with a cancelled code: got %v; want a refusal saying it was cancelled", err)
	}
	if err := s.rs.CancelSpecialistInvitation(ctx, view.Code); !client.IsCode(err, protocol.CodeConflict) {
		t.Errorf("cancelling a spent code: got %v; want a %s refusal", err, protocol.CodeConflict)
	}

	l, err := s.rs.SpecialistInvitations(ctx)
	if err != nil {
		t.Fatalf("SpecialistInvitations: %v", err)
	}
	if l.Max != protocol.MaxExternalSpecialists {
		t.Errorf("Max: got %d; want the default portal's %d", l.Max, protocol.MaxExternalSpecialists)
	}
	byCode := map[string]protocol.SpecialistInvitation{}
	for _, inv := range l.Invitations {
		byCode[inv.Code] = inv
	}
	if got := byCode[view.Code]; got.Rights != protocol.RightsView || got.UsedBy != spID || got.Cancelled || got.InvitedBy != s.rep.Account().ID {
		t.Errorf("spent invitation: got %+v; want view rights, used by %s, invited by the rep", got, spID)
	}
	if got := byCode[ctl.Code]; got.Rights != protocol.RightsControl || got.UsedBy != "" || !got.Cancelled {
		t.Errorf("cancelled invitation: got %+v; want control rights, unused, cancelled", got)
	}
	if len(l.Invitations) != 2 {
		t.Errorf("invitations: got %d; want 2: %+v", len(l.Invitations), l.Invitations)
	}
}

// TestSpecialistLeaves: a specialist chats, may not end the session (its
// client refuses, and so does the server), leaves; the others see the
// participant list without it and stay; its session is over and its
// signaling stops.
func TestSpecialistLeaves(t *testing.T) {
	s := startSpecialistSession(t, nil)
	ctx := s.ctx
	sp := inviteSpecialist(t, ctx, s.cfg, s.rs, s.cs, protocol.RightsControl, "Katherine")
	spID := sp.ss.Self().ID
	waitMember(t, s.cs, spID, true)
	waitMember(t, s.rs, spID, true)

	if err := sp.ss.SendChat(ctx, "Hello from the vendor"); err != nil {
		t.Fatalf("specialist's SendChat: %v", err)
	}
	for {
		m := next[client.ChatReceived](t, s.cs.Events()).Message
		if m.Text == "Hello from the vendor" {
			if m.From != spID || m.Role != protocol.RoleSpecialist || m.Name != "Katherine" {
				t.Errorf("the specialist's chat line reached the customer as %+v", m)
			}
			break
		}
	}

	if err := sp.ss.End(ctx, "bye"); !errors.Is(err, client.ErrSpecialist) {
		t.Errorf("specialist's End: got %v; want %v", err, client.ErrSpecialist)
	}
	var perr *protocol.Error
	if err := client.SessionRequest(ctx, sp.ss, protocol.TypeSessionEnd, nil); !errors.As(err, &perr) {
		t.Errorf("a session.end frame from the specialist: got %v; want the server's refusal", err)
	}

	// In control when it leaves: the customer's client takes control back.
	if err := s.cs.GrantControl(spID); err != nil {
		t.Fatal(err)
	}
	if ch := next[client.ControlChanged](t, sp.ss.Events()); !ch.InControl {
		t.Fatalf("specialist side: got %+v; want in control", ch)
	}

	if err := sp.ss.Leave(ctx); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	select {
	case <-sp.ss.Ended():
	default:
		t.Fatal("the specialist's session is not ended after Leave")
	}
	if e := next[client.SessionEnded](t, sp.ss.Events()); e.Ended.By != spID {
		t.Errorf("specialist's end: got %+v; want by itself", e.Ended)
	}
	if !client.SignalingStopped(sp.sp) {
		t.Error("the specialist's signaling still reconnects after it left")
	}
	waitMember(t, s.cs, spID, false)
	waitMember(t, s.rs, spID, false)
	// The customer's client handled the new state before its event.
	if s.cs.InControl(spID) {
		t.Error("the specialist is still in control after it left")
	}
	if s.cs.Peer(spID) != nil {
		t.Error("the customer still has a connection to the specialist who left")
	}
	if s.cs.Peer(s.rep.Account().ID) == nil {
		t.Error("the customer lost its connection to the rep")
	}
	for { // the grant's event may still be ahead of the leave's
		if ch := next[client.ControlChanged](t, s.cs.Events()); ch.Participant.ID == spID && !ch.InControl {
			break
		}
	}
	for _, side := range []*client.Session{s.cs, s.rs} {
		select {
		case <-side.Ended():
			t.Errorf("%s's session ended when the specialist left", side.Self().Role)
		default:
		}
	}
	if err := sp.ss.SendChat(ctx, "still here?"); !errors.Is(err, client.ErrSessionEnded) {
		t.Errorf("chat after leaving: got %v; want %v", err, client.ErrSessionEnded)
	}
	// The customer and the rep go on.
	if err := s.cs.SendChat(ctx, "thanks"); err != nil {
		t.Errorf("customer's chat after the specialist left: %v", err)
	}
}

// TestSpecialistSessionEnds: the rep's end of the session reaches the
// specialist, whose session is over and whose signaling stops.
func TestSpecialistSessionEnds(t *testing.T) {
	s := startSpecialistSession(t, nil)
	ctx := s.ctx
	sp := inviteSpecialist(t, ctx, s.cfg, s.rs, s.cs, protocol.RightsView, "Ada Lovelace")
	if err := s.rs.End(ctx, "resolved"); err != nil {
		t.Fatalf("End: %v", err)
	}
	if e := next[client.SessionEnded](t, sp.ss.Events()); e.Ended.Reason != "resolved" {
		t.Errorf("specialist's end: got %+v; want reason resolved", e.Ended)
	}
	select {
	case <-sp.ss.Ended():
	default:
		t.Fatal("Ended is open after the SessionEnded event")
	}
	if !client.SignalingStopped(sp.sp) {
		t.Error("the specialist's signaling still reconnects after the end")
	}
	if sp.ss.Peer(s.cs.Self().ID) != nil {
		t.Error("the specialist still has a peer connection to the customer")
	}
	if err := sp.ss.Leave(ctx); err != nil {
		t.Errorf("Leave after the end: got %v; want nil", err)
	}
	if err := sp.sp.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}
