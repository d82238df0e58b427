package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/servertest"
	"github.com/tandemhq/tandem/server/store"
)

const admin = servertest.AdminPassword

// adminPortal is a portal as the admin API answers it.
type adminPortal struct {
	portalmodel.Portal
	URL     string   `json:"url"`
	TeamIDs []string `json:"team_ids"`
}

// raw sends a body with a content type and returns the answer.
func (a *api) raw(t testing.TB, method, path, token, contentType string, body []byte) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, a.h.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// wantRefused checks a 4xx answer with its code and a reason containing want.
func wantRefused(t testing.TB, r response, status int, code protocol.ErrorCode, want string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d %s; want %d", r.status, r.body, status)
		return
	}
	e := r.errBody(t)
	if e.Code != code || !strings.Contains(e.Message, want) {
		t.Errorf("error %s %q; want %s containing %q", e.Code, e.Message, code, want)
	}
}

func createPortal(t *testing.T, a *api, tok, slug string) adminPortal {
	t.Helper()
	r := a.do(t, "POST", "/api/v1/admin/portals", tok, map[string]any{"slug": slug, "name": "Portal " + slug})
	if r.status != http.StatusCreated {
		t.Fatalf("create portal = %d %s", r.status, r.body)
	}
	var p adminPortal
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAdminAPIRoles(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	h.AddRep(t, "bob", "bob-password-1", protocol.RoleRep)
	bob := a.login(t, "bob", "bob-password-1").Token
	wantRefused(t, a.do(t, "GET", "/api/v1/admin/portals", "", nil), 401, protocol.CodeUnauthorized, "sign in")
	wantRefused(t, a.do(t, "GET", "/api/v1/admin/portals", bob, nil), 403, protocol.CodeForbidden, "only admins")
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/portals", bob, map[string]any{"slug": "x", "name": "x"}), 403, protocol.CodeForbidden, "only admins")
	wantRefused(t, a.raw(t, "PUT", "/api/v1/admin/portals/x/banner", bob, "image/bmp", portalmodel.DefaultBanner()), 403, protocol.CodeForbidden, "only admins")
	tok := a.login(t, "admin", admin).Token
	var ps []adminPortal
	a.ok(t, "GET", "/api/v1/admin/portals", tok, nil, &ps)
	if len(ps) != 0 {
		t.Errorf("portals on a new server: %+v", ps)
	}
}

func TestAdminAPIPortalSettings(t *testing.T) {
	h := servertest.Start(t, servertest.WithPublicURL("https://support.example.com"))
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	p := createPortal(t, a, tok, "help")
	if p.URL != "https://support.example.com/p/help/" || p.Settings.Type != portalmodel.SmartPin || !p.Settings.SiteLogging {
		t.Errorf("new portal: %+v", p)
	}
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/portals", tok, map[string]any{"slug": "help", "name": "Again"}), 409, protocol.CodeConflict, "slug")
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/portals", tok, map[string]any{"slug": "x", "name": "x", "color": "red"}), 400, protocol.CodeBadData, "unknown field")

	// Every setting, changed from its default.
	s := p.Settings
	s.Type, s.BoxMode, s.WebChat, s.SiteLogging = portalmodel.SmartBox, portalmodel.BoxQueue, true, false
	s.NotificationEmail = "ops@example.com"
	s.Hours = &portalmodel.Hours{Location: "America/New_York", Weekly: map[time.Weekday][]portalmodel.Interval{time.Monday: {{From: 540, To: 1020}}}, Holidays: []string{"2026-12-25"}}
	c := &s.Client
	c.Display = protocol.Display{PromptStyle: protocol.PromptPopup, ChatStart: protocol.ChatStartMinimized, StartMinimizedNoFocus: true}
	c.Agreement = protocol.Agreement{Full: true, Chat: true, TimeoutSeconds: 30, RecordingPrompt: true}
	c.Queue = protocol.QueueNotes{Greeting: true, OnHold: true, OnHoldIntervalSeconds: 20, MaxEstimatedWaitMinutes: 10}
	c.Orphan = protocol.Orphan{Message: true, URL: "https://example.com/kb"}
	c.Policy = protocol.Policy{Name: "View only", Control: protocol.ControlView}
	c.Logging = protocol.Logging{RecordScreen: true, RecordShell: true, SystemInfo: true}
	c.Connection = protocol.Connection{ReconnectSeconds: 300, Termination: protocol.TerminationLock, RepOverride: true}
	c.Misc = protocol.Misc{Elevation: protocol.ElevationNever, LimitApplications: true, CtrlAltDelOverride: true}
	c.Functions = protocol.Functions{RepScreenSharing: true, RunAsService: true, UninstallServiceAtEnd: true, MaxExternalSpecialists: 3}
	de := c.Messages["de"]
	de.Greeting = "Willkommen beim Support. %POSITION_IN_QUEUE%"
	c.Messages["de"] = de
	body := map[string]any{"slug": "helpdesk", "host": "Help.Example.com", "name": "Help desk", "settings": s}
	var got adminPortal
	a.ok(t, "PUT", "/api/v1/admin/portals/"+p.ID, tok, body, &got)
	if got.Slug != "helpdesk" || got.Host != "help.example.com" || got.URL != "https://help.example.com/" {
		t.Errorf("URL fields: %+v", got)
	}
	gs := got.Settings
	if gs.Type != portalmodel.SmartBox || gs.BoxMode != portalmodel.BoxQueue || !gs.WebChat || gs.SiteLogging ||
		gs.NotificationEmail != "ops@example.com" || gs.Hours == nil || gs.Hours.Location != "America/New_York" ||
		gs.Client.Display != c.Display || gs.Client.Agreement != c.Agreement || gs.Client.Queue != c.Queue ||
		gs.Client.Orphan != c.Orphan || gs.Client.Policy != c.Policy || gs.Client.Logging != c.Logging ||
		gs.Client.Connection != c.Connection || gs.Client.Misc != c.Misc || gs.Client.Functions != c.Functions ||
		gs.Client.Messages["de"].Greeting != de.Greeting {
		t.Errorf("settings not stored as sent:\n got %+v\nwant %+v", gs, s)
	}

	// Saving an empty message restores its default.
	var cc protocol.CustomerClientConfig
	a.ok(t, "GET", "/api/v1/admin/portals/"+p.ID+"/client-config", tok, nil, &cc)
	de = cc.Messages["de"]
	de.Greeting = ""
	cc.Messages["de"] = de
	a.ok(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/client-config", tok, cc, &cc)
	if def, _ := protocol.DefaultMessages("de"); cc.Messages["de"].Greeting != def.Greeting {
		t.Errorf("empty greeting saved as %q; want the default", cc.Messages["de"].Greeting)
	}

	// Bad values are refused with their reason, and nothing changes.
	bad := []struct {
		name   string
		change func(m map[string]any, s *portalmodel.Settings)
		want   string
	}{
		{"slug", func(m map[string]any, _ *portalmodel.Settings) { m["slug"] = "Help Desk" }, `slug "Help Desk"`},
		{"host", func(m map[string]any, _ *portalmodel.Settings) { m["host"] = "not a host" }, "host"},
		{"agreement timeout", func(_ map[string]any, s *portalmodel.Settings) { s.Client.Agreement.TimeoutSeconds = 0 }, "agreement.timeout_seconds 0 not in 1..3600"},
		{"on-hold interval", func(_ map[string]any, s *portalmodel.Settings) { s.Client.Queue.OnHoldIntervalSeconds = 5 }, "on_hold_interval_seconds 5"},
		{"orphan URL", func(_ map[string]any, s *portalmodel.Settings) { s.Client.Orphan.URL = "ftp://x" }, "orphan.url"},
		{"reconnect", func(_ map[string]any, s *portalmodel.Settings) { s.Client.Connection.ReconnectSeconds = 99999 }, "reconnect_seconds 99999"},
		{"specialists", func(_ map[string]any, s *portalmodel.Settings) { s.Client.Functions.MaxExternalSpecialists = 9 }, "max_external_specialists 9 not in 0..5"},
		{"message", func(_ map[string]any, s *portalmodel.Settings) {
			m := s.Client.Messages["en"]
			m.Orphaned = "bell\a"
			s.Client.Messages["en"] = m
		}, "messages.en.orphaned contains control character"},
		{"hours", func(_ map[string]any, s *portalmodel.Settings) { s.Hours.Location = "Atlantis/Capital" }, "not a known time zone"},
		{"notification", func(_ map[string]any, s *portalmodel.Settings) { s.NotificationEmail = "ops" }, "notification_email"},
	}
	for _, tt := range bad {
		m := map[string]any{"slug": "helpdesk", "name": "Help desk"}
		st := gs
		st.Client.Messages = map[string]protocol.Messages{"en": gs.Client.Messages["en"]}
		h := *gs.Hours
		st.Hours = &h
		tt.change(m, &st)
		m["settings"] = st
		r := a.do(t, "PUT", "/api/v1/admin/portals/"+p.ID, tok, m)
		t.Run(tt.name, func(t *testing.T) { wantRefused(t, r, 400, protocol.CodeBadData, tt.want) })
	}
	// Enum names are checked when the JSON is read.
	r := a.do(t, "PUT", "/api/v1/admin/portals/"+p.ID, tok, strings.Replace(string(mustJSON(t, body)), `"type":"smartbox"`, `"type":"kiosk"`, 1))
	wantRefused(t, r, 400, protocol.CodeBadData, `unknown portal type: "kiosk"`)
	r = a.do(t, "PUT", "/api/v1/admin/portals/"+p.ID, tok, strings.Replace(string(mustJSON(t, body)), `"box_mode":"queue"`, `"box_mode":"lottery"`, 1))
	wantRefused(t, r, 400, protocol.CodeBadData, "broadcast or queue")
	r = a.do(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/client-config", tok,
		strings.Replace(string(mustJSON(t, cc)), `"termination":"lock"`, `"termination":"explode"`, 1))
	wantRefused(t, r, 400, protocol.CodeBadData, `termination "explode" not known`)
	wantRefused(t, a.do(t, "GET", "/api/v1/admin/portals/nope", tok, nil), 404, protocol.CodeNotFound, "not found")

	// Each change left an audit record: who, when, what.
	var audit []portalmodel.AuditRecord
	a.ok(t, "GET", "/api/v1/admin/audit?limit=10", tok, nil, &audit)
	if len(audit) != 3 {
		t.Fatalf("audit has %d records; want 3: %+v", len(audit), audit)
	}
	if a0 := audit[0]; a0.Action != "portal.update" || a0.Username != "admin" || a0.Detail != "changed settings.client.messages.de.greeting" || a0.At.IsZero() {
		t.Errorf("latest audit record %+v", a0)
	}
	if a1 := audit[1]; !strings.Contains(a1.Detail, "settings.client.agreement.full") || !strings.Contains(a1.Detail, "changed host, name, settings.box_mode") || !strings.Contains(a1.Detail, "more") {
		t.Errorf("update audit record %+v", a1)
	}
	wantRefused(t, a.do(t, "GET", "/api/v1/admin/audit?limit=0", tok, nil), 400, protocol.CodeBadData, "limit")
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSnapshotAtSessionStart: a new banner and greeting apply to sessions
// that start afterwards; a running session keeps its configuration.
func TestSnapshotAtSessionStart(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	p := createPortal(t, a, tok, "support")

	key := func() protocol.Key {
		var k protocol.Key
		a.ok(t, "POST", protocol.PathKeys, tok, protocol.KeyRequest{Portal: "support"}, &k)
		return k
	}
	first := a.join(t, key().Code, "First")
	if first.Config == nil || first.Config.Portal != p.ID || first.Config.Banner.SHA256 != portalmodel.DefaultBannerSHA256() {
		t.Fatalf("first join config: %+v", first.Config)
	}
	oldGreeting := first.Config.Messages["en"].Greeting

	// A bad banner is refused with the reason; a good one is stored.
	wantRefused(t, a.raw(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/banner", tok, "image/bmp", []byte("GIF89a......")), 400, protocol.CodeBadData, "not a BMP")
	b := portalmodel.DefaultBanner()
	b[18] = 0x40 // 320 px wide
	b[19] = 0x01
	wantRefused(t, a.raw(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/banner", tok, "image/bmp", b), 400, protocol.CodeBadData, "width 320 px; want 480 px")
	wantRefused(t, a.raw(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/banner", tok, "image/png", b), 415, protocol.CodeBadData, "image/bmp")
	b = portalmodel.DefaultBanner()
	b[len(b)-1] ^= 0x55
	var br struct{ SHA256, URL string }
	r := a.raw(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/banner", tok, "image/bmp", b)
	if r.status != 200 || json.Unmarshal(r.body, &br) != nil || br.SHA256 != portalmodel.BannerSHA256(b) {
		t.Fatalf("good banner: %d %s", r.status, r.body)
	}
	var cc protocol.CustomerClientConfig
	a.ok(t, "GET", "/api/v1/admin/portals/"+p.ID+"/client-config", tok, nil, &cc)
	en := cc.Messages["en"]
	en.Greeting = "Hello from the new greeting"
	cc.Messages["en"] = en
	a.ok(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/client-config", tok, cc, nil)

	second := a.join(t, key().Code, "Second")
	if second.Config.Messages["en"].Greeting != "Hello from the new greeting" || second.Config.Banner.SHA256 != br.SHA256 {
		t.Errorf("second session: greeting %q banner %s; want the new ones", second.Config.Messages["en"].Greeting, second.Config.Banner.SHA256)
	}
	// The running session keeps its snapshot.
	var again protocol.CustomerClientConfig
	a.ok(t, "GET", protocol.PathClientConfig, first.Token, nil, &again)
	if again.Messages["en"].Greeting != oldGreeting || again.Banner.SHA256 != portalmodel.DefaultBannerSHA256() {
		t.Errorf("first session after the edit: greeting %q banner %s; want the old ones", again.Messages["en"].Greeting, again.Banner.SHA256)
	}
	// Both banners stay downloadable by hash, without credentials.
	for _, u := range []string{first.Config.Banner.URL, second.Config.Banner.URL} {
		r := a.do(t, "GET", strings.TrimPrefix(u, h.URL), "", nil)
		if r.status != 200 || r.header.Get("Content-Type") != "image/bmp" || portalmodel.ValidateBanner(r.body) != nil {
			t.Errorf("GET %s = %d %s", u, r.status, r.header.Get("Content-Type"))
		}
	}
	wantRefused(t, a.do(t, "GET", protocol.PathBanners+strings.Repeat("0", 64), "", nil), 404, protocol.CodeNotFound, "no such banner")
	wantRefused(t, a.do(t, "GET", protocol.PathClientConfig, tok, nil), 403, protocol.CodeForbidden, "customer")
}

func TestWaitStatusAndNotices(t *testing.T) {
	clk := newClock()
	h := servertest.Start(t, servertest.WithNow(clk.Now))
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	p := createPortal(t, a, tok, "support")
	var cc protocol.CustomerClientConfig
	a.ok(t, "GET", "/api/v1/admin/portals/"+p.ID+"/client-config", tok, nil, &cc)
	cc.Queue.MaxEstimatedWaitMinutes = 3
	a.ok(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/client-config", tok, cc, nil)

	key := func() string {
		var k protocol.Key
		a.ok(t, "POST", protocol.PathKeys, tok, protocol.KeyRequest{Portal: "support"}, &k)
		return k.Code
	}
	first := a.join(t, key(), "First")
	clk.Advance(time.Second)
	second := a.join(t, key(), "Second")
	status := func(token, lang string) protocol.WaitStatus {
		var st protocol.WaitStatus
		a.ok(t, "GET", protocol.PathWaitStatus+"?lang="+lang, token, nil, &st)
		return st
	}
	st := status(second.Token, "de")
	if st.State != protocol.StateWaiting || st.Position != 2 || st.Estimated || st.Message != "Vielen Dank für Ihre Geduld. Sie sind an Position 2 der Warteschlange." ||
		st.Greeting != "Vielen Dank, dass Sie sich an den Support wenden. Ein Mitarbeiter ist gleich für Sie da. Sie sind an Position 2 der Warteschlange." {
		t.Errorf("second, no samples: %+v", st)
	}

	// Five answered sessions of 4 minutes in the queue: the estimate is
	// capped at the portal's 3 minutes.
	ctx := t.Context()
	st0 := h.Server.Store()
	sess, err := st0.Session(ctx, first.Session.ID)
	if err != nil {
		t.Fatal(err)
	}
	admins, _ := st0.RepByUsername(ctx, "admin")
	base := clk.Now().Add(-time.Hour)
	for i := range 5 {
		id := "old" + string(rune('a'+i))
		created := base.Add(time.Duration(i) * time.Minute)
		if err := st0.CreateSession(ctx, store.Session{ID: id, QueueID: sess.QueueID, CustomerName: "x", Created: created},
			store.Participant{ID: "c" + id, Role: protocol.RoleCustomer, Name: "x"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st0.AcceptSession(ctx, id, store.Participant{ID: "r" + id, Role: protocol.RoleRep, RepID: admins.ID}, created.Add(4*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	st = status(first.Token, "en")
	if st.Position != 1 || !st.Estimated || !st.OverMax || st.EstimatedWaitSeconds != 180 ||
		st.Message != "Thank you for waiting. You are number 1 in the queue. Your estimated wait time is more than 3 minutes." {
		t.Errorf("first, capped estimate: %+v", st)
	}

	// Notices: a draft is not shown; a sent one is, until it expires.
	var n struct {
		ID     string `json:"id"`
		Active bool   `json:"active"`
	}
	r := a.do(t, "POST", "/api/v1/admin/notices", tok, map[string]any{"message": "E-mail is down; we are on it.", "expires_in_minutes": 60})
	if r.status != 201 || json.Unmarshal(r.body, &n) != nil || n.Active {
		t.Fatalf("create notice: %d %s", r.status, r.body)
	}
	if st := status(first.Token, "en"); len(st.Notices) != 0 {
		t.Errorf("draft shown: %+v", st.Notices)
	}
	a.ok(t, "POST", "/api/v1/admin/notices/"+n.ID+"/send", tok, nil, &n)
	if st := status(first.Token, "en"); len(st.Notices) != 1 || st.Notices[0].Message != "E-mail is down; we are on it." || !n.Active {
		t.Errorf("sent notice not shown: %+v", st.Notices)
	}
	a.ok(t, "POST", "/api/v1/admin/notices/"+n.ID+"/expire", tok, nil, &n)
	if st := status(first.Token, "en"); len(st.Notices) != 0 || n.Active {
		t.Errorf("expired notice shown: %+v", st.Notices)
	}
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/notices/"+n.ID+"/send", tok, nil), 400, protocol.CodeBadData, "expired")
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/notices", tok, map[string]any{"message": "", "expires_in_minutes": 5}), 400, protocol.CodeBadData, "message is empty")
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/notices", tok, map[string]any{"message": "x"}), 400, protocol.CodeBadData, "expires")
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/notices", tok, map[string]any{"message": "x", "expires": "tomorrow"}), 400, protocol.CodeBadData, "RFC 3339")
	wantRefused(t, a.do(t, "GET", protocol.PathWaitStatus+"?lang=../etc", first.Token, nil), 400, protocol.CodeBadData, "language tag")
}

func TestTeamsCannedReps(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	p := createPortal(t, a, tok, "support")
	var rep struct {
		ID string `json:"id"`
	}
	r := a.do(t, "POST", "/api/v1/admin/reps", tok, map[string]any{"username": "carol", "password": "carol-password-1", "roles": []string{"rep"}})
	if r.status != 201 || json.Unmarshal(r.body, &rep) != nil {
		t.Fatalf("create rep: %d %s", r.status, r.body)
	}
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/reps", tok, map[string]any{"username": "dave", "password": "short"}), 400, protocol.CodeBadData, "password")
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/reps", tok, map[string]any{"username": "carol", "password": "carol-password-1"}), 409, protocol.CodeConflict, "username")

	var team portalmodel.Team
	r = a.do(t, "POST", "/api/v1/admin/teams", tok, map[string]any{"name": "Tier 1", "portal_ids": []string{p.ID}, "rep_ids": []string{rep.ID}})
	if r.status != 201 || json.Unmarshal(r.body, &team) != nil {
		t.Fatalf("create team: %d %s", r.status, r.body)
	}
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/teams", tok, map[string]any{"name": "X", "rep_ids": []string{"nobody"}}), 404, protocol.CodeNotFound, "rep nobody")
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/teams", tok, map[string]any{"name": " "}), 400, protocol.CodeBadData, "name is empty")

	var got adminPortal
	a.ok(t, "GET", "/api/v1/admin/portals/"+p.ID, tok, nil, &got)
	if len(got.TeamIDs) != 1 || got.TeamIDs[0] != team.ID {
		t.Errorf("portal teams %v; want [%s]", got.TeamIDs, team.ID)
	}
	var status struct {
		Open   bool `json:"open"`
		Queues []struct {
			Name string `json:"name"`
		} `json:"queues"`
	}
	a.ok(t, "GET", "/api/v1/admin/portals/"+p.ID+"/status", tok, nil, &status)
	if !status.Open || len(status.Queues) != 1 || status.Queues[0].Name != "Tier 1 (Portal support)" {
		t.Errorf("status %+v", status)
	}

	r = a.do(t, "POST", "/api/v1/admin/teams/"+team.ID+"/canned", tok, map[string]any{"title": "Greeting", "text": "Hello, I am looking at your request now."})
	if r.status != 201 {
		t.Fatalf("create canned: %d %s", r.status, r.body)
	}
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/teams/"+team.ID+"/canned", tok, map[string]any{"title": "", "text": "x"}), 400, protocol.CodeBadData, "title is empty")
	carol := a.login(t, "carol", "carol-password-1").Token
	var cs []protocol.CannedMessage
	a.ok(t, "GET", protocol.PathCanned, carol, nil, &cs)
	if len(cs) != 1 || cs[0].Team != "Tier 1" || cs[0].Title != "Greeting" {
		t.Errorf("carol's canned messages: %+v", cs)
	}
	a.ok(t, "GET", protocol.PathCanned, tok, nil, &cs)
	if len(cs) != 0 {
		t.Errorf("admin (no team) canned messages: %+v", cs)
	}
	a.ok(t, "PUT", "/api/v1/admin/canned/"+cs2id(t, a, tok, team.ID), tok, map[string]any{"title": "Hi", "text": "Hi there."}, nil)
	a.ok(t, "GET", protocol.PathCanned, carol, nil, &cs)
	if len(cs) != 1 || cs[0].Title != "Hi" {
		t.Errorf("after edit: %+v", cs)
	}

	// Disabling an account refuses its token; enabling restores it.
	a.ok(t, "POST", "/api/v1/admin/reps/"+rep.ID+"/disable", tok, nil, nil)
	wantRefused(t, a.do(t, "GET", protocol.PathCanned, carol, nil), 401, protocol.CodeUnauthorized, "disabled")
	a.ok(t, "POST", "/api/v1/admin/reps/"+rep.ID+"/enable", tok, nil, nil)
	a.ok(t, "GET", protocol.PathCanned, carol, nil, &cs)
	admins, _ := h.Server.Store().RepByUsername(t.Context(), "admin")
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/reps/"+admins.ID+"/disable", tok, nil), 409, protocol.CodeConflict, "your own account")

	r = a.do(t, "DELETE", "/api/v1/admin/teams/"+team.ID, tok, nil)
	if r.status != 204 {
		t.Errorf("delete team: %d %s", r.status, r.body)
	}
	a.ok(t, "GET", protocol.PathCanned, carol, nil, &cs)
	if len(cs) != 0 {
		t.Errorf("canned messages of a deleted team: %+v", cs)
	}
	var audit []portalmodel.AuditRecord
	a.ok(t, "GET", "/api/v1/admin/audit", tok, nil, &audit)
	var actions []string
	for _, x := range audit {
		actions = append(actions, x.Action)
	}
	want := "team.delete rep.enable rep.disable canned.update canned.create team.create rep.create portal.create"
	if strings.Join(actions, " ") != want {
		t.Errorf("audit actions %v; want %s", actions, want)
	}
}

// cs2id returns the ID of a team's first canned message.
func cs2id(t *testing.T, a *api, tok, teamID string) string {
	t.Helper()
	var cs []portalmodel.Canned
	a.ok(t, "GET", "/api/v1/admin/teams/"+teamID+"/canned", tok, nil, &cs)
	if len(cs) == 0 {
		t.Fatal("no canned messages")
	}
	return cs[0].ID
}

func TestSiteSettingsLogging(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	createPortal(t, a, tok, "support")
	site := portalmodel.SiteSettings{Logging: protocol.Logging{RecordScreen: true, SystemInfo: true},
		SMTP: portalmodel.SMTP{Host: "smtp.example.com", From: "tandem@example.com", Password: "pw"}}
	var got portalmodel.SiteSettings
	a.ok(t, "PUT", "/api/v1/admin/site", tok, site, &got)
	if got.Logging != site.Logging || got.SMTP.Password != "" || got.SMTP.Host != "smtp.example.com" {
		t.Errorf("site settings answer %+v", got)
	}
	site.SMTP.From = "not an address"
	wantRefused(t, a.do(t, "PUT", "/api/v1/admin/site", tok, site), 400, protocol.CodeBadData, "smtp.from")
	// The portal uses the site-wide logging default.
	var k protocol.Key
	a.ok(t, "POST", protocol.PathKeys, tok, protocol.KeyRequest{Portal: "support"}, &k)
	j := a.join(t, k.Code, "C")
	if j.Config.Logging != (protocol.Logging{RecordScreen: true, SystemInfo: true}) {
		t.Errorf("snapshot logging %+v; want the site default", j.Config.Logging)
	}
}

func TestAdminAPIRemainingEndpoints(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	p := createPortal(t, a, tok, "support")

	// Subportals: one level deep, the parent must exist.
	r := a.do(t, "POST", "/api/v1/admin/portals", tok, map[string]any{"slug": "billing", "name": "Billing", "parent_id": p.ID})
	if r.status != 201 {
		t.Fatalf("subportal: %d %s", r.status, r.body)
	}
	var sub adminPortal
	json.Unmarshal(r.body, &sub)
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/portals", tok, map[string]any{"slug": "deep", "name": "Deep", "parent_id": sub.ID}), 400, protocol.CodeBadData, "one level deep")
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/portals", tok, map[string]any{"slug": "lost", "name": "Lost", "parent_id": "nope"}), 404, protocol.CodeNotFound, "parent_id")
	var ps []adminPortal
	a.ok(t, "GET", "/api/v1/admin/portals", tok, nil, &ps)
	if len(ps) != 2 || ps[0].Slug != "billing" || ps[0].ParentID != p.ID {
		t.Errorf("portals %+v", ps)
	}

	// Banner: the default until one is uploaded; DELETE restores it.
	r = a.do(t, "GET", "/api/v1/admin/portals/"+p.ID+"/banner", tok, nil)
	if r.status != 200 || portalmodel.BannerSHA256(r.body) != portalmodel.DefaultBannerSHA256() {
		t.Errorf("default banner: %d", r.status)
	}
	b := portalmodel.DefaultBanner()
	b[len(b)-2] ^= 1
	if r := a.raw(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/banner", tok, "image/bmp", b); r.status != 200 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var snap protocol.CustomerClientConfig
	a.ok(t, "GET", "/api/v1/admin/portals/"+p.ID+"/snapshot", tok, nil, &snap)
	if snap.Banner.SHA256 != portalmodel.BannerSHA256(b) || snap.Portal != p.ID || !strings.HasSuffix(snap.Banner.URL, snap.Banner.SHA256) {
		t.Errorf("snapshot banner %+v", snap.Banner)
	}
	a.ok(t, "DELETE", "/api/v1/admin/portals/"+p.ID+"/banner", tok, nil, nil)
	a.ok(t, "GET", "/api/v1/admin/portals/"+p.ID+"/snapshot", tok, nil, &snap)
	if snap.Banner.SHA256 != portalmodel.DefaultBannerSHA256() {
		t.Errorf("after DELETE: %+v", snap.Banner)
	}
	wantRefused(t, a.raw(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/banner", tok, "image/bmp", nil), 400, protocol.CodeBadData, "empty")
	wantRefused(t, a.raw(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/banner", tok, "image/bmp", make([]byte, 1<<20+1)), 413, protocol.CodeTooLarge, "over")

	// Teams from the portal's side, and a team read and replaced.
	var team portalmodel.Team
	r = a.do(t, "POST", "/api/v1/admin/teams", tok, map[string]any{"name": "Tier 1"})
	json.Unmarshal(r.body, &team)
	var got adminPortal
	a.ok(t, "PUT", "/api/v1/admin/portals/"+sub.ID+"/teams", tok, map[string]any{"team_ids": []string{team.ID}}, &got)
	if len(got.TeamIDs) != 1 {
		t.Errorf("subportal teams %v", got.TeamIDs)
	}
	wantRefused(t, a.do(t, "PUT", "/api/v1/admin/portals/"+sub.ID+"/teams", tok, map[string]any{"team_ids": []string{"nope"}}), 404, protocol.CodeNotFound, "team nope")
	a.ok(t, "GET", "/api/v1/admin/teams/"+team.ID, tok, nil, &team)
	if len(team.PortalIDs) != 1 || team.PortalIDs[0] != sub.ID {
		t.Errorf("team %+v", team)
	}
	a.ok(t, "PUT", "/api/v1/admin/teams/"+team.ID, tok, map[string]any{"name": "Tier One", "portal_ids": []string{p.ID, sub.ID}, "rep_ids": []string{}}, &team)
	if team.Name != "Tier One" || len(team.PortalIDs) != 2 {
		t.Errorf("replaced team %+v", team)
	}
	wantRefused(t, a.do(t, "GET", "/api/v1/admin/teams/nope", tok, nil), 404, protocol.CodeNotFound, "not found")

	// Canned messages deleted; notices listed.
	r = a.do(t, "POST", "/api/v1/admin/teams/"+team.ID+"/canned", tok, map[string]any{"title": "T", "text": "x"})
	var c portalmodel.Canned
	json.Unmarshal(r.body, &c)
	if r := a.do(t, "DELETE", "/api/v1/admin/canned/"+c.ID, tok, nil); r.status != 204 {
		t.Errorf("delete canned: %d", r.status)
	}
	wantRefused(t, a.do(t, "DELETE", "/api/v1/admin/canned/"+c.ID, tok, nil), 404, protocol.CodeNotFound, "not found")
	a.do(t, "POST", "/api/v1/admin/notices", tok, map[string]any{"message": "m", "portal_id": sub.ID, "expires_in_minutes": 5, "send": true})
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/notices", tok, map[string]any{"message": "m", "portal_id": "nope", "expires_in_minutes": 5}), 404, protocol.CodeNotFound, "not found")
	var ns []struct {
		PortalID string `json:"portal_id"`
		Active   bool   `json:"active"`
	}
	a.ok(t, "GET", "/api/v1/admin/notices", tok, nil, &ns)
	if len(ns) != 1 || !ns[0].Active || ns[0].PortalID != sub.ID {
		t.Errorf("notices %+v", ns)
	}

	// Accounts listed; bodies checked for type and size.
	var reps []struct {
		Username string `json:"username"`
		Disabled bool   `json:"disabled"`
	}
	a.ok(t, "GET", "/api/v1/admin/reps", tok, nil, &reps)
	if len(reps) != 1 || reps[0].Username != "admin" {
		t.Errorf("reps %+v", reps)
	}
	wantRefused(t, a.raw(t, "POST", "/api/v1/admin/teams", tok, "text/plain", []byte(`{"name":"x"}`)), 415, protocol.CodeBadData, "application/json")
	big := `{"name":"` + strings.Repeat("x", 1<<20) + `"}`
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/teams", tok, big), 413, protocol.CodeTooLarge, "over")
	wantRefused(t, a.do(t, "POST", "/api/v1/admin/reps", tok, map[string]any{"username": "x", "password": "long-enough-pw-1", "roles": []string{"customer"}}), 400, protocol.CodeBadData, "role")

	// Deleting: not a portal with subportals or sessions.
	wantRefused(t, a.do(t, "DELETE", "/api/v1/admin/portals/"+p.ID, tok, nil), 409, protocol.CodeConflict, "subportals")
	if r := a.do(t, "DELETE", "/api/v1/admin/portals/"+sub.ID, tok, nil); r.status != 204 {
		t.Errorf("delete subportal: %d %s", r.status, r.body)
	}
	var k protocol.Key
	a.ok(t, "POST", protocol.PathKeys, tok, protocol.KeyRequest{Portal: "support"}, &k)
	a.join(t, k.Code, "C")
	wantRefused(t, a.do(t, "DELETE", "/api/v1/admin/portals/"+p.ID, tok, nil), 409, protocol.CodeConflict, "1 sessions belong to the portal")
}
