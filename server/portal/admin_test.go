package portal_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/store"
)

func newAdmin(t *testing.T) (*portal.Admin, *store.SQLite, *time.Time) {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "t.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var n atomic.Int64
	a := portal.NewAdmin(st, func() time.Time { return now }, func() string { return fmt.Sprintf("id%d", n.Add(1)) }, nil)
	return a, st, &now
}

var alice = portal.Actor{RepID: "r1", Username: "alice"}

func TestAdminPortalAudit(t *testing.T) {
	a, _, _ := newAdmin(t)
	ctx := t.Context()
	p, err := a.CreatePortal(ctx, alice, portal.Portal{Slug: "support", Name: "Support"})
	if err != nil {
		t.Fatal(err)
	}
	p.Settings.Client.Queue.OnHoldIntervalSeconds = 90
	m := p.Settings.Client.Messages["de"]
	m.Greeting = "Willkommen"
	p.Settings.Client.Messages["de"] = m
	if _, err := a.UpdatePortal(ctx, alice, p); err != nil {
		t.Fatal(err)
	}
	p.Settings.Client.Agreement.TimeoutSeconds = -5
	if _, err := a.UpdatePortal(ctx, alice, p); !errors.Is(err, portal.ErrInvalid) || !strings.Contains(err.Error(), "timeout_seconds -5") {
		t.Errorf("bad timeout: got %v", err)
	}
	as, err := a.Audit(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 2 {
		t.Fatalf("audit has %d records; want 2 (a refused change is not recorded): %+v", len(as), as)
	}
	want := "changed settings.client.messages.de.greeting, settings.client.queue.on_hold_interval_seconds"
	if as[0].Action != "portal.update" || as[0].Username != "alice" || as[0].Detail != want || as[0].Target != p.ID {
		t.Errorf("audit[0] = %+v; want detail %q", as[0], want)
	}
	if as[1].Action != "portal.create" {
		t.Errorf("audit[1] = %+v; want portal.create", as[1])
	}
}

func TestAdminBanner(t *testing.T) {
	a, _, _ := newAdmin(t)
	ctx := t.Context()
	p, err := a.CreatePortal(ctx, alice, portal.Portal{Slug: "support", Name: "Support"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetBanner(ctx, alice, p.ID, []byte("GIF89a")); !errors.Is(err, portal.ErrBadBanner) {
		t.Errorf("GIF: got %v; want ErrBadBanner", err)
	}
	b := portal.DefaultBanner()
	b[len(b)-1]++
	sum, err := a.SetBanner(ctx, alice, p.ID, b)
	if err != nil || sum != portal.BannerSHA256(b) {
		t.Fatalf("SetBanner = %s, %v", sum, err)
	}
	got, err := a.Banner(ctx, p.ID)
	if err != nil || string(got) != string(b) {
		t.Errorf("Banner: %d bytes, %v", len(got), err)
	}
	// A client config update does not touch the banner.
	c := protocol.DefaultCustomerClientConfig()
	if _, err := a.UpdateClientConfig(ctx, alice, p.ID, c); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Portal(ctx, p.ID); got.Settings.Client.Banner.SHA256 != sum {
		t.Errorf("banner after config update: %q; want %q", got.Settings.Client.Banner.SHA256, sum)
	}
	if sum, err := a.SetBanner(ctx, alice, p.ID, nil); err != nil || sum != portal.DefaultBannerSHA256() {
		t.Errorf("revert: %s, %v", sum, err)
	}
}

func TestAdminNoticesAndSite(t *testing.T) {
	a, _, now := newAdmin(t)
	ctx := t.Context()
	n, err := a.CreateNotice(ctx, alice, portal.Notice{Message: "VPN outage", Expires: now.Add(time.Hour)}, false)
	if err != nil {
		t.Fatal(err)
	}
	if n.Active(*now) {
		t.Errorf("draft active")
	}
	if n, err = a.SendNotice(ctx, alice, n.ID); err != nil || !n.Active(*now) {
		t.Errorf("sent: %+v, %v", n, err)
	}
	if n, err = a.ExpireNotice(ctx, alice, n.ID); err != nil || n.Active(*now) {
		t.Errorf("expired: %+v, %v", n, err)
	}
	if _, err := a.SendNotice(ctx, alice, n.ID); !errors.Is(err, portal.ErrInvalid) {
		t.Errorf("send expired: got %v; want ErrInvalid", err)
	}
	site := portal.SiteSettings{SMTP: portal.SMTP{Host: "smtp.example.com", From: "t@example.com", Password: "s3cret"}}
	if err := a.SaveSiteSettings(ctx, alice, site); err != nil {
		t.Fatal(err)
	}
	site.SMTP.Password = ""
	site.Logging.RecordScreen = true
	if err := a.SaveSiteSettings(ctx, alice, site); err != nil {
		t.Fatal(err)
	}
	got, err := a.SiteSettings(ctx)
	if err != nil || got.SMTP.Password != "" || !got.Logging.RecordScreen {
		t.Errorf("SiteSettings = %+v, %v; want no password shown", got, err)
	}
	as, _ := a.Audit(ctx, 1)
	if len(as) != 1 || strings.Contains(as[0].Detail, "s3cret") || as[0].Detail != "changed logging.record_screen" {
		t.Errorf("audit = %+v", as)
	}
}
