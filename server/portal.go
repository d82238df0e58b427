package server

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/tandemhq/tandem/protocol"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/store"
)

//go:embed templates/portal.html
var templates embed.FS

// portal renders the public portal pages and keeps the queue tickets
// their forms hand out until the support program is downloaded.
type portal struct {
	tmpl    *template.Template
	tickets *tickets
	// requests creates the sessions the forms ask for, with the rate
	// limit of the JSON requests; portalRequests.routes sets it before
	// the server serves.
	requests *portalRequests
}

// newPortal parses the embedded page.
func newPortal() (*portal, error) {
	t, err := template.ParseFS(templates, "templates/portal.html")
	if err != nil {
		return nil, fmt.Errorf("portal template: %w", err)
	}
	return &portal{tmpl: t, tickets: newTickets()}, nil
}

// portalPage is what the page shows.
type portalPage struct {
	// Portal is set on a public site's own page (by path or host name);
	// nil on the default (global code) page.
	Portal *portalInfo
	// Code, Formatted and URL are set once a well-formed code was given.
	Code, Formatted, URL string
	// Typed is what the customer typed, shown back with Error.
	Typed string
	Name  string
	// Question and Rep are what the customer typed into a SmartBox's
	// form and chose on a SmartMatch's, shown back with Error.
	Question, Rep string
	Error         string
	// TicketURL is set once a portal's form put the customer in a queue:
	// the download of the support program that joins it.
	TicketURL string
	// Download is set with Code: the download of the support program
	// that joins with it (from the site the code was typed into).
	Download string
}

// pageHeaders are the security headers of every page.
func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin") // "no-referrer" would make browsers send "Origin: null" with the form
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/html; charset=utf-8")
}

// render writes the page.
func (s *Server) render(w http.ResponseWriter, status int, p portalPage) {
	var buf bytes.Buffer
	if err := s.portal.tmpl.Execute(&buf, p); err != nil {
		s.logger.Error("render portal", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	pageHeaders(w)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// portalInfo is a public site as its page shows it.
type portalInfo struct {
	Slug, Name, Type string
	// Open: the portal takes requests now; else Orphaned (and OrphanURL)
	// are shown where the portal configures them.
	Open                bool
	Orphaned, OrphanURL string
	// Form is the form the page shows: "code" (SmartPin and the code
	// page), "button", "box" or "match"; "" for a request portal that is
	// closed now.
	Form string
	// Action is where the page's request form posts: the page's own URL.
	Action string
	// Reps are the representatives a SmartMatch customer chooses from.
	Reps []protocol.PortalRep
}

// takesRequests reports whether a portal of type t creates sessions from
// its page's form (rather than taking session codes).
func takesRequests(t portalmodel.Type) bool {
	return t == portalmodel.SmartButton || t == portalmodel.SmartBox || t == portalmodel.SmartMatch
}

// requestForms names the form of each portal type that takes requests.
var requestForms = map[portalmodel.Type]string{
	portalmodel.SmartButton: "button",
	portalmodel.SmartBox:    "box",
	portalmodel.SmartMatch:  "match",
}

// handlePortal shows the page at "/": the page of the portal whose host
// name the request names, or the default (global code) page for any
// other host.
func (s *Server) handlePortal(w http.ResponseWriter, r *http.Request) {
	host := requestHost(r)
	if host == "" {
		s.render(w, http.StatusOK, portalPage{})
		return
	}
	pt, err := s.store.PortalByHost(r.Context(), host)
	if errors.Is(err, store.ErrNotFound) {
		s.render(w, http.StatusOK, portalPage{})
		return
	}
	if err != nil {
		s.logger.Error("portal by host", "host", host, "err", err)
		s.render(w, http.StatusOK, portalPage{})
		return
	}
	s.renderPortal(w, r, pt, "/")
}

// handlePortalSlug shows a portal's (or subportal's) own page at
// portalmodel.PathPrefix + slug + "/".
func (s *Server) handlePortalSlug(w http.ResponseWriter, r *http.Request) {
	pt, err := s.store.PortalBySlug(r.Context(), r.PathValue("slug"))
	if errors.Is(err, store.ErrNotFound) {
		s.render(w, http.StatusNotFound, portalPage{Error: "There is no support site at this address. Please check the link, or type the 9-digit code your representative gave you."})
		return
	}
	if err != nil {
		s.logger.Error("portal by slug", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.renderPortal(w, r, pt, portalmodel.PathPrefix+pt.Slug+"/")
}

// renderPortal shows a portal's page: its name, whether it takes requests
// now (else its orphaned message in the browser's language) and its form:
// a session code on SmartPin portals, a request on the others (posted to
// action, the page's own URL).
func (s *Server) renderPortal(w http.ResponseWriter, r *http.Request, pt portalmodel.Portal, action string) {
	pi, err := s.portalInfo(r, pt, action)
	if err != nil {
		s.logger.Error("portal page", "portal", pt.ID, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.render(w, http.StatusOK, portalPage{Portal: pi})
}

// portalInfo describes a portal's page as it is now: open or closed
// (with its orphaned message in the browser's language), and its form.
func (s *Server) portalInfo(r *http.Request, pt portalmodel.Portal, action string) (*portalInfo, error) {
	ctx := r.Context()
	pr := s.portal.requests
	if pr == nil {
		pr = &portalRequests{s: s}
	}
	typ := pt.Settings.Type
	pi := &portalInfo{Slug: pt.Slug, Name: pt.Name, Type: typ.String(), Action: action, Form: "code"}
	open, _, err := pr.openNow(ctx, pt)
	if err != nil {
		return nil, err
	}
	pi.Open = open
	if !open {
		c := pt.Settings.Client
		if c.Orphan.Message {
			pi.Orphaned = c.MessagesFor(acceptLanguage(r, c.Messages)).Orphaned
		}
		pi.OrphanURL = c.Orphan.URL
	}
	if takesRequests(typ) {
		pi.Form = ""
		if open {
			pi.Form = requestForms[typ]
		}
	}
	if pi.Form == "match" {
		if pi.Reps, err = pr.portalReps(ctx, pt.ID); err != nil {
			return nil, err
		}
		if len(pi.Reps) == 0 {
			pi.Form = ""
		}
	}
	return pi, nil
}

// requestHost is the request's host name, lower-case, without port or
// trailing dot; "" when it is not a host name.
func requestHost(r *http.Request) string {
	h := r.Host
	if hh, _, err := net.SplitHostPort(h); err == nil {
		h = hh
	}
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if h == "" || len(h) > 253 || net.ParseIP(h) != nil {
		return ""
	}
	return h
}

// acceptLanguage is the first language of the request's Accept-Language
// header that msgs has, by its full tag or its primary subtag ("de" for
// "de-CH"); "" when none.
func acceptLanguage(r *http.Request, msgs map[string]protocol.Messages) string {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(tag, "-")
		for _, l := range []string{tag, strings.ToLower(primary)} {
			if _, ok := msgs[l]; ok && protocol.ValidLanguage(l) {
				return l
			}
		}
	}
	return ""
}

// handlePortalPost takes the form of the page at "/": a request on the
// page of a portal's host name that takes requests, else a session code.
func (s *Server) handlePortalPost(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		s.refuseCrossSite(w, r)
		return
	}
	if host := requestHost(r); host != "" {
		pt, err := s.store.PortalByHost(r.Context(), host)
		switch {
		case err == nil && takesRequests(pt.Settings.Type):
			s.requestForm(w, r, pt, "/")
			return
		case err == nil:
			s.codeForm(w, r, &pt, "/")
			return
		case !errors.Is(err, store.ErrNotFound):
			s.logger.Error("portal by host", "host", host, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
	}
	s.codeForm(w, r, nil, "/")
}

// handlePortalSlugPost takes the form of a portal's own page at
// portalmodel.PathPrefix + slug + "/": a request where the portal takes
// requests, else a session code.
func (s *Server) handlePortalSlugPost(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		s.refuseCrossSite(w, r)
		return
	}
	pt, err := s.store.PortalBySlug(r.Context(), r.PathValue("slug"))
	if errors.Is(err, store.ErrNotFound) {
		s.render(w, http.StatusNotFound, portalPage{Error: "There is no support site at this address. Please check the link, or type the 9-digit code your representative gave you."})
		return
	}
	if err != nil {
		s.logger.Error("portal by slug", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if !takesRequests(pt.Settings.Type) {
		s.codeForm(w, r, &pt, portalmodel.PathPrefix+pt.Slug+"/")
		return
	}
	s.requestForm(w, r, pt, portalmodel.PathPrefix+pt.Slug+"/")
}

// refuseCrossSite answers a form post that does not come from this
// server's own page.
func (s *Server) refuseCrossSite(w http.ResponseWriter, r *http.Request) {
	s.logger.Info("portal post refused: not same origin", "source", sourceIP(r), "origin", r.Header.Get("Origin"))
	pageHeaders(w)
	w.WriteHeader(http.StatusForbidden)
	w.Write([]byte("cross-site form posts are refused\n"))
}

// codeForm shows how to connect with a typed code. It does not spend the
// key: only the customer program's join does. On the global code page
// (pt nil) any well-formed code is shown without looking it up, so the
// page tells nobody whether a code exists; on a portal's own page
// (SmartPin, at action) the code must be one of that site's, which is
// checked under the join's rate limit, and the program downloaded then
// joins through that site.
func (s *Server) codeForm(w http.ResponseWriter, r *http.Request, pt *store.Portal, action string) {
	page := func(p portalPage) portalPage { return p }
	if pt != nil {
		pi, err := s.portalInfo(r, *pt, action)
		if err != nil {
			s.logger.Error("portal page", "portal", pt.ID, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		page = func(p portalPage) portalPage {
			p.Portal = pi
			return p
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, protocol.MaxRequestBytes)
	if err := r.ParseForm(); err != nil {
		s.render(w, http.StatusBadRequest, page(portalPage{Error: "The form could not be read. Please try again."}))
		return
	}
	req := protocol.JoinRequest{Code: r.PostFormValue("code"), Name: strings.TrimSpace(r.PostFormValue("name"))}
	typed := req.Code
	if err := req.Validate(); err != nil {
		msg := "A session code has exactly 9 digits. Please check the code your representative gave you."
		if protocol.ValidateCode(protocol.NormalizeCode(req.Code)) == nil {
			msg = "Your name can have at most 80 characters and no special control characters."
		}
		s.render(w, http.StatusBadRequest, page(portalPage{Typed: typed, Name: r.PostFormValue("name"), Error: msg}))
		return
	}
	if pt == nil {
		s.render(w, http.StatusOK, s.keyPage(req.Code, req.Name, ""))
		return
	}
	now, src := s.now(), sourceIP(r)
	if ok, wait := s.joinSource.Allow(src, now); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+1)))
		s.logger.Info("portal code refused: rate limited", "portal", pt.Slug, "source", src)
		s.render(w, http.StatusTooManyRequests, page(portalPage{Typed: typed, Name: req.Name, Error: "Too many wrong codes were typed on this computer. Please wait a few minutes and try again."}))
		return
	}
	if _, err := s.codePortal(r.Context(), req.Code, pt.Slug, now); err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			s.logger.Error("portal code", "portal", pt.Slug, "err", err)
			s.render(w, http.StatusInternalServerError, page(portalPage{Typed: typed, Name: req.Name, Error: "Something went wrong on our side. Please try again in a moment."}))
			return
		}
		s.joinSource.Fail(src, now)
		s.logger.Info("portal code refused", "portal", pt.Slug, "source", src, "reason", ae.body.Message)
		s.render(w, ae.status, page(portalPage{Typed: typed, Name: req.Name, Error: sentence(ae.body.Message)}))
		return
	}
	s.render(w, http.StatusOK, page(s.keyPage(req.Code, req.Name, pt.Slug)))
}

// requestForm takes a customer's request from the form of a SmartButton,
// SmartBox or SmartMatch portal's page (action is the page's URL): it
// creates the waiting session as the JSON requests do, under the same
// rate limit, and answers with the link that downloads the support
// program holding the session's queue ticket. What was typed is shown
// back with a clear message when the request is refused.
func (s *Server) requestForm(w http.ResponseWriter, r *http.Request, pt portalmodel.Portal, action string) {
	ctx, src := r.Context(), sourceIP(r)
	pr := s.portal.requests
	// again renders the portal's page with what was typed and msg.
	again := func(status int, p portalPage, msg string) {
		pi, err := s.portalInfo(r, pt, action)
		if err != nil {
			s.logger.Error("portal page", "portal", pt.ID, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		p.Portal, p.Error = pi, msg
		s.render(w, status, p)
	}
	r.Body = http.MaxBytesReader(w, r.Body, protocol.MaxRequestBytes)
	formErr := r.ParseForm()
	typed := portalPage{Name: r.PostFormValue("name"), Question: r.PostFormValue("question"), Rep: r.PostFormValue("rep")}
	if err := pr.admit(src); err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.body.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(ae.body.RetryAfter))
		}
		s.logger.Info("portal form refused: rate limited", "portal", pt.Slug, "source", src)
		again(http.StatusTooManyRequests, typed, "You have asked for help many times from this computer. Please wait a few minutes and try again.")
		return
	}
	if formErr != nil {
		again(http.StatusBadRequest, portalPage{}, "The form could not be read. Please try again.")
		return
	}
	req := protocol.PortalRequest{
		Name:     strings.TrimSpace(typed.Name),
		Question: strings.TrimSpace(strings.ReplaceAll(typed.Question, "\r\n", "\n")),
		Rep:      typed.Rep,
		Lang:     acceptLanguage(r, pt.Settings.Client.Messages),
	}
	if msg := formProblem(req, pt.Settings.Type); msg != "" {
		again(http.StatusBadRequest, typed, msg)
		return
	}
	jr, err := pr.create(ctx, pt, req, src)
	var ae *apiError
	if errors.As(err, &ae) {
		msg := sentence(ae.body.Message)
		if ae.body.Code == protocol.CodeClosed {
			msg = "" // the page shows the portal's orphaned message
		}
		again(ae.status, typed, msg)
		return
	}
	if err != nil {
		s.logger.Error("portal form request", "portal", pt.Slug, "err", err)
		again(http.StatusInternalServerError, typed, "Something went wrong on our side. Please try again in a moment.")
		return
	}
	now := s.now()
	nonce, err := s.portal.tickets.add(ticket{token: jr.Token, name: req.Name, portal: pt.Slug}, now, now.Add(s.ticketLifetime()))
	if err != nil {
		s.logger.Error("portal form ticket", "portal", pt.Slug, "session", jr.Session.ID, "err", err)
		again(http.StatusServiceUnavailable, typed, "We are very busy right now. Please try again in a few minutes.")
		return
	}
	pi, err := s.portalInfo(r, pt, action)
	if err != nil {
		s.logger.Error("portal page", "portal", pt.ID, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.render(w, http.StatusOK, portalPage{Portal: pi, Name: req.Name, TicketURL: PathDownloadTicket + nonce})
}

// formProblem is what is wrong with a request typed into a portal's
// form, as a message for the customer; "" when nothing is.
func formProblem(req protocol.PortalRequest, t portalmodel.Type) string {
	if protocol.ValidateText("name", req.Name, protocol.MaxNameRunes, false) != nil || strings.ContainsFunc(req.Name, unicode.IsControl) {
		return fmt.Sprintf("Your name can have at most %d characters and no special control characters.", protocol.MaxNameRunes)
	}
	if protocol.ValidateText("question", req.Question, protocol.MaxQuestionRunes, false) != nil {
		return fmt.Sprintf("Your question can have at most %d characters and no special control characters.", protocol.MaxQuestionRunes)
	}
	switch {
	case t == portalmodel.SmartBox && req.Question == "":
		return "Please type your question, so that the right person can help you."
	case t == portalmodel.SmartMatch && req.Rep == "":
		return "Please choose the representative you would like to talk to."
	case req.Validate() != nil:
		return "The form could not be read. Please try again."
	}
	return ""
}

// sentence makes an API refusal's message a sentence for a page.
func sentence(msg string) string {
	if msg == "" {
		return msg
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// handleKeyPage shows the code of a key URL and how to connect.
func (s *Server) handleKeyPage(w http.ResponseWriter, r *http.Request) {
	code := protocol.NormalizeCode(r.PathValue("code"))
	if protocol.ValidateCode(code) != nil {
		s.render(w, http.StatusNotFound, portalPage{Error: "This link does not hold a valid session code. Please type the 9-digit code your representative gave you."})
		return
	}
	s.render(w, http.StatusOK, s.keyPage(code, "", ""))
}

// keyPage is the page of a well-formed code; slug names the support
// site it was typed into, if any.
func (s *Server) keyPage(code, name, slug string) portalPage {
	q := url.Values{}
	if name != "" {
		q.Set("name", name)
	}
	if slug != "" {
		q.Set("portal", slug)
	}
	dl := PathDownload + code
	if len(q) > 0 {
		dl += "?" + q.Encode()
	}
	return portalPage{Code: code, Formatted: protocol.FormatCode(code), URL: s.keyURL(code), Name: name, Download: dl}
}

// sameOrigin reports whether a form post comes from this server's own
// page: its Origin (or, without one, its Referer) names the request's host.
func sameOrigin(r *http.Request) bool {
	if sfs := r.Header.Get("Sec-Fetch-Site"); sfs != "" && sfs != "same-origin" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		o = r.Header.Get("Referer")
	}
	if o == "" || o == "null" {
		return false
	}
	u, err := url.Parse(o)
	if err != nil {
		return false
	}
	return u.Scheme == "https" && strings.EqualFold(u.Host, r.Host)
}
