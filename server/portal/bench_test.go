package portal

import (
	"testing"
	"time"
)

func BenchmarkEstimateWait(b *testing.B) {
	var s []WaitSample
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range WaitWindow {
		c := t0.Add(time.Duration(i) * time.Minute)
		s = append(s, WaitSample{Created: c, Accepted: c.Add(time.Duration(i) * time.Second)})
	}
	for b.Loop() {
		EstimateWait(s, 10*time.Minute)
	}
}

func BenchmarkValidateBanner(b *testing.B) {
	bmp := DefaultBanner()
	for b.Loop() {
		if err := ValidateBanner(bmp); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSettingsValidate(b *testing.B) {
	p := Portal{ID: "p", Slug: "support", Name: "Support", Settings: DefaultSettings()}
	p.Settings.Hours = &Hours{Location: "Europe/Berlin", Weekly: map[time.Weekday][]Interval{time.Monday: {{From: 0, To: 60}}}}
	for b.Loop() {
		if err := p.Normalize().Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSnapshot(b *testing.B) {
	p := Portal{ID: "p", Slug: "support", Name: "Support", Settings: DefaultSettings()}
	url := func(h string) string { return "/api/v1/banners/" + h }
	for b.Loop() {
		p.Snapshot(SiteSettings{}, url)
	}
}
