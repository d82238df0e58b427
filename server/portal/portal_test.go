package portal

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
	tmail "github.com/tandemhq/tandem/server/mail"
)

func validPortal() Portal {
	return Portal{ID: "p1", Slug: "support", Name: "Support", Settings: DefaultSettings()}
}

func TestPortalValidate(t *testing.T) {
	nine := []Interval{{From: 9 * 60, To: 17 * 60}}
	tests := []struct {
		name   string
		change func(*Portal)
		want   string // part of the error; "" means valid
	}{
		{"default", func(*Portal) {}, ""},
		{"host", func(p *Portal) { p.Host = "help.example.com" }, ""},
		{"bad host", func(p *Portal) { p.Host = "help example.com" }, "host"},
		{"bad slug", func(p *Portal) { p.Slug = "Support!" }, "slug \"Support!\""},
		{"reserved slug", func(p *Portal) { p.Slug = "api" }, "reserved"},
		{"no name", func(p *Portal) { p.Name = " " }, "name is empty"},
		{"own parent", func(p *Portal) { p.ParentID = p.ID }, "own subportal"},
		{"bad type", func(p *Portal) { p.Settings.Type = 0 }, "type 0"},
		{"bad box mode", func(p *Portal) { p.Settings.BoxMode = 7 }, "box_mode 7"},
		{"client error", func(p *Portal) { p.Settings.Client.Connection.ReconnectSeconds = -1 }, "client.connection.reconnect_seconds -1"},
		{"invitation macro", func(p *Portal) {
			p.Settings.Invitations = map[string]tmail.Template{"de": {Subject: "%NOPE%", Body: "x"}}
		}, "invitations.de"},
		{"invitation language", func(p *Portal) {
			p.Settings.Invitations = map[string]tmail.Template{"Deutsch": {Body: "x"}}
		}, "not a language tag"},
		{"notification address", func(p *Portal) { p.Settings.NotificationEmail = "Ops <ops@example.com>" }, "notification_email"},
		{"notification ok", func(p *Portal) { p.Settings.NotificationEmail = "ops@example.com" }, ""},
		{"hours ok", func(p *Portal) {
			p.Settings.Hours = &Hours{Location: "Europe/Berlin", Weekly: map[time.Weekday][]Interval{time.Monday: nine}, Holidays: []string{"2026-12-24"}}
		}, ""},
		{"hours zone", func(p *Portal) { p.Settings.Hours = &Hours{Location: "Mars/Olympus"} }, "not a known time zone"},
		{"hours interval", func(p *Portal) {
			p.Settings.Hours = &Hours{Location: "UTC", Weekly: map[time.Weekday][]Interval{time.Monday: {{From: 600, To: 500}}}}
		}, "interval 600..500"},
		{"hours day", func(p *Portal) {
			p.Settings.Hours = &Hours{Location: "UTC", Weekly: map[time.Weekday][]Interval{9: nine}}
		}, "day 9"},
		{"hours holiday", func(p *Portal) { p.Settings.Hours = &Hours{Location: "UTC", Holidays: []string{"25.12.2026"}} }, "25.12.2026"},
	}
	for _, tt := range tests {
		p := validPortal()
		tt.change(&p)
		err := p.Normalize().Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: got %v; want valid", tt.name, err)
		case tt.want != "" && (err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %v; want ErrInvalid containing %q", tt.name, err, tt.want)
		}
	}
}

func TestNormalizeRestoresDefaults(t *testing.T) {
	p := validPortal()
	p.Settings.Client.Messages = map[string]protocol.Messages{"de": {Greeting: "", OnHold: "Bitte warten."}}
	n := p.Normalize()
	de, _ := protocol.DefaultMessages("de")
	en, _ := protocol.DefaultMessages("en")
	if got := n.Settings.Client.Messages["de"]; got.Greeting != de.Greeting || got.OnHold != "Bitte warten." {
		t.Errorf("de: got %+v; want default greeting and custom on-hold", got)
	}
	if got := n.Settings.Client.Messages["en"]; got != en {
		t.Errorf("en: got %+v; want the English defaults added", got)
	}
}

func TestSnapshot(t *testing.T) {
	p := validPortal()
	p.Host = "help.example.com"
	p.Settings.Client.Logging = protocol.Logging{RecordScreen: true}
	site := SiteSettings{Logging: protocol.Logging{RecordShell: true, SystemInfo: true}}
	url := func(h string) string { return "/api/v1/banners/" + h }
	c := p.Snapshot(site, url)
	if c.Logging != site.Logging || c.Portal != "p1" || c.Hostname != "help.example.com" {
		t.Errorf("site logging: got %+v", c)
	}
	if c.Banner.SHA256 != DefaultBannerSHA256() || c.Banner.URL != "/api/v1/banners/"+DefaultBannerSHA256() {
		t.Errorf("banner: got %+v; want the default", c.Banner)
	}
	p.Settings.SiteLogging = false
	if c := p.Snapshot(site, url); c.Logging != p.Settings.Client.Logging {
		t.Errorf("portal logging: got %+v; want %+v", c.Logging, p.Settings.Client.Logging)
	}
	c.Messages["en"] = protocol.Messages{}
	if p.Settings.Client.Messages["en"].Greeting == "" {
		t.Errorf("the snapshot shares its messages with the portal")
	}
	if err := c.Validate(); err != nil {
		t.Errorf("snapshot invalid: %v", err)
	}
}

func TestSettingsJSON(t *testing.T) {
	s := DefaultSettings()
	s.Hours = &Hours{Location: "UTC", Weekly: map[time.Weekday][]Interval{time.Friday: {{From: 0, To: 60}}}}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Settings
	if err := protocol.UnmarshalStrict(b, &back); err != nil {
		t.Fatalf("round trip %s: %v", b, err)
	}
	if back.Type != SmartPin || back.BoxMode != BoxBroadcast || back.Hours.Weekly[time.Friday][0].To != 60 {
		t.Errorf("round trip: got %+v", back)
	}
	if err := json.Unmarshal([]byte(`{"type":"smartbox","box_mode":"roundrobin"}`), &back); err == nil || !strings.Contains(err.Error(), "broadcast or queue") {
		t.Errorf("bad box mode: got %v", err)
	}
}

func TestSiteSettingsValidate(t *testing.T) {
	tests := []struct {
		name string
		s    SMTP
		want string
	}{
		{"none", SMTP{}, ""},
		{"ok", SMTP{Host: "smtp.example.com", Port: 587, From: "tandem@example.com"}, ""},
		{"bad port", SMTP{Host: "smtp.example.com", Port: 70000, From: "a@b.c"}, "smtp.port"},
		{"bad from", SMTP{Host: "smtp.example.com", From: "nobody"}, "smtp.from"},
		{"bad host", SMTP{Host: "smtp example", From: "a@b.c"}, "smtp.host"},
		{"bad starttls", SMTP{Host: "smtp.example.com", From: "a@b.c", StartTLS: 9}, "smtp.starttls"},
	}
	for _, tt := range tests {
		err := SiteSettings{SMTP: tt.s}.Validate()
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v; want %q", tt.name, err, tt.want)
		}
	}
}

func TestNoticeCannedTeam(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	n := Notice{Message: "Mail is down", Created: t0, Expires: t0.Add(time.Hour)}
	if err := n.Validate(); err != nil {
		t.Errorf("notice: %v", err)
	}
	if n.Active(t0) {
		t.Errorf("draft notice active")
	}
	n.Sent = t0
	if !n.Active(t0) || n.Active(t0.Add(time.Hour)) {
		t.Errorf("sent notice: active at t0 %v, at expiry %v", n.Active(t0), n.Active(t0.Add(time.Hour)))
	}
	for name, bad := range map[string]Notice{
		"empty":    {Created: t0, Expires: t0.Add(time.Hour)},
		"past":     {Message: "x", Created: t0, Expires: t0},
		"too long": {Message: "x", Created: t0, Expires: t0.Add(MaxNoticeLifetime + time.Second)},
	} {
		if err := bad.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("notice %s: got %v; want ErrInvalid", name, err)
		}
	}
	if err := (Canned{TeamID: "t", Title: "Hi", Text: ""}).Validate(); err == nil || !strings.Contains(err.Error(), "text is empty") {
		t.Errorf("canned without text: got %v", err)
	}
	if err := (Team{Name: "A", RepIDs: []string{"r", "r"}}).Validate(); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("team with a rep twice: got %v", err)
	}
}

func TestInvitation(t *testing.T) {
	s := DefaultSettings()
	s.Invitations = map[string]tmail.Template{"de": {Subject: "Hilfe von %REP_NAME%", Body: ""}}
	d := tmail.InvitationData{RepName: "Ida", SessionKey: "123 456 789", SessionURL: "https://s.example/k/123456789", PortalURL: "https://s.example/p/help/"}
	de, err := s.Invitation("de")
	if err != nil {
		t.Fatal(err)
	}
	got := de.Expand(d)
	if got.Subject != "Hilfe von Ida" || !strings.Contains(got.Body, "Sitzungsschlüssel 123 456 789") || strings.Contains(got.Body, "%") {
		t.Errorf("de: %+v; want the custom subject and the default body, expanded", got)
	}
	for _, lang := range []string{"en", "fr"} {
		en, err := s.Invitation(lang)
		if err != nil {
			t.Fatal(err)
		}
		if got := en.Expand(d); got.Subject != "Ida invites you to a support session" || !strings.Contains(got.Body, d.SessionURL) {
			t.Errorf("%s: %+v; want the English default", lang, got)
		}
	}
}

func TestWaitStatus(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var five []WaitSample
	for i := range 5 {
		c := t0.Add(time.Duration(i) * time.Hour)
		five = append(five, WaitSample{Created: c, Accepted: c.Add(2 * time.Minute)})
	}
	notices := []Notice{{ID: "n", Message: "VPN down", Expires: t0.Add(time.Hour)}}
	cfg := protocol.DefaultCustomerClientConfig()
	tests := []struct {
		name    string
		change  func(*protocol.CustomerClientConfig)
		samples []WaitSample
		lang    string
		want    protocol.WaitStatus
	}{
		{"no estimate", func(*protocol.CustomerClientConfig) {}, five[:4], "en", protocol.WaitStatus{
			Greeting: "Thank you for contacting support. A representative will be with you shortly. You are number 2 in the queue.",
			Message:  "Thank you for waiting. You are number 2 in the queue.",
			Notices:  []protocol.Notice{{ID: "n", Message: "VPN down", Expires: "2026-11-23T10:00:00Z"}}}},
		{"estimate, German, no greeting, no notices", func(c *protocol.CustomerClientConfig) { c.Queue.Greeting, c.Display.Notices = false, false }, five, "de", protocol.WaitStatus{
			Estimated: true, EstimatedWaitSeconds: 120,
			Message: "Vielen Dank für Ihre Geduld. Sie sind an Position 2 der Warteschlange. Ihre geschätzte Wartezeit beträgt 2 Minuten.",
			Notices: []protocol.Notice{}}},
		{"capped", func(c *protocol.CustomerClientConfig) { c.Queue.MaxEstimatedWaitMinutes, c.Queue.Greeting = 1, false }, five, "en", protocol.WaitStatus{
			Estimated: true, OverMax: true, EstimatedWaitSeconds: 60,
			Message: "Thank you for waiting. You are number 2 in the queue. Your estimated wait time is more than 1 minute.",
			Notices: []protocol.Notice{{ID: "n", Message: "VPN down", Expires: "2026-11-23T10:00:00Z"}}}},
	}
	for _, tt := range tests {
		c := cfg
		tt.change(&c)
		got := WaitStatus(c, 2, tt.samples, notices, tt.lang)
		tt.want.State, tt.want.Position = protocol.StateWaiting, 2
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}
