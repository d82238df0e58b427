package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

// liveConsole is the whole console signed in to a real server. The test
// driver runs fyne.Do on the caller's goroutine, so the console and the
// test take turns through one lock.
type liveConsole struct {
	t   *testing.T
	r   *repApp
	mu  sync.Mutex
	ctx context.Context
}

func (l *liveConsole) do(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f()
}

// waitFor polls cond, holding the lock, until it holds.
func (l *liveConsole) waitFor(what string, cond func() bool) {
	l.t.Helper()
	for {
		ok := false
		l.do(func() { ok = cond() })
		if ok {
			return
		}
		select {
		case <-l.ctx.Done():
			l.t.Fatalf("waiting for %s: %v", what, l.ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestConsoleWithARealServer runs the console against a real server and
// customers: the queue updates live, an arrival pops up and notifies, Get
// Next takes the oldest customer, what she wrote while waiting is in the
// chat, chat and a canned message reach the customer, and an empty queue
// says so.
func TestConsoleWithARealServer(t *testing.T) {
	h := servertest.Start(t)
	a := test.NewTempApp(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	l := &liveConsole{t: t, ctx: ctx}
	l.r = newRepApp(a, RepOptions{Server: h.URL, User: h.AdminUser, Password: h.AdminPassword, Fingerprint: h.Fingerprint, Sound: func() {}}, l.do)
	defer l.r.close()
	r := l.r
	l.waitFor("sign-in", func() bool { return r.con != nil })

	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint}
	keys, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	join := func(name string) *client.Customer {
		t.Helper()
		k, err := keys.CreateKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c, err := client.Join(ctx, cfg, k.Code, name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}

	var ada *client.Customer
	test.AssertNotificationSent(t, fyne.NewNotification("A customer is waiting", "Ada needs help."), func() {
		ada = join("Ada")
		l.waitFor("Ada's pop-up", func() bool { return r.con.alerts[ada.Session().ID()] != nil })
	})
	if err := ada.Session().SendChat(ctx, "Is anyone there?"); err != nil { // while waiting
		t.Fatal(err)
	}
	join("Bo")
	l.waitFor("both in the queue", func() bool { return len(r.con.Queue.Rows()) == 2 })
	l.do(func() {
		rows := r.con.Queue.Rows()
		if !strings.HasPrefix(rows[0].Label.Text, "Ada") || !strings.HasPrefix(rows[1].Label.Text, "Bo") {
			t.Errorf("rows %q, %q; want Ada, then Bo", rows[0].Label.Text, rows[1].Label.Text)
		}
		if g := r.con.Queue.Groups(); len(g) != 1 || g[0].Header.Text != "My queue (2)" {
			t.Errorf("groups %d, first %q; want My queue (2)", len(g), g[0].Header.Text)
		}
		test.Tap(r.con.GetNext)
	})
	l.waitFor("a session tab", func() bool { return len(r.con.Sessions()) == 1 })
	var v *SessionView
	l.do(func() {
		v = r.con.Sessions()[0]
		if got := v.Info().CustomerName; got != "Ada" {
			t.Errorf("Get Next opened %s; want Ada, who waited longest", got)
		}
	})
	l.waitFor("the summary", func() bool { return v.Summary.Key.Text != "—" })
	l.waitFor("what Ada wrote while waiting", func() bool { return strings.Contains(v.Chat.Log(), "Ada: Is anyone there?") })
	l.do(func() {
		if len(v.Summary.Key.Text) != 11 || v.Summary.Portal.Text != "Default" || v.Summary.Attendees.Length() != 2 || !v.Summary.Termination.Disabled() {
			t.Errorf("summary: key %q, portal %q, %d attendees, override enabled %v; want a grouped key, Default, 2, disabled",
				v.Summary.Key.Text, v.Summary.Portal.Text, v.Summary.Attendees.Length(), !v.Summary.Termination.Disabled())
		}
	})
	l.waitFor("the queue without Ada", func() bool {
		return len(r.con.Queue.Rows()) == 1 && r.con.alerts[ada.Session().ID()] == nil
	})

	// Chat both ways, and a canned message by double click.
	if err := ada.Session().SendChat(ctx, "My printer prints blank pages"); err != nil {
		t.Fatal(err)
	}
	l.waitFor("Ada's line", func() bool { return strings.Contains(v.Chat.Log(), "Ada: My printer prints blank pages") })
	l.do(func() {
		r.con.SetCanned([]protocol.CannedMessage{{ID: "g", Team: "Level 1", Title: "Greeting", Text: "Hello, I am the Administrator."}})
		test.DoubleTap(v.Canned.Items[0])
	})
	for got := false; !got; {
		select {
		case ev := <-ada.Session().Events():
			if m, ok := ev.(client.ChatReceived); ok && m.Message.Text == "Hello, I am the Administrator." {
				got = true
			}
		case <-ctx.Done():
			t.Fatal("the canned message never reached the customer")
		}
	}
	l.waitFor("the canned line in the log", func() bool {
		return strings.Contains(v.Chat.Log(), "Administrator: Hello, I am the Administrator.")
	})

	// Bo next, then nobody.
	l.do(func() { test.Tap(r.con.GetNext) })
	l.waitFor("Bo's tab", func() bool { return len(r.con.Sessions()) == 2 && !r.con.GetNext.Disabled() })
	l.do(func() {
		if got := r.con.Current().Info().CustomerName; got != "Bo" {
			t.Errorf("second Get Next opened %s; want Bo", got)
		}
		test.Tap(r.con.GetNext)
	})
	l.waitFor("the empty-queue answer", func() bool { return strings.Contains(r.con.Status.Text, "nobody is waiting") })
}

// TestConsoleReopensItsSessions starts the console while its rep is in a
// session (the console crashed and was started again): the session's tab
// opens by itself.
func TestConsoleReopensItsSessions(t *testing.T) {
	h := servertest.Start(t)
	a := test.NewTempApp(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint}
	before, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	k, err := before.CreateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ada, err := client.Join(ctx, cfg, k.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	defer ada.Close()
	if _, err := before.GetNext(ctx); err != nil {
		t.Fatal(err)
	}
	before.Close() // the console that crashed

	l := &liveConsole{t: t, ctx: ctx}
	l.r = newRepApp(a, RepOptions{Server: h.URL, User: h.AdminUser, Password: h.AdminPassword, Fingerprint: h.Fingerprint, Sound: func() {}}, l.do)
	defer l.r.close()
	r := l.r
	l.waitFor("Ada's tab", func() bool { return r.con != nil && len(r.con.Sessions()) == 1 })
	l.do(func() {
		if got := r.con.Current().Info().CustomerName; got != "Ada" {
			t.Errorf("reopened %s; want Ada", got)
		}
	})
}
