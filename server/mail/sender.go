package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"strconv"
	"time"
)

// StartTLS is how the sender uses the SMTP STARTTLS extension.
type StartTLS int

const (
	// StartTLSRequired refuses to send when the server does not offer STARTTLS.
	StartTLSRequired StartTLS = iota
	// StartTLSOpportunistic upgrades when offered, else sends in clear.
	StartTLSOpportunistic
	// StartTLSOff never upgrades.
	StartTLSOff
)

// String returns the mode's name.
func (s StartTLS) String() string {
	switch s {
	case StartTLSRequired:
		return "required"
	case StartTLSOpportunistic:
		return "opportunistic"
	case StartTLSOff:
		return "off"
	}
	return "StartTLS(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText implements encoding.TextMarshaler.
func (s StartTLS) MarshalText() ([]byte, error) {
	if s < StartTLSRequired || s > StartTLSOff {
		return nil, fmt.Errorf("mail: invalid StartTLS %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *StartTLS) UnmarshalText(b []byte) error {
	for v := StartTLSRequired; v <= StartTLSOff; v++ {
		if v.String() == string(b) {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("mail: unknown StartTLS mode %q (want required, opportunistic or off)", b)
}

// Config configures a Sender.
type Config struct {
	// Host is the SMTP server's host name (also the TLS server name).
	Host string
	// Port is the SMTP port, 587 when zero.
	Port int
	// Username and Password enable AUTH PLAIN when Username is non-empty
	// (net/smtp only sends them over TLS or to localhost).
	Username, Password string
	// From is the default sender address.
	From string
	// StartTLS selects the STARTTLS policy; the zero value is required.
	StartTLS StartTLS
	// RootCAs, when set, verifies the server's certificate (tests pin theirs here).
	RootCAs *x509.CertPool
	// Timeout bounds a whole Send when ctx has no earlier deadline; 30 s when zero.
	Timeout time.Duration
}

// Sender delivers messages over SMTP. It is safe for concurrent use.
type Sender struct {
	cfg Config
	log *slog.Logger
}

// NewSender returns a Sender for cfg logging to logger (slog.Default when nil).
func NewSender(cfg Config, logger *slog.Logger) *Sender {
	if logger == nil {
		logger = slog.Default()
	}
	if cfg.Port == 0 {
		cfg.Port = 587
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Sender{cfg: cfg, log: logger}
}

// Send validates m (before any connection) and delivers it, honouring ctx.
func (s *Sender) Send(ctx context.Context, m Message) error {
	if m.From == "" {
		m.From = s.cfg.From
	}
	from, to, data, err := build(m, time.Now(), s.cfg.Host)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port)))
	if err != nil {
		return fmt.Errorf("mail: dial: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return fmt.Errorf("mail: EHLO: %w", err)
	}
	if s.cfg.StartTLS != StartTLSOff {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(&tls.Config{ServerName: s.cfg.Host, RootCAs: s.cfg.RootCAs, MinVersion: tls.VersionTLS12}); err != nil {
				return fmt.Errorf("mail: STARTTLS: %w", err)
			}
		} else if s.cfg.StartTLS == StartTLSRequired {
			return ErrNoStartTLS
		}
	}
	if s.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
			return fmt.Errorf("mail: AUTH: %w", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			return fmt.Errorf("mail: RCPT TO %s: %w", r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("mail: QUIT: %w", err)
	}
	s.log.InfoContext(ctx, "mail sent", "to", to, "bytes", len(data))
	return nil
}
