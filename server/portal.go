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
	"strings"

	"github.com/tandemhq/tandem/protocol"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/store"
)

//go:embed templates/portal.html
var templates embed.FS

// portal renders the public portal page.
type portal struct{ tmpl *template.Template }

// newPortal parses the embedded page.
func newPortal() (*portal, error) {
	t, err := template.ParseFS(templates, "templates/portal.html")
	if err != nil {
		return nil, fmt.Errorf("portal template: %w", err)
	}
	return &portal{tmpl: t}, nil
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
	Error string
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
	s.renderPortal(w, r, pt)
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
	s.renderPortal(w, r, pt)
}

// renderPortal shows a portal's page: its name, whether it takes requests
// now (else its orphaned message in the browser's language) and the form
// for a session code.
func (s *Server) renderPortal(w http.ResponseWriter, r *http.Request, pt portalmodel.Portal) {
	pi := &portalInfo{Slug: pt.Slug, Name: pt.Name, Type: pt.Settings.Type.String()}
	open, _, err := (&portalRequests{s: s}).openNow(r.Context(), pt)
	if err != nil {
		s.logger.Error("portal open", "portal", pt.ID, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	pi.Open = open
	if !open {
		c := pt.Settings.Client
		if c.Orphan.Message {
			pi.Orphaned = c.MessagesFor(acceptLanguage(r, c.Messages)).Orphaned
		}
		pi.OrphanURL = c.Orphan.URL
	}
	s.render(w, http.StatusOK, portalPage{Portal: pi})
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

// handlePortalPost shows how to connect with a typed code. It does not
// spend the key: only the customer program's join does.
func (s *Server) handlePortalPost(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		s.logger.Info("portal post refused: not same origin", "source", sourceIP(r), "origin", r.Header.Get("Origin"))
		pageHeaders(w)
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte("cross-site form posts are refused\n"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, protocol.MaxRequestBytes)
	if err := r.ParseForm(); err != nil {
		s.render(w, http.StatusBadRequest, portalPage{Error: "The form could not be read. Please try again."})
		return
	}
	req := protocol.JoinRequest{Code: r.PostFormValue("code"), Name: strings.TrimSpace(r.PostFormValue("name"))}
	typed := req.Code
	if err := req.Validate(); err != nil {
		msg := "A session code has exactly 9 digits. Please check the code your representative gave you."
		if protocol.ValidateCode(protocol.NormalizeCode(req.Code)) == nil {
			msg = "Your name can have at most 80 characters and no special control characters."
		}
		s.render(w, http.StatusBadRequest, portalPage{Typed: typed, Name: r.PostFormValue("name"), Error: msg})
		return
	}
	s.render(w, http.StatusOK, s.keyPage(req.Code, req.Name))
}

// handleKeyPage shows the code of a key URL and how to connect.
func (s *Server) handleKeyPage(w http.ResponseWriter, r *http.Request) {
	code := protocol.NormalizeCode(r.PathValue("code"))
	if protocol.ValidateCode(code) != nil {
		s.render(w, http.StatusNotFound, portalPage{Error: "This link does not hold a valid session code. Please type the 9-digit code your representative gave you."})
		return
	}
	s.render(w, http.StatusOK, s.keyPage(code, ""))
}

// keyPage is the page of a well-formed code.
func (s *Server) keyPage(code, name string) portalPage {
	return portalPage{Code: code, Formatted: protocol.FormatCode(code), URL: s.keyURL(code), Name: name}
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
