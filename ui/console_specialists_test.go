package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/servertest"
)

func TestAttendeeLabel(t *testing.T) {
	tests := []struct {
		name string
		p    protocol.Participant
		want string
	}{
		{"customer", protocol.Participant{Name: "Ada", Role: protocol.RoleCustomer}, "Ada (customer)"},
		{"rep", protocol.Participant{Name: "Bo", Role: protocol.RoleRep}, "Bo (rep)"},
		{"view-only specialist", protocol.Participant{Name: "Grace", Role: protocol.RoleSpecialist, ViewOnly: true}, "Grace (specialist, view only)"},
		{"specialist in control", protocol.Participant{Name: "Linus", Role: protocol.RoleSpecialist}, "Linus (specialist, control)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AttendeeLabel(tt.p); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestInvitationState(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name string
		inv  protocol.SpecialistInvitation
		want InvitationState
	}{
		{"unused", protocol.SpecialistInvitation{Expires: now.Add(time.Minute)}, InvitationWaiting},
		{"spent", protocol.SpecialistInvitation{Expires: now.Add(-time.Minute), UsedBy: "p1"}, InvitationJoined},
		{"cancelled", protocol.SpecialistInvitation{Expires: now.Add(time.Minute), Cancelled: true}, InvitationCancelled},
		{"too late", protocol.SpecialistInvitation{Expires: now}, InvitationExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StateOf(tt.inv, now); got != tt.want {
				t.Errorf("got %v; want %v", got, tt.want)
			}
		})
	}
}

// TestSessionViewListsSpecialists: the summary's attendees name a
// specialist's rights, and the chat says when one joins and leaves.
func TestSessionViewListsSpecialists(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("console")
	ada := protocol.Participant{ID: "c", Name: "Ada", Role: protocol.RoleCustomer}
	me := protocol.Participant{ID: "r", Name: "Bo", Role: protocol.RoleRep}
	grace := protocol.Participant{ID: "s", Name: "Grace", Role: protocol.RoleSpecialist, ViewOnly: true}
	v := NewSessionView(w, "r", protocol.SessionInfo{ID: "x", CustomerName: "Ada", Participants: []protocol.Participant{ada, me}}, SessionActions{})
	v.SetInfo(protocol.SessionInfo{ID: "x", CustomerName: "Ada", Participants: []protocol.Participant{ada, me, grace}})
	var got []string
	for _, p := range v.Summary.AttendeeList() {
		got = append(got, AttendeeLabel(p))
	}
	if want := "Ada (customer)|Bo (rep)|Grace (specialist, view only)"; strings.Join(got, "|") != want {
		t.Errorf("attendees %q; want %q", strings.Join(got, "|"), want)
	}
	v.SetInfo(protocol.SessionInfo{ID: "x", CustomerName: "Ada", Participants: []protocol.Participant{ada, me}})
	log := v.Chat.Log()
	if !strings.Contains(log, "Grace (specialist, view only) joined the session.") || !strings.Contains(log, "Grace (specialist) left the session.") {
		t.Errorf("chat %q; want Grace's arrival and departure", log)
	}
	if v.Invite.Visible() {
		t.Error("Invite specialist… is offered without a way to invite")
	}
}

// TestInviteDialogShowsExpiry: a waiting code that runs out is shown
// expired at the next tick, without its Cancel, and no longer counts.
func TestInviteDialogShowsExpiry(t *testing.T) {
	a := test.NewTempApp(t)
	now := time.Now()
	d := NewInviteDialog(a.NewWindow("t"), SpecialistActions{Cancel: func(string) {}})
	d.now = func() time.Time { return now }
	d.SetInvitations(protocol.SpecialistInvitations{Max: 2, Invitations: []protocol.SpecialistInvitation{
		{Code: "123456789", Rights: protocol.RightsView, Expires: now.Add(time.Minute)},
	}}, nil)
	if len(d.Rows) != 1 || d.Rows[0].State != InvitationWaiting || d.Rows[0].Cancel == nil || d.Count.Text != "1 of 2 specialists invited." {
		t.Fatalf("before: %d rows, count %q; want one waiting code with Cancel, 1 of 2", len(d.Rows), d.Count.Text)
	}
	now = now.Add(2 * time.Minute)
	d.Tick(now)
	if d.Rows[0].State != InvitationExpired || d.Rows[0].Cancel != nil || !strings.HasSuffix(d.Rows[0].Label.Text, "expired") || d.Count.Text != "0 of 2 specialists invited." {
		t.Errorf("after: state %v, label %q, count %q; want expired without Cancel, 0 of 2", d.Rows[0].State, d.Rows[0].Label.Text, d.Count.Text)
	}
}

// openConsoleSession signs the console in to h, lets a customer join with
// a key of the portal (empty: the default one) and takes the session with
// Get Next. It returns the customer and the session's view.
func openConsoleSession(t *testing.T, l *liveConsole, h *servertest.Harness, portalSlug string) (*client.Customer, *SessionView) {
	t.Helper()
	r := l.r
	l.waitFor("sign-in", func() bool { return r.con != nil })
	var login protocol.LoginResponse
	h.Call(t, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: h.AdminUser, Password: h.AdminPassword}, &login)
	var k protocol.Key
	h.Call(t, "POST", protocol.PathKeys, login.Token, protocol.KeyRequest{Portal: portalSlug}, &k)
	cust, err := client.Join(l.ctx, client.Config{Server: h.URL, Fingerprint: h.Fingerprint}, k.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cust.Close() })
	l.waitFor("Ada in the queue", func() bool { return len(r.con.Queue.Rows()) == 1 })
	l.do(func() { test.Tap(r.con.GetNext) })
	l.waitFor("a session tab", func() bool { return len(r.con.Sessions()) == 1 })
	var v *SessionView
	l.do(func() { v = r.con.Sessions()[0] })
	return cust, v
}

// TestInviteDialogWithARealServer: the rep invites a specialist from the
// session window through a real server: the code is shown grouped with
// what to tell the specialist, listed as waiting, copied, and cancelled;
// a second code admits a specialist, who appears in the attendees and in
// the list as joined; a refusal of the server is shown in the dialog.
func TestInviteDialogWithARealServer(t *testing.T) {
	h := servertest.Start(t)
	a := test.NewTempApp(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	l := &liveConsole{t: t, ctx: ctx}
	l.r = newRepApp(a, RepOptions{Server: h.URL, User: h.AdminUser, Password: h.AdminPassword, Fingerprint: h.Fingerprint, Sound: func() {}}, l.do)
	defer l.r.close()
	cust, v := openConsoleSession(t, l, h, "")
	d := v.Invitations

	l.waitFor("the portal's limit", func() bool { return !v.Invite.Disabled() && d.known })
	l.do(func() {
		// The Session menu's item opens the dialog, as the button does.
		for _, it := range l.r.win.MainMenu().Items[0].Items {
			if it.Label == "Invite specialist…" {
				it.Action()
			}
		}
	})
	l.waitFor("the empty list", func() bool { return d.Count.Text == "0 of 5 specialists invited." })
	l.do(func() {
		if !d.Visible() {
			t.Error("the dialog is not shown")
		}
		d.Rights.SetSelected(rightsControlLabel)
		test.Tap(d.Create)
	})
	l.waitFor("the code", func() bool {
		return len(d.Code.Text) == 11 && len(d.Rows) == 1 && d.Count.Text == "1 of 5 specialists invited."
	})
	var first protocol.SpecialistInvitation
	l.do(func() {
		first = d.Rows[0].Invitation
		if d.Code.Text != protocol.FormatCode(first.Code) {
			t.Errorf("code shown %q; want %q", d.Code.Text, protocol.FormatCode(first.Code))
		}
		for _, want := range []string{"Join as a specialist", h.URL, first.Expires.Local().Format("15:04"), "control"} {
			if !strings.Contains(d.Tell.Text, want) {
				t.Errorf("what to tell %q lacks %q", d.Tell.Text, want)
			}
		}
		if row := d.Rows[0]; row.State != InvitationWaiting || row.Cancel == nil || !strings.Contains(row.Label.Text, "control · waiting") {
			t.Errorf("row %q, state %v, cancel %v; want a waiting control invitation that can be cancelled", row.Label.Text, row.State, row.Cancel != nil)
		}
		test.Tap(d.Copy)
		if got := a.Clipboard().Content(); !strings.Contains(got, protocol.FormatCode(first.Code)) || !strings.Contains(got, h.URL) {
			t.Errorf("clipboard %q; want the code and the server", got)
		}
		test.Tap(d.Rows[0].Cancel)
	})
	l.waitFor("the code cancelled", func() bool {
		return len(d.Rows) == 1 && d.Rows[0].State == InvitationCancelled && d.Rows[0].Cancel == nil && d.Count.Text == "0 of 5 specialists invited."
	})
	l.do(func() {
		d.Hide()
		test.Tap(v.Invite) // the session window's button opens it again
		if !d.Visible() {
			t.Error("Invite specialist… did not open the dialog")
		}
	})
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint}
	if _, err := client.JoinSpecialist(ctx, cfg, first.Code, "Mallory"); !client.IsCode(err, protocol.CodeNotFound) {
		t.Errorf("joining with the cancelled code: %v; want refused", err)
	}

	// A view-only code admits Grace: the attendees name her rights, the
	// chat says she came, and the list says the code was spent.
	l.do(func() {
		d.Rights.SetSelected(rightsViewLabel)
		test.Tap(d.Create)
	})
	l.waitFor("a second code", func() bool { return len(d.Rows) == 2 && d.Rows[0].State == InvitationWaiting })
	var second string
	l.do(func() { second = d.Rows[0].Invitation.Code })
	grace, err := client.JoinSpecialist(ctx, cfg, second, "Grace")
	if err != nil {
		t.Fatal(err)
	}
	defer grace.Close()
	l.waitFor("Grace in the attendees", func() bool {
		for _, p := range v.Summary.AttendeeList() {
			if AttendeeLabel(p) == "Grace (specialist, view only)" {
				return true
			}
		}
		return false
	})
	l.waitFor("the code spent", func() bool {
		return d.Rows[0].State == InvitationJoined && strings.Contains(d.Rows[0].Label.Text, "joined: Grace")
	})
	l.do(func() {
		if !strings.Contains(v.Chat.Log(), "Grace (specialist, view only) joined the session.") {
			t.Errorf("chat %q; want Grace's arrival", v.Chat.Log())
		}
	})
	if err := cust.Session().SendChat(ctx, "Hello Grace"); err != nil {
		t.Fatal(err)
	}

	// Invitations made elsewhere fill the portal's limit while the dialog
	// still counts fewer: the server's refusal is shown in the dialog.
	var login protocol.LoginResponse
	h.Call(t, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: h.AdminUser, Password: h.AdminPassword}, &login)
	for range 4 {
		h.Call(t, "POST", protocol.PathSession+v.ID+protocol.PathSpecialistsSuffix, login.Token, protocol.SpecialistInviteRequest{Rights: protocol.RightsView}, nil)
	}
	l.do(func() { test.Tap(d.Create) })
	l.waitFor("the refusal", func() bool { return strings.Contains(d.Message.Text, "as many as its support site allows") })
	l.waitFor("the full list", func() bool {
		return len(d.Rows) == 6 && d.Create.Disabled() && strings.HasPrefix(d.Count.Text, "5 of 5")
	})
}

// TestInviteOffWhereThePortalAllowsNone: in a session of a portal that
// allows no external specialists, "Invite specialist…" is disabled and
// says why.
func TestInviteOffWhereThePortalAllowsNone(t *testing.T) {
	h := servertest.Start(t)
	var login protocol.LoginResponse
	h.Call(t, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: h.AdminUser, Password: h.AdminPassword}, &login)
	var pt portal.Portal
	h.Call(t, "POST", "/api/v1/admin/portals", login.Token, map[string]any{"slug": "closed", "name": "Closed"}, &pt)
	var cc protocol.CustomerClientConfig
	h.Call(t, "GET", "/api/v1/admin/portals/"+pt.ID+"/client-config", login.Token, nil, &cc)
	cc.Functions.MaxExternalSpecialists = 0
	h.Call(t, "PUT", "/api/v1/admin/portals/"+pt.ID+"/client-config", login.Token, cc, nil)

	a := test.NewTempApp(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	l := &liveConsole{t: t, ctx: ctx}
	l.r = newRepApp(a, RepOptions{Server: h.URL, User: h.AdminUser, Password: h.AdminPassword, Fingerprint: h.Fingerprint, Sound: func() {}}, l.do)
	defer l.r.close()
	_, v := openConsoleSession(t, l, h, "closed")
	l.waitFor("Invite specialist… off", func() bool { return v.Invite.Disabled() && v.InviteOff.Visible() })
	l.do(func() {
		if v.InviteOff.Text != NoSpecialistsText {
			t.Errorf("reason %q; want %q", v.InviteOff.Text, NoSpecialistsText)
		}
	})
}
