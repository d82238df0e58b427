package client_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/server/servertest"
)

// BenchmarkHandover measures a session's hand-over to a resumed client:
// from Resume's call until the rep's peer is connected to the new client
// (the old one then closes). Run with
// go test -run '^$' -bench Handover -benchtime 10x ./client/
func BenchmarkHandover(b *testing.B) {
	h := servertest.Start(b)
	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Minute)
	defer cancel()
	quiet := slog.New(slog.DiscardHandler)
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: quiet}
	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		b.Fatal(err)
	}
	defer rep.Close()
	key, err := rep.CreateKey(ctx)
	if err != nil {
		b.Fatal(err)
	}
	cust, err := client.Join(ctx, cfg, key.Code, "Ada")
	if err != nil {
		b.Fatal(err)
	}
	defer func() { cust.Close() }()
	rs, err := rep.Accept(ctx, cust.Session().ID())
	if err != nil {
		b.Fatal(err)
	}
	id := cust.Session().Self().ID
	peer := waitConnected(b, ctx, rs, id, nil)
	b.ResetTimer()
	for b.Loop() {
		next, err := client.Resume(ctx, client.Config{Logger: quiet}, cust.Handoff())
		if err != nil {
			b.Fatal(err)
		}
		peer = waitConnected(b, ctx, rs, id, peer)
		cust.Close()
		cust = next
	}
}

// waitConnected waits for a connected peer to id other than old.
func waitConnected(b *testing.B, ctx context.Context, s *client.Session, id string, old *client.Peer) *client.Peer {
	for {
		if p := s.Peer(id); p != nil && p != old && p.Connected(ctx) == nil {
			return p
		}
		if ctx.Err() != nil {
			b.Fatal("no new connected peer")
		}
		time.Sleep(time.Millisecond)
	}
}
