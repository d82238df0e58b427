package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/auth"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/store"
)

// PathAdmin is the prefix of the admin JSON API (docs/admin-api.md).
const PathAdmin = "/api/v1/admin/"

// Size limits of the admin API.
const (
	// maxAdminJSONBytes bounds an admin request body: a portal's settings
	// with many languages are larger than protocol.MaxRequestBytes.
	maxAdminJSONBytes = 1 << 20
	// MaxBannerBytes bounds an uploaded banner (480 px wide at 8 bits per
	// pixel: over 2000 rows).
	MaxBannerBytes = 1 << 20
	// defaultAuditLimit is how many audit records a list returns by default.
	defaultAuditLimit = 100
)

// adminAPI serves PathAdmin: every operation needs a rep token with the
// admin role and records an audit entry through admin.
type adminAPI struct {
	s     *Server
	admin *portalmodel.Admin
}

// adminHandler is an admin API handler: it gets the calling admin.
type adminHandler func(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error

// routes registers the admin API.
func (a *adminAPI) routes(mux *http.ServeMux) {
	h := func(pattern string, fn adminHandler) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" "+PathAdmin+path, a.s.api(a.auth(fn)))
	}
	h("GET portals", a.listPortals)
	h("POST portals", a.createPortal)
	h("GET portals/{id}", a.getPortal)
	h("PUT portals/{id}", a.putPortal)
	h("DELETE portals/{id}", a.deletePortal)
	h("GET portals/{id}/client-config", a.getClientConfig)
	h("PUT portals/{id}/client-config", a.putClientConfig)
	h("GET portals/{id}/snapshot", a.getSnapshot)
	h("PUT portals/{id}/teams", a.putPortalTeams)
	h("GET portals/{id}/banner", a.getBanner)
	h("PUT portals/{id}/banner", a.putBanner)
	h("DELETE portals/{id}/banner", a.deleteBanner)
	h("GET portals/{id}/status", a.portalStatus)
	h("GET site", a.getSite)
	h("PUT site", a.putSite)
	h("GET teams", a.listTeams)
	h("POST teams", a.createTeam)
	h("GET teams/{id}", a.getTeam)
	h("PUT teams/{id}", a.putTeam)
	h("DELETE teams/{id}", a.deleteTeam)
	h("GET teams/{id}/canned", a.listCanned)
	h("POST teams/{id}/canned", a.createCanned)
	h("PUT canned/{id}", a.putCanned)
	h("DELETE canned/{id}", a.deleteCanned)
	h("GET notices", a.listNotices)
	h("POST notices", a.createNotice)
	h("POST notices/{id}/send", a.sendNotice)
	h("POST notices/{id}/expire", a.expireNotice)
	h("GET audit", a.listAudit)
	h("GET reps", a.listReps)
	h("POST reps", a.createRep)
	h("POST reps/{id}/disable", a.disableRep(true))
	h("POST reps/{id}/enable", a.disableRep(false))
}

// auth admits reps with the admin role only.
func (a *adminAPI) auth(fn adminHandler) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		rep, err := a.s.authRep(r.Context(), r)
		if err != nil {
			return err
		}
		if !rep.HasRole(protocol.RoleAdmin) {
			return apiErr(http.StatusForbidden, protocol.CodeForbidden, "only admins may change the configuration; this account has no admin role")
		}
		return adminErr(fn(w, r, portalmodel.Actor{RepID: rep.ID, Username: rep.Username}))
	}
}

// adminErr turns store and validation errors into API errors whose message
// says what was wrong.
func adminErr(err error) error {
	var ae *apiError
	switch {
	case err == nil || errors.As(err, &ae):
		return err
	case errors.Is(err, portalmodel.ErrInvalid), errors.Is(err, portalmodel.ErrBadBanner), errors.Is(err, protocol.ErrBadData):
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, reason(err))
	case errors.Is(err, store.ErrNotFound):
		return apiErr(http.StatusNotFound, protocol.CodeNotFound, reason(err))
	case errors.Is(err, store.ErrConflict):
		return apiErr(http.StatusConflict, protocol.CodeConflict, "conflict: "+conflictReason(err))
	}
	return err
}

// reason is the part of a validation error a person needs: what is wrong.
func reason(err error) string {
	msg := err.Error()
	for _, marker := range []string{portalmodel.ErrInvalid.Error() + ": ", portalmodel.ErrBadBanner.Error() + ": ", protocol.ErrBadData.Error() + ": "} {
		if i := strings.LastIndex(msg, marker); i >= 0 {
			return marker[:len(marker)-2] + ": " + msg[i+len(marker):]
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return strings.Replace(msg, store.ErrNotFound.Error(), "not found", 1)
	}
	return msg
}

// conflictReason says which unique value is taken.
func conflictReason(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "portals.slug"):
		return "another portal has this slug"
	case strings.Contains(msg, "portals.host"):
		return "another portal has this host name"
	case strings.Contains(msg, "username"):
		return "the username is taken"
	case strings.Contains(msg, "sessions belong"), strings.Contains(msg, "subportals"):
		_, why, _ := strings.Cut(msg, store.ErrConflict.Error()+": ")
		return why
	}
	return "the record exists already or changed meanwhile"
}

// readBody reads a JSON request body of at most maxAdminJSONBytes strictly
// (unknown fields are refused).
func readBody(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return apiErr(http.StatusUnsupportedMediaType, protocol.CodeBadData, "the request body must be application/json")
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAdminJSONBytes))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apiErr(http.StatusRequestEntityTooLarge, protocol.CodeTooLarge, fmt.Sprintf("the request body is over %d bytes", maxAdminJSONBytes))
	}
	if err != nil {
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, "cannot read the request body")
	}
	if err := protocol.UnmarshalStrict(b, v); err != nil {
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, "bad JSON: "+err.Error())
	}
	return nil
}

// portalView is a portal as the API shows it: with its public URL and teams.
type portalView struct {
	portalmodel.Portal
	// URL is the portal's public address.
	URL string `json:"url"`
	// TeamIDs are the teams serving the portal.
	TeamIDs []string `json:"team_ids"`
}

// view adds the URL and teams to a portal.
func (a *adminAPI) view(ctx context.Context, p portalmodel.Portal) (portalView, error) {
	v := portalView{Portal: p, URL: a.s.portalURL(p), TeamIDs: []string{}}
	ts, err := a.admin.Teams(ctx)
	if err != nil {
		return v, err
	}
	for _, t := range ts {
		for _, pid := range t.PortalIDs {
			if pid == p.ID {
				v.TeamIDs = append(v.TeamIDs, t.ID)
			}
		}
	}
	return v, nil
}

// portalURL is a portal's public address: its host, or its path.
func (s *Server) portalURL(p portalmodel.Portal) string {
	if p.Host != "" {
		return "https://" + p.Host + "/"
	}
	return s.publicURL() + portalmodel.PathPrefix + p.Slug + "/"
}

func (a *adminAPI) listPortals(w http.ResponseWriter, r *http.Request, _ portalmodel.Actor) error {
	ps, err := a.admin.Portals(r.Context())
	if err != nil {
		return err
	}
	out := []portalView{}
	for _, p := range ps {
		v, err := a.view(r.Context(), p)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// portalInput is the body of POST portals and PUT portals/{id}.
type portalInput struct {
	Slug     string                `json:"slug"`
	Host     string                `json:"host,omitempty"`
	Name     string                `json:"name"`
	ParentID string                `json:"parent_id,omitempty"`
	Settings *portalmodel.Settings `json:"settings,omitempty"`
}

func (a *adminAPI) createPortal(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	var in portalInput
	if err := readBody(w, r, &in); err != nil {
		return err
	}
	p := portalmodel.Portal{Slug: in.Slug, Host: in.Host, Name: in.Name, ParentID: in.ParentID}
	if in.Settings != nil {
		p.Settings = *in.Settings
	}
	p, err := a.admin.CreatePortal(r.Context(), by, p)
	if err != nil {
		return err
	}
	return a.writePortal(w, r, http.StatusCreated, p)
}

func (a *adminAPI) writePortal(w http.ResponseWriter, r *http.Request, status int, p portalmodel.Portal) error {
	v, err := a.view(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, status, v)
	return nil
}

func (a *adminAPI) getPortal(w http.ResponseWriter, r *http.Request, _ portalmodel.Actor) error {
	p, err := a.admin.Portal(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.writePortal(w, r, http.StatusOK, p)
}

func (a *adminAPI) putPortal(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	var in portalInput
	if err := readBody(w, r, &in); err != nil {
		return err
	}
	p, err := a.admin.Portal(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p.Slug, p.Host, p.Name, p.ParentID = in.Slug, in.Host, in.Name, in.ParentID
	if in.Settings != nil {
		banner := p.Settings.Client.Banner
		p.Settings = *in.Settings
		p.Settings.Client.Banner = banner // the banner has its own endpoint
	}
	if p, err = a.admin.UpdatePortal(r.Context(), by, p); err != nil {
		return err
	}
	return a.writePortal(w, r, http.StatusOK, p)
}

func (a *adminAPI) deletePortal(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	if err := a.admin.DeletePortal(r.Context(), by, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *adminAPI) getClientConfig(w http.ResponseWriter, r *http.Request, _ portalmodel.Actor) error {
	p, err := a.admin.Portal(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p.Settings.Client)
	return nil
}

func (a *adminAPI) putClientConfig(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	var c protocol.CustomerClientConfig
	if err := readBody(w, r, &c); err != nil {
		return err
	}
	p, err := a.admin.UpdateClientConfig(r.Context(), by, r.PathValue("id"), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p.Settings.Client)
	return nil
}

// getSnapshot shows what a session starting now through the portal receives.
func (a *adminAPI) getSnapshot(w http.ResponseWriter, r *http.Request, _ portalmodel.Actor) error {
	id := r.PathValue("id")
	if _, err := a.admin.Portal(r.Context(), id); err != nil {
		return err
	}
	c, err := a.s.currentConfig(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// teamIDs is the body of PUT portals/{id}/teams.
type teamIDs struct {
	TeamIDs []string `json:"team_ids"`
}

func (a *adminAPI) putPortalTeams(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	var in teamIDs
	if err := readBody(w, r, &in); err != nil {
		return err
	}
	if err := a.admin.SetPortalTeams(r.Context(), by, r.PathValue("id"), in.TeamIDs); err != nil {
		return err
	}
	p, err := a.admin.Portal(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.writePortal(w, r, http.StatusOK, p)
}

func (a *adminAPI) getBanner(w http.ResponseWriter, r *http.Request, _ portalmodel.Actor) error {
	b, err := a.admin.Banner(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeBMP(w, b, false)
	return nil
}

// writeBMP writes a banner; immutable ones (by hash) may be cached.
func writeBMP(w http.ResponseWriter, b []byte, immutable bool) {
	w.Header().Set("Content-Type", "image/bmp")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	if immutable {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// bannerResult answers a banner upload.
type bannerResult struct {
	SHA256 string `json:"sha256"`
	URL    string `json:"url"`
}

func (a *adminAPI) putBanner(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "image/bmp" && mt != "application/octet-stream") {
		return apiErr(http.StatusUnsupportedMediaType, protocol.CodeBadData, "upload the banner as the raw file with Content-Type image/bmp")
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBannerBytes))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apiErr(http.StatusRequestEntityTooLarge, protocol.CodeTooLarge, fmt.Sprintf("the banner is over %d bytes", MaxBannerBytes))
	}
	if err != nil {
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, "cannot read the banner")
	}
	if len(b) == 0 {
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, "the banner is empty; DELETE restores the default")
	}
	sum, err := a.admin.SetBanner(r.Context(), by, r.PathValue("id"), b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bannerResult{SHA256: sum, URL: a.s.bannerURL(sum)})
	return nil
}

func (a *adminAPI) deleteBanner(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	sum, err := a.admin.SetBanner(r.Context(), by, r.PathValue("id"), nil)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bannerResult{SHA256: sum, URL: a.s.bannerURL(sum)})
	return nil
}

func (a *adminAPI) getSite(w http.ResponseWriter, r *http.Request, _ portalmodel.Actor) error {
	ss, err := a.admin.SiteSettings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ss)
	return nil
}

func (a *adminAPI) putSite(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	var ss portalmodel.SiteSettings
	if err := readBody(w, r, &ss); err != nil {
		return err
	}
	if err := a.admin.SaveSiteSettings(r.Context(), by, ss); err != nil {
		return err
	}
	return a.getSite(w, r, by)
}

func (a *adminAPI) listTeams(w http.ResponseWriter, r *http.Request, _ portalmodel.Actor) error {
	ts, err := a.admin.Teams(r.Context())
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []portalmodel.Team{}
	}
	writeJSON(w, http.StatusOK, ts)
	return nil
}

// teamInput is the body of POST teams and PUT teams/{id}.
type teamInput struct {
	Name      string   `json:"name"`
	PortalIDs []string `json:"portal_ids"`
	RepIDs    []string `json:"rep_ids"`
}

func (a *adminAPI) createTeam(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	var in teamInput
	if err := readBody(w, r, &in); err != nil {
		return err
	}
	t, err := a.admin.CreateTeam(r.Context(), by, portalmodel.Team{Name: in.Name, PortalIDs: in.PortalIDs, RepIDs: in.RepIDs})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (a *adminAPI) getTeam(w http.ResponseWriter, r *http.Request, _ portalmodel.Actor) error {
	t, err := a.admin.Team(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (a *adminAPI) putTeam(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	var in teamInput
	if err := readBody(w, r, &in); err != nil {
		return err
	}
	t, err := a.admin.UpdateTeam(r.Context(), by, portalmodel.Team{ID: r.PathValue("id"), Name: in.Name, PortalIDs: in.PortalIDs, RepIDs: in.RepIDs})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (a *adminAPI) deleteTeam(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	if err := a.admin.DeleteTeam(r.Context(), by, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *adminAPI) listCanned(w http.ResponseWriter, r *http.Request, _ portalmodel.Actor) error {
	cs, err := a.admin.CannedForTeam(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []portalmodel.Canned{}
	}
	writeJSON(w, http.StatusOK, cs)
	return nil
}

// cannedInput is the body of POST teams/{id}/canned and PUT canned/{id}.
type cannedInput struct {
	// TeamID moves a message to another team (PUT only); empty keeps it.
	TeamID string `json:"team_id,omitempty"`
	Title  string `json:"title"`
	Text   string `json:"text"`
}

func (a *adminAPI) createCanned(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	var in cannedInput
	if err := readBody(w, r, &in); err != nil {
		return err
	}
	c, err := a.admin.CreateCanned(r.Context(), by, portalmodel.Canned{TeamID: r.PathValue("id"), Title: in.Title, Text: in.Text})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (a *adminAPI) putCanned(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	var in cannedInput
	if err := readBody(w, r, &in); err != nil {
		return err
	}
	c := portalmodel.Canned{ID: r.PathValue("id"), TeamID: in.TeamID, Title: in.Title, Text: in.Text}
	if c.TeamID == "" {
		old, err := a.s.store.Canned(r.Context(), c.ID)
		if err != nil {
			return err
		}
		c.TeamID = old.TeamID
	}
	c, err := a.admin.UpdateCanned(r.Context(), by, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *adminAPI) deleteCanned(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	if err := a.admin.DeleteCanned(r.Context(), by, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// noticeView is a notice with its state at the time of the answer.
type noticeView struct {
	portalmodel.Notice
	// Active: customers see it now.
	Active bool `json:"active"`
}

func (a *adminAPI) listNotices(w http.ResponseWriter, r *http.Request, _ portalmodel.Actor) error {
	ns, err := a.admin.Notices(r.Context())
	if err != nil {
		return err
	}
	now := a.s.now()
	out := []noticeView{}
	for _, n := range ns {
		out = append(out, noticeView{Notice: n, Active: n.Active(now)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// noticeInput is the body of POST notices.
type noticeInput struct {
	PortalID string `json:"portal_id,omitempty"`
	Message  string `json:"message"`
	// Expires is RFC 3339; ExpiresInMinutes is the alternative.
	Expires          string `json:"expires,omitempty"`
	ExpiresInMinutes int    `json:"expires_in_minutes,omitempty"`
	// Send sends it at once instead of saving a draft.
	Send bool `json:"send"`
}

func (a *adminAPI) createNotice(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	var in noticeInput
	if err := readBody(w, r, &in); err != nil {
		return err
	}
	n := portalmodel.Notice{PortalID: in.PortalID, Message: in.Message}
	switch {
	case in.Expires != "" && in.ExpiresInMinutes != 0:
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, "give expires or expires_in_minutes, not both")
	case in.Expires != "":
		t, err := parseTime(in.Expires)
		if err != nil {
			return apiErr(http.StatusBadRequest, protocol.CodeBadData, fmt.Sprintf("expires %q is not an RFC 3339 time such as 2026-11-23T18:00:00Z", in.Expires))
		}
		n.Expires = t
	case in.ExpiresInMinutes > 0:
		n.Expires = a.s.now().Add(minutes(in.ExpiresInMinutes))
	default:
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, "expires (RFC 3339) or a positive expires_in_minutes is required")
	}
	if n.PortalID != "" {
		if _, err := a.admin.Portal(r.Context(), n.PortalID); err != nil {
			return err
		}
	}
	n, err := a.admin.CreateNotice(r.Context(), by, n, in.Send)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, noticeView{Notice: n, Active: n.Active(a.s.now())})
	return nil
}

func (a *adminAPI) sendNotice(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	n, err := a.admin.SendNotice(r.Context(), by, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, noticeView{Notice: n, Active: n.Active(a.s.now())})
	return nil
}

func (a *adminAPI) expireNotice(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	n, err := a.admin.ExpireNotice(r.Context(), by, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, noticeView{Notice: n, Active: n.Active(a.s.now())})
	return nil
}

func (a *adminAPI) listAudit(w http.ResponseWriter, r *http.Request, _ portalmodel.Actor) error {
	limit := defaultAuditLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return apiErr(http.StatusBadRequest, protocol.CodeBadData, "limit must be a number from 1 to 10000")
		}
		limit = n
	}
	as, err := a.admin.Audit(r.Context(), limit)
	if err != nil {
		return err
	}
	if as == nil {
		as = []portalmodel.AuditRecord{}
	}
	writeJSON(w, http.StatusOK, as)
	return nil
}

// repView is an account as admins see it.
type repView struct {
	protocol.Rep
	Disabled bool `json:"disabled"`
}

func (a *adminAPI) listReps(w http.ResponseWriter, r *http.Request, _ portalmodel.Actor) error {
	reps, err := a.s.store.Reps(r.Context())
	if err != nil {
		return err
	}
	out := []repView{}
	for _, rep := range reps {
		out = append(out, repView{Rep: wireRep(rep), Disabled: rep.Disabled})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// repInput is the body of POST reps.
type repInput struct {
	Username    string          `json:"username"`
	DisplayName string          `json:"display_name,omitempty"`
	Password    string          `json:"password"`
	Roles       []protocol.Role `json:"roles,omitempty"`
}

func (a *adminAPI) createRep(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
	var in repInput
	if err := readBody(w, r, &in); err != nil {
		return err
	}
	for _, role := range in.Roles {
		if role != protocol.RoleRep && role != protocol.RoleAdmin {
			return apiErr(http.StatusBadRequest, protocol.CodeBadData, fmt.Sprintf("role %q: an account has the roles rep and/or admin", role))
		}
	}
	rep, err := a.s.CreateRep(r.Context(), in.Username, in.DisplayName, in.Password, in.Roles...)
	if errors.Is(err, auth.ErrWeakPassword) {
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, "password: "+strings.TrimPrefix(err.Error(), auth.ErrWeakPassword.Error()+": "))
	}
	if err != nil {
		return err
	}
	if err := a.admin.Record(r.Context(), by, "rep.create", rep.ID, fmt.Sprintf("username %q, roles %v", rep.Username, rep.Roles)); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, repView{Rep: rep})
	return nil
}

// disableRep disables or enables an account.
func (a *adminAPI) disableRep(disabled bool) adminHandler {
	return func(w http.ResponseWriter, r *http.Request, by portalmodel.Actor) error {
		id := r.PathValue("id")
		if disabled && id == by.RepID {
			return apiErr(http.StatusConflict, protocol.CodeConflict, "you cannot disable your own account")
		}
		if err := a.s.store.SetRepDisabled(r.Context(), id, disabled); err != nil {
			return err
		}
		action := "rep.enable"
		if disabled {
			action = "rep.disable"
		}
		if err := a.admin.Record(r.Context(), by, action, id, ""); err != nil {
			return err
		}
		rep, err := a.s.store.RepByID(r.Context(), id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, repView{Rep: wireRep(rep), Disabled: rep.Disabled})
		return nil
	}
}

// queueStatus is one queue of a portal as the status shows it.
type queueStatus struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	TeamID  string `json:"team_id"`
	Waiting int    `json:"waiting"`
	// EstimatedWaitSeconds is set when Estimated (at least
	// portal.MinWaitSamples answered sessions).
	EstimatedWaitSeconds int  `json:"estimated_wait_seconds,omitempty"`
	Estimated            bool `json:"estimated"`
	OverMax              bool `json:"over_max,omitempty"`
}

// portalStatus is the answer of GET portals/{id}/status.
type portalStatus struct {
	// Open: the portal takes sessions now (business hours and holidays).
	Open   bool          `json:"open"`
	Queues []queueStatus `json:"queues"`
}

func (a *adminAPI) portalStatus(w http.ResponseWriter, r *http.Request, _ portalmodel.Actor) error {
	ctx := r.Context()
	p, err := a.admin.Portal(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	open, err := p.Settings.OpenAt(a.s.now())
	if err != nil {
		return err
	}
	qs, err := a.s.store.PortalQueues(ctx, p.ID)
	if err != nil {
		return err
	}
	st := portalStatus{Open: open, Queues: []queueStatus{}}
	for _, q := range qs {
		waiting, err := a.s.store.WaitingSessions(ctx, []string{q.ID})
		if err != nil {
			return err
		}
		samples, err := a.s.store.WaitSamples(ctx, q.ID, portalmodel.WaitWindow)
		if err != nil {
			return err
		}
		e := portalmodel.EstimateWait(samples, minutes(p.Settings.Client.Queue.MaxEstimatedWaitMinutes))
		qst := queueStatus{ID: q.ID, Name: q.Name, TeamID: q.TeamID, Waiting: len(waiting), Estimated: e.Known, OverMax: e.OverMax}
		if e.Known {
			qst.EstimatedWaitSeconds = int(e.Wait.Seconds())
		}
		st.Queues = append(st.Queues, qst)
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}
