package protocol

import (
	"fmt"
	"strings"
)

// What the customer's client reports to the server about the session and
// its machine, beyond the session flow:
//
//   - The answer to the recording prompt (POST [PathRecording] with a
//     [RecordingAnswer], customer token). A refusal turns off screen and
//     shell recording and the system information log for the session.
//   - A description of the customer's machine (POST [PathSystemInfo] with a
//     [SystemInfo], customer token), shown in the reps' session summary and
//     written to the session's log only where recording is allowed.
//   - The exit survey (POST [PathRating] with a [Rating], the customer's
//     token, once, for a bounded time after the session ended: the server's
//     survey window).
//
// A rep who was in a session rates it with POST [PathSession] + id +
// [PathRatingSuffix] and a [Rating] (rep token). The ratings travel in the
// completed-session notification e-mail.

// RecordingConsent is the customer's answer to the recording prompt.
type RecordingConsent int

// Recording consents.
const (
	// RecordingConsentUnknown: the customer has not answered (or was not asked).
	RecordingConsentUnknown RecordingConsent = iota
	// RecordingAllowed: the customer allowed recording.
	RecordingAllowed
	// RecordingRefused: the customer refused recording.
	RecordingRefused
)

var recordingConsentNames = []string{"unknown", "allowed", "refused"}

func (c RecordingConsent) String() string {
	if c < 0 || int(c) >= len(recordingConsentNames) {
		return fmt.Sprintf("RecordingConsent(%d)", int(c))
	}
	return recordingConsentNames[c]
}

// MarshalText implements encoding.TextMarshaler.
func (c RecordingConsent) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; "unknown" is accepted
// (a summary of a session whose customer has not answered carries it).
func (c *RecordingConsent) UnmarshalText(b []byte) error {
	for i, n := range recordingConsentNames {
		if n == string(b) {
			*c = RecordingConsent(i)
			return nil
		}
	}
	return fmt.Errorf("%w: recording consent %q", ErrBadData, b)
}

// RecordingAnswer is the body of POST [PathRecording].
type RecordingAnswer struct {
	// Allow is required: true allows recording, false refuses it.
	Allow *bool `json:"allow"`
}

// Validate checks that the answer says yes or no.
func (a RecordingAnswer) Validate() error {
	if a.Allow == nil {
		return fmt.Errorf("%w: give allow: true or false", ErrBadData)
	}
	return nil
}

// Limits of a [SystemInfo]'s fields, in characters.
const (
	// MaxHostNameRunes: a DNS name has at most 253 characters.
	MaxHostNameRunes = 253
	// MaxOSRunes bounds the OS family, name and version.
	MaxOSRunes = 100
	// MaxArchRunes bounds the architecture ("amd64", "arm64", ...).
	MaxArchRunes = 32
	// MaxUserRunes bounds the user name (DOMAIN\user included).
	MaxUserRunes = 256
)

// SystemInfo describes the customer's machine: the body of POST
// [PathSystemInfo]. HostName is required; the other fields may be empty
// where the platform cannot tell.
type SystemInfo struct {
	// HostName is the machine's host name.
	HostName string `json:"host_name"`
	// OS is the operating system family, as runtime.GOOS: "linux", "windows", "darwin".
	OS string `json:"os,omitempty"`
	// OSName is the product or distribution, such as "Windows 11 Pro" or "Debian GNU/Linux".
	OSName string `json:"os_name,omitempty"`
	// OSVersion is its version, such as "23H2" or "12 (bookworm)".
	OSVersion string `json:"os_version,omitempty"`
	// Arch is the processor architecture, as runtime.GOARCH.
	Arch string `json:"arch,omitempty"`
	// User is the account the client runs as.
	User string `json:"user,omitempty"`
}

// Validate checks each field's length and characters (one line of text,
// no control characters) and that a host name is given.
func (si SystemInfo) Validate() error {
	fields := []struct {
		name     string
		v        string
		max      int
		required bool
	}{
		{"host name", si.HostName, MaxHostNameRunes, true},
		{"OS", si.OS, MaxOSRunes, false},
		{"OS name", si.OSName, MaxOSRunes, false},
		{"OS version", si.OSVersion, MaxOSRunes, false},
		{"architecture", si.Arch, MaxArchRunes, false},
		{"user", si.User, MaxUserRunes, false},
	}
	for _, f := range fields {
		if err := ValidateText(f.name, f.v, f.max, f.required); err != nil {
			return err
		}
		if strings.ContainsAny(f.v, "\n\t") {
			return fmt.Errorf("%w: %s must be one line", ErrBadData, f.name)
		}
	}
	return nil
}

// OSDescription is the one line a summary shows: "Debian GNU/Linux 12
// (bookworm), amd64", falling back to the OS family when the name is not
// known.
func (si SystemInfo) OSDescription() string {
	name := strings.TrimSpace(si.OSName + " " + si.OSVersion)
	if si.OSName == "" {
		name = strings.TrimSpace(si.OS + " " + si.OSVersion)
	}
	if si.Arch != "" {
		if name == "" {
			return si.Arch
		}
		name += ", " + si.Arch
	}
	return name
}

// Rating scores and limits.
const (
	// MinRating and MaxRating bound a score.
	MinRating = 1
	MaxRating = 5
	// MaxRatingCommentRunes bounds a rating's comment, in characters.
	MaxRatingCommentRunes = 500
)

// CodeSurveyClosed refuses a rating that comes after the survey window.
const CodeSurveyClosed ErrorCode = "survey_closed"

// Rating is the body of POST [PathRating] (the customer's exit survey)
// and of POST [PathSession] + id + [PathRatingSuffix] (a rep's rating).
type Rating struct {
	// Score is 1 (poor) to 5 (excellent); 0 only with Declined.
	Score int `json:"score,omitempty"`
	// Comment is optional, at most MaxRatingCommentRunes characters.
	Comment string `json:"comment,omitempty"`
	// Declined says the customer chose not to answer the survey; Score
	// and Comment are then empty. Only customers decline.
	Declined bool `json:"declined,omitempty"`
}

// Validate checks the score's range and the comment.
func (r Rating) Validate() error {
	if r.Declined {
		if r.Score != 0 || r.Comment != "" {
			return fmt.Errorf("%w: a declined survey has no score or comment", ErrBadData)
		}
		return nil
	}
	if r.Score < MinRating || r.Score > MaxRating {
		return fmt.Errorf("%w: score %d; give %d to %d", ErrBadData, r.Score, MinRating, MaxRating)
	}
	return ValidateText("comment", r.Comment, MaxRatingCommentRunes, false)
}
