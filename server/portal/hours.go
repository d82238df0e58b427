package portal

import (
	"fmt"
	"time"
)

// Interval is an open period within a day, in minutes after local midnight
// (From inclusive, To exclusive).
type Interval struct {
	From, To int
}

// Hours is a portal's business hours: a weekly schedule and holiday dates in
// the portal's time zone.
type Hours struct {
	// Location is an IANA time zone name such as "America/New_York".
	Location string
	// Weekly holds the open intervals per weekday; a missing day is closed.
	Weekly map[time.Weekday][]Interval
	// Holidays are local dates ("2006-01-02") on which the portal is closed.
	Holidays []string
}

// Open reports whether the portal is open at now.
func (h Hours) Open(now time.Time) (bool, error) {
	loc, err := time.LoadLocation(h.Location)
	if err != nil {
		return false, fmt.Errorf("portal: hours location %q: %w", h.Location, err)
	}
	l := now.In(loc)
	d := l.Format(time.DateOnly)
	for _, hd := range h.Holidays {
		if hd == d {
			return false, nil
		}
	}
	m := l.Hour()*60 + l.Minute()
	for _, iv := range h.Weekly[l.Weekday()] {
		if m >= iv.From && m < iv.To {
			return true, nil
		}
	}
	return false, nil
}
