// Package adminweb is Tandem's admin web interface: HTML pages, served
// under /admin/ over the server's TLS, where reps with the admin role edit
// portals and their customer client configuration, the banner, teams and
// their canned messages, customer notices, and read the audit log.
//
// The pages are plain forms (html/template, embedded with go:embed, one
// style sheet, no JavaScript). A rep signs in with username and password;
// the session is an in-memory record behind a random cookie (Secure,
// HttpOnly, SameSite=Strict, __Host- prefix) that ends after 30 idle
// minutes or 8 hours. Every POST carries the session's CSRF token in a
// hidden field, compared in constant time, and must come from the same
// origin; the sign-in form has its own token in a cookie. Reps without the
// admin role get 403 and a page that says so.
//
// The package knows nothing of the store: [Deps] is what it needs, and
// the server implements it. Settings forms are generated from the
// configuration struct (see form.go), so every setting of the model has a
// field; a refused value is shown next to its field with what was typed.
package adminweb

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tandemhq/tandem/server/portal"
)

// Prefix is the path the pages live under.
const Prefix = "/admin/"

// Size limits of what the pages read.
const (
	// maxFormBytes bounds a posted form.
	maxFormBytes = 256 << 10
	// MaxBannerBytes bounds an uploaded banner (480 px wide, 8 bits per
	// pixel: 1 MiB is over 2000 rows).
	MaxBannerBytes = 1 << 20
	// auditPage is how many audit records the audit page shows.
	auditPage = 200
)

// Rep is a signed-in representative.
type Rep struct {
	ID          string
	Username    string
	DisplayName string
	// Admin is true for reps with the admin role; only they may use the pages.
	Admin bool
}

// Deps are the operations the pages need. The server implements it over
// its store, auth and the portal model's audited operations; every method
// that changes something records an audit entry naming by. Errors
// wrapping portal.ErrInvalid (whose text starts with the field's JSON
// path, as the model writes them) or *FieldError are shown next to their
// field; ErrNotFound gives 404.
type Deps interface {
	// SignIn checks a username and password (argon2id) from the given
	// source address. Wrong ones give ErrBadCredentials, too many failures
	// ErrRateLimited.
	SignIn(ctx context.Context, username, password, source string) (Rep, error)
	// Rep looks up a signed-in rep again; ErrNotFound when the account is
	// gone or disabled.
	Rep(ctx context.Context, id string) (Rep, error)
	// Reps lists every rep, for team membership.
	Reps(ctx context.Context) ([]Rep, error)

	// Portals lists the portals and subportals.
	Portals(ctx context.Context) ([]portal.Portal, error)
	// Portal returns one portal.
	Portal(ctx context.Context, id string) (portal.Portal, error)
	// CreatePortal adds a portal (zero Settings mean the defaults) and
	// returns it as stored.
	CreatePortal(ctx context.Context, by Rep, p portal.Portal) (portal.Portal, error)
	// UpdatePortal replaces a portal's slug, host, name, parent and
	// settings; blank messages get their default text back. New sessions
	// use the new settings; running sessions keep their snapshot.
	UpdatePortal(ctx context.Context, by Rep, p portal.Portal) error
	// SetPortalTeams replaces the teams that serve a portal.
	SetPortalTeams(ctx context.Context, by Rep, portalID string, teamIDs []string) error
	// PortalURL is the address customers open for the portal.
	PortalURL(p portal.Portal) string

	// SiteSettings returns the site-wide settings.
	SiteSettings(ctx context.Context) (portal.SiteSettings, error)
	// SaveSiteSettings stores them; an empty SMTP password keeps the old one.
	SaveSiteSettings(ctx context.Context, by Rep, s portal.SiteSettings) error

	// Banner returns the banner new sessions of the portal get, and
	// whether it is a custom one rather than the built-in default.
	Banner(ctx context.Context, portalID string) (bmp []byte, custom bool, err error)
	// SaveBanner stores a banner already checked with portal.ValidateBanner;
	// nil restores the default. New sessions use it, running ones keep theirs.
	SaveBanner(ctx context.Context, by Rep, portalID string, bmp []byte) error

	// Teams lists the teams.
	Teams(ctx context.Context) ([]portal.Team, error)
	// SaveTeam creates (empty ID) or updates a team and returns it.
	SaveTeam(ctx context.Context, by Rep, t portal.Team) (portal.Team, error)
	// Canned lists a team's canned messages.
	Canned(ctx context.Context, teamID string) ([]portal.Canned, error)
	// SaveCanned creates (empty ID) or updates a canned message.
	SaveCanned(ctx context.Context, by Rep, c portal.Canned) error
	// DeleteCanned deletes one.
	DeleteCanned(ctx context.Context, by Rep, id string) error

	// Notices lists the customer notices, newest first.
	Notices(ctx context.Context) ([]portal.Notice, error)
	// CreateNotice creates a draft notice.
	CreateNotice(ctx context.Context, by Rep, n portal.Notice) error
	// SendNotice sends a notice to waiting customers.
	SendNotice(ctx context.Context, by Rep, id string) error
	// ExpireNotice ends a notice now.
	ExpireNotice(ctx context.Context, by Rep, id string) error

	// Audit lists the most recent changes, newest first.
	Audit(ctx context.Context, limit int) ([]portal.AuditRecord, error)

	// Now is the server's clock: sessions expire and notices start by it.
	Now() time.Time
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Handler serves the admin pages. It is safe for concurrent use.
type Handler struct {
	deps   Deps
	logger *slog.Logger
	now    func() time.Time
	sess   *sessions
	pages  map[string]*template.Template
	mux    *http.ServeMux
	static http.Handler
}

// New returns the admin pages over deps. A nil logger discards.
func New(deps Deps, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{deps: deps, logger: logger, now: deps.Now, pages: parsePages()}
	h.sess = newSessions(deps.Now)
	sub, _ := fs.Sub(staticFS, "static")
	h.static = http.StripPrefix(Prefix+"static/", http.FileServerFS(sub))
	h.routes()
	return h
}

// parsePages parses each page together with the layout. The templates are
// compiled in, so a failure is a programming error.
func parsePages() map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	funcs := template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.UTC().Format("2006-01-02 15:04:05 UTC")
		},
		// wbr lets a URL wrap after its slashes only.
		"wbr": func(s string) template.HTML {
			parts := strings.Split(s, "/")
			for i := range parts {
				parts[i] = template.HTMLEscapeString(parts[i])
			}
			return template.HTML(strings.Join(parts, "/<wbr>"))
		},
		"has": func(list []string, s string) bool {
			for _, x := range list {
				if x == s {
					return true
				}
			}
			return false
		},
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := n[len("templates/") : len(n)-len(".html")]
		if base == "layout" || base == "form" {
			continue
		}
		t := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/form.html", n))
		pages[base] = t
	}
	return pages
}

// ServeHTTP serves the pages under Prefix.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	h.mux.ServeHTTP(w, r)
}

// securityHeaders are the headers of every answer.
func securityHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
}

// page is what every page template gets.
type page struct {
	Title string
	// Nav is the active top navigation item.
	Nav  string
	Rep  Rep
	CSRF string
	// Flash says what the last action did.
	Flash string
	// Error is a problem with the whole form.
	Error string
	// Portal and Sections are set on a portal's pages.
	Portal   *portalHead
	Sections []sectionLink
	Active   string
	Data     any
}

// portalHead is the portal a page belongs to.
type portalHead struct {
	ID, Name, URL string
}

// sectionLink is an entry of a portal's side navigation.
type sectionLink struct {
	Key, Title, Href string
}

// render writes a page.
func (h *Handler) render(w http.ResponseWriter, status int, name string, p page) {
	t, ok := h.pages[name]
	if !ok {
		h.logger.Error("admin page missing", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		h.logger.Error("render admin page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows an error page for err: not found, or an internal error that
// is logged and not shown.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, a auth, err error) {
	p := page{Title: "Something went wrong", Rep: a.rep, CSRF: a.csrf}
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrNotFound):
		status, p.Title, p.Error = http.StatusNotFound, "Not found", "That item does not exist (any more)."
	case invalid(err):
		status, p.Error = http.StatusBadRequest, err.Error()
	default:
		h.logger.Error("admin request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		p.Error = "The server failed to do this; try again. The error is in the server's log."
	}
	h.render(w, status, "error", p)
}

// auth is the signed-in admin of a request.
type auth struct {
	rep    Rep
	csrf   string
	cookie string
}

// authed wraps a page that needs a signed-in admin: it checks the session,
// looks the rep up again (roles may have changed), refuses non-admins
// with 403, and checks the CSRF token and the origin of every POST.
func (h *Handler) authed(fn func(w http.ResponseWriter, r *http.Request, a auth)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		var ss session
		ok := false
		if err == nil {
			ss, ok = h.sess.get(c.Value)
		}
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, Prefix+"signin?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
				return
			}
			h.refuse(w, http.StatusForbidden, "Your session has ended", "Sign in again and repeat what you did.")
			return
		}
		rep, err := h.deps.Rep(r.Context(), ss.repID)
		if errors.Is(err, ErrNotFound) {
			h.sess.end(c.Value)
			setCookie(w, sessionCookie, "", -1)
			h.refuse(w, http.StatusForbidden, "Your account is disabled", "Ask another administrator.")
			return
		}
		if err != nil {
			h.fail(w, r, auth{}, err)
			return
		}
		if !rep.Admin {
			h.logger.Info("admin page refused: not an admin", "rep", rep.ID, "path", r.URL.Path)
			h.refuse(w, http.StatusForbidden, "Administrators only", "Your account ("+rep.Username+") does not have the admin role, so it cannot use these pages.")
			return
		}
		a := auth{rep: rep, csrf: ss.csrf, cookie: c.Value}
		if r.Method == http.MethodPost {
			if !h.checkPost(w, r, ss.csrf) {
				return
			}
		}
		fn(w, r, a)
	}
}

// checkPost parses a POST's form (at most maxFormBytes, plus
// MaxBannerBytes for a multipart upload) and checks its origin and CSRF
// token; on failure it answers 403 and returns false.
func (h *Handler) checkPost(w http.ResponseWriter, r *http.Request, want string) bool {
	if !sameOrigin(r) {
		h.logger.Info("admin post refused: cross-origin", "path", r.URL.Path, "origin", r.Header.Get("Origin"), "source", r.RemoteAddr)
		h.refuse(w, http.StatusForbidden, "Refused", "Forms may only be sent from these pages.")
		return false
	}
	limit := int64(maxFormBytes)
	if isMultipart(r) {
		limit += MaxBannerBytes
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	if isMultipart(r) {
		err = r.ParseMultipartForm(limit)
	} else {
		err = r.ParseForm()
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		h.refuse(w, http.StatusRequestEntityTooLarge, "Too large", fmt.Sprintf("The form or file is over %d KiB; a banner 480 px wide in 256 colours is far smaller. Go back and choose another file.", limit>>10))
		return false
	}
	if err != nil {
		h.refuse(w, http.StatusBadRequest, "Bad form", "The form could not be read: "+err.Error())
		return false
	}
	got := r.PostForm.Get(csrfField)
	if !tokensEqual(got, want) {
		h.logger.Info("admin post refused: CSRF token missing or wrong", "path", r.URL.Path, "source", r.RemoteAddr)
		h.refuse(w, http.StatusForbidden, "Refused: the form's security token is missing or wrong", "Reload the page and try again.")
		return false
	}
	return true
}

// isMultipart reports a multipart/form-data body.
func isMultipart(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return len(ct) >= 19 && ct[:19] == "multipart/form-data"
}

// sameOrigin accepts a request whose Origin (or, without one, Referer) is
// this host over https; requests with neither are accepted (non-browser
// clients), since the CSRF token is the real check.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		o = r.Header.Get("Referer")
	}
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil {
		return false
	}
	return u.Scheme == "https" && u.Host == r.Host
}

// refuse shows a short page with a status.
func (h *Handler) refuse(w http.ResponseWriter, status int, title, msg string) {
	h.render(w, status, "refused", page{Title: title, Error: msg})
}

// source is the request's source address.
func source(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// redirect answers a successful POST with 303 to a page and a flash.
func redirect(w http.ResponseWriter, r *http.Request, to, flash string) {
	if flash != "" {
		to += "?done=" + url.QueryEscape(flash)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// flash is the message a redirect carried; only known ones are shown, so
// a link cannot put text on the page.
func flash(r *http.Request) string {
	switch d := r.URL.Query().Get("done"); d {
	case "saved":
		return "Saved."
	case "settings":
		return "Saved. New sessions use these settings; running sessions keep theirs."
	case "created":
		return "Created."
	case "banner":
		return "Banner saved. New sessions show it; running sessions keep theirs."
	case "banner-default":
		return "The default banner is back for new sessions."
	case "sent":
		return "Notice sent to waiting customers."
	case "expired":
		return "Notice expired."
	case "deleted":
		return "Deleted."
	case "site":
		return "Saved. New sessions use these settings."
	}
	return ""
}
