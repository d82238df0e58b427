package adminweb

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/portal"
)

func TestHumanize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"OnHoldInterval", "On hold interval"},
		{"OrphanedURL", "Orphaned URL"},
		{"URLPath", "URL path"},
		{"Greeting", "Greeting"},
		{"Max5Things", "Max 5 things"},
	} {
		if got := humanize(tc.in); got != tc.want {
			t.Errorf("humanize(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestSelected(t *testing.T) {
	want := []string{"site_logging", "client.logging"}
	for _, tc := range []struct {
		path      string
		all, some bool
	}{
		{"site_logging", true, false},
		{"client", false, true},
		{"client.logging", true, false},
		{"client.logging.record_screen", true, false},
		{"client.display", false, false},
		{"site", false, false},
	} {
		all, some := selected(tc.path, want)
		if all != tc.all || some != tc.some {
			t.Errorf("selected(%q) = %v, %v; want %v, %v", tc.path, all, some, tc.all, tc.some)
		}
	}
}

// TestSettingsRoundTrip renders every setting of a portal as a form and
// decodes the form back: nothing changes.
func TestSettingsRoundTrip(t *testing.T) {
	s := portal.DefaultSettings()
	s.NotificationEmail = "ops@example.com"
	s.Hours = &portal.Hours{Location: "Europe/Berlin", Weekly: map[time.Weekday][]portal.Interval{time.Monday: {{From: 540, To: 1020}}}, Holidays: []string{"2026-12-25"}}
	form := url.Values{}
	var collect func(sec section)
	collect = func(sec section) {
		for _, f := range sec.Fields {
			switch f.Kind {
			case "checkbox":
				if f.Checked {
					form.Set(f.Name, "on")
				}
			case "select":
				for _, o := range f.Options {
					if o.Selected {
						form.Set(f.Name, o.Value)
					}
				}
			default:
				form.Set(f.Name, f.Value)
			}
		}
		for _, x := range sec.Sections {
			collect(x)
		}
	}
	collect(buildSection(reflect.ValueOf(&s).Elem(), "", "", nil, nil))
	var got portal.Settings
	got.Client.Messages = map[string]protocol.Messages{}
	if errs := decodeSection(reflect.ValueOf(&got).Elem(), nil, form); len(errs) > 0 {
		t.Fatalf("decoding the rendered form: %v", errs)
	}
	if !reflect.DeepEqual(got, s) {
		t.Errorf("round trip changed the settings:\ngot  %+v\nwant %+v", got, s)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, field, value, want string
	}{
		{"not a number", "client.agreement.timeout_seconds", "soon", `"soon" is not a whole number`},
		{"unknown enum", "client.connection.termination", "explode", `choose one of the listed values ("explode" is not one)`},
		{"bad JSON", "hours", "{", "not valid JSON for this setting: unexpected EOF"},
		{"control character", "client.orphan.url", "https://x\x07", "contains control characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := portal.DefaultSettings()
			errs := decodeSection(reflect.ValueOf(&s).Elem(), []string{tc.field}, url.Values{tc.field: {tc.value}})
			if got := errs[tc.field]; got != tc.want {
				t.Errorf("error of %s=%q: got %q; want %q", tc.field, tc.value, got, tc.want)
			}
		})
	}
}

func TestFieldErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		err       error
		field     string
		msg, rest string
	}{
		{"field error", &FieldError{Field: "slug", Message: "taken"}, "slug", "taken", ""},
		{"wrapped model error", fmt.Errorf("update portal: %w", fmt.Errorf("%w: client.agreement.timeout_seconds 0 not in 1..3600", portal.ErrInvalid)),
			"client.agreement.timeout_seconds", "0 is not allowed here: give a value from 1 to 3600.", ""},
		{"model error with a verb", fmt.Errorf("%w: name is empty", portal.ErrInvalid), "name", "This field is empty", ""},
		{"joined", errors.Join(&FieldError{Field: "a", Message: "x"}, &FieldError{Field: "b", Message: "y"}), "b", "y", ""},
		{"other", errors.New("disk full"), "", "", "disk full"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			by, rest := fieldErrors(tc.err)
			if rest != tc.rest {
				t.Errorf("rest %q; want %q", rest, tc.rest)
			}
			if tc.field != "" && by[tc.field] != tc.msg {
				t.Errorf("message of %s %q; want %q (all: %v)", tc.field, by[tc.field], tc.msg, by)
			}
		})
	}
}

func TestParseIntervals(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []portal.Interval
		wantErr string
	}{
		{"", nil, ""},
		{"09:00-17:00", []portal.Interval{{From: 540, To: 1020}}, ""},
		{"9:00-12:30, 13:00–24:00", []portal.Interval{{From: 540, To: 750}, {From: 780, To: 1440}}, ""},
		{"9-17", nil, `"9-17" is not a time range like 09:00-17:00`},
		{"17:00-09:00", nil, `"17:00-09:00" ends before it starts`},
		{"09:00-24:30", nil, `"09:00-24:30" is not a time range like 09:00-17:00`},
	} {
		got, err := parseIntervals(tc.in)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("parseIntervals(%q) error %v; want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseIntervals(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if back := formatIntervals(got); tc.in == "09:00-17:00" && back != tc.in {
			t.Errorf("formatIntervals = %q; want %q", back, tc.in)
		}
	}
}

// BenchmarkSettingsForm renders every setting of a portal as form fields
// and decodes the posted form back, as a settings page and its save do.
func BenchmarkSettingsForm(b *testing.B) {
	s := portal.DefaultSettings()
	form := url.Values{}
	var collect func(sec section)
	collect = func(sec section) {
		for _, f := range sec.Fields {
			form.Set(f.Name, f.Value)
		}
		for _, x := range sec.Sections {
			collect(x)
		}
	}
	collect(buildSection(reflect.ValueOf(&s).Elem(), "", "", nil, nil))
	b.ResetTimer()
	for b.Loop() {
		buildSection(reflect.ValueOf(&s).Elem(), "", "", nil, nil)
		var got portal.Settings
		decodeSection(reflect.ValueOf(&got).Elem(), nil, form)
	}
}
