package ui

import (
	"context"
	"fmt"
	"image"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/input"
)

// ScreenPanel is a session's remote screen in the console: the remote
// view and its tools (fit or 1:1, monitor, statistics, Ctrl-Alt-Del, type
// the clipboard, full screen).
type ScreenPanel struct {
	View       *RemoteView
	Scale      *widget.RadioGroup
	Monitor    *widget.Select
	Stats      *widget.Check
	CtrlAltDel *widget.Button
	TypeClip   *widget.Button
	FullScreen *widget.Button
	// Service is the "Run as a service" button, nil until added (see
	// ShowService).
	Service *widget.Button
	Content fyne.CanvasObject

	tools *fyne.Container

	onMonitor func(int)
	monitors  []string
}

// Scale labels.
const (
	scaleFitLabel    = "Fit"
	scaleActualLabel = "1:1"
)

// NewScreenPanel returns the panel; onInput gets the rep's input while in
// control, onMonitor the monitor the rep picks.
func NewScreenPanel(win fyne.Window, onInput func(input.Event), onMonitor func(int)) *ScreenPanel {
	p := &ScreenPanel{View: NewRemoteView(onInput), onMonitor: onMonitor}
	p.Scale = widget.NewRadioGroup([]string{scaleFitLabel, scaleActualLabel}, func(s string) {
		if s == scaleActualLabel {
			p.View.SetScale(ScaleActual)
		} else {
			p.View.SetScale(ScaleFit)
		}
	})
	p.Scale.Horizontal = true
	p.Scale.Required = true
	p.Scale.SetSelected(scaleFitLabel)
	p.Monitor = widget.NewSelect(nil, func(s string) {
		for i, m := range p.monitors {
			if m == s && p.onMonitor != nil {
				p.onMonitor(i)
			}
		}
	})
	p.Monitor.PlaceHolder = "Monitor"
	p.Monitor.Disable()
	p.Stats = widget.NewCheck("Statistics", p.View.ShowStats)
	p.CtrlAltDel = widget.NewButton("Ctrl-Alt-Del", p.View.SendCtrlAltDel)
	p.TypeClip = widget.NewButtonWithIcon("Type clipboard", theme.ContentPasteIcon(), func() {
		p.View.TypeText(fyne.CurrentApp().Clipboard().Content())
	})
	p.FullScreen = widget.NewButtonWithIcon("", theme.ViewFullScreenIcon(), func() {
		if win != nil {
			win.SetFullScreen(!win.FullScreen())
		}
	})
	p.SetControl(false)
	// Two rows: how the picture is shown, and what the rep does to the
	// customer's computer (AddTool adds there), so that the panel stays
	// narrow enough for a laptop's screen.
	p.tools = container.NewHBox(p.CtrlAltDel, p.TypeClip)
	view := container.NewHBox(p.Scale, p.Monitor, p.Stats, p.FullScreen)
	p.Content = container.NewBorder(container.NewVBox(view, p.tools), nil, nil, nil, p.View)
	return p
}

// AddTool adds an action to the panel's toolbar, such as "Request
// elevation".
func (p *ScreenPanel) AddTool(o fyne.CanvasObject) { p.tools.Add(o) }

// SetControl turns input on the view on or off; the actions that inject
// need control.
func (p *ScreenPanel) SetControl(on bool) {
	p.View.SetControl(on)
	for _, b := range []*widget.Button{p.CtrlAltDel, p.TypeClip} {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// SetLayout shows the customer's monitors in the picker.
func (p *ScreenPanel) SetLayout(l client.ScreenLayout) {
	p.monitors = p.monitors[:0]
	for i, m := range l.Monitors {
		p.monitors = append(p.monitors, fmt.Sprintf("%d: %s %dx%d", i+1, m.Name, m.Bounds.Dx(), m.Bounds.Dy()))
	}
	p.Monitor.Options = p.monitors
	if l.Selected < len(l.Monitors) {
		p.View.SetOrigin(l.Monitors[l.Selected].Bounds.Min)
		p.Monitor.SetSelectedIndex(l.Selected)
	}
	if len(l.Monitors) > 1 {
		p.Monitor.Enable()
	} else {
		p.Monitor.Disable()
	}
}

// FormatStats is the overlay's text for stream figures.
func FormatStats(st client.VideoStats) string {
	return fmt.Sprintf("%v %dx%d\n%.0f fps  %.0f kbit/s\nRTT %.1f ms", st.Codec, st.Width, st.Height, st.FPS, st.Kbps,
		float64(st.RTT.Microseconds())/1000)
}

// StreamScreen feeds the panel from a rep's view of the customer's
// screen until ctx ends: pictures, the pointer, the monitor layout and,
// once a second, the statistics. do runs a function on the UI goroutine.
func StreamScreen(ctx context.Context, p *ScreenPanel, rs *client.RemoteScreen, do func(func())) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var shape *image.RGBA
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-rs.Frames():
			p.View.SetFrame(f.Image)
		case c := <-rs.Cursor():
			if c.Shape != shape && c.Shape != nil {
				shape = c.Shape
				p.View.SetCursorShape(c.Shape, c.Hotspot)
			}
			p.View.SetCursor(c.Position, c.Visible)
		case l := <-rs.Layout():
			do(func() { p.SetLayout(l) })
		case <-tick.C:
			p.View.SetStats(FormatStats(rs.Stats()))
		}
	}
}
