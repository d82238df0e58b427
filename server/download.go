package server

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/tandemhq/tandem/client/joindata"
	"github.com/tandemhq/tandem/protocol"
)

// PathDownload + code serves the customer client with the session code's
// signed join data appended (GET; ?os=linux|windows|darwin, optional
// &arch=amd64|arm64 and &name=). Without ?os the browser's User-Agent
// picks the system; when it does not tell, a page asks.
const PathDownload = "/download/"

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
	q := r.URL.Query()
	goos := q.Get("os")
	if goos == "" {
		goos = guessOS(r.UserAgent())
	}
	if goos == "" {
		s.renderChooser(w, code)
		return
	}
	arch := q.Get("arch")
	if arch == "" {
		arch = "amd64"
	}
	name := strings.TrimSpace(q.Get("name"))
	if !clientOSes[goos] || !clientArches[arch] || protocol.ValidateText("name", name, protocol.MaxNameRunes, false) != nil {
		s.render(w, http.StatusBadRequest, portalPage{Typed: code, Error: "Please choose Windows, macOS or Linux to download the support program."})
		return
	}
	path, err := s.clientBinary(goos, arch)
	if err != nil {
		s.logger.Warn("customer client download", "os", goos, "arch", arch, "err", err)
		s.render(w, http.StatusNotFound, portalPage{Typed: code, Error: "The support program for your computer is not available on this server. Please tell your representative."})
		return
	}
	if err := s.serveClient(w, r, path, goos, joindata.Data{Server: s.publicURL(), Code: code, Name: name}); err != nil {
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
	file := "tandem-support-" + d.Code
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
