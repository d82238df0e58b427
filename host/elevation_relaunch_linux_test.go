package host

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProbeSilentElevation: the tests run as root with sudo installed, so
// `sudo -n true` succeeds and elevation would not prompt.
func TestProbeSilentElevation(t *testing.T) {
	if err := (&Host{}).ProbeSilentElevation(t.Context()); err != nil {
		t.Fatalf("ProbeSilentElevation: got %v; want nil (root, sudo installed)", err)
	}
}

// TestRelaunchThroughSudoKeepsTheDisplay relaunches a program through
// sudo -n for real, with the command line Elevate builds: sudo resets the
// environment, and the display and its authority still reach the
// relaunched program, as do arguments with spaces and quotes.
func TestRelaunchThroughSudoKeepsTheDisplay(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "env")
	vars := map[string]string{"DISPLAY": ":0", "HOME": "/home/ann", "LANG": "de_DE.UTF-8", "SECRET": "x"}
	env := elevatedEnv(func(k string) string { return vars[k] }, ":77")
	script := `printf '%s|%s|%s|%s|%s' "$DISPLAY" "$XAUTHORITY" "$LANG" "$SECRET" "$1" > "$0"`
	e, err := startElevated("sudo", sudoCommand("/bin/sh", []string{"-c", script, out, `-resume /tmp/a b'"`}, env))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Wait(); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := `:77|/home/ann/.Xauthority|de_DE.UTF-8||-resume /tmp/a b'"`
	if got := strings.TrimSpace(string(b)); got != want {
		t.Errorf("the relaunched program saw %q; want %q", got, want)
	}
}
