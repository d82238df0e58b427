// Command server runs the Tandem server: HTTPS with the portal, the JSON
// API and the signaling WebSocket, embedded STUN/TURN, and the SQLite store
// in a data directory.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/tandemhq/tandem/server"
	"github.com/tandemhq/tandem/server/hub"
)

func main() {
	var (
		addr      = flag.String("addr", server.DefaultAddr, "HTTPS listen `host:port`")
		data      = flag.String("data", "data", "data `directory` (database, certificate)")
		turnAddr  = flag.String("turn-addr", server.DefaultTURNAddr, "STUN/TURN UDP listen `host:port`")
		relayIP   = flag.String("relay-ip", "", "`IP` TURN hands out for relayed candidates (default: the TURN listen IP, or 127.0.0.1)")
		publicURL = flag.String("public-url", "", "base `URL` of links handed out (default: https://<listen addr>)")
		keyLife   = flag.Duration("key-lifetime", server.DefaultKeyLifetime, "how long a session key is valid")
		rollover  = flag.Duration("alert-rollover", hub.DefaultAlertRollover, "SmartBox queue mode: how long the alerted rep has to accept before the next rep is alerted (negative: never)")
		certFile  = flag.String("cert", "", "TLS certificate `file` (PEM); default: generated into the data directory")
		keyFile   = flag.String("key", "", "TLS key `file` (PEM); given together with -cert")
		printFP   = flag.Bool("print-fingerprint", false, "print the fingerprint of the data directory's certificate (creating it if needed) and exit")
		logLevel  = flag.String("log-level", "info", "log level: debug, info, warn or error")
	)
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintln(os.Stderr, "server: -log-level:", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	if *printFP {
		fp, err := server.CertificateFingerprint(*data, *addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "server:", err)
			os.Exit(1)
		}
		fmt.Println(fp)
		return
	}
	if err := run(logger, server.Config{
		DataDir:       *data,
		Addr:          *addr,
		TURNAddr:      *turnAddr,
		RelayIP:       *relayIP,
		PublicURL:     *publicURL,
		AdminPassword: os.Getenv("TANDEM_ADMIN_PASSWORD"),
		KeyLifetime:   *keyLife,
		AlertRollover: *rollover,
		CertFile:      *certFile,
		KeyFile:       *keyFile,
		Logger:        logger,
	}); err != nil {
		logger.Error("server failed", "err", err)
		os.Exit(1)
	}
}

// run starts the server and waits for SIGINT or SIGTERM.
func run(logger *slog.Logger, cfg server.Config) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := server.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	if user, pw, created := s.FirstAdmin(); created {
		fmt.Printf("First admin account: %s / %s\n", user, pw)
	}
	if err := s.Start(ctx); err != nil {
		return err
	}
	fmt.Printf("Tandem server at %s (certificate fingerprint %s)\n", s.URL(), s.Fingerprint())
	<-ctx.Done()
	logger.Info("shutting down")
	return s.Close()
}
