// Command tandem-rep is the representative console.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"fyne.io/fyne/v2/app"

	"github.com/tandemhq/tandem/ui"
)

func main() {
	server := flag.String("server", "", "the server's URL, e.g. https://127.0.0.1:8443")
	user := flag.String("user", "", "username to sign in with; $TANDEM_PASSWORD signs in automatically")
	specialist := flag.String("specialist", "", "join a session as an external specialist with this invitation code (needs -server; -name or $TANDEM_NAME is your name), without the form")
	name := flag.String("name", os.Getenv("TANDEM_NAME"), "your name as an external specialist (default $TANDEM_NAME)")
	fingerprint := flag.String("fingerprint", "", "SHA-256 fingerprint of the server certificate to pin; empty: trust on first use")
	logLevel := flag.String("log-level", "info", "debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintln(os.Stderr, "tandem-rep: -log-level:", err)
		os.Exit(2)
	}
	if *specialist != "" && *server == "" {
		fmt.Fprintln(os.Stderr, "tandem-rep: -specialist needs -server")
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(os.Stderr, "tandem-rep: no display: set DISPLAY (X11) or WAYLAND_DISPLAY to open the console")
		os.Exit(1)
	}
	a := app.NewWithID("dev.tandem.console")
	a.SetIcon(ui.Icon)
	w := ui.NewRepWindow(a, ui.RepOptions{
		Server: *server, User: *user, Fingerprint: *fingerprint,
		Password: os.Getenv("TANDEM_PASSWORD"), Specialist: *specialist, Name: *name, Logger: logger,
	})
	w.ShowAndRun()
}
