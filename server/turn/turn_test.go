package turn

import (
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/turn/v4"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func listen(t *testing.T) *Server {
	t.Helper()
	s, err := Listen(Config{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// allocate asks s for a relay with the given credentials.
func allocate(t *testing.T, s *Server, user, pass string) (net.Addr, error) {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c, err := turn.NewClient(&turn.ClientConfig{
		STUNServerAddr: s.Addr().String(),
		TURNServerAddr: s.Addr().String(),
		Username:       user,
		Password:       pass,
		Realm:          s.Realm(),
		Conn:           conn,
		RTO:            100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	relay, err := c.Allocate()
	if err != nil {
		return nil, err
	}
	defer relay.Close()
	return relay.LocalAddr(), nil
}

func TestAllocate(t *testing.T) {
	s := listen(t)
	user, pass := s.Credentials("p1", time.Hour)
	if !strings.HasSuffix(user, ":p1") {
		t.Errorf("username %q; want <expiry>:p1", user)
	}
	addr, err := allocate(t, s, user, pass)
	if err != nil {
		t.Fatalf("allocate with minted credentials: %v", err)
	}
	if ip := addr.(*net.UDPAddr).IP; !ip.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("relay address %v; want 127.0.0.1", addr)
	}

	expUser, expPass := s.Credentials("p1", -time.Minute)
	for _, tc := range []struct{ name, user, pass string }{
		{"wrong password", user, pass[:len(pass)-2] + "AA"},
		{"other user", strings.Replace(user, ":p1", ":p2", 1), pass},
		{"expired", expUser, expPass},
		{"malformed", "nobody", "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := allocate(t, s, tc.user, tc.pass); err == nil {
				t.Errorf("allocate(%q) succeeded; want refused", tc.user)
			}
		})
	}
}

func TestICEServers(t *testing.T) {
	s := listen(t)
	ice := s.ICEServers("abc", time.Hour)
	port := s.Addr().Port
	if len(ice) != 2 {
		t.Fatalf("got %d ICE servers; want 2", len(ice))
	}
	if got, want := ice[0].URLs[0], "stun:127.0.0.1:"+itoa(port); got != want {
		t.Errorf("stun URL %q; want %q", got, want)
	}
	if got, want := ice[1].URLs[0], "turn:127.0.0.1:"+itoa(port)+"?transport=udp"; got != want {
		t.Errorf("turn URL %q; want %q", got, want)
	}
	if ice[1].Username == "" || ice[1].Credential == "" {
		t.Errorf("turn entry has no credentials: %+v", ice[1])
	}
	if _, err := allocate(t, s, ice[1].Username, ice[1].Credential); err != nil {
		t.Errorf("allocate with ICEServers credentials: %v", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
