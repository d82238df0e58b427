package client_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

// TestFilesThroughTheServer: with the real server and WebRTC, the rep's
// file reaches the customer byte-identical, a refusal reaches the rep with
// its reason, and the customer's file reaches the rep.
func TestFilesThroughTheServer(t *testing.T) {
	p := newPair(t, 90*time.Second)
	ctx, rep, cust := p.ctx, p.rep, p.cust
	cs := cust.Session()
	rs, err := rep.Accept(ctx, cs.ID())
	if err != nil {
		t.Fatal(err)
	}
	repPeer := waitPeer(t, rs, cs.Self().ID)
	if err := repPeer.Connected(ctx); err != nil {
		t.Fatal(err)
	}
	custPeer := waitPeer(t, cs, rep.Account().ID)
	if err := custPeer.Connected(ctx); err != nil {
		t.Fatal(err)
	}
	if r, o := cs.FilesAllowed(); !r || !o {
		t.Fatalf("FilesAllowed with the default portal: got %v, %v; want true, true", r, o)
	}

	// Rep → customer, 3 MB.
	data := make([]byte, 3<<20)
	_, _ = rand.Read(data)
	src := filepath.Join(t.TempDir(), "report.bin")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	tr, err := repPeer.OfferFile(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	offer := next[client.FileOffered](t, cs.Events())
	if offer.Offer.Name != "report.bin" || offer.Offer.Size != int64(len(data)) {
		t.Fatalf("offer: got %+v; want report.bin of %d bytes", offer.Offer, len(data))
	}
	dir := t.TempDir()
	if err := cs.AcceptFile(offer.Offer.ID, dir); err != nil {
		t.Fatal(err)
	}
	if err := tr.Wait(ctx); err != nil {
		t.Fatalf("rep's transfer: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "report.bin"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("received file: %d bytes, err %v; want the %d bytes sent", len(got), err, len(data))
	}

	// Refused: nothing written, the rep hears why.
	tr, err = repPeer.OfferFile(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	offer = next[client.FileOffered](t, cs.Events())
	if err := cs.RefuseFile(offer.Offer.ID, "not today"); err != nil {
		t.Fatal(err)
	}
	if err := tr.Wait(ctx); !errors.Is(err, client.ErrFileRefused) || !strings.Contains(err.Error(), "not today") {
		t.Errorf("refused: got %v; want ErrFileRefused with the reason", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("after the refusal the folder holds %d files; want 1", len(ents))
	}

	// Customer → rep.
	small := filepath.Join(t.TempDir(), "screenshot.png")
	if err := os.WriteFile(small, data[:100_000], 0o600); err != nil {
		t.Fatal(err)
	}
	ctr, err := cs.OfferFile(ctx, rep.Account().ID, small)
	if err != nil {
		t.Fatal(err)
	}
	roffer := next[client.FileOffered](t, rs.Events())
	repDir := t.TempDir()
	if err := rs.AcceptFile(roffer.Offer.ID, repDir); err != nil {
		t.Fatal(err)
	}
	if err := ctr.Wait(ctx); err != nil {
		t.Fatalf("customer's transfer: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(repDir, "screenshot.png")); !bytes.Equal(got, data[:100_000]) {
		t.Error("the rep's copy differs")
	}
}

// TestFilesDisabledByThePortal: through a portal that lets reps send no
// files, the rep's side refuses to offer one (the server told it), the
// customer's client refuses a rep's offer by itself, with the reason,
// and offers none of its own.
func TestFilesDisabledByThePortal(t *testing.T) {
	h := servertest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	var login protocol.LoginResponse
	h.Call(t, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: h.AdminUser, Password: h.AdminPassword}, &login)
	var pt struct {
		ID string `json:"id"`
	}
	h.Call(t, "POST", "/api/v1/admin/portals", login.Token, map[string]any{"slug": "nofiles", "name": "No files"}, &pt)
	var cc protocol.CustomerClientConfig
	h.Call(t, "GET", "/api/v1/admin/portals/"+pt.ID+"/client-config", login.Token, nil, &cc)
	cc.Functions.SendFiles, cc.Functions.ReceiveFiles = false, false
	h.Call(t, "PUT", "/api/v1/admin/portals/"+pt.ID+"/client-config", login.Token, cc, nil)

	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint, Logger: testLogger(t)}
	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	var k protocol.Key
	h.Call(t, "POST", protocol.PathKeys, login.Token, protocol.KeyRequest{Portal: "nofiles"}, &k)
	cust, err := client.Join(ctx, cfg, k.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	defer cust.Close()
	cs := cust.Session()
	rs, err := rep.Accept(ctx, cs.ID())
	if err != nil {
		t.Fatal(err)
	}
	repPeer := waitPeer(t, rs, cs.Self().ID)
	if err := repPeer.Connected(ctx); err != nil {
		t.Fatal(err)
	}
	if r, o := cs.FilesAllowed(); r || o {
		t.Fatalf("FilesAllowed: got %v, %v; want false, false", r, o)
	}
	src := filepath.Join(t.TempDir(), "tool.exe")
	if err := os.WriteFile(src, []byte("MZ"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The rep's side knows from the server and refuses by itself.
	if send, receive := rs.FilesAllowed(); send || receive {
		t.Errorf("the rep's FilesAllowed: got %v, %v; want false, false (the server's answer)", send, receive)
	}
	if _, err := repPeer.OfferFile(ctx, src); !errors.Is(err, client.ErrFilesDisabled) {
		t.Errorf("the rep's offer: got %v; want ErrFilesDisabled", err)
	}
	if _, err := cs.OfferFile(ctx, rep.Account().ID, src); !errors.Is(err, client.ErrFilesDisabled) {
		t.Errorf("the customer's offer: got %v; want ErrFilesDisabled", err)
	}
	// A customer's client that offers anyway: the rep's side refuses, as
	// the server told it.
	client.LetCustomerOffer(cs)
	tr, err := cs.OfferFile(ctx, rep.Account().ID, src)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Wait(ctx); !errors.Is(err, client.ErrFileRefused) || !strings.Contains(err.Error(), client.DisabledFilesReason) {
		t.Errorf("the modified customer's offer: got %v; want refused with %q", err, client.DisabledFilesReason)
	}
	// A console that does not ask: the customer's client refuses.
	client.ForgetFilePolicy(rs)
	tr, err = repPeer.OfferFile(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Wait(ctx); !errors.Is(err, client.ErrFileRefused) || !strings.Contains(err.Error(), client.DisabledFilesReason) {
		t.Errorf("the rep's offer: got %v; want refused with %q", err, client.DisabledFilesReason)
	}
}
