package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/ui/notify"
	"github.com/tandemhq/tandem/ui/notify/notifytest"
)

// alertConsole is a console in the test driver whose accepted sessions
// arrive on a channel.
func alertConsole(t *testing.T) (*Console, <-chan string) {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("console")
	accepted := make(chan string, 10)
	c := NewConsole(w, ConsoleActions{Accept: func(id string) { accepted <- id }})
	w.SetContent(c.Content)
	w.Resize(fyne.NewSize(1000, 700))
	return c, accepted
}

func waitAccepted(t *testing.T, accepted <-chan string, want string) {
	t.Helper()
	select {
	case id := <-accepted:
		if id != want {
			t.Fatalf("accepted %s; want %s", id, want)
		}
	case <-time.After(time.Minute):
		t.Fatalf("%s was not accepted", want)
	}
}

// TestAlertNotificationClickAccepts shows alerts with a desktop
// notification on a real session bus: the notification server records
// them, a click on Bo's accepts Bo's session (not Ada's), and Ada's
// notification is withdrawn when she leaves the queue.
func TestAlertNotificationClickAccepts(t *testing.T) {
	addr := notifytest.StartBus(t)
	srv := notifytest.NewServer(t, addr)
	n, err := notify.Dial(t.Context(), addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	c, accepted := alertConsole(t)
	c.SetAlerts(AlertOptions{Notifier: n})
	t.Cleanup(c.WaitAlerts)

	ada := protocol.SessionInfo{ID: "s1", CustomerName: "Ada", Question: "VPN", Created: time.Now()}
	bo := protocol.SessionInfo{ID: "s2", CustomerName: "Bo", Created: time.Now()}
	c.SetQueue([]protocol.SessionInfo{ada, bo})
	c.Alert(ada, false)
	adaNote := srv.Next(t)
	boAlert := c.Alert(bo, true)
	boNote := srv.Next(t)
	if adaNote.Summary != "A customer is waiting" || adaNote.Body != "Ada — VPN" {
		t.Errorf("Ada's notification %q / %q", adaNote.Summary, adaNote.Body)
	}
	if boNote.Summary != "A session was transferred to you" || len(boNote.Actions) != 2 || boNote.Actions[0] != "default" || boNote.Actions[1] != "Accept" {
		t.Errorf("Bo's notification %+v; want the transfer title and the action Accept", boNote)
	}
	if err := srv.Click(boNote.ID, "default"); err != nil {
		t.Fatal(err)
	}
	waitAccepted(t, accepted, "s2")
	if boAlert.Visible() || boAlert.PopUp.Visible() {
		t.Error("Bo's pop-up stays after his notification was clicked")
	}
	// Ada leaves the queue: her pop-up goes and her notification is
	// withdrawn (the server reports it closed).
	c.SetQueue(nil)
	c.WaitAlerts()
	select {
	case <-accepted:
		t.Error("a session was accepted without a click")
	default:
	}
	// A second click on a notification already gone does nothing.
	if err := srv.Click(adaNote.ID, "default"); err != nil {
		t.Fatal(err)
	}
	c.WaitAlerts()
}

// TestAlertButtons: Accept accepts once, however many clicks; Dismiss
// closes without accepting.
func TestAlertButtons(t *testing.T) {
	c, accepted := alertConsole(t)
	ada := protocol.SessionInfo{ID: "s1", CustomerName: "Ada", Created: time.Now()}
	c.SetQueue([]protocol.SessionInfo{ada})
	al := c.Alert(ada, false)
	if al.Window != nil || al.PopUp == nil {
		t.Fatal("in the test driver the alert is a pop-up in the console")
	}
	test.Tap(al.Accept)
	al.Tap()
	waitAccepted(t, accepted, "s1")
	select {
	case id := <-accepted:
		t.Errorf("accepted %s a second time", id)
	default:
	}
	al2 := c.Alert(ada, false)
	test.Tap(al2.Dismiss)
	if al2.Visible() || al2.PopUp.Visible() {
		t.Error("the pop-up stays after Dismiss")
	}
	if !strings.Contains(al2.Body.Text, "Ada") {
		t.Errorf("pop-up says %q", al2.Body.Text)
	}
	select {
	case id := <-accepted:
		t.Errorf("Dismiss accepted %s", id)
	default:
	}
}
