package adminweb

import (
	"errors"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tandemhq/tandem/server/mail"
	"github.com/tandemhq/tandem/server/portal"
)

// routes registers the pages.
func (h *Handler) routes() {
	m := http.NewServeMux()
	m.Handle("GET "+Prefix+"static/", h.static)
	m.HandleFunc("GET "+Prefix+"signin", h.signinPage)
	m.HandleFunc("POST "+Prefix+"signin", h.signin)
	m.HandleFunc("POST "+Prefix+"signout", h.authed(h.signout))
	m.HandleFunc("GET "+Prefix+"{$}", h.authed(h.portalsPage))
	m.HandleFunc("POST "+Prefix+"portals", h.authed(h.createPortal))
	m.HandleFunc("GET "+Prefix+"portals/{id}", h.authed(h.portalPage))
	m.HandleFunc("POST "+Prefix+"portals/{id}", h.authed(h.savePortal))
	m.HandleFunc("GET "+Prefix+"portals/{id}/settings/{section}", h.authed(h.settingsPage))
	m.HandleFunc("POST "+Prefix+"portals/{id}/settings/{section}", h.authed(h.saveSettings))
	m.HandleFunc("GET "+Prefix+"portals/{id}/banner", h.authed(h.bannerPage))
	m.HandleFunc("POST "+Prefix+"portals/{id}/banner", h.authed(h.saveBanner))
	m.HandleFunc("GET "+Prefix+"portals/{id}/banner.bmp", h.authed(h.bannerImage))
	m.HandleFunc("GET "+Prefix+"portals/{id}/hours", h.authed(h.hoursPage))
	m.HandleFunc("POST "+Prefix+"portals/{id}/hours", h.authed(h.saveHours))
	m.HandleFunc("GET "+Prefix+"site", h.authed(h.sitePage))
	m.HandleFunc("POST "+Prefix+"site", h.authed(h.saveSite))
	m.HandleFunc("GET "+Prefix+"teams", h.authed(h.teamsPage))
	m.HandleFunc("POST "+Prefix+"teams", h.authed(h.createTeam))
	m.HandleFunc("GET "+Prefix+"teams/{id}", h.authed(h.teamPage))
	m.HandleFunc("POST "+Prefix+"teams/{id}", h.authed(h.saveTeam))
	m.HandleFunc("POST "+Prefix+"teams/{id}/canned", h.authed(h.saveCanned))
	m.HandleFunc("POST "+Prefix+"teams/{id}/canned/{cid}/delete", h.authed(h.deleteCanned))
	m.HandleFunc("GET "+Prefix+"notices", h.authed(h.noticesPage))
	m.HandleFunc("POST "+Prefix+"notices", h.authed(h.createNotice))
	m.HandleFunc("POST "+Prefix+"notices/{id}/send", h.authed(h.sendNotice))
	m.HandleFunc("POST "+Prefix+"notices/{id}/expire", h.authed(h.expireNotice))
	m.HandleFunc("GET "+Prefix+"audit", h.authed(h.auditPage))
	m.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		h.refuse(w, http.StatusNotFound, "Not found", "There is no such admin page.")
	})
	h.mux = m
}

// signinData is the sign-in form.
type signinData struct {
	Username string
	Next     string
}

// signinPage shows the sign-in form with a fresh sign-in CSRF token.
func (h *Handler) signinPage(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if _, ok := h.sess.get(c.Value); ok {
			http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
			return
		}
	}
	tok := randomToken()
	setCookie(w, signinCookie, tok, 0)
	h.render(w, http.StatusOK, "signin", page{Title: "Sign in", CSRF: tok, Data: signinData{Next: safeNext(r.URL.Query().Get("next"))}})
}

// safeNext is where to go after signing in: an admin path, else the start page.
func safeNext(next string) string {
	if strings.HasPrefix(next, Prefix) && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") && !strings.Contains(next, "/../") {
		return next
	}
	return Prefix
}

// signin checks the credentials and starts a session for an admin.
func (h *Handler) signin(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		h.refuse(w, http.StatusForbidden, "Refused", "Forms may only be sent from these pages.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.refuse(w, http.StatusBadRequest, "Bad form", "The form could not be read.")
		return
	}
	c, err := r.Cookie(signinCookie)
	if err != nil || !tokensEqual(c.Value, r.PostForm.Get(csrfField)) {
		h.logger.Info("admin sign-in refused: CSRF token missing or wrong", "source", r.RemoteAddr)
		h.refuse(w, http.StatusForbidden, "Refused: the form's security token is missing or wrong", "Open the sign-in page again and sign in from there.")
		return
	}
	user, pw := strings.TrimSpace(r.PostForm.Get("username")), r.PostForm.Get("password")
	d := signinData{Username: user, Next: safeNext(r.PostForm.Get("next"))}
	again := func(status int, msg string) {
		tok := randomToken()
		setCookie(w, signinCookie, tok, 0)
		h.render(w, status, "signin", page{Title: "Sign in", CSRF: tok, Error: msg, Data: d})
	}
	if user == "" || pw == "" || len(user) > 256 || len(pw) > 1024 {
		again(http.StatusBadRequest, "Give your username and password.")
		return
	}
	rep, err := h.deps.SignIn(r.Context(), user, pw, source(r))
	switch {
	case errors.Is(err, ErrBadCredentials):
		again(http.StatusUnauthorized, "Wrong username or password.")
		return
	case errors.Is(err, ErrRateLimited):
		again(http.StatusTooManyRequests, "Too many failed sign-ins. Wait a few minutes and try again.")
		return
	case err != nil:
		h.fail(w, r, auth{}, err)
		return
	}
	if !rep.Admin {
		h.logger.Info("admin sign-in refused: not an admin", "rep", rep.ID, "username", rep.Username)
		h.refuse(w, http.StatusForbidden, "Administrators only", "Your account ("+rep.Username+") does not have the admin role, so it cannot use these pages. Representatives work in the Tandem console.")
		return
	}
	cookie, _ := h.sess.create(rep.ID)
	setCookie(w, sessionCookie, cookie, int(sessionMax/time.Second))
	setCookie(w, signinCookie, "", -1)
	h.logger.Info("admin signed in", "rep", rep.ID, "username", rep.Username, "source", source(r))
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// signout ends the session.
func (h *Handler) signout(w http.ResponseWriter, r *http.Request, a auth) {
	h.sess.end(a.cookie)
	setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, Prefix+"signin", http.StatusSeeOther)
}

// portalRow is a line of the portal list.
type portalRow struct {
	ID, Name, URL, Type, Parent string
	Teams                       []string
}

// portalsData is the start page.
type portalsData struct {
	Portals []portalRow
	Name    string
	Slug    string
	Errors  map[string]string
	Type    field
}

// typeLabels explain the portal types.
var typeLabels = map[string]string{
	"smartbutton": "SmartButton — one button, broadcast to available reps",
	"smartbox":    "SmartBox — the customer types a question",
	"smartmatch":  "SmartMatch — the customer picks a signed-in rep",
	"smartpin":    "SmartPin — the customer enters the rep's 9-digit code",
	"codepage":    "Code page — accepts any portal's code",
}

// typeName is a portal type's short name for lists.
func typeName(t portal.Type) string {
	if l, ok := typeLabels[t.String()]; ok {
		name, _, _ := strings.Cut(l, " — ")
		return name
	}
	return t.String()
}

// teamsOf maps portal IDs to the names of the teams serving them.
func teamsOf(teams []portal.Team) map[string][]string {
	m := map[string][]string{}
	for _, t := range teams {
		for _, id := range t.PortalIDs {
			m[id] = append(m[id], t.Name)
		}
	}
	return m
}

// portalsPage lists the portals, with a form for a new one.
func (h *Handler) portalsPage(w http.ResponseWriter, r *http.Request, a auth) {
	h.showPortals(w, r, a, http.StatusOK, portalsData{}, nil, "")
}

// showPortals renders the start page; d holds the new-portal form's input.
func (h *Handler) showPortals(w http.ResponseWriter, r *http.Request, a auth, status int, d portalsData, input map[string][]string, msg string) {
	ps, err := h.deps.Portals(r.Context())
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	teams, err := h.deps.Teams(r.Context())
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	names := map[string]string{}
	for _, p := range ps {
		names[p.ID] = p.Name
	}
	byPortal := teamsOf(teams)
	for _, p := range ps {
		d.Portals = append(d.Portals, portalRow{ID: p.ID, Name: p.Name, URL: h.deps.PortalURL(p), Type: typeName(p.Settings.Type), Parent: names[p.ParentID], Teams: byPortal[p.ID]})
	}
	s := portal.DefaultSettings()
	d.Type = typeField(buildOnly(reflect.ValueOf(&s).Elem(), "", "", []string{"type"}, input, d.Errors))
	h.render(w, status, "portals", page{Title: "Portals", Nav: "portals", Rep: a.rep, CSRF: a.csrf, Flash: flash(r), Error: msg, Data: d})
}

// typeField is the portal type's field of a built section, with the
// types explained.
func typeField(s section) field {
	for _, f := range s.Fields {
		if f.Name == "type" {
			f.Label = "Portal type"
			for i := range f.Options {
				if l, ok := typeLabels[f.Options[i].Value]; ok {
					f.Options[i].Label = l
				}
			}
			return f
		}
	}
	return field{}
}

// createPortal adds a portal with the default settings.
func (h *Handler) createPortal(w http.ResponseWriter, r *http.Request, a auth) {
	f := r.PostForm
	d := portalsData{Name: strings.TrimSpace(f.Get("name")), Slug: strings.TrimSpace(f.Get("slug")), Errors: map[string]string{}}
	p := portal.Portal{Name: d.Name, Slug: d.Slug, Settings: portal.DefaultSettings()}
	for k, v := range decodeSection(reflect.ValueOf(&p.Settings).Elem(), []string{"type"}, f) {
		d.Errors[k] = v
	}
	if len(d.Errors) == 0 {
		np, err := h.deps.CreatePortal(r.Context(), a.rep, p)
		if err == nil {
			redirect(w, r, Prefix+"portals/"+np.ID, "created")
			return
		}
		if !invalid(err) {
			h.fail(w, r, a, err)
			return
		}
		var rest string
		d.Errors, rest = fieldErrors(err)
		if rest != "" {
			h.showPortals(w, r, a, http.StatusBadRequest, d, f, rest)
			return
		}
	}
	h.showPortals(w, r, a, http.StatusBadRequest, d, f, "Not created: correct the fields marked below.")
}

// pageSpec is a page of a portal's settings: the JSON paths in
// portal.Settings it edits.
type pageSpec struct {
	Key, Title, Help string
	Paths            []string
}

// portalPaths are the settings the portal's own page edits besides its
// name, URL, parent and teams.
var portalPaths = []string{"type", "box_mode", "web_chat"}

// hiddenPaths are settings the server sets itself or pages of their own
// edit (the banner, business hours).
var hiddenPaths = []string{"client.portal", "client.hostname", "client.banner", "hours"}

// settingsPages are the pages of a portal's settings, in order. Settings
// the model has beyond these get an "Other settings" page (see specs).
var settingsPages = []pageSpec{
	{"messages", "Messages", "The customer-facing texts per language. To restore a default text, empty its field and save.", []string{"client.messages"}},
	{"invitation", "Invitation e-mail", "The e-mail a rep sends to invite a customer, per language. Macros: %REP_NAME%, %SESSION_KEY%, %SESSION_URL%, %PORTAL_URL%. Empty fields use the default text shown in grey.", []string{"invitations"}},
	{"display", "Display options", "How prompts appear, how the chat area starts, the supported indicator, the host name in the title bar, and customer notices.", []string{"client.display"}},
	{"agreement", "Agreements and recording prompt", "An agreement the customer must accept before the session (full client and click-to-chat); without acceptance within the timeout the session ends. The recording prompt asks the customer to allow recordings; a refusal turns recording and system information logging off. The texts are on the Messages page.", []string{"client.agreement"}},
	{"queue", "Greeting and on-hold", "The greeting appears once the session is in a queue; the on-hold message repeats at the interval until a rep accepts. The estimated wait shown is capped at the maximum (\"more than x minutes\"). The texts are on the Messages page.", []string{"client.queue"}},
	{"orphan", "Orphaned session", "What a customer sees when no representative is available; optionally their browser opens a URL such as a knowledge base.", []string{"client.orphan"}},
	{"policy", "Session policy", "What sessions through this portal may do.", []string{"client.policy"}},
	{"logging", "Logging options", "Record screen sharing and command shells, and log system information at the start of a session; or use the site-wide default set under Site settings.", []string{"site_logging", "client.logging"}},
	{"connection", "Connection options", "How long a disconnected client tries to reconnect, input lockout while disconnected, what happens to the computer at the end, and whether the rep may change that.", []string{"client.connection"}},
	{"misc", "Miscellaneous", "Automatic elevation, limiting shared applications, customer file offers, Ctrl-Alt-Del override and hardware acceleration detection.", []string{"client.misc"}},
	{"functions", "Functions", "What reps and customers may use in sessions of this portal; the server and both clients enforce these.", []string{"client.functions", "notification_email"}},
}

// specs lists the settings pages: settingsPages, plus "other" for any
// setting of the model none of them, the portal page or hiddenPaths cover.
func specs() []pageSpec {
	covered := slices.Concat(portalPaths, hiddenPaths)
	for _, s := range settingsPages {
		covered = append(covered, s.Paths...)
	}
	var other []string
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		for i := range t.NumField() {
			sf := t.Field(i)
			name := jsonName(sf)
			if name == "" {
				continue
			}
			p := join(path, name)
			all, some := selected(p, covered)
			switch {
			case all:
			case some && sf.Type.Kind() == reflect.Struct:
				walk(sf.Type, p)
			default:
				other = append(other, p)
			}
		}
	}
	walk(reflect.TypeFor[portal.Settings](), "")
	out := slices.Clone(settingsPages)
	if len(other) > 0 {
		out = append(out, pageSpec{Key: "other", Title: "Other settings", Paths: other})
	}
	return out
}

// findSpec returns the settings page with the key.
func findSpec(key string) (pageSpec, bool) {
	for _, s := range specs() {
		if s.Key == key {
			return s, true
		}
	}
	return pageSpec{}, false
}

// head loads a portal and its side navigation.
func (h *Handler) head(p portal.Portal) (*portalHead, []sectionLink) {
	base := Prefix + "portals/" + p.ID
	links := []sectionLink{{Key: "portal", Title: "Site, URL, type and teams", Href: base}}
	for _, s := range specs() {
		links = append(links, sectionLink{Key: s.Key, Title: s.Title, Href: base + "/settings/" + s.Key})
		if s.Key == "misc" {
			links = append(links, sectionLink{Key: "banner", Title: "Chat window banner", Href: base + "/banner"})
		}
		if s.Key == "functions" {
			links = append(links, sectionLink{Key: "hours", Title: "Business hours", Href: base + "/hours"})
		}
	}
	return &portalHead{ID: p.ID, Name: p.Name, URL: h.deps.PortalURL(p)}, links
}

// portalData is a portal's own page.
type portalData struct {
	Edit     portal.Portal
	Errors   map[string]string
	Settings section
	Parents  []portal.Portal
	Teams    []teamCheck
}

// teamCheck is a team check box.
type teamCheck struct {
	ID, Name string
	Checked  bool
}

// portalPage shows a portal's site settings.
func (h *Handler) portalPage(w http.ResponseWriter, r *http.Request, a auth) {
	p, err := h.deps.Portal(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	teams, err := h.deps.Teams(r.Context())
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	var ids []string
	for _, t := range teams {
		if slices.Contains(t.PortalIDs, p.ID) {
			ids = append(ids, t.ID)
		}
	}
	h.showPortal(w, r, a, http.StatusOK, p, p, ids, nil, nil, "")
}

// showPortal renders a portal's site settings; edit and input are a
// refused form's values.
func (h *Handler) showPortal(w http.ResponseWriter, r *http.Request, a auth, status int, cur, edit portal.Portal, teamIDs []string, input map[string][]string, errs map[string]string, msg string) {
	all, err := h.deps.Portals(r.Context())
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	teams, err := h.deps.Teams(r.Context())
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	d := portalData{Edit: edit, Errors: errs}
	for _, p := range all {
		if p.ID != cur.ID && p.ParentID == "" {
			d.Parents = append(d.Parents, p)
		}
	}
	for _, t := range teams {
		d.Teams = append(d.Teams, teamCheck{ID: t.ID, Name: t.Name, Checked: slices.Contains(teamIDs, t.ID)})
	}
	d.Settings = buildOnly(reflect.ValueOf(&edit.Settings).Elem(), "", "", portalPaths, input, errs)
	for i, f := range d.Settings.Fields {
		if f.Name == "type" {
			d.Settings.Fields[i] = typeField(d.Settings)
		}
	}
	if msg == "" && len(errs) > 0 {
		msg = "Not saved: correct the fields marked below."
	}
	head, links := h.head(cur)
	h.render(w, status, "portal", page{Title: cur.Name, Nav: "portals", Rep: a.rep, CSRF: a.csrf, Flash: flash(r), Error: msg,
		Portal: head, Sections: links, Active: "portal", Data: d})
}

// savePortal saves a portal's site settings and teams.
func (h *Handler) savePortal(w http.ResponseWriter, r *http.Request, a auth) {
	cur, err := h.deps.Portal(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	f := r.PostForm
	p := cur
	p.Settings.Client.Messages = maps.Clone(cur.Settings.Client.Messages)
	p.Name = strings.TrimSpace(f.Get("name"))
	p.Slug = strings.TrimSpace(f.Get("slug"))
	p.Host = strings.TrimSpace(f.Get("host"))
	p.ParentID = f.Get("parent_id")
	teamIDs := f["teams"]
	errs := decodeSection(reflect.ValueOf(&p.Settings).Elem(), portalPaths, f)
	if len(errs) == 0 {
		err := h.deps.UpdatePortal(r.Context(), a.rep, p)
		if err == nil {
			err = h.deps.SetPortalTeams(r.Context(), a.rep, p.ID, teamIDs)
		}
		if err == nil {
			redirect(w, r, Prefix+"portals/"+p.ID, "settings")
			return
		}
		if !invalid(err) {
			h.fail(w, r, a, err)
			return
		}
		var rest string
		errs, rest = fieldErrors(err)
		if rest != "" {
			h.showPortal(w, r, a, http.StatusBadRequest, cur, p, teamIDs, f, errs, rest)
			return
		}
	}
	h.showPortal(w, r, a, http.StatusBadRequest, cur, p, teamIDs, f, errs, "")
}

// settingsData is a settings page.
type settingsData struct {
	Section section
	Action  string
}

// settingsPage shows one page of a portal's settings.
func (h *Handler) settingsPage(w http.ResponseWriter, r *http.Request, a auth) {
	spec, ok := findSpec(r.PathValue("section"))
	if !ok {
		h.fail(w, r, a, ErrNotFound)
		return
	}
	p, err := h.deps.Portal(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	h.showSettings(w, r, a, http.StatusOK, spec, p, nil, nil, "")
}

// showSettings renders a settings page; input and errs are a refused form.
func (h *Handler) showSettings(w http.ResponseWriter, r *http.Request, a auth, status int, spec pageSpec, p portal.Portal, input map[string][]string, errs map[string]string, msg string) {
	sec := buildOnly(reflect.ValueOf(&p.Settings).Elem(), "", "", spec.Paths, input, errs)
	if len(sec.Fields) == 0 && len(sec.Sections) == 1 {
		sec = sec.Sections[0] // the page's title replaces its legend
	}
	sec.Title, sec.Help = "", spec.Help
	if spec.Key == "invitation" {
		defaultInvitations(&sec)
	}
	msg = withUnshown(sec, errs, msg)
	head, links := h.head(p)
	d := settingsData{Section: sec, Action: Prefix + "portals/" + p.ID + "/settings/" + spec.Key}
	h.render(w, status, "settings", page{Title: spec.Title, Nav: "portals", Rep: a.rep, CSRF: a.csrf, Flash: flash(r), Error: msg,
		Portal: head, Sections: links, Active: spec.Key, Data: d})
}

// withUnshown adds to msg the errors of fields a page does not show (the
// model checks everything at once), or a summary when all are shown.
func withUnshown(sec section, errs map[string]string, msg string) string {
	shown := map[string]bool{}
	markShown(sec, shown)
	var other []string
	for f, m := range errs {
		if !shown[f] {
			other = append(other, f+": "+m)
		}
	}
	slices.Sort(other)
	switch {
	case len(other) > 0:
		return strings.TrimSpace(msg + " Not saved: " + strings.Join(other, "; "))
	case len(errs) > 0 && msg == "":
		return "Not saved: correct the fields marked below."
	}
	return msg
}

// markShown records the field and section names a section shows.
func markShown(s section, shown map[string]bool) {
	shown[s.Path] = true
	for _, f := range s.Fields {
		shown[f.Name] = true
	}
	for _, x := range s.Sections {
		markShown(x, shown)
	}
}

// saveSettings saves one page of a portal's settings.
func (h *Handler) saveSettings(w http.ResponseWriter, r *http.Request, a auth) {
	spec, ok := findSpec(r.PathValue("section"))
	if !ok {
		h.fail(w, r, a, ErrNotFound)
		return
	}
	cur, err := h.deps.Portal(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	p := cur
	p.Settings.Client.Messages = maps.Clone(cur.Settings.Client.Messages)
	p.Settings.Invitations = maps.Clone(cur.Settings.Invitations)
	errs := decodeSection(reflect.ValueOf(&p.Settings).Elem(), spec.Paths, r.PostForm)
	if len(errs) > 0 {
		h.showSettings(w, r, a, http.StatusBadRequest, spec, cur, r.PostForm, errs, "")
		return
	}
	err = h.deps.UpdatePortal(r.Context(), a.rep, p)
	if err == nil {
		redirect(w, r, Prefix+"portals/"+p.ID+"/settings/"+spec.Key, "settings")
		return
	}
	if !invalid(err) {
		h.fail(w, r, a, err)
		return
	}
	errs, rest := fieldErrors(err)
	h.showSettings(w, r, a, http.StatusBadRequest, spec, cur, r.PostForm, errs, rest)
}

// sitePage shows the site-wide settings.
func (h *Handler) sitePage(w http.ResponseWriter, r *http.Request, a auth) {
	s, err := h.deps.SiteSettings(r.Context())
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	h.showSite(w, r, a, http.StatusOK, s, nil, nil, "")
}

// showSite renders the site settings; input and errs are a refused form.
func (h *Handler) showSite(w http.ResponseWriter, r *http.Request, a auth, status int, s portal.SiteSettings, input map[string][]string, errs map[string]string, msg string) {
	sec := buildSection(reflect.ValueOf(&s).Elem(), "", "", input, errs)
	for i := range sec.Sections {
		if sec.Sections[i].Path == "logging" {
			sec.Sections[i].Title = "Logging default"
			sec.Sections[i].Help = "Used by portals whose logging options say to use the site-wide default."
		}
	}
	sec.Help = "Settings for every portal."
	msg = withUnshown(sec, errs, msg)
	d := settingsData{Section: sec, Action: Prefix + "site"}
	h.render(w, status, "settings", page{Title: "Site settings", Nav: "site", Rep: a.rep, CSRF: a.csrf, Flash: flash(r), Error: msg, Data: d})
}

// saveSite saves the site-wide settings.
func (h *Handler) saveSite(w http.ResponseWriter, r *http.Request, a auth) {
	cur, err := h.deps.SiteSettings(r.Context())
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	s := cur
	errs := decodeSection(reflect.ValueOf(&s).Elem(), nil, r.PostForm)
	if len(errs) > 0 {
		h.showSite(w, r, a, http.StatusBadRequest, cur, r.PostForm, errs, "")
		return
	}
	err = h.deps.SaveSiteSettings(r.Context(), a.rep, s)
	if err == nil {
		redirect(w, r, Prefix+"site", "site")
		return
	}
	if !invalid(err) {
		h.fail(w, r, a, err)
		return
	}
	errs, rest := fieldErrors(err)
	h.showSite(w, r, a, http.StatusBadRequest, cur, r.PostForm, errs, rest)
}

// bannerData is the banner page.
type bannerData struct {
	Custom bool
	Size   int
	Error  string
	Action string
}

// bannerPage shows the current banner and the upload form.
func (h *Handler) bannerPage(w http.ResponseWriter, r *http.Request, a auth) {
	h.showBanner(w, r, a, http.StatusOK, "")
}

// showBanner renders the banner page; ferr is an upload's error.
func (h *Handler) showBanner(w http.ResponseWriter, r *http.Request, a auth, status int, ferr string) {
	p, err := h.deps.Portal(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	b, custom, err := h.deps.Banner(r.Context(), p.ID)
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	msg := ""
	if ferr != "" {
		msg = "The banner was not saved."
	}
	head, links := h.head(p)
	d := bannerData{Custom: custom, Size: len(b), Error: ferr, Action: Prefix + "portals/" + p.ID + "/banner"}
	h.render(w, status, "banner", page{Title: "Chat window banner", Nav: "portals", Rep: a.rep, CSRF: a.csrf, Flash: flash(r), Error: msg,
		Portal: head, Sections: links, Active: "banner", Data: d})
}

// saveBanner takes an uploaded banner (or the default back) after
// checking it with portal.ValidateBanner.
func (h *Handler) saveBanner(w http.ResponseWriter, r *http.Request, a auth) {
	id := r.PathValue("id")
	if _, err := h.deps.Portal(r.Context(), id); err != nil {
		h.fail(w, r, a, err)
		return
	}
	if r.PostForm.Get("action") == "default" {
		if err := h.deps.SaveBanner(r.Context(), a.rep, id, nil); err != nil {
			h.fail(w, r, a, err)
			return
		}
		redirect(w, r, Prefix+"portals/"+id+"/banner", "banner-default")
		return
	}
	if r.MultipartForm == nil || len(r.MultipartForm.File["banner"]) == 0 {
		h.showBanner(w, r, a, http.StatusBadRequest, "Choose a BMP file to upload.")
		return
	}
	fh := r.MultipartForm.File["banner"][0]
	f, err := fh.Open()
	if err != nil {
		h.showBanner(w, r, a, http.StatusBadRequest, "The file could not be read; try again.")
		return
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxBannerBytes+1))
	f.Close()
	if err != nil {
		h.showBanner(w, r, a, http.StatusBadRequest, "The file could not be read; try again.")
		return
	}
	if len(b) > MaxBannerBytes {
		h.showBanner(w, r, a, http.StatusBadRequest, "The file is over 1 MiB; a 480 px wide 256-colour banner is far smaller.")
		return
	}
	if err := portal.ValidateBanner(b); err != nil {
		h.showBanner(w, r, a, http.StatusBadRequest, bannerProblem(fh.Filename, err))
		return
	}
	err = h.deps.SaveBanner(r.Context(), a.rep, id, b)
	if errors.Is(err, ErrInvalid) || errors.Is(err, portal.ErrInvalid) || errors.Is(err, portal.ErrBadBanner) {
		h.showBanner(w, r, a, http.StatusBadRequest, bannerProblem(fh.Filename, err))
		return
	}
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	redirect(w, r, Prefix+"portals/"+id+"/banner", "banner")
}

// bannerProblem explains a refused banner file.
func bannerProblem(name string, err error) string {
	why := err.Error()
	if i := strings.LastIndex(why, portal.ErrBadBanner.Error()+": "); i >= 0 {
		why = why[i+len(portal.ErrBadBanner.Error())+2:]
	}
	if r := []rune(name); len(r) > 80 {
		name = string(r[:80]) + "…"
	}
	return "“" + name + "” cannot be the banner: " + why + ". The banner must be a 256-colour (8-bit) Windows BMP exactly 480 pixels wide; 40 pixels high is recommended."
}

// bannerImage serves the banner new sessions of the portal get.
func (h *Handler) bannerImage(w http.ResponseWriter, r *http.Request, a auth) {
	b, _, err := h.deps.Banner(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	w.Header().Set("Content-Type", "image/bmp")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// defaultInvitations shows each language's default invitation as the
// placeholder of its empty fields.
func defaultInvitations(s *section) {
	lang := strings.TrimPrefix(s.Path, "invitations.")
	if d, err := mail.DefaultTemplate(lang); err == nil && lang != s.Path {
		for i := range s.Fields {
			switch s.Fields[i].Name {
			case s.Path + ".subject":
				s.Fields[i].Placeholder = d.Subject
			case s.Path + ".body":
				s.Fields[i].Placeholder = d.Body
			}
		}
	}
	for i := range s.Sections {
		defaultInvitations(&s.Sections[i])
	}
}
