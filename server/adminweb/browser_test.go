package adminweb_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
	"github.com/tandemhq/tandem/server/store"
)

// writeScreenshot makes TestAdminPagesInChromium write docs/admin.png:
// go test -run TestAdminPagesInChromium ./server/adminweb/ -write-screenshot
var writeScreenshot = flag.Bool("write-screenshot", false, "write the banner page's screenshot to docs/admin.png")

// newBrowser starts headless Chromium for one test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("ignore-certificate-errors", true),
	}
	actx, cancelA := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancelA)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // start the browser without a deadline
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// do runs browser steps with a generous bound, so a hung page fails the
// test instead of hanging it.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("chromium, %s: %v", what, err)
	}
}

// text is the text of the element with the ID.
func text(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
	if err != nil {
		t.Fatalf("chromium, text of #%s: %v", id, err)
	}
	return s
}

// value is the value of the form field with the ID.
func value(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID(id)))
	if err != nil {
		t.Fatalf("chromium, value of #%s: %v", id, err)
	}
	return s
}

// location is the page's URL.
func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("chromium, location: %v", err)
	}
	return s
}

// bmp returns a Windows BMP of the given size and bit depth (8 with a
// 256-colour grey palette, or 24), drawn with a gradient.
func bmp(width, height, bits int) []byte {
	row := (width*bits/8 + 3) &^ 3
	palette := 0
	if bits == 8 {
		palette = 256 * 4
	}
	off := 14 + 40 + palette
	b := make([]byte, off+row*height)
	copy(b, "BM")
	le := binary.LittleEndian
	le.PutUint32(b[2:], uint32(len(b)))
	le.PutUint32(b[10:], uint32(off))
	le.PutUint32(b[14:], 40)
	le.PutUint32(b[18:], uint32(width))
	le.PutUint32(b[22:], uint32(height))
	le.PutUint16(b[26:], 1)
	le.PutUint16(b[28:], uint16(bits))
	le.PutUint32(b[34:], uint32(row*height))
	if bits == 8 {
		le.PutUint32(b[46:], 256)
		for i := range 256 {
			p := 54 + 4*i
			b[p], b[p+1], b[p+2] = byte(i), byte(128+i/2), byte(255-i/2)
		}
	}
	for y := range height {
		for x := range width {
			p := off + y*row + x*bits/8
			v := byte(x * 255 / width)
			for k := range bits / 8 {
				b[p+k] = v
			}
		}
	}
	return b
}

// pages is a plain HTTP client for the admin pages with its own cookies.
type pages struct {
	t    *testing.T
	base string
	c    *http.Client
}

// newPages makes a client that trusts the harness's certificate.
func newPages(t *testing.T, h *servertest.Harness, base string) *pages {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := h.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	t.Cleanup(c.CloseIdleConnections)
	return &pages{t: t, base: base, c: c}
}

// get fetches a page and returns status and body.
func (p *pages) get(path string) (int, string) {
	p.t.Helper()
	resp, err := p.c.Get(p.base + path)
	if err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post sends a form as a browser would (same Origin) and returns status,
// body and the redirect target.
func (p *pages) post(path string, form url.Values) (int, string, string) {
	p.t.Helper()
	req, err := http.NewRequestWithContext(p.t.Context(), "POST", p.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.base)
	resp, err := p.c.Do(req)
	if err != nil {
		p.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the first CSRF token in a page.
func csrf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field in the page:\n%s", body)
	}
	return m[1]
}

// signIn signs in through the form and returns the status and body of the answer.
func (p *pages) signIn(user, pw string) (int, string, string) {
	p.t.Helper()
	_, body := p.get("/admin/signin")
	return p.post("/admin/signin", url.Values{"csrf": {csrf(p.t, body)}, "username": {user}, "password": {pw}})
}

// api is the JSON API, for keys and joins.
type api struct {
	h *servertest.Harness
	c *http.Client
}

// call posts JSON and decodes the answer.
func (a api) call(t *testing.T, path, token string, body string, v any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", a.h.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s = %d %s; want 200", path, resp.StatusCode, b)
	}
	if err := protocol.UnmarshalStrict(b, v); err != nil {
		t.Fatalf("POST %s: %s: %v", path, b, err)
	}
}

// get fetches JSON with a bearer token.
func (a api) get(t *testing.T, path, token string, v any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", a.h.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := a.c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s; want 200", path, resp.StatusCode, b)
	}
	if err := protocol.UnmarshalStrict(b, v); err != nil {
		t.Fatalf("GET %s: %s: %v", path, b, err)
	}
}

// startSession makes a key on the portal and joins with it: a new session
// with its configuration snapshot.
func (a api) startSession(t *testing.T, token, slug, name string) protocol.JoinResponse {
	t.Helper()
	var k protocol.Key
	a.call(t, protocol.PathKeys, token, `{"portal":"`+slug+`"}`, &k)
	var j protocol.JoinResponse
	a.call(t, protocol.PathJoin, "", `{"code":"`+k.Code+`","name":"`+name+`"}`, &j)
	if j.Config == nil {
		t.Fatalf("join of %s: no configuration snapshot in the answer", name)
	}
	return j
}

// TestAdminPagesInChromium signs in, creates a portal, uploads a bad and
// then a good banner, edits the greeting, and checks that a session
// started afterwards carries both while one already running keeps its
// snapshot. It also takes docs/admin.png.
func TestAdminPagesInChromium(t *testing.T) {
	h := servertest.Start(t, servertest.WithPublicURL("https://support.example.com"))
	base := h.URL
	a := api{h: h, c: h.Client()}
	var login protocol.LoginResponse
	a.call(t, protocol.PathLogin, "", `{"username":"`+h.AdminUser+`","password":"`+h.AdminPassword+`"}`, &login)

	ctx := newBrowser(t)
	do(t, ctx, "sign in",
		chromedp.Navigate(base+"/admin/"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), h.AdminUser),
		chromedp.SendKeys(chromedp.ID("password"), h.AdminPassword),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.ID("new-name")),
	)
	do(t, ctx, "create a portal",
		chromedp.SendKeys(chromedp.ID("new-name"), "Customer support"),
		chromedp.SendKeys(chromedp.ID("new-slug"), "support"),
		chromedp.SetValue(chromedp.ID("f-type"), "smartbox"),
		chromedp.Submit(chromedp.ID("new-name")),
		chromedp.WaitVisible(chromedp.ID("flash")),
	)
	portalURL := location(t, ctx)
	id := portalURL[strings.LastIndex(portalURL, "/")+1:]
	if i := strings.IndexByte(id, '?'); i >= 0 {
		id = id[:i]
	}

	running := a.startSession(t, login.Token, "support", "Rita Running")

	dir := t.TempDir()
	bad, good := filepath.Join(dir, "photo.bmp"), filepath.Join(dir, "banner.bmp")
	goodBMP := bmp(480, 40, 8)
	if err := os.WriteFile(bad, bmp(480, 40, 24), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, goodBMP, 0o600); err != nil {
		t.Fatal(err)
	}
	bannerPage := base + "/admin/portals/" + id + "/banner"
	do(t, ctx, "upload a bad banner",
		chromedp.Navigate(bannerPage),
		chromedp.WaitVisible(chromedp.ID("banner")),
		chromedp.SetUploadFiles(chromedp.ID("banner"), []string{bad}),
		chromedp.Click(chromedp.ID("upload")),
		chromedp.WaitVisible(chromedp.ID("banner-error")),
	)
	if got := text(t, ctx, "banner-error"); !strings.Contains(got, "24 bits per pixel") || !strings.Contains(got, "8-bit") || !strings.Contains(got, "photo.bmp") {
		t.Errorf("bad banner error %q; want it to name the file, its 24 bits and the 8-bit rule", got)
	}
	do(t, ctx, "upload a good banner",
		chromedp.SetUploadFiles(chromedp.ID("banner"), []string{good}),
		chromedp.Click(chromedp.ID("upload")),
		chromedp.WaitVisible(chromedp.ID("flash")),
	)
	if got, want := text(t, ctx, "portal-url"), "https://support.example.com/p/support/"; got != want {
		t.Errorf("portal URL shown %q; want %q", got, want)
	}
	if got := text(t, ctx, "banner-state"); !strings.Contains(got, "Custom banner") {
		t.Errorf("banner state after upload %q; want a custom banner", got)
	}

	const greeting = "Welcome to Example support! %POSITION_IN_QUEUE% %ESTIMATED_WAIT_TIME%"
	do(t, ctx, "edit the greeting",
		chromedp.Navigate(base+"/admin/portals/"+id+"/settings/messages"),
		chromedp.WaitVisible(chromedp.ID("f-client-messages-en-greeting")),
		chromedp.SetValue(chromedp.ID("f-client-messages-en-greeting"), greeting),
		chromedp.Click(chromedp.ID("save")),
		chromedp.WaitVisible(chromedp.ID("flash")),
	)
	if got := value(t, ctx, "f-client-messages-en-greeting"); got != greeting {
		t.Errorf("greeting after saving %q; want %q", got, greeting)
	}

	// Saving an empty message restores its default text.
	do(t, ctx, "empty the on-hold message",
		chromedp.Navigate(base+"/admin/portals/"+id+"/settings/messages"),
		chromedp.WaitVisible(chromedp.ID("f-client-messages-en-on_hold")),
		chromedp.SetValue(chromedp.ID("f-client-messages-en-on_hold"), "Hold on."),
		chromedp.Click(chromedp.ID("save")),
		chromedp.WaitVisible(chromedp.ID("flash")),
	)
	do(t, ctx, "restore the on-hold message",
		chromedp.Navigate(base+"/admin/portals/"+id+"/settings/messages"),
		chromedp.WaitVisible(chromedp.ID("f-client-messages-en-on_hold")),
		chromedp.Clear(chromedp.ID("f-client-messages-en-on_hold")),
		chromedp.Click(chromedp.ID("save")),
		chromedp.WaitVisible(chromedp.ID("flash")),
	)
	if got, want := value(t, ctx, "f-client-messages-en-on_hold"), running.Config.Messages["en"].OnHold; got != want {
		t.Errorf("on-hold message after saving it empty %q; want the default %q", got, want)
	}

	// A bad value: shown next to its field, with what was typed kept.
	do(t, ctx, "a bad timeout",
		chromedp.Navigate(base+"/admin/portals/"+id+"/settings/agreement"),
		chromedp.WaitVisible(chromedp.ID("f-client-agreement-timeout_seconds")),
		chromedp.SetValue(chromedp.ID("f-client-agreement-timeout_seconds"), "soon"),
		chromedp.Click(chromedp.ID("save")),
		chromedp.WaitVisible(chromedp.ID("f-client-agreement-timeout_seconds-error")),
	)
	if got, want := value(t, ctx, "f-client-agreement-timeout_seconds"), "soon"; got != want {
		t.Errorf("timeout field after a refused save %q; want the typed %q", got, want)
	}
	if got := text(t, ctx, "f-client-agreement-timeout_seconds-error"); !strings.Contains(got, "not a whole number") {
		t.Errorf("timeout error %q; want it to say it is not a whole number", got)
	}
	do(t, ctx, "a timeout out of range",
		chromedp.Navigate(base+"/admin/portals/"+id+"/settings/agreement"),
		chromedp.WaitVisible(chromedp.ID("f-client-agreement-timeout_seconds")),
		chromedp.SetValue(chromedp.ID("f-client-agreement-timeout_seconds"), "0"),
		chromedp.Click(chromedp.ID("save")),
		chromedp.WaitVisible(chromedp.ID("f-client-agreement-timeout_seconds-error")),
	)
	if got := text(t, ctx, "f-client-agreement-timeout_seconds-error"); !strings.Contains(got, "1 to 3600") {
		t.Errorf("timeout error %q; want the model's range 1 to 3600", got)
	}

	later := a.startSession(t, login.Token, "support", "Lena Later")
	if got, want := later.Config.Banner.SHA256, sha(goodBMP); got != want {
		t.Errorf("new session's banner %s; want the uploaded %s", got, want)
	}
	if got := later.Config.Messages["en"].Greeting; got != greeting {
		t.Errorf("new session's greeting %q; want %q", got, greeting)
	}
	st, err := store.Open(t.Context(), filepath.Join(h.DataDir, "tandem.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	kept, err := st.SessionConfig(t.Context(), running.Session.ID)
	if err != nil {
		t.Fatalf("running session's snapshot: %v", err)
	}
	if kept.Banner.SHA256 == sha(goodBMP) || kept.Banner.SHA256 != running.Config.Banner.SHA256 {
		t.Errorf("running session's banner %s; want its original %s", kept.Banner.SHA256, running.Config.Banner.SHA256)
	}
	if got, want := kept.Messages["en"].Greeting, running.Config.Messages["en"].Greeting; got != want || got == greeting {
		t.Errorf("running session's greeting %q; want its original %q", got, want)
	}
	// The running client asking the API again gets its own snapshot too.
	var again protocol.CustomerClientConfig
	a.get(t, protocol.PathClientConfig, running.Token, &again)
	if again.Banner.SHA256 != running.Config.Banner.SHA256 || again.Messages["en"].Greeting != running.Config.Messages["en"].Greeting {
		t.Errorf("running session's configuration from the API: banner %s, greeting %q; want its original ones", again.Banner.SHA256, again.Messages["en"].Greeting)
	}
	stored, err := st.SessionConfig(t.Context(), later.Session.ID)
	if err != nil {
		t.Fatalf("new session's snapshot: %v", err)
	}
	if stored.Banner.SHA256 != sha(goodBMP) || stored.Messages["en"].Greeting != greeting {
		t.Errorf("new session's stored snapshot: banner %s, greeting %q; want the new ones", stored.Banner.SHA256, stored.Messages["en"].Greeting)
	}

	do(t, ctx, "audit log",
		chromedp.Navigate(base+"/admin/audit"),
		chromedp.WaitVisible(chromedp.ID("audit")),
	)
	audit := text(t, ctx, "audit")
	for _, want := range []string{"portal.create", "portal.banner", "portal.update", h.AdminUser, "client.messages.en.greeting"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit log lacks %q:\n%s", want, audit)
		}
	}

	do(t, ctx, "screenshot page",
		chromedp.Navigate(bannerPage+"?done=banner"),
		chromedp.WaitVisible(chromedp.ID("banner-image")),
	)
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 600 {
		t.Errorf("screenshot is %dx%d; want the whole 1280 px wide page", b.Dx(), b.Dy())
	}
	if *writeScreenshot {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "admin.png"), shot, 0o644); err != nil {
			t.Fatalf("write docs/admin.png: %v", err)
		}
	}
}

// sha is the hex SHA-256 of b.
func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestNonAdminRefused: a rep without the admin role cannot sign in to the
// pages, and gets a page that says why.
func TestNonAdminRefused(t *testing.T) {
	h := servertest.Start(t)
	h.AddRep(t, "rob", "rob-password-123", protocol.RoleRep)
	p := newPages(t, h, h.URL)
	status, body, _ := p.signIn("rob", "rob-password-123")
	if status != http.StatusForbidden {
		t.Errorf("sign-in of a rep without the admin role = %d; want 403", status)
	}
	if !strings.Contains(body, "Administrators only") || !strings.Contains(body, "does not have the admin role") {
		t.Errorf("refusal page does not explain the admin role:\n%s", body)
	}
	if status, _ := p.get("/admin/"); status != http.StatusSeeOther {
		t.Errorf("start page after the refused sign-in = %d; want 303 to the sign-in page", status)
	}
	status, body, _ = p.signIn("rob", "wrong-password-123")
	if status != http.StatusUnauthorized || !strings.Contains(body, "Wrong username or password") {
		t.Errorf("wrong password = %d; want 401 with a message", status)
	}

	// An admin whose account is disabled while signed in is refused at the next page.
	h.AddRep(t, "ada", "ada-password-123", protocol.RoleAdmin)
	q := newPages(t, h, h.URL)
	if status, _, _ := q.signIn("ada", "ada-password-123"); status != http.StatusSeeOther {
		t.Fatalf("sign-in of admin ada = %d; want 303", status)
	}
	if status, _ := q.get("/admin/audit"); status != http.StatusOK {
		t.Fatalf("audit page for ada = %d; want 200", status)
	}
	st, err := store.Open(t.Context(), filepath.Join(h.DataDir, "tandem.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ada, err := st.RepByUsername(t.Context(), "ada")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetRepDisabled(t.Context(), ada.ID, true); err != nil {
		t.Fatal(err)
	}
	if status, body := q.get("/admin/audit"); status != http.StatusForbidden || !strings.Contains(body, "disabled") {
		t.Errorf("audit page after ada was disabled = %d; want 403 saying the account is disabled", status)
	}
}

// TestForgedFormRefused: a POST without the session's CSRF token, with a
// wrong one, or from another origin is refused with 403 and changes
// nothing; the same form with the token is accepted.
func TestForgedFormRefused(t *testing.T) {
	h := servertest.Start(t)
	base := h.URL
	p := newPages(t, h, base)
	if status, body, loc := p.signIn(h.AdminUser, h.AdminPassword); status != http.StatusSeeOther || loc != "/admin/" {
		t.Fatalf("admin sign-in = %d to %q; want 303 to /admin/:\n%s", status, loc, body)
	}
	_, body := p.get("/admin/")
	token := csrf(t, body)
	form := func(tok string) url.Values {
		v := url.Values{"name": {"Forged"}, "slug": {"forged"}, "type": {"smartpin"}}
		if tok != "" {
			v.Set("csrf", tok)
		}
		return v
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		origin string
	}{
		{"no token", form(""), base},
		{"wrong token", form(strings.Repeat("A", len(token))), base},
		{"other origin", form(token), "https://evil.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), "POST", base+"/admin/portals", strings.NewReader(tc.form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", tc.origin)
			resp, err := p.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("forged POST = %d; want 403:\n%s", resp.StatusCode, b)
			}
		})
	}
	if _, body := p.get("/admin/"); strings.Contains(body, "Forged") {
		t.Errorf("a forged form created a portal")
	}
	// The sign-in form has its own token.
	anon := newPages(t, h, base)
	if status, _, _ := anon.post("/admin/signin", url.Values{"username": {h.AdminUser}, "password": {h.AdminPassword}}); status != http.StatusForbidden {
		t.Errorf("sign-in without the form's token = %d; want 403", status)
	}
	status, _, loc := p.post("/admin/portals", form(token))
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/portals/") {
		t.Errorf("the same form with the token = %d to %q; want 303 to the new portal", status, loc)
	}
}

// TestTeamsNoticesAndCanned goes through the list pages with plain forms:
// a team with a member and a canned message, a notice created, sent and
// expired; each change is in the audit log.
func TestTeamsNoticesAndCanned(t *testing.T) {
	h := servertest.Start(t)
	h.AddRep(t, "rita", "rita-password-123", protocol.RoleRep)
	p := newPages(t, h, h.URL)
	if status, _, _ := p.signIn(h.AdminUser, h.AdminPassword); status != http.StatusSeeOther {
		t.Fatalf("admin sign-in = %d; want 303", status)
	}
	_, body := p.get("/admin/teams")
	tok := csrf(t, body)
	status, body, _ := p.post("/admin/teams", url.Values{"csrf": {tok}, "name": {""}})
	if status != http.StatusBadRequest || !strings.Contains(body, "give the team a name") {
		t.Errorf("team without a name = %d; want 400 with the reason next to the field", status)
	}
	status, _, loc := p.post("/admin/teams", url.Values{"csrf": {tok}, "name": {"First line"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/teams/") {
		t.Fatalf("create team = %d to %q; want 303 to the team", status, loc)
	}
	team := strings.TrimPrefix(loc[:strings.IndexByte(loc, '?')], "/admin/teams/")
	status, body = p.get("/admin/teams/" + team)
	if status != http.StatusOK {
		t.Fatalf("team page = %d:\n%s", status, body)
	}
	rita := regexp.MustCompile(`name="members" value="([^"]+)"> rita `).FindStringSubmatch(body)
	if rita == nil {
		t.Fatalf("team page lists no member check box for rita:\n%s", body)
	}
	if status, body, _ := p.post("/admin/teams/"+team, url.Values{"csrf": {tok}, "name": {"First line"}, "members": {rita[1]}}); status != http.StatusSeeOther {
		t.Fatalf("save members = %d:\n%s", status, body)
	}
	if status, body, _ := p.post("/admin/teams/"+team+"/canned", url.Values{"csrf": {tok}, "title": {"Hello"}, "text": {"How can I help?"}}); status != http.StatusSeeOther {
		t.Fatalf("add canned message = %d:\n%s", status, body)
	}
	_, body = p.get("/admin/teams/" + team)
	if !strings.Contains(body, "How can I help?") || !strings.Contains(body, `value="`+rita[1]+`" checked`) {
		t.Errorf("team page lacks the canned message or the member:\n%s", body)
	}

	if status, body, _ := p.post("/admin/notices", url.Values{"csrf": {tok}, "message": {"Mail is down."}, "hours": {"forever"}}); status != http.StatusBadRequest || !strings.Contains(body, "give the hours") {
		t.Errorf("notice with bad hours = %d; want 400 with the reason:\n%s", status, body)
	}
	if status, body, _ := p.post("/admin/notices", url.Values{"csrf": {tok}, "message": {"Mail is down."}, "hours": {"2"}}); status != http.StatusSeeOther {
		t.Fatalf("create notice = %d:\n%s", status, body)
	}
	_, body = p.get("/admin/notices")
	m := regexp.MustCompile(`/admin/notices/([^/"]+)/send`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "draft") {
		t.Fatalf("notice list shows no draft with a send button:\n%s", body)
	}
	for _, step := range []struct{ action, state string }{{"send", "showing"}, {"expire", "expired"}} {
		if status, body, _ := p.post("/admin/notices/"+m[1]+"/"+step.action, url.Values{"csrf": {tok}}); status != http.StatusSeeOther {
			t.Fatalf("%s notice = %d:\n%s", step.action, status, body)
		}
		if _, body = p.get("/admin/notices"); !strings.Contains(body, `class="state `+step.state+`"`) {
			t.Errorf("after %s the notice is not %s:\n%s", step.action, step.state, body)
		}
	}
	_, body = p.get("/admin/audit")
	for _, want := range []string{"team.create", "team.update", "canned.create", "notice.create", "notice.send", "notice.expire"} {
		if !strings.Contains(body, want) {
			t.Errorf("audit log lacks %s", want)
		}
	}
}

// TestInvitationRefusedMacro: an invitation e-mail with an unknown macro is
// refused with the model's reason on the page and the typed text kept.
func TestInvitationRefusedMacro(t *testing.T) {
	h := servertest.Start(t)
	p := newPages(t, h, h.URL)
	if status, _, _ := p.signIn(h.AdminUser, h.AdminPassword); status != http.StatusSeeOther {
		t.Fatalf("admin sign-in = %d; want 303", status)
	}
	_, body := p.get("/admin/")
	tok := csrf(t, body)
	status, _, loc := p.post("/admin/portals", url.Values{"csrf": {tok}, "name": {"Help"}, "slug": {"help"}, "type": {"smartpin"}})
	if status != http.StatusSeeOther {
		t.Fatalf("create portal = %d; want 303", status)
	}
	page := loc[:strings.IndexByte(loc, '?')] + "/settings/invitation"
	const body2 = "Join %REP_NAME% at %SESSION_URL% — %FOO%"
	status, body, _ = p.post(page, url.Values{"csrf": {tok}, "invitations.en.subject": {"Support"}, "invitations.en.body": {body2}})
	if status != http.StatusBadRequest {
		t.Fatalf("invitation with %%FOO%% = %d; want 400", status)
	}
	if !strings.Contains(body, "unknown macro %FOO%") {
		t.Errorf("refused invitation page does not name the unknown macro:\n%s", body)
	}
	if !strings.Contains(body, "Join %REP_NAME% at %SESSION_URL% — %FOO%</textarea>") {
		t.Errorf("refused invitation page lost the typed body:\n%s", body)
	}
	status, _, _ = p.post(page, url.Values{"csrf": {tok}, "invitations.en.subject": {"Support"}, "invitations.en.body": {"Join %REP_NAME% at %SESSION_URL%"}})
	if status != http.StatusSeeOther {
		t.Errorf("valid invitation = %d; want 303", status)
	}
}

// TestBusinessHoursForm: hours per weekday, a time zone and holidays;
// bad ones refused next to their field with the input kept.
func TestBusinessHoursForm(t *testing.T) {
	h := servertest.Start(t)
	p := newPages(t, h, h.URL)
	if status, _, _ := p.signIn(h.AdminUser, h.AdminPassword); status != http.StatusSeeOther {
		t.Fatalf("admin sign-in = %d; want 303", status)
	}
	_, body := p.get("/admin/")
	tok := csrf(t, body)
	_, _, loc := p.post("/admin/portals", url.Values{"csrf": {tok}, "name": {"Help"}, "slug": {"help"}, "type": {"smartbox"}})
	page := loc[:strings.IndexByte(loc, '?')] + "/hours"
	form := url.Values{"csrf": {tok}, "hours.enabled": {"on"}, "hours.location": {"Mars/Olympus"},
		"hours.weekly.1": {"9-17"}, "hours.weekly.2": {"09:00-17:00"}, "hours.holidays": {"2026-12-25"}}
	status, body, _ := p.post(page, form)
	if status != http.StatusBadRequest || !strings.Contains(body, `&#34;9-17&#34; is not a time range like 09:00-17:00`) || !strings.Contains(body, `value="9-17"`) {
		t.Errorf("bad Monday = %d; want 400, the reason and the typed value:\n%s", status, body)
	}
	form.Set("hours.weekly.1", "09:00-12:00, 13:00-17:00")
	status, body, _ = p.post(page, form)
	if status != http.StatusBadRequest || !strings.Contains(body, `id="hours-location-error"`) || !strings.Contains(body, "Mars/Olympus") {
		t.Errorf("unknown time zone = %d; want 400 with the model's reason next to the field:\n%s", status, body)
	}
	form.Set("hours.location", "Europe/Berlin")
	if status, body, _ := p.post(page, form); status != http.StatusSeeOther {
		t.Fatalf("valid hours = %d:\n%s", status, body)
	}
	_, body = p.get(page)
	for _, want := range []string{`value="09:00-12:00, 13:00-17:00"`, `value="Europe/Berlin"`, "2026-12-25</textarea>", `name="hours.enabled" value="on" checked`} {
		if !strings.Contains(body, want) {
			t.Errorf("saved hours page lacks %s", want)
		}
	}
}
