package portal

import (
	"fmt"
	"time"
	_ "time/tzdata" // time zones work on systems without a zoneinfo database (static binary, Windows)
)

// MinutesPerDay bounds an Interval.
const MinutesPerDay = 24 * 60

// MaxHolidays is the most holiday dates a portal may list.
const MaxHolidays = 366

// Interval is an open period within a day, in minutes after local midnight
// (From inclusive, To exclusive).
type Interval struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Hours is a portal's business hours: a weekly schedule and holiday dates in
// the portal's time zone. In JSON the weekly map's keys are weekday numbers
// ("0" is Sunday, "6" Saturday).
type Hours struct {
	// Location is an IANA time zone name such as "America/New_York".
	Location string `json:"location"`
	// Weekly holds the open intervals per weekday; a missing day is closed.
	Weekly map[time.Weekday][]Interval `json:"weekly"`
	// Holidays are local dates ("2006-01-02") on which the portal is closed.
	Holidays []string `json:"holidays,omitempty"`
}

// Validate checks the time zone, the intervals and the dates; errors wrap
// ErrInvalid.
func (h Hours) Validate() error {
	if h.Location == "" {
		return fmt.Errorf("%w: hours.location is empty; give an IANA time zone such as \"Europe/Berlin\"", ErrInvalid)
	}
	if _, err := time.LoadLocation(h.Location); err != nil {
		return fmt.Errorf("%w: hours.location %q is not a known time zone", ErrInvalid, h.Location)
	}
	for d, ivs := range h.Weekly {
		if d < time.Sunday || d > time.Saturday {
			return fmt.Errorf("%w: hours.weekly: day %d not in 0 (Sunday)..6 (Saturday)", ErrInvalid, d)
		}
		for _, iv := range ivs {
			if iv.From < 0 || iv.To > MinutesPerDay || iv.From >= iv.To {
				return fmt.Errorf("%w: hours.weekly %s: interval %d..%d must satisfy 0 <= from < to <= %d (minutes after midnight)",
					ErrInvalid, d, iv.From, iv.To, MinutesPerDay)
			}
		}
	}
	if len(h.Holidays) > MaxHolidays {
		return fmt.Errorf("%w: hours.holidays: %d dates; at most %d", ErrInvalid, len(h.Holidays), MaxHolidays)
	}
	for _, d := range h.Holidays {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("%w: hours.holidays: %q is not a date like 2026-12-25", ErrInvalid, d)
		}
	}
	return nil
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
