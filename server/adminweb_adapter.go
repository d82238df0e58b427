package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/adminweb"
	"github.com/tandemhq/tandem/server/auth"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/store"
)

// adminWeb is the admin web interface (package adminweb) over this
// server's store, password hashes and sign-in limits; it is mounted at
// adminweb.Prefix.
func (s *Server) adminWeb() http.Handler {
	d := &adminDeps{s: s, admin: portalmodel.NewAdmin(s.store, s.now, auth.NewID, s.logger.With("component", "admin"))}
	return adminweb.New(d, s.logger.With("component", "adminweb"))
}

// adminDeps implements adminweb.Deps: sign-in as the JSON API's login does
// it (argon2id, the same per-account and per-source limits), everything
// else through the portal model's audited operations.
type adminDeps struct {
	s     *Server
	admin *portalmodel.Admin
}

var _ adminweb.Deps = (*adminDeps)(nil)

// webRep is a stored account as the pages see it.
func webRep(r store.Rep) adminweb.Rep {
	return adminweb.Rep{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Admin: r.HasRole(protocol.RoleAdmin)}
}

// actor names the admin in the audit log.
func actor(r adminweb.Rep) portalmodel.Actor {
	return portalmodel.Actor{RepID: r.ID, Username: r.Username}
}

// webErr maps the store's errors onto the ones the pages answer.
func webErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: %w", adminweb.ErrNotFound, err)
	case errors.Is(err, store.ErrConflict):
		return &adminweb.FieldError{Field: "slug", Message: "Another portal already uses this URL path or host name."}
	}
	return err
}

func (d *adminDeps) SignIn(ctx context.Context, username, password, source string) (adminweb.Rep, error) {
	s := d.s
	now := s.now()
	account := strings.ToLower(username)
	okA, _ := s.loginAccount.Allow(account, now)
	okS, _ := s.loginSource.Allow(source, now)
	if !okA || !okS {
		return adminweb.Rep{}, adminweb.ErrRateLimited
	}
	fail := func() (adminweb.Rep, error) {
		s.loginAccount.Fail(account, now)
		s.loginSource.Fail(source, now)
		s.logger.Info("admin pages: sign-in failed", "username", username, "source", source)
		return adminweb.Rep{}, adminweb.ErrBadCredentials
	}
	rep, err := s.store.RepByUsername(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		auth.SimulateVerify(auth.DefaultParams, password)
		return fail()
	}
	if err != nil {
		return adminweb.Rep{}, err
	}
	ok, err := auth.VerifyPassword(rep.PasswordHash, password)
	if err != nil {
		s.logger.Error("stored password hash unusable", "rep", rep.ID, "err", err)
	}
	if !ok || rep.Disabled {
		return fail()
	}
	s.loginAccount.Reset(account)
	return webRep(rep), nil
}

func (d *adminDeps) Rep(ctx context.Context, id string) (adminweb.Rep, error) {
	r, err := d.s.store.RepByID(ctx, id)
	if err != nil {
		return adminweb.Rep{}, webErr(err)
	}
	if r.Disabled {
		return adminweb.Rep{}, fmt.Errorf("%w: account disabled", adminweb.ErrNotFound)
	}
	return webRep(r), nil
}

func (d *adminDeps) Reps(ctx context.Context) ([]adminweb.Rep, error) {
	rs, err := d.s.store.Reps(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]adminweb.Rep, 0, len(rs))
	for _, r := range rs {
		out = append(out, webRep(r))
	}
	return out, nil
}

func (d *adminDeps) Portals(ctx context.Context) ([]portalmodel.Portal, error) {
	return d.admin.Portals(ctx)
}

func (d *adminDeps) Portal(ctx context.Context, id string) (portalmodel.Portal, error) {
	p, err := d.admin.Portal(ctx, id)
	return p, webErr(err)
}

func (d *adminDeps) CreatePortal(ctx context.Context, by adminweb.Rep, p portalmodel.Portal) (portalmodel.Portal, error) {
	p, err := d.admin.CreatePortal(ctx, actor(by), p)
	return p, webErr(err)
}

func (d *adminDeps) UpdatePortal(ctx context.Context, by adminweb.Rep, p portalmodel.Portal) error {
	_, err := d.admin.UpdatePortal(ctx, actor(by), p)
	return webErr(err)
}

func (d *adminDeps) SetPortalTeams(ctx context.Context, by adminweb.Rep, portalID string, teamIDs []string) error {
	return webErr(d.admin.SetPortalTeams(ctx, actor(by), portalID, teamIDs))
}

func (d *adminDeps) PortalURL(p portalmodel.Portal) string {
	if p.Host != "" {
		return "https://" + p.Host + "/"
	}
	return d.s.publicURL() + portalmodel.PathPrefix + p.Slug + "/"
}

func (d *adminDeps) SiteSettings(ctx context.Context) (portalmodel.SiteSettings, error) {
	return d.admin.SiteSettings(ctx)
}

func (d *adminDeps) SaveSiteSettings(ctx context.Context, by adminweb.Rep, st portalmodel.SiteSettings) error {
	return webErr(d.admin.SaveSiteSettings(ctx, actor(by), st))
}

func (d *adminDeps) Banner(ctx context.Context, portalID string) ([]byte, bool, error) {
	p, err := d.admin.Portal(ctx, portalID)
	if err != nil {
		return nil, false, webErr(err)
	}
	b, err := d.admin.Banner(ctx, portalID)
	return b, p.Settings.Client.Banner.SHA256 != "", webErr(err)
}

func (d *adminDeps) SaveBanner(ctx context.Context, by adminweb.Rep, portalID string, bmp []byte) error {
	_, err := d.admin.SetBanner(ctx, actor(by), portalID, bmp)
	return webErr(err)
}

func (d *adminDeps) Teams(ctx context.Context) ([]portalmodel.Team, error) {
	return d.admin.Teams(ctx)
}

func (d *adminDeps) SaveTeam(ctx context.Context, by adminweb.Rep, t portalmodel.Team) (portalmodel.Team, error) {
	var err error
	if t.ID == "" {
		t, err = d.admin.CreateTeam(ctx, actor(by), t)
	} else {
		t, err = d.admin.UpdateTeam(ctx, actor(by), t)
	}
	return t, webErr(err)
}

func (d *adminDeps) Canned(ctx context.Context, teamID string) ([]portalmodel.Canned, error) {
	c, err := d.admin.CannedForTeam(ctx, teamID)
	return c, webErr(err)
}

func (d *adminDeps) SaveCanned(ctx context.Context, by adminweb.Rep, c portalmodel.Canned) error {
	var err error
	if c.ID == "" {
		_, err = d.admin.CreateCanned(ctx, actor(by), c)
	} else {
		_, err = d.admin.UpdateCanned(ctx, actor(by), c)
	}
	return webErr(err)
}

func (d *adminDeps) DeleteCanned(ctx context.Context, by adminweb.Rep, id string) error {
	return webErr(d.admin.DeleteCanned(ctx, actor(by), id))
}

func (d *adminDeps) Notices(ctx context.Context) ([]portalmodel.Notice, error) {
	return d.admin.Notices(ctx)
}

func (d *adminDeps) CreateNotice(ctx context.Context, by adminweb.Rep, n portalmodel.Notice) error {
	_, err := d.admin.CreateNotice(ctx, actor(by), n, false)
	return webErr(err)
}

func (d *adminDeps) SendNotice(ctx context.Context, by adminweb.Rep, id string) error {
	_, err := d.admin.SendNotice(ctx, actor(by), id)
	return webErr(err)
}

func (d *adminDeps) ExpireNotice(ctx context.Context, by adminweb.Rep, id string) error {
	_, err := d.admin.ExpireNotice(ctx, actor(by), id)
	return webErr(err)
}

func (d *adminDeps) Audit(ctx context.Context, limit int) ([]portalmodel.AuditRecord, error) {
	return d.admin.Audit(ctx, limit)
}

func (d *adminDeps) Now() time.Time { return d.s.now() }
