package ui

import (
	"context"
	"fmt"
	"image"
	"log/slog"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/tandemhq/tandem/client"
)

// Texts of the rep's screen in the customer's chat. (English only, like
// the window title; assets' per-language texts are the place for them.)
const (
	repScreenStartedText = "%s is showing their screen."
	repScreenStoppedText = "%s stopped showing their screen."
	repScreenTitle       = "%s's screen"
)

// repScreenSize is the size a rep's screen window opens at.
var repScreenSize = fyne.NewSize(960, 600)

// RepScreenViewer shows, on the customer's side, the screen a rep shows
// ([client.RepScreenStarted]): a view-only window (a RemoteView without
// input) that opens when the rep starts and closes when the rep stops,
// with a line in the chat each time. The customer may close the window;
// that stops nothing else (the rep still shows, and a later start opens
// it again).
type RepScreenViewer struct {
	newWindow func(title string) fyne.Window
	notice    func(string)
	do        func(func())
	log       *slog.Logger

	mu      sync.Mutex
	closed  bool
	windows map[string]*repScreenWindow // by rep participant ID
	showing map[string]bool             // reps showing their screen, window or not
	wg      sync.WaitGroup
}

// repScreenWindow is one rep's screen window.
type repScreenWindow struct {
	win    fyne.Window
	View   *RemoteView
	cancel context.CancelFunc
}

// NewRepScreenViewer returns a viewer. newWindow makes a window (nil
// means the current app's); notice writes a line in the chat; do runs a
// function on Fyne's goroutine (fyne.Do).
func NewRepScreenViewer(newWindow func(title string) fyne.Window, notice func(string), do func(func()), log *slog.Logger) *RepScreenViewer {
	if newWindow == nil {
		newWindow = func(title string) fyne.Window { return fyne.CurrentApp().NewWindow(title) }
	}
	if log == nil {
		log = slog.Default()
	}
	return &RepScreenViewer{newWindow: newWindow, notice: notice, do: do, log: log,
		windows: map[string]*repScreenWindow{}, showing: map[string]bool{}}
}

// Handle takes a session event and reports whether it was the rep's
// screen's. It may be called from any goroutine.
func (v *RepScreenViewer) Handle(ev client.Event) bool {
	switch e := ev.(type) {
	case client.RepScreenStarted:
		v.start(e)
	case client.RepScreenStopped:
		v.stop(e.Rep.ID, e.Rep.Name)
	default:
		return false
	}
	return true
}

func (v *RepScreenViewer) start(e client.RepScreenStarted) {
	v.mu.Lock()
	if v.closed || e.Screen == nil {
		v.mu.Unlock()
		return
	}
	old := v.windows[e.Rep.ID]
	said := v.showing[e.Rep.ID]
	v.showing[e.Rep.ID] = true
	ctx, cancel := context.WithCancel(context.Background())
	w := &repScreenWindow{cancel: cancel}
	if old != nil {
		// The rep's connection was made afresh: the same window goes on
		// with the new stream.
		w.View = old.View
	} else {
		w.View = NewRemoteView(nil) // view only: no input ever leaves it
		w.View.do = v.do
	}
	v.windows[e.Rep.ID] = w
	v.wg.Add(1)
	v.mu.Unlock()
	if old != nil {
		old.cancel()
	}
	go func() {
		defer v.wg.Done()
		streamRepScreen(ctx, w.View, e.Screen)
	}()
	v.do(func() {
		if old != nil && old.win != nil {
			w.win = old.win
		} else {
			w.win = v.newWindow(fmt.Sprintf(repScreenTitle, e.Rep.Name))
			w.win.SetContent(w.View)
			w.win.Resize(repScreenSize)
			w.win.Show()
		}
		if !said && v.notice != nil {
			v.notice(fmt.Sprintf(repScreenStartedText, e.Rep.Name))
		}
		w.win.SetOnClosed(func() { v.closedByCustomer(e.Rep.ID, w) })
	})
}

// closedByCustomer forgets a window the customer closed.
func (v *RepScreenViewer) closedByCustomer(repID string, w *repScreenWindow) {
	v.mu.Lock()
	if v.windows[repID] == w {
		delete(v.windows, repID)
	}
	v.mu.Unlock()
	w.cancel()
}

func (v *RepScreenViewer) stop(repID, name string) {
	v.mu.Lock()
	w := v.windows[repID]
	delete(v.windows, repID)
	said := v.showing[repID]
	delete(v.showing, repID)
	v.mu.Unlock()
	if w != nil {
		w.cancel()
	}
	if w == nil && !said {
		return
	}
	v.do(func() {
		if w != nil && w.win != nil {
			w.win.SetOnClosed(nil)
			w.win.Close()
		}
		if said && v.notice != nil {
			v.notice(fmt.Sprintf(repScreenStoppedText, name))
		}
	})
}

// Open reports whether the window of the rep's screen is open.
func (v *RepScreenViewer) Open(repID string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.windows[repID] != nil
}

// Window is the window of a rep's screen, nil when none is open; for
// tests and screenshots. Call it on Fyne's goroutine.
func (v *RepScreenViewer) Window(repID string) (fyne.Window, *RemoteView) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if w := v.windows[repID]; w != nil {
		return w.win, w.View
	}
	return nil, nil
}

// Close closes every window and waits for their streams. Idempotent;
// call it off Fyne's goroutine (the streams may be waiting for it).
func (v *RepScreenViewer) Close() {
	v.mu.Lock()
	v.closed = true
	ws := v.windows
	v.windows = map[string]*repScreenWindow{}
	v.mu.Unlock()
	for _, w := range ws {
		w.cancel()
	}
	v.wg.Wait()
	if len(ws) > 0 {
		v.do(func() {
			for _, w := range ws {
				if w.win != nil {
					w.win.SetOnClosed(nil)
					w.win.Close()
				}
			}
		})
	}
}

// streamRepScreen feeds a view from the rep's screen until ctx ends:
// pictures and the pointer.
func streamRepScreen(ctx context.Context, view *RemoteView, rs *client.RemoteScreen) {
	var shape *image.RGBA
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-rs.Frames():
			view.SetFrame(f.Image)
		case c := <-rs.Cursor():
			if c.Shape != shape && c.Shape != nil {
				shape = c.Shape
				view.SetCursorShape(c.Shape, c.Hotspot)
			}
			view.SetCursor(c.Position, c.Visible)
		}
	}
}
