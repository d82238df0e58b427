package host

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/user"
	"runtime"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/tandemhq/tandem/internal/xvfb"
)

// osReleaseField reads one field of /etc/os-release the simplest way, to
// check Collect against.
func osReleaseField(t *testing.T, key string) string {
	t.Helper()
	f, err := os.Open("/etc/os-release")
	if err != nil {
		t.Fatalf("open /etc/os-release: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key+"="); ok {
			return strings.Trim(v, `"'`)
		}
	}
	return ""
}

func TestCollect(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 800, Height: 600}, {Width: 640, Height: 480}}})
	h := &Host{Display: d.Name}
	info, err := h.Collect(t.Context())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	hostname, err := os.Hostname()
	if err != nil {
		t.Fatalf("os.Hostname: %v", err)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatalf("user.Current: %v", err)
	}
	version := osReleaseField(t, "VERSION")
	if version == "" {
		version = osReleaseField(t, "VERSION_ID")
	}
	tests := []struct{ field, got, want string }{
		{"Hostname", info.Hostname, hostname},
		{"OS", info.OS, "linux"},
		{"OSName", info.OSName, osReleaseField(t, "NAME")},
		{"OSVersion", info.OSVersion, version},
		{"Arch", info.Arch, runtime.GOARCH},
		{"User", info.User, u.Username},
	}
	for _, tt := range tests {
		if tt.got != tt.want || tt.want == "" {
			t.Errorf("%s: got %q; want %q (not empty)", tt.field, tt.got, tt.want)
		}
	}
	if !strings.HasPrefix(info.Kernel, readKernelRelease(t)) || info.Kernel == "" {
		t.Errorf("Kernel: got %q; want %q", info.Kernel, readKernelRelease(t))
	}
	if info.Elevated != (os.Geteuid() == 0) {
		t.Errorf("Elevated: got %v; want %v", info.Elevated, os.Geteuid() == 0)
	}
	if info.Screens != 2 {
		t.Errorf("Screens: got %d; want 2 (Xvfb with two Xinerama screens)", info.Screens)
	}
	b, err := json.Marshal(info)
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	for _, key := range []string{`"hostname":`, `"osName":`, `"kernel":`, `"elevated":`, `"screens":2`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s: missing %s", b, key)
		}
	}
}

func readKernelRelease(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		t.Fatalf("kernel release: %v", err)
	}
	return strings.TrimSpace(string(b))
}

func TestCollectCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := (&Host{}).Collect(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Collect(canceled): got %v; want context.Canceled", err)
	}
}

func TestParseOSRelease(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]string // the variables parsed
		bad  bool              // whether a line is malformed
	}{
		{"debian", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n",
			map[string]string{"PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)", "NAME": "Debian GNU/Linux", "VERSION_ID": "12", "ID": "debian"}, false},
		{"comments, blanks, single quotes, escapes", "# c\n\n  NAME='Arch Linux'\nX=\"a \\\"b\\\" \\$c \\\\ d\"\nEMPTY=\n",
			map[string]string{"NAME": "Arch Linux", "X": `a "b" $c \ d`, "EMPTY": ""}, false},
		{"no equals", "NAME\n", map[string]string{}, true},
		{"bad key", "1NAME=x\n", map[string]string{}, true},
		{"unterminated", "NAME=\"Debian\n", map[string]string{}, true},
		{"unquoted space", "NAME=Debian GNU\n", map[string]string{}, true},
		{"unescaped dollar", "NAME=\"$(reboot)\"\n", map[string]string{}, true},
		{"quote inside single", "NAME='a'b'\n", map[string]string{}, true},
		{"control characters", "NAME=\x00\x01\n", map[string]string{}, true},
		{"invalid UTF-8", "NAME=\"\xff\"\n", map[string]string{}, true},
		{"UTF-8", "NAME=\"Débian 中\"\n", map[string]string{"NAME": "Débian 中"}, false},
		{"bad line keeps the good ones", "NAME=\"Debian\"\nVERSION=1 beta\nID=debian\n", map[string]string{"NAME": "Debian", "ID": "debian"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseOSRelease(strings.NewReader(tt.in))
			if tt.bad != (err != nil) || (tt.bad && !errors.Is(err, ErrInvalidValue)) {
				t.Errorf("error: got %v; want ErrInvalidValue %v", err, tt.bad)
			}
			if len(got) != len(tt.want) {
				t.Errorf("got %q; want %q", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: got %q; want %q", k, got[k], v)
				}
			}
		})
	}
}

func FuzzParseOSRelease(f *testing.F) {
	f.Add("NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n")
	f.Add("X='a'\n# c\n")
	f.Fuzz(func(t *testing.T, in string) {
		vars, _ := parseOSRelease(strings.NewReader(in))
		for k, v := range vars {
			if !validEnvName(k) || strings.ContainsFunc(v, unicode.IsControl) || !utf8.ValidString(v) {
				t.Errorf("parsed %q=%q from %q: want a valid name and printable UTF-8", k, v, in)
			}
		}
	})
}
