package protocol

import (
	"errors"
	"strings"
	"testing"
)

func TestSystemInfoValidate(t *testing.T) {
	ok := SystemInfo{HostName: "pc", OS: "windows", OSName: "Windows 11 Pro", OSVersion: "23H2", Arch: "amd64", User: `CORP\hanna`}
	for _, tc := range []struct {
		name   string
		change func(*SystemInfo)
		want   string // "" means valid
	}{
		{"complete", func(*SystemInfo) {}, ""},
		{"only the host name", func(s *SystemInfo) { *s = SystemInfo{HostName: "pc"} }, ""},
		{"no host name", func(s *SystemInfo) { s.HostName = " " }, "host name is empty"},
		{"host name 253", func(s *SystemInfo) { s.HostName = strings.Repeat("a", 253) }, ""},
		{"host name 254", func(s *SystemInfo) { s.HostName = strings.Repeat("a", 254) }, "host name has 254 characters"},
		{"OS version 101", func(s *SystemInfo) { s.OSVersion = strings.Repeat("ü", 101) }, "OS version has 101 characters"},
		{"arch 33", func(s *SystemInfo) { s.Arch = strings.Repeat("x", 33) }, "architecture has 33"},
		{"user 257", func(s *SystemInfo) { s.User = strings.Repeat("x", 257) }, "user has 257"},
		{"tab", func(s *SystemInfo) { s.OS = "a\tb" }, "OS must be one line"},
		{"escape", func(s *SystemInfo) { s.OSName = "\x1b[31m" }, "control character"},
		{"bad UTF-8", func(s *SystemInfo) { s.User = "\xff" }, "not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			si := ok
			tc.change(&si)
			err := si.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v; want valid", err)
			case tc.want != "" && (err == nil || !errors.Is(err, ErrBadData) || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v; want an ErrBadData containing %q", err, tc.want)
			}
		})
	}
}

func TestOSDescription(t *testing.T) {
	for _, tc := range []struct {
		si   SystemInfo
		want string
	}{
		{SystemInfo{OSName: "Debian GNU/Linux", OSVersion: "12 (bookworm)", Arch: "amd64"}, "Debian GNU/Linux 12 (bookworm), amd64"},
		{SystemInfo{OS: "linux", Arch: "arm64"}, "linux, arm64"},
		{SystemInfo{Arch: "arm64"}, "arm64"},
		{SystemInfo{OSName: "macOS"}, "macOS"},
		{SystemInfo{}, ""},
	} {
		if got := tc.si.OSDescription(); got != tc.want {
			t.Errorf("%+v.OSDescription() = %q; want %q", tc.si, got, tc.want)
		}
	}
}

func TestRatingValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Rating
		want string
	}{
		{"1", Rating{Score: 1}, ""},
		{"5 with comment", Rating{Score: 5, Comment: strings.Repeat("é", 500)}, ""},
		{"declined", Rating{Declined: true}, ""},
		{"0", Rating{}, "score 0; give 1 to 5"},
		{"6", Rating{Score: 6}, "score 6"},
		{"comment 501", Rating{Score: 3, Comment: strings.Repeat("x", 501)}, "comment has 501 characters; at most 500"},
		{"comment with NUL", Rating{Score: 3, Comment: "a\x00"}, "control character"},
		{"declined with score", Rating{Declined: true, Score: 2}, "no score or comment"},
		{"declined with comment", Rating{Declined: true, Comment: "x"}, "no score or comment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.r.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v; want valid", err)
			case tc.want != "" && (err == nil || !errors.Is(err, ErrBadData) || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v; want an ErrBadData containing %q", err, tc.want)
			}
		})
	}
}

func TestRecordingConsentText(t *testing.T) {
	for _, c := range []RecordingConsent{RecordingConsentUnknown, RecordingAllowed, RecordingRefused} {
		b, err := c.MarshalText()
		var back RecordingConsent
		if err != nil || back.UnmarshalText(b) != nil || back != c {
			t.Errorf("round trip of %v: %q, %v, %v", c, b, err, back)
		}
	}
	if got := RecordingConsent(7).String(); got != "RecordingConsent(7)" {
		t.Errorf("String() = %q; want RecordingConsent(7)", got)
	}
	var c RecordingConsent
	if err := c.UnmarshalText([]byte("maybe")); !errors.Is(err, ErrBadData) {
		t.Errorf("UnmarshalText(maybe) = %v; want ErrBadData", err)
	}
	if err := (RecordingAnswer{}).Validate(); !errors.Is(err, ErrBadData) {
		t.Errorf("RecordingAnswer{}.Validate() = %v; want ErrBadData", err)
	}
}
