// Package notifytest runs a private D-Bus session bus and a notification
// server on it, for tests of code that shows desktop notifications. The
// server is real D-Bus: it owns org.freedesktop.Notifications, records
// every Notify, and emits ActionInvoked and NotificationClosed on demand,
// as a desktop's notification daemon does when the user clicks.
package notifytest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// StartBus runs dbus-daemon (Debian package dbus-daemon) with the session
// configuration on a socket of its own, returns its address, and stops it
// when the test ends.
func StartBus(tb testing.TB) string {
	tb.Helper()
	bin, err := exec.LookPath("dbus-daemon")
	if err != nil {
		tb.Fatalf("no dbus-daemon on this machine (apt-get install dbus-daemon): %v", err)
	}
	sock := filepath.Join(tb.TempDir(), "bus")
	cmd := exec.Command(bin, "--session", "--nofork", "--nopidfile", "--print-address=1", "--address=unix:path="+sock)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start dbus-daemon: %v", err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		tb.Fatalf("dbus-daemon printed no address: %v", err)
	}
	return strings.TrimSpace(line)
}

// Note is one Notify call the server received.
type Note struct {
	ID      uint32
	AppName string
	Summary string
	Body    string
	Actions []string
	Timeout int32
}

// Server is a notification server on a test bus.
type Server struct {
	conn  *dbus.Conn
	notes chan Note

	mu     sync.Mutex
	nextID uint32
}

// server is the exported D-Bus object.
type server struct{ s *Server }

// Notify records the call.
func (o server) Notify(appName string, replacesID uint32, icon, summary, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	o.s.mu.Lock()
	o.s.nextID++
	id := o.s.nextID
	o.s.mu.Unlock()
	o.s.notes <- Note{ID: id, AppName: appName, Summary: summary, Body: body, Actions: actions, Timeout: timeout}
	return id, nil
}

// CloseNotification closes a notification as asked (reason 3).
func (o server) CloseNotification(id uint32) *dbus.Error {
	if err := o.s.Closed(id, 3); err != nil {
		return dbus.MakeFailedError(err)
	}
	return nil
}

// GetCapabilities says the server shows actions.
func (o server) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"actions", "body"}, nil
}

// GetServerInformation names the test server.
func (o server) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "notifytest", "tandem", "1", "1.2", nil
}

// NewServer connects to the bus at address, owns the notification
// service there and serves it until the test ends.
func NewServer(tb testing.TB, address string) *Server {
	tb.Helper()
	conn, err := dbus.Connect(address)
	if err != nil {
		tb.Fatalf("connect to %s: %v", address, err)
	}
	tb.Cleanup(func() { conn.Close() })
	s := &Server{conn: conn, notes: make(chan Note, 100)}
	if err := conn.Export(server{s}, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		tb.Fatal(err)
	}
	r, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue)
	if err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		tb.Fatalf("own org.freedesktop.Notifications: %v, %v", r, err)
	}
	return s
}

// Next returns the next Notify the server received, failing the test if
// none comes within a minute (a guard against hanging, not a speed check).
func (s *Server) Next(tb testing.TB) Note {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), time.Minute)
	defer cancel()
	select {
	case n := <-s.notes:
		return n
	case <-ctx.Done():
		tb.Fatal("no notification came")
		return Note{}
	}
}

// Click emits ActionInvoked for the notification's action, as a click
// does, then NotificationClosed (dismissed by the user, reason 2).
func (s *Server) Click(id uint32, action string) error {
	if err := s.conn.Emit("/org/freedesktop/Notifications", "org.freedesktop.Notifications.ActionInvoked", id, action); err != nil {
		return fmt.Errorf("emit ActionInvoked: %w", err)
	}
	return s.Closed(id, 2)
}

// Closed emits NotificationClosed with a reason (1 expired, 2 dismissed,
// 3 closed by a call, 4 other).
func (s *Server) Closed(id, reason uint32) error {
	if err := s.conn.Emit("/org/freedesktop/Notifications", "org.freedesktop.Notifications.NotificationClosed", id, reason); err != nil {
		return fmt.Errorf("emit NotificationClosed: %w", err)
	}
	return nil
}
