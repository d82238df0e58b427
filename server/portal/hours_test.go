package portal

import (
	"testing"
	"time"
)

func TestHoursOpen(t *testing.T) {
	nine := Interval{From: 9 * 60, To: 17 * 60}
	h := Hours{Location: "America/New_York", Holidays: []string{"2026-12-25"},
		Weekly: map[time.Weekday][]Interval{time.Monday: {nine}, time.Friday: {nine}}}
	tests := []struct {
		at   string
		want bool
	}{
		{"2026-11-23T13:59:00Z", false}, // Mon 08:59 EST
		{"2026-11-23T14:00:00Z", true},  // Mon 09:00 EST
		{"2026-11-23T21:59:00Z", true},  // Mon 16:59 EST
		{"2026-11-23T22:00:00Z", false}, // Mon 17:00 EST
		{"2026-03-09T13:00:00Z", true},  // Mon 09:00 EDT after DST change
		{"2026-03-09T12:59:00Z", false}, // Mon 08:59 EDT
		{"2026-11-24T15:00:00Z", false}, // Tuesday: closed
		{"2026-12-25T15:00:00Z", false}, // Friday holiday
		{"2026-12-18T15:00:00Z", true},  // ordinary Friday
	}
	for _, tt := range tests {
		at, _ := time.Parse(time.RFC3339, tt.at)
		got, err := h.Open(at)
		if err != nil || got != tt.want {
			t.Errorf("Open(%s): got %v, %v; want %v", tt.at, got, err, tt.want)
		}
	}
	if _, err := (Hours{Location: "Nowhere/Else"}).Open(time.Now()); err == nil {
		t.Errorf("bad location: got nil error; want one")
	}
}
