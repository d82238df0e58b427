package servertest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Call sends a JSON API request to the server (path like
// "/api/v1/admin/portals"; token empty for none) and decodes a 2xx
// answer into out (nil: ignored). Any other answer fails the test.
func (h *Harness) Call(t testing.TB, method, path, token string, in, out any) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, h.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	b := h.do(t, req)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("servertest: %s %s: %v", method, path, err)
		}
	}
}

// PostForm submits a page's form as a browser on the server's own page
// does (same Origin) and returns the page it answers with 2xx.
func (h *Harness) PostForm(t testing.TB, path string, f url.Values) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", h.URL+path, strings.NewReader(f.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", h.URL)
	return string(h.do(t, req))
}

// Get returns the body of a 2xx answer to GET path.
func (h *Harness) Get(t testing.TB, path string) []byte {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", h.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return h.do(t, req)
}

// do sends req with a client pinned to the server and returns a 2xx
// answer's body.
func (h *Harness) do(t testing.TB, req *http.Request) []byte {
	t.Helper()
	hc := h.Client()
	defer hc.CloseIdleConnections()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("servertest: %s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("servertest: %s %s: %v", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode/100 != 2 {
		t.Fatalf("servertest: %s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	return b
}
