package host

import (
	"errors"
	"strings"
	"testing"
)

func TestServiceName(t *testing.T) {
	tests := []struct {
		session, want string
	}{
		{"s-123abc", "tandem-customer-s-123abc"},
		{"a/b c.d_é", "tandem-customer-a-b-c-d---"},
		{strings.Repeat("x", 100), "tandem-customer-" + strings.Repeat("x", 48)},
		{"", "tandem-customer-"},
	}
	for _, tt := range tests {
		got := ServiceName(tt.session)
		if got != tt.want {
			t.Errorf("ServiceName(%q): got %q; want %q", tt.session, got, tt.want)
		}
		if err := ValidateServiceName(got); err != nil {
			t.Errorf("ServiceName(%q) = %q is not valid: %v", tt.session, got, err)
		}
	}
	if a, b := ServiceName("one"), ServiceName("two"); a == b {
		t.Errorf("two sessions share the service name %q", a)
	}
}

func TestValidateServiceName(t *testing.T) {
	for _, bad := range []string{"", "-x", "a b", "a/b", "a.service", "ä", strings.Repeat("x", 65), "x\n"} {
		if err := ValidateServiceName(bad); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("ValidateServiceName(%q): got %v; want ErrInvalidValue", bad, err)
		}
	}
	for _, good := range []string{"a", "tandem-customer-1", strings.Repeat("x", 64)} {
		if err := ValidateServiceName(good); err != nil {
			t.Errorf("ValidateServiceName(%q): got %v; want nil", good, err)
		}
	}
}

func TestServiceSpecValidate(t *testing.T) {
	ok := ServiceSpec{Name: "tandem-customer-1", Exe: "/usr/bin/tandem-customer", Args: []string{"-resume", "/tmp/h"}, Env: []string{"DISPLAY=:0"}}
	tests := []struct {
		name   string
		change func(*ServiceSpec)
		ok     bool
	}{
		{"valid", func(*ServiceSpec) {}, true},
		{"windows path", func(s *ServiceSpec) { s.Exe = `C:\Program Files\t.exe` }, true},
		{"relative program", func(s *ServiceSpec) { s.Exe = "tandem-customer" }, false},
		{"bad name", func(s *ServiceSpec) { s.Name = "a b" }, false},
		{"newline in an argument", func(s *ServiceSpec) { s.Args = []string{"a\nExecStartPre=/bin/evil"} }, false},
		{"NUL in an argument", func(s *ServiceSpec) { s.Args = []string{"a\x00b"} }, false},
		{"not UTF-8", func(s *ServiceSpec) { s.Args = []string{"\xff"} }, false},
		{"variable without =", func(s *ServiceSpec) { s.Env = []string{"DISPLAY"} }, false},
		{"bad variable name", func(s *ServiceSpec) { s.Env = []string{"A B=1"} }, false},
		{"newline in a variable", func(s *ServiceSpec) { s.Env = []string{"A=1\n[Service]"} }, false},
		{"control character in the description", func(s *ServiceSpec) { s.Description = "x\ry" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok
			s.Args = append([]string(nil), ok.Args...)
			tt.change(&s)
			err := s.Validate()
			if tt.ok && err != nil {
				t.Errorf("got %v; want nil", err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalidValue) {
				t.Errorf("got %v; want ErrInvalidValue", err)
			}
		})
	}
}

func TestUnitText(t *testing.T) {
	got := unitText(ServiceSpec{
		Name: "tandem-customer-s1",
		Exe:  "/opt/my tandem/tandem-customer",
		Args: []string{"-resume", `/tmp/a "b"\c`, "100%", "$HOME"},
		Env:  []string{"DISPLAY=:1", "XAUTHORITY=/home/ada/.Xauthority", `P=50% "q" $x`},
	})
	want := `# Written by the Tandem customer client for one support session.
[Unit]
Description=Tandem customer client (tandem-customer-s1)
CollectMode=inactive-or-failed

[Service]
Type=simple
Restart=no
ExecStart="/opt/my tandem/tandem-customer" "-resume" "/tmp/a \"b\"\\c" "100%%" "$$HOME"
Environment="DISPLAY=:1"
Environment="XAUTHORITY=/home/ada/.Xauthority"
Environment="P=50%% \"q\" $x"
`
	if got != want {
		t.Errorf("unitText:\ngot:\n%s\nwant:\n%s", got, want)
	}
}
