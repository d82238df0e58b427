package joindata_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client/joindata"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// newCert returns a self-signed certificate for key.
func newCert(t testing.TB, key crypto.Signer) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "joindata test"},
		NotBefore:    t0.Add(-time.Hour),
		NotAfter:     t0.Add(24 * time.Hour),
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func ecKey(t testing.TB) crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func data(cert []byte) joindata.Data {
	return joindata.Data{
		Server: "https://support.example.com:8443", Portal: "default", Code: "123456789",
		Name: "Ada Lovelace", Issued: t0, Expires: t0.Add(20 * time.Minute), Certificate: cert,
	}
}

var exe = bytes.Repeat([]byte("\x7fELF pretend program "), 500)

func TestRoundTrip(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, key := range map[string]crypto.Signer{"ecdsa": ecKey(t), "rsa": rsaKey, "ed25519": edKey} {
		t.Run(name, func(t *testing.T) {
			cert := newCert(t, key)
			want := data(cert)
			out, err := joindata.Append(exe, want, key)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out[:len(exe)], exe) {
				t.Fatal("the executable's bytes changed")
			}
			got, err := joindata.Read(bytes.NewReader(out), int64(len(out)), t0.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if got.Server != want.Server || got.Code != want.Code || got.Name != want.Name || got.Portal != want.Portal ||
				!got.Issued.Equal(want.Issued) || !got.Expires.Equal(want.Expires) || !bytes.Equal(got.Certificate, cert) {
				t.Errorf("got %+v; want %+v", got, want)
			}
			if got.Fingerprint() != want.Fingerprint() || len(got.Fingerprint()) != 64 {
				t.Errorf("fingerprint %q; want %q", got.Fingerprint(), want.Fingerprint())
			}
		})
	}
}

func TestTicket(t *testing.T) {
	key := ecKey(t)
	d := data(newCert(t, key))
	d.Code, d.Ticket = "", "cust-token_ABC.123"
	out, err := joindata.Append(nil, d, key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := joindata.Read(bytes.NewReader(out), int64(len(out)), t0)
	if err != nil || got.Ticket != d.Ticket || got.Code != "" {
		t.Errorf("Read = %+v, %v; want ticket %q", got, err, d.Ticket)
	}
}

// TestEveryChangedByteRefused flips each byte of the trailer in turn.
func TestEveryChangedByteRefused(t *testing.T) {
	key := ecKey(t)
	out, err := joindata.Append(exe, data(newCert(t, key)), key)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(exe); i < len(out); i++ {
		bad := bytes.Clone(out)
		bad[i] ^= 0x01
		if d, err := joindata.Read(bytes.NewReader(bad), int64(len(bad)), t0); err == nil {
			t.Fatalf("byte %d of %d changed: Read = %+v, nil; want an error", i-len(exe), len(out)-len(exe), d)
		}
	}
	// A byte of the program itself is outside what the trailer protects.
	bad := bytes.Clone(out)
	bad[10] ^= 1
	if _, err := joindata.Read(bytes.NewReader(bad), int64(len(bad)), t0); err != nil {
		t.Errorf("program byte changed: %v; want the trailer still read", err)
	}
}

func TestRefused(t *testing.T) {
	key := ecKey(t)
	cert := newCert(t, key)
	good, err := joindata.Append(exe, data(cert), key)
	if err != nil {
		t.Fatal(err)
	}
	trailer := good[len(exe):]
	other := ecKey(t)
	otherCert := newCert(t, other)
	foreign, err := joindata.Trailer(data(otherCert), other)
	if err != nil {
		t.Fatal(err)
	}
	// A trailer whose certificate was swapped for another server's: the
	// signature no longer verifies.
	swapped := swapCert(t, trailer, cert, otherCert)

	for _, tc := range []struct {
		name string
		file []byte
		now  time.Time
		want error
	}{
		{"no trailer", exe, t0, joindata.ErrNoData},
		{"empty file", nil, t0, joindata.ErrNoData},
		{"expired", good, t0.Add(20 * time.Minute), joindata.ErrExpired},
		{"long expired", good, t0.Add(48 * time.Hour), joindata.ErrExpired},
		{"from the future", good, t0.Add(-time.Hour), joindata.ErrExpired},
		{"truncated", append(bytes.Clone(exe), trailer[40:]...), t0, joindata.ErrCorrupt},
		{"only the footer", trailer[len(trailer)-16:], t0, joindata.ErrCorrupt},
		{"certificate swapped", append(bytes.Clone(exe), swapped...), t0, joindata.ErrSignature},
		{"another server's trailer", append(bytes.Clone(exe), foreign...), t0.Add(time.Minute), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := joindata.Read(bytes.NewReader(tc.file), int64(len(tc.file)), tc.now)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("Read: %v; want %v", err, tc.want)
			}
		})
	}
}

// swapCert rebuilds a trailer with other in place of its certificate,
// keeping the payload and the signature: what a forger would send.
func swapCert(t *testing.T, trailer, cert, other []byte) []byte {
	t.Helper()
	le := binary.LittleEndian
	pl, cl := le.Uint32(trailer[0:]), le.Uint32(trailer[4:])
	if !bytes.Equal(trailer[12+pl:12+pl+cl], cert) {
		t.Fatal("certificate not found in the trailer")
	}
	footer := trailer[len(trailer)-16:]
	sig := trailer[12+pl+cl : len(trailer)-16]
	var b []byte
	b = le.AppendUint32(b, pl)
	b = le.AppendUint32(b, uint32(len(other)))
	b = le.AppendUint32(b, uint32(len(sig)))
	b = append(b, trailer[12:12+pl]...)
	b = append(b, other...)
	b = append(b, sig...)
	b = le.AppendUint32(b, uint32(len(b)))
	return append(b, footer[4:]...)
}

func TestAppendRefuses(t *testing.T) {
	key := ecKey(t)
	cert := newCert(t, key)
	good, err := joindata.Append(exe, data(cert), key)
	if err != nil {
		t.Fatal(err)
	}
	mod := func(f func(*joindata.Data)) joindata.Data { d := data(cert); f(&d); return d }
	for _, tc := range []struct {
		name   string
		exe    []byte
		d      joindata.Data
		signer crypto.Signer
		want   error
	}{
		{"wrong key", exe, data(cert), ecKey(t), joindata.ErrKey},
		{"already carries data", good, data(cert), key, joindata.ErrBadData},
		{"http server", exe, mod(func(d *joindata.Data) { d.Server = "http://example.com" }), key, joindata.ErrBadData},
		{"short code", exe, mod(func(d *joindata.Data) { d.Code = "12345" }), key, joindata.ErrBadData},
		{"no code", exe, mod(func(d *joindata.Data) { d.Code = "" }), key, joindata.ErrBadData},
		{"code and ticket", exe, mod(func(d *joindata.Data) { d.Ticket = "x" }), key, joindata.ErrBadData},
		{"name with newline", exe, mod(func(d *joindata.Data) { d.Name = "a\nb" }), key, joindata.ErrBadData},
		{"expires before issued", exe, mod(func(d *joindata.Data) { d.Expires = d.Issued }), key, joindata.ErrBadData},
		{"a month long", exe, mod(func(d *joindata.Data) { d.Expires = d.Issued.Add(30 * 24 * time.Hour) }), key, joindata.ErrBadData},
		{"no certificate", exe, mod(func(d *joindata.Data) { d.Certificate = nil }), key, joindata.ErrBadData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := joindata.Append(tc.exe, tc.d, tc.signer); !errors.Is(err, tc.want) {
				t.Errorf("Append: %v; want %v", err, tc.want)
			}
		})
	}
}

func TestReadFile(t *testing.T) {
	key := ecKey(t)
	out, err := joindata.Append(exe, data(newCert(t, key)), key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "tandem-customer")
	if err := os.WriteFile(p, out, 0o755); err != nil {
		t.Fatal(err)
	}
	if d, err := joindata.ReadFile(p, t0); err != nil || d.Code != "123456789" {
		t.Errorf("ReadFile = %+v, %v; want code 123456789", d, err)
	}
	if _, err := joindata.ReadFile(filepath.Join(t.TempDir(), "missing"), t0); err == nil {
		t.Error("ReadFile of a missing file: nil error; want one")
	}
}

func TestInstalled(t *testing.T) {
	sep := string(filepath.Separator)
	home := filepath.Join(sep+"home", "ada")
	dl := filepath.Join(home, "Downloads")
	tmp := filepath.Join(sep + "tmp")
	dirs := []string{dl, "", tmp}
	for _, tc := range []struct {
		exe  string
		want bool
	}{
		{filepath.Join(dl, "tandem-customer"), false},
		{filepath.Join(dl, "sub", "tandem-customer"), false},
		{filepath.Join(tmp, "go-build1", "exe", "tandem-customer"), false},
		{filepath.Join(home, "Downloads2", "tandem-customer"), true},
		{filepath.Join(home, "bin", "tandem-customer"), true},
		{filepath.Join(sep+"usr", "local", "bin", "tandem-customer"), true},
		{dl, true},
		{filepath.Join(dl, "..", "tandem-customer"), true},
	} {
		if got := joindata.Installed(tc.exe, dirs); got != tc.want {
			t.Errorf("Installed(%q) = %v; want %v", tc.exe, got, tc.want)
		}
	}
	if joindata.Installed(filepath.Join(dl, "x"), nil) != true {
		t.Error("with no download directories every file counts as installed")
	}
}

func BenchmarkReadFile(b *testing.B) {
	key := ecKey(b)
	out, err := joindata.Append(bytes.Repeat([]byte{0x90}, 30<<20), data(newCert(b, key)), key)
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(b.TempDir(), "tandem-customer")
	if err := os.WriteFile(p, out, 0o755); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := joindata.ReadFile(p, t0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTrailer(b *testing.B) {
	key := ecKey(b)
	d := data(newCert(b, key))
	for b.Loop() {
		if _, err := joindata.Trailer(d, key); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzRead feeds arbitrary files to Read: it must refuse them with an
// error, never panic, and accept nothing it cannot verify.
func FuzzRead(f *testing.F) {
	key := ecKey(f)
	good, err := joindata.Append([]byte("prog"), data(newCert(f, key)), key)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte("TANDEMJD"))
	f.Add(append(make([]byte, 16), "TANDEMJD"...))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := joindata.Read(bytes.NewReader(b), int64(len(b)), t0)
		if err == nil && !bytes.Equal(b, good) {
			if d.Validate() != nil {
				t.Errorf("accepted invalid data %+v", d)
			}
		}
	})
}

func TestRemoveDownloaded(t *testing.T) {
	dl := t.TempDir()
	elsewhere := t.TempDir()
	for _, tc := range []struct {
		name     string
		dir      string
		wantGone bool
	}{
		{"downloaded", dl, true},
		{"installed", elsewhere, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exe := filepath.Join(tc.dir, "tandem-support")
			if err := os.WriteFile(exe, exe2, 0o755); err != nil {
				t.Fatal(err)
			}
			gone, err := joindata.RemoveDownloaded(exe, []string{dl})
			if err != nil || gone != tc.wantGone {
				t.Fatalf("RemoveDownloaded = %v, %v; want %v, nil", gone, err, tc.wantGone)
			}
			if _, err := os.Stat(exe); os.IsNotExist(err) != tc.wantGone {
				t.Errorf("file exists: %v; want gone %v", err == nil, tc.wantGone)
			}
		})
	}
}

var exe2 = []byte("#!/bin/sh\n")
