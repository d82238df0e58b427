// Package turn runs Tandem's embedded STUN/TURN server on UDP
// (github.com/pion/turn/v4) and mints the short-lived credentials peers use
// with it.
//
// Credentials follow the TURN REST scheme
// (draft-uberti-behave-turn-rest): the username is
// "<expiry-unix>:<participant>" and the password is
// base64(HMAC-SHA1(secret, username)), with a secret drawn at random per
// process. The server recomputes the password from the username, so it
// keeps no list of credentials, and refuses a username whose expiry has
// passed.
package turn

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/turn/v4"

	"github.com/tandemhq/tandem/protocol"
)

// DefaultRealm is the realm when Config.Realm is empty.
const DefaultRealm = "tandem"

// Config configures a Server.
type Config struct {
	// Addr is the UDP listen address, e.g. ":3478" or "127.0.0.1:0".
	Addr string
	// RelayIP is the address handed out for relayed candidates; optional;
	// nil means the listen IP, or 127.0.0.1 when that is unspecified.
	RelayIP net.IP
	// Realm is the STUN realm; optional; zero means [DefaultRealm].
	Realm string
	// Now is the clock credentials are minted and checked by; optional;
	// zero means time.Now.
	Now func() time.Time
	// Logger receives the server's and pion's logs; optional; zero means
	// slog.Default().
	Logger *slog.Logger
}

// Server is a running STUN/TURN server.
type Server struct {
	secret  []byte
	relayIP net.IP
	addr    *net.UDPAddr
	realm   string
	now     func() time.Time
	logger  *slog.Logger
	srv     *turn.Server

	closeOnce sync.Once
	closeErr  error
}

// Listen starts a server on cfg.Addr. It returns once the socket listens.
func Listen(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		return nil, fmt.Errorf("turn: %w", ErrNoAddr)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Realm == "" {
		cfg.Realm = DefaultRealm
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("turn: secret: %w", err)
	}
	pc, err := net.ListenPacket("udp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("turn: listen %s: %w", cfg.Addr, err)
	}
	laddr := pc.LocalAddr().(*net.UDPAddr)
	relayIP := cfg.RelayIP
	if relayIP == nil {
		relayIP = laddr.IP
		if relayIP.IsUnspecified() {
			relayIP = net.IPv4(127, 0, 0, 1)
		}
	}
	bind := "0.0.0.0"
	if !laddr.IP.IsUnspecified() {
		bind = laddr.IP.String()
	}
	s := &Server{
		secret:  secret,
		relayIP: relayIP,
		addr:    laddr,
		realm:   cfg.Realm,
		now:     cfg.Now,
		logger:  cfg.Logger,
	}
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm:         cfg.Realm,
		AuthHandler:   s.authenticate,
		LoggerFactory: logFactory{cfg.Logger},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn: pc,
			RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{
				RelayAddress: relayIP,
				Address:      bind,
			},
		}},
	})
	if err != nil {
		pc.Close()
		return nil, fmt.Errorf("turn: start: %w", err)
	}
	s.srv = srv
	cfg.Logger.Info("turn listening", "addr", laddr.String(), "relay_ip", relayIP.String())
	return s, nil
}

// Addr returns the address the server listens on (the real port after ":0").
func (s *Server) Addr() *net.UDPAddr { return s.addr }

// Realm returns the server's realm.
func (s *Server) Realm() string { return s.realm }

// Credentials mints a username and password for participant, valid for ttl.
func (s *Server) Credentials(participant string, ttl time.Duration) (username, password string) {
	username = strconv.FormatInt(s.now().Add(ttl).Unix(), 10) + ":" + participant
	return username, s.password(username)
}

// ICEServers mints credentials for one participant, valid for ttl, and
// returns them with the server's addresses: a "stun:" and a
// "turn:IP:port?transport=udp" entry.
func (s *Server) ICEServers(participantID string, ttl time.Duration) []protocol.ICEServer {
	user, pass := s.Credentials(participantID, ttl)
	hostport := net.JoinHostPort(s.relayIP.String(), strconv.Itoa(s.addr.Port))
	return []protocol.ICEServer{
		{URLs: []string{"stun:" + hostport}},
		{URLs: []string{"turn:" + hostport + "?transport=udp"}, Username: user, Credential: pass},
	}
}

// password is base64(HMAC-SHA1(secret, username)).
func (s *Server) password(username string) string {
	mac := hmac.New(sha1.New, s.secret)
	mac.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// authenticate is pion's AuthHandler: it accepts a TURN REST username
// whose expiry lies in the future and returns the long-term key.
func (s *Server) authenticate(username, realm string, src net.Addr) ([]byte, bool) {
	exp, participant, ok := strings.Cut(username, ":")
	if !ok || participant == "" || len(username) > 200 {
		s.logger.Warn("turn refused malformed username", "username", username, "src", src.String())
		return nil, false
	}
	t, err := strconv.ParseInt(exp, 10, 64)
	if err != nil {
		s.logger.Warn("turn refused malformed username", "username", username, "src", src.String())
		return nil, false
	}
	if t < s.now().Unix() {
		s.logger.Warn("turn refused expired credentials", "participant", participant, "src", src.String())
		return nil, false
	}
	return turn.GenerateAuthKey(username, realm, s.password(username)), true
}

// Close stops the server. It is idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if err := s.srv.Close(); err != nil {
			s.closeErr = fmt.Errorf("turn: close: %w", err)
		}
	})
	return s.closeErr
}
