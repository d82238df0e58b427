// Package client is the session core both Tandem apps share: the JSON API,
// the signaling WebSocket (which reconnects by itself), and the WebRTC peer
// connections of a session. It has no user interface; the apps show what it
// reports through event channels.
//
// A rep calls [SignIn], then [Rep.CreateKey] and [Rep.Accept]; a customer
// calls [Join]. Either side then holds a [Session]: chat, end, and one
// [Peer] per other participant. The server's certificate is pinned by
// [Config.Fingerprint] when set.
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pion/transport/v5"

	"github.com/tandemhq/tandem/codec"
	"github.com/tandemhq/tandem/protocol"
)

// Config says how to reach a server.
type Config struct {
	// Server is the server's base URL, e.g. "https://127.0.0.1:8443".
	Server string
	// Fingerprint pins the server's TLS certificate: lowercase hex SHA-256
	// of the leaf certificate's DER bytes. Empty means verify against the
	// system roots.
	Fingerprint string
	// Logger; nil means slog.Default().
	Logger *slog.Logger
	// RelayOnly forces ICE through the server's TURN relay.
	RelayOnly bool
	// Portal is the slug of the support site a customer's session code
	// was typed into (the join data's portal); optional. The server then
	// refuses a code that is not one of that site's.
	Portal string
	// VideoCodecs lists the screen codecs this side offers or accepts,
	// best first; nil means all this build supports (VP9, then VP8).
	VideoCodecs []codec.Codec

	// net, in tests, replaces the network of peer connections with a
	// virtual one (pion's vnet).
	net transport.Net
}

func (c Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.Default()
	}
	return c.Logger
}

// base validates the server URL and returns it without a trailing slash.
func (c Config) base() (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(c.Server, "/"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadServer, err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("%w: %q is not an https:// URL", ErrBadServer, c.Server)
	}
	return u, nil
}

// tlsConfig returns the TLS configuration for the server: with a pin, the
// certificate whose SHA-256 matches is the only one accepted.
func (c Config) tlsConfig() (*tls.Config, error) {
	if c.Fingerprint == "" {
		return &tls.Config{MinVersion: tls.VersionTLS12}, nil
	}
	want := strings.ToLower(strings.ReplaceAll(c.Fingerprint, ":", ""))
	if b, err := hex.DecodeString(want); err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("%w: fingerprint %q is not a hex SHA-256", ErrBadServer, c.Fingerprint)
	}
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		// The pin is the verification: chain building against system roots
		// would refuse the server's self-signed certificate.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return fmt.Errorf("%w: the server sent no certificate", ErrFingerprint)
			}
			got := Fingerprint(cs.PeerCertificates[0].Raw)
			if got != want {
				return fmt.Errorf("%w: the server's certificate is %s; expected %s", ErrFingerprint, got, want)
			}
			return nil
		},
	}, nil
}

// Fingerprint returns the lowercase hex SHA-256 of a certificate's DER bytes.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// httpClient returns an HTTP client for the server.
func (c Config) httpClient() (*http.Client, error) {
	tc, err := c.tlsConfig()
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{TLSClientConfig: tc, ForceAttemptHTTP2: true, TLSHandshakeTimeout: 10 * time.Second}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, nil
}

// ParseJoinURL splits a portal key URL such as
// "https://host:8443/k/123456789?fp=<hex>" into a Config (Server and
// Fingerprint) and the code.
func ParseJoinURL(raw string) (Config, string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return Config{}, "", fmt.Errorf("%w: %v", ErrBadJoinURL, err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return Config{}, "", fmt.Errorf("%w: %q is not an https:// link", ErrBadJoinURL, raw)
	}
	prefix := strings.TrimRight(protocol.PathKeyPage, "/") + "/"
	idx := strings.LastIndex(u.Path, prefix)
	if idx < 0 {
		return Config{}, "", fmt.Errorf("%w: %q has no %s<code> path", ErrBadJoinURL, raw, protocol.PathKeyPage)
	}
	code := protocol.NormalizeCode(u.Path[idx+len(prefix):])
	if err := protocol.ValidateCode(code); err != nil {
		return Config{}, "", fmt.Errorf("%w: %v", ErrBadJoinURL, err)
	}
	server := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path[:idx]}
	cfg := Config{Server: strings.TrimRight(server.String(), "/"), Fingerprint: u.Query().Get("fp")}
	if cfg.Fingerprint != "" {
		if _, err := cfg.tlsConfig(); err != nil {
			return Config{}, "", fmt.Errorf("%w: %v", ErrBadJoinURL, err)
		}
	}
	return cfg, code, nil
}

// FetchFingerprint connects once with TLS and returns the fingerprint of
// the certificate the server presents, for trust on first use.
func FetchFingerprint(ctx context.Context, server string) (string, error) {
	u, err := Config{Server: server}.base()
	if err != nil {
		return "", err
	}
	host := u.Host
	if u.Port() == "" {
		host += ":443"
	}
	d := tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", host, err)
	}
	defer conn.Close()
	certs := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return "", fmt.Errorf("%w: %s sent no certificate", ErrFingerprint, host)
	}
	return Fingerprint(certs[0].Raw), nil
}

// newAPI returns an API client for the configured server, not yet signed in.
func (c Config) newAPI() (*api, error) {
	base, err := c.base()
	if err != nil {
		return nil, err
	}
	hc, err := c.httpClient()
	if err != nil {
		return nil, err
	}
	return &api{base: base, http: hc}, nil
}

// api is an authenticated JSON API client.
type api struct {
	base  *url.URL
	http  *http.Client
	token string
}

// do sends a JSON request and decodes a JSON answer into out (if not nil).
// Error answers come back as *protocol.Error.
func (a *api) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base.String()+path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set(protocol.VersionHeader, strconv.Itoa(protocol.Version))
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, protocol.MaxFrameBytes))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		var perr protocol.Error
		if json.Unmarshal(b, &perr) != nil || perr.Code == "" {
			perr = protocol.Error{Code: protocol.CodeInternal, Message: fmt.Sprintf("HTTP %d", resp.StatusCode)}
		}
		return &perr
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// randomID returns 16 random bytes in hex.
func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported systems
	return hex.EncodeToString(b)
}

// IsCode reports whether err is a server refusal with the given code.
func IsCode(err error, code protocol.ErrorCode) bool {
	var perr *protocol.Error
	return errors.As(err, &perr) && perr.Code == code
}
