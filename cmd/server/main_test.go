package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// build compiles the server without cgo, as it ships.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tandem-server")
	cmd := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	return bin
}

// runServer starts the binary, waits for its URL line and returns the
// lines of stdout it printed up to then, and a stop function.
func runServer(t *testing.T, bin, data string, env ...string) (lines []string, url string, stop func()) {
	t.Helper()
	cmd := exec.Command(bin, "-data", data, "-addr", "127.0.0.1:0", "-turn-addr", "127.0.0.1:0", "-log-level", "warn")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("server exit after SIGTERM: %v", err)
		}
	}
	t.Cleanup(stop)
	sc := bufio.NewScanner(out)
	re := regexp.MustCompile(`Tandem server at (https://\S+) `)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, out)
			return lines, m[1], stop
		}
	}
	t.Fatalf("server printed no URL; stdout: %q", lines)
	return nil, "", nil
}

func TestServerBinary(t *testing.T) {
	bin := build(t)
	data := filepath.Join(t.TempDir(), "data")

	out, err := exec.Command(bin, "-data", data, "-print-fingerprint").Output()
	if err != nil {
		t.Fatalf("-print-fingerprint: %v", err)
	}
	fp := strings.TrimSpace(string(out))
	if ok, _ := regexp.MatchString("^[0-9a-f]{64}$", fp); !ok {
		t.Fatalf("-print-fingerprint printed %q; want 64 hex digits", out)
	}

	lines, url, stop := runServer(t, bin, data, "TANDEM_ADMIN_PASSWORD=first-run-password")
	if want := "First admin account: admin / first-run-password"; !strings.Contains(strings.Join(lines, "\n"), want) {
		t.Errorf("first run printed %q; want %q", lines, want)
	}
	if !strings.Contains(strings.Join(lines, "\n"), fp) {
		t.Errorf("first run printed %q; want the fingerprint %s", lines, fp)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/healthz", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok" {
		t.Errorf("healthz = %d %q; want 200 ok", resp.StatusCode, body)
	}
	stop()

	lines, _, _ = runServer(t, bin, data, "TANDEM_ADMIN_PASSWORD=second-run-password")
	if strings.Contains(strings.Join(lines, "\n"), "First admin account") {
		t.Errorf("second run printed %q; want no admin password", lines)
	}
}
