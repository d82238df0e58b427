package server_test

import (
	"encoding/base64"
	"encoding/xml"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	netmail "net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/mail"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/servertest"
)

// startSMTP runs the mail package's test SMTP server (aiosmtpd, Debian
// python3-aiosmtpd) without TLS and returns its port and the directory it
// writes messages to.
func startSMTP(t *testing.T) (int, string) {
	t.Helper()
	out := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command("/usr/bin/python3", "mail/testdata/smtpd.py", strconv.Itoa(port), out, "-", "-")
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
	return port, out
}

// awaitMail waits for the first message in dir (the test's deadline bounds it).
func awaitMail(t *testing.T, dir string) *netmail.Message {
	t.Helper()
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		if len(files) > 0 {
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
		select {
		case <-t.Context().Done():
			t.Fatal("no mail arrived")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestCompletedSessionNotification(t *testing.T) {
	port, out := startSMTP(t)
	h := servertest.Start(t)
	a := newAPI(t, h)
	lr := a.login(t, "admin", admin)
	tok := lr.Token
	p := createPortal(t, a, tok, "support")
	setPortal(t, a, tok, p, func(s *portalmodel.Settings) { s.NotificationEmail = "ops@example.com" })
	a.ok(t, "PUT", "/api/v1/admin/site", tok, portalmodel.SiteSettings{SMTP: portalmodel.SMTP{
		Host: "127.0.0.1", Port: port, From: "tandem@example.com", StartTLS: mail.StartTLSOff}}, nil)

	rep, _ := mustDial(t, a, tok)
	rep.expect(protocol.TypeQueue, nil)
	var k protocol.Key
	a.ok(t, "POST", protocol.PathKeys, tok, protocol.KeyRequest{Portal: "support"}, &k)
	j := a.join(t, k.Code, "Hanna")
	rep.expect(protocol.TypeSessionWaiting, nil)
	cust, _ := mustDial(t, a, j.Token)
	rep.send(protocol.TypeSessionAccept, 1, j.Session.ID, nil)
	cust.expect(protocol.TypeSessionState, nil)
	cust.send(protocol.TypeChatSend, 2, j.Session.ID, protocol.ChatSend{Text: "Grüße & <hello>"})
	rep.expect(protocol.TypeChatMessage, nil)
	rep.send(protocol.TypeSessionEnd, 3, j.Session.ID, protocol.SessionEnd{Reason: "solved"})
	cust.expect(protocol.TypeSessionEnded, nil)
	// The notification waits for the exit survey: declining it sends it.
	if r := a.do(t, "POST", protocol.PathRating, j.Token, protocol.Rating{Declined: true}); r.status != http.StatusNoContent {
		t.Fatalf("decline the survey = %d %s; want 204", r.status, r.body)
	}

	m := awaitMail(t, out)
	if to := m.Header.Get("To"); to != "<ops@example.com>" {
		t.Errorf("To %q", to)
	}
	if s := m.Header.Get("Subject"); s != "Completed session "+j.Session.ID {
		t.Errorf("Subject %q", s)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var report mail.SessionReport
	for {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no XML attachment: %v", err)
		}
		if !strings.HasPrefix(part.Header.Get("Content-Type"), "application/xml") {
			continue
		}
		b, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, part))
		if err != nil {
			t.Fatal(err)
		}
		if err := xml.Unmarshal(b, &report); err != nil {
			t.Fatalf("XML %s: %v", b, err)
		}
		break
	}
	if report.ID != j.Session.ID || report.Portal != "support" || report.CustomerName != "Hanna" || report.EndReason != "solved" ||
		len(report.Reps) != 1 || report.Reps[0] != lr.Rep.DisplayName || len(report.Transcript) != 1 ||
		report.Transcript[0].Text != "Grüße & <hello>" || report.Transcript[0].From != "Hanna" {
		t.Errorf("report %+v", report)
	}
}
