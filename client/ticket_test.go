package client_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
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
	hc := h.Client()
	t.Cleanup(hc.CloseIdleConnections)
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
	call(t, hc, h.URL, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: h.AdminUser, Password: h.AdminPassword}, &login)
	var p portalmodel.Portal
	call(t, hc, h.URL, "POST", "/api/v1/admin/portals", login.Token, map[string]any{"slug": "help", "name": "Help"}, &p)
	p.Settings.Type = portalmodel.SmartBox
	call(t, hc, h.URL, "PUT", "/api/v1/admin/portals/"+p.ID, login.Token, map[string]any{"slug": p.Slug, "name": p.Name, "settings": p.Settings}, &p)
	call(t, hc, h.URL, "POST", "/api/v1/admin/teams", login.Token, map[string]any{"name": "Tier 1", "portal_ids": []string{p.ID}, "rep_ids": []string{rep.Account().ID}}, nil)

	// The customer's browser posts the form and follows the link.
	page := post(t, hc, h.URL+portalmodel.PathPrefix+"help/", h.URL, url.Values{"name": {"Gina"}, "question": {"My printer is on fire"}})
	m := regexp.MustCompile(`href="(` + regexp.QuoteMeta(server.PathDownloadTicket) + `[A-Za-z0-9_-]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the form's answer has no ticket link:\n%s", page)
	}
	bin := fetch(t, hc, h.URL+m[1]+"?os=linux&arch="+runtime.GOARCH)
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

// call sends a JSON API request and decodes a 2xx answer into out.
func call(t *testing.T, hc *http.Client, base, method, path, token string, in, out any) {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// post submits a page's form as a browser does and returns the page.
func post(t *testing.T, hc *http.Client, u, origin string, f url.Values) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", u, strings.NewReader(f.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d\n%s", u, resp.StatusCode, b)
	}
	return string(b)
}

// fetch GETs u and returns the body of a 200 answer.
func fetch(t *testing.T, hc *http.Client, u string) []byte {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", u, resp.StatusCode, b)
	}
	return b
}
