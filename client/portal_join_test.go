package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

// TestJoinThroughPortal: a client whose join data names the SmartPin site
// the code was typed into joins through it: another site's code is
// refused (and not spent), the site's own is taken into the site's
// configuration.
func TestJoinThroughPortal(t *testing.T) {
	h := servertest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	var login protocol.LoginResponse
	h.Call(t, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: h.AdminUser, Password: h.AdminPassword}, &login)
	var pt struct {
		ID string `json:"id"`
	}
	h.Call(t, "POST", "/api/v1/admin/portals", login.Token, map[string]any{"slug": "acme", "name": "Acme"}, &pt)
	var other, own protocol.Key
	h.Call(t, "POST", protocol.PathKeys, login.Token, protocol.KeyRequest{}, &other)
	h.Call(t, "POST", protocol.PathKeys, login.Token, protocol.KeyRequest{Portal: "acme"}, &own)

	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: testLogger(t), Portal: "acme"}
	if c, err := client.Join(ctx, cfg, other.Code, "Ada"); err == nil {
		c.Close()
		t.Fatal("joining through acme with a code not for acme: got no error")
	}
	cust, err := client.Join(ctx, cfg, own.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	defer cust.Close()
	if got := cust.Config().Portal; got != pt.ID {
		t.Errorf("the session's configuration is of portal %q; want acme's %q", got, pt.ID)
	}
	cfg.Portal = ""
	c, err := client.Join(ctx, cfg, other.Code, "Bea")
	if err != nil {
		t.Fatalf("the refused code was spent: %v", err)
	}
	c.Close()
}
