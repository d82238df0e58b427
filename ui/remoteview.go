package ui

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/draw"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/input"
)

// How the remote view works: the rep's picture of the customer's screen
// and the source of the rep's remote-control input.
//
// # Drawing
//
// A decoded frame (4:2:0 *image.YCbCr, BT.601 limited range as package
// capture produces it) is converted on the caller's goroutine into an
// *image.RGBA the view owns, shown by one canvas.Image with
// canvas.ImageScaleFastest. Fyne's GL painter uploads an *image.RGBA's
// pixels to a texture as they are (no copy) and, at ImageScaleFastest,
// leaves the scaling to the GPU (linear filtering); a canvas.Raster would
// instead ask for a picture at the widget's pixel size, which means scaling
// 1080p on the CPU for every frame. The view cycles three buffers: the one
// shown, at most one converted frame waiting for the UI, and the one being
// converted into. When frames come faster than the UI draws, a newly
// converted frame replaces the waiting one, whose buffer is reused, so only
// the newest frame is drawn and no buffer is allocated in the steady state.
// A buffer goes back to the decoder only after the UI goroutine has
// replaced it on screen; Fyne paints on that same goroutine, so the painter
// never reads a buffer being written. Each buffer remembers the planes it
// was converted from, so a frame converts only the rows that changed since
// that buffer's last frame (on the 2-core build machine: about 0.15 ms for
// an unchanged 1080p frame, 0.4 ms for a typed line, 7–15 ms when
// everything changes; see BenchmarkSetFrame1080p). The conversion is split
// over up to four cores.
//
// # Scaling
//
// ScaleFit scales the picture to the widget keeping its aspect ratio,
// centred, with black bars. ScaleActual shows one frame pixel per screen
// pixel (the canvas scale is honoured); a smaller picture is centred, a
// larger one is panned: when the pointer comes within panEdge of a side
// beyond which there is more picture, the view scrolls toward that side, the
// further into the band the faster. The view has no scroll bars, because
// the wheel belongs to the remote screen. The view clips what lies outside
// it (Fyne clips every fyne.Scrollable).
//
// # Input
//
// Only while control is on does the view emit events. A point of the widget
// maps through the scaling (and pan) to a pixel of the frame and then, by
// the captured monitor's origin, to desktop coordinates. Moves outside the
// picture (over the bars) send nothing; a drag that leaves the picture is
// held at its edge.
//
// Keys: a key is named by its position (input.Key, KeyboardEvent.code): on
// Linux by its scan code, elsewhere by Fyne's key name, which follows the
// rep's layout for letters. The view tracks which keys it has sent down and
// derives the modifier state (input.Mods) from them. Modifier keys always go as key
// events, so Shift-click and Ctrl-drag work. A printable key (letters,
// digits, punctuation, space) pressed with no Control, Alt or Meta held is
// not sent as a key: the character the rep's layout made of it arrives
// through TypedRune and goes as text, so é, ß and 中 arrive as typed. With
// Control, Alt or Meta held it goes as a key (Ctrl-C, Alt-F4) and the
// character, if any, is dropped. AltRight counts as AltGraph, not Alt, for
// this rule, so AltGr-Q on a German layout types "@". Every other key
// (Enter, arrows, F-keys, numpad) goes as a key, and a character that
// arrives while such a key was the last one pressed is dropped. Caps Lock is
// not sent: the rep's Caps Lock already shapes the text. Auto-repeat is left
// to the customer's system for keys held down; repeated characters arrive
// as repeated text. When the view loses focus it releases what it holds.
// In control the view takes the focus on a click and keeps key combinations
// from the window's shortcuts; view-only it never takes the focus.
//
// The wheel goes in steps, one per notch, on both axes; touchpad fractions
// add up to steps. It turns wherever the remote pointer is, after a move
// to the pointer's place when it is over the picture.

// ScaleMode says how the remote view fits the remote screen into itself.
type ScaleMode int

// Scale modes.
const (
	ScaleUnknown ScaleMode = iota
	// ScaleFit scales the picture to the view keeping its aspect ratio,
	// centred between black bars.
	ScaleFit
	// ScaleActual shows the picture 1:1, panned when larger than the view.
	ScaleActual

	scaleEnd
)

var scaleNames = [...]string{ScaleUnknown: "unknown", ScaleFit: "fit", ScaleActual: "actual"}

// String returns the mode's name, such as "fit".
func (m ScaleMode) String() string {
	if m < 0 || m >= scaleEnd {
		return "unknown"
	}
	return scaleNames[m]
}

// MarshalText implements encoding.TextMarshaler.
func (m ScaleMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

const (
	// maxFramePixels bounds the frames the view accepts (8K).
	maxFramePixels = 7680 * 4320
	// maxSpare bounds the frame buffers kept for reuse.
	maxSpare = 2
	// maxCursorSide bounds the cursor shapes the view accepts.
	maxCursorSide = 512
	// panEdge is the band, in Fyne units, along the view's sides where the
	// pointer pans a picture larger than the view.
	panEdge = 32
	// minCursorScale keeps the remote cursor readable when the picture is
	// scaled down a lot.
	minCursorScale = 0.75
	// statsPad is the stats overlay's distance from the corner and its
	// inner margin.
	statsPad = 6
	// statsTextSize is the overlay's text size.
	statsTextSize = 12
)

// wheelUnit is how many Fyne units one wheel notch scrolls: GLFW reports a
// notch as 1, which Fyne multiplies by its scroll speed (25, or 10 on
// macOS, where touchpads send fractions).
var wheelUnit = func() float32 {
	if runtime.GOOS == "darwin" {
		return 10
	}
	return 25
}()

// RemoteView shows the customer's screen and turns the rep's mouse and
// keyboard into input events while control is on. Create it with
// NewRemoteView. SetFrame, SetCursor, SetCursorShape, SetOrigin and SetStats
// may be called from any goroutine; the other methods belong to the UI
// goroutine. How it draws, scales and maps input is described at the top
// of remoteview.go.
//
// Under Fyne's test driver fyne.Do runs its function at once on the
// caller's goroutine, so tests should call SetFrame and the other setters
// from the test goroutine.
type RemoteView struct {
	widget.BaseWidget

	// ann, when set and on, takes the primary button's drags as
	// annotation strokes instead of input; annotating is true during one.
	ann        *Annotator
	annotating bool

	onInput func(input.Event)
	// do runs a function on the UI goroutine; fyne.Do but for tests.
	do func(func())

	mu        sync.Mutex
	remote    remoteState // guarded by mu: the newest state from the network
	scheduled bool        // guarded by mu: an apply is queued
	spare     []*frameBuf // guarded by mu: buffers free for the decoder
	dropped   uint64      // guarded by mu: frames replaced before shown

	// The rest belongs to the UI goroutine.
	frame      *frameBuf // shown; nil before the first frame
	origin     image.Point
	cursorPos  image.Point
	cursorOn   bool
	cursorImg  *image.RGBA
	cursorHot  image.Point
	stats      string
	statsShown bool
	mode       ScaleMode
	pan        image.Point // frame pixels; ScaleActual only
	control    bool

	lastMove  image.Point
	moved     bool
	buttons   map[input.Button]bool
	keys      []input.Key // sent down, in order
	textKeys  map[input.Key]bool
	lastKey   input.Key // the last key sent down while it is held
	wheelRest fyne.Delta

	bg         *canvas.Rectangle
	picture    *canvas.Image
	cursor     *canvas.Image
	statsBg    *canvas.Rectangle
	statsLines *fyne.Container
}

// remoteState is what the network side has set and the UI not yet applied.
type remoteState struct {
	frame      *frameBuf // a converted frame waiting, or nil
	clear      bool      // SetFrame(nil) since the last apply
	origin     image.Point
	cursorPos  image.Point
	cursorOn   bool
	cursorImg  *image.RGBA // defaultArrow until the customer sends a shape
	cursorHot  image.Point
	cursorSeen bool // a shape was set since the last apply
	stats      string
}

var (
	_ desktop.Hoverable = (*RemoteView)(nil)
	_ desktop.Mouseable = (*RemoteView)(nil)
	_ desktop.Keyable   = (*RemoteView)(nil)
	_ fyne.Scrollable   = (*RemoteView)(nil)
	_ fyne.Draggable    = (*RemoteView)(nil)
	_ fyne.Tappable     = (*RemoteView)(nil)
	_ fyne.Tabbable     = (*RemoteView)(nil)
	_ fyne.Shortcutable = (*RemoteView)(nil)
)

// NewRemoteView returns a view in ScaleFit with control off. onInput
// receives every input event while control is on, on the UI goroutine; it
// must not block.
func NewRemoteView(onInput func(input.Event)) *RemoteView {
	v := &RemoteView{
		onInput:  onInput,
		do:       fyne.Do,
		mode:     ScaleFit,
		buttons:  map[input.Button]bool{},
		textKeys: map[input.Key]bool{},
		bg:       canvas.NewRectangle(color.Black),
		picture:  &canvas.Image{FillMode: canvas.ImageFillStretch, ScaleMode: canvas.ImageScaleFastest},
		cursor:   &canvas.Image{FillMode: canvas.ImageFillStretch, ScaleMode: canvas.ImageScaleFastest},
		statsBg:  canvas.NewRectangle(color.NRGBA{A: 0xa0}),
	}
	v.cursorImg = defaultArrow
	v.remote.cursorImg = defaultArrow
	v.statsLines = &fyne.Container{}
	v.picture.Hide()
	v.cursor.Hide()
	v.statsBg.Hide()
	v.statsLines.Hide()
	v.ExtendBaseWidget(v)
	return v
}

// CreateRenderer implements fyne.Widget.
func (v *RemoteView) CreateRenderer() fyne.WidgetRenderer {
	return &remoteViewRenderer{v: v, objects: []fyne.CanvasObject{v.bg, v.picture, v.cursor, v.statsBg, v.statsLines}}
}

// SetFrame shows img, a decoded frame of the captured monitor; nil clears
// the view. It may be called from any goroutine: it converts the frame to
// RGBA on the caller's goroutine and lets the UI goroutine show it. Frames
// larger than 8K are ignored. The view keeps no reference to img.
func (v *RemoteView) SetFrame(img *image.YCbCr) {
	if img == nil || img.Rect.Empty() {
		v.mu.Lock()
		if v.remote.frame != nil {
			v.recycle(v.remote.frame)
			v.remote.frame = nil
		}
		v.remote.clear = true
		v.mu.Unlock()
		v.schedule()
		return
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w*h > maxFramePixels {
		return
	}
	// The waiting frame, if any, stays available to the UI while this one
	// converts; taking its buffer back would starve the UI whenever frames
	// come faster than they convert.
	var buf *frameBuf
	v.mu.Lock()
	if n := len(v.spare); n > 0 {
		buf = v.spare[n-1]
		v.spare = v.spare[:n-1]
	}
	v.mu.Unlock()
	if buf == nil {
		buf = &frameBuf{}
	}
	buf.convert(img)

	v.mu.Lock()
	if old := v.remote.frame; old != nil {
		v.recycle(old)
		v.dropped++
	}
	v.remote.frame = buf
	v.remote.clear = false
	v.mu.Unlock()
	v.schedule()
}

// recycle keeps b for a later frame; v.mu is held.
func (v *RemoteView) recycle(b *frameBuf) {
	if len(v.spare) < maxSpare {
		v.spare = append(v.spare, b)
	}
}

// SetCursor places the remote pointer at pos, in the frame's pixels (the
// captured monitor's coordinates), and shows or hides it. It may be called
// from any goroutine.
func (v *RemoteView) SetCursor(pos image.Point, visible bool) {
	v.mu.Lock()
	v.remote.cursorPos, v.remote.cursorOn = pos, visible
	v.mu.Unlock()
	v.schedule()
}

// SetCursorShape sets the remote pointer's image and its hotspot; nil, an
// empty image or one larger than 512 pixels a side selects a plain arrow. It
// may be called from any goroutine; the view copies img.
func (v *RemoteView) SetCursorShape(img image.Image, hotspot image.Point) {
	shape, hot := defaultArrow, image.Point{}
	if img != nil {
		b := img.Bounds()
		if !b.Empty() && b.Dx() <= maxCursorSide && b.Dy() <= maxCursorSide {
			shape = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
			draw.Draw(shape, shape.Rect, img, b.Min, draw.Src)
			hot = hotspot
		}
	}
	v.mu.Lock()
	v.remote.cursorImg, v.remote.cursorHot, v.remote.cursorSeen = shape, hot, true
	v.mu.Unlock()
	v.schedule()
}

// SetOrigin sets the captured monitor's top-left corner in desktop
// coordinates; pointer events carry origin plus the frame point. It may be
// called from any goroutine.
func (v *RemoteView) SetOrigin(p image.Point) {
	v.mu.Lock()
	v.remote.origin = p
	v.mu.Unlock()
	v.schedule()
}

// SetStats sets the text of the stats overlay, one line per "\n". It may be
// called from any goroutine.
func (v *RemoteView) SetStats(text string) {
	v.mu.Lock()
	v.remote.stats = text
	v.mu.Unlock()
	v.schedule()
}

// ShowStats shows or hides the stats overlay in the view's top-left corner.
func (v *RemoteView) ShowStats(show bool) {
	v.statsShown = show
	v.Refresh()
}

// StatsShown reports whether the stats overlay is on.
func (v *RemoteView) StatsShown() bool { return v.statsShown }

// SetScale selects how the picture fits the view; ScaleUnknown and unknown
// values select ScaleFit.
func (v *RemoteView) SetScale(m ScaleMode) {
	if m != ScaleActual {
		m = ScaleFit
	}
	v.mode = m
	v.Refresh()
}

// Scale returns the current scale mode.
func (v *RemoteView) Scale() ScaleMode { return v.mode }

// SetControl turns input on or off. Turning it off forgets the keys and
// buttons held without sending their release (the customer side releases
// what it holds when control ends) and gives up the keyboard focus.
func (v *RemoteView) SetControl(on bool) {
	v.control = on
	if !on {
		if c := v.canvas(); c != nil && c.Focused() == v {
			c.Unfocus()
		}
	}
	v.keys = v.keys[:0]
	clear(v.textKeys)
	clear(v.buttons)
	v.lastKey = input.KeyUnknown
	v.moved = false
	v.wheelRest = fyne.Delta{}
}

// Control reports whether the view sends input.
func (v *RemoteView) Control() bool { return v.control }

// FrameSize returns the size of the frame shown, or zero before the first.
func (v *RemoteView) FrameSize() image.Point {
	if v.frame == nil {
		return image.Point{}
	}
	return v.frame.rgba.Rect.Size()
}

// Dropped returns how many frames were replaced by a newer one before the
// UI showed them.
func (v *RemoteView) Dropped() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.dropped
}

// SendCtrlAltDel sends the secure attention sequence while control is on.
func (v *RemoteView) SendCtrlAltDel() {
	v.emit(input.Event{Kind: input.KindSecureAttention})
}

// TypeText types s on the customer's machine while control is on, as text
// events (package input splits long text; control characters other than
// tab and line breaks are dropped). It is how the clipboard is typed.
func (v *RemoteView) TypeText(s string) {
	for _, ev := range input.TextEvents(s) {
		v.emit(ev)
	}
}

// schedule queues one apply on the UI goroutine unless one is queued.
func (v *RemoteView) schedule() {
	v.mu.Lock()
	if v.scheduled {
		v.mu.Unlock()
		return
	}
	v.scheduled = true
	v.mu.Unlock()
	v.do(v.apply)
}

// apply brings the network side's state onto the screen; UI goroutine.
func (v *RemoteView) apply() {
	v.mu.Lock()
	st := v.remote
	v.remote.frame = nil
	v.remote.clear = false
	v.remote.cursorSeen = false
	v.scheduled = false
	v.mu.Unlock()

	relayout := st.stats != v.stats
	v.origin = st.origin
	v.stats = st.stats
	cursorMoved := st.cursorPos != v.cursorPos || st.cursorOn != v.cursorOn
	v.cursorPos, v.cursorOn = st.cursorPos, st.cursorOn
	if st.cursorSeen {
		v.cursorImg, v.cursorHot = st.cursorImg, st.cursorHot
		v.cursor.Image = v.cursorImg
		v.cursor.Refresh()
		cursorMoved = true
	}

	var old *frameBuf
	switch {
	case st.frame != nil:
		old = v.frame
		if old == nil || old.rgba.Rect != st.frame.rgba.Rect {
			relayout = true
		}
		v.frame = st.frame
		v.picture.Image = st.frame.rgba
		v.picture.Refresh()
	case st.clear && v.frame != nil:
		old = v.frame
		v.frame = nil
		v.picture.Image = nil
		relayout = true
	}
	if old != nil {
		v.mu.Lock()
		v.recycle(old)
		v.mu.Unlock()
	}
	switch {
	case relayout:
		v.Refresh()
	case cursorMoved: // the pointer moves often: place only the cursor
		if pos, unit, ok := v.placement(v.Size()); ok {
			v.layoutCursor(pos, unit)
		} else {
			v.cursor.Hide()
		}
		canvas.Refresh(v.cursor)
	}
}

// pixScale returns the canvas's pixels per Fyne unit, 1 if not shown yet.
func (v *RemoteView) pixScale() float32 {
	if c := v.canvas(); c != nil && c.Scale() > 0 {
		return c.Scale()
	}
	return 1
}

// placement returns where the picture's top-left corner lies in the view
// and how many Fyne units one frame pixel takes, for a view of size. ok is
// false without a frame.
func (v *RemoteView) placement(size fyne.Size) (pos fyne.Position, unit float32, ok bool) {
	if v.frame == nil || size.Width <= 0 || size.Height <= 0 {
		return pos, 0, false
	}
	fw, fh := float32(v.frame.rgba.Rect.Dx()), float32(v.frame.rgba.Rect.Dy())
	if v.mode == ScaleActual {
		unit = 1 / v.pixScale()
	} else {
		unit = min(size.Width/fw, size.Height/fh)
	}
	pw, ph := fw*unit, fh*unit
	v.pan = clampPan(v.pan, v.frame.rgba.Rect.Size(), size, unit)
	pos.X = (size.Width - pw) / 2
	if pw > size.Width {
		pos.X = -float32(v.pan.X) * unit
	}
	pos.Y = (size.Height - ph) / 2
	if ph > size.Height {
		pos.Y = -float32(v.pan.Y) * unit
	}
	return pos, unit, true
}

// clampPan keeps the pan within what a frame of size fs can scroll in a
// view of size vs; zero on an axis where the picture fits.
func clampPan(p, fs image.Point, vs fyne.Size, unit float32) image.Point {
	maxX := max(0, fs.X-int(vs.Width/unit))
	maxY := max(0, fs.Y-int(vs.Height/unit))
	return image.Pt(min(max(p.X, 0), maxX), min(max(p.Y, 0), maxY))
}

// toFrame maps a point of the view to a frame pixel. ok is false without a
// frame, or when the point is outside the picture and clamp is false; with
// clamp the point is held at the picture's edge.
func (v *RemoteView) toFrame(p fyne.Position, clamp bool) (image.Point, bool) {
	pos, unit, ok := v.placement(v.Size())
	if !ok {
		return image.Point{}, false
	}
	fs := v.frame.rgba.Rect.Size()
	x := int(math.Floor(float64(p.X-pos.X) / float64(unit)))
	y := int(math.Floor(float64(p.Y-pos.Y) / float64(unit)))
	if x < 0 || y < 0 || x >= fs.X || y >= fs.Y {
		if !clamp {
			return image.Point{}, false
		}
		x, y = min(max(x, 0), fs.X-1), min(max(y, 0), fs.Y-1)
	}
	return image.Pt(x, y), true
}

// panToward scrolls a picture larger than the view when p is near a side.
func (v *RemoteView) panToward(p fyne.Position) {
	if v.mode != ScaleActual || v.frame == nil {
		return
	}
	size := v.Size()
	_, unit, _ := v.placement(size)
	step := func(at, length float32) int {
		switch {
		case at < panEdge:
			return -int(math.Ceil(float64((panEdge - at) / unit)))
		case at > length-panEdge:
			return int(math.Ceil(float64((at - (length - panEdge)) / unit)))
		}
		return 0
	}
	next := clampPan(v.pan.Add(image.Pt(step(p.X, size.Width), step(p.Y, size.Height))), v.frame.rgba.Rect.Size(), size, unit)
	if next != v.pan {
		v.pan = next
		v.Refresh()
	}
}

// Pan returns how far, in frame pixels, a picture larger than the view is
// scrolled in ScaleActual.
func (v *RemoteView) Pan() image.Point { return v.pan }

// emit sends ev if control is on and ev is valid for the wire.
func (v *RemoteView) emit(ev input.Event) {
	if !v.control || v.onInput == nil || ev.Validate() != nil {
		return
	}
	v.onInput(ev)
}

// moveTo sends a move to frame pixel p unless the pointer is already there.
func (v *RemoteView) moveTo(p image.Point) {
	d := v.origin.Add(p)
	if v.moved && d == v.lastMove {
		return
	}
	v.lastMove, v.moved = d, true
	v.emit(input.Event{Kind: input.KindMove, X: int32(d.X), Y: int32(d.Y)})
}

// MouseIn implements desktop.Hoverable.
func (v *RemoteView) MouseIn(ev *desktop.MouseEvent) { v.MouseMoved(ev) }

// MouseMoved implements desktop.Hoverable: a move over the picture moves
// the remote pointer.
func (v *RemoteView) MouseMoved(ev *desktop.MouseEvent) {
	if v.control {
		if p, ok := v.toFrame(ev.Position, false); ok {
			v.moveTo(p)
		}
	}
	v.panToward(ev.Position)
}

// MouseOut implements desktop.Hoverable.
func (v *RemoteView) MouseOut() {}

// mouseButton maps a Fyne button to a remote one.
func mouseButton(b desktop.MouseButton) input.Button {
	switch b {
	case desktop.MouseButtonPrimary:
		return input.ButtonLeft
	case desktop.MouseButtonSecondary:
		return input.ButtonRight
	case desktop.MouseButtonTertiary:
		return input.ButtonMiddle
	}
	return input.ButtonUnknown
}

// MouseDown implements desktop.Mouseable: in control it focuses the view
// and, over the picture, presses the button there.
func (v *RemoteView) MouseDown(ev *desktop.MouseEvent) {
	v.requestFocus()
	if v.ann != nil && v.ann.On() && ev.Button == desktop.MouseButtonPrimary {
		// Over the picture only: a press on the black bars draws nothing.
		if _, ok := v.toFrame(ev.Position, false); ok {
			if p, ok := v.annotationPoint(ev.Position); ok {
				v.ann.Begin(p)
				v.annotating = true
			}
		}
		return
	}
	b := mouseButton(ev.Button)
	if !v.control || b == input.ButtonUnknown || v.buttons[b] {
		return
	}
	p, ok := v.toFrame(ev.Position, false)
	if !ok {
		return
	}
	v.moveTo(p)
	v.buttons[b] = true
	v.emit(input.Event{Kind: input.KindButtonDown, Button: b})
}

// MouseUp implements desktop.Mouseable: it releases a button the view
// pressed, at the pointer's place held to the picture's edge.
func (v *RemoteView) MouseUp(ev *desktop.MouseEvent) {
	if v.annotating && ev.Button == desktop.MouseButtonPrimary {
		v.ann.End()
		v.annotating = false
		return
	}
	b := mouseButton(ev.Button)
	if !v.control || !v.buttons[b] {
		return
	}
	if p, ok := v.toFrame(ev.Position, true); ok {
		v.moveTo(p)
	}
	delete(v.buttons, b)
	v.emit(input.Event{Kind: input.KindButtonUp, Button: b})
}

// Dragged implements fyne.Draggable: while a button is held, moves follow
// the pointer, held to the picture's edge.
func (v *RemoteView) Dragged(ev *fyne.DragEvent) {
	if v.annotating {
		if p, ok := v.annotationPoint(ev.Position); ok {
			v.ann.Move(p)
		}
		return
	}
	if v.control && len(v.buttons) > 0 {
		if p, ok := v.toFrame(ev.Position, true); ok {
			v.moveTo(p)
		}
	}
	v.panToward(ev.Position)
}

// DragEnd implements fyne.Draggable; the button's release arrives as
// MouseUp.
func (v *RemoteView) DragEnd() {}

// SetAnnotator lets a draw on the picture: while it is on, drags with the
// primary button are strokes, not input.
func (v *RemoteView) SetAnnotator(a *Annotator) { v.ann = a }

// Tapped implements fyne.Tappable: a click focuses the view in control.
func (v *RemoteView) Tapped(*fyne.PointEvent) { v.requestFocus() }

// Scrolled implements fyne.Scrollable: the wheel turns the remote wheel,
// one step per notch; smaller deltas (touchpads) add up. Over the picture
// the pointer moves there first; elsewhere the wheel turns where the remote
// pointer is.
func (v *RemoteView) Scrolled(ev *fyne.ScrollEvent) {
	if !v.control {
		return
	}
	// Fyne's deltas are positive up and left; the wire's down and right.
	v.wheelRest.DX -= ev.Scrolled.DX / wheelUnit
	v.wheelRest.DY -= ev.Scrolled.DY / wheelUnit
	dx, dy := int32(v.wheelRest.DX), int32(v.wheelRest.DY)
	v.wheelRest.DX -= float32(dx)
	v.wheelRest.DY -= float32(dy)
	if dx == 0 && dy == 0 {
		return
	}
	if p, ok := v.toFrame(ev.Position, false); ok {
		v.moveTo(p)
	}
	v.emit(input.Event{
		Kind: input.KindWheel,
		DX:   min(max(dx, -input.MaxWheelSteps), input.MaxWheelSteps),
		DY:   min(max(dy, -input.MaxWheelSteps), input.MaxWheelSteps),
	})
}

// canvas returns the canvas showing v, or nil.
func (v *RemoteView) canvas() fyne.Canvas {
	if app := fyne.CurrentApp(); app != nil {
		return app.Driver().CanvasForObject(v)
	}
	return nil
}

// requestFocus takes the keyboard focus while in control; a view-only view
// has no use for keys, so the window's shortcuts keep working.
func (v *RemoteView) requestFocus() {
	if c := v.canvas(); v.control && c != nil && c.Focused() != v {
		c.Focus(v)
	}
}

// TypedShortcut implements fyne.Shortcutable. It does nothing, and that is
// its purpose: while the view has the focus, Fyne hands key combinations to
// it instead of the window's shortcuts, so Ctrl-W closes the customer's tab
// rather than a console window. The keys themselves went out by KeyDown.
func (v *RemoteView) TypedShortcut(fyne.Shortcut) {}

// FocusGained implements fyne.Focusable.
func (v *RemoteView) FocusGained() {}

// FocusLost implements fyne.Focusable: keys and buttons the view holds are
// released, as their releases will go elsewhere.
func (v *RemoteView) FocusLost() {
	for len(v.keys) > 0 {
		k := v.keys[len(v.keys)-1]
		v.keys = v.keys[:len(v.keys)-1]
		v.emit(input.Event{Kind: input.KindKeyUp, Key: k, Mods: v.mods()})
	}
	clear(v.textKeys)
	v.lastKey = input.KeyUnknown
	for _, b := range []input.Button{input.ButtonLeft, input.ButtonMiddle, input.ButtonRight} {
		if v.buttons[b] {
			delete(v.buttons, b)
			v.emit(input.Event{Kind: input.KindButtonUp, Button: b})
		}
	}
}

// AcceptsTab implements fyne.Tabbable: while in control Tab goes to the
// remote screen instead of moving the focus.
func (v *RemoteView) AcceptsTab() bool { return v.control }

// mods returns the modifiers of the keys held.
func (v *RemoteView) mods() input.Mods {
	var m input.Mods
	for _, k := range v.keys {
		m |= k.Modifier()
	}
	return m
}

// textMode reports whether printable keys go as text: no Control, Alt or
// Meta held, or AltRight (AltGraph) held.
func (v *RemoteView) textMode() bool {
	var m input.Mods
	for _, k := range v.keys {
		if k == input.KeyAltRight {
			return true
		}
		m |= k.Modifier()
	}
	return m&(input.ModControl|input.ModAlt|input.ModMeta) == 0
}

func (v *RemoteView) holds(k input.Key) bool {
	for _, h := range v.keys {
		if h == k {
			return true
		}
	}
	return false
}

// KeyDown implements desktop.Keyable; see the package comment for which
// keys go as keys and which as text.
func (v *RemoteView) KeyDown(ev *fyne.KeyEvent) {
	k := physicalKey(ev, runtime.GOOS)
	if !v.control || !k.Valid() || k == input.KeyCapsLock {
		return
	}
	if k.Modifier() == 0 && printableKey(k) && v.textMode() {
		v.textKeys[k] = true
		v.lastKey = input.KeyUnknown
		return
	}
	if !v.holds(k) {
		v.keys = append(v.keys, k)
	}
	if k.Modifier() == 0 {
		v.lastKey = k
	}
	v.emit(input.Event{Kind: input.KindKeyDown, Key: k, Mods: v.mods()})
}

// KeyUp implements desktop.Keyable.
func (v *RemoteView) KeyUp(ev *fyne.KeyEvent) {
	k := physicalKey(ev, runtime.GOOS)
	if !v.control || !k.Valid() {
		return
	}
	if v.textKeys[k] {
		delete(v.textKeys, k)
		return
	}
	i := -1
	for j, h := range v.keys {
		if h == k {
			i = j
		}
	}
	if i < 0 {
		return
	}
	v.keys = append(v.keys[:i], v.keys[i+1:]...)
	if v.lastKey == k {
		v.lastKey = input.KeyUnknown
	}
	v.emit(input.Event{Kind: input.KindKeyUp, Key: k, Mods: v.mods()})
}

// TypedRune implements fyne.Focusable: the character the rep's layout
// produced goes as text, unless it belongs to a key sent as a key.
func (v *RemoteView) TypedRune(r rune) {
	if !v.control || !v.textMode() || v.lastKey != input.KeyUnknown {
		return
	}
	v.TypeText(string(r))
}

// TypedKey implements fyne.Focusable; KeyDown and KeyUp do the work and
// the customer's system repeats held keys itself.
func (v *RemoteView) TypedKey(*fyne.KeyEvent) {}

// layout places the picture, cursor and overlay in a view of size.
func (v *RemoteView) layout(size fyne.Size) {
	v.bg.Move(fyne.Position{})
	v.bg.Resize(size)
	pos, unit, ok := v.placement(size)
	if !ok {
		v.picture.Hide()
		v.cursor.Hide()
	} else {
		fs := v.frame.rgba.Rect.Size()
		v.picture.Move(pos)
		v.picture.Resize(fyne.NewSize(float32(fs.X)*unit, float32(fs.Y)*unit))
		v.picture.Show()
		v.layoutCursor(pos, unit)
	}
	v.layoutStats()
}

func (v *RemoteView) layoutCursor(pos fyne.Position, unit float32) {
	if !v.cursorOn || v.cursorImg == nil {
		v.cursor.Hide()
		return
	}
	cu := max(unit, minCursorScale/v.pixScale())
	cs := v.cursorImg.Rect.Size()
	v.cursor.Image = v.cursorImg
	v.cursor.Move(fyne.NewPos(
		pos.X+float32(v.cursorPos.X)*unit-float32(v.cursorHot.X)*cu,
		pos.Y+float32(v.cursorPos.Y)*unit-float32(v.cursorHot.Y)*cu))
	v.cursor.Resize(fyne.NewSize(float32(cs.X)*cu, float32(cs.Y)*cu))
	v.cursor.Show()
}

func (v *RemoteView) layoutStats() {
	if !v.statsShown || v.stats == "" {
		v.statsBg.Hide()
		v.statsLines.Hide()
		return
	}
	lines := strings.Split(v.stats, "\n")
	objs := v.statsLines.Objects
	for len(objs) < len(lines) {
		t := canvas.NewText("", color.White)
		t.TextSize = statsTextSize
		t.TextStyle.Monospace = true
		objs = append(objs, t)
	}
	objs = objs[:len(lines)]
	var width float32
	y := float32(statsPad + statsPad/2)
	for i, line := range lines {
		t := objs[i].(*canvas.Text)
		if t.Text != line {
			t.Text = line
			t.Refresh()
		}
		ms := t.MinSize()
		t.Move(fyne.NewPos(2*statsPad, y))
		t.Resize(ms)
		width = max(width, ms.Width)
		y += ms.Height
	}
	v.statsLines.Objects = objs
	v.statsLines.Show()
	v.statsBg.Move(fyne.NewPos(statsPad, statsPad))
	v.statsBg.Resize(fyne.NewSize(width+2*statsPad, y+statsPad/2-statsPad))
	v.statsBg.Show()
}

// remoteViewRenderer draws a RemoteView.
type remoteViewRenderer struct {
	v       *RemoteView
	objects []fyne.CanvasObject
}

func (r *remoteViewRenderer) Layout(size fyne.Size) { r.v.layout(size) }

func (r *remoteViewRenderer) MinSize() fyne.Size { return fyne.NewSize(160, 90) }

func (r *remoteViewRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *remoteViewRenderer) Refresh() {
	r.v.layout(r.v.Size())
	canvas.Refresh(r.v)
}

func (r *remoteViewRenderer) Destroy() {}

// resizeRGBA returns an RGBA image of w×h at the origin, reusing buf's
// pixels when they are large enough.
func resizeRGBA(buf *image.RGBA, w, h int) *image.RGBA {
	n := 4 * w * h
	if buf == nil || cap(buf.Pix) < n {
		return image.NewRGBA(image.Rect(0, 0, w, h))
	}
	buf.Pix = buf.Pix[:n]
	buf.Stride = 4 * w
	buf.Rect = image.Rect(0, 0, w, h)
	return buf
}

// BT.601 limited range to RGB in 16-bit fixed point, libyuv's constants:
// R = 1.164(Y-16) + 1.596(Cr-128), G = 1.164(Y-16) - 0.391(Cb-128) -
// 0.813(Cr-128), B = 1.164(Y-16) + 2.018(Cb-128).
const (
	fixY   = 76309
	fixRCr = 104597
	fixGCb = 25675
	fixGCr = 53279
	fixBCb = 132201
	fixRnd = 1 << 15
)

// clampOff and clampTab saturate a converted value v>>16 to a byte by
// table: every Y, Cb, Cr combination lands in -277..534, well inside the
// table's -384..639.
const clampOff = 384

var clampTab = func() (t [1024]uint8) {
	for i := range t {
		t[i] = uint8(min(max(i-clampOff, 0), 255))
	}
	return t
}()

// clip8 turns a 16-bit fixed-point value into a byte, saturating.
func clip8(v int32) uint32 { return uint32(clampTab[((v>>16)+clampOff)&1023]) }

// rgba packs a pixel's channels in RGBA byte order for a little-endian
// 32-bit store.
func rgba(l, rc, gc, bc int32) uint32 {
	return clip8(l+rc) | clip8(l+gc)<<8 | clip8(l+bc)<<16 | 0xff000000
}

// frameBuf is a converted frame and a copy of the 4:2:0 planes it was
// converted from, so that converting the next frame into it redoes only the
// rows that differ: a remote screen mostly stands still, and comparing
// planes costs a fraction of converting them.
type frameBuf struct {
	rgba       *image.RGBA
	y, cb, cr  []byte // compact copies of the source planes
	w, h       int    // the copies' size; 0 when they are not valid
	rowsCopied int    // rows converted by the last convert, for tests
}

// convert converts src into b.
func (b *frameBuf) convert(src *image.YCbCr) {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	b.rgba = resizeRGBA(b.rgba, w, h)
	if src.SubsampleRatio != image.YCbCrSubsampleRatio420 || src.Rect.Min.X%2 != 0 || src.Rect.Min.Y%2 != 0 {
		convertAny(b.rgba, src)
		b.w, b.h, b.rowsCopied = 0, 0, h
		return
	}
	cw, ch := (w+1)/2, (h+1)/2
	known := b.w == w && b.h == h
	if !known {
		b.y = slices.Grow(b.y[:0], w*h)[:w*h]
		b.cb = slices.Grow(b.cb[:0], cw*ch)[:cw*ch]
		b.cr = slices.Grow(b.cr[:0], cw*ch)[:cw*ch]
		b.w, b.h = w, h
	}
	parts := min(runtime.GOMAXPROCS(0), 4, max(1, h/256))
	band := (ch + parts - 1) / parts
	counts := make([]int, parts)
	var wg sync.WaitGroup
	for p := range parts {
		c0, c1 := p*band, min((p+1)*band, ch)
		work := func() { counts[p] = b.convertChromaRows(src, c0, c1, known) }
		if p == parts-1 {
			work()
		} else {
			wg.Go(work)
		}
	}
	wg.Wait()
	b.rowsCopied = 0
	for _, n := range counts {
		b.rowsCopied += n
	}
}

// convertChromaRows converts the luma rows of chroma rows c0 to c1 that
// differ from the copy (all when !known) and returns how many it did.
func (b *frameBuf) convertChromaRows(src *image.YCbCr, c0, c1 int, known bool) int {
	w, cw := b.w, (b.w+1)/2
	n := 0
	for c := c0; c < c1; c++ {
		y0, y1 := 2*c, min(2*c+2, b.h)
		cb := src.Cb[c*src.CStride:][:cw]
		cr := src.Cr[c*src.CStride:][:cw]
		same := known && bytes.Equal(cb, b.cb[c*cw:][:cw]) && bytes.Equal(cr, b.cr[c*cw:][:cw])
		for y := y0; same && y < y1; y++ {
			same = bytes.Equal(src.Y[y*src.YStride:][:w], b.y[y*w:][:w])
		}
		if same {
			continue
		}
		copy(b.cb[c*cw:][:cw], cb)
		copy(b.cr[c*cw:][:cw], cr)
		for y := y0; y < y1; y++ {
			copy(b.y[y*w:][:w], src.Y[y*src.YStride:][:w])
		}
		convert420Rows(b.rgba, src, y0, y1)
		n += y1 - y0
	}
	return n
}

// convert420Rows converts rows y0 to y1 (relative to src.Rect) of a 4:2:0
// frame whose rectangle starts on even coordinates.
func convert420Rows(dst *image.RGBA, src *image.YCbCr, y0, y1 int) {
	w := src.Rect.Dx()
	pairs := w / 2
	for y := y0; y < y1; y++ {
		ys := src.Y[y*src.YStride:][:w]
		co := (y / 2) * src.CStride
		cbs := src.Cb[co:][:(w+1)/2]
		crs := src.Cr[co:][:(w+1)/2]
		d := dst.Pix[y*dst.Stride:][:4*w]
		for i := range pairs {
			cb := int32(cbs[i]) - 128
			cr := int32(crs[i]) - 128
			rc := fixRCr*cr + fixRnd
			gc := -fixGCb*cb - fixGCr*cr + fixRnd
			bc := fixBCb*cb + fixRnd
			yy := ys[2*i : 2*i+2]
			dd := d[8*i : 8*i+8]
			l0 := (int32(yy[0]) - 16) * fixY
			l1 := (int32(yy[1]) - 16) * fixY
			binary.LittleEndian.PutUint32(dd[0:4], rgba(l0, rc, gc, bc))
			binary.LittleEndian.PutUint32(dd[4:8], rgba(l1, rc, gc, bc))
		}
		if w%2 == 1 {
			cb := int32(cbs[pairs]) - 128
			cr := int32(crs[pairs]) - 128
			l := (int32(ys[w-1]) - 16) * fixY
			binary.LittleEndian.PutUint32(d[4*(w-1):], rgba(l, fixRCr*cr+fixRnd, -fixGCb*cb-fixGCr*cr+fixRnd, fixBCb*cb+fixRnd))
		}
	}
}

// convertAny converts a frame of any subsampling, pixel by pixel.
func convertAny(dst *image.RGBA, src *image.YCbCr) {
	r := src.Rect
	for y := r.Min.Y; y < r.Max.Y; y++ {
		d := dst.Pix[(y-r.Min.Y)*dst.Stride:]
		for x := r.Min.X; x < r.Max.X; x++ {
			yi, ci := src.YOffset(x, y), src.COffset(x, y)
			cb := int32(src.Cb[ci]) - 128
			cr := int32(src.Cr[ci]) - 128
			l := (int32(src.Y[yi]) - 16) * fixY
			o := 4 * (x - r.Min.X)
			binary.LittleEndian.PutUint32(d[o:o+4], rgba(l, fixRCr*cr+fixRnd, -fixGCb*cb-fixGCr*cr+fixRnd, fixBCb*cb+fixRnd))
		}
	}
}

// defaultArrow is the cursor drawn before the customer sends a shape: a
// white arrow with a black outline, hotspot at its tip.
var defaultArrow = func() *image.RGBA {
	const w, h = 12, 19
	// The arrow's outline, clockwise from the tip.
	poly := []struct{ x, y float64 }{{0, 0}, {11.5, 11.5}, {7, 12}, {9.5, 18}, {7, 19}, {4.5, 13}, {0, 17}}
	inside := func(px, py float64) bool {
		in := false
		for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
			a, b := poly[i], poly[j]
			if (a.y > py) != (b.y > py) && px < (b.x-a.x)*(py-a.y)/(b.y-a.y)+a.x {
				in = !in
			}
		}
		return in
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if !inside(float64(x)+0.5, float64(y)+0.5) {
				continue
			}
			c := color.RGBA{0xff, 0xff, 0xff, 0xff}
			for _, n := range [][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
				if !inside(float64(x+n[0])+0.5, float64(y+n[1])+0.5) {
					c = color.RGBA{A: 0xff}
				}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}()
