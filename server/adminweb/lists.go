package adminweb

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tandemhq/tandem/server/portal"
)

// teamsData is the team list.
type teamsData struct {
	Teams  []teamRow
	Name   string
	Errors map[string]string
}

// teamRow is a line of the team list.
type teamRow struct {
	portal.Team
	Members []string
	Portals []string
}

// teamsPage lists the teams with a form for a new one.
func (h *Handler) teamsPage(w http.ResponseWriter, r *http.Request, a auth) {
	h.showTeams(w, r, a, http.StatusOK, "", nil, "")
}

// showTeams renders the team list.
func (h *Handler) showTeams(w http.ResponseWriter, r *http.Request, a auth, status int, name string, errs map[string]string, msg string) {
	ctx := r.Context()
	teams, err := h.deps.Teams(ctx)
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	reps, err := h.deps.Reps(ctx)
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	portals, err := h.deps.Portals(ctx)
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	repNames := map[string]string{}
	for _, rp := range reps {
		repNames[rp.ID] = rp.DisplayName
	}
	d := teamsData{Name: name, Errors: errs}
	for _, t := range teams {
		row := teamRow{Team: t}
		for _, id := range t.RepIDs {
			row.Members = append(row.Members, repNames[id])
		}
		for _, p := range portals {
			if slices.Contains(t.PortalIDs, p.ID) {
				row.Portals = append(row.Portals, p.Name)
			}
		}
		d.Teams = append(d.Teams, row)
	}
	h.render(w, status, "teams", page{Title: "Teams", Nav: "teams", Rep: a.rep, CSRF: a.csrf, Flash: flash(r), Error: msg, Data: d})
}

// createTeam adds a team.
func (h *Handler) createTeam(w http.ResponseWriter, r *http.Request, a auth) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if name == "" {
		h.showTeams(w, r, a, http.StatusBadRequest, name, map[string]string{"name": "give the team a name"}, "")
		return
	}
	t, err := h.deps.SaveTeam(r.Context(), a.rep, portal.Team{Name: name})
	if err == nil {
		redirect(w, r, Prefix+"teams/"+t.ID, "created")
		return
	}
	if !invalid(err) {
		h.fail(w, r, a, err)
		return
	}
	errs, rest := fieldErrors(err)
	h.showTeams(w, r, a, http.StatusBadRequest, name, errs, rest)
}

// teamData is a team's page.
type teamData struct {
	Edit    portal.Team
	Reps    []Rep
	Portals []portal.Portal
	Canned  []portal.Canned
	// NewCanned is the add form's input.
	NewCanned portal.Canned
	Errors    map[string]string
}

// teamByID finds a team.
func (h *Handler) teamByID(r *http.Request, id string) (portal.Team, error) {
	teams, err := h.deps.Teams(r.Context())
	if err != nil {
		return portal.Team{}, err
	}
	for _, t := range teams {
		if t.ID == id {
			return t, nil
		}
	}
	return portal.Team{}, ErrNotFound
}

// teamPage shows a team: name, members and canned messages.
func (h *Handler) teamPage(w http.ResponseWriter, r *http.Request, a auth) {
	t, err := h.teamByID(r, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	h.showTeam(w, r, a, http.StatusOK, teamData{Edit: t})
}

// showTeam renders a team's page; d carries the edited values and errors.
func (h *Handler) showTeam(w http.ResponseWriter, r *http.Request, a auth, status int, d teamData) {
	reps, err := h.deps.Reps(r.Context())
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	canned, err := h.deps.Canned(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	portals, err := h.deps.Portals(r.Context())
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	d.Reps, d.Canned, d.Portals = reps, canned, portals
	msg := ""
	if len(d.Errors) > 0 {
		msg = "Not saved: correct the fields marked below."
	}
	h.render(w, status, "team", page{Title: "Team " + d.Edit.Name, Nav: "teams", Rep: a.rep, CSRF: a.csrf, Flash: flash(r), Error: msg, Data: d})
}

// saveTeam saves a team's name and members.
func (h *Handler) saveTeam(w http.ResponseWriter, r *http.Request, a auth) {
	t, err := h.teamByID(r, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	t.Name = strings.TrimSpace(r.PostForm.Get("name"))
	t.RepIDs = r.PostForm["members"]
	t.PortalIDs = r.PostForm["portals"]
	if t.Name == "" {
		h.showTeam(w, r, a, http.StatusBadRequest, teamData{Edit: t, Errors: map[string]string{"name": "give the team a name"}})
		return
	}
	_, err = h.deps.SaveTeam(r.Context(), a.rep, t)
	if err == nil {
		redirect(w, r, Prefix+"teams/"+t.ID, "saved")
		return
	}
	if !invalid(err) {
		h.fail(w, r, a, err)
		return
	}
	errs, rest := fieldErrors(err)
	if rest != "" {
		errs["name"] = rest
	}
	h.showTeam(w, r, a, http.StatusBadRequest, teamData{Edit: t, Errors: errs})
}

// saveCanned adds or changes a canned message of the team.
func (h *Handler) saveCanned(w http.ResponseWriter, r *http.Request, a auth) {
	t, err := h.teamByID(r, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	m := portal.Canned{
		ID:     r.PostForm.Get("id"),
		TeamID: t.ID,
		Title:  strings.TrimSpace(r.PostForm.Get("title")),
		Text:   strings.TrimSpace(normalizeNewlines(r.PostForm.Get("text"))),
	}
	errs := map[string]string{}
	if m.Title == "" {
		errs["title"] = "give the message a short title"
	}
	if m.Text == "" {
		errs["text"] = "write the message"
	}
	if len(errs) == 0 {
		err := h.deps.SaveCanned(r.Context(), a.rep, m)
		if err == nil {
			redirect(w, r, Prefix+"teams/"+t.ID, "saved")
			return
		}
		if !invalid(err) {
			h.fail(w, r, a, err)
			return
		}
		var rest string
		if errs, rest = fieldErrors(err); rest != "" {
			errs["text"] = rest
		}
	}
	h.showTeam(w, r, a, http.StatusBadRequest, teamData{Edit: t, NewCanned: m, Errors: errs})
}

// deleteCanned deletes a canned message.
func (h *Handler) deleteCanned(w http.ResponseWriter, r *http.Request, a auth) {
	id := r.PathValue("id")
	if err := h.deps.DeleteCanned(r.Context(), a.rep, r.PathValue("cid")); err != nil {
		h.fail(w, r, a, err)
		return
	}
	redirect(w, r, Prefix+"teams/"+id, "deleted")
}

// noticesData is the notices page.
type noticesData struct {
	Notices []noticeRow
	Portals []portal.Portal
	// Message, PortalID and Hours are the create form's input.
	Message  string
	PortalID string
	Hours    string
	Errors   map[string]string
}

// noticeRow is a line of the notice list.
type noticeRow struct {
	portal.Notice
	Portal string
	State  string
}

// noticesPage lists the notices with a form for a new one.
func (h *Handler) noticesPage(w http.ResponseWriter, r *http.Request, a auth) {
	h.showNotices(w, r, a, http.StatusOK, noticesData{Hours: "4"}, "")
}

// showNotices renders the notices page.
func (h *Handler) showNotices(w http.ResponseWriter, r *http.Request, a auth, status int, d noticesData, msg string) {
	ns, err := h.deps.Notices(r.Context())
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	ps, err := h.deps.Portals(r.Context())
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	names := map[string]string{"": "All portals"}
	for _, p := range ps {
		names[p.ID] = p.Name
	}
	now := h.now()
	for _, n := range ns {
		row := noticeRow{Notice: n, Portal: names[n.PortalID]}
		switch {
		case !n.Expires.After(now):
			row.State = "expired"
		case n.Sent.IsZero():
			row.State = "draft"
		default:
			row.State = "showing"
		}
		d.Notices = append(d.Notices, row)
	}
	d.Portals = ps
	h.render(w, status, "notices", page{Title: "Customer notices", Nav: "notices", Rep: a.rep, CSRF: a.csrf, Flash: flash(r), Error: msg, Data: d})
}

// maxNoticeHours bounds a notice's lifetime.
const maxNoticeHours = int(portal.MaxNoticeLifetime / time.Hour)

// createNotice creates a draft notice.
func (h *Handler) createNotice(w http.ResponseWriter, r *http.Request, a auth) {
	d := noticesData{
		Message:  strings.TrimSpace(normalizeNewlines(r.PostForm.Get("message"))),
		PortalID: r.PostForm.Get("portal"),
		Hours:    strings.TrimSpace(r.PostForm.Get("hours")),
		Errors:   map[string]string{},
	}
	if d.Message == "" {
		d.Errors["message"] = "write the notice"
	}
	hours, err := strconv.ParseFloat(d.Hours, 64)
	if err != nil || hours <= 0 || hours > float64(maxNoticeHours) {
		d.Errors["hours"] = "give the hours it shows, more than 0 and at most " + strconv.Itoa(maxNoticeHours)
	}
	if len(d.Errors) == 0 {
		now := h.now()
		err := h.deps.CreateNotice(r.Context(), a.rep, portal.Notice{PortalID: d.PortalID, Message: d.Message, Created: now, Expires: now.Add(time.Duration(hours * float64(time.Hour)))})
		if err == nil {
			redirect(w, r, Prefix+"notices", "created")
			return
		}
		if !invalid(err) {
			h.fail(w, r, a, err)
			return
		}
		var rest string
		if d.Errors, rest = fieldErrors(err); rest != "" {
			d.Errors["message"] = rest
		}
	}
	h.showNotices(w, r, a, http.StatusBadRequest, d, "Not created: correct the fields marked below.")
}

// sendNotice sends a notice to waiting customers.
func (h *Handler) sendNotice(w http.ResponseWriter, r *http.Request, a auth) {
	if err := h.deps.SendNotice(r.Context(), a.rep, r.PathValue("id")); err != nil {
		h.fail(w, r, a, err)
		return
	}
	redirect(w, r, Prefix+"notices", "sent")
}

// expireNotice ends a notice.
func (h *Handler) expireNotice(w http.ResponseWriter, r *http.Request, a auth) {
	if err := h.deps.ExpireNotice(r.Context(), a.rep, r.PathValue("id")); err != nil {
		h.fail(w, r, a, err)
		return
	}
	redirect(w, r, Prefix+"notices", "expired")
}

// auditPage shows the most recent changes.
func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request, a auth) {
	es, err := h.deps.Audit(r.Context(), auditPage)
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	h.render(w, http.StatusOK, "audit", page{Title: "Audit log", Nav: "audit", Rep: a.rep, CSRF: a.csrf, Flash: flash(r), Data: es})
}

// invalid reports a refused value: ErrInvalid or the model's ErrInvalid.
func invalid(err error) bool {
	return errors.Is(err, ErrInvalid) || errors.Is(err, portal.ErrInvalid)
}
