package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client/joindata"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/servertest"
)

// form posts a portal page's form with a Host header ("" keeps the
// server's) and an Origin ("" sends none), and returns the answer.
func form(t testing.TB, a *api, host, path, origin string, f url.Values) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", a.h.URL+path, strings.NewReader(f.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if host != "" {
		req.Host = host
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// ticketLink finds the ticket download link on a page; "" when none.
var ticketLink = regexp.MustCompile(`href="(` + regexp.QuoteMeta(server.PathDownloadTicket) + `[A-Za-z0-9_-]+)"`)

// formPortal is a server with a client build to serve, a portal "help"
// served by a team whose only member is erin, and the admin's token.
type formPortal struct {
	h      *servertest.Harness
	a      *api
	clk    *clock
	admin  string
	erin   protocol.LoginResponse
	portal adminPortal
}

// newFormPortal starts the server; the portal has the given type.
func newFormPortal(t testing.TB, typ portalmodel.Type, opts ...servertest.Option) *formPortal {
	t.Helper()
	clk := newClock()
	h := servertest.Start(t, append([]servertest.Option{servertest.WithNow(clk.Now), servertest.WithKeyLifetime(20 * time.Minute)}, opts...)...)
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
	a := newAPI(t, h)
	fp := &formPortal{h: h, a: a, clk: clk, admin: a.login(t, "admin", admin).Token}
	if r := a.do(t, "POST", "/api/v1/admin/portals", fp.admin, map[string]any{"slug": "help", "name": "Portal help"}); r.status != http.StatusCreated || json.Unmarshal(r.body, &fp.portal) != nil {
		t.Fatalf("portal: %d %s", r.status, r.body)
	}
	fp.setType(t, typ)
	h.AddRep(t, "erin", "erin-password-1", protocol.RoleRep)
	fp.erin = a.login(t, "erin", "erin-password-1")
	r := a.do(t, "POST", "/api/v1/admin/teams", fp.admin, map[string]any{"name": "Tier 1", "portal_ids": []string{fp.portal.ID}, "rep_ids": []string{fp.erin.Rep.ID}})
	if r.status != http.StatusCreated {
		t.Fatalf("team: %d %s", r.status, r.body)
	}
	return fp
}

// setType changes the portal's type.
func (fp *formPortal) setType(t testing.TB, typ portalmodel.Type) {
	t.Helper()
	st := fp.portal.Settings
	st.Type = typ
	fp.a.ok(t, "PUT", "/api/v1/admin/portals/"+fp.portal.ID, fp.admin, map[string]any{"slug": fp.portal.Slug, "name": fp.portal.Name, "settings": st}, &fp.portal)
}

// TestPortalFormPerType: each request portal's page shows its form, and a
// refused request shows its reason with what was typed; SmartPin keeps
// the code form.
func TestPortalFormPerType(t *testing.T) {
	fp := newFormPortal(t, portalmodel.SmartButton)
	a, path, origin := fp.a, portalmodel.PathPrefix+"help/", fp.h.URL
	admins, err := fp.h.Server.Store().RepByUsername(t.Context(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		typ           portalmodel.Type
		form          url.Values // nil: GET the page
		status        int
		want, notWant []string
	}{
		{"button page", portalmodel.SmartButton, nil, 200,
			[]string{`id="request"`, `action="/p/help/"`, "Get help now", `name="name"`}, []string{`name="question"`, `name="code"`, `name="rep"`}},
		{"box page", portalmodel.SmartBox, nil, 200,
			[]string{`id="request"`, `name="question"`, "Get help now"}, []string{`name="code"`}},
		{"match page", portalmodel.SmartMatch, nil, 200,
			[]string{`id="reps"`, `type="radio" name="rep" value="` + fp.erin.Rep.ID + `"`, "erin"}, []string{`value="` + admins.ID + `"`, `name="code"`}},
		{"pin page", portalmodel.SmartPin, nil, 200, []string{`name="code"`}, []string{`id="request"`}},
		{"box without a question", portalmodel.SmartBox, url.Values{"name": {"Gina <b>"}, "question": {"  "}}, 400,
			[]string{"Please type your question", `value="Gina &lt;b&gt;"`, `id="request"`}, []string{"You are in the queue"}},
		{"box with a long question", portalmodel.SmartBox, url.Values{"name": {"Gina"}, "question": {strings.Repeat("x", protocol.MaxQuestionRunes+1)}}, 400,
			[]string{"at most 1000 characters", `value="Gina"`}, nil},
		{"long name", portalmodel.SmartButton, url.Values{"name": {strings.Repeat("n", protocol.MaxNameRunes+1)}}, 400,
			[]string{"at most 80 characters"}, nil},
		{"name with a newline", portalmodel.SmartButton, url.Values{"name": {"Gi\nna"}}, 400,
			[]string{"no special control characters"}, nil},
		{"match without a choice", portalmodel.SmartMatch, url.Values{"name": {"Hal"}}, 400,
			[]string{"Please choose the representative", `value="Hal"`, `id="reps"`}, nil},
		{"match with a rep who does not serve the portal", portalmodel.SmartMatch, url.Values{"name": {"Hal"}, "rep": {admins.ID}}, 404,
			[]string{"does not serve this portal", `value="Hal"`, `id="reps"`}, []string{"You are in the queue"}},
		{"match with an unknown rep", portalmodel.SmartMatch, url.Values{"rep": {"nobody"}}, 404,
			[]string{"does not serve this portal"}, nil},
		{"button", portalmodel.SmartButton, url.Values{"name": {"Ivy"}}, 200,
			[]string{"You are in the queue — download the support program and run it", "Thank you, Ivy.", `href="/download/ticket/`}, []string{`id="request"`}},
		{"match", portalmodel.SmartMatch, url.Values{"name": {"Hal"}, "rep": {fp.erin.Rep.ID}}, 200,
			[]string{"You are in the queue", `href="/download/ticket/`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fp.setType(t, tc.typ)
			var status int
			var body string
			if tc.form == nil {
				status, body = a.page(t, "", path, "")
			} else {
				status, _, body = form(t, a, "", path, origin, tc.form)
			}
			if status != tc.status {
				t.Errorf("got status %d; want %d\n%s", status, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("got a page without %q; want it\n%s", w, body)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("got a page with %q; want none", w)
				}
			}
		})
	}
	// Only the two accepted requests reached erin's queue.
	var q protocol.Queue
	a.ok(t, "GET", protocol.PathQueue, fp.erin.Token, nil, &q)
	var names []string
	for _, w := range q.Waiting {
		names = append(names, w.CustomerName)
	}
	if slices.Sort(names); !slices.Equal(names, []string{"Hal", "Ivy"}) {
		t.Errorf("erin's queue: got %q; want Hal's and Ivy's sessions", names)
	}
}

// TestPortalFormClosed: a request portal that nobody serves shows its
// orphaned message and no form, and a post is refused with the message.
func TestPortalFormClosed(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	p := setPortal(t, a, tok, createPortal(t, a, tok, "help"), func(s *portalmodel.Settings) {
		s.Type = portalmodel.SmartBox
		s.Client.Orphan.URL = "https://example.com/hours"
	})
	en, _ := protocol.DefaultMessages("en")
	for _, typ := range []portalmodel.Type{portalmodel.SmartButton, portalmodel.SmartBox, portalmodel.SmartMatch} {
		p = setPortal(t, a, tok, p, func(s *portalmodel.Settings) { s.Type = typ })
		status, body := a.page(t, "", portalmodel.PathPrefix+"help/", "")
		if status != 200 || !strings.Contains(body, `id="closed"`) || !strings.Contains(body, templateEscape(en.Orphaned)) ||
			!strings.Contains(body, `href="https://example.com/hours"`) {
			t.Errorf("%s closed page: %d; want the orphaned message and link\n%s", typ, status, body)
		}
		for _, no := range []string{"<form", `name="code"`, "Get help now"} {
			if strings.Contains(body, no) {
				t.Errorf("%s closed page has %q; want no form", typ, no)
			}
		}
		status, _, body = form(t, a, "", portalmodel.PathPrefix+"help/", h.URL, url.Values{"name": {"Ivy"}, "question": {"?"}, "rep": {"x"}})
		if status != http.StatusServiceUnavailable || !strings.Contains(body, templateEscape(en.Orphaned)) || strings.Contains(body, "<form") {
			t.Errorf("%s closed post: %d; want 503 with the orphaned message and no form\n%s", typ, status, body)
		}
	}
}

// TestPortalFormCrossSite: a form post from another site, or without an
// Origin or Referer, is refused and creates no session.
func TestPortalFormCrossSite(t *testing.T) {
	fp := newFormPortal(t, portalmodel.SmartButton)
	for _, tc := range []struct{ name, origin string }{
		{"other site", "https://evil.example"},
		{"no origin", ""},
		{"http", strings.Replace(fp.h.URL, "https://", "http://", 1)},
		{"null", "null"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := form(t, fp.a, "", portalmodel.PathPrefix+"help/", tc.origin, url.Values{"name": {"Eve"}})
			if status != http.StatusForbidden || !strings.Contains(body, "refused") {
				t.Errorf("got %d %q; want 403 refused", status, body)
			}
		})
	}
	var q protocol.Queue
	fp.a.ok(t, "GET", protocol.PathQueue, fp.erin.Token, nil, &q)
	if len(q.Waiting) != 0 {
		t.Errorf("erin's queue after cross-site posts: got %d sessions; want none", len(q.Waiting))
	}
}

// TestPortalFormRateLimit: the form and the JSON requests share one limit
// per address.
func TestPortalFormRateLimit(t *testing.T) {
	fp := newFormPortal(t, portalmodel.SmartButton)
	const max = 20 // portalRequestMax
	for i := range max {
		if i%2 == 0 {
			if r := fp.a.do(t, "POST", protocol.PathPortals+"help/requests", "", protocol.PortalRequest{}); r.status != http.StatusOK {
				t.Fatalf("JSON request %d: %d %s", i, r.status, r.body)
			}
		} else if status, _, body := form(t, fp.a, "", portalmodel.PathPrefix+"help/", fp.h.URL, url.Values{}); status != http.StatusOK {
			t.Fatalf("form request %d: %d %s", i, status, body)
		}
	}
	status, hdr, body := form(t, fp.a, "", portalmodel.PathPrefix+"help/", fp.h.URL, url.Values{"name": {"Ivy"}})
	if status != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" || !strings.Contains(body, "Please wait a few minutes") ||
		!strings.Contains(body, `value="Ivy"`) {
		t.Errorf("form over the limit: %d, Retry-After %q; want 429 with Retry-After, a message and the name typed\n%s", status, hdr.Get("Retry-After"), body)
	}
	checkLimited(t, fp.a.do(t, "POST", protocol.PathPortals+"help/requests", "", protocol.PortalRequest{}))
	fp.clk.Advance(11 * time.Minute)
	if status, _, body := form(t, fp.a, "", portalmodel.PathPrefix+"help/", fp.h.URL, url.Values{}); status != http.StatusOK {
		t.Errorf("form after the window: %d; want 200\n%s", status, body)
	}
}

// TestPortalFormTicketDownload: the form's download link serves the
// support program with a queue ticket that says who the customer is in
// the waiting session; the link works once and expires; the token is in
// no URL or page.
func TestPortalFormTicketDownload(t *testing.T) {
	fp := newFormPortal(t, portalmodel.SmartBox)
	a, h := fp.a, fp.h
	// A portal's host name: the page and its form are at "/".
	fp.portal = setPortalHost(t, a, fp.admin, fp.portal, "help.example.com")
	status, body := a.page(t, "help.example.com", "/", "")
	if status != 200 || !strings.Contains(body, `action="/"`) || !strings.Contains(body, `name="question"`) {
		t.Fatalf("host page: %d; want the SmartBox form posting to /\n%s", status, body)
	}
	status, _, body = form(t, a, "help.example.com", "/", "https://help.example.com",
		url.Values{"name": {" Gina "}, "question": {"My printer\r\nis on fire"}})
	m := ticketLink.FindStringSubmatch(body)
	if status != 200 || m == nil {
		t.Fatalf("form post: %d; want the queue page with the ticket link\n%s", status, body)
	}
	link := m[1]

	// The chooser does not spend the nonce.
	resp, page := get(t, h, link, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(page), `href="`+link+`?os=linux"`) || !strings.Contains(string(page), "You are in the queue") {
		t.Errorf("chooser: %d; want the systems to choose from\n%s", resp.StatusCode, page)
	}
	// Neither does a HEAD request.
	head, err := http.NewRequestWithContext(t.Context(), "HEAD", h.URL+link+"?os=linux&arch="+runtime.GOARCH, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := a.client.Do(head); err != nil || resp.StatusCode != 200 || resp.ContentLength <= 0 {
		t.Errorf("HEAD download: %v %v; want 200 with the length", resp, err)
	} else {
		resp.Body.Close()
	}
	resp, bin := get(t, h, link+"?os=linux&arch="+runtime.GOARCH, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("download: %d %s", resp.StatusCode, bin)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="tandem-support"` {
		t.Errorf("Content-Disposition %q; want tandem-support", cd)
	}
	d, err := joindata.Read(bytes.NewReader(bin), int64(len(bin)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.Ticket == "" || d.Code != "" || d.Name != "Gina" || d.Server != h.URL || d.Portal != "help" || d.Fingerprint() != h.Fingerprint {
		t.Errorf("join data %+v; want a ticket, name Gina, portal help and this server", d)
	}
	if strings.Contains(body, d.Ticket) || strings.Contains(link, d.Ticket) {
		t.Error("the ticket's token is on the page or in the link")
	}

	// The ticket says who the customer is; erin's queue has the request.
	var me protocol.Me
	a.ok(t, "GET", protocol.PathMe, d.Ticket, nil, &me)
	var q protocol.Queue
	a.ok(t, "GET", protocol.PathQueue, fp.erin.Token, nil, &q)
	if len(q.Waiting) != 1 || q.Waiting[0].ID != me.Session || q.Waiting[0].CustomerName != "Gina" || q.Waiting[0].Question != "My printer\nis on fire" {
		t.Errorf("erin's queue: got %+v; want Gina's session %s with her question", q.Waiting, me.Session)
	}
	if me.Participant.Role != protocol.RoleCustomer || me.Participant.Name != "Gina" || me.Participant.ID == "" {
		t.Errorf("me: got %+v; want the customer Gina", me)
	}

	// Spent: the second download, and even the chooser, are refused.
	for _, p := range []string{link + "?os=linux&arch=" + runtime.GOARCH, link} {
		resp, page = get(t, h, p, nil)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(page), "already been used or has expired") {
			t.Errorf("GET %s again: %d; want 404 with a clear message\n%s", p, resp.StatusCode, page)
		}
	}

	// An unspent link expires after 10 minutes.
	_, _, body = form(t, a, "", portalmodel.PathPrefix+"help/", h.URL, url.Values{"question": {"Again"}})
	m = ticketLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("second form post: no ticket link\n%s", body)
	}
	fp.clk.Advance(10*time.Minute + time.Second)
	resp, page = get(t, h, m[1]+"?os=linux&arch="+runtime.GOARCH, nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(page), "already been used or has expired") {
		t.Errorf("expired link: %d; want 404\n%s", resp.StatusCode, page)
	}
	for _, bad := range []string{"abc", strings.Repeat("A", 32), strings.Repeat("A", 33)} {
		resp, _ = get(t, h, server.PathDownloadTicket+bad, nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET ticket %q: %d; want 404", bad, resp.StatusCode)
		}
	}
}

// setPortalHost gives a portal a host name.
func setPortalHost(t *testing.T, a *api, tok string, p adminPortal, host string) adminPortal {
	t.Helper()
	var got adminPortal
	a.ok(t, "PUT", "/api/v1/admin/portals/"+p.ID, tok, map[string]any{"slug": p.Slug, "name": p.Name, "host": host, "settings": p.Settings}, &got)
	return got
}

// TestMe: a customer token says who it is; others are refused.
func TestMe(t *testing.T) {
	fp := newFormPortal(t, portalmodel.SmartButton)
	a := fp.a
	r := a.do(t, "POST", protocol.PathPortals+"help/requests", "", protocol.PortalRequest{Name: "Jo"})
	var j protocol.JoinResponse
	if r.status != 200 || json.Unmarshal(r.body, &j) != nil {
		t.Fatalf("request: %d %s", r.status, r.body)
	}
	var me protocol.Me
	a.ok(t, "GET", protocol.PathMe, j.Token, nil, &me)
	if me.Session != j.Session.ID || me.Participant != j.Participant {
		t.Errorf("me: got %+v; want session %s and %+v", me, j.Session.ID, j.Participant)
	}
	wantRefused(t, a.do(t, "GET", protocol.PathMe, "", nil), 401, protocol.CodeUnauthorized, "no bearer token")
	wantRefused(t, a.do(t, "GET", protocol.PathMe, "not-a-token", nil), 401, protocol.CodeUnauthorized, "unknown or expired")
	wantRefused(t, a.do(t, "GET", protocol.PathMe, fp.erin.Token, nil), 403, protocol.CodeForbidden, "customer")
}

// TestDownloadRefusesBadName: a code download's name that join data
// cannot carry is refused with its reason, not a failed download.
func TestDownloadRefusesBadName(t *testing.T) {
	h := servertest.Start(t)
	for _, name := range []string{"a%0Ab", strings.Repeat("n", protocol.MaxNameRunes+1)} {
		resp, body := get(t, h, server.PathDownload+"123456789?os=linux&name="+name, nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "no special control characters") {
			t.Errorf("name %q: %d; want 400 with the reason\n%s", name, resp.StatusCode, body)
		}
	}
}

// BenchmarkPortalFormTicket measures what a customer's browser waits for
// between "Get help now" and the support program: the SmartBox form's
// post (a session, its snapshot and a ticket) and the download of the
// program (here /bin/true) with its signed join data, over HTTPS.
func BenchmarkPortalFormTicket(b *testing.B) {
	fp := newFormPortal(b, portalmodel.SmartBox, servertest.WithLogger(discard))
	f := url.Values{"name": {"Gina"}, "question": {"My printer is on fire"}}
	i := 0
	for b.Loop() {
		if i++; i%20 == 0 { // the per-address limit of requests
			fp.clk.Advance(11 * time.Minute)
		}
		status, _, body := form(b, fp.a, "", portalmodel.PathPrefix+"help/", fp.h.URL, f)
		m := ticketLink.FindStringSubmatch(body)
		if status != http.StatusOK || m == nil {
			b.Fatalf("form: %d\n%s", status, body)
		}
		req, err := http.NewRequestWithContext(b.Context(), "GET", fp.h.URL+m[1]+"?os=linux&arch="+runtime.GOARCH, nil)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := fp.a.client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("download: %d, %d bytes, %v", resp.StatusCode, n, err)
		}
	}
}
