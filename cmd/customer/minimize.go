package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/tandemhq/tandem/internal/x11win"
)

// minimizeTimeout bounds finding and minimizing the client's window.
const minimizeTimeout = 10 * time.Second

// minimizer minimizes this program's window on display and gives the
// focus back to prev, the window that had it when the program started
// (zero: none), as portals that start the client minimized without focus
// ask.
func minimizer(display string, prev x11win.Window, log *slog.Logger) func() error {
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), minimizeTimeout)
		defer cancel()
		w, err := x11win.Find(ctx, display, x11win.Match{PID: os.Getpid()})
		if err != nil {
			return err
		}
		if err := x11win.Iconify(ctx, display, w); err != nil {
			return err
		}
		if prev == 0 || prev == w {
			return nil
		}
		if err := x11win.Activate(ctx, display, prev); err != nil {
			log.Info("the focus stays with the support program", "err", err)
		}
		return nil
	}
}

// activeWindow is the window that has the focus on display now; zero when
// none or it cannot be told.
func activeWindow(display string) x11win.Window {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	w, _ := x11win.Active(ctx, display)
	return w
}
