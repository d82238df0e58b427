package ui

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/internal/x11win"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/ui/notify"
)

// AlertWindowTitle is the title of the alert's own window, by which the
// desktop (and a test) can find it.
const AlertWindowTitle = "Tandem — customer waiting"

// Alert announces a session which arrived in (or was transferred to) the
// rep's queues: a small window at the lower right of the screen, kept above
// the others, and a desktop notification. Clicking either accepts the
// session; the window's Dismiss closes both.
//
// With a desktop driver the pop-up is a window of its own, placed through
// internal/x11win on X11 (elsewhere it shows where the toolkit puts it).
// With Fyne's test driver, which has no desktop to place windows on, it is
// a pop-up at the lower right of the console's canvas, so that tests can
// drive the same widgets.
type Alert struct {
	Session protocol.SessionInfo
	Title   *widget.Label
	Body    *widget.Label
	Accept  *widget.Button
	Dismiss *widget.Button
	// PopUp is the pop-up in the console's canvas (test driver); nil when
	// the alert has a window of its own.
	PopUp *widget.PopUp
	// Window is the alert's own window (desktop driver); nil with PopUp.
	Window fyne.Window

	card     *alertCard
	onAccept func()
	out      *alertOutlets
	// mu guards the fields below: the notification's goroutines and
	// Fyne's test driver, whose fyne.Do runs on the caller's goroutine,
	// reach them from outside the Fyne goroutine.
	mu      sync.Mutex
	done    bool
	noteID  notify.ID
	noted   bool
	visible bool
}

// AlertOptions are what the console's alerts use beyond Fyne.
type AlertOptions struct {
	// Notifier shows the desktop notifications; optional, nil shows none.
	// The console does not close it.
	Notifier *notify.Notifier
	// Log receives what goes wrong placing windows and showing
	// notifications; optional, nil discards.
	Log *slog.Logger
	// Display is the X display the alert window is placed on; optional,
	// zero means $DISPLAY.
	Display string
}

// alertOutlets is a console's AlertOptions with the goroutines they start.
type alertOutlets struct {
	AlertOptions
	wg sync.WaitGroup
}

// SetAlerts sets how the console's alerts reach the rep beyond their
// pop-up: the desktop notification and the logger.
func (c *Console) SetAlerts(o AlertOptions) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Display == "" {
		o.Display = os.Getenv("DISPLAY")
	}
	c.alertOut = &alertOutlets{AlertOptions: o}
}

// WaitAlerts waits for the goroutines the alerts started (placing
// windows, showing and withdrawing notifications); each ends within
// seconds on its own.
func (c *Console) WaitAlerts() {
	if c.alertOut != nil {
		c.alertOut.wg.Wait()
	}
}

// alertCard is the alert's content; a click anywhere on it accepts.
type alertCard struct {
	widget.BaseWidget
	content fyne.CanvasObject
	onTap   func()
}

func (a *alertCard) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	bg.StrokeColor = theme.Color(theme.ColorNamePrimary)
	bg.StrokeWidth = 2
	bg.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	return widget.NewSimpleRenderer(container.NewStack(bg, container.NewPadded(a.content)))
}

// Tapped accepts.
func (a *alertCard) Tapped(*fyne.PointEvent) { a.onTap() }

// alertSize is the pop-up's size.
var alertSize = fyne.NewSize(340, 130)

// alertMargin is the distance of the alert window from the screen's edges.
const alertMargin = 16

// alertPlaceTimeout bounds how long the alert's window is placed for: the
// window manager acts on its own time.
const alertPlaceTimeout = 10 * time.Second

// showAlert shows the alert for s on the console; onAccept runs on the
// Fyne goroutine when the rep clicks the pop-up, its Accept button or the
// desktop notification.
func showAlert(c *Console, s protocol.SessionInfo, transferred bool, onAccept func()) *Alert {
	if c.alertOut == nil {
		c.SetAlerts(AlertOptions{})
	}
	out := c.alertOut
	a := &Alert{Session: s, onAccept: onAccept, out: out, visible: true}
	title := "A customer is waiting"
	if transferred {
		title = "A session was transferred to you"
	}
	a.Title = widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	body := s.CustomerName
	if s.Question != "" {
		body += " — " + s.Question
	}
	a.Body = widget.NewLabel(body)
	a.Body.Truncation = fyne.TextTruncateEllipsis
	a.Accept = widget.NewButtonWithIcon("Accept", theme.ConfirmIcon(), a.accept)
	a.Accept.Importance = widget.HighImportance
	a.Dismiss = widget.NewButtonWithIcon("", theme.CancelIcon(), a.Hide)
	a.Dismiss.Importance = widget.LowImportance
	a.card = &alertCard{
		content: container.NewBorder(container.NewBorder(nil, nil, nil, a.Dismiss, a.Title), container.NewHBox(a.Accept), nil, nil, a.Body),
		onTap:   a.accept,
	}
	a.card.ExtendBaseWidget(a.card)

	if drv, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok {
		a.showWindow(drv)
	} else {
		cv := c.win.Canvas()
		a.PopUp = widget.NewPopUp(a.card, cv)
		a.PopUp.Resize(alertSize)
		pad := theme.Padding() * 2
		cs := cv.Size()
		a.PopUp.ShowAtPosition(fyne.NewPos(max(0, cs.Width-alertSize.Width-pad), max(0, cs.Height-alertSize.Height-pad)))
	}
	return a
}

// showWindow shows the alert in a borderless window of its own and places
// it at the lower right of the screen, above the other windows.
func (a *Alert) showWindow(drv desktop.Driver) {
	w := drv.CreateSplashWindow()
	w.SetTitle(AlertWindowTitle)
	w.SetContent(a.card)
	w.Resize(alertSize)
	w.SetFixedSize(true)
	w.SetOnClosed(func() {
		if a.Window == w {
			a.Window = nil
		}
		a.Hide()
	})
	// The window that has the focus now keeps it: the toolkit and the
	// window manager give a new window the focus, and the rep may be typing.
	prev, _ := x11win.Active(context.Background(), a.out.Display)
	w.Show()
	a.Window = w
	var id x11win.Window
	if nw, ok := w.(driver.NativeWindow); ok {
		nw.RunNative(func(ctx any) {
			if x, ok := ctx.(driver.X11WindowContext); ok {
				id = x11win.Window(x.WindowHandle)
			}
		})
	}
	if id == 0 {
		return // not X11: the window shows where the toolkit put it
	}
	out := a.out
	out.wg.Add(1)
	go func() {
		defer out.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), alertPlaceTimeout)
		defer cancel()
		// The first map is done; the hint keeps later ones from taking the
		// focus from the rep's typing.
		if err := x11win.NoFocusOnMap(ctx, out.Display, id); err != nil {
			out.Log.Warn("alert window: no-focus hint", "err", err)
		}
		if err := x11win.MoveToCorner(ctx, out.Display, id, x11win.CornerBottomRight, alertMargin); err != nil {
			out.Log.Warn("alert window: place at the lower right", "err", err)
		}
		if err := x11win.KeepAbove(ctx, out.Display, id); err != nil {
			out.Log.Warn("alert window: keep above", "err", err)
		}
		if cur, err := x11win.Active(ctx, out.Display); err == nil && cur == id && prev != 0 && prev != id {
			if err := x11win.Activate(ctx, out.Display, prev); err != nil {
				out.Log.Warn("alert window: give the focus back", "err", err)
			}
		}
	}()
}

// announce shows the desktop notification, whose click accepts. The
// console calls it once it holds the alert: the click may come at once.
func (a *Alert) announce() {
	title, body := a.Title.Text, a.Body.Text
	n := a.out.Notifier
	if n == nil {
		return
	}
	out := a.out
	out.wg.Add(1)
	go func() {
		defer out.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), alertPlaceTimeout)
		defer cancel()
		id, err := n.Notify(ctx, notify.Notification{Title: title, Body: body, Action: "Accept"}, notify.Callbacks{
			OnAction: func() { fyne.Do(a.accept) },
			OnClosed: a.forgetNote,
		})
		if err != nil {
			out.Log.Warn("alert: desktop notification", "session", a.Session.ID, "err", err)
			return
		}
		a.mu.Lock()
		a.noteID, a.noted = id, true
		done := a.done
		a.mu.Unlock()
		if done {
			a.withdraw() // accepted or dismissed meanwhile
		}
	}()
}

// forgetNote drops the notification the server closed.
func (a *Alert) forgetNote() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.noted = false
}

// withdraw takes the desktop notification away.
func (a *Alert) withdraw() {
	a.mu.Lock()
	noted, id := a.noted, a.noteID
	a.noted = false
	a.mu.Unlock()
	if !noted || a.out.Notifier == nil {
		return
	}
	n, out := a.out.Notifier, a.out
	out.wg.Add(1)
	go func() {
		defer out.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), alertPlaceTimeout)
		defer cancel()
		if err := n.Withdraw(ctx, id); err != nil {
			out.Log.Warn("alert: withdraw the desktop notification", "session", a.Session.ID, "err", err)
		}
	}()
}

// accept hides the alert and accepts the session, once.
func (a *Alert) accept() {
	a.mu.Lock()
	done := a.done
	a.done = true
	a.mu.Unlock()
	if done {
		return
	}
	a.Hide()
	a.onAccept()
}

// Hide closes the pop-up (or window) and withdraws the notification. It is
// idempotent.
func (a *Alert) Hide() {
	a.mu.Lock()
	a.done, a.visible = true, false
	a.mu.Unlock()
	if a.PopUp != nil {
		a.PopUp.Hide()
	}
	if w := a.Window; w != nil {
		a.Window = nil
		w.Close()
	}
	a.withdraw()
}

// Visible reports whether the alert still shows.
func (a *Alert) Visible() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.visible
}

// Tap clicks the pop-up itself (not one of its buttons).
func (a *Alert) Tap() { a.card.Tapped(&fyne.PointEvent{}) }
