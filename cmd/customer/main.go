// Command tandem-customer is the customer client. Downloaded from a
// portal, it carries signed join data after its executable and connects
// at once; -join takes a key link for development, and -resume takes a
// session over when the client relaunched itself elevated (elevate.go) or
// as a service, which -service names (service.go).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/tandemhq/tandem/agent"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/client/joindata"
	"github.com/tandemhq/tandem/host"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/ui"
)

func main() {
	join := flag.String("join", "", "a session key link, https://host/k/123456789?fp=…; joins with no typing")
	name := flag.String("name", "", "the name the representative sees")
	logLevel := flag.String("log-level", "info", "debug, info, warn or error")
	resume := flag.String("resume", "", "take a session over from this hand-off file (written by the client relaunching itself elevated); the file is removed once connected")
	service := flag.String("service", "", "the name of the service this process runs as (with -resume; set by the client that installed it, service.go)")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintln(os.Stderr, "tandem-customer: -log-level:", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(os.Stderr, "tandem-customer: no display: set DISPLAY (X11) or WAYLAND_DISPLAY to open the window")
		os.Exit(1)
	}
	lang := os.Getenv("LC_ALL")
	if lang == "" {
		lang = os.Getenv("LC_MESSAGES")
	}
	if lang == "" {
		lang = os.Getenv("LANG")
	}
	sh := &screenShare{display: os.Getenv("DISPLAY"), log: logger}
	el := newElevator(&host.Host{Display: os.Getenv("DISPLAY")}, logger.With("component", "elevation"), *resume != "", []string{"-log-level", *logLevel})
	if *service != "" && (*resume == "" || host.ValidateServiceName(*service) != nil) {
		fmt.Fprintln(os.Stderr, "tandem-customer: -service needs -resume and a valid service name")
		os.Exit(2)
	}
	sv := newServicer(&host.ServiceManager{}, logger.With("component", "service"), *service, os.Getenv("DISPLAY"), []string{"-log-level", *logLevel})
	opts := ui.CustomerOptions{JoinURL: *join, Name: *name, Lang: lang, Share: sh.share, Apps: sh, SystemInfo: systemInfo,
		Indicator: supportedIndicator(os.Getenv("DISPLAY"), logger),
		Prompter:  &ui.Prompter{},
		Display:   os.Getenv("DISPLAY"),
		Minimize:  minimizer(os.Getenv("DISPLAY"), activeWindow(os.Getenv("DISPLAY")), logger), Hold: sv.wrapHold(el.wrapHold(hold(logger))), Logger: logger}
	if exe, err := os.Executable(); err == nil {
		d, err := joindata.ReadFile(exe, time.Now())
		switch {
		case err == nil:
			opts.JoinData = &d
			opts.RemoveSelf = removeSelf(exe, logger)
		case errors.Is(err, joindata.ErrNoData):
		default:
			opts.JoinDataErr = err
		}
	}
	if *resume != "" {
		surviveLostStderr()
	}
	a := app.NewWithID("dev.tandem.support")
	a.SetIcon(ui.Icon)
	var w fyne.Window
	if *resume != "" {
		w = ui.NewResumedCustomerWindow(a, opts, func(ctx context.Context) (*client.Customer, error) {
			return resumeCustomer(ctx, *resume, client.Config{Logger: logger})
		})
	} else {
		w = ui.NewCustomerWindow(a, opts)
	}
	el.setAsk(opts.Prompter.AskElevation)
	sv.setAsk(opts.Prompter.AskService)
	w.ShowAndRun()
}

// removeSelf removes a downloaded client after the session; an installed
// one stays.
func removeSelf(exe string, log *slog.Logger) func() bool {
	return func() bool {
		gone, err := joindata.RemoveDownloaded(exe, joindata.DownloadDirs())
		if err != nil {
			log.Warn("remove the downloaded client", "err", err)
		}
		return gone
	}
}

// hold takes hold of this computer for a session, as the portal's
// configuration says: the input of reps in control, the input lockout
// while the rep is away, and the end action.
func hold(log *slog.Logger) func(s *client.Session, cfg protocol.CustomerClientConfig) (func(client.Event), <-chan agent.Status, func()) {
	return func(s *client.Session, cfg protocol.CustomerClientConfig) (func(client.Event), <-chan agent.Status, func()) {
		a := agent.New(s, agent.Config{
			Display:       os.Getenv("DISPLAY"),
			Lockout:       cfg.Connection.InputLockout,
			ReconnectTime: time.Duration(cfg.Connection.ReconnectSeconds) * time.Second,
			Termination:   cfg.Connection.Termination,
			RepOverride:   cfg.Connection.RepOverride,
			TakeBackKey:   true,
			Logger:        log.With("component", "agent"),
		})
		return a.Handle, a.Status(), func() { a.Close() }
	}
}
