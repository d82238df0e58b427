package server_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client/joindata"
	"github.com/tandemhq/tandem/server"
	"github.com/tandemhq/tandem/server/servertest"
)

// get fetches path from the harness with optional headers.
func get(t *testing.T, h *servertest.Harness, path string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", h.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := h.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// TestDownloadCarriesJoinData serves a real executable (/bin/true) from
// the data directory's clients folder and checks that the download carries
// valid join data for this server and still runs.
func TestDownloadCarriesJoinData(t *testing.T) {
	h := servertest.Start(t, servertest.WithKeyLifetime(20*time.Minute))
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

	resp, body := get(t, h, server.PathDownload+"123-456-789?os=linux&arch="+runtime.GOARCH+"&name=Ada", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET download: %d %s", resp.StatusCode, body)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="tandem-support-123456789"` {
		t.Errorf("Content-Disposition %q; want an attachment named tandem-support-123456789", cd)
	}
	if !bytes.Equal(body[:len(prog)], prog) {
		t.Fatal("the served program differs from the build")
	}
	now := time.Now()
	d, err := joindata.Read(bytes.NewReader(body), int64(len(body)), now)
	if err != nil {
		t.Fatal(err)
	}
	if d.Server != h.URL || d.Code != "123456789" || d.Name != "Ada" || d.Fingerprint() != h.Fingerprint {
		t.Errorf("join data %+v (fingerprint %s); want server %s, code 123456789, name Ada, fingerprint %s", d, d.Fingerprint(), h.URL, h.Fingerprint)
	}
	if _, err := joindata.Read(bytes.NewReader(body), int64(len(body)), now.Add(21*time.Minute)); !errors.Is(err, joindata.ErrExpired) {
		t.Errorf("read after the key lifetime: %v; want ErrExpired", err)
	}
	bad := bytes.Clone(body)
	bad[len(prog)+40] ^= 0x20
	if _, err := joindata.Read(bytes.NewReader(bad), int64(len(bad)), now); err == nil {
		t.Error("a changed byte in the trailer was accepted")
	}

	// The trailer does not stop the program from running.
	exe := filepath.Join(t.TempDir(), "tandem-support-123456789")
	if err := os.WriteFile(exe, body, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(exe).CombinedOutput(); err != nil {
		t.Errorf("run the downloaded program: %v\n%s", err, out)
	}

	// Each download is signed afresh, so ranges (which would join two
	// trailers) are refused by answering with the whole file.
	resp, whole := get(t, h, server.PathDownload+"123456789?os=linux&arch="+runtime.GOARCH, map[string]string{"Range": "bytes=100-199"})
	if _, err := joindata.Read(bytes.NewReader(whole), int64(len(whole)), now); resp.StatusCode != http.StatusOK || err != nil || resp.Header.Get("Accept-Ranges") != "none" {
		t.Errorf("range request: %d, Accept-Ranges %q, join data %v; want 200, none and the whole file", resp.StatusCode, resp.Header.Get("Accept-Ranges"), err)
	}
	// The browser's system picks the build when ?os is missing.
	resp, _ = get(t, h, server.PathDownload+"123456789?arch="+runtime.GOARCH, map[string]string{"User-Agent": "Mozilla/5.0 (X11; Linux x86_64)"})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("download for a Linux browser: %d; want 200", resp.StatusCode)
	}
}

func TestDownloadRefuses(t *testing.T) {
	h := servertest.Start(t)
	for _, tc := range []struct {
		name, path string
		status     int
		text       string
	}{
		{"bad code", "12345?os=linux", http.StatusNotFound, "valid session code"},
		{"unknown system", "123456789?os=plan9", http.StatusBadRequest, "Windows, macOS or Linux"},
		{"unknown arch", "123456789?os=linux&arch=mips", http.StatusBadRequest, "Windows, macOS or Linux"},
		{"no build", "123456789?os=windows", http.StatusNotFound, "not available on this server"},
		{"unknown browser", "123456789", http.StatusOK, `href="/download/123456789?os=darwin"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, h, server.PathDownload+tc.path, nil)
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.text) {
				t.Errorf("GET %s: %d %q; want %d with %q", tc.path, resp.StatusCode, body, tc.status, tc.text)
			}
		})
	}
}
