package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

// TestPortalInChromium types codes into the portal page in headless
// Chromium: the browser's own form post passes the same-origin check.
func TestPortalInChromium(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	k := a.key(t, a.login(t, h.AdminUser, h.AdminPassword).Token)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("ignore-certificate-errors", true),
	}
	actx, cancelA := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelT()

	err := chromedp.Do(ctx,
		chromedp.Navigate(h.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("code-input")),
		chromedp.SendKeys(chromedp.ID("code-input"), "12345"),
		chromedp.Submit(chromedp.ID("code-input")),
		chromedp.WaitVisible(chromedp.ID("error")),
	)
	if err != nil {
		t.Fatalf("chromium, wrong code: %v", err)
	}
	errText := text(ctx, t, "error")
	err = chromedp.Do(ctx,
		chromedp.Navigate(h.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("code-input")),
		chromedp.SendKeys(chromedp.ID("code-input"), protocol.FormatCode(k.Code)),
		chromedp.SendKeys(chromedp.ID("name-input"), "Carol"),
		chromedp.Submit(chromedp.ID("code-input")),
		chromedp.WaitVisible(chromedp.ID("command")),
	)
	if err != nil {
		t.Fatalf("chromium, right code: %v", err)
	}
	code, command := text(ctx, t, "code"), text(ctx, t, "command")
	if !strings.Contains(errText, "exactly 9 digits") {
		t.Errorf("error message %q; want it to explain the 9 digits", errText)
	}
	if code != protocol.FormatCode(k.Code) {
		t.Errorf("code shown %q; want %q", code, protocol.FormatCode(k.Code))
	}
	if want := "tandem-customer -join " + k.URL; command != want {
		t.Errorf("command %q; want %q", command, want)
	}
}

// text returns the text of the element with the given ID.
func text(ctx context.Context, t *testing.T, id string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
	if err != nil {
		t.Fatalf("text of #%s: %v", id, err)
	}
	return s
}
