package ui

import (
	"image"
	"log/slog"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/ui/overlay"
)

// DefaultAnnotationWidth is the width of an Annotator's strokes until
// SetWidth, in pixels of the customer's screen.
const DefaultAnnotationWidth = 4

// Annotator turns the rep's drags over the remote view into annotations
// on the customer's screen while annotate mode is on: a drag is drawn
// live, one short stroke per pointer move, each starting where the
// previous one ended; a click without a move is a dot. Its controls are
// a mode toggle, an ink choice and a Clear button. Points are in the
// customer's desktop coordinates, as [RemoteView] maps them for input.
// Its methods run on the UI goroutine.
type Annotator struct {
	// Toggle turns annotate mode on and off.
	Toggle *widget.Check
	// Ink picks the strokes' colour from client.Inks.
	Ink *widget.Select
	// ClearButton wipes what was drawn.
	ClearButton *widget.Button

	send    func(client.Annotation) error
	onError func(error)
	ink     client.Ink
	width   int
	drawing bool
	moved   bool
	last    image.Point
}

// NewAnnotator returns an annotator, off, in red. send delivers an
// annotation to the customer (the customer's [client.Peer.Annotate]);
// onError, which may be nil, is told when send fails.
func NewAnnotator(send func(client.Annotation) error, onError func(error)) *Annotator {
	a := &Annotator{send: send, onError: onError, ink: client.InkRed, width: DefaultAnnotationWidth}
	a.Toggle = widget.NewCheck("Annotate", func(on bool) {
		if !on {
			a.End()
		}
	})
	names := make([]string, 0, len(client.Inks()))
	for _, c := range client.Inks() {
		names = append(names, inkLabel(c))
	}
	a.Ink = widget.NewSelect(names, func(s string) {
		for _, c := range client.Inks() {
			if inkLabel(c) == s {
				a.ink = c
			}
		}
	})
	a.Ink.SetSelected(inkLabel(a.ink))
	a.ClearButton = widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), func() { _ = a.Clear() })
	return a
}

// inkLabel is an ink's name as the console shows it: "Red".
func inkLabel(c client.Ink) string {
	s := c.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

// Controls returns the annotator's toolbar: toggle, ink and Clear, for
// [ScreenPanel.AddTool].
func (a *Annotator) Controls() fyne.CanvasObject {
	return container.NewHBox(a.Toggle, a.Ink, a.ClearButton)
}

// On reports whether annotate mode is on: the remote view's drags then
// draw instead of sending input.
func (a *Annotator) On() bool { return a.Toggle.Checked }

// SetOn turns annotate mode on or off; off ends a drag being drawn.
func (a *Annotator) SetOn(on bool) { a.Toggle.SetChecked(on) }

// SetInk picks the colour of the next strokes; an ink not in the palette
// is ignored.
func (a *Annotator) SetInk(c client.Ink) {
	if c.RGBA().A != 0 {
		a.Ink.SetSelected(inkLabel(c))
	}
}

// SetWidth sets the width of the next strokes, held to
// client.MinAnnotationWidth..client.MaxAnnotationWidth.
func (a *Annotator) SetWidth(w int) {
	a.width = min(max(w, client.MinAnnotationWidth), client.MaxAnnotationWidth)
}

// Begin starts a drag at p, the customer's desktop coordinates (the
// rep pressed the button over the picture). Nothing happens unless
// annotate mode is on.
func (a *Annotator) Begin(p image.Point) {
	if !a.On() {
		return
	}
	a.drawing, a.moved, a.last = true, false, p
}

// Move continues the drag to p: the segment from the previous point is
// sent at once.
func (a *Annotator) Move(p image.Point) {
	if !a.drawing || p == a.last {
		return
	}
	a.stroke(a.last, p)
	a.last, a.moved = p, true
}

// End ends the drag; a drag that never moved is sent as a dot.
func (a *Annotator) End() {
	if !a.drawing {
		return
	}
	a.drawing = false
	if !a.moved {
		a.stroke(a.last)
	}
}

// Clear wipes every stroke on the customer's screen, in any mode.
func (a *Annotator) Clear() error {
	return a.deliver(client.Annotation{Kind: client.AnnotationClear})
}

func (a *Annotator) stroke(pts ...image.Point) {
	_ = a.deliver(client.Annotation{Kind: client.AnnotationStroke, Ink: a.ink, Width: a.width, Points: pts})
}

func (a *Annotator) deliver(an client.Annotation) error {
	if a.send == nil {
		return nil
	}
	err := a.send(an)
	if err != nil && a.onError != nil {
		a.onError(err)
	}
	return err
}

// annotationPoint maps a point of the view to the customer's desktop
// coordinates as pointer input does, held to the picture's edge; ok is
// false without a frame. UI goroutine.
func (v *RemoteView) annotationPoint(pos fyne.Position) (image.Point, bool) {
	p, ok := v.toFrame(pos, true)
	if !ok {
		return image.Point{}, false
	}
	return v.origin.Add(p), true
}

// AnnotationLayer shows the reps' annotations on the customer's desktop
// (package ui/overlay). The overlay is made with the first annotation, so
// a session nobody draws in opens no window; if it cannot be made (no X
// display, another OS) the error is returned for that and every later
// annotation without trying again. It is safe for concurrent use.
type AnnotationLayer struct {
	display string
	log     *slog.Logger

	mu     sync.Mutex
	ov     *overlay.Overlay
	err    error // why the overlay could not be made
	closed bool
}

// NewAnnotationLayer returns a layer on the X display (empty means
// $DISPLAY); log may be nil.
func NewAnnotationLayer(display string, log *slog.Logger) *AnnotationLayer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &AnnotationLayer{display: display, log: log}
}

// Apply draws a stroke or wipes the strokes, as an
// [client.AnnotationReceived] carries it. It returns once the stroke is
// on the screen.
func (l *AnnotationLayer) Apply(a client.Annotation) error {
	if err := a.Validate(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return overlay.ErrClosed
	}
	if a.Kind == client.AnnotationClear {
		if l.ov == nil {
			return nil
		}
		return l.ov.Clear()
	}
	if l.ov == nil {
		if l.err != nil {
			return l.err
		}
		ov, err := overlay.Show(l.display, l.log)
		if err != nil {
			l.err = err
			return err
		}
		l.ov = ov
	}
	return l.ov.Draw(overlay.Stroke{Points: a.Points, Color: a.Ink.RGBA(), Width: a.Width})
}

// Clear wipes every stroke (when the rep's control ends); the overlay
// stays for later annotations.
func (l *AnnotationLayer) Clear() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ov == nil || l.closed {
		return nil
	}
	return l.ov.Clear()
}

// Close removes the overlay (at the session's end). It may be called
// more than once; later annotations are refused.
func (l *AnnotationLayer) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.ov == nil {
		return nil
	}
	return l.ov.Close()
}
