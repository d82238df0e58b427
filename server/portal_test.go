package server_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

// page fetches a portal page; form, when not nil, is posted with origin.
func page(t *testing.T, a *api, method, path, origin string, form url.Values) (int, http.Header, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, a.h.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
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

func TestPortal(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	tok := a.login(t, h.AdminUser, h.AdminPassword).Token
	k := a.key(t, tok)

	status, hdr, body := page(t, a, "GET", "/", "", nil)
	if status != 200 || !strings.Contains(body, `name="code"`) || !strings.Contains(body, "9-digit") {
		t.Errorf("GET / = %d; want 200 with the code form:\n%s", status, body)
	}
	for name, want := range map[string]string{
		"X-Frame-Options":        "DENY",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
		"Content-Type":           "text/html; charset=utf-8",
	} {
		if got := hdr.Get(name); got != want {
			t.Errorf("%s: %q; want %q", name, got, want)
		}
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q; want default-src 'none' and frame-ancestors 'none'", csp)
	}
	if strings.Contains(body, "http://") || strings.Contains(body, "<script") {
		t.Error("the portal page loads external resources or scripts")
	}

	origin := h.URL
	for _, tc := range []struct {
		name, origin string
		form         url.Values
		status       int
		want         []string
	}{
		{"right code", origin, url.Values{"code": {protocol.FormatCode(k.Code)}, "name": {"Carol <b>"}}, 200,
			[]string{protocol.FormatCode(k.Code), "tandem-customer -join " + h.URL + "/k/" + k.Code + "?fp=" + h.Fingerprint, "Download the support program", "Carol &lt;b&gt;"}},
		{"short code", origin, url.Values{"code": {"12345"}}, 400, []string{"exactly 9 digits", `value="12345"`}},
		{"letters", origin, url.Values{"code": {"12345678x"}}, 400, []string{"exactly 9 digits"}},
		{"cross-site post", "https://evil.example", url.Values{"code": {k.Code}}, 403, []string{"refused"}},
		{"no origin", "", url.Values{"code": {k.Code}}, 403, []string{"refused"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := page(t, a, "POST", "/", tc.origin, tc.form)
			if status != tc.status {
				t.Errorf("status %d; want %d\n%s", status, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q:\n%s", w, body)
				}
			}
		})
	}

	status, _, body = page(t, a, "GET", "/k/"+k.Code+"?fp="+h.Fingerprint, "", nil)
	if status != 200 || !strings.Contains(body, protocol.FormatCode(k.Code)) || !strings.Contains(body, "tandem-customer -join") ||
		!strings.Contains(body, `href="/download/`+k.Code+`"`) {
		t.Errorf("GET key page = %d; want the code, the download link and how to connect:\n%s", status, body)
	}
	status, _, body = page(t, a, "GET", "/k/12ab", "", nil)
	if status != 404 || !strings.Contains(body, "does not hold a valid session code") {
		t.Errorf("GET bad key page = %d; want 404 with a clear message:\n%s", status, body)
	}
	// Showing the pages did not spend the key.
	a.join(t, k.Code, "")
}
