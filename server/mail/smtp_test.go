package mail

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

type smtpServer struct {
	port int
	dir  string
	pool *x509.CertPool
}

// startSMTP runs testdata/smtpd.py (Debian python3-aiosmtpd); tls adds
// STARTTLS with a generated certificate, user/pass enable AUTH.
func startSMTP(t *testing.T, tls bool, user, pass string) *smtpServer {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &smtpServer{port: port, dir: out}
	args := []string{"testdata/smtpd.py", strconv.Itoa(port), out}
	if tls {
		certFile, keyFile, pool := genCert(t, dir)
		s.pool = pool
		args = append(args, certFile, keyFile)
	} else {
		args = append(args, "-", "-")
	}
	if user != "" {
		args = append(args, user, pass)
	}
	cmd := exec.Command("/usr/bin/python3", args...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start aiosmtpd (apt-get install python3-aiosmtpd): %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	buf := make([]byte, 6)
	if _, err := io.ReadFull(stdout, buf); err != nil || string(buf) != "READY\n" {
		t.Fatalf("aiosmtpd did not start: %q %v", buf, err)
	}
	return s
}

func genCert(t *testing.T, dir string) (string, string, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cf, kf := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cf, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(kf, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	c, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return cf, kf, pool
}

// received returns the single message the server stored.
func (s *smtpServer) received(t *testing.T) *netmail.Message {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(s.dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("got %d messages; want 1", len(files))
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	m, err := netmail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (s *smtpServer) sender(user, pass string, mode StartTLS) *Sender {
	return NewSender(Config{Host: "127.0.0.1", Port: s.port, Username: user, Password: pass,
		From: "Tandem <support@example.com>", StartTLS: mode, RootCAs: s.pool, Timeout: time.Minute}, nil)
}

func TestInvitationDelivered(t *testing.T) {
	for _, lang := range []string{"en", "de"} {
		t.Run(lang, func(t *testing.T) {
			srv := startSMTP(t, true, "rep", "s3cret")
			tmpl, err := Resolve(lang, Template{})
			if err != nil {
				t.Fatal(err)
			}
			x := tmpl.Expand(InvitationData{RepName: "Jürgen Müller", SessionKey: "123456789",
				SessionURL: "https://help.example.com/s/123456789", PortalURL: "https://help.example.com/"})
			err = srv.sender("rep", "s3cret", StartTLSRequired).Send(context.Background(),
				Message{To: []string{"Kunde <kunde@example.org>"}, Subject: x.Subject, Body: x.Body})
			if err != nil {
				t.Fatal(err)
			}
			m := srv.received(t)
			subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			if err != nil || subj != x.Subject {
				t.Errorf("got subject %q (%v); want %q", subj, err, x.Subject)
			}
			for _, h := range []string{"From", "To", "Date", "Message-Id", "Mime-Version"} {
				if m.Header.Get(h) == "" {
					t.Errorf("got no %s header; want one", h)
				}
			}
			body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
			got := strings.ReplaceAll(string(body), "\r\n", "\n")
			if got != x.Body {
				t.Errorf("got body %q; want %q", got, x.Body)
			}
			if !strings.Contains(got, "https://help.example.com/s/123456789") || !strings.Contains(got, "Jürgen Müller") {
				t.Errorf("got body %q; want macros expanded", got)
			}
		})
	}
}

func TestStartTLSRequiredWithoutIt(t *testing.T) {
	srv := startSMTP(t, false, "", "")
	err := srv.sender("", "", StartTLSRequired).Send(context.Background(),
		Message{To: []string{"a@example.org"}, Subject: "x", Body: "y"})
	if !errors.Is(err, ErrNoStartTLS) {
		t.Errorf("got %v; want %v", err, ErrNoStartTLS)
	}
}

func TestWrongPassword(t *testing.T) {
	srv := startSMTP(t, true, "rep", "s3cret")
	s := srv.sender("rep", "wrong", StartTLSRequired)
	s.cfg.Timeout = 5 * time.Second // net/smtp's "*" after a failed AUTH waits for a reply aiosmtpd never sends
	err := s.Send(context.Background(),
		Message{To: []string{"a@example.org"}, Subject: "x", Body: "y"})
	if err == nil || !strings.Contains(err.Error(), "AUTH") {
		t.Errorf("got %v; want an AUTH error", err)
	}
}

func TestHeaderInjectionRefused(t *testing.T) {
	// Port 1 on localhost: nothing listens, so any dial would fail differently.
	s := NewSender(Config{Host: "127.0.0.1", Port: 1, From: "a@example.com"}, nil)
	tests := []Message{
		{To: []string{"a@example.org"}, Subject: "x\r\nBcc: evil@example.net"},
		{To: []string{"a@example.org\nBcc: evil@example.net"}, Subject: "x"},
		{From: "a@example.com\r\nX: y", To: []string{"a@example.org"}},
	}
	for i, m := range tests {
		if err := s.Send(context.Background(), m); !errors.Is(err, ErrHeaderInjection) {
			t.Errorf("%d: got %v; want %v", i, err, ErrHeaderInjection)
		}
	}
}

func TestNotificationDelivered(t *testing.T) {
	srv := startSMTP(t, true, "", "")
	five := 5
	start := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)
	r := SessionReport{ID: "s-1", Portal: "Support", CustomerName: "Ünal", Reps: []string{"Ann", "Bob"},
		Start: start, End: start.Add(time.Hour), DurationSec: 3600, EndReason: "rep ended",
		CustomerRating: &five,
		Transcript:     []ChatLine{{At: start, From: "Ann", Text: "Hallo <&> Grüße"}}}
	msg, err := NotificationMessage("ops@example.org", r)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.sender("", "", StartTLSRequired).Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	m := srv.received(t)
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	mr.NextPart()
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, p))
	var got SessionReport
	if err := xml.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	got.XMLName = xml.Name{}
	if got.ID != r.ID || got.CustomerName != r.CustomerName || len(got.Reps) != 2 || !got.Start.Equal(r.Start) ||
		got.CustomerRating == nil || *got.CustomerRating != 5 || got.RepRating != nil ||
		len(got.Transcript) != 1 || got.Transcript[0] != r.Transcript[0] {
		t.Errorf("got %+v; want %+v", got, r)
	}
}
