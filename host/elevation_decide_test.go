package host

import "testing"

func TestDecideElevation(t *testing.T) {
	all := []ElevationPolicy{ElevationUnknown, ElevationNever, ElevationIfNoPrompt, ElevationAlways}
	tests := []struct {
		name string
		f    ElevationFacts
		want ElevationStep
	}{
		{"root, always, silent", ElevationFacts{Elevated: true, Policy: ElevationAlways, Silent: true}, ElevationStay},
		{"root, requested", ElevationFacts{Elevated: true, Requested: true}, ElevationStay},
		{"unset at start", ElevationFacts{Policy: ElevationUnknown, Silent: true}, ElevationStay},
		{"never at start", ElevationFacts{Policy: ElevationNever, Silent: true}, ElevationStay},
		{"never, requested, would prompt", ElevationFacts{Policy: ElevationNever, Requested: true}, ElevationPrompting},
		{"never, requested, silent", ElevationFacts{Policy: ElevationNever, Requested: true, Silent: true}, ElevationSilently},
		{"if-no-prompt, sudo -n true works", ElevationFacts{Policy: ElevationIfNoPrompt, Silent: true}, ElevationSilently},
		{"if-no-prompt, would prompt", ElevationFacts{Policy: ElevationIfNoPrompt}, ElevationStay},
		{"if-no-prompt, requested, would prompt", ElevationFacts{Policy: ElevationIfNoPrompt, Requested: true}, ElevationPrompting},
		{"always, would prompt", ElevationFacts{Policy: ElevationAlways}, ElevationPrompting},
		{"always, silent", ElevationFacts{Policy: ElevationAlways, Silent: true}, ElevationSilently},
		{"unknown policy value", ElevationFacts{Policy: ElevationPolicy(9), Silent: true}, ElevationStay},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DecideElevation(tt.f); got != tt.want {
				t.Errorf("DecideElevation(%+v): got %v; want %v", tt.f, got, tt.want)
			}
		})
	}
	// Whatever the facts, an elevated process stays, and the step is one
	// Elevate takes or none.
	for _, p := range all {
		for _, req := range []bool{false, true} {
			for _, silent := range []bool{false, true} {
				f := ElevationFacts{Elevated: true, Policy: p, Requested: req, Silent: silent}
				if got := DecideElevation(f); got != ElevationStay {
					t.Errorf("DecideElevation(%+v): got %v; want stay", f, got)
				}
				f.Elevated = false
				if got := DecideElevation(f); got == ElevationStepUnknown {
					t.Errorf("DecideElevation(%+v): got unknown", f)
				}
			}
		}
	}
}

func TestElevationStep(t *testing.T) {
	tests := []struct {
		s      ElevationStep
		name   string
		policy ElevationPolicy
	}{
		{ElevationStepUnknown, "unknown", ElevationUnknown},
		{ElevationStay, "stay", ElevationUnknown},
		{ElevationSilently, "silently", ElevationIfNoPrompt},
		{ElevationPrompting, "prompting", ElevationAlways},
		{ElevationStep(7), "ElevationStep(7)", ElevationUnknown},
	}
	for _, tt := range tests {
		b, _ := tt.s.MarshalText()
		if string(b) != tt.name || tt.s.Policy() != tt.policy {
			t.Errorf("%d: got %q, %v; want %q, %v", int(tt.s), b, tt.s.Policy(), tt.name, tt.policy)
		}
	}
}
