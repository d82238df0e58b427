//go:build linux && cgo

package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/capture"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/codec"
	"github.com/tandemhq/tandem/internal/scene"
	"github.com/tandemhq/tandem/internal/xvfb"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

// repShow is a session of a portal whose functions f sets: a customer
// sharing its Xvfb screen (when custDisplay is set) and a rep who has
// accepted and is connected.
type repShow struct {
	h      *servertest.Harness
	admin  *adminHTTP
	rep    *client.Rep
	cust   *client.Customer
	cs, rs *client.Session
}

// functionsPortal creates a portal whose client configuration f changes
// and returns its slug; logging sets the site's screen recording.
func (a *adminHTTP) functionsPortal(t testing.TB, slug string, recordScreen bool, f func(*protocol.Functions)) string {
	t.Helper()
	var p struct {
		ID   string `json:"id"`
		Slug string `json:"slug"`
	}
	a.call(t, "POST", "/api/v1/admin/portals", map[string]string{"slug": slug, "name": slug}, http.StatusCreated, &p)
	var cc protocol.CustomerClientConfig
	a.call(t, "GET", "/api/v1/admin/portals/"+p.ID+"/client-config", nil, http.StatusOK, &cc)
	f(&cc.Functions)
	a.call(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/client-config", cc, http.StatusOK, nil)
	if recordScreen {
		a.call(t, "PUT", "/api/v1/admin/site", map[string]any{"logging": protocol.Logging{RecordScreen: true}}, http.StatusOK, nil)
	}
	return p.Slug
}

func startRepShow(t testing.TB, custDisplay *xvfb.Display, recordScreen bool, f func(*protocol.Functions)) *repShow {
	t.Helper()
	h := servertest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	var logger = testLoggerTB(t)
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: logger, VideoCodecs: []codec.Codec{codec.VP8}}
	admin := newAdminHTTP(t, h)
	portal := admin.functionsPortal(t, "functions", recordScreen, f)
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
	if custDisplay != nil {
		capt, err := capture.Open(custDisplay.Name, capture.Options{}, logger)
		if err != nil {
			t.Fatalf("capture.Open: %v", err)
		}
		t.Cleanup(func() { capt.Close() })
		if err := cs.ShareScreen(capt); err != nil {
			t.Fatalf("ShareScreen: %v", err)
		}
		t.Cleanup(cs.StopSharing)
	}
	var rs *client.Session
	for {
		// The session may not be waiting yet just after the join.
		if rs, err = rep.Accept(ctx, cs.ID()); err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("Accept: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := waitPeerTB(t, rs, cs.Self().ID).Connected(ctx); err != nil {
		t.Fatal(err)
	}
	return &repShow{h: h, admin: admin, rep: rep, cust: cust, cs: cs, rs: rs}
}

// openScreen captures display d for the rep; the test closes it.
func openScreen(t testing.TB, d *xvfb.Display) *capture.Capturer {
	t.Helper()
	capt, err := capture.Open(d.Name, capture.Options{}, nil)
	if err != nil {
		t.Fatalf("capture.Open: %v", err)
	}
	t.Cleanup(func() { capt.Close() })
	return capt
}

// nextRepScreen waits for the customer's next rep's screen event of type T.
func nextRepScreen[T client.Event](t testing.TB, ch <-chan client.Event) T {
	t.Helper()
	timeout := time.After(120 * time.Second) // a bound for a hung connection
	for {
		select {
		case ev := <-ch:
			if e, ok := ev.(T); ok {
				return e
			}
		case <-timeout:
			var zero T
			t.Fatalf("no %T event within 120s", zero)
			return zero
		}
	}
}

func TestRepScreenReachesTheCustomer(t *testing.T) {
	custD := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 800, Height: 600}}})
	repD := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1024, Height: 768}}})
	paint(t, custD, 800, 600, 1)
	paint(t, repD, 1024, 768, 3)
	s := startRepShow(t, custD, false, func(f *protocol.Functions) { f.RepScreenSharing = true })
	ctx := t.Context()

	if err := s.rs.ShowScreen(ctx, openScreen(t, repD)); err != nil {
		t.Fatalf("ShowScreen: %v", err)
	}
	if err := s.rs.ShowScreen(ctx, openScreen(t, repD)); !errors.Is(err, client.ErrAlreadySharing) {
		t.Errorf("a second ShowScreen: got %v; want ErrAlreadySharing", err)
	}
	started := nextRepScreen[client.RepScreenStarted](t, s.cs.Events())
	if started.Rep.ID != s.rep.Account().ID || started.Screen == nil {
		t.Fatalf("started: got %+v; want the rep %s with a screen", started, s.rep.Account().ID)
	}
	waitSharp(t, &sharing{screen: started.Screen}, grab(t, repD, 0), 40)

	// The customer's own screen still reaches the rep on the new connection.
	peer := waitPeer(t, s.rs, s.cs.Self().ID)
	waitSharp(t, &sharing{screen: peer.Screen()}, grab(t, custD, 0), 40)

	// A change of the rep's screen reaches the customer.
	paint(t, repD, 1024, 768, 4)
	waitSharp(t, &sharing{screen: started.Screen}, grab(t, repD, 0), 40)

	if err := s.rs.StopShowing(ctx); err != nil {
		t.Fatalf("StopShowing: %v", err)
	}
	if got := nextRepScreen[client.RepScreenStopped](t, s.cs.Events()); got.Rep.ID != s.rep.Account().ID {
		t.Errorf("stopped: got %+v; want the rep %s", got, s.rep.Account().ID)
	}
	if s.rs.Showing() {
		t.Error("Showing after StopShowing: got true; want false")
	}

	// Shown again, it comes back.
	if err := s.rs.ShowScreen(ctx, openScreen(t, repD)); err != nil {
		t.Fatalf("ShowScreen again: %v", err)
	}
	again := nextRepScreen[client.RepScreenStarted](t, s.cs.Events())
	waitSharp(t, &sharing{screen: again.Screen}, grab(t, repD, 0), 40)

	tr, err := s.rs.Transcript(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tr.Events {
		if e.Kind == "rep_screen" {
			got = append(got, e.Text)
		}
	}
	if want := []string{"started", "stopped", "started"}; len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("rep_screen events: got %q; want %q", got, want)
	}
}

// TestCustomerScreenRefused: where the portal does not let the customer
// share the screen, the customer's client refuses to (and the server
// would refuse its offer: server/hub's TestSignalVideoNeedsTheFunction).
func TestCustomerScreenRefused(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 640, Height: 480}}})
	s := startRepShow(t, nil, false, func(f *protocol.Functions) { f.CustomerScreenSharing = false })
	if err := s.cs.ShareScreen(openScreen(t, d)); !errors.Is(err, client.ErrCustomerScreenOff) {
		t.Fatalf("ShareScreen with the function off: got %v; want ErrCustomerScreenOff", err)
	}
}

func TestRepScreenRefused(t *testing.T) {
	repD := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 640, Height: 480}}})
	s := startRepShow(t, nil, false, func(f *protocol.Functions) { f.RepScreenSharing = false })
	ctx := t.Context()
	screen := openScreen(t, repD)

	f, err := s.rs.Functions(ctx)
	if err != nil || f.RepScreenSharing {
		t.Fatalf("Functions: got %+v, %v; want RepScreenSharing off", f, err)
	}
	if err := s.rs.ShowScreen(ctx, screen); !errors.Is(err, client.ErrRepScreenOff) {
		t.Fatalf("ShowScreen with the function off: got %v; want ErrRepScreenOff", err)
	}
	// A console that does not check is refused by the server.
	undo := client.SkipRepScreenCheck()
	err = s.rs.ShowScreen(ctx, screen)
	undo()
	if !client.IsCode(err, protocol.CodeForbidden) {
		t.Fatalf("ShowScreen past the client's check: got %v; want the server's %s", err, protocol.CodeForbidden)
	}
	if s.rs.Showing() {
		t.Error("Showing after a refusal: got true; want false")
	}
	// The customer's client of this portal has no slot for a rep's screen.
	if p := waitPeer(t, s.cs, s.rep.Account().ID); p.RepScreen() != nil {
		t.Error("the customer's peer has a rep's screen slot; want none where the portal does not allow it")
	}
	if _, err := s.cs.Functions(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.cs.ShowScreen(ctx, screen); !errors.Is(err, client.ErrNotRep) {
		t.Errorf("a customer's ShowScreen: got %v; want ErrNotRep", err)
	}
	if err := s.cs.StopShowing(ctx); !errors.Is(err, client.ErrNotRep) {
		t.Errorf("a customer's StopShowing: got %v; want ErrNotRep", err)
	}
	if err := s.rs.StopShowing(ctx); err != nil {
		t.Errorf("StopShowing while not showing: got %v; want nil", err)
	}
}

// testLoggerTB is testLogger for a test, and a quiet logger for a
// benchmark.
func testLoggerTB(t testing.TB) *slog.Logger {
	if tt, ok := t.(*testing.T); ok {
		return testLogger(tt)
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// waitPeerTB is waitPeer for tests and benchmarks.
func waitPeerTB(t testing.TB, s *client.Session, id string) *client.Peer {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if p := s.Peer(id); p != nil {
			return p
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no peer connection to %s", id)
	return nil
}

// TestRepScreenRecording: where the portal records the rep's screen, the
// rep's console records what it shows and the server takes the upload as
// a recording of the rep's screen; where it does not, or the customer
// refused recording, the server refuses it.
func TestRepScreenRecording(t *testing.T) {
	const w, h = 800, 600
	repD := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: w, Height: h}}})
	paint(t, repD, w, h, 5)
	s := startRepShow(t, nil, true, func(f *protocol.Functions) { f.RepScreenSharing, f.RecordRepScreen = true, true })
	ctx := t.Context()
	if f, err := s.rs.Functions(ctx); err != nil || !f.RecordRepScreen || f.RecordCustomerScreen {
		t.Fatalf("Functions: got %+v, %v; want the rep's screen recorded, not the customer's", f, err)
	}
	if _, err := s.rs.RecordShown(io.Discard); !errors.Is(err, client.ErrNotShowing) {
		t.Errorf("RecordShown before ShowScreen: got %v; want ErrNotShowing", err)
	}
	if err := s.rs.ShowScreen(ctx, openScreen(t, repD)); err != nil {
		t.Fatalf("ShowScreen: %v", err)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "rep.ivf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec, err := s.rs.RecordShown(f)
	if err != nil {
		t.Fatalf("RecordShown: %v", err)
	}
	started := nextRepScreen[client.RepScreenStarted](t, s.cs.Events())
	want := grab(t, repD, 0)
	waitSharp(t, &sharing{screen: started.Screen}, want, 40)
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.rs.StopShowing(ctx); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	_, frames, _ := readIVF(t, file)
	if p := codec.PSNR(decodeAll(t, codec.VP8, frames), want, want.Rect); p < 35 {
		t.Errorf("the recording ends on a picture at %.1f dB of the rep's screen; want at least 35", p)
	}

	id := s.cs.ID()
	// Not a recording of the customer's screen: the portal does not record that.
	if err := s.rep.UploadRecording(ctx, id, bytes.NewReader(file), int64(len(file))); !client.IsCode(err, protocol.CodeForbidden) {
		t.Errorf("upload as the customer's screen: got %v; want forbidden", err)
	}
	if err := s.rep.UploadRepScreenRecording(ctx, id, bytes.NewReader(file), int64(len(file))); err != nil {
		t.Fatalf("UploadRepScreenRecording: %v", err)
	}
	var list []struct {
		Frames int    `json:"frames"`
		Screen string `json:"screen"`
	}
	s.admin.call(t, "GET", "/api/v1/admin/sessions/"+id+"/recordings", nil, http.StatusOK, &list)
	if len(list) != 1 || list[0].Frames != len(frames) || list[0].Screen != "rep" {
		t.Fatalf("listed %+v; want one recording of the rep's screen of %d frames", list, len(frames))
	}

	// A portal that shows but does not record the rep's screen, and a
	// customer who refused recording: both refused.
	norec := s.admin.functionsPortal(t, "norec", false, func(f *protocol.Functions) { f.RepScreenSharing = true })
	for _, tt := range []struct {
		name, portal string
		refuse       bool
	}{
		{"not recorded", norec, false},
		{"customer refused", "functions", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cust, err := client.Join(ctx, client.Config{Server: s.h.URL, Fingerprint: s.h.Fingerprint, Logger: testLogger(t)}, s.admin.key(t, tt.portal), "Grace")
			if err != nil {
				t.Fatal(err)
			}
			defer cust.Close()
			if tt.refuse {
				if err := cust.SetRecording(ctx, false); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.rep.Accept(ctx, cust.Session().ID()); err != nil {
				t.Fatal(err)
			}
			err = s.rep.UploadRepScreenRecording(ctx, cust.Session().ID(), bytes.NewReader(file), int64(len(file)))
			if !client.IsCode(err, protocol.CodeForbidden) || !strings.Contains(err.Error(), "representative's screen") {
				t.Errorf("upload: got %v; want forbidden, the rep's screen not recorded", err)
			}
		})
	}
	if err := s.rep.UploadRepScreenRecording(ctx, "no-such-session", bytes.NewReader(file), int64(len(file))); !client.IsCode(err, protocol.CodeForbidden) {
		t.Errorf("upload for no session: got %v; want forbidden", err)
	}
}

// BenchmarkRepScreenFirstFrame measures the time from ShowScreen to the
// customer's first decoded picture of the rep's 1920x1080 screen (the
// test scene): the
// server's check, the customer's connection made afresh, the first
// keyframe (ms/track is the part until the rep's track reached the
// customer). StopShowing and the stop's arrival are not timed.
func BenchmarkRepScreenFirstFrame(b *testing.B) {
	repD := xvfb.Start(b, xvfb.Options{Screens: []xvfb.Screen{{Width: 1920, Height: 1080}}})
	sc, err := scene.Start(repD.Name, scene.Options{}, nil) // a desktop's worth of text
	if err != nil {
		b.Fatal(err)
	}
	defer sc.Close()
	s := startRepShow(b, nil, false, func(f *protocol.Functions) { f.RepScreenSharing = true })
	ctx := b.Context()
	screen := openScreen(b, repD)
	var total, toTrack time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if err := s.rs.ShowScreen(ctx, screen); err != nil {
			b.Fatalf("ShowScreen: %v", err)
		}
		started := nextRepScreen[client.RepScreenStarted](b, s.cs.Events())
		toTrack += time.Since(start)
		select {
		case <-started.Screen.Frames():
		case <-time.After(120 * time.Second):
			b.Fatal("no picture within 120s")
		}
		total += time.Since(start)
		b.StopTimer()
		if err := s.rs.StopShowing(ctx); err != nil {
			b.Fatal(err)
		}
		nextRepScreen[client.RepScreenStopped](b, s.cs.Events())
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/first-frame")
	b.ReportMetric(float64(toTrack.Milliseconds())/float64(b.N), "ms/track")
}
