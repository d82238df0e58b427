package client_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/server/servertest"
)

// TestCustomerConfigWaitAndBanner: a customer gets its portal's
// configuration with the join, its place in the queue, and the banner
// the configuration names, checked against its hash.
func TestCustomerConfigWaitAndBanner(t *testing.T) {
	h := servertest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: testLogger(t)}
	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	key, err := rep.CreateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cust, err := client.Join(ctx, cfg, key.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	defer cust.Close()

	c := cust.Config()
	if c == nil {
		t.Fatal("Config: got nil; want the portal's configuration")
	}
	if err := c.Validate(); err != nil {
		t.Errorf("the configuration does not validate: %v", err)
	}
	st, err := cust.WaitStatus(ctx, "de")
	if err != nil {
		t.Fatalf("WaitStatus: %v", err)
	}
	if st.Position != 1 {
		t.Errorf("WaitStatus: got position %d; want 1", st.Position)
	}
	if c.Banner.SHA256 == "" {
		t.Fatal("the configuration names no banner")
	}
	b, err := cust.Banner(ctx)
	if err != nil {
		t.Fatalf("Banner: %v", err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != c.Banner.SHA256 {
		t.Errorf("Banner: got bytes hashing to %x; want %s", sum, c.Banner.SHA256)
	}
}
