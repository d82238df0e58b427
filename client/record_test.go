//go:build linux && cgo

package client_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"image"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4/pkg/media/ivfreader"

	"github.com/tandemhq/tandem/capture"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/codec"
	"github.com/tandemhq/tandem/internal/xvfb"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

// adminHTTP calls the server's JSON API as the first admin.
type adminHTTP struct {
	h     *servertest.Harness
	c     *http.Client
	token string
}

func newAdminHTTP(t testing.TB, h *servertest.Harness) *adminHTTP {
	t.Helper()
	a := &adminHTTP{h: h, c: h.Client()}
	t.Cleanup(a.c.CloseIdleConnections)
	var lr protocol.LoginResponse
	a.call(t, "POST", protocol.PathLogin, protocol.LoginRequest{Username: h.AdminUser, Password: h.AdminPassword}, http.StatusOK, &lr)
	a.token = lr.Token
	return a
}

// call sends a JSON request, expects status and decodes the answer into
// out (unless nil); it returns the raw body.
func (a *adminHTTP) call(t testing.TB, method, path string, in any, status int, out any) []byte {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, a.h.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != status {
		t.Fatalf("%s %s = %d %s; want %d", method, path, resp.StatusCode, b, status)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %s: %v", method, path, b, err)
		}
	}
	return b
}

// recordedPortal creates a portal whose sessions record the customer's
// screen and returns its slug.
func (a *adminHTTP) recordedPortal(t testing.TB) string {
	t.Helper()
	var p struct {
		ID   string `json:"id"`
		Slug string `json:"slug"`
	}
	a.call(t, "POST", "/api/v1/admin/portals", map[string]string{"slug": "recorded", "name": "Recorded"}, http.StatusCreated, &p)
	var cc protocol.CustomerClientConfig
	a.call(t, "GET", "/api/v1/admin/portals/"+p.ID+"/client-config", nil, http.StatusOK, &cc)
	cc.Functions.RecordCustomerScreen = true
	a.call(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/client-config", cc, http.StatusOK, nil)
	a.call(t, "PUT", "/api/v1/admin/site", map[string]any{"logging": protocol.Logging{RecordScreen: true}}, http.StatusOK, nil)
	return p.Slug
}

// key makes a session key of the admin on portal.
func (a *adminHTTP) key(t testing.TB, portal string) string {
	t.Helper()
	var k protocol.Key
	a.call(t, "POST", protocol.PathKeys, protocol.KeyRequest{Portal: portal}, http.StatusOK, &k)
	return k.Code
}

// recorded is a recorded session: a customer sharing an Xvfb screen with
// a rep (the admin) in a session of a recording portal.
type recorded struct {
	*sharing
	h      *servertest.Harness
	admin  *adminHTTP
	rep    *client.Rep
	cust   *client.Customer
	cfg    client.Config
	portal string
}

// startRecorded runs a server with a recording portal, a rep and a
// customer sharing display d with c.
func startRecorded(t *testing.T, d *xvfb.Display, c codec.Codec) *recorded {
	t.Helper()
	h := servertest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	logger := testLogger(t)
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: logger, VideoCodecs: []codec.Codec{c}}
	admin := newAdminHTTP(t, h)
	portal := admin.recordedPortal(t)

	capt, err := capture.Open(d.Name, capture.Options{}, logger)
	if err != nil {
		t.Fatalf("capture.Open: %v", err)
	}
	t.Cleanup(func() { capt.Close() })
	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	t.Cleanup(func() { rep.Close() })
	cust, err := client.Join(ctx, cfg, admin.key(t, portal), "Ada")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cust.Close() })
	cs := cust.Session()
	if err := cs.ShareScreen(capt); err != nil {
		t.Fatalf("ShareScreen: %v", err)
	}
	next[client.SessionWaiting](t, rep.Events())
	rs, err := rep.Accept(ctx, cs.ID())
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	repPeer := waitPeer(t, rs, cs.Self().ID)
	if err := repPeer.Connected(ctx); err != nil {
		t.Fatal(err)
	}
	return &recorded{
		sharing: &sharing{d: d, cap: capt, cs: cs, rs: rs, screen: repPeer.Screen()},
		h:       h, admin: admin, rep: rep, cust: cust, cfg: cfg, portal: portal,
	}
}

// streamOnly hides a writer's Seek.
type streamOnly struct{ io.Writer }

// readIVF reads a whole IVF stream.
func readIVF(t *testing.T, b []byte) (*ivfreader.IVFFileHeader, [][]byte, []uint64) {
	t.Helper()
	r, h, err := ivfreader.NewWith(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("ivfreader: %v", err)
	}
	var frames [][]byte
	var ts []uint64
	for {
		f, fh, err := r.ParseNextFrame()
		if errors.Is(err, io.EOF) {
			return h, frames, ts
		}
		if err != nil {
			t.Fatalf("ivfreader frame %d: %v", len(frames)+1, err)
		}
		frames = append(frames, f)
		ts = append(ts, fh.Timestamp)
	}
}

// decodeAll decodes every frame and returns the last picture.
func decodeAll(t *testing.T, c codec.Codec, frames [][]byte) *image.YCbCr {
	t.Helper()
	dec, err := codec.NewDecoder(c)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	var last *image.YCbCr
	for i, f := range frames {
		img, err := dec.Decode(f)
		if err != nil {
			t.Fatalf("decode frame %d of %d: %v", i+1, len(frames), err)
		}
		if img != nil {
			last = cloneImage(img)
		}
	}
	if last == nil {
		t.Fatal("the recording decodes to no picture")
	}
	return last
}

func cloneImage(src *image.YCbCr) *image.YCbCr {
	dst := *src
	dst.Y, dst.Cb, dst.Cr = bytes.Clone(src.Y), bytes.Clone(src.Cb), bytes.Clone(src.Cr)
	return &dst
}

// waitFrames waits until rec holds at least n frames.
func waitFrames(t *testing.T, rec *client.Recording, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for rec.Frames() < n {
		if time.Now().After(deadline) {
			t.Fatalf("the recording holds %d frames after 30s; want %d", rec.Frames(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRecordScreen(t *testing.T) {
	for _, tt := range []struct {
		codec  codec.Codec
		fourcc string
	}{
		{codec.VP8, "VP80"},
		{codec.VP9, "VP90"},
	} {
		t.Run(tt.codec.String(), func(t *testing.T) {
			const w, h = 1024, 768
			d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: w, Height: h}}})
			paint(t, d, w, h, 1)
			s := startSharing(t, d, []codec.Codec{tt.codec})
			waitSharp(t, s, grab(t, d, 0), 40)

			path := filepath.Join(t.TempDir(), "rec.ivf")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rec, err := s.screen.Record(f)
			if err != nil {
				t.Fatal(err)
			}
			var stream bytes.Buffer
			rec2, err := s.screen.Record(streamOnly{&stream})
			if err != nil {
				t.Fatal(err)
			}
			waitFrames(t, rec, 1)
			waitFrames(t, rec2, 1)
			paint(t, d, w, h, 2)
			want := grab(t, d, 0)
			waitSharp(t, s, want, 40)
			if err := rec.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := rec.Close(); err != nil {
				t.Errorf("second Close: got %v; want nil", err)
			}
			if err := rec2.Close(); err != nil {
				t.Fatalf("Close of the stream: %v", err)
			}
			n := rec.Frames()

			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			hd, frames, ts := readIVF(t, b)
			if hd.FourCC != tt.fourcc || hd.Width != w || hd.Height != h || hd.TimebaseDenominator != 1000 || hd.TimebaseNumerator != 1 || int(hd.NumFrames) != n {
				t.Errorf("header %+v; want %s %dx%d, time base 1/1000, %d frames", hd, tt.fourcc, w, h, n)
			}
			if len(frames) != n || n < 2 {
				t.Fatalf("got %d frames; want the %d written, at least 2", len(frames), n)
			}
			for i := 1; i < len(ts); i++ {
				if ts[i] < ts[i-1] {
					t.Errorf("timestamp of frame %d is %d ms, before frame %d's %d ms", i+1, ts[i], i, ts[i-1])
				}
			}
			// The frames span the second picture's painting, in real time.
			if ts[0] != 0 || ts[len(ts)-1] == 0 {
				t.Errorf("timestamps run from %d to %d ms; want from 0 to later", ts[0], ts[len(ts)-1])
			}
			last := decodeAll(t, tt.codec, frames)
			if p := codec.PSNR(last, want, want.Rect); p < 35 {
				t.Errorf("the recording ends on a picture at %.1f dB of the screen; want at least 35", p)
			}

			// A writer that cannot seek gets the same stream with no frame count.
			hd2, frames2, _ := readIVF(t, stream.Bytes())
			if hd2.NumFrames != 0 || hd2.Width != w || len(frames2) != rec2.Frames() {
				t.Errorf("stream: header %+v with %d frames; want width %d, count 0, %d frames", hd2, len(frames2), w, rec2.Frames())
			}
			decodeAll(t, tt.codec, frames2)
		})
	}
}

func TestRecordingUpload(t *testing.T) {
	const w, h = 640, 480
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: w, Height: h}}})
	paint(t, d, w, h, 3)
	s := startRecorded(t, d, codec.VP8)
	ctx := t.Context()
	f, err := os.Create(filepath.Join(t.TempDir(), "rec.ivf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec, err := s.screen.Record(f)
	if err != nil {
		t.Fatal(err)
	}
	want := grab(t, d, 0)
	waitSharp(t, s.sharing, want, 40)
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	_, frames, _ := readIVF(t, file)
	if p := codec.PSNR(decodeAll(t, codec.VP8, frames), want, want.Rect); p < 35 {
		t.Errorf("the recording ends on a picture at %.1f dB of the screen; want at least 35", p)
	}

	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	id := s.cs.ID()
	if err := s.rep.UploadRecording(ctx, id, f, int64(len(file))); err != nil {
		t.Fatalf("UploadRecording: %v", err)
	}
	var list []struct {
		ID     string `json:"id"`
		Frames int    `json:"frames"`
		Size   int64  `json:"size"`
		URL    string `json:"url"`
	}
	s.admin.call(t, "GET", "/api/v1/admin/sessions/"+id+"/recordings", nil, http.StatusOK, &list)
	if len(list) != 1 || list[0].Frames != len(frames) || list[0].Size != int64(len(file)) {
		t.Fatalf("listed %+v; want one recording of %d frames, %d bytes", list, len(frames), len(file))
	}
	if got := s.admin.call(t, "GET", list[0].URL, nil, http.StatusOK, nil); !bytes.Equal(got, file) {
		t.Errorf("downloaded %d bytes; want the uploaded %d, byte for byte", len(got), len(file))
	}

	// A rep who was not in the session is refused.
	s.h.AddRep(t, "bob", "bob-password-1", protocol.RoleRep)
	bob, err := client.SignIn(ctx, s.cfg, "bob", "bob-password-1")
	if err != nil {
		t.Fatal(err)
	}
	defer bob.Close()
	err = bob.UploadRecording(ctx, id, bytes.NewReader(file), int64(len(file)))
	if !client.IsCode(err, protocol.CodeForbidden) || !strings.Contains(err.Error(), "who was in the session") {
		t.Errorf("upload by a rep not in the session: got %v; want forbidden", err)
	}

	// A session whose customer refused recording is not recorded.
	cust2, err := client.Join(ctx, s.cfg, s.admin.key(t, s.portal), "Grace")
	if err != nil {
		t.Fatal(err)
	}
	defer cust2.Close()
	if err := cust2.SetRecording(ctx, false); err != nil {
		t.Fatal(err)
	}
	next[client.SessionWaiting](t, s.rep.Events())
	if _, err := s.rep.Accept(ctx, cust2.Session().ID()); err != nil {
		t.Fatal(err)
	}
	err = s.rep.UploadRecording(ctx, cust2.Session().ID(), bytes.NewReader(file), int64(len(file)))
	if !client.IsCode(err, protocol.CodeForbidden) || !strings.Contains(err.Error(), "this session is not recorded") {
		t.Errorf("upload for a session whose customer refused: got %v; want forbidden, not recorded", err)
	}
	s.admin.call(t, "GET", "/api/v1/admin/sessions/"+cust2.Session().ID()+"/recordings", nil, http.StatusOK, &list)
	if len(list) != 0 {
		t.Errorf("recordings of the refused session: %+v; want none", list)
	}
}

// TestRecordResolutionChange switches the customer's monitor during a
// recording: the file goes on at the new size from its keyframe and
// decodes through the change.
func TestRecordResolutionChange(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1024, Height: 768}, {Width: 800, Height: 600}}})
	paint(t, d, 1024, 768, 4)
	s := startSharing(t, d, []codec.Codec{codec.VP9})
	var l client.ScreenLayout
	select {
	case l = <-s.screen.Layout():
	case <-time.After(hung):
		t.Fatal("no layout")
	}
	var b bytes.Buffer
	rec, err := s.screen.Record(&b)
	if err != nil {
		t.Fatal(err)
	}
	first := grab(t, d, l.Selected)
	waitSharp(t, s, first, 40)
	waitFrames(t, rec, 1)
	other := 1 - l.Selected
	if err := s.screen.SelectMonitor(other); err != nil {
		t.Fatal(err)
	}
	want := grab(t, d, other)
	waitSharp(t, s, want, 40)
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}

	hd, frames, _ := readIVF(t, b.Bytes())
	if int(hd.Width) != first.Rect.Dx() || int(hd.Height) != first.Rect.Dy() {
		t.Errorf("header size %dx%d; want the first keyframe's %v", hd.Width, hd.Height, first.Rect.Size())
	}
	dec, err := codec.NewDecoder(codec.VP9)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	sizes := map[image.Point]bool{}
	var last *image.YCbCr
	for i, f := range frames {
		img, err := dec.Decode(f)
		if err != nil {
			t.Fatalf("decode frame %d of %d: %v", i+1, len(frames), err)
		}
		if img != nil {
			sizes[img.Rect.Size()] = true
			last = cloneImage(img)
		}
	}
	if !sizes[first.Rect.Size()] || !sizes[want.Rect.Size()] {
		t.Errorf("decoded sizes %v; want both %v and %v", sizes, first.Rect.Size(), want.Rect.Size())
	}
	if last == nil || last.Rect.Size() != want.Rect.Size() {
		t.Fatalf("the recording does not end on a picture of %v", want.Rect.Size())
	}
	if p := codec.PSNR(last, want, want.Rect); p < 35 {
		t.Errorf("the recording ends on a picture at %.1f dB of the other monitor; want at least 35", p)
	}
}

// BenchmarkRecordingUpload measures uploading a 64 MiB recording to a
// real server over TLS: the server checks the IVF structure while it
// streams the body to disk, syncs and renames the file and stores its row.
func BenchmarkRecordingUpload(b *testing.B) {
	h := servertest.Start(b)
	admin := newAdminHTTP(b, h)
	portal := admin.recordedPortal(b)
	ctx := b.Context()
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint}
	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		b.Fatal(err)
	}
	defer rep.Close()
	cust, err := client.Join(ctx, cfg, admin.key(b, portal), "Ada")
	if err != nil {
		b.Fatal(err)
	}
	defer cust.Close()
	for {
		if _, err = rep.Accept(ctx, cust.Session().ID()); err == nil {
			break
		}
		if ctx.Err() != nil {
			b.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A synthetic IVF file: the server checks the container, not the video.
	var file bytes.Buffer
	hd := make([]byte, 32)
	copy(hd, "DKIF")
	binary.LittleEndian.PutUint16(hd[6:], 32)
	copy(hd[8:], "VP80")
	binary.LittleEndian.PutUint16(hd[12:], 1920)
	binary.LittleEndian.PutUint16(hd[14:], 1080)
	binary.LittleEndian.PutUint32(hd[16:], 1000)
	binary.LittleEndian.PutUint32(hd[20:], 1)
	file.Write(hd)
	frame := bytes.Repeat([]byte{0x9d, 0x01, 0x2a, 0x55}, 16<<10)
	for i := range 1024 {
		fh := make([]byte, 12)
		binary.LittleEndian.PutUint32(fh, uint32(len(frame)))
		binary.LittleEndian.PutUint64(fh[4:], uint64(i*100))
		file.Write(fh)
		file.Write(frame)
	}
	data := file.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if err := rep.UploadRecording(ctx, cust.Session().ID(), bytes.NewReader(data), int64(len(data))); err != nil {
			b.Fatal(err)
		}
	}
}

// failingWriter fails every write.
type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

// TestRecordWriteError: a writer that fails stops the recording with its
// error, and the rep's screen goes on.
func TestRecordWriteError(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 320, Height: 240}}})
	paint(t, d, 320, 240, 1)
	s := startSharing(t, d, []codec.Codec{codec.VP8})
	rec, err := s.screen.Record(failingWriter{})
	if err != nil {
		t.Fatal(err)
	}
	waitSharp(t, s, grab(t, d, 0), 40)
	paint(t, d, 320, 240, 2)
	waitSharp(t, s, grab(t, d, 0), 40)
	err = rec.Close()
	if !errors.Is(err, errDiskFull) {
		t.Errorf("Close: got %v; want the writer's error", err)
	}
	if err2 := rec.Close(); err2 != err {
		t.Errorf("second Close: got %v; want %v again", err2, err)
	}
	if n := rec.Frames(); n != 0 {
		t.Errorf("Frames: got %d; want 0", n)
	}
	if _, err := s.screen.Record(nil); err == nil {
		t.Error("Record(nil): got no error")
	}
}
