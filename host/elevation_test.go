package host

import (
	"errors"
	"os"
	"slices"
	"testing"
)

func TestElevationPolicyText(t *testing.T) {
	for _, p := range []ElevationPolicy{ElevationNever, ElevationIfNoPrompt, ElevationAlways} {
		b, _ := p.MarshalText()
		var got ElevationPolicy
		if err := got.UnmarshalText(b); err != nil || got != p {
			t.Errorf("round trip %v: got %v, %v; want %v, nil", p, got, err, p)
		}
	}
	for _, in := range []string{"", "unknown", "Always", "sometimes"} {
		var got ElevationPolicy
		if err := got.UnmarshalText([]byte(in)); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("UnmarshalText(%q): got %v, %v; want ErrInvalidValue", in, got, err)
		}
	}
}

// TestElevateAlreadyElevated: the tests run as root, so Elevate does nothing
// whatever the policy.
func TestElevateAlreadyElevated(t *testing.T) {
	if !IsElevated() {
		t.Fatalf("IsElevated: got false; want true (tests run as root here, euid %d)", os.Geteuid())
	}
	h := &Host{}
	for _, p := range []ElevationPolicy{ElevationUnknown, ElevationNever, ElevationIfNoPrompt, ElevationAlways} {
		e, err := h.Elevate(t.Context(), p, []string{"--resume", "x"})
		if err != nil || !e.Already || e.Method != "" {
			t.Errorf("Elevate(%v): got %+v, %v; want Already, nil", p, e, err)
			continue
		}
		if err := e.Wait(); err != nil {
			t.Errorf("Elevate(%v).Wait: got %v; want nil", p, err)
		}
	}
}

func TestElevationCommands(t *testing.T) {
	const exe = "/opt/tandem/tandem-customer"
	env := []string{"DISPLAY=:0", "LANG=C.UTF-8"}
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"sudo", sudoCommand(exe, []string{"--resume", "tok"}, env),
			[]string{"sudo", "-n", "--", "env", "DISPLAY=:0", "LANG=C.UTF-8", exe, "--resume", "tok"}},
		{"sudo no args no env", sudoCommand(exe, nil, nil),
			[]string{"sudo", "-n", "--", "env", exe}},
		{"sudo hostile argument stays one argument", sudoCommand(exe, []string{"a b; rm -rf /", "-n"}, nil),
			[]string{"sudo", "-n", "--", "env", exe, "a b; rm -rf /", "-n"}},
		{"pkexec", pkexecCommand(exe, []string{"--resume", "tok"}, env),
			[]string{"pkexec", "env", "DISPLAY=:0", "LANG=C.UTF-8", exe, "--resume", "tok"}},
		{"osascript", osascriptCommand("/Applications/Tandem.app/Contents/MacOS/tandem", []string{"--resume", "tok"}),
			[]string{"osascript", "-e", `do shell script "'/Applications/Tandem.app/Contents/MacOS/tandem' '--resume' 'tok' > /dev/null 2>&1 &" with administrator privileges`}},
		{"osascript quoting", osascriptCommand("/a b/c", []string{`it's "x" \ $HOME`}),
			[]string{"osascript", "-e", `do shell script "'/a b/c' 'it'\\''s \"x\" \\ $HOME' > /dev/null 2>&1 &" with administrator privileges`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !slices.Equal(tt.got, tt.want) {
				t.Errorf("got  %q\nwant %q", tt.got, tt.want)
			}
		})
	}
}

func TestElevatedEnv(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string
		display string
		want    []string
	}{
		{"display override and xauthority from home",
			map[string]string{"DISPLAY": ":0", "HOME": "/home/ann/", "LANG": "de_DE.UTF-8", "PATH": "/bin", "SECRET": "x"},
			":5", []string{"DISPLAY=:5", "XAUTHORITY=/home/ann/.Xauthority", "LANG=de_DE.UTF-8"}},
		{"kept as is",
			map[string]string{"DISPLAY": ":1", "XAUTHORITY": "/run/user/1000/gdm/Xauthority", "XDG_RUNTIME_DIR": "/run/user/1000",
				"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"},
			"", []string{"DISPLAY=:1", "XAUTHORITY=/run/user/1000/gdm/Xauthority", "XDG_RUNTIME_DIR=/run/user/1000",
				"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus"}},
		{"empty", map[string]string{}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := elevatedEnv(func(k string) string { return tt.vars[k] }, tt.display)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestElevationExitError(t *testing.T) {
	tests := []struct {
		method string
		code   int
		stderr string
		want   error // nil: no sentinel
	}{
		{"pkexec", 126, "Error executing command as another user: Request dismissed", ErrElevationDeclined},
		{"pkexec", 127, "Error executing command as another user: Not authorized", ErrElevationDeclined},
		{"pkexec", 127, "Error executing command as another user: No authentication agent found.", ErrElevationUnavailable},
		{"sudo", 1, "sudo: a password is required\n", ErrElevationWouldPrompt},
		{"osascript", 1, "0:118: execution error: User canceled. (-128)", ErrElevationDeclined},
		{"pkexec", 3, "", nil},
		{"sudo", 1, "sudo: unknown user", nil},
	}
	all := []error{ErrElevationDeclined, ErrElevationUnavailable, ErrElevationWouldPrompt}
	for _, tt := range tests {
		err := elevationExitError(tt.method, tt.code, tt.stderr)
		if err == nil {
			t.Errorf("%s %d: got nil; want an error", tt.method, tt.code)
			continue
		}
		for _, s := range all {
			if got, want := errors.Is(err, s), s == tt.want; got != want {
				t.Errorf("%s %d %q: errors.Is(%v, %v) = %v; want %v", tt.method, tt.code, tt.stderr, err, s, got, want)
			}
		}
	}
}
