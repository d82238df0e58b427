package server

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/tandemhq/tandem/client/joindata"
	"github.com/tandemhq/tandem/protocol"
)

// PathDownload + code serves the customer client with the session code's
// signed join data appended (GET; ?os=linux|windows|darwin, optional
// &arch=amd64|arm64 and &name=). Without ?os the browser's User-Agent
// picks the system; when it does not tell, a page asks.
const PathDownload = "/download/"

// PathDownloadTicket + nonce serves the customer client with a queue
// ticket in its signed join data: the customer token of the session a
// portal page's form created (GET; ?os= and &arch= as for PathDownload).
// The nonce stands for the ticket in server memory — the token itself is
// never in a URL — and is spent when the program is served, so the link
// works once; it expires after ticketMaxLifetime or the key lifetime,
// whichever is shorter.
const PathDownloadTicket = PathDownload + "ticket/"

// Limits of the queue tickets waiting to be downloaded.
const (
	// ticketMaxLifetime bounds how long a ticket's download link works.
	ticketMaxLifetime = 10 * time.Minute
	// maxTickets bounds the tickets kept at once; the per-address limit
	// of portal requests keeps one source from filling them.
	maxTickets = 10000
	// nonceBytes is the nonce's randomness: 192 bits.
	nonceBytes = 24
)

// clientsDirName is the folder in the data directory that holds the
// customer client builds.
const clientsDirName = "clients"

// clientOSes are the systems a customer client may be asked for.
var clientOSes = map[string]bool{"linux": true, "windows": true, "darwin": true}

// clientArches are the architectures a customer client may be asked for.
var clientArches = map[string]bool{"amd64": true, "arm64": true}

// downloadRoutes registers the customer client downloads with signed join data.
func (s *Server) downloadRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathDownload+"{code}", s.handleDownload)
	mux.HandleFunc("GET "+PathDownloadTicket+"{nonce}", s.handleTicketDownload)
}

// errTooManyTickets is returned when maxTickets wait to be downloaded.
var errTooManyTickets = errors.New("server: too many queue tickets waiting to be downloaded")

// ticket is a queue ticket waiting to be downloaded: the customer token
// of a session a portal page's form created, and what the form collected.
type ticket struct {
	token, name, portal string
	expires             time.Time
}

// tickets keeps the queue tickets by nonce until their download is served
// or they expire. It is safe for concurrent use.
type tickets struct {
	mu sync.Mutex
	m  map[string]ticket
}

// newTickets makes an empty ticket store.
func newTickets() *tickets { return &tickets{m: map[string]ticket{}} }

// add keeps t until expires and returns its new random nonce. Expired
// tickets are dropped first; errTooManyTickets when maxTickets remain.
func (ts *tickets) add(t ticket, now, expires time.Time) (string, error) {
	b := make([]byte, nonceBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("ticket nonce: %w", err)
	}
	nonce := base64.RawURLEncoding.EncodeToString(b)
	t.expires = expires
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for n, old := range ts.m {
		if !now.Before(old.expires) {
			delete(ts.m, n)
		}
	}
	if len(ts.m) >= maxTickets {
		return "", errTooManyTickets
	}
	ts.m[nonce] = t
	return nonce, nil
}

// get returns the ticket of nonce while it is valid; take also spends it,
// so that only one caller ever gets it.
func (ts *tickets) get(nonce string, now time.Time, take bool) (ticket, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, ok := ts.m[nonce]
	if ok && !now.Before(t.expires) {
		delete(ts.m, nonce)
		return ticket{}, false
	}
	if ok && take {
		delete(ts.m, nonce)
	}
	return t, ok
}

// restore puts back a ticket that was taken but could not be served.
func (ts *tickets) restore(nonce string, t ticket) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.m[nonce] = t
}

// ticketLifetime is how long a ticket's download link works.
func (s *Server) ticketLifetime() time.Duration {
	return min(s.cfg.KeyLifetime, ticketMaxLifetime)
}

// validNonce reports whether s can be a nonce tickets.add made.
func validNonce(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == nonceBytes
}

// handleTicketDownload serves the customer client with the queue ticket
// of the nonce. The chooser page (when the browser does not tell its
// system) and HEAD requests do not spend the nonce; the served program
// does.
func (s *Server) handleTicketDownload(w http.ResponseWriter, r *http.Request) {
	const gone = "This download link has already been used or has expired. If the support program did not download, please go back to the support page and ask for help again."
	nonce := r.PathValue("nonce")
	now := s.now()
	if !validNonce(nonce) {
		s.render(w, http.StatusNotFound, portalPage{Error: gone})
		return
	}
	if _, ok := s.portal.tickets.get(nonce, now, false); !ok {
		s.render(w, http.StatusNotFound, portalPage{Error: gone})
		return
	}
	goos, arch, ok := s.downloadSystem(w, r, "")
	if !ok {
		return
	}
	if goos == "" {
		s.renderChooser(w, "", PathDownloadTicket+nonce, nil)
		return
	}
	path, err := s.clientBinary(goos, arch)
	if err != nil {
		s.logger.Warn("customer client download", "os", goos, "arch", arch, "err", err)
		s.render(w, http.StatusNotFound, portalPage{Error: "The support program for your computer is not available on this server. Please call or write to our support."})
		return
	}
	t, ok := s.portal.tickets.get(nonce, now, r.Method != http.MethodHead)
	if !ok {
		s.render(w, http.StatusNotFound, portalPage{Error: gone})
		return
	}
	d := joindata.Data{Server: s.publicURL(), Portal: t.portal, Ticket: t.token, Name: t.name}
	if err := s.serveClient(w, r, path, goos, d); err != nil {
		if r.Method != http.MethodHead {
			s.portal.tickets.restore(nonce, t)
		}
		s.logger.Error("customer client download", "os", goos, "arch", arch, "file", path, "err", err)
		http.Error(w, "the support program could not be prepared; please try again", http.StatusInternalServerError)
	}
}

// downloadSystem reads the system and architecture a download asks for:
// ?os (else the browser's User-Agent; "" when that does not tell either)
// and ?arch (default amd64). It answers a bad choice itself, with typed
// (a session code) in the code form, and returns false.
func (s *Server) downloadSystem(w http.ResponseWriter, r *http.Request, typed string) (goos, arch string, ok bool) {
	q := r.URL.Query()
	goos = q.Get("os")
	if goos == "" {
		goos = guessOS(r.UserAgent())
	}
	arch = q.Get("arch")
	if arch == "" {
		arch = "amd64"
	}
	if goos != "" && !clientOSes[goos] || !clientArches[arch] {
		s.render(w, http.StatusBadRequest, portalPage{Typed: typed, Error: "Please choose Windows, macOS or Linux to download the support program."})
		return "", "", false
	}
	return goos, arch, true
}

// handleDownload serves the customer client for the code's session key.
// It does not look the key up, so it tells nobody whether a code exists:
// the client's join spends and checks the key, rate-limited. The trailer
// expires when a key made now would, so it never outlives its key.
func (s *Server) handleDownload(w http.ResponseWriter, r *http.Request) {
	code := protocol.NormalizeCode(r.PathValue("code"))
	if protocol.ValidateCode(code) != nil {
		s.render(w, http.StatusNotFound, portalPage{Error: "This download link does not hold a valid session code. Please type the 9-digit code your representative gave you."})
		return
	}
	goos, arch, ok := s.downloadSystem(w, r, code)
	if !ok {
		return
	}
	q := r.URL.Query()
	name, slug := strings.TrimSpace(q.Get("name")), q.Get("portal")
	if protocol.ValidateText("name", name, protocol.MaxNameRunes, false) != nil || strings.ContainsFunc(name, unicode.IsControl) {
		s.render(w, http.StatusBadRequest, portalPage{Typed: code, Error: "Your name can have at most 80 characters and no special control characters."})
		return
	}
	if protocol.ValidatePortalSlug(slug) != nil {
		s.render(w, http.StatusBadRequest, portalPage{Typed: code, Error: "This download link names no support site of ours. Please type your code on the support site again."})
		return
	}
	if goos == "" {
		keep := url.Values{}
		for k, v := range map[string]string{"name": name, "portal": slug} {
			if v != "" {
				keep.Set(k, v)
			}
		}
		s.renderChooser(w, protocol.FormatCode(code), PathDownload+code, keep)
		return
	}
	path, err := s.clientBinary(goos, arch)
	if err != nil {
		s.logger.Warn("customer client download", "os", goos, "arch", arch, "err", err)
		s.render(w, http.StatusNotFound, portalPage{Typed: code, Error: "The support program for your computer is not available on this server. Please tell your representative."})
		return
	}
	if err := s.serveClient(w, r, path, goos, joindata.Data{Server: s.publicURL(), Code: code, Name: name, Portal: slug}); err != nil {
		s.logger.Error("customer client download", "os", goos, "arch", arch, "file", path, "err", err)
		http.Error(w, "the support program could not be prepared; please tell your representative", http.StatusInternalServerError)
	}
}

// serveClient streams the file at path followed by d's signed trailer.
// Nothing is written when it returns an error; a download the customer
// interrupts is logged here.
func (s *Server) serveClient(w http.ResponseWriter, r *http.Request, path, goos string, d joindata.Data) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if joindata.HasTrailer(f, st.Size()) {
		return fmt.Errorf("%s already carries join data: put an unmodified build there", path)
	}
	signer, ok := s.cert.PrivateKey.(crypto.Signer)
	if !ok {
		return fmt.Errorf("%w: the TLS key (%T) cannot sign", ErrBadCert, s.cert.PrivateKey)
	}
	now := s.now()
	d.Issued, d.Expires, d.Certificate = now, now.Add(s.cfg.KeyLifetime), s.cert.Certificate[0]
	trailer, err := joindata.Trailer(d, signer)
	if err != nil {
		return err
	}
	file := "tandem-support"
	if d.Code != "" {
		file += "-" + d.Code
	}
	if goos == "windows" {
		file += ".exe"
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="`+file+`"`)
	h.Set("Content-Length", strconv.FormatInt(st.Size()+int64(len(trailer)), 10))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	// Every download carries a fresh signature, so a resumed download
	// would join two different trailers: ranges are not offered.
	h.Set("Accept-Ranges", "none")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	s.logger.Info("customer client downloaded", "os", goos, "source", sourceIP(r))
	if _, err := io.Copy(w, io.MultiReader(f, bytes.NewReader(trailer))); err != nil {
		s.logger.Info("customer client download interrupted", "source", sourceIP(r), "err", err)
	}
	return nil
}

// clientBinary finds the customer client build for goos/arch: first in the
// data directory's clients folder, then next to the server's executable
// (where `make build` puts bin/tandem-customer). Names tried, in order:
// tandem-customer-<os>-<arch>[.exe], tandem-customer-<os>[.exe], and for
// the server's own system tandem-customer[.exe].
func (s *Server) clientBinary(goos, arch string) (string, error) {
	dirs := []string{filepath.Join(s.cfg.DataDir, clientsDirName)}
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(exe))
	}
	ext := ""
	if goos == "windows" {
		ext = ".exe"
	}
	names := []string{"tandem-customer-" + goos + "-" + arch + ext, "tandem-customer-" + goos + ext}
	if goos == runtime.GOOS && arch == runtime.GOARCH {
		names = append(names, "tandem-customer"+ext)
	}
	for _, d := range dirs {
		for _, n := range names {
			p := filepath.Join(d, n)
			st, err := os.Stat(p)
			if err == nil && st.Mode().IsRegular() {
				return p, nil
			}
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return "", err
			}
		}
	}
	return "", fmt.Errorf("no %s in %s", strings.Join(names, " or "), strings.Join(dirs, " or "))
}

// guessOS reads the customer's system from the browser's User-Agent;
// "" when it cannot tell.
func guessOS(ua string) string {
	switch {
	case strings.Contains(ua, "Windows"):
		return "windows"
	case strings.Contains(ua, "Macintosh"), strings.Contains(ua, "Mac OS X"):
		return "darwin"
	case strings.Contains(ua, "Linux") && !strings.Contains(ua, "Android"):
		return "linux"
	}
	return ""
}
