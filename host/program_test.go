//go:build linux || darwin

package host

import (
	"errors"
	"strings"
	"testing"
)

// TestStartElevatedWait runs real processes through startElevated to check
// the plumbing around the relaunch: the process starts, its stderr is kept
// and its exit is mapped to the elevation errors. sh stands in for the
// mechanism, since the tests already run as root.
func TestStartElevatedWait(t *testing.T) {
	tests := []struct {
		name   string
		method string
		argv   []string
		want   error // nil: Wait returns nil
	}{
		{"success", "sudo", []string{"sh", "-c", "exit 0"}, nil},
		{"sudo wants a password", "sudo", []string{"sh", "-c", "echo 'sudo: a password is required' >&2; exit 1"}, ErrElevationWouldPrompt},
		{"pkexec dismissed", "pkexec", []string{"sh", "-c", "echo 'Error executing command as another user: Request dismissed' >&2; exit 126"}, ErrElevationDeclined},
		{"osascript cancelled", "osascript", []string{"sh", "-c", "echo '0:98: execution error: User canceled. (-128)' >&2; exit 1"}, ErrElevationDeclined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := startElevated(tt.method, tt.argv)
			if err != nil {
				t.Fatalf("startElevated: %v", err)
			}
			if e.Already || e.Method != tt.method {
				t.Errorf("Elevation: got %+v; want method %q", e, tt.method)
			}
			err = e.Wait()
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Wait: got %v; want %v", err, tt.want)
			}
		})
	}
	if _, err := startElevated("pkexec", []string{"tandem-no-such-program"}); !errors.Is(err, ErrElevationUnavailable) {
		t.Errorf("missing program: got %v; want ErrElevationUnavailable", err)
	}
}

func TestHeadBuffer(t *testing.T) {
	b := &headBuffer{max: 5}
	for _, s := range []string{"abc", "defgh", "ij"} {
		if n, err := b.Write([]byte(s)); n != len(s) || err != nil {
			t.Errorf("Write(%q): got %d, %v; want %d, nil", s, n, err, len(s))
		}
	}
	if got, want := b.String(), "abcde"; got != want {
		t.Errorf("String: got %q; want %q", got, want)
	}
}

func TestRunProgram(t *testing.T) {
	if err := runProgram(t.Context(), nil, "tandem-no-such-program"); !errors.Is(err, errNotInstalled) {
		t.Errorf("missing: got %v; want errNotInstalled", err)
	}
	err := runProgram(t.Context(), nil, "sh", "-c", "echo '  bad\n  thing ' >&2; exit 3")
	if err == nil || !strings.Contains(err.Error(), "exit status 3: bad thing") {
		t.Errorf("failure: got %v; want exit status 3 with the stderr", err)
	}
	if err := runProgram(t.Context(), nil, "true"); err != nil {
		t.Errorf("true: got %v; want nil", err)
	}
}
