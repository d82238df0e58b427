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
	p := newPair(t, 30*time.Second)
	ctx, cust := p.ctx, p.cust

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

// pair is a rep signed in to a real server and a customer, Ada, who
// joined with the rep's key; her session waits in the rep's queue.
type pair struct {
	ctx  context.Context
	rep  *client.Rep
	cust *client.Customer
}

// newPair starts the server and both sides; they close with the test.
func newPair(t *testing.T, timeout time.Duration) pair {
	t.Helper()
	h := servertest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	t.Cleanup(cancel)
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: testLogger(t)}
	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close() })
	key, err := rep.CreateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cust, err := client.Join(ctx, cfg, key.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cust.Close() })
	return pair{ctx: ctx, rep: rep, cust: cust}
}
