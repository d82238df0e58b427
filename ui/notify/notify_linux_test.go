package notify

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tandemhq/tandem/ui/notify/notifytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func wait(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != want {
			t.Fatalf("got %s; want %s", got, want)
		}
	case <-time.After(time.Minute):
		t.Fatalf("no %s", want)
	}
}

// TestClickRunsTheAction shows two notifications on a real bus; a click on
// the second runs its action only, then its closing is reported; the first
// is withdrawn.
func TestClickRunsTheAction(t *testing.T) {
	addr := notifytest.StartBus(t)
	srv := notifytest.NewServer(t, addr)
	n, err := Dial(t.Context(), addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	events := make(chan string, 10)
	cb := func(name string) Callbacks {
		return Callbacks{OnAction: func() { events <- name + " clicked" }, OnClosed: func() { events <- name + " closed" }}
	}
	ada, err := n.Notify(t.Context(), Notification{Title: "A customer is waiting", Body: "Ada — VPN", Action: "Accept"}, cb("ada"))
	if err != nil {
		t.Fatal(err)
	}
	bo, err := n.Notify(t.Context(), Notification{Title: "A customer is waiting", Body: "Bo", Timeout: 30 * time.Second}, cb("bo"))
	if err != nil {
		t.Fatal(err)
	}
	first, second := srv.Next(t), srv.Next(t)
	if first.ID != uint32(ada) || first.Summary != "A customer is waiting" || first.Body != "Ada — VPN" || first.AppName != "Tandem" {
		t.Errorf("first Notify %+v; want Ada's as ID %d", first, ada)
	}
	if len(first.Actions) != 2 || first.Actions[0] != "default" || first.Actions[1] != "Accept" {
		t.Errorf("actions %q; want [default Accept]", first.Actions)
	}
	if second.Timeout != 30000 || second.Actions[1] != "Open" {
		t.Errorf("second Notify %+v; want a 30000 ms timeout and the action Open", second)
	}
	// Another application's notification and another action do nothing.
	if err := srv.Click(999, "default"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Click(uint32(bo), "other"); err != nil {
		t.Fatal(err)
	}
	wait(t, events, "bo closed")
	bo2, err := n.Notify(t.Context(), Notification{Title: "again", Body: "Bo"}, cb("bo2"))
	if err != nil {
		t.Fatal(err)
	}
	srv.Next(t)
	if err := srv.Click(uint32(bo2), "default"); err != nil {
		t.Fatal(err)
	}
	wait(t, events, "bo2 clicked")
	wait(t, events, "bo2 closed")
	if err := n.Withdraw(t.Context(), ada); err != nil {
		t.Fatal(err)
	}
	wait(t, events, "ada closed")
	if err := n.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := n.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := n.Notify(context.Background(), Notification{Title: "late"}, Callbacks{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Notify after Close: got %v; want ErrClosed", err)
	}
}

func TestNoServer(t *testing.T) {
	addr := notifytest.StartBus(t)
	n, err := Dial(t.Context(), addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if _, err := n.Notify(t.Context(), Notification{Title: "x"}, Callbacks{}); !errors.Is(err, ErrNoServer) {
		t.Errorf("Notify with no server: got %v; want ErrNoServer", err)
	}
}

// BenchmarkNotify shows a notification on a real bus and waits for the
// server to have it: one D-Bus round trip through dbus-daemon.
func BenchmarkNotify(b *testing.B) {
	addr := notifytest.StartBus(b)
	srv := notifytest.NewServer(b, addr)
	n, err := Dial(b.Context(), addr, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	for b.Loop() {
		if _, err := n.Notify(b.Context(), Notification{Title: "A customer is waiting", Body: "Ada"}, Callbacks{}); err != nil {
			b.Fatal(err)
		}
		srv.Next(b)
	}
}
