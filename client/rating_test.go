package client_test

import (
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
)

// TestCustomerReportsAndRatings: the customer's recording refusal and
// machine reach the rep's summary; ratings of both sides are taken once,
// the customer's only after the end.
func TestCustomerReportsAndRatings(t *testing.T) {
	p := newPair(t, 60*time.Second)
	ctx, rep, cust := p.ctx, p.rep, p.cust
	id := cust.Session().ID()
	sess, err := rep.Accept(ctx, id)
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}

	if err := cust.SetRecording(ctx, false); err != nil {
		t.Fatalf("SetRecording(false): %v", err)
	}
	if err := cust.SetRecording(ctx, true); !client.IsCode(err, protocol.CodeConflict) {
		t.Errorf("SetRecording(true) after a refusal: got %v; want a conflict", err)
	}
	info := protocol.SystemInfo{HostName: "ada-laptop", OS: "linux", OSName: "Debian GNU/Linux", OSVersion: "12", Arch: "amd64", User: "ada"}
	if err := cust.ReportSystemInfo(ctx, info); err != nil {
		t.Fatalf("ReportSystemInfo: %v", err)
	}
	if err := cust.ReportSystemInfo(ctx, protocol.SystemInfo{}); err == nil {
		t.Error("ReportSystemInfo without a host name: got nil; want an error")
	}
	sum, err := rep.Summary(ctx, id)
	if err != nil {
		t.Fatalf("Summary: %v", err)
	}
	if sum.Host != "ada-laptop" || sum.OS != "Debian GNU/Linux 12, amd64" || sum.Recording || sum.RecordingConsent != protocol.RecordingRefused {
		t.Errorf("Summary: host %q, OS %q, recording %v, consent %v; want ada-laptop, Debian GNU/Linux 12, amd64, false, refused",
			sum.Host, sum.OS, sum.Recording, sum.RecordingConsent)
	}

	if err := cust.Rate(ctx, protocol.Rating{Score: 5}); !client.IsCode(err, protocol.CodeConflict) {
		t.Errorf("Rate during the session: got %v; want a conflict", err)
	}
	if err := rep.RateSession(ctx, id, 6); err == nil {
		t.Error("RateSession(6): got nil; want an error")
	}
	if err := rep.RateSession(ctx, id, 4); err != nil {
		t.Fatalf("RateSession(4): %v", err)
	}
	if err := rep.RateSession(ctx, id, 3); !client.IsCode(err, protocol.CodeConflict) {
		t.Errorf("RateSession twice: got %v; want a conflict", err)
	}
	if err := rep.RateSession(ctx, "no-such-session", 3); !client.IsCode(err, protocol.CodeForbidden) {
		t.Errorf("RateSession of another session: got %v; want forbidden", err)
	}

	if err := sess.End(ctx, "done"); err != nil {
		t.Fatalf("End: %v", err)
	}
	select {
	case <-cust.Session().Ended():
	case <-ctx.Done():
		t.Fatal("the customer did not hear the end")
	}
	if err := cust.Rate(ctx, protocol.Rating{Score: 5, Comment: "Danke!"}); err != nil {
		t.Fatalf("Rate after the end: %v", err)
	}
	if err := cust.Rate(ctx, protocol.Rating{Declined: true}); !client.IsCode(err, protocol.CodeConflict) {
		t.Errorf("Rate twice: got %v; want a conflict", err)
	}
}
