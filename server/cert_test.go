package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestGeneratedCertificate(t *testing.T) {
	dir := t.TempDir()
	cert, fp, err := loadOrCreateCert(dir, "", "", "tandem.example", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if pk, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || pk.Curve != elliptic.P256() {
		t.Errorf("public key %T; want ECDSA P-256", leaf.PublicKey)
	}
	host, _ := os.Hostname()
	for _, name := range []string{"localhost", "tandem.example", host} {
		if !slices.Contains(leaf.DNSNames, name) {
			t.Errorf("DNS names %v lack %q", leaf.DNSNames, name)
		}
	}
	for _, ip := range []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback} {
		if !slices.ContainsFunc(leaf.IPAddresses, ip.Equal) {
			t.Errorf("IP addresses %v lack %v", leaf.IPAddresses, ip)
		}
	}
	if err := leaf.VerifyHostname("127.0.0.1"); err != nil {
		t.Errorf("VerifyHostname(127.0.0.1): %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, keyFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if fp != fingerprint(leaf.Raw) || len(fp) != 64 {
		t.Errorf("fingerprint %q; want the SHA-256 of the leaf", fp)
	}

	// A second load finds the same certificate.
	_, fp2, err := loadOrCreateCert(dir, "", "", "other.example", time.Now())
	if err != nil || fp2 != fp {
		t.Errorf("second load: fingerprint %s, %v; want %s", fp2, err, fp)
	}
	// Given files are used as they are.
	other := t.TempDir()
	if _, fp3, err := loadOrCreateCert(other, filepath.Join(dir, certFileName), filepath.Join(dir, keyFileName), "", time.Now()); err != nil || fp3 != fp {
		t.Errorf("given files: fingerprint %s, %v; want %s", fp3, err, fp)
	}
	if _, err := os.Stat(filepath.Join(other, certFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a certificate was generated although files were given: %v", err)
	}
	for _, tc := range []struct{ name, cert, key string }{
		{"only cert", filepath.Join(dir, certFileName), ""},
		{"missing files", filepath.Join(other, "nope.pem"), filepath.Join(other, "nope.key")},
		{"swapped", filepath.Join(dir, keyFileName), filepath.Join(dir, certFileName)},
	} {
		if _, _, err := loadOrCreateCert(other, tc.cert, tc.key, "", time.Now()); !errors.Is(err, ErrBadCert) {
			t.Errorf("%s: %v; want ErrBadCert", tc.name, err)
		}
	}
}

func TestNewNeedsDataDir(t *testing.T) {
	if _, err := New(t.Context(), Config{}); !errors.Is(err, ErrNoDataDir) {
		t.Errorf("New without a data dir: %v; want ErrNoDataDir", err)
	}
	if _, err := New(t.Context(), Config{DataDir: t.TempDir(), RelayIP: "not-an-ip"}); err == nil {
		t.Error("New with a bad relay IP succeeded; want an error")
	}
}
