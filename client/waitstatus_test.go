package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

// nextWait reads a session's events until a WaitStatusChanged.
func nextWait(t *testing.T, ctx context.Context, s *client.Session) client.WaitStatusChanged {
	t.Helper()
	for {
		select {
		case e := <-s.Events():
			if w, ok := e.(client.WaitStatusChanged); ok {
				return w
			}
		case <-ctx.Done():
			t.Fatalf("waiting for a wait status: %v", ctx.Err())
		}
	}
}

// TestWaitStatusPushed: two customers wait; the first hears position 1
// and the second position 2; when the rep accepts the first, the second
// hears position 1 without asking.
func TestWaitStatusPushed(t *testing.T) {
	h := servertest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: testLogger(t)}
	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close() })
	join := func(name string) *client.Customer {
		t.Helper()
		key, err := rep.CreateKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c, err := client.Join(ctx, cfg, key.Code, name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	ada, bob := join("Ada"), join("Bob")

	if err := ada.SubscribeWaitStatus(ctx, "de"); err != nil {
		t.Fatalf("SubscribeWaitStatus: %v", err)
	}
	if w := nextWait(t, ctx, ada.Session()); w.Status.Position != 1 || w.Reason != protocol.WaitReasonSubscribed {
		t.Errorf("Ada: got %+v; want position 1, subscribed", w)
	}
	if err := bob.SubscribeWaitStatus(ctx, ""); err != nil {
		t.Fatalf("SubscribeWaitStatus: %v", err)
	}
	if w := nextWait(t, ctx, bob.Session()); w.Status.Position != 2 {
		t.Errorf("Bob: got position %d; want 2", w.Status.Position)
	}

	if _, err := rep.Accept(ctx, ada.Session().ID()); err != nil {
		t.Fatalf("Accept: %v", err)
	}
	for {
		w := nextWait(t, ctx, bob.Session())
		if w.Reason != protocol.WaitReasonQueue {
			t.Fatalf("Bob: pushed %+v; want a queue change", w)
		}
		if w.Status.Position == 1 {
			break
		}
	}

	// Refused: a bad language (by the client), and a session that no longer waits (by the server).
	if err := bob.SubscribeWaitStatus(ctx, "no such tag"); !errors.Is(err, protocol.ErrBadData) {
		t.Errorf("bad language: got %v; want ErrBadData", err)
	}
	var perr *protocol.Error
	if err := ada.SubscribeWaitStatus(ctx, "en"); !errors.As(err, &perr) || perr.Code != protocol.CodeConflict {
		t.Errorf("active session: got %v; want a conflict", err)
	}
}
