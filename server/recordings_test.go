package server_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/servertest"
)

// recordingInfo is a recording as the admin API lists it.
type recordingInfo struct {
	ID        string `json:"id"`
	SessionID string `json:"session_id"`
	RepID     string `json:"rep_id"`
	Codec     string `json:"codec"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Size      int64  `json:"size"`
	Frames    int    `json:"frames"`
	URL       string `json:"url"`
}

// withMaxRecording sets the server's recording size limit.
func withMaxRecording(n int64) servertest.Option {
	return func(c *server.Config) { c.MaxRecordingBytes = n }
}

// recordedPortal creates a portal whose sessions record the customer's
// screen (its function on, screen recording in the site's logging) and
// returns its slug.
func recordedPortal(t *testing.T, a *api, tok string) string {
	t.Helper()
	p := createPortal(t, a, tok, "recorded")
	var cc protocol.CustomerClientConfig
	a.ok(t, "GET", "/api/v1/admin/portals/"+p.ID+"/client-config", tok, nil, &cc)
	cc.Functions.RecordCustomerScreen = true
	a.ok(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/client-config", tok, cc, nil)
	a.ok(t, "PUT", "/api/v1/admin/site", tok, portalmodel.SiteSettings{Logging: protocol.Logging{RecordScreen: true}}, nil)
	return p.Slug
}

// ivfFile builds an IVF file of codec (VP80 or VP90) with frames of the
// given sizes (their bytes are not real video: the server checks only the
// container).
func ivfFile(fourcc string, w, h int, frames ...int) []byte {
	var b bytes.Buffer
	hd := make([]byte, 32)
	copy(hd, "DKIF")
	binary.LittleEndian.PutUint16(hd[6:], 32)
	copy(hd[8:], fourcc)
	binary.LittleEndian.PutUint16(hd[12:], uint16(w))
	binary.LittleEndian.PutUint16(hd[14:], uint16(h))
	binary.LittleEndian.PutUint32(hd[16:], 1000)
	binary.LittleEndian.PutUint32(hd[20:], 1)
	binary.LittleEndian.PutUint32(hd[24:], uint32(len(frames)))
	b.Write(hd)
	for i, n := range frames {
		fh := make([]byte, 12)
		binary.LittleEndian.PutUint32(fh, uint32(n))
		binary.LittleEndian.PutUint64(fh[4:], uint64(i*40))
		b.Write(fh)
		b.Write(bytes.Repeat([]byte{byte(i + 1)}, n))
	}
	return b.Bytes()
}

// upload posts a recording of session id.
func upload(t *testing.T, a *api, tok, id string, body []byte) response {
	t.Helper()
	return a.raw(t, "POST", protocol.PathSession+id+"/recordings", tok, server.RecordingContentType, body)
}

func TestRecordingUploadAndDownload(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	s := startRecordedSession(t, a, tok, recordedPortal(t, a, tok))
	id := s.join.Session.ID
	file := ivfFile("VP90", 1280, 720, 3000, 10, 20000)

	r := upload(t, a, tok, id, file)
	if r.status != http.StatusCreated {
		t.Fatalf("upload = %d %s; want 201", r.status, r.body)
	}
	var saved recordingInfo
	if err := json.Unmarshal(r.body, &saved); err != nil {
		t.Fatal(err)
	}
	s.end(t)
	// A second recording after the end (the console uploads at the end).
	if r := upload(t, a, tok, id, ivfFile("VP80", 640, 480, 100)); r.status != http.StatusCreated {
		t.Fatalf("upload after the end = %d %s; want 201", r.status, r.body)
	}

	var list []recordingInfo
	a.ok(t, "GET", server.PathAdmin+"sessions/"+id+"/recordings", tok, nil, &list)
	if len(list) != 2 {
		t.Fatalf("got %d recordings; want 2: %+v", len(list), list)
	}
	want := recordingInfo{ID: saved.ID, SessionID: id, RepID: list[0].RepID, Codec: "VP9", Width: 1280, Height: 720,
		Size: int64(len(file)), Frames: 3, URL: server.PathAdmin + "recordings/" + saved.ID}
	if list[0] != want || list[0].RepID == "" {
		t.Errorf("listed %+v; want %+v", list[0], want)
	}
	if list[1].Codec != "VP8" || list[1].Frames != 1 {
		t.Errorf("second recording %+v; want VP8 with 1 frame", list[1])
	}

	d := a.do(t, "GET", list[0].URL, tok, nil)
	if d.status != http.StatusOK || !bytes.Equal(d.body, file) {
		t.Fatalf("download = %d, %d bytes; want 200 and the uploaded %d bytes", d.status, len(d.body), len(file))
	}
	if ct, cd := d.header.Get("Content-Type"), d.header.Get("Content-Disposition"); ct != "video/x-ivf" || !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, saved.ID+".ivf") {
		t.Errorf("download headers: Content-Type %q, Content-Disposition %q; want video/x-ivf, an attachment named after the recording", ct, cd)
	}
	if got := eventsOf(t, s, server.KindRecordingSaved); len(got) != 2 || got[0].Text != saved.ID || got[0].Role != protocol.RoleAdmin && got[0].Role != protocol.RoleRep {
		t.Errorf("recording events %+v; want two, the first naming %s, by the rep", got, saved.ID)
	}
	// No upload leaves a temporary file behind.
	ents, err := os.ReadDir(filepath.Join(h.DataDir, "recordings"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 2 {
		t.Errorf("recordings directory holds %d files; want 2", len(ents))
	}
}

func TestRecordingRefused(t *testing.T) {
	const limit = 64 << 10
	h := servertest.Start(t, withMaxRecording(limit))
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	h.AddRep(t, "bob", "bob-password-1", protocol.RoleRep)
	bob := a.login(t, "bob", "bob-password-1").Token
	portal := recordedPortal(t, a, tok)
	rec := startRecordedSession(t, a, tok, portal)
	id := rec.join.Session.ID
	good := ivfFile("VP80", 640, 480, 100, 200)

	// A session whose customer refused recording.
	refused := startRecordedSession(t, a, tok, portal)
	refused.post(t, protocol.PathRecording, map[string]bool{"allow": false})
	// A session whose configuration records nothing (no portal).
	plain := startRecordedSession(t, a, tok, "")

	header := ivfFile("VP80", 640, 480)
	for _, tt := range []struct {
		name   string
		token  string
		id     string
		ctype  string
		body   []byte
		status int
		code   protocol.ErrorCode
		reason string
	}{
		{"no token", "", id, server.RecordingContentType, good, 401, protocol.CodeUnauthorized, "sign in"},
		{"customer", rec.join.Token, id, server.RecordingContentType, good, 403, protocol.CodeForbidden, "only representatives"},
		{"rep not in the session", bob, id, server.RecordingContentType, good, 403, protocol.CodeForbidden, "who was in the session"},
		{"no such session", tok, "nosuchsession", server.RecordingContentType, good, 403, protocol.CodeForbidden, "who was in the session"},
		{"customer refused", tok, refused.join.Session.ID, server.RecordingContentType, good, 403, protocol.CodeForbidden, "this session is not recorded"},
		{"not recorded by configuration", tok, plain.join.Session.ID, server.RecordingContentType, good, 403, protocol.CodeForbidden, "this session is not recorded"},
		{"wrong content type", tok, id, "application/json", good, 415, protocol.CodeBadData, "IVF"},
		{"not IVF", tok, id, server.RecordingContentType, bytes.Repeat([]byte("RIFF...."), 40), 400, protocol.CodeBadData, "signature"},
		{"short", tok, id, server.RecordingContentType, []byte("DKIF"), 400, protocol.CodeBadData, "shorter than an IVF header"},
		{"other codec", tok, id, server.RecordingContentType, ivfFile("H264", 640, 480, 10), 400, protocol.CodeBadData, "codec"},
		{"no frames", tok, id, server.RecordingContentType, header, 400, protocol.CodeBadData, "no frames"},
		{"truncated frame", tok, id, server.RecordingContentType, good[:len(good)-1], 400, protocol.CodeBadData, "truncated"},
		{"truncated frame header", tok, id, server.RecordingContentType, append(append([]byte{}, good...), 1, 2, 3), 400, protocol.CodeBadData, "truncated"},
		{"empty frame", tok, id, server.RecordingContentType, ivfFile("VP80", 640, 480, 0), 400, protocol.CodeBadData, "frame 1 is 0 bytes"},
		{"oversize", tok, id, server.RecordingContentType, ivfFile("VP80", 640, 480, limit), 413, protocol.CodeTooLarge, "limit"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantRefused(t, a.raw(t, "POST", protocol.PathSession+tt.id+"/recordings", tt.token, tt.ctype, tt.body), tt.status, tt.code, tt.reason)
		})
	}

	t.Run("oversize without a length", func(t *testing.T) {
		// A body of unknown length is cut off at the limit while it streams.
		body := io.MultiReader(bytes.NewReader(ivfFile("VP80", 640, 480, limit)))
		req, err := http.NewRequestWithContext(t.Context(), "POST", h.URL+protocol.PathSession+id+"/recordings", body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", server.RecordingContentType)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := a.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		wantRefused(t, response{status: resp.StatusCode, header: resp.Header, body: b}, 413, protocol.CodeTooLarge, "limit")
	})

	t.Run("listing", func(t *testing.T) {
		wantRefused(t, a.do(t, "GET", server.PathAdmin+"sessions/"+id+"/recordings", bob, nil), 403, protocol.CodeForbidden, "only admins")
		wantRefused(t, a.do(t, "GET", server.PathAdmin+"sessions/"+id+"/recordings", "", nil), 401, protocol.CodeUnauthorized, "sign in")
		wantRefused(t, a.do(t, "GET", server.PathAdmin+"sessions/nosuchsession/recordings", tok, nil), 404, protocol.CodeNotFound, "no session")
		wantRefused(t, a.do(t, "GET", server.PathAdmin+"recordings/nosuchrecording", tok, nil), 404, protocol.CodeNotFound, "no recording")
	})

	var list []recordingInfo
	a.ok(t, "GET", server.PathAdmin+"sessions/"+id+"/recordings", tok, nil, &list)
	if len(list) != 0 {
		t.Errorf("after refused uploads: got %+v; want no recordings", list)
	}
	if r := upload(t, a, tok, id, good); r.status != http.StatusCreated {
		t.Fatalf("upload = %d %s; want 201", r.status, r.body)
	}
	a.ok(t, "GET", server.PathAdmin+"sessions/"+id+"/recordings", tok, nil, &list)
	if len(list) != 1 {
		t.Fatalf("got %d recordings; want 1", len(list))
	}
	wantRefused(t, a.do(t, "GET", list[0].URL, bob, nil), 403, protocol.CodeForbidden, "only admins")
	ents, err := os.ReadDir(filepath.Join(h.DataDir, "recordings"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 {
		t.Errorf("recordings directory holds %d files after refusals and one upload; want 1", len(ents))
	}
}
