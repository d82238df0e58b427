package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/tandemhq/tandem/protocol"
)

// Store is what Admin needs of the server's store (package store's SQLite
// implements it). Lookups of missing records return the store's not-found
// error, which Admin passes on wrapped.
type Store interface {
	CreatePortal(ctx context.Context, p Portal) error
	UpdatePortal(ctx context.Context, p Portal) error
	DeletePortal(ctx context.Context, id string) error
	PortalByID(ctx context.Context, id string) (Portal, error)
	Portals(ctx context.Context) ([]Portal, error)
	SaveBanner(ctx context.Context, bmp []byte, now time.Time) (string, error)
	Banner(ctx context.Context, sha256 string) ([]byte, error)
	SiteSettings(ctx context.Context) (SiteSettings, error)
	SaveSiteSettings(ctx context.Context, s SiteSettings) error
	CreateTeam(ctx context.Context, t Team) error
	UpdateTeam(ctx context.Context, t Team) error
	DeleteTeam(ctx context.Context, id string) error
	Team(ctx context.Context, id string) (Team, error)
	Teams(ctx context.Context) ([]Team, error)
	SetPortalTeams(ctx context.Context, portalID string, teamIDs []string) error
	CreateNotice(ctx context.Context, n Notice) error
	UpdateNotice(ctx context.Context, n Notice) error
	Notice(ctx context.Context, id string) (Notice, error)
	Notices(ctx context.Context) ([]Notice, error)
	CreateCanned(ctx context.Context, c Canned) error
	UpdateCanned(ctx context.Context, c Canned) error
	DeleteCanned(ctx context.Context, id string) error
	Canned(ctx context.Context, id string) (Canned, error)
	CannedForTeam(ctx context.Context, teamID string) ([]Canned, error)
	AppendAudit(ctx context.Context, a AuditRecord) (int64, error)
	Audit(ctx context.Context, limit int) ([]AuditRecord, error)
}

// Actor is the admin who makes a change, as the audit log names them.
type Actor struct {
	RepID    string
	Username string
}

// Admin is the validated, audited administration of portals, teams,
// notices, canned messages and site settings. The JSON API and the admin
// pages both use it, so every change is checked and recorded the same way:
// each successful change appends one AuditRecord (who, when, what changed).
type Admin struct {
	store  Store
	now    func() time.Time
	newID  func() string
	logger *slog.Logger
}

// NewAdmin returns an Admin over st; now and newID give times and record
// IDs; a nil logger discards.
func NewAdmin(st Store, now func() time.Time, newID func() string, logger *slog.Logger) *Admin {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Admin{store: st, now: now, newID: newID, logger: logger}
}

// Record appends an audit record for a change made elsewhere (an account
// created by the server, for instance).
func (a *Admin) Record(ctx context.Context, by Actor, action, target, detail string) error {
	_, err := a.store.AppendAudit(ctx, AuditRecord{At: a.now(), RepID: by.RepID, Username: by.Username, Action: action, Target: target, Detail: detail})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	a.logger.Info("admin change", "by", by.Username, "action", action, "target", target, "detail", detail)
	return nil
}

// Portals lists every portal and subportal by slug.
func (a *Admin) Portals(ctx context.Context) ([]Portal, error) { return a.store.Portals(ctx) }

// Portal returns one portal.
func (a *Admin) Portal(ctx context.Context, id string) (Portal, error) {
	return a.store.PortalByID(ctx, id)
}

// CreatePortal adds a portal with a new ID; zero Settings mean
// DefaultSettings. It returns the portal as stored.
func (a *Admin) CreatePortal(ctx context.Context, by Actor, p Portal) (Portal, error) {
	p.ID, p.Created = a.newID(), a.now()
	if p.Settings.Type == 0 && p.Settings.Client.Messages == nil {
		p.Settings = DefaultSettings()
	}
	if err := a.store.CreatePortal(ctx, p); err != nil {
		return Portal{}, err
	}
	got, err := a.store.PortalByID(ctx, p.ID)
	if err != nil {
		return Portal{}, err
	}
	return got, a.Record(ctx, by, "portal.create", got.ID, fmt.Sprintf("slug %q, name %q, type %s", got.Slug, got.Name, got.Settings.Type))
}

// UpdatePortal replaces a portal's URL, name, parent and settings; blank
// messages restore their defaults. The audit record lists the settings
// that changed.
func (a *Admin) UpdatePortal(ctx context.Context, by Actor, p Portal) (Portal, error) {
	before, err := a.store.PortalByID(ctx, p.ID)
	if err != nil {
		return Portal{}, err
	}
	p.Created = before.Created
	if err := a.store.UpdatePortal(ctx, p); err != nil {
		return Portal{}, err
	}
	after, err := a.store.PortalByID(ctx, p.ID)
	if err != nil {
		return Portal{}, err
	}
	return after, a.Record(ctx, by, "portal.update", p.ID, describeChanges(before, after))
}

// DeletePortal removes a portal that no session belongs to (the store
// refuses one with sessions or subportals).
func (a *Admin) DeletePortal(ctx context.Context, by Actor, id string) error {
	p, err := a.store.PortalByID(ctx, id)
	if err != nil {
		return err
	}
	if err := a.store.DeletePortal(ctx, id); err != nil {
		return err
	}
	return a.Record(ctx, by, "portal.delete", id, fmt.Sprintf("slug %q, name %q", p.Slug, p.Name))
}

// UpdateClientConfig replaces a portal's customer client configuration
// only (blank messages restore their defaults).
func (a *Admin) UpdateClientConfig(ctx context.Context, by Actor, portalID string, c protocol.CustomerClientConfig) (Portal, error) {
	p, err := a.store.PortalByID(ctx, portalID)
	if err != nil {
		return Portal{}, err
	}
	c.Banner = p.Settings.Client.Banner // the banner has its own operation
	p.Settings.Client = c
	return a.UpdatePortal(ctx, by, p)
}

// SetPortalTeams replaces the teams that serve a portal.
func (a *Admin) SetPortalTeams(ctx context.Context, by Actor, portalID string, teamIDs []string) error {
	if err := (Team{Name: "x", PortalIDs: teamIDs}).Validate(); err != nil {
		return fmt.Errorf("team_ids: %w", err)
	}
	if err := a.store.SetPortalTeams(ctx, portalID, teamIDs); err != nil {
		return err
	}
	return a.Record(ctx, by, "portal.teams", portalID, "teams: "+strings.Join(teamIDs, ", "))
}

// SetBanner validates and stores a chat window banner for a portal (nil or
// empty restores the default) and returns its SHA-256. New sessions use it;
// running sessions keep the one in their snapshot. A bad file gives an error
// wrapping ErrBadBanner that says what is wrong.
func (a *Admin) SetBanner(ctx context.Context, by Actor, portalID string, bmp []byte) (string, error) {
	p, err := a.store.PortalByID(ctx, portalID)
	if err != nil {
		return "", err
	}
	sum, detail := "", "reverted to the default banner"
	if len(bmp) > 0 {
		if sum, err = a.store.SaveBanner(ctx, bmp, a.now()); err != nil {
			return "", err
		}
		detail = fmt.Sprintf("uploaded %d bytes, sha256 %s", len(bmp), sum)
	}
	p.Settings.Client.Banner = protocol.Banner{SHA256: sum}
	if err := a.store.UpdatePortal(ctx, p); err != nil {
		return "", err
	}
	if sum == "" {
		sum = DefaultBannerSHA256()
	}
	return sum, a.Record(ctx, by, "portal.banner", portalID, detail)
}

// Banner returns a portal's current banner (the default when none was uploaded).
func (a *Admin) Banner(ctx context.Context, portalID string) ([]byte, error) {
	p, err := a.store.PortalByID(ctx, portalID)
	if err != nil {
		return nil, err
	}
	if p.Settings.Client.Banner.SHA256 == "" {
		return DefaultBanner(), nil
	}
	return a.store.Banner(ctx, p.Settings.Client.Banner.SHA256)
}

// SiteSettings returns the site-wide settings with the SMTP password removed.
func (a *Admin) SiteSettings(ctx context.Context) (SiteSettings, error) {
	s, err := a.store.SiteSettings(ctx)
	s.SMTP.Password = ""
	return s, err
}

// SaveSiteSettings stores the site-wide settings. An empty SMTP password
// keeps the stored one (the password is write-only).
func (a *Admin) SaveSiteSettings(ctx context.Context, by Actor, s SiteSettings) error {
	before, err := a.store.SiteSettings(ctx)
	if err != nil {
		return err
	}
	if s.SMTP.Password == "" {
		s.SMTP.Password = before.SMTP.Password
	}
	if err := a.store.SaveSiteSettings(ctx, s); err != nil {
		return err
	}
	b, c := before, s
	b.SMTP.Password, c.SMTP.Password = "", "" // never in the audit log
	detail := describeChanges(b, c)
	if before.SMTP.Password != s.SMTP.Password {
		detail += "; smtp.password changed"
	}
	return a.Record(ctx, by, "site.update", "site", detail)
}

// Teams lists the teams by name.
func (a *Admin) Teams(ctx context.Context) ([]Team, error) { return a.store.Teams(ctx) }

// Team returns one team.
func (a *Admin) Team(ctx context.Context, id string) (Team, error) { return a.store.Team(ctx, id) }

// CreateTeam adds a team with a new ID and returns it as stored.
func (a *Admin) CreateTeam(ctx context.Context, by Actor, t Team) (Team, error) {
	t.ID, t.Created = a.newID(), a.now()
	if err := a.store.CreateTeam(ctx, t); err != nil {
		return Team{}, err
	}
	got, err := a.store.Team(ctx, t.ID)
	if err != nil {
		return Team{}, err
	}
	return got, a.Record(ctx, by, "team.create", t.ID, fmt.Sprintf("name %q, portals %v, reps %v", got.Name, got.PortalIDs, got.RepIDs))
}

// UpdateTeam replaces a team's name, portals and members.
func (a *Admin) UpdateTeam(ctx context.Context, by Actor, t Team) (Team, error) {
	before, err := a.store.Team(ctx, t.ID)
	if err != nil {
		return Team{}, err
	}
	if err := a.store.UpdateTeam(ctx, t); err != nil {
		return Team{}, err
	}
	after, err := a.store.Team(ctx, t.ID)
	if err != nil {
		return Team{}, err
	}
	return after, a.Record(ctx, by, "team.update", t.ID, describeChanges(before, after))
}

// DeleteTeam removes a team and its canned messages.
func (a *Admin) DeleteTeam(ctx context.Context, by Actor, id string) error {
	t, err := a.store.Team(ctx, id)
	if err != nil {
		return err
	}
	if err := a.store.DeleteTeam(ctx, id); err != nil {
		return err
	}
	return a.Record(ctx, by, "team.delete", id, fmt.Sprintf("name %q", t.Name))
}

// CannedForTeam lists a team's canned messages.
func (a *Admin) CannedForTeam(ctx context.Context, teamID string) ([]Canned, error) {
	if _, err := a.store.Team(ctx, teamID); err != nil {
		return nil, err
	}
	return a.store.CannedForTeam(ctx, teamID)
}

// CreateCanned adds a canned message with a new ID and returns it.
func (a *Admin) CreateCanned(ctx context.Context, by Actor, c Canned) (Canned, error) {
	c.ID, c.Created = a.newID(), a.now()
	c.Title = strings.TrimSpace(c.Title)
	if err := a.store.CreateCanned(ctx, c); err != nil {
		return Canned{}, err
	}
	return c, a.Record(ctx, by, "canned.create", c.ID, fmt.Sprintf("team %s, title %q", c.TeamID, c.Title))
}

// UpdateCanned replaces a canned message's team, title and text.
func (a *Admin) UpdateCanned(ctx context.Context, by Actor, c Canned) (Canned, error) {
	before, err := a.store.Canned(ctx, c.ID)
	if err != nil {
		return Canned{}, err
	}
	c.Created = before.Created
	c.Title = strings.TrimSpace(c.Title)
	if err := a.store.UpdateCanned(ctx, c); err != nil {
		return Canned{}, err
	}
	return c, a.Record(ctx, by, "canned.update", c.ID, describeChanges(before, c))
}

// DeleteCanned removes a canned message.
func (a *Admin) DeleteCanned(ctx context.Context, by Actor, id string) error {
	c, err := a.store.Canned(ctx, id)
	if err != nil {
		return err
	}
	if err := a.store.DeleteCanned(ctx, id); err != nil {
		return err
	}
	return a.Record(ctx, by, "canned.delete", id, fmt.Sprintf("team %s, title %q", c.TeamID, c.Title))
}

// Notices lists every notice, newest first.
func (a *Admin) Notices(ctx context.Context) ([]Notice, error) { return a.store.Notices(ctx) }

// CreateNotice adds a notice with a new ID, as a draft, or sent at once
// when send is true. Expires must be after now.
func (a *Admin) CreateNotice(ctx context.Context, by Actor, n Notice, send bool) (Notice, error) {
	n.ID, n.Created, n.Sent = a.newID(), a.now(), time.Time{}
	n.Message = strings.TrimSpace(n.Message)
	if send {
		n.Sent = n.Created
	}
	if err := a.store.CreateNotice(ctx, n); err != nil {
		return Notice{}, err
	}
	state := "draft"
	if send {
		state = "sent"
	}
	return n, a.Record(ctx, by, "notice.create", n.ID, fmt.Sprintf("%s, portal %q, expires %s: %q", state, n.PortalID, n.Expires.UTC().Format(time.RFC3339), n.Message))
}

// SendNotice shows a draft notice to waiting customers from now on; an
// expired notice cannot be sent (ErrInvalid), sending twice is a no-op.
func (a *Admin) SendNotice(ctx context.Context, by Actor, id string) (Notice, error) {
	n, err := a.store.Notice(ctx, id)
	if err != nil {
		return Notice{}, err
	}
	now := a.now()
	if !now.Before(n.Expires) {
		return Notice{}, fmt.Errorf("%w: the notice expired at %s; create a new one", ErrInvalid, n.Expires.UTC().Format(time.RFC3339))
	}
	if !n.Sent.IsZero() {
		return n, nil
	}
	n.Sent = now
	if err := a.store.UpdateNotice(ctx, n); err != nil {
		return Notice{}, err
	}
	return n, a.Record(ctx, by, "notice.send", id, "")
}

// ExpireNotice ends a notice now; expiring an expired one is a no-op.
func (a *Admin) ExpireNotice(ctx context.Context, by Actor, id string) (Notice, error) {
	n, err := a.store.Notice(ctx, id)
	if err != nil {
		return Notice{}, err
	}
	now := a.now()
	if !now.Before(n.Expires) {
		return n, nil
	}
	n.Expires = now
	if err := a.store.UpdateNotice(ctx, n); err != nil {
		return Notice{}, err
	}
	return n, a.Record(ctx, by, "notice.expire", id, "")
}

// Audit lists up to limit records, newest first.
func (a *Admin) Audit(ctx context.Context, limit int) ([]AuditRecord, error) {
	return a.store.Audit(ctx, limit)
}

// maxChangedPaths bounds the paths an audit detail lists.
const maxChangedPaths = 20

// describeChanges lists the JSON paths whose values differ between before
// and after: "changed settings.client.messages.de.greeting, name".
func describeChanges(before, after any) string {
	var b, a any
	if err := roundTrip(before, &b); err != nil {
		return "changed"
	}
	if err := roundTrip(after, &a); err != nil {
		return "changed"
	}
	var paths []string
	diffJSON("", b, a, &paths)
	if len(paths) == 0 {
		return "no change"
	}
	sort.Strings(paths)
	more := ""
	if len(paths) > maxChangedPaths {
		more = fmt.Sprintf(" and %d more", len(paths)-maxChangedPaths)
		paths = paths[:maxChangedPaths]
	}
	return "changed " + strings.Join(paths, ", ") + more
}

// roundTrip turns v into generic JSON values.
func roundTrip(v any, out *any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// diffJSON appends the paths at which generic JSON values a and b differ.
func diffJSON(path string, a, b any, out *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			diffJSON(p, am[k], bm[k], out)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		if path == "" {
			path = "(all)"
		}
		*out = append(*out, path)
	}
}
