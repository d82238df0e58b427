package portal

import (
	"testing"
	"time"
)

func TestExpandQueueMacros(t *testing.T) {
	msg := "%POSITION_IN_QUEUE% %ESTIMATED_WAIT_TIME%"
	m := time.Minute
	tests := []struct {
		lang string
		pos  int
		e    Estimate
		want string
	}{
		{"en", 3, Estimate{Known: true, Wait: 4 * m}, "You are number 3 in the queue. Your estimated wait time is 4 minutes."},
		{"de", 3, Estimate{Known: true, Wait: 4 * m}, "Sie sind an Position 3 der Warteschlange. Ihre geschätzte Wartezeit beträgt 4 Minuten."},
		{"en", 1, Estimate{Known: true, Wait: 20 * time.Second}, "You are number 1 in the queue. Your estimated wait time is less than a minute."},
		{"de", 1, Estimate{Known: true, Wait: 20 * time.Second}, "Sie sind an Position 1 der Warteschlange. Ihre geschätzte Wartezeit beträgt weniger als eine Minute."},
		{"en", 2, Estimate{Known: true, Wait: 10 * m, OverMax: true}, "You are number 2 in the queue. Your estimated wait time is more than 10 minutes."},
		{"de", 2, Estimate{Known: true, Wait: 10 * m, OverMax: true}, "Sie sind an Position 2 der Warteschlange. Ihre geschätzte Wartezeit beträgt mehr als 10 Minuten."},
		{"en", 5, Estimate{}, "You are number 5 in the queue."},
		{"en", 1, Estimate{Known: true, Wait: m, OverMax: true}, "You are number 1 in the queue. Your estimated wait time is more than 1 minute."},
		{"de", 1, Estimate{Known: true, Wait: m, OverMax: true}, "Sie sind an Position 1 der Warteschlange. Ihre geschätzte Wartezeit beträgt mehr als 1 Minute."},
		{"fr", 5, Estimate{Known: true, Wait: m}, "You are number 5 in the queue. Your estimated wait time is 1 minute."},
	}
	for _, tt := range tests {
		if got := ExpandQueueMacros(msg, tt.lang, tt.pos, tt.e); got != tt.want {
			t.Errorf("%s %d %+v: got %q; want %q", tt.lang, tt.pos, tt.e, got, tt.want)
		}
	}
}
