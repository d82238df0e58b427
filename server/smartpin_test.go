package server_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client/joindata"
	"github.com/tandemhq/tandem/protocol"
	portalmodel "github.com/tandemhq/tandem/server/portal"
)

// codeLink finds the session code's download link on a page.
var codeLink = regexp.MustCompile(`id="download" href="(/download/[^"]+)"`)

// TestSmartPinTakesOnlyItsRepsCodes: a SmartPin page accepts the code of
// a rep who serves the site, or of a key made for it, and refuses
// another rep's code with its reason (the global code page takes any).
// The program downloaded there joins through the site, and the server
// checks the site again at the join, before the key is spent. Wrong codes
// count against the join's rate limit.
func TestSmartPinTakesOnlyItsRepsCodes(t *testing.T) {
	fp := newFormPortal(t, portalmodel.SmartPin)
	a, h, path, origin := fp.a, fp.h, portalmodel.PathPrefix+"help/", fp.h.URL
	h.AddRep(t, "finn", "finn-password-1", protocol.RoleRep)
	finn := a.login(t, "finn", "finn-password-1")
	key := func(tok, portal string) string {
		t.Helper()
		var k protocol.Key
		a.ok(t, "POST", protocol.PathKeys, tok, protocol.KeyRequest{Portal: portal}, &k)
		return k.Code
	}
	erins, finns, finnsForHelp := key(fp.erin.Token, ""), key(finn.Token, ""), key(finn.Token, "help")

	// The page's form posts to the page itself.
	if _, page := get(t, h, path, nil); !strings.Contains(string(page), `action="/p/help/"`) || !strings.Contains(string(page), `name="code"`) {
		t.Fatalf("SmartPin page: want the code form posting to /p/help/\n%s", page)
	}
	for _, tc := range []struct {
		name, path, code string
		status           int
		want             string
	}{
		{"the site's rep", path, erins, 200, "Portal help"},
		{"a key made for the site", path, finnsForHelp, 200, "Portal help"},
		{"another rep", path, finns, 404, "This code is not for Portal help"},
		{"an unknown code", path, "000000001", 404, "No session key has this code"},
		{"any code on the global page", "/", finns, 200, "Tandem support"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := form(t, a, "", tc.path, origin, url.Values{"code": {tc.code}, "name": {"Ada"}})
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("got %d; want %d with %q\n%s", status, tc.status, tc.want, body)
			}
			m := codeLink.FindStringSubmatch(body)
			switch {
			case tc.status != 200 && m != nil:
				t.Errorf("a refused code has a download link %s", m[1])
			case tc.status != 200 && !strings.Contains(body, `value="`+tc.code+`"`):
				t.Errorf("the refused code is not shown back for correcting")
			case tc.status == 200 && tc.path == path && (m == nil || !strings.Contains(m[1], "portal=help")):
				t.Errorf("download link %v; want one through portal help", m)
			case tc.status == 200 && tc.path == "/" && (m == nil || strings.Contains(m[1], "portal=")):
				t.Errorf("download link %v on the global page; want one without a portal", m)
			}
		})
	}

	// The program downloaded from the SmartPin page carries the site; the
	// chooser keeps it and the name.
	status, _, body := form(t, a, "", path, origin, url.Values{"code": {erins}, "name": {"Ada"}})
	m := codeLink.FindStringSubmatch(body)
	if status != 200 || m == nil {
		t.Fatalf("SmartPin code: %d\n%s", status, body)
	}
	link := strings.ReplaceAll(m[1], "&amp;", "&")
	if _, page := get(t, h, link, map[string]string{"User-Agent": "curl/8"}); !strings.Contains(string(page), "os=linux") || !strings.Contains(string(page), "portal=help") || !strings.Contains(string(page), "name=Ada") {
		t.Errorf("chooser of %s: want links keeping name and portal\n%s", link, page)
	}
	resp, bin := get(t, h, link+"&os=linux&arch="+runtime.GOARCH, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("download %s: %d %s", link, resp.StatusCode, bin)
	}
	d, err := joindata.Read(bytes.NewReader(bin), int64(len(bin)), fp.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.Code != erins || d.Portal != "help" || d.Name != "Ada" {
		t.Errorf("join data %+v; want erin's code through portal help for Ada", d)
	}
	if r := a.do(t, "GET", "/download/"+erins+"?os=linux&portal=Help!", "", nil); r.status != http.StatusBadRequest {
		t.Errorf("a download naming a malformed portal: %d; want 400", r.status)
	}

	// The join checks again: finn's code through portal help is refused
	// and not spent; erin's takes the site's configuration.
	r := a.do(t, "POST", protocol.PathJoin, "", protocol.JoinRequest{Code: finns, Portal: "help"})
	if r.status != http.StatusNotFound || !strings.Contains(string(r.body), "not for Portal help") {
		t.Errorf("join with another rep's code through the site: %d %s; want 404, not for Portal help", r.status, r.body)
	}
	var j protocol.JoinResponse
	a.ok(t, "POST", protocol.PathJoin, "", protocol.JoinRequest{Code: finns}, &j)
	a.ok(t, "POST", protocol.PathJoin, "", protocol.JoinRequest{Code: erins, Portal: "help"}, &j)
	if j.Session.Portal != fp.portal.ID {
		t.Errorf("session portal %q; want help's %q", j.Session.Portal, fp.portal.ID)
	}
	for _, tc := range []struct {
		portal string
		status int
	}{{"no-such-site", http.StatusNotFound}, {"Help!", http.StatusBadRequest}, {strings.Repeat("a", 64), http.StatusBadRequest}} {
		if r := a.do(t, "POST", protocol.PathJoin, "", protocol.JoinRequest{Code: finnsForHelp, Portal: tc.portal}); r.status != tc.status {
			t.Errorf("join through portal %q: %d %s; want %d", tc.portal, r.status, r.body, tc.status)
		}
	}

	// Wrong codes on the page are rate limited with the join: this
	// source has spent some of its allowance above; the rest runs out.
	limited := false
	for range 12 {
		status, hdr, body := form(t, a, "", path, origin, url.Values{"code": {finns}})
		if status == http.StatusTooManyRequests {
			limited = strings.Contains(body, "Too many wrong codes") && hdr.Get("Retry-After") != ""
			break
		}
	}
	if !limited {
		t.Error("wrong codes on the SmartPin page were never rate limited (with a message and Retry-After)")
	}
	fp.clk.Advance(11 * time.Minute)
	if status, _, _ := form(t, a, "", path, origin, url.Values{"code": {finnsForHelp}}); status != 200 {
		t.Errorf("after the window: %d; want the code accepted again", status)
	}
}
