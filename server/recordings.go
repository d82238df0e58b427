package server

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/auth"
	"github.com/tandemhq/tandem/server/store"
)

// Recordings of the customer's screen. Media goes peer to peer, so the
// server never sees the picture: the rep's console records the frames it
// decodes into an IVF file and uploads it at the session's end (POST
// PathSession + id + "/recordings", rep token, body the file). The server
// takes it only from a rep who was in the session and only when the
// session's configuration snapshot records the customer's screen
// (Logging.RecordScreen and Functions.RecordCustomerScreen; a customer's
// refusal at the recording prompt turned both off). It checks the IVF
// structure while streaming the body into <data dir>/recordings/, bounded
// by Config.MaxRecordingBytes, and records a row and a session event.
// Admins list a session's recordings and download them through the admin
// API (docs/admin-api.md). An upload with ?screen=rep is a recording of
// the rep's own screen shown to the customer (repscreen.go), taken where
// the snapshot records it (Logging.RecordScreen and
// Functions.RecordRepScreen, the customer not refusing); the row says
// whose screen it is.

// DefaultMaxRecordingBytes is the default Config.MaxRecordingBytes.
const DefaultMaxRecordingBytes = 2 << 30

// KindRecordingSaved is the session event of an uploaded recording; its
// Text is the recording's ID. (KindRecording is the customer's consent.)
const KindRecordingSaved = "recording_saved"

// Recording uploads.
const (
	// RecordingContentType is the media type of a recording, uploaded and
	// downloaded.
	RecordingContentType = "video/x-ivf"
	// recordingsDir is the data directory's folder of recordings.
	recordingsDir = "recordings"
	// maxIVFFrameBytes bounds one encoded frame: a 4K keyframe of screen
	// content is a few MiB.
	maxIVFFrameBytes = 32 << 20
	// recordingTransferTime bounds one upload or download (the server's
	// read and write timeouts are for API requests).
	recordingTransferTime = time.Hour
)

// IVF layout: a 32-byte file header, then 12-byte frame headers each
// followed by the frame.
const (
	ivfFileHeaderSize  = 32
	ivfFrameHeaderSize = 12
)

// recordingView is a recording as the API shows it.
type recordingView struct {
	ID        string    `json:"id"`
	SessionID string    `json:"session_id"`
	RepID     string    `json:"rep_id"`
	Codec     string    `json:"codec"`
	Width     int       `json:"width"`
	Height    int       `json:"height"`
	Size      int64     `json:"size"`
	Frames    int       `json:"frames"`
	Created   time.Time `json:"created"`
	// Screen is "customer" or "rep" (the rep's screen shown to the customer).
	Screen string `json:"screen"`
	// URL downloads the file (admins).
	URL string `json:"url"`
}

func viewRecording(r store.ScreenRecording) recordingView {
	return recordingView{ID: r.ID, SessionID: r.SessionID, RepID: r.RepID, Codec: r.Codec, Width: r.Width, Height: r.Height,
		Size: r.Size, Frames: r.Frames, Created: r.Created, Screen: r.Screen, URL: PathAdmin + "recordings/" + r.ID}
}

// recordingRoutes registers the upload and the admin list and download.
func (s *Server) recordingRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+protocol.PathSession+"{id}/recordings", s.api(s.handleUploadRecording))
	mux.HandleFunc("GET "+PathAdmin+"sessions/{id}/recordings", s.api(s.handleListRecordings))
	mux.HandleFunc("GET "+PathAdmin+"recordings/{id}", s.api(s.handleDownloadRecording))
	s.repScreenRoutes(mux)
}

// recordingFile is where a recording's file lives.
func (s *Server) recordingFile(id string) string {
	return filepath.Join(s.cfg.DataDir, recordingsDir, id+".ivf")
}

// handleUploadRecording stores a session's recording uploaded by a rep
// who was in it, when the session records the customer's screen.
func (s *Server) handleUploadRecording(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	rep, err := s.authRep(ctx, r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	forbidden := apiErr(http.StatusForbidden, protocol.CodeForbidden, "only a representative who was in the session may upload its recording")
	if _, err := s.store.Session(ctx, id); errors.Is(err, store.ErrNotFound) {
		return forbidden
	} else if err != nil {
		return err
	}
	ps, err := s.store.Participants(ctx, id)
	if err != nil {
		return err
	}
	var self *store.Participant
	for i, p := range ps {
		if p.RepID == rep.ID {
			self = &ps[i]
		}
	}
	if self == nil {
		return forbidden
	}
	screen := r.URL.Query().Get("screen")
	var recorded bool
	switch screen {
	case "", store.RecordingCustomerScreen:
		screen = store.RecordingCustomerScreen
		recorded, err = s.recordsCustomerScreen(r, id)
	case store.RecordingRepScreen:
		recorded, err = s.recordsRepScreen(r, id)
	default:
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, "screen must be customer or rep")
	}
	if err != nil {
		return err
	}
	if !recorded {
		if screen == store.RecordingRepScreen {
			return apiErr(http.StatusForbidden, protocol.CodeForbidden, "this session does not record the representative's screen")
		}
		return apiErr(http.StatusForbidden, protocol.CodeForbidden, "this session is not recorded")
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != RecordingContentType {
		return apiErr(http.StatusUnsupportedMediaType, protocol.CodeBadData, "the request body must be an IVF file ("+RecordingContentType+")")
	}
	limit := s.cfg.MaxRecordingBytes
	tooLarge := apiErr(http.StatusRequestEntityTooLarge, protocol.CodeTooLarge, fmt.Sprintf("the recording is over this server's limit of %d bytes", limit))
	if r.ContentLength > limit {
		return tooLarge
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(recordingTransferTime)) // not every connection has deadlines
	_ = rc.SetWriteDeadline(time.Now().Add(recordingTransferTime))

	dir := filepath.Join(s.cfg.DataDir, recordingsDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("recordings directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return fmt.Errorf("recording upload: %w", err)
	}
	kept := false
	defer func() {
		if !kept {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	info, err := copyIVF(tmp, http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, errWriteRecording):
		return err
	case errors.As(err, &mbe):
		return tooLarge
	case errors.Is(err, errBadIVF):
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, err.Error())
	case err != nil:
		return apiErr(http.StatusBadRequest, protocol.CodeBadData, "cannot read the recording: "+err.Error())
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("recording upload: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("recording upload: %w", err)
	}
	rec := store.ScreenRecording{ID: auth.NewID(), SessionID: id, RepID: rep.ID, Codec: info.codec, Width: info.width, Height: info.height,
		Size: info.size, Frames: info.frames, Created: s.now(), Screen: screen}
	final := s.recordingFile(rec.ID)
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("recording upload: %w", err)
	}
	kept = true
	if err := s.store.SaveRecording(ctx, rec); err != nil {
		os.Remove(final)
		return err
	}
	if _, err := s.store.AppendEvent(ctx, store.Event{SessionID: id, Kind: KindRecordingSaved, From: self.ID, Name: self.Name,
		Role: self.Role, Text: rec.ID, At: rec.Created}); err != nil {
		return err
	}
	s.logger.Info("recording saved", "session", id, "recording", rec.ID, "screen", screen, "rep", rep.ID, "bytes", rec.Size, "frames", rec.Frames)
	writeJSON(w, http.StatusCreated, viewRecording(rec))
	return nil
}

// recordsCustomerScreen reports whether the session's configuration
// snapshot records the customer's screen and the customer did not refuse.
func (s *Server) recordsCustomerScreen(r *http.Request, sessionID string) (bool, error) {
	ctx := r.Context()
	consent, err := s.store.Recording(ctx, sessionID)
	if err != nil {
		return false, err
	}
	if consent == protocol.RecordingRefused {
		return false, nil
	}
	cfg, err := s.store.SessionConfig(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return cfg.Logging.RecordScreen && cfg.Functions.RecordCustomerScreen, nil
}

// authAdmin checks that the bearer token is an admin's.
func (s *Server) authAdmin(r *http.Request) error {
	rep, err := s.authRep(r.Context(), r)
	if err != nil {
		return err
	}
	if !rep.HasRole(protocol.RoleAdmin) {
		return apiErr(http.StatusForbidden, protocol.CodeForbidden, "only admins may list and download recordings; this account has no admin role")
	}
	return nil
}

// handleListRecordings lists a session's recordings (admins).
func (s *Server) handleListRecordings(w http.ResponseWriter, r *http.Request) error {
	if err := s.authAdmin(r); err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	if _, err := s.store.Session(ctx, id); errors.Is(err, store.ErrNotFound) {
		return apiErr(http.StatusNotFound, protocol.CodeNotFound, "no session "+strconv.Quote(id))
	} else if err != nil {
		return err
	}
	rs, err := s.store.SessionRecordings(ctx, id)
	if err != nil {
		return err
	}
	out := []recordingView{}
	for _, rec := range rs {
		out = append(out, viewRecording(rec))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handleDownloadRecording sends a recording's IVF file (admins).
func (s *Server) handleDownloadRecording(w http.ResponseWriter, r *http.Request) error {
	if err := s.authAdmin(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	rec, err := s.store.RecordingByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return apiErr(http.StatusNotFound, protocol.CodeNotFound, "no recording "+strconv.Quote(id))
	}
	if err != nil {
		return err
	}
	f, err := os.Open(s.recordingFile(rec.ID))
	if errors.Is(err, os.ErrNotExist) {
		return apiErr(http.StatusNotFound, protocol.CodeNotFound, "the file of recording "+strconv.Quote(id)+" is missing from the server's data directory")
	}
	if err != nil {
		return err
	}
	defer f.Close()
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(recordingTransferTime))
	w.Header().Set("Content-Type", RecordingContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{
		"filename": "session-" + rec.SessionID + "-" + rec.ID + ".ivf"}))
	http.ServeContent(w, r, "", rec.Created, f)
	return nil
}

// Errors of copyIVF.
var (
	// errBadIVF: an upload is not a well-formed IVF file.
	errBadIVF = errors.New("not a valid IVF recording")
	// errWriteRecording: the server could not write the file.
	errWriteRecording = errors.New("write recording")
)

// failedWriter remembers a writer's error, so that copyIVF tells the
// server's failures from the uploader's.
type failedWriter struct {
	w   io.Writer
	err error
}

func (f *failedWriter) Write(b []byte) (int, error) {
	n, err := f.w.Write(b)
	if err != nil {
		f.err = err
	}
	return n, err
}

// ivfInfo is what copyIVF learnt of a file.
type ivfInfo struct {
	codec         string
	width, height int
	frames        int
	size          int64
}

// copyIVF copies an IVF stream from r to w, checking its structure as it
// goes: the file header (signature, version, header size, a VP8 or VP9
// FourCC, a time base), then whole frames of at most maxIVFFrameBytes up
// to the end, at least one. Errors about the content wrap errBadIVF;
// the writer's wrap errWriteRecording; others are the reader's.
func copyIVF(dst io.Writer, r io.Reader) (ivfInfo, error) {
	w := &failedWriter{w: dst}
	info, err := scanIVF(w, r)
	if w.err != nil {
		return info, fmt.Errorf("%w: %w", errWriteRecording, w.err)
	}
	return info, err
}

// scanIVF is copyIVF's reading and checking.
func scanIVF(w io.Writer, r io.Reader) (ivfInfo, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", errBadIVF, fmt.Sprintf(format, a...))
	}
	var info ivfInfo
	var h [ivfFileHeaderSize]byte
	n, err := io.ReadFull(r, h[:])
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return info, bad("the file is %d bytes, shorter than an IVF header", n)
	}
	if err != nil {
		return info, err
	}
	switch {
	case string(h[0:4]) != "DKIF":
		return info, bad("the file does not start with the IVF signature DKIF")
	case binary.LittleEndian.Uint16(h[4:6]) != 0:
		return info, bad("IVF version %d; want 0", binary.LittleEndian.Uint16(h[4:6]))
	case binary.LittleEndian.Uint16(h[6:8]) != ivfFileHeaderSize:
		return info, bad("IVF header size %d; want %d", binary.LittleEndian.Uint16(h[6:8]), ivfFileHeaderSize)
	}
	switch string(h[8:12]) {
	case "VP80":
		info.codec = "VP8"
	case "VP90":
		info.codec = "VP9"
	default:
		return info, bad("codec %q; want VP80 or VP90", h[8:12])
	}
	info.width, info.height = int(binary.LittleEndian.Uint16(h[12:14])), int(binary.LittleEndian.Uint16(h[14:16]))
	if binary.LittleEndian.Uint32(h[16:20]) == 0 || binary.LittleEndian.Uint32(h[20:24]) == 0 {
		return info, bad("the time base is zero")
	}
	if _, err := w.Write(h[:]); err != nil {
		return info, err
	}
	info.size = ivfFileHeaderSize
	for {
		var fh [ivfFrameHeaderSize]byte
		n, err := io.ReadFull(r, fh[:])
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return info, bad("truncated: frame %d's header has %d of %d bytes", info.frames+1, n, ivfFrameHeaderSize)
		}
		if err != nil {
			return info, err
		}
		size := binary.LittleEndian.Uint32(fh[0:4])
		if size == 0 || size > maxIVFFrameBytes {
			return info, bad("frame %d is %d bytes; want 1..%d", info.frames+1, size, maxIVFFrameBytes)
		}
		if _, err := w.Write(fh[:]); err != nil {
			return info, err
		}
		m, err := io.CopyN(w, r, int64(size))
		if errors.Is(err, io.EOF) {
			return info, bad("truncated: frame %d has %d of %d bytes", info.frames+1, m, size)
		}
		if err != nil {
			return info, err
		}
		info.frames++
		info.size += ivfFrameHeaderSize + int64(size)
	}
	if info.frames == 0 {
		return info, bad("the recording has no frames")
	}
	return info, nil
}
