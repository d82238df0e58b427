package ui_test

import (
	"context"
	"image"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/client/joindata"
	"github.com/tandemhq/tandem/internal/x11win"
	"github.com/tandemhq/tandem/internal/x11win/x11wintest"
	"github.com/tandemhq/tandem/internal/xvfb"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server"
	"github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/servertest"
)

// TestDownloadedCustomerClient builds the customer client, lets the server
// serve it with join data, runs the download with no arguments on its own
// Xvfb display, and checks that it joins the queue by itself, draws its
// waiting window, shares its screen with the rep who accepts, and removes
// itself from the Downloads folder after the rep ends the session. With
// TANDEM_SCREENSHOTS=DIR set, the screenshots are kept as
// DIR/customer-waiting.png and DIR/customer-session.png (that is how the
// ones in docs/ are made).
func TestDownloadedCustomerClient(t *testing.T) {
	h := servertest.Start(t)
	buildCustomer(t, h)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()

	rep, err := client.SignIn(ctx, client.Config{Server: h.URL, Fingerprint: h.Fingerprint}, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	key, err := rep.CreateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// The customer's browser saves the download in ~/Downloads.
	home := t.TempDir()
	exe := filepath.Join(home, "Downloads", "tandem-support-"+key.Code)
	download(t, ctx, h, server.PathDownload+key.Code+"?os=linux&arch="+runtime.GOARCH+"&name="+url.QueryEscape("Ada Lovelace"), exe)
	if _, err := joindata.ReadFile(exe, time.Now()); err != nil {
		t.Fatalf("the download's join data: %v", err)
	}

	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 520, Height: 640}}})
	run(t, d, []string{"HOME=" + home}, exe)
	waitWindow(t, ctx, d, "Tandem Support")

	var sessionID string
	for sessionID == "" {
		q, err := rep.Queue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Waiting) == 1 && q.Waiting[0].CustomerName == "Ada Lovelace" {
			sessionID = q.Waiting[0].ID
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the downloaded client never joined; queue %+v", q.Waiting)
		case <-time.After(100 * time.Millisecond):
		}
	}
	time.Sleep(2 * time.Second) // let the window draw the waiting state

	shot := screenshot(t, d)
	if n := colours(t, shot); n < 8 {
		t.Errorf("the customer window has %d colours; want a drawn window", n)
	}
	if dir := os.Getenv("TANDEM_SCREENSHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "customer-waiting.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The rep takes the session and sees the customer's screen.
	s, err := rep.Accept(ctx, sessionID)
	if err != nil {
		t.Fatal(err)
	}
	var peer *client.Peer
	for peer == nil {
		for _, p := range s.Info().Participants {
			if p.Role == protocol.RoleCustomer {
				peer = s.Peer(p.ID)
			}
		}
		select {
		case <-ctx.Done():
			t.Fatal("no peer connection to the downloaded client")
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err := peer.Connected(ctx); err != nil {
		t.Fatal(err)
	}
	// The customer's screen reaches the rep, with the "being supported"
	// banner at its top centre (the portal's default shows it).
	for shown := false; !shown; {
		select {
		case f := <-peer.Screen().Frames():
			if b := f.Image.Bounds(); b.Dx() != 520 || b.Dy() != 640 {
				t.Fatalf("the customer's screen arrives as %v; want 520x640", b)
			}
			shown = bannerPixels(f.Image) > 500
		case <-ctx.Done():
			t.Fatal("no frame with the supported indicator reached the rep")
		}
	}

	if dir := os.Getenv("TANDEM_SCREENSHOTS"); dir != "" {
		time.Sleep(time.Second) // let the window draw the session state
		if err := os.WriteFile(filepath.Join(dir, "customer-session.png"), screenshot(t, d), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The client told the server what computer it runs on: the rep's
	// summary has its host name and system.
	hostname, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	for {
		sum, err := rep.Summary(ctx, sessionID)
		if err != nil {
			t.Fatal(err)
		}
		if si := sum.SystemInfo; si != nil {
			if si.HostName != hostname || si.OS != runtime.GOOS {
				t.Errorf("summary's computer %+v; want host %q, OS %q", *si, hostname, runtime.GOOS)
			}
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the customer's computer never reached the rep's summary")
		case <-time.After(100 * time.Millisecond):
		}
	}

	// The rep ends the session: the client removes itself.
	if err := s.End(ctx, "solved"); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(exe); os.IsNotExist(err) {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the downloaded client did not remove itself after the session")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// download saves the server's answer at path as an executable.
func download(t *testing.T, ctx context.Context, h *servertest.Harness, path, file string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", h.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := h.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// bannerPixels counts the pixels of the supported indicator's blue in the
// top 40 rows of img.
func bannerPixels(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Min.Y+40 && y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r>>8, 22) && near(g>>8, 84) && near(bl>>8, 160) {
				n++
			}
		}
	}
	return n
}

// near reports whether a colour channel is within the codec's error of want.
func near(v uint32, want int) bool {
	d := int(v) - want
	return d > -24 && d < 24
}

// buildCustomer builds the customer client where the server serves it.
func buildCustomer(t *testing.T, h *servertest.Harness) {
	t.Helper()
	bin := filepath.Join(h.DataDir, "clients", "tandem-customer-linux-"+runtime.GOARCH)
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/customer").CombinedOutput(); err != nil {
		t.Fatalf("build the customer client: %v\n%s", err, out)
	}
}

// TestPortalFormDownloadJoinsTheQueue: a customer asks for help in the
// form of a SmartBox portal's page, downloads the support program the
// answer links to, and runs it with no arguments: it takes up its place
// in the queue (name and question from the form) with the queue ticket
// its join data carries, and shows the waiting window.
func TestPortalFormDownloadJoinsTheQueue(t *testing.T) {
	h := servertest.Start(t)
	buildCustomer(t, h)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()

	// The admin, signed in as the rep who serves it, makes a SmartBox
	// portal and a team for it.
	rep, err := client.SignIn(ctx, client.Config{Server: h.URL, Fingerprint: h.Fingerprint}, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	var login protocol.LoginResponse
	h.Call(t, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: h.AdminUser, Password: h.AdminPassword}, &login)
	var p portal.Portal
	h.Call(t, "POST", "/api/v1/admin/portals", login.Token, map[string]any{"slug": "help", "name": "Help"}, &p)
	p.Settings.Type = portal.SmartBox
	h.Call(t, "PUT", "/api/v1/admin/portals/"+p.ID, login.Token, map[string]any{"slug": p.Slug, "name": p.Name, "settings": p.Settings}, &p)
	h.Call(t, "POST", "/api/v1/admin/teams", login.Token, map[string]any{"name": "Tier 1", "portal_ids": []string{p.ID}, "rep_ids": []string{rep.Account().ID}}, nil)

	page := h.PostForm(t, portal.PathPrefix+"help/", url.Values{"name": {"Gina"}, "question": {"My printer is on fire"}})
	m := regexp.MustCompile(`href="(` + regexp.QuoteMeta(server.PathDownloadTicket) + `[A-Za-z0-9_-]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the form's answer has no download link:\n%s", page)
	}
	home := t.TempDir()
	exe := filepath.Join(home, "Downloads", "tandem-support")
	download(t, ctx, h, m[1]+"?os=linux&arch="+runtime.GOARCH, exe)

	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 520, Height: 640}}})
	run(t, d, []string{"HOME=" + home}, exe)
	waitWindow(t, ctx, d, "Tandem Support")
	for {
		q, err := rep.Queue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Waiting) != 1 {
			t.Fatalf("the rep's queue %+v; want Gina's one session", q.Waiting)
		}
		if w := q.Waiting[0]; w.CustomerName != "Gina" || w.Question != "My printer is on fire" {
			t.Fatalf("waiting %+v; want Gina with her question", w)
		}
		// The program connected: its computer is in the summary.
		sum, err := rep.Summary(ctx, q.Waiting[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if sum.SystemInfo != nil {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the downloaded program never took up its place in the queue")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestDownloadedClientStartsMinimized: where the portal starts the client
// minimized without focus, the downloaded client iconifies its window
// once it joined and the window the customer was using keeps the focus
// (under a real window manager, Openbox).
func TestDownloadedClientStartsMinimized(t *testing.T) {
	h := servertest.Start(t)
	buildCustomer(t, h)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	var login protocol.LoginResponse
	h.Call(t, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: h.AdminUser, Password: h.AdminPassword}, &login)
	var p portal.Portal
	h.Call(t, "POST", "/api/v1/admin/portals", login.Token, map[string]any{"slug": "quiet", "name": "Quiet"}, &p)
	var cc protocol.CustomerClientConfig
	h.Call(t, "GET", "/api/v1/admin/portals/"+p.ID+"/client-config", login.Token, nil, &cc)
	cc.Display.StartMinimizedNoFocus = true
	h.Call(t, "PUT", "/api/v1/admin/portals/"+p.ID+"/client-config", login.Token, cc, nil)
	var k protocol.Key
	h.Call(t, "POST", protocol.PathKeys, login.Token, protocol.KeyRequest{Portal: "quiet"}, &k)

	home := t.TempDir()
	exe := filepath.Join(home, "Downloads", "tandem-support-"+k.Code)
	download(t, ctx, h, server.PathDownload+k.Code+"?os=linux&arch="+runtime.GOARCH, exe)

	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1024, Height: 768}}})
	x11wintest.StartOpenbox(t, d)
	other := otherWindow(t, ctx, d.Name)
	run(t, d, []string{"HOME=" + home}, exe)

	conn, err := xgb.NewConnDisplay(d.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	wmState := internAtom(t, conn, "WM_STATE")
	for {
		w, err := x11win.Find(ctx, d.Name, x11win.Match{Title: "Tandem Support"})
		if err != nil {
			t.Fatalf("the client's window: %v", err)
		}
		st, err := xproto.GetProperty(conn, false, xproto.Window(w), wmState, wmState, 0, 2).Reply()
		if err != nil {
			t.Fatal(err)
		}
		// ICCCM: WM_STATE's first word is 3 (IconicState) once iconified.
		if len(st.Value) >= 4 && xgb.Get32(st.Value) == 3 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the client's window was never minimized")
		case <-time.After(100 * time.Millisecond):
		}
	}
	if got, err := x11win.Active(ctx, d.Name); err != nil || got != other {
		t.Errorf("active window %#x, %v; want the customer's own window %#x to keep the focus", got, err, other)
	}
}

// otherWindow maps a titled window, as another program of the customer's,
// and gives it the focus.
func otherWindow(t *testing.T, ctx context.Context, display string) x11win.Window {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	id, err := xproto.NewWindowId(conn)
	if err != nil {
		t.Fatal(err)
	}
	if err := xproto.CreateWindowChecked(conn, 0, id, root, 50, 50, 400, 300, 0, xproto.WindowClassInputOutput, 0, 0, nil).Check(); err != nil {
		t.Fatal(err)
	}
	title := "Customer's editor"
	xproto.ChangeProperty(conn, xproto.PropModeReplace, id, xproto.AtomWmName, xproto.AtomString, 8, uint32(len(title)), []byte(title))
	xproto.MapWindow(conn, id)
	w, err := x11win.Find(ctx, display, x11win.Match{Title: title})
	if err != nil {
		t.Fatal(err)
	}
	if err := x11win.Activate(ctx, display, w); err != nil {
		t.Fatal(err)
	}
	return w
}

// internAtom returns the atom called name.
func internAtom(t *testing.T, conn *xgb.Conn, name string) xproto.Atom {
	t.Helper()
	r, err := xproto.InternAtom(conn, false, uint16(len(name)), name).Reply()
	if err != nil {
		t.Fatal(err)
	}
	return r.Atom
}
