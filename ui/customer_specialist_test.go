package ui

import (
	"strings"
	"testing"
)

// TestSpecialistJoinedIsAnnounced: the customer is told, in the chat and
// in the presence line, that an external specialist joined.
func TestSpecialistJoinedIsAnnounced(t *testing.T) {
	for _, tt := range []struct{ lang, line string }{
		{"en", "Eve has joined the session."},
		{"de", "Eve ist der Sitzung beigetreten."},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			v, _, _ := newView(t, tt.lang, nil)
			v.Start()
			v.ChattingWith("Rita")
			v.Sharing(true)
			v.SpecialistJoined("Eve")
			if n := count(v.Chat.Lines(), tt.line); n != 1 {
				t.Errorf("%d %q lines; want 1 in %q", n, tt.line, v.Chat.Lines())
			}
			if p := v.PresenceText(); !strings.Contains(p, "Rita, Eve") {
				t.Errorf("presence %q; want Rita and Eve among those who see the screen", p)
			}
			v.Ended(true)
			v.SpecialistJoined("Mallory")
			if n := count(v.Chat.Lines(), "Mallory"); n != 0 {
				t.Errorf("a specialist announced after the end: %q", v.Chat.Lines())
			}
		})
	}
}
