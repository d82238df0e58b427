package client_test

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/client/joindata"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/servertest"
)

// TestJoinTicket: a customer asks for help in the form of a SmartBox
// portal's page, downloads the support program, and the program joins
// the waiting session with the queue ticket of its join data: the rep's
// queue shows the customer's name and question, the rep accepts, and
// the ticket cannot join again once the session has ended.
func TestJoinTicket(t *testing.T) {
	h := servertest.Start(t, servertest.WithKeyLifetime(20*time.Minute))
	ctx := t.Context()
	serveBuild(t, h)

	// The admin signs in (also as the rep who serves the portal), makes
	// a SmartBox portal and a team for it.
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: testLogger(t)}
	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	var login protocol.LoginResponse
	h.Call(t, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: h.AdminUser, Password: h.AdminPassword}, &login)
	var p portalmodel.Portal
	h.Call(t, "POST", "/api/v1/admin/portals", login.Token, map[string]any{"slug": "help", "name": "Help"}, &p)
	p.Settings.Type = portalmodel.SmartBox
	h.Call(t, "PUT", "/api/v1/admin/portals/"+p.ID, login.Token, map[string]any{"slug": p.Slug, "name": p.Name, "settings": p.Settings}, &p)
	h.Call(t, "POST", "/api/v1/admin/teams", login.Token, map[string]any{"name": "Tier 1", "portal_ids": []string{p.ID}, "rep_ids": []string{rep.Account().ID}}, nil)

	// The customer's browser posts the form and follows the link.
	page := h.PostForm(t, portalmodel.PathPrefix+"help/", url.Values{"name": {"Gina"}, "question": {"My printer is on fire"}})
	m := regexp.MustCompile(`href="(` + regexp.QuoteMeta(server.PathDownloadTicket) + `[A-Za-z0-9_-]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the form's answer has no ticket link:\n%s", page)
	}
	bin := h.Get(t, m[1]+"?os=linux&arch="+runtime.GOARCH)
	d, err := joindata.Read(bytes.NewReader(bin), int64(len(bin)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.Ticket == "" {
		t.Fatalf("join data %+v; want a queue ticket", d)
	}

	// The downloaded program joins with the ticket.
	cust, err := client.JoinTicket(ctx, client.Config{Server: d.Server, Fingerprint: d.Fingerprint(), Logger: testLogger(t)}, d.Ticket)
	if err != nil {
		t.Fatalf("JoinTicket: %v", err)
	}
	defer cust.Close()
	cs := cust.Session()
	if info := next[client.SessionChanged](t, cs.Events()).Info; info.ID != cs.ID() || info.State != protocol.StateWaiting || info.Question != "My printer is on fire" {
		t.Errorf("the customer's session: got %s %v %q; want %s waiting with the question", info.ID, info.State, info.Question, cs.ID())
	}
	if self := cs.Self(); self.Role != protocol.RoleCustomer || self.Name != "Gina" {
		t.Errorf("the customer: got %+v; want Gina, a customer", self)
	}
	if c := cust.Config(); c == nil || c.Portal != p.ID {
		t.Errorf("Config: got %+v; want the help portal's snapshot", c)
	}
	st, err := cust.WaitStatus(ctx, "en")
	if err != nil || st.Position != 1 {
		t.Errorf("WaitStatus: got %+v, %v; want position 1", st, err)
	}
	q, err := rep.Queue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Waiting) != 1 || q.Waiting[0].ID != cs.ID() || q.Waiting[0].CustomerName != "Gina" || q.Waiting[0].Question != "My printer is on fire" {
		t.Fatalf("the rep's queue: got %+v; want Gina's session %s with her question", q.Waiting, cs.ID())
	}

	// The rep accepts: the customer's session is active.
	rs, err := rep.Accept(ctx, cs.ID())
	if err != nil {
		t.Fatal(err)
	}
	for {
		if info := next[client.SessionChanged](t, cs.Events()).Info; info.State == protocol.StateActive {
			break
		}
	}
	if err := rs.End(ctx, ""); err != nil {
		t.Fatal(err)
	}
	<-cs.Ended()

	// The session is over: the ticket joins nothing.
	_, err = client.JoinTicket(ctx, client.Config{Server: d.Server, Fingerprint: d.Fingerprint(), Logger: testLogger(t)}, d.Ticket)
	if !client.IsCode(err, protocol.CodeConflict) {
		t.Errorf("JoinTicket after the end: got %v; want %s", err, protocol.CodeConflict)
	}
}

// TestJoinTicketRefused: a ticket the server does not know is refused
// with CodeUnauthorized; a malformed one before anything is sent.
func TestJoinTicketRefused(t *testing.T) {
	h := servertest.Start(t)
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: testLogger(t)}
	for _, tc := range []struct {
		name, ticket string
		code         protocol.ErrorCode // "" for a malformed ticket
	}{
		{"unknown", "no-such-ticket", protocol.CodeUnauthorized},
		{"empty", "", ""},
		{"space", "a b", ""},
		{"too long", strings.Repeat("x", 257), ""},
		{"not ASCII", "tick\u00e9t", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := client.JoinTicket(t.Context(), cfg, tc.ticket)
			if c != nil {
				c.Close()
			}
			switch {
			case tc.code != "" && !client.IsCode(err, tc.code):
				t.Errorf("got %v; want %s", err, tc.code)
			case tc.code == "" && !errors.Is(err, protocol.ErrBadData):
				t.Errorf("got %v; want ErrBadData", err)
			}
		})
	}
}

// serveBuild puts a program (/bin/true) where the server finds the
// customer client build for this system.
func serveBuild(t *testing.T, h *servertest.Harness) {
	t.Helper()
	prog, err := os.ReadFile("/bin/true")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(h.DataDir, "clients")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tandem-customer-linux-"+runtime.GOARCH), prog, 0o755); err != nil {
		t.Fatal(err)
	}
}
