package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/protocol"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/servertest"
)

// page fetches a page with a Host header ("" keeps the server's) and
// returns the status and body.
func (a *api) page(t *testing.T, host, path, acceptLang string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", a.h.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if acceptLang != "" {
		req.Header.Set("Accept-Language", acceptLang)
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
	return resp.StatusCode, string(b)
}

// TestPortalRouting: each portal and subportal has its page at
// /p/{slug}/; a request for a portal's host name gets that portal's page
// at "/"; any other host gets the default code page. A bad or taken host
// name is refused by the admin API with its reason.
func TestPortalRouting(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	help := createPortal(t, a, tok, "help")
	var got adminPortal
	a.ok(t, "PUT", "/api/v1/admin/portals/"+help.ID, tok, map[string]any{
		"slug": "help", "name": "Help desk", "host": "Help.Example.com", "settings": help.Settings,
	}, &got)
	if got.Host != "help.example.com" || got.URL != "https://help.example.com/" {
		t.Errorf("portal with host: host %q url %q; want help.example.com and its URL", got.Host, got.URL)
	}
	r := a.do(t, "POST", "/api/v1/admin/portals", tok, map[string]any{"slug": "billing", "name": "Billing", "parent_id": help.ID})
	if r.status != http.StatusCreated {
		t.Fatalf("subportal: %d %s", r.status, r.body)
	}

	de, _ := protocol.DefaultMessages("de")
	for _, tc := range []struct {
		name, host, path, lang string
		status                 int
		want, notWant          []string
	}{
		{"slug", "", portalmodel.PathPrefix + "help/", "", 200, []string{`data-portal="help"`, "<h1>Help desk</h1>", `name="code"`}, nil},
		{"subportal slug", "", portalmodel.PathPrefix + "billing/", "", 200, []string{`data-portal="billing"`, "<h1>Billing</h1>"}, nil},
		{"unknown slug", "", portalmodel.PathPrefix + "nope/", "", 404, []string{"no support site at this address"}, []string{"data-portal"}},
		{"host", "help.example.com", "/", "", 200, []string{`data-portal="help"`, "<h1>Help desk</h1>"}, nil},
		{"host with port and case", "HELP.example.com:8443", "/", "", 200, []string{`data-portal="help"`}, nil},
		{"unknown host", "other.example.com", "/", "", 200, []string{"<h1>Tandem support</h1>", `name="code"`}, []string{"data-portal"}},
		{"server's own address", "", "/", "", 200, []string{"<h1>Tandem support</h1>"}, []string{"data-portal"}},
		// Without teams the portal takes no requests: its orphaned message, in the browser's language.
		{"closed, German", "help.example.com", "/", "de-CH,de;q=0.9,en;q=0.5", 200, []string{`id="closed"`, templateEscape(de.Orphaned)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := a.page(t, tc.host, tc.path, tc.lang)
			if status != tc.status {
				t.Errorf("got status %d; want %d", status, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("got a page without %q; want it", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("got a page with %q; want none", w)
				}
			}
		})
	}

	// Bad and taken host names are refused with their reason.
	base := map[string]any{"slug": "help", "name": "Help desk", "settings": help.Settings}
	for _, tc := range []struct {
		name, host string
		status     int
		code       protocol.ErrorCode
		want       string
	}{
		{"underscore", "help_desk.example.com", 400, protocol.CodeBadData, "is not a host name"},
		{"URL", "https://help.example.com/", 400, protocol.CodeBadData, "is not a host name"},
		{"too long label", strings.Repeat("a", 64) + ".example.com", 400, protocol.CodeBadData, "is not a host name"},
	} {
		t.Run("refused "+tc.name, func(t *testing.T) {
			body := map[string]any{"host": tc.host}
			for k, v := range base {
				body[k] = v
			}
			wantRefused(t, a.do(t, "PUT", "/api/v1/admin/portals/"+help.ID, tok, body), tc.status, tc.code, tc.want)
		})
	}
	r = a.do(t, "POST", "/api/v1/admin/portals", tok, map[string]any{"slug": "other", "name": "Other", "host": "help.example.com"})
	if r.status < 400 || r.status > 499 {
		t.Errorf("a second portal with the same host: status %d %s; want refused", r.status, r.body)
	} else if e := r.errBody(t); !strings.Contains(e.Message, "host") && !strings.Contains(e.Message, "taken") {
		t.Errorf("a second portal with the same host: %q; want the reason", e.Message)
	}
}

// templateEscape is how html/template writes a text.
func templateEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}
