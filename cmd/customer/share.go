package main

import (
	"errors"
	"log/slog"
	"os"
	"sync"

	"github.com/tandemhq/tandem/capture"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/ui"
)

// errNotSharing is ShareOnly's answer while the screen is not shared.
var errNotSharing = errors.New("the screen is not shared")

// screenShare shares this display's screen in a session and lets the
// customer limit it to chosen application windows.
type screenShare struct {
	display string
	log     *slog.Logger

	mu   sync.Mutex
	capt *capture.Capturer
}

// share starts sharing the screen; the function it returns stops it.
func (sh *screenShare) share(s *client.Session) (func(), error) {
	capt, err := capture.Open(sh.display, capture.Options{}, sh.log.With("component", "capture"))
	if err != nil {
		return nil, err
	}
	if err := s.ShareScreen(capt); err != nil {
		capt.Close()
		return nil, err
	}
	sh.mu.Lock()
	sh.capt = capt
	sh.mu.Unlock()
	return func() {
		s.StopSharing()
		sh.mu.Lock()
		sh.capt = nil
		sh.mu.Unlock()
		capt.Close()
	}, nil
}

// Windows lists the application windows the customer may share, leaving
// out this program's own.
func (sh *screenShare) Windows() ([]ui.AppWindow, error) {
	ws, err := capture.ListWindows(sh.display)
	if err != nil {
		return nil, err
	}
	var out []ui.AppWindow
	for _, w := range ws {
		if w.PID == os.Getpid() {
			continue
		}
		out = append(out, ui.AppWindow{ID: uint64(w.ID), Title: w.Title, App: w.Class})
	}
	return out, nil
}

// ShareOnly limits the shared screen to the windows ids; none shares it
// all.
func (sh *screenShare) ShareOnly(ids []uint64) error {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.capt == nil {
		return errNotSharing
	}
	wids := make([]capture.WindowID, len(ids))
	for i, id := range ids {
		wids[i] = capture.WindowID(id)
	}
	return sh.capt.ShareOnly(wids)
}
