package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/capture"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
)

// Labels of the rep's screen button.
const (
	showScreenLabel = "Show my screen"
	stopShowLabel   = "Stop showing"
)

// OpenScreen opens the screen a rep shows; closing it is the caller's,
// through the returned func.
type OpenScreen func() (client.Screen, func() error, error)

// DefaultRepScreen opens the console's own X display ($DISPLAY).
func DefaultRepScreen(log *slog.Logger) OpenScreen {
	return func() (client.Screen, func() error, error) {
		c, err := capture.Open("", capture.Options{}, log)
		if err != nil {
			return nil, nil, err
		}
		return c, c.Close, nil
	}
}

// RepScreenTool is a session's "Show my screen" / "Stop showing" in the
// console's screen panel: the rep shows its screen to the customer, view
// only, where the session's portal allows it; elsewhere the button stays
// hidden (the panel has no room for a reason, and a tool the rep cannot
// use is noise), and a start the server refused hides it too. Where the portal records the rep's screen
// the console records what it shows and uploads it when the rep stops.
// The tool lives as long as the session; Close stops showing.
type RepScreenTool struct {
	Button *widget.Button

	rep    *client.Rep
	s      *client.Session
	open   OpenScreen
	notice func(string)
	log    *slog.Logger
	do     func(func())
	ctx    context.Context // canceled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	busy     bool
	closed   bool
	record   bool
	closeScr func() error
	stopRec  func(context.Context) error
}

// NewRepScreenTool returns the tool of session s, hidden until the
// session's functions are known to allow it. open gives the screen to show; notice
// says things in the session's chat; do runs a function on Fyne's
// goroutine (fyne.Do).
func NewRepScreenTool(rep *client.Rep, s *client.Session, open OpenScreen, notice func(string), do func(func()), log *slog.Logger) *RepScreenTool {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	t := &RepScreenTool{rep: rep, s: s, open: open, notice: notice, do: do, log: log.With("session", s.ID()), ctx: ctx, cancel: cancel}
	t.Button = widget.NewButtonWithIcon(showScreenLabel, theme.ComputerIcon(), t.tapped)
	t.Button.Hide()
	t.goWait(func() {
		rctx, cancel := context.WithTimeout(t.ctx, 30*time.Second)
		defer cancel()
		f, err := s.Functions(rctx)
		if err != nil {
			t.log.Warn("the session's functions cannot be read; not offering to show the screen", "err", err)
		}
		t.mu.Lock()
		t.record = f.RecordRepScreen
		t.mu.Unlock()
		t.do(func() { t.allow(err == nil && f.RepScreenSharing) })
	})
	return t
}

// Controls is what the screen panel shows ([ScreenPanel.AddTool]).
func (t *RepScreenTool) Controls() fyne.CanvasObject { return t.Button }

// allow shows the button, or hides it.
func (t *RepScreenTool) allow(on bool) {
	if on {
		t.Button.Show()
		t.Button.Enable()
		return
	}
	t.Button.Hide()
}

func (t *RepScreenTool) goWait(fn func()) {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		fn()
	}()
}

// tapped starts or stops showing, off the UI goroutine.
func (t *RepScreenTool) tapped() {
	t.mu.Lock()
	if t.busy || t.closed {
		t.mu.Unlock()
		return
	}
	t.busy = true
	t.mu.Unlock()
	t.Button.Disable()
	showing := t.s.Showing()
	t.goWait(func() {
		if showing {
			t.stop()
			t.say("You stopped showing your screen.")
		} else {
			t.start()
		}
		t.mu.Lock()
		t.busy = false
		t.mu.Unlock()
		now := t.s.Showing()
		t.do(func() {
			if now {
				t.Button.SetText(stopShowLabel)
			} else {
				t.Button.SetText(showScreenLabel)
			}
			t.Button.Enable()
		})
	})
}

func (t *RepScreenTool) start() {
	scr, closeScr, err := t.open()
	if err != nil {
		t.log.Warn("open the screen to show", "err", err)
		t.say("Your screen cannot be shown: " + err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(t.ctx, 30*time.Second)
	defer cancel()
	if err := t.s.ShowScreen(ctx, scr); err != nil {
		_ = closeScr()
		t.log.Warn("show the screen", "err", err)
		if errors.Is(err, client.ErrRepScreenOff) || client.IsCode(err, protocol.CodeForbidden) {
			t.do(func() { t.allow(false) })
		}
		t.say("Your screen is not shown: " + friendly(err))
		return
	}
	t.mu.Lock()
	t.closeScr = closeScr
	record := t.record
	t.mu.Unlock()
	if record {
		t.startRecording()
	}
	t.say("The customer now sees your screen.")
}

// startRecording records the shown screen into a temporary file.
func (t *RepScreenTool) startRecording() {
	f, err := os.CreateTemp("", "tandem-rep-screen-*.ivf")
	if err != nil {
		t.log.Error("not recording the rep's screen", "err", err)
		return
	}
	rec, err := t.s.RecordShown(f)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		t.log.Error("not recording the rep's screen", "err", err)
		return
	}
	t.log.Info("recording the rep's screen", "file", f.Name())
	t.mu.Lock()
	t.stopRec = func(ctx context.Context) error { return t.finishRecording(ctx, rec, f) }
	t.mu.Unlock()
}

// stop stops showing, closes the screen and uploads its recording.
func (t *RepScreenTool) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), uploadTimeout)
	defer cancel()
	t.mu.Lock()
	stopRec, closeScr := t.stopRec, t.closeScr
	t.stopRec, t.closeScr = nil, nil
	t.mu.Unlock()
	if stopRec != nil {
		// Before StopShowing: the recording's last frames come from the
		// running sharer.
		if err := stopRec(ctx); err != nil {
			t.log.Warn("upload the rep's screen recording", "err", err)
		}
	}
	if err := t.s.StopShowing(ctx); err != nil {
		t.log.Warn("stop showing the screen", "err", err)
	}
	if closeScr != nil {
		if err := closeScr(); err != nil {
			t.log.Warn("close the shown screen", "err", err)
		}
	}
}

func (t *RepScreenTool) say(text string) {
	if t.notice != nil {
		t.do(func() { t.notice(text) })
	}
}

// finishRecording closes the recording, uploads its file and deletes it.
func (t *RepScreenTool) finishRecording(ctx context.Context, rec *client.Recording, f *os.File) error {
	defer func() {
		f.Close()
		if err := os.Remove(f.Name()); err != nil {
			t.log.Warn("recording file not deleted", "file", f.Name(), "err", err)
		}
	}()
	if err := rec.Close(); err != nil {
		return fmt.Errorf("recording of the rep's screen: %w", err)
	}
	if rec.Frames() == 0 {
		return nil
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("recording of the rep's screen: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("recording of the rep's screen: %w", err)
	}
	err = t.rep.UploadRepScreenRecording(ctx, t.s.ID(), f, size)
	var perr *protocol.Error
	if errors.As(err, &perr) && perr.Code == protocol.CodeForbidden && strings.Contains(perr.Message, "does not record") {
		t.log.Info("the server does not keep this recording", "reason", perr.Message)
		return nil
	}
	if err != nil {
		return err
	}
	t.log.Info("rep's screen recording uploaded", "frames", rec.Frames(), "bytes", size)
	return nil
}

// Close stops showing (uploading the recording) and waits for the
// tool's work. It is idempotent; call it off the UI goroutine when the
// session ends.
func (t *RepScreenTool) Close() {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return
	}
	t.closed = true
	t.mu.Unlock()
	t.cancel()
	t.wg.Wait()
	if t.s.Showing() {
		t.stop()
	}
}

// repScreenSlot holds a session's RepScreenTool, made with the session's
// first screen panel on the UI goroutine and closed when the session's
// screen is done.
type repScreenSlot struct {
	mu   sync.Mutex
	tool *RepScreenTool
}

// repScreenTool returns the session's tool, making it the first time;
// on the UI goroutine.
func (r *repApp) repScreenTool(slot *repScreenSlot, s *client.Session, v *SessionView) *RepScreenTool {
	slot.mu.Lock()
	defer slot.mu.Unlock()
	if slot.tool == nil {
		slot.tool = NewRepScreenTool(r.rep, s, DefaultRepScreen(r.log), v.Chat.Notice, r.do, r.log)
	}
	return slot.tool
}

// close closes the tool, if one was made.
func (slot *repScreenSlot) close() {
	slot.mu.Lock()
	t := slot.tool
	slot.mu.Unlock()
	if t != nil {
		t.Close()
	}
}
