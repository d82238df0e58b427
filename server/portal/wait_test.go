package portal

import (
	"testing"
	"time"
)

func samples(waits ...time.Duration) []WaitSample {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var s []WaitSample
	for i, w := range waits {
		c := t0.Add(time.Duration(i) * time.Hour)
		a := time.Time{}
		if w >= 0 {
			a = c.Add(w)
		}
		s = append(s, WaitSample{Created: c, Accepted: a})
	}
	return s
}

func TestEstimateWait(t *testing.T) {
	m := time.Minute
	tests := []struct {
		name string
		s    []WaitSample
		max  time.Duration
		want Estimate
	}{
		{"none", nil, 0, Estimate{}},
		{"four", samples(m, m, m, m), 0, Estimate{}},
		{"five", samples(m, 2*m, 3*m, 4*m, 5*m), 0, Estimate{Known: true, Wait: 3 * m}},
		{"never answered ignored", samples(m, m, m, m, -1, m), 0, Estimate{Known: true, Wait: m}},
		{"only four answered", samples(m, m, m, m, -1, -1), 0, Estimate{}},
		{"capped", samples(20*m, 20*m, 20*m, 20*m, 20*m), 10 * m, Estimate{Known: true, Wait: 10 * m, OverMax: true}},
	}
	for _, tt := range tests {
		if got := EstimateWait(tt.s, tt.max); got != tt.want {
			t.Errorf("%s: got %+v; want %+v", tt.name, got, tt.want)
		}
	}
}
