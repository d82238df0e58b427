package portal

import (
	"slices"
	"time"
)

// Wait-estimate parameters.
const (
	// MinWaitSamples is the fewest answered sessions that give an estimate.
	MinWaitSamples = 5
	// WaitWindow is how many of the most recent answered sessions are used.
	WaitWindow = 20
)

// WaitSample is one session of a queue: when it was created and when a rep
// accepted it (zero if never answered).
type WaitSample struct {
	Created, Accepted time.Time
}

// Estimate is a queue's estimated wait.
type Estimate struct {
	// Known is false when there are fewer than MinWaitSamples answered sessions.
	Known bool
	// Wait is the mean wait, at most the maximum.
	Wait time.Duration
	// OverMax reports that the mean exceeded the maximum (shown as "more than").
	OverMax bool
}

// EstimateWait computes the mean wait (Accepted − Created) over the WaitWindow
// most recently accepted samples; sessions never answered are ignored. A
// positive max caps the result and sets OverMax.
func EstimateWait(samples []WaitSample, max time.Duration) Estimate {
	var ans []WaitSample
	for _, s := range samples {
		if !s.Accepted.IsZero() && !s.Accepted.Before(s.Created) {
			ans = append(ans, s)
		}
	}
	if len(ans) < MinWaitSamples {
		return Estimate{}
	}
	slices.SortFunc(ans, func(a, b WaitSample) int { return b.Accepted.Compare(a.Accepted) })
	if len(ans) > WaitWindow {
		ans = ans[:WaitWindow]
	}
	var sum time.Duration
	for _, s := range ans {
		sum += s.Accepted.Sub(s.Created)
	}
	e := Estimate{Known: true, Wait: sum / time.Duration(len(ans))}
	if max > 0 && e.Wait > max {
		e.Wait, e.OverMax = max, true
	}
	return e
}
