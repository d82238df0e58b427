package store

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/mail"
	"github.com/tandemhq/tandem/server/portal"
)

// fullSettings changes every setting from its default.
func fullSettings() portal.Settings {
	s := portal.DefaultSettings()
	s.Type = portal.SmartBox
	s.BoxMode = portal.BoxQueue
	s.WebChat = true
	s.SiteLogging = false
	s.NotificationEmail = "ops@example.com"
	s.Invitations = map[string]mail.Template{"de": {Subject: "Einladung von %REP_NAME%", Body: "Code %SESSION_KEY%: %SESSION_URL%"}}
	s.Hours = &portal.Hours{Location: "Europe/Berlin", Holidays: []string{"2026-12-24"},
		Weekly: map[time.Weekday][]portal.Interval{time.Monday: {{From: 480, To: 1020}}}}
	c := &s.Client
	c.Messages = map[string]protocol.Messages{
		"en": {Greeting: "Hi %POSITION_IN_QUEUE%", OnHold: "Hold on", Agreement: "Agree?", ChatAgreement: "Chat?",
			RecordingPrompt: "Record?", ElevationPrompt: "Elevate?", Orphaned: "Nobody here", PostSession: "Bye"},
		"de": {Greeting: "Hallo", OnHold: "Warten", Agreement: "Zustimmen?", ChatAgreement: "Chat?",
			RecordingPrompt: "Aufzeichnen?", ElevationPrompt: "Erhöhen?", Orphaned: "Niemand da", PostSession: "Tschüss"},
	}
	c.Display = protocol.Display{PromptStyle: protocol.PromptPopup, ChatStart: protocol.ChatStartMinimized,
		StartMinimizedNoFocus: true, HostnameInTitle: false, SupportedIndicator: false, Notices: false}
	c.Agreement = protocol.Agreement{Full: true, Chat: true, TimeoutSeconds: 45, RecordingPrompt: true}
	c.Queue = protocol.QueueNotes{Greeting: false, OnHold: true, OnHoldIntervalSeconds: 30, MaxEstimatedWaitMinutes: 0}
	c.Orphan = protocol.Orphan{Message: false, URL: "https://example.com/kb"}
	c.Banner = protocol.Banner{SHA256: strings.Repeat("ab", 32)}
	c.Policy = protocol.Policy{Name: "Strict", Control: protocol.ControlView, Prompt: false, Shell: true, SystemInfo: false, Clipboard: false, Elevation: true}
	c.Logging = protocol.Logging{RecordScreen: true, RecordShell: true, SystemInfo: true}
	c.Connection = protocol.Connection{ReconnectSeconds: 600, InputLockout: false, Termination: protocol.TerminationLogOff, RepOverride: true}
	c.Misc = protocol.Misc{Elevation: protocol.ElevationAlways, LimitApplications: true, CustomerFileOffers: false,
		CtrlAltDelOverride: true, HardwareAccelerationDetect: false}
	c.Functions = protocol.Functions{CustomerScreenSharing: false, RepScreenSharing: true, RecordCustomerScreen: true,
		RecordRepScreen: true, SendFiles: false, ReceiveFiles: false, RunAsService: true, StartAsService: true,
		UninstallServiceAtEnd: true, SoundOnChat: false, Annotations: false, MaxExternalSpecialists: 2}
	return s
}

func TestPortalEverySettingRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tandem.db")
	s := openAt(t, path)
	ctx := t.Context()
	must(t, s.CreatePortal(ctx, Portal{ID: "p1", Slug: "support", Name: "Support", Created: t0}))
	p := Portal{ID: "p1", Slug: "help", Host: "Help.Example.COM", Name: "Help desk", Created: t0, Settings: fullSettings()}
	must(t, s.UpdatePortal(ctx, p))
	got, err := s.PortalByID(ctx, "p1")
	must(t, err)
	want := p
	want.Host = "help.example.com"
	want.Created = utc(t0)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if h, err := s.PortalByHost(ctx, "HELP.example.com"); err != nil || h.ID != "p1" {
		t.Errorf("PortalByHost = %v, %v; want p1", h.ID, err)
	}
	if _, err := s.PortalBySlug(ctx, "support"); !errors.Is(err, ErrNotFound) {
		t.Errorf("old slug: got %v; want ErrNotFound", err)
	}
	// The settings survive a reopen: they are in the file.
	must(t, s.Close())
	s = openAt(t, path)
	if got, err := s.PortalByID(ctx, "p1"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("after reopen: got %+v, %v", got, err)
	}
}

func TestPortalBadValues(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	must(t, s.CreatePortal(ctx, Portal{ID: "p1", Slug: "support", Name: "Support", Created: t0}))
	base, err := s.PortalByID(ctx, "p1")
	must(t, err)
	tests := []struct {
		name   string
		change func(*Portal)
		want   string
	}{
		{"slug", func(p *Portal) { p.Slug = "Help Desk" }, `slug "Help Desk"`},
		{"reserved slug", func(p *Portal) { p.Slug = "admin" }, "reserved"},
		{"host", func(p *Portal) { p.Host = "-bad-.example" }, "host"},
		{"name", func(p *Portal) { p.Name = "a\x01b" }, "control character"},
		{"type", func(p *Portal) { p.Settings.Type = 42 }, "type 42"},
		{"box mode", func(p *Portal) { p.Settings.BoxMode = 3 }, "box_mode 3"},
		{"bad language", func(p *Portal) { p.Settings.Client.Messages["xx_YY"] = protocol.Messages{} }, "not a language tag"},
		{"greeting too long", func(p *Portal) {
			m := p.Settings.Client.Messages["de"]
			m.Greeting = strings.Repeat("ä", protocol.MaxMessageRunes+1)
			p.Settings.Client.Messages["de"] = m
		}, "client.messages.de.greeting has 4001 characters"},
		{"prompt style", func(p *Portal) { p.Settings.Client.Display.PromptStyle = 5 }, "display.prompt_style 5"},
		{"chat start", func(p *Portal) { p.Settings.Client.Display.ChatStart = 5 }, "display.chat_start 5"},
		{"agreement timeout", func(p *Portal) { p.Settings.Client.Agreement.TimeoutSeconds = 7200 }, "agreement.timeout_seconds 7200"},
		{"on-hold interval", func(p *Portal) { p.Settings.Client.Queue.OnHoldIntervalSeconds = 1 }, "on_hold_interval_seconds 1"},
		{"max wait", func(p *Portal) { p.Settings.Client.Queue.MaxEstimatedWaitMinutes = 100000 }, "max_estimated_wait_minutes 100000"},
		{"orphan URL", func(p *Portal) { p.Settings.Client.Orphan.URL = "javascript:alert(1)" }, "orphan.url"},
		{"banner hash", func(p *Portal) { p.Settings.Client.Banner.SHA256 = "zz" }, "banner.sha256"},
		{"policy control", func(p *Portal) { p.Settings.Client.Policy.Control = 0 }, "policy.control 0"},
		{"reconnect", func(p *Portal) { p.Settings.Client.Connection.ReconnectSeconds = 0 }, "reconnect_seconds 0"},
		{"termination", func(p *Portal) { p.Settings.Client.Connection.Termination = 4 }, "connection.termination 4"},
		{"elevation", func(p *Portal) { p.Settings.Client.Misc.Elevation = 0 }, "misc.elevation 0"},
		{"specialists", func(p *Portal) { p.Settings.Client.Functions.MaxExternalSpecialists = 6 }, "max_external_specialists 6"},
		{"uninstall", func(p *Portal) {
			p.Settings.Client.Functions.UninstallServiceAtEnd = true
			p.Settings.Client.Functions.RunAsService, p.Settings.Client.Functions.StartAsService = false, false
		}, "uninstall_service_at_end"},
		{"invitation macro", func(p *Portal) {
			p.Settings.Invitations = map[string]mail.Template{"en": {Body: "%CUSTOMER%"}}
		}, "unknown macro %CUSTOMER%"},
		{"notification e-mail", func(p *Portal) { p.Settings.NotificationEmail = "ops@" }, "notification_email"},
		{"hours zone", func(p *Portal) { p.Settings.Hours = &portal.Hours{Location: "Berlin"} }, `"Berlin" is not a known time zone`},
		{"hours interval", func(p *Portal) {
			p.Settings.Hours = &portal.Hours{Location: "UTC", Weekly: map[time.Weekday][]portal.Interval{time.Monday: {{From: 0, To: 1441}}}}
		}, "interval 0..1441"},
	}
	for _, tt := range tests {
		p := base
		p.Settings = fullSettings()
		tt.change(&p)
		err := s.UpdatePortal(ctx, p)
		if !errors.Is(err, portal.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v; want ErrInvalid saying %q", tt.name, err, tt.want)
		}
	}
	// Nothing bad was stored.
	got, err := s.PortalByID(ctx, "p1")
	if err != nil || !reflect.DeepEqual(got, base) {
		t.Errorf("after refusals: got %+v, %v; want %+v", got, err, base)
	}
}

func TestPortalEmptyMessageRestoresDefault(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	p := Portal{ID: "p1", Slug: "support", Name: "Support", Created: t0, Settings: fullSettings()}
	must(t, s.CreatePortal(ctx, p))
	m := p.Settings.Client.Messages["de"]
	m.Greeting, m.PostSession = "", "   "
	p.Settings.Client.Messages["de"] = m
	delete(p.Settings.Client.Messages, "en")
	must(t, s.UpdatePortal(ctx, p))
	got, err := s.PortalByID(ctx, "p1")
	must(t, err)
	de, _ := protocol.DefaultMessages("de")
	en, _ := protocol.DefaultMessages("en")
	if g := got.Settings.Client.Messages["de"]; g.Greeting != de.Greeting || g.PostSession != de.PostSession || g.OnHold != "Warten" {
		t.Errorf("de: got %+v; want default greeting and post-session, custom on-hold", g)
	}
	if g := got.Settings.Client.Messages["en"]; g != en {
		t.Errorf("en: got %+v; want the defaults", g)
	}
}

func TestPortalURLsAndSubportals(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	must(t, s.CreatePortal(ctx, Portal{ID: "p1", Slug: "support", Host: "support.example.com", Name: "Support", Created: t0}))
	err := s.CreatePortal(ctx, Portal{ID: "p2", Slug: "other", Host: "SUPPORT.example.com", Name: "Other", Created: t0})
	wantErr(t, "taken host", err, ErrConflict)
	must(t, s.CreatePortal(ctx, Portal{ID: "p2", Slug: "billing", Name: "Billing", ParentID: "p1", Created: t0}))
	err = s.CreatePortal(ctx, Portal{ID: "p3", Slug: "deeper", Name: "Deeper", ParentID: "p2", Created: t0})
	if !errors.Is(err, portal.ErrInvalid) || !strings.Contains(err.Error(), "one level deep") {
		t.Errorf("sub-subportal: got %v; want ErrInvalid", err)
	}
	err = s.CreatePortal(ctx, Portal{ID: "p3", Slug: "orphan", Name: "Orphan", ParentID: "nope", Created: t0})
	wantErr(t, "unknown parent", err, ErrNotFound)
	p1, err := s.PortalByID(ctx, "p1")
	must(t, err)
	p1.ParentID = "p2"
	err = s.UpdatePortal(ctx, p1)
	if !errors.Is(err, portal.ErrInvalid) {
		t.Errorf("portal with subportals under another: got %v; want ErrInvalid", err)
	}
	err = s.UpdatePortal(ctx, Portal{ID: "zz", Slug: "zz", Name: "zz"})
	wantErr(t, "update unknown portal", err, ErrNotFound)
	ps, err := s.Portals(ctx)
	must(t, err)
	if len(ps) != 2 || ps[0].Slug != "billing" || ps[1].Slug != "support" || ps[0].ParentID != "p1" {
		t.Errorf("Portals = %+v; want billing (sub of p1), support", ps)
	}
}

func TestBanners(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	good := portal.DefaultBanner()
	good[len(good)-1] ^= 0xff // another picture, same format
	sum, err := s.SaveBanner(ctx, good, t0)
	must(t, err)
	if sum != portal.BannerSHA256(good) {
		t.Errorf("hash %s; want %s", sum, portal.BannerSHA256(good))
	}
	if _, err := s.SaveBanner(ctx, good, t0); err != nil {
		t.Errorf("saving twice: %v", err)
	}
	if b, err := s.Banner(ctx, sum); err != nil || !reflect.DeepEqual(b, good) {
		t.Errorf("Banner = %d bytes, %v", len(b), err)
	}
	if b, err := s.Banner(ctx, portal.DefaultBannerSHA256()); err != nil || portal.ValidateBanner(b) != nil {
		t.Errorf("default banner: %v", err)
	}
	_, err = s.Banner(ctx, strings.Repeat("0", 64))
	wantErr(t, "unknown banner", err, ErrNotFound)
	wide := append([]byte(nil), good...)
	wide[18] = 0xe1 // width 481
	wide[19] = 0x01
	for name, tc := range map[string]struct {
		b    []byte
		want string
	}{
		"png":     {[]byte("\x89PNG\r\n\x1a\n0000000000"), "not a BMP"},
		"481 px":  {wide, "width 481 px; want 480 px"},
		"24-bit":  {func() []byte { b := append([]byte(nil), good...); b[28] = 24; return b }(), "24 bits per pixel"},
		"cut off": {good[:len(good)/2], "truncated pixel data"},
	} {
		_, err := s.SaveBanner(ctx, tc.b, t0)
		if !errors.Is(err, portal.ErrBadBanner) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v; want ErrBadBanner saying %q", name, err, tc.want)
		}
	}
}

func TestSiteSettingsAndSessionConfig(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	ss, err := s.SiteSettings(ctx)
	if err != nil || ss != (portal.SiteSettings{}) {
		t.Errorf("new site settings = %+v, %v; want zero", ss, err)
	}
	want := portal.SiteSettings{Logging: protocol.Logging{RecordScreen: true},
		SMTP: portal.SMTP{Host: "smtp.example.com", Port: 2525, From: "tandem@example.com", StartTLS: mail.StartTLSOpportunistic}}
	must(t, s.SaveSiteSettings(ctx, want))
	if got, err := s.SiteSettings(ctx); err != nil || got != want {
		t.Errorf("SiteSettings = %+v, %v; want %+v", got, err, want)
	}
	bad := want
	bad.SMTP.From = "nobody"
	if err := s.SaveSiteSettings(ctx, bad); !errors.Is(err, portal.ErrInvalid) {
		t.Errorf("bad from: got %v; want ErrInvalid", err)
	}

	testRep(t, s, "r1", "alice", protocol.RoleRep)
	q, err := s.PersonalQueue(ctx, "r1")
	must(t, err)
	testSession(t, s, "s1", q.ID, t0)
	c := protocol.DefaultCustomerClientConfig()
	c.Banner.SHA256 = portal.DefaultBannerSHA256()
	must(t, s.SaveSessionConfig(ctx, "s1", c))
	if got, err := s.SessionConfig(ctx, "s1"); err != nil || !reflect.DeepEqual(got, c) {
		t.Errorf("SessionConfig = %+v, %v", got, err)
	}
	wantErr(t, "second snapshot", s.SaveSessionConfig(ctx, "s1", c), ErrConflict)
	wantErr(t, "unknown session", s.SaveSessionConfig(ctx, "s2", c), ErrNotFound)
	_, err = s.SessionConfig(ctx, "s2")
	wantErr(t, "no snapshot", err, ErrNotFound)
	c.Connection.ReconnectSeconds = 0
	if err := s.SaveSessionConfig(ctx, "s1", c); !errors.Is(err, protocol.ErrBadData) {
		t.Errorf("invalid snapshot: got %v; want ErrBadData", err)
	}
}

func TestTeamsAndQueues(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	testRep(t, s, "r2", "bob", protocol.RoleRep)
	must(t, s.CreatePortal(ctx, Portal{ID: "p1", Slug: "support", Name: "Support", Created: t0}))
	must(t, s.CreatePortal(ctx, Portal{ID: "p2", Slug: "sales", Name: "Sales", Created: t0}))
	must(t, s.CreateTeam(ctx, portal.Team{ID: "t1", Name: "Tier 1", Created: t0, PortalIDs: []string{"p1", "p2"}, RepIDs: []string{"r1"}}))
	wantErr(t, "unknown rep", s.CreateTeam(ctx, portal.Team{ID: "t2", Name: "X", Created: t0, RepIDs: []string{"nope"}}), ErrNotFound)
	wantErr(t, "unknown portal", s.CreateTeam(ctx, portal.Team{ID: "t2", Name: "X", Created: t0, PortalIDs: []string{"nope"}}), ErrNotFound)
	if err := s.CreateTeam(ctx, portal.Team{ID: "t2", Name: "", Created: t0}); !errors.Is(err, portal.ErrInvalid) {
		t.Errorf("team without name: got %v; want ErrInvalid", err)
	}
	must(t, s.CreateTeam(ctx, portal.Team{ID: "t2", Name: "Tier 2", Created: t0, PortalIDs: []string{"p1"}, RepIDs: []string{"r1", "r2"}}))

	got, err := s.Team(ctx, "t1")
	must(t, err)
	want := portal.Team{ID: "t1", Name: "Tier 1", Created: utc(t0), PortalIDs: []string{"p1", "p2"}, RepIDs: []string{"r1"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Team = %+v; want %+v", got, want)
	}
	qs, err := s.QueuesForRep(ctx, "r1")
	must(t, err)
	if len(qs) != 4 { // personal + Tier 1 on two portals + Tier 2 on one
		t.Errorf("r1 serves %d queues %+v; want 4", len(qs), qs)
	}
	pq, err := s.PortalQueues(ctx, "p1")
	must(t, err)
	if len(pq) != 2 || pq[0].TeamID != "t1" || pq[1].TeamID != "t2" || pq[0].Name != "Tier 1 (Support)" || pq[0].PortalID != "p1" {
		t.Errorf("PortalQueues(p1) = %+v; want Tier 1 then Tier 2", pq)
	}
	// Unassigning the team from p2 removes that queue from its reps.
	got.PortalIDs = []string{"p1"}
	must(t, s.UpdateTeam(ctx, got))
	qs, err = s.QueuesForRep(ctx, "r1")
	must(t, err)
	if len(qs) != 3 {
		t.Errorf("after unassigning p2: r1 serves %d queues; want 3", len(qs))
	}
	must(t, s.SetPortalTeams(ctx, "p2", []string{"t2"}))
	qs, err = s.QueuesForRep(ctx, "r2")
	must(t, err)
	if len(qs) != 3 { // personal + Tier 2 on p1 and p2
		t.Errorf("r2 serves %d queues; want 3", len(qs))
	}
	wantErr(t, "SetPortalTeams unknown team", s.SetPortalTeams(ctx, "p2", []string{"nope"}), ErrNotFound)
	ts, err := s.TeamsForRep(ctx, "r2")
	must(t, err)
	if len(ts) != 1 || ts[0].ID != "t2" || !reflect.DeepEqual(ts[0].PortalIDs, []string{"p1", "p2"}) {
		t.Errorf("TeamsForRep(r2) = %+v", ts)
	}
	must(t, s.DeleteTeam(ctx, "t2"))
	wantErr(t, "delete twice", s.DeleteTeam(ctx, "t2"), ErrNotFound)
	all, err := s.Teams(ctx)
	must(t, err)
	if len(all) != 1 || all[0].ID != "t1" {
		t.Errorf("Teams = %+v; want t1", all)
	}
}

func TestNoticesCannedAudit(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	must(t, s.CreatePortal(ctx, Portal{ID: "p1", Slug: "support", Name: "Support", Created: t0}))
	must(t, s.CreatePortal(ctx, Portal{ID: "p2", Slug: "sales", Name: "Sales", Created: t0}))
	all := portal.Notice{ID: "n1", Message: "Mail is down", Created: t0, Expires: t0.Add(time.Hour)}
	must(t, s.CreateNotice(ctx, all))
	one := portal.Notice{ID: "n2", PortalID: "p2", Message: "Sales closed today", Created: t0, Sent: t0, Expires: t0.Add(2 * time.Hour)}
	must(t, s.CreateNotice(ctx, one))
	if err := s.CreateNotice(ctx, portal.Notice{ID: "n3", Message: "", Created: t0, Expires: t0.Add(time.Hour)}); !errors.Is(err, portal.ErrInvalid) {
		t.Errorf("empty notice: got %v; want ErrInvalid", err)
	}
	if err := s.CreateNotice(ctx, portal.Notice{ID: "n3", Message: "x", Created: t0, Expires: t0.Add(-time.Hour)}); !errors.Is(err, portal.ErrInvalid) {
		t.Errorf("notice expired at creation: got %v; want ErrInvalid", err)
	}
	active := func(portalID string, at time.Time) []string {
		ns, err := s.ActiveNotices(ctx, portalID, at)
		must(t, err)
		var ids []string
		for _, n := range ns {
			ids = append(ids, n.ID)
		}
		return ids
	}
	if got := active("p1", t0); got != nil {
		t.Errorf("draft shown: %v", got)
	}
	all.Sent = t0.Add(time.Minute)
	must(t, s.UpdateNotice(ctx, all))
	if got := active("p1", t0.Add(time.Minute)); !reflect.DeepEqual(got, []string{"n1"}) {
		t.Errorf("p1 after send: %v; want [n1]", got)
	}
	if got := active("p2", t0.Add(time.Minute)); !reflect.DeepEqual(got, []string{"n2", "n1"}) {
		t.Errorf("p2 after send: %v; want [n2 n1]", got)
	}
	all.Expires = t0.Add(30 * time.Minute) // expire early
	must(t, s.UpdateNotice(ctx, all))
	if got := active("p2", t0.Add(30*time.Minute)); !reflect.DeepEqual(got, []string{"n2"}) {
		t.Errorf("p2 after expiry of n1: %v; want [n2]", got)
	}
	ns, err := s.Notices(ctx)
	must(t, err)
	if len(ns) != 2 || ns[0].ID != "n2" {
		t.Errorf("Notices = %+v; want newest first", ns)
	}
	wantErr(t, "update unknown notice", s.UpdateNotice(ctx, portal.Notice{ID: "zz", Message: "x", Expires: t0}), ErrNotFound)

	testRep(t, s, "r1", "alice", protocol.RoleRep)
	testRep(t, s, "r2", "bob", protocol.RoleRep)
	must(t, s.CreateTeam(ctx, portal.Team{ID: "t1", Name: "Tier 1", Created: t0, RepIDs: []string{"r1"}}))
	must(t, s.CreateTeam(ctx, portal.Team{ID: "t2", Name: "Tier 2", Created: t0, RepIDs: []string{"r2"}}))
	must(t, s.CreateCanned(ctx, portal.Canned{ID: "c1", TeamID: "t1", Title: "Hello", Text: "Hello, how can I help?", Created: t0}))
	must(t, s.CreateCanned(ctx, portal.Canned{ID: "c2", TeamID: "t2", Title: "Bye", Text: "Goodbye.", Created: t0}))
	wantErr(t, "canned for unknown team", s.CreateCanned(ctx, portal.Canned{ID: "c3", TeamID: "zz", Title: "x", Text: "x", Created: t0}), ErrNotFound)
	if err := s.CreateCanned(ctx, portal.Canned{ID: "c3", TeamID: "t1", Title: "", Text: "x", Created: t0}); !errors.Is(err, portal.ErrInvalid) {
		t.Errorf("canned without title: got %v", err)
	}
	cs, err := s.CannedForRep(ctx, "r1")
	must(t, err)
	if want := []protocol.CannedMessage{{ID: "c1", TeamID: "t1", Team: "Tier 1", Title: "Hello", Text: "Hello, how can I help?"}}; !reflect.DeepEqual(cs, want) {
		t.Errorf("CannedForRep(r1) = %+v; want %+v", cs, want)
	}
	must(t, s.UpdateCanned(ctx, portal.Canned{ID: "c2", TeamID: "t1", Title: "Bye", Text: "Good bye!"}))
	if cs, _ := s.CannedForRep(ctx, "r1"); len(cs) != 2 || cs[0].Title != "Bye" || cs[0].Text != "Good bye!" {
		t.Errorf("after moving c2 to t1: %+v", cs)
	}
	must(t, s.DeleteCanned(ctx, "c2"))
	wantErr(t, "delete canned twice", s.DeleteCanned(ctx, "c2"), ErrNotFound)
	if cs, _ := s.CannedForTeam(ctx, "t1"); len(cs) != 1 || cs[0].ID != "c1" {
		t.Errorf("CannedForTeam(t1) = %+v", cs)
	}

	for i, action := range []string{"portal.update", "banner.upload"} {
		_, err := s.AppendAudit(ctx, portal.AuditRecord{At: t0.Add(time.Duration(i) * time.Second), RepID: "r1", Username: "alice", Action: action, Target: "p1", Detail: "d"})
		must(t, err)
	}
	as, err := s.Audit(ctx, 10)
	must(t, err)
	if len(as) != 2 || as[0].Action != "banner.upload" || as[1].Username != "alice" || !as[1].At.Equal(t0) {
		t.Errorf("Audit = %+v; want newest first", as)
	}
	if _, err := s.AppendAudit(ctx, portal.AuditRecord{At: t0}); err == nil {
		t.Errorf("audit without rep: got nil error")
	}
}

func TestWaitSamplesEstimate(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	must(t, s.CreateQueue(ctx, Queue{ID: "qa", Kind: QueueTeam, Name: "A"}))
	must(t, s.CreateQueue(ctx, Queue{ID: "qb", Kind: QueueTeam, Name: "B"}))
	// Queue A: six answered sessions waiting 1..6 minutes and two never
	// answered; queue B: four answered.
	n := 0
	add := func(q string, wait time.Duration, answered bool) {
		n++
		id := q + string(rune('0'+n))
		created := t0.Add(time.Duration(n) * time.Hour)
		testSession(t, s, id, q, created)
		if answered {
			_, err := s.AcceptSession(ctx, id, Participant{ID: "rep-" + id, Role: protocol.RoleRep, RepID: "r1"}, created.Add(wait))
			must(t, err)
		}
	}
	for i := 1; i <= 6; i++ {
		add("qa", time.Duration(i)*time.Minute, true)
	}
	add("qa", 0, false)
	add("qa", 0, false)
	for i := 0; i < 4; i++ {
		add("qb", time.Minute, true)
	}
	tests := []struct {
		queue string
		limit int
		max   time.Duration
		want  portal.Estimate
	}{
		{"qa", portal.WaitWindow, 0, portal.Estimate{Known: true, Wait: 210 * time.Second}}, // mean of 1..6 min
		{"qa", 5, 0, portal.Estimate{Known: true, Wait: 4 * time.Minute}},                   // the five most recent: 2..6
		{"qa", portal.WaitWindow, 3 * time.Minute, portal.Estimate{Known: true, Wait: 3 * time.Minute, OverMax: true}},
		{"qb", portal.WaitWindow, 0, portal.Estimate{}}, // four samples
		{"qc", portal.WaitWindow, 0, portal.Estimate{}}, // no sessions
	}
	for _, tt := range tests {
		ws, err := s.WaitSamples(ctx, tt.queue, tt.limit)
		must(t, err)
		if got := portal.EstimateWait(ws, tt.max); got != tt.want {
			t.Errorf("%s limit %d max %v: got %+v; want %+v", tt.queue, tt.limit, tt.max, got, tt.want)
		}
	}
}

func TestDeletePortal(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	testRep(t, s, "r1", "alice", protocol.RoleRep)
	must(t, s.CreatePortal(ctx, Portal{ID: "p1", Slug: "support", Name: "Support", Created: t0}))
	must(t, s.CreatePortal(ctx, Portal{ID: "p2", Slug: "billing", Name: "Billing", ParentID: "p1", Created: t0}))
	must(t, s.CreateTeam(ctx, portal.Team{ID: "t1", Name: "T", Created: t0, PortalIDs: []string{"p1", "p2"}, RepIDs: []string{"r1"}}))
	must(t, s.CreateNotice(ctx, portal.Notice{ID: "n1", PortalID: "p2", Message: "m", Created: t0, Expires: t0.Add(time.Hour)}))
	must(t, s.CreateKey(ctx, Key{Code: "123456789", RepID: "r1", PortalID: "p2", Created: t0, Expires: t0.Add(time.Hour)}))
	err := s.DeletePortal(ctx, "p1")
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "subportals") {
		t.Errorf("portal with a subportal: got %v", err)
	}
	must(t, s.DeletePortal(ctx, "p2"))
	wantErr(t, "deleted twice", s.DeletePortal(ctx, "p2"), ErrNotFound)
	if ts, _ := s.Team(ctx, "t1"); !reflect.DeepEqual(ts.PortalIDs, []string{"p1"}) {
		t.Errorf("team portals after delete: %v", ts.PortalIDs)
	}
	qs, err := s.PortalQueues(ctx, "p1")
	must(t, err)
	testSession(t, s, "s1", qs[0].ID, t0)
	err = s.DeletePortal(ctx, "p1")
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "1 sessions belong") {
		t.Errorf("portal with a session: got %v", err)
	}
}
