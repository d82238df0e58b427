package host

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

// TestDecideEndAction covers every combination of portal setting, rep
// override and policy, including an out-of-range value for each.
func TestDecideEndAction(t *testing.T) {
	const bad = EndAction(7)
	overrides := []EndAction{EndUnknown, EndNothing, EndLock, EndLogOff, bad}
	tests := []struct {
		portal  EndAction
		allowed bool
		// want is the decision for each of overrides, in order.
		want [5]EndAction
	}{
		// Override not allowed: the portal decides; no valid portal setting means nothing.
		{EndUnknown, false, [5]EndAction{EndNothing, EndNothing, EndNothing, EndNothing, EndNothing}},
		{EndNothing, false, [5]EndAction{EndNothing, EndNothing, EndNothing, EndNothing, EndNothing}},
		{EndLock, false, [5]EndAction{EndLock, EndLock, EndLock, EndLock, EndLock}},
		{EndLogOff, false, [5]EndAction{EndLogOff, EndLogOff, EndLogOff, EndLogOff, EndLogOff}},
		{bad, false, [5]EndAction{EndNothing, EndNothing, EndNothing, EndNothing, EndNothing}},
		// Override allowed: a valid override wins; unknown or invalid falls back to the portal.
		{EndUnknown, true, [5]EndAction{EndNothing, EndNothing, EndLock, EndLogOff, EndNothing}},
		{EndNothing, true, [5]EndAction{EndNothing, EndNothing, EndLock, EndLogOff, EndNothing}},
		{EndLock, true, [5]EndAction{EndLock, EndNothing, EndLock, EndLogOff, EndLock}},
		{EndLogOff, true, [5]EndAction{EndLogOff, EndNothing, EndLock, EndLogOff, EndLogOff}},
		{bad, true, [5]EndAction{EndNothing, EndNothing, EndLock, EndLogOff, EndNothing}},
	}
	for _, tt := range tests {
		for i, o := range overrides {
			name := fmt.Sprintf("portal=%v/override=%v/allowed=%v", tt.portal, o, tt.allowed)
			t.Run(name, func(t *testing.T) {
				if got := DecideEndAction(tt.portal, o, tt.allowed); got != tt.want[i] {
					t.Errorf("DecideEndAction(%v, %v, %v) = %v; want %v", tt.portal, o, tt.allowed, got, tt.want[i])
				}
			})
		}
	}
}

func TestEndActionText(t *testing.T) {
	for _, a := range []EndAction{EndNothing, EndLock, EndLogOff} {
		b, err := a.MarshalText()
		if err != nil {
			t.Fatalf("MarshalText(%v): %v", a, err)
		}
		var got EndAction
		if err := got.UnmarshalText(b); err != nil || got != a {
			t.Errorf("round trip %v: got %v, %v; want %v, nil", a, got, err, a)
		}
	}
	for _, in := range []string{"", "unknown", "LOCK", "reboot", "lock "} {
		var got EndAction
		if err := got.UnmarshalText([]byte(in)); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("UnmarshalText(%q): got %v, %v; want ErrInvalidValue", in, got, err)
		}
	}
	if got, want := EndAction(9).String(), "EndAction(9)"; got != want {
		t.Errorf("String: got %q; want %q", got, want)
	}
	var v struct{ End EndAction }
	if err := json.Unmarshal([]byte(`{"End":"logoff"}`), &v); err != nil || v.End != EndLogOff {
		t.Errorf("JSON: got %v, %v; want logoff", v.End, err)
	}
}

func TestEndNothingAndInvalid(t *testing.T) {
	h := &Host{}
	if out, err := h.End(t.Context(), EndNothing); err != nil || out.Method != "" {
		t.Errorf("End(nothing): got %+v, %v; want no method, nil", out, err)
	}
	if _, err := h.End(t.Context(), EndUnknown); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("End(unknown): got %v; want ErrInvalidValue", err)
	}
}
