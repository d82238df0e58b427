package adminweb

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tandemhq/tandem/server/portal"
)

// hoursDay is one weekday's line of the business hours form.
type hoursDay struct {
	Name, Field, Value, Error string
}

// hoursData is the business hours page.
type hoursData struct {
	Enabled  bool
	Location string
	Days     []hoursDay
	Holidays string
	Errors   map[string]string
	Action   string
}

// formatIntervals writes a day's intervals as "09:00-12:00, 13:00-17:00".
func formatIntervals(ivs []portal.Interval) string {
	parts := make([]string, len(ivs))
	for i, iv := range ivs {
		parts[i] = fmt.Sprintf("%02d:%02d-%02d:%02d", iv.From/60, iv.From%60, iv.To/60, iv.To%60)
	}
	return strings.Join(parts, ", ")
}

// parseClock reads "9:00" or "17:30" as minutes after midnight; "24:00" is
// the end of the day.
func parseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || mm < 0 || mm > 59 || hh > 24 || hh == 24 && mm != 0 {
		return 0, false
	}
	return hh*60 + mm, true
}

// parseIntervals reads "09:00-12:00, 13:00-17:00"; empty is closed.
func parseIntervals(s string) ([]portal.Interval, error) {
	var out []portal.Interval
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		from, to, ok := strings.Cut(strings.ReplaceAll(part, "–", "-"), "-")
		f, ok1 := parseClock(from)
		t, ok2 := parseClock(to)
		if !ok || !ok1 || !ok2 {
			return nil, fmt.Errorf("%q is not a time range like 09:00-17:00", part)
		}
		if f >= t {
			return nil, fmt.Errorf("%q ends before it starts", part)
		}
		out = append(out, portal.Interval{From: f, To: t})
	}
	return out, nil
}

// hoursForm makes the page's data from hours (nil: always open), or from
// a refused form.
func hoursForm(h *portal.Hours, input url.Values, errs map[string]string) hoursData {
	d := hoursData{Enabled: h != nil, Errors: errs}
	if h != nil {
		d.Location = h.Location
		d.Holidays = strings.Join(h.Holidays, "\n")
	} else {
		d.Location = "UTC"
	}
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		f := "hours.weekly." + strconv.Itoa(int(wd))
		day := hoursDay{Name: wd.String(), Field: f, Error: errs[f]}
		if h != nil {
			day.Value = formatIntervals(h.Weekly[wd])
		} else if wd != time.Sunday && wd != time.Saturday {
			day.Value = "09:00-17:00" // a suggestion for when hours are turned on
		}
		if input != nil {
			day.Value = input.Get(f)
		}
		d.Days = append(d.Days, day)
	}
	if input != nil {
		d.Enabled = input.Has("hours.enabled")
		d.Location = input.Get("hours.location")
		d.Holidays = input.Get("hours.holidays")
	}
	// Monday first, as people read a week.
	d.Days = append(d.Days[1:], d.Days[0])
	return d
}

// hoursPage shows a portal's business hours.
func (h *Handler) hoursPage(w http.ResponseWriter, r *http.Request, a auth) {
	p, err := h.deps.Portal(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	h.showHours(w, r, a, http.StatusOK, p, hoursForm(p.Settings.Hours, nil, map[string]string{}), "")
}

// showHours renders the business hours page.
func (h *Handler) showHours(w http.ResponseWriter, r *http.Request, a auth, status int, p portal.Portal, d hoursData, msg string) {
	d.Action = Prefix + "portals/" + p.ID + "/hours"
	if msg == "" && len(d.Errors) > 0 {
		msg = "Not saved: correct the fields marked below."
	}
	head, links := h.head(p)
	h.render(w, status, "hours", page{Title: "Business hours", Nav: "portals", Rep: a.rep, CSRF: a.csrf, Flash: flash(r), Error: msg,
		Portal: head, Sections: links, Active: "hours", Data: d})
}

// saveHours saves a portal's business hours.
func (h *Handler) saveHours(w http.ResponseWriter, r *http.Request, a auth) {
	cur, err := h.deps.Portal(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, a, err)
		return
	}
	f := r.PostForm
	errs := map[string]string{}
	var hours *portal.Hours
	if f.Has("hours.enabled") {
		hours = &portal.Hours{Location: strings.TrimSpace(f.Get("hours.location")), Weekly: map[time.Weekday][]portal.Interval{}}
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			name := "hours.weekly." + strconv.Itoa(int(wd))
			ivs, err := parseIntervals(f.Get(name))
			if err != nil {
				errs[name] = err.Error()
			} else if len(ivs) > 0 {
				hours.Weekly[wd] = ivs
			}
		}
		for line := range strings.SplitSeq(normalizeNewlines(f.Get("hours.holidays")), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				hours.Holidays = append(hours.Holidays, line)
			}
		}
		slices.Sort(hours.Holidays)
		hours.Holidays = slices.Compact(hours.Holidays)
	}
	if len(errs) == 0 {
		p := cur
		p.Settings.Client.Messages = maps.Clone(cur.Settings.Client.Messages)
		p.Settings.Hours = hours
		err := h.deps.UpdatePortal(r.Context(), a.rep, p)
		if err == nil {
			redirect(w, r, Prefix+"portals/"+p.ID+"/hours", "settings")
			return
		}
		if !invalid(err) {
			h.fail(w, r, a, err)
			return
		}
		var rest string
		if errs, rest = fieldErrors(err); rest != "" {
			h.showHours(w, r, a, http.StatusBadRequest, cur, hoursForm(cur.Settings.Hours, f, errs), rest)
			return
		}
	}
	h.showHours(w, r, a, http.StatusBadRequest, cur, hoursForm(cur.Settings.Hours, f, errs), "")
}
