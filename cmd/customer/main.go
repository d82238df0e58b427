// Command tandem-customer is the customer client.
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
	join := flag.String("join", "", "a session key link, https://host/k/123456789?fp=…; joins with no typing")
	name := flag.String("name", "", "the name the representative sees")
	logLevel := flag.String("log-level", "info", "debug, info, warn or error")
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
		lang = os.Getenv("LANG")
	}
	a := app.NewWithID("dev.tandem.support")
	a.SetIcon(ui.Icon)
	w := ui.NewCustomerWindow(a, ui.CustomerOptions{JoinURL: *join, Name: *name, Lang: lang, Logger: logger})
	w.ShowAndRun()
}
