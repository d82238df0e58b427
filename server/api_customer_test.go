package server_test

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server"
	"github.com/tandemhq/tandem/server/mail"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/servertest"
)

// withSurveyWindow sets the server's survey window.
func withSurveyWindow(d time.Duration) servertest.Option {
	return func(c *server.Config) { c.SurveyWindow = d }
}

// recordedSession is an accepted session of the admin (who is also a rep)
// with its customer connected.
type recordedSession struct {
	a      *api
	admin  string // the admin's token
	rep    *wsConn
	cust   *wsConn
	join   protocol.JoinResponse
	portal string
}

// startRecordedSession has the admin generate a key (on portal, when not empty),
// a customer named Hanna join with it, and the admin accept.
func startRecordedSession(t *testing.T, a *api, adminTok, portal string) *recordedSession {
	t.Helper()
	rep, _ := mustDial(t, a, adminTok)
	rep.expect(protocol.TypeQueue, nil)
	var k protocol.Key
	a.ok(t, "POST", protocol.PathKeys, adminTok, protocol.KeyRequest{Portal: portal}, &k)
	j := a.join(t, k.Code, "Hanna")
	rep.expect(protocol.TypeSessionWaiting, nil)
	cust, _ := mustDial(t, a, j.Token)
	rep.send(protocol.TypeSessionAccept, 1, j.Session.ID, nil)
	cust.expect(protocol.TypeSessionState, nil)
	return &recordedSession{a: a, admin: adminTok, rep: rep, cust: cust, join: j, portal: portal}
}

// end has the rep end the session and waits until the customer hears it.
func (s *recordedSession) end(t *testing.T) {
	t.Helper()
	s.rep.send(protocol.TypeSessionEnd, 9, s.join.Session.ID, protocol.SessionEnd{Reason: "solved"})
	s.cust.expect(protocol.TypeSessionEnded, nil)
}

func (s *recordedSession) summary(t *testing.T) protocol.SessionSummary {
	t.Helper()
	var sum protocol.SessionSummary
	s.a.ok(t, "GET", protocol.PathSession+s.join.Session.ID+protocol.PathSummarySuffix, s.admin, nil, &sum)
	return sum
}

// post sends a customer report and expects 204.
func (s *recordedSession) post(t *testing.T, path string, body any) {
	t.Helper()
	if r := s.a.do(t, "POST", path, s.join.Token, body); r.status != http.StatusNoContent {
		t.Fatalf("POST %s = %d %s; want 204", path, r.status, r.body)
	}
}

// eventsOf returns the stored events of a kind.
func eventsOf(t *testing.T, s *recordedSession, kind string) []protocol.TranscriptEvent {
	t.Helper()
	var es []protocol.TranscriptEvent
	for _, e := range s.a.transcript(t, s.admin, s.join.Session.ID).Events {
		if e.Kind == kind {
			es = append(es, e)
		}
	}
	return es
}

// logAll makes sessions record screen, shell and system information.
func logAll(t *testing.T, a *api, tok string) {
	t.Helper()
	a.ok(t, "PUT", "/api/v1/admin/site", tok, portalmodel.SiteSettings{
		Logging: protocol.Logging{RecordScreen: true, RecordShell: true, SystemInfo: true}}, nil)
}

var testSysInfo = protocol.SystemInfo{HostName: "hanna-pc", OS: "linux", OSName: "Debian GNU/Linux", OSVersion: "12 (bookworm)", Arch: "amd64", User: "hanna"}

func TestRecordingRefusal(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	logAll(t, a, tok)
	s := startRecordedSession(t, a, tok, "")
	if sum := s.summary(t); !sum.Recording || sum.RecordingConsent != protocol.RecordingConsentUnknown {
		t.Errorf("summary before the answer: recording %v, consent %v; want true, unknown", sum.Recording, sum.RecordingConsent)
	}

	s.post(t, protocol.PathRecording, map[string]bool{"allow": false})
	s.post(t, protocol.PathRecording, map[string]bool{"allow": false}) // the same answer again is no error
	wantRefused(t, a.do(t, "POST", protocol.PathRecording, s.join.Token, map[string]bool{"allow": true}),
		http.StatusConflict, protocol.CodeConflict, "refusal stands")
	s.post(t, protocol.PathSystemInfo, testSysInfo)

	var cfg protocol.CustomerClientConfig
	a.ok(t, "GET", protocol.PathClientConfig, s.join.Token, nil, &cfg)
	if cfg.Logging != (protocol.Logging{}) || cfg.Functions.RecordCustomerScreen || cfg.Functions.RecordRepScreen {
		t.Errorf("configuration after the refusal: logging %+v, functions %+v; want nothing recorded", cfg.Logging, cfg.Functions)
	}
	sum := s.summary(t)
	if sum.Recording || sum.RecordingConsent != protocol.RecordingRefused {
		t.Errorf("summary: recording %v, consent %v; want false, refused", sum.Recording, sum.RecordingConsent)
	}
	if sum.Host != "hanna-pc" || sum.OS != "Debian GNU/Linux 12 (bookworm), amd64" || sum.SystemInfo == nil || *sum.SystemInfo != testSysInfo {
		t.Errorf("live summary: host %q, OS %q, info %+v; want the reported machine", sum.Host, sum.OS, sum.SystemInfo)
	}
	if got := eventsOf(t, s, "recording"); len(got) != 1 || got[0].Text != "refused" || got[0].Role != protocol.RoleCustomer {
		t.Errorf("recording events %+v; want one refusal by the customer", got)
	}
	if got := eventsOf(t, s, "system_info"); len(got) != 0 {
		t.Errorf("system information logged %+v after a refusal; want none", got)
	}

	s.end(t)
	sum = s.summary(t)
	if sum.Host != "" || sum.SystemInfo != nil {
		t.Errorf("summary after the end: host %q, info %+v; want nothing (a refused report is kept for the running session only)", sum.Host, sum.SystemInfo)
	}
	for _, e := range a.transcript(t, tok, s.join.Session.ID).Events {
		if strings.Contains(e.Text, "hanna-pc") {
			t.Errorf("stored event %+v names the customer's machine", e)
		}
	}
}

func TestSystemInfoLoggedWhenAllowed(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	logAll(t, a, tok)
	p := createPortal(t, a, tok, "support")
	setPortal(t, a, tok, p, func(st *portalmodel.Settings) { st.Client.Agreement.RecordingPrompt = true })
	s := startRecordedSession(t, a, tok, "support")

	// Asked but not answered yet: kept for the summary, not logged.
	s.post(t, protocol.PathSystemInfo, testSysInfo)
	if got := eventsOf(t, s, "system_info"); len(got) != 0 {
		t.Errorf("system information logged before the answer: %+v", got)
	}
	if sum := s.summary(t); sum.Host != "hanna-pc" {
		t.Errorf("summary host %q; want hanna-pc", sum.Host)
	}
	s.post(t, protocol.PathRecording, map[string]bool{"allow": true})
	got := eventsOf(t, s, "system_info")
	if len(got) != 1 {
		t.Fatalf("system_info events %+v; want one once allowed", got)
	}
	var logged protocol.SystemInfo
	if err := json.Unmarshal([]byte(got[0].Text), &logged); err != nil || logged != testSysInfo {
		t.Errorf("logged %q (%v); want %+v", got[0].Text, err, testSysInfo)
	}
	s.post(t, protocol.PathSystemInfo, testSysInfo) // unchanged: not logged twice
	changed := testSysInfo
	changed.User = "root"
	s.post(t, protocol.PathSystemInfo, changed)
	if got := eventsOf(t, s, "system_info"); len(got) != 2 {
		t.Errorf("system_info events %+v; want two (the first and the changed one)", got)
	}
	if sum := s.summary(t); !sum.Recording || sum.RecordingConsent != protocol.RecordingAllowed {
		t.Errorf("summary: recording %v, consent %v; want true, allowed", sum.Recording, sum.RecordingConsent)
	}

	// Withdrawing the allowance is respected from then on.
	s.post(t, protocol.PathRecording, map[string]bool{"allow": false})
	if sum := s.summary(t); sum.Recording || sum.RecordingConsent != protocol.RecordingRefused {
		t.Errorf("summary after withdrawal: recording %v, consent %v; want false, refused", sum.Recording, sum.RecordingConsent)
	}
	changed.User = "admin"
	s.post(t, protocol.PathSystemInfo, changed)
	if got := eventsOf(t, s, "system_info"); len(got) != 2 {
		t.Errorf("system_info events %+v after the withdrawal; want still two", got)
	}

	s.end(t)
	if sum := s.summary(t); sum.Host != "hanna-pc" || sum.SystemInfo == nil || sum.SystemInfo.User != "root" {
		t.Errorf("summary after the end: %+v; want the last logged machine", sum.SystemInfo)
	}
}

func TestCustomerReportsRefused(t *testing.T) {
	clk := newClock()
	h := servertest.Start(t, servertest.WithNow(clk.Now))
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	h.AddRep(t, "bob", "bob-password-1", protocol.RoleRep)
	bob := a.login(t, "bob", "bob-password-1").Token
	s := startRecordedSession(t, a, tok, "")
	cust := s.join.Token
	repRating := protocol.PathSession + s.join.Session.ID + protocol.PathRatingSuffix
	long := func(n int) string { return strings.Repeat("x", n) }

	live := []struct {
		name        string
		path, token string
		body        any
		status      int
		code        protocol.ErrorCode
		reason      string
	}{
		{"no token", protocol.PathSystemInfo, "", testSysInfo, 401, protocol.CodeUnauthorized, "sign in"},
		{"host name too long", protocol.PathSystemInfo, cust, protocol.SystemInfo{HostName: long(254)}, 400, protocol.CodeBadData, "host name has 254 characters; at most 253"},
		{"no host name", protocol.PathSystemInfo, cust, protocol.SystemInfo{OS: "linux"}, 400, protocol.CodeBadData, "host name is empty"},
		{"user too long", protocol.PathSystemInfo, cust, protocol.SystemInfo{HostName: "pc", User: long(257)}, 400, protocol.CodeBadData, "user has 257 characters"},
		{"OS with a newline", protocol.PathSystemInfo, cust, protocol.SystemInfo{HostName: "pc", OSName: "a\nb"}, 400, protocol.CodeBadData, "OS name must be one line"},
		{"control character", protocol.PathSystemInfo, cust, protocol.SystemInfo{HostName: "p\x01c"}, 400, protocol.CodeBadData, "control character"},
		{"unknown field", protocol.PathSystemInfo, cust, map[string]string{"host_name": "pc", "bios": "x"}, 400, protocol.CodeBadData, "unknown field"},
		{"sysinfo from a rep", protocol.PathSystemInfo, tok, testSysInfo, 403, protocol.CodeForbidden, "only the session's customer"},
		{"no answer", protocol.PathRecording, cust, map[string]any{}, 400, protocol.CodeBadData, "give allow"},
		{"answer not a bool", protocol.PathRecording, cust, map[string]any{"allow": "yes"}, 400, protocol.CodeBadData, "bad JSON"},
		{"recording from a rep", protocol.PathRecording, tok, map[string]bool{"allow": false}, 403, protocol.CodeForbidden, "only the session's customer"},
		{"survey before the end", protocol.PathRating, cust, protocol.Rating{Score: 5}, 409, protocol.CodeConflict, "opens when the session has ended"},
		{"survey by a rep", protocol.PathRating, tok, protocol.Rating{Score: 5}, 403, protocol.CodeForbidden, "only the session's customer"},
		{"score 0", protocol.PathRating, cust, protocol.Rating{Score: 0}, 400, protocol.CodeBadData, "score 0; give 1 to 5"},
		{"score 6", repRating, tok, protocol.Rating{Score: 6}, 400, protocol.CodeBadData, "score 6; give 1 to 5"},
		{"score -1", repRating, tok, protocol.Rating{Score: -1}, 400, protocol.CodeBadData, "score -1"},
		{"comment too long", protocol.PathRating, cust, protocol.Rating{Score: 3, Comment: long(501)}, 400, protocol.CodeBadData, "comment has 501 characters; at most 500"},
		{"declined with a score", protocol.PathRating, cust, protocol.Rating{Score: 3, Declined: true}, 400, protocol.CodeBadData, "declined survey has no score"},
		{"rep declines", repRating, tok, protocol.Rating{Declined: true}, 400, protocol.CodeBadData, "only customers decline"},
		{"rep not in the session", repRating, bob, protocol.Rating{Score: 2}, 403, protocol.CodeForbidden, "only a representative who was in the session"},
		{"customer on the rep's rating", repRating, cust, protocol.Rating{Score: 2}, 403, protocol.CodeForbidden, "only representatives"},
		{"no such session", protocol.PathSession + "nope" + protocol.PathRatingSuffix, tok, protocol.Rating{Score: 2}, 403, protocol.CodeForbidden, "only a representative who was in the session"},
	}
	for _, tc := range live {
		t.Run(tc.name, func(t *testing.T) {
			wantRefused(t, a.do(t, "POST", tc.path, tc.token, tc.body), tc.status, tc.code, tc.reason)
		})
	}

	if r := a.do(t, "POST", repRating, tok, protocol.Rating{Score: 4}); r.status != http.StatusNoContent {
		t.Fatalf("rep rating during the session = %d %s; want 204", r.status, r.body)
	}
	s.end(t)
	s.post(t, protocol.PathRating, protocol.Rating{Score: 5, Comment: "Thank you!"})

	ended := []struct {
		name        string
		path, token string
		body        any
		status      int
		code        protocol.ErrorCode
		reason      string
	}{
		{"survey twice", protocol.PathRating, cust, protocol.Rating{Declined: true}, 409, protocol.CodeConflict, "answered already"},
		{"rep rates twice", repRating, tok, protocol.Rating{Score: 1}, 409, protocol.CodeConflict, "rated this session already"},
		{"sysinfo after the end", protocol.PathSystemInfo, cust, testSysInfo, 409, protocol.CodeConflict, "has ended"},
		{"recording after the end", protocol.PathRecording, cust, map[string]bool{"allow": true}, 409, protocol.CodeConflict, "has ended"},
	}
	for _, tc := range ended {
		t.Run(tc.name, func(t *testing.T) {
			wantRefused(t, a.do(t, "POST", tc.path, tc.token, tc.body), tc.status, tc.code, tc.reason)
		})
	}
	// The survey token admits nothing else.
	wantRefused(t, a.do(t, "GET", protocol.PathClientConfig, cust, nil), 403, protocol.CodeForbidden, "only a session's customer")
	if _, status := dialWS(t, a, cust); status != http.StatusUnauthorized {
		t.Errorf("signaling with the survey token = %d; want 401", status)
	}

	// A second session: the survey window closes.
	s2 := startRecordedSession(t, a, tok, "")
	s2.end(t)
	clk.Advance(server.DefaultSurveyWindow + time.Second)
	wantRefused(t, a.do(t, "POST", protocol.PathRating, s2.join.Token, protocol.Rating{Score: 5}), 410, protocol.CodeSurveyClosed, "closed 5m0s after the session ended")
	wantRefused(t, a.do(t, "POST", protocol.PathSession+s2.join.Session.ID+protocol.PathRatingSuffix, tok, protocol.Rating{Score: 5}),
		410, protocol.CodeSurveyClosed, "closed 5m0s after")
}

// notificationReport waits for the first mail in dir and decodes its XML report.
func notificationReport(t *testing.T, dir string) (mail.SessionReport, string) {
	t.Helper()
	m := awaitMail(t, dir)
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
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
		var r mail.SessionReport
		if err := xml.Unmarshal(b, &r); err != nil {
			t.Fatalf("XML %s: %v", b, err)
		}
		return r, string(b)
	}
}

// notifyingPortal configures SMTP and a portal "support" whose
// notifications go to ops@example.com.
func notifyingPortal(t *testing.T, a *api, tok string, port int) {
	t.Helper()
	p := createPortal(t, a, tok, "support")
	setPortal(t, a, tok, p, func(s *portalmodel.Settings) { s.NotificationEmail = "ops@example.com" })
	a.ok(t, "PUT", "/api/v1/admin/site", tok, portalmodel.SiteSettings{SMTP: portalmodel.SMTP{
		Host: "127.0.0.1", Port: port, From: "tandem@example.com", StartTLS: mail.StartTLSOff}}, nil)
}

func TestNotificationCarriesRatings(t *testing.T) {
	port, out := startSMTP(t)
	// A window longer than any test: the mail can only come from the survey's answer.
	h := servertest.Start(t, withSurveyWindow(time.Hour))
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	notifyingPortal(t, a, tok, port)
	s := startRecordedSession(t, a, tok, "support")
	s.end(t)
	if r := a.do(t, "POST", protocol.PathSession+s.join.Session.ID+protocol.PathRatingSuffix, tok, protocol.Rating{Score: 4}); r.status != http.StatusNoContent {
		t.Fatalf("rep rating = %d %s; want 204", r.status, r.body)
	}
	s.post(t, protocol.PathRating, protocol.Rating{Score: 5, Comment: "Schnell & <freundlich>"})

	report, raw := notificationReport(t, out)
	if report.ID != s.join.Session.ID || report.CustomerRating == nil || *report.CustomerRating != 5 ||
		report.CustomerComment != "Schnell & <freundlich>" || report.RepRating == nil || *report.RepRating != 4 {
		t.Errorf("report %+v; want customer 5 with the comment and rep 4", report)
	}
	for _, want := range []string{"<customer_rating>5</customer_rating>", "<customer_comment>Schnell &amp; &lt;freundlich&gt;</customer_comment>", "<rep_rating>4</rep_rating>"} {
		if !strings.Contains(raw, want) {
			t.Errorf("XML lacks %s:\n%s", want, raw)
		}
	}
}

func TestNotificationAfterSurveyWindow(t *testing.T) {
	port, out := startSMTP(t)
	// Nobody answers: the notification goes when the window closes, without ratings.
	h := servertest.Start(t, withSurveyWindow(100*time.Millisecond))
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	notifyingPortal(t, a, tok, port)
	s := startRecordedSession(t, a, tok, "support")
	s.end(t)

	report, raw := notificationReport(t, out)
	if report.ID != s.join.Session.ID || report.CustomerRating != nil || report.RepRating != nil || strings.Contains(raw, "rating") {
		t.Errorf("report %+v; want no ratings:\n%s", report, raw)
	}
}

func TestNotificationSentAtShutdown(t *testing.T) {
	port, out := startSMTP(t)
	// The window outlasts the test: only the server's Close can send it.
	h := servertest.Start(t, withSurveyWindow(time.Hour))
	a := newAPI(t, h)
	tok := a.login(t, "admin", admin).Token
	notifyingPortal(t, a, tok, port)
	s := startRecordedSession(t, a, tok, "support")
	if r := a.do(t, "POST", protocol.PathSession+s.join.Session.ID+protocol.PathRatingSuffix, tok, protocol.Rating{Score: 3}); r.status != http.StatusNoContent {
		t.Fatalf("rep rating = %d %s; want 204", r.status, r.body)
	}
	s.end(t)
	if err := h.Server.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	report, _ := notificationReport(t, out)
	if report.ID != s.join.Session.ID || report.CustomerRating != nil || report.RepRating == nil || *report.RepRating != 3 {
		t.Errorf("report %+v; want the rep's 3 and no customer rating", report)
	}
}
