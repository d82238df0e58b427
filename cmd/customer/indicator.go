package main

import (
	"log/slog"

	"github.com/tandemhq/tandem/ui"
	"github.com/tandemhq/tandem/ui/indicator"
)

// supportedIndicator shows the "this computer is being supported" banner
// on display.
func supportedIndicator(display string, log *slog.Logger) func(text string) (ui.Indicator, error) {
	return func(text string) (ui.Indicator, error) {
		ind, err := indicator.Show(display, text, log.With("component", "indicator"))
		if err != nil {
			return nil, err
		}
		return shownIndicator{ind, log}, nil
	}
}

// shownIndicator adapts an indicator whose SetText may fail.
type shownIndicator struct {
	*indicator.Indicator
	log *slog.Logger
}

// SetText changes the banner's text, logging a failure.
func (s shownIndicator) SetText(text string) {
	if err := s.Indicator.SetText(text); err != nil {
		s.log.Warn("the supported indicator's text", "err", err)
	}
}
