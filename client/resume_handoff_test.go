package client_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
)

func goodHandoff() client.Handoff {
	return client.Handoff{
		Version:     client.HandoffVersion,
		Server:      "https://127.0.0.1:8443",
		Fingerprint: strings.Repeat("ab", 32),
		Token:       "c_0123456789abcdef",
		Session:     "43e3ef4cb9ed01b7",
		Participant: protocol.Participant{ID: "c893acaef949", Role: protocol.RoleCustomer, Name: "Ada Lovelace"},
	}
}

// TestHandoffFile: a hand-off written is read back the same, and a file
// that is not one WriteHandoff wrote, or was changed, is refused.
func TestHandoffFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "handoff.json")
	h := goodHandoff()
	if err := client.WriteHandoff(path, h); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode: got %v; want -rw-------", fi.Mode().Perm())
	}
	got, err := client.ReadHandoff(path)
	if err != nil || got != h {
		t.Fatalf("ReadHandoff: got %+v, %v; want %+v, nil", got, err, h)
	}
	if err := client.WriteHandoff(path, h); err != nil {
		t.Errorf("WriteHandoff over an existing file: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".handoff-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}

	change := func(f func(*client.Handoff)) client.Handoff { h := goodHandoff(); f(&h); return h }
	tests := []struct {
		name string
		h    client.Handoff
	}{
		{"version 2", change(func(h *client.Handoff) { h.Version = 2 })},
		{"http server", change(func(h *client.Handoff) { h.Server = "http://127.0.0.1:8443" })},
		{"bad pin", change(func(h *client.Handoff) { h.Fingerprint = "abc" })},
		{"no token", change(func(h *client.Handoff) { h.Token = "" })},
		{"token with a line break", change(func(h *client.Handoff) { h.Token = "a\r\nX-Evil: 1" })},
		{"token too long", change(func(h *client.Handoff) { h.Token = strings.Repeat("t", 1025) })},
		{"session with a slash", change(func(h *client.Handoff) { h.Session = "../../etc" + "\x00" })},
		{"no participant", change(func(h *client.Handoff) { h.Participant.ID = "" })},
		{"a rep", change(func(h *client.Handoff) { h.Participant.Role = protocol.RoleRep })},
		{"name with escape", change(func(h *client.Handoff) { h.Participant.Name = "\x1b]0;x\x07" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.h.Validate(); !errors.Is(err, client.ErrBadHandoff) {
				t.Errorf("Validate: got %v; want ErrBadHandoff", err)
			}
			if err := client.WriteHandoff(filepath.Join(t.TempDir(), "h"), tt.h); !errors.Is(err, client.ErrBadHandoff) {
				t.Errorf("WriteHandoff: got %v; want ErrBadHandoff", err)
			}
		})
	}
}

// TestReadHandoffRefuses files that are not a valid hand-off.
func TestReadHandoffRefuses(t *testing.T) {
	good := `{"version":1,"server":"https://127.0.0.1:8443","token":"tok","session":"s1","participant":{"id":"c1","role":"customer","name":"Ada"}}`
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		wantBad bool // ErrBadHandoff; else any error
	}{
		{"readable by others", good, 0o644, true},
		{"writable by the group", good, 0o620, true},
		{"too big", good + strings.Repeat(" ", client.MaxHandoffBytes), 0o600, true},
		{"unknown field", strings.Replace(good, `"version":1`, `"version":1,"exec":"/bin/sh"`, 1), 0o600, true},
		{"trailing data", good + `{}`, 0o600, true},
		{"not JSON", "version=1", 0o600, true},
		{"empty", "", 0o600, true},
		{"role as a number", strings.Replace(good, `"customer"`, `1`, 1), 0o600, true},
		{"a rep's", strings.Replace(good, `"customer"`, `"rep"`, 1), 0o600, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "h")
			if err := os.WriteFile(path, []byte(tt.content), tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := client.ReadHandoff(path)
			if err == nil || tt.wantBad && !errors.Is(err, client.ErrBadHandoff) {
				t.Errorf("ReadHandoff: got %v; want ErrBadHandoff", err)
			}
		})
	}
	t.Run("good", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "h")
		if err := os.WriteFile(path, []byte(good), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := client.ReadHandoff(path); err != nil {
			t.Errorf("ReadHandoff: got %v; want nil", err)
		}
	})
	t.Run("a directory", func(t *testing.T) {
		if _, err := client.ReadHandoff(t.TempDir()); !errors.Is(err, client.ErrBadHandoff) {
			t.Errorf("ReadHandoff: got %v; want ErrBadHandoff", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		if _, err := client.ReadHandoff(filepath.Join(t.TempDir(), "none")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("ReadHandoff: got %v; want os.ErrNotExist", err)
		}
	})
}
