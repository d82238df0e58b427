package server

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/tandemhq/tandem/protocol"
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

// handlePortal shows the form for a session code.
func (s *Server) handlePortal(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, portalPage{})
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
