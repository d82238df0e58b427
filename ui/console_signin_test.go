package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tandemhq/tandem/server/servertest"
)

func TestSignInTrustsOnFirstUseAndRefusesAChange(t *testing.T) {
	h := servertest.Start(t)
	a := test.NewTempApp(t)
	prefs := a.Preferences()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	opts := RepOptions{Server: h.URL, User: h.AdminUser, Password: h.AdminPassword, Sound: func() {}}

	// First use: the fingerprint is trusted and remembered with the
	// server and the user. (The preferences are safe to read while the
	// console signs in on its goroutine.)
	first := newRepApp(a, opts, serial())
	for prefs.String("fingerprint "+h.URL) == "" {
		select {
		case <-ctx.Done():
			first.close()
			t.Fatal("the first sign-in never remembered the fingerprint")
		case <-time.After(20 * time.Millisecond):
		}
	}
	first.close()
	if got := prefs.String("fingerprint " + h.URL); got != h.Fingerprint {
		t.Errorf("remembered fingerprint %q; want the server's %q", got, h.Fingerprint)
	}

	// The next start offers the server and the user.
	again := newRepApp(a, RepOptions{Sound: func() {}}, serial())
	if again.signIn.Server.Text != h.URL || again.signIn.User.Text != h.AdminUser || again.signIn.Password.Text != "" {
		t.Errorf("sign-in offers %q, %q, password %q; want the last server and user, no password",
			again.signIn.Server.Text, again.signIn.User.Text, again.signIn.Password.Text)
	}
	again.close()

	// The certificate changed: refused with a warning naming both.
	const old = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	prefs.SetString("fingerprint "+h.URL, old)
	changed := newRepApp(a, opts, serial())
	waited := make(chan struct{})
	go func() {
		changed.wg.Wait() // a refusal ends the console's only goroutine
		close(waited)
	}()
	select {
	case <-waited:
	case <-ctx.Done():
		changed.close()
		t.Fatal("the console signed in to a server whose certificate changed")
	}
	if msg := changed.signIn.Message.Text; !strings.Contains(msg, "certificate has changed") || !strings.Contains(msg, old) {
		t.Errorf("warning %q; want it to say the certificate changed and name the old one", msg)
	}
	if !strings.Contains(changed.signIn.Fingerprint.Text, h.Fingerprint) {
		t.Errorf("fingerprint shown %q; want the server's new one", changed.signIn.Fingerprint.Text)
	}
	if changed.rep != nil || prefs.String("fingerprint "+h.URL) != old {
		t.Error("the changed certificate was accepted")
	}
	changed.close()
}

// serial returns a do that runs functions one at a time on the caller's
// goroutine, as Fyne's own goroutine would.
func serial() func(func()) {
	var mu sync.Mutex
	return func(f func()) {
		mu.Lock()
		defer mu.Unlock()
		f()
	}
}
