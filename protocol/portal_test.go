package protocol

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDefaultCustomerClientConfig(t *testing.T) {
	c := DefaultCustomerClientConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("default: got %v; want valid", err)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back CustomerClientConfig
	if err := UnmarshalStrict(b, &back); err != nil {
		t.Fatalf("round trip: %v", err)
	}
	if err := back.Validate(); err != nil || back.Misc.Elevation != ElevationNoPrompt || back.Messages["de"].Greeting != c.Messages["de"].Greeting {
		t.Errorf("round trip: got %+v, %v", back, err)
	}
	if !strings.Contains(string(b), `"termination":"nothing"`) {
		t.Errorf("JSON %s: want termination as text", b)
	}
}

func TestCustomerClientConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*CustomerClientConfig)
		want   string // part of the error; "" means valid
	}{
		{"default", func(*CustomerClientConfig) {}, ""},
		{"no english", func(c *CustomerClientConfig) { delete(c.Messages, "en") }, `"en" messages are required`},
		{"bad language", func(c *CustomerClientConfig) { c.Messages["EN_us"] = Messages{} }, "not a language tag"},
		{"control char", func(c *CustomerClientConfig) {
			m := c.Messages["de"]
			m.Greeting = "hi\x00"
			c.Messages["de"] = m
		}, "messages.de.greeting contains control character"},
		{"too long", func(c *CustomerClientConfig) {
			m := c.Messages["en"]
			m.PostSession = strings.Repeat("x", MaxMessageRunes+1)
			c.Messages["en"] = m
		}, "messages.en.post_session has 4001 characters"},
		{"agreement timeout 0", func(c *CustomerClientConfig) { c.Agreement.TimeoutSeconds = 0 }, "agreement.timeout_seconds 0"},
		{"on hold 5 s", func(c *CustomerClientConfig) { c.Queue.OnHoldIntervalSeconds = 5 }, "on_hold_interval_seconds 5"},
		{"negative max wait", func(c *CustomerClientConfig) { c.Queue.MaxEstimatedWaitMinutes = -1 }, "max_estimated_wait_minutes -1"},
		{"http orphan URL", func(c *CustomerClientConfig) { c.Orphan.URL = "http://example.com/kb" }, "not an absolute https:// URL"},
		{"https orphan URL", func(c *CustomerClientConfig) { c.Orphan.URL = "https://example.com/kb" }, ""},
		{"bad banner hash", func(c *CustomerClientConfig) { c.Banner.SHA256 = "ABC" }, "banner.sha256"},
		{"unknown prompt style", func(c *CustomerClientConfig) { c.Display.PromptStyle = 0 }, "display.prompt_style 0 not known"},
		{"unknown control", func(c *CustomerClientConfig) { c.Policy.Control = 9 }, "policy.control 9 not known"},
		{"reconnect 0", func(c *CustomerClientConfig) { c.Connection.ReconnectSeconds = 0 }, "reconnect_seconds 0"},
		{"unknown termination", func(c *CustomerClientConfig) { c.Connection.Termination = 0 }, "connection.termination"},
		{"unknown elevation", func(c *CustomerClientConfig) { c.Misc.Elevation = 0 }, "misc.elevation"},
		{"six specialists", func(c *CustomerClientConfig) { c.Functions.MaxExternalSpecialists = 6 }, "max_external_specialists 6"},
		{"uninstall without service", func(c *CustomerClientConfig) { c.Functions.UninstallServiceAtEnd = true }, "uninstall_service_at_end needs"},
		{"too big for a join response", func(c *CustomerClientConfig) {
			for _, l := range []string{"fr", "it", "es", "nl"} {
				long := strings.Repeat("ü", MaxMessageRunes)
				c.Messages[l] = Messages{Greeting: long, OnHold: long}
			}
		}, "bytes of JSON; at most 49152"},
	}
	for _, tt := range tests {
		c := DefaultCustomerClientConfig()
		tt.change(&c)
		err := c.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: got %v; want valid", tt.name, err)
		case tt.want != "" && (err == nil || !errors.Is(err, ErrBadData) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %v; want ErrBadData containing %q", tt.name, err, tt.want)
		}
	}
}

func TestEnumText(t *testing.T) {
	var e Elevation
	if err := json.Unmarshal([]byte(`"always"`), &e); err != nil || e != ElevationAlways {
		t.Errorf("elevation always: got %v, %v", e, err)
	}
	if err := json.Unmarshal([]byte(`"sometimes"`), &e); err == nil || !strings.Contains(err.Error(), "never, no_prompt, always") {
		t.Errorf("elevation sometimes: got %v; want an error listing the choices", err)
	}
	if _, err := json.Marshal(Termination(0)); err == nil {
		t.Errorf("marshal unknown termination: got nil error")
	}
	for _, v := range []PromptStyle{PromptTextLink, PromptPopup} {
		b, _ := v.MarshalText()
		var back PromptStyle
		if err := back.UnmarshalText(b); err != nil || back != v {
			t.Errorf("round trip %v: got %v, %v", v, back, err)
		}
	}
}

func TestWithDefaults(t *testing.T) {
	m := Messages{Greeting: "  ", OnHold: "custom"}.WithDefaults("de")
	d, _ := DefaultMessages("de")
	if m.Greeting != d.Greeting || m.OnHold != "custom" || m.PostSession != d.PostSession {
		t.Errorf("got %+v; want German defaults except on_hold", m)
	}
	fr := Messages{}.WithDefaults("fr")
	en, _ := DefaultMessages("en")
	if fr != en {
		t.Errorf("fr: got %+v; want English defaults", fr)
	}
}
