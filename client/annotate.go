package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"strings"

	"github.com/tandemhq/tandem/protocol"
)

// Annotations travel on the control channel like control requests: a rep
// draws on the customer's screen by sending strokes (annotate.stroke: a
// polyline in the customer's desktop coordinates, a colour from a fixed
// palette and a width) and wipes them (annotate.clear). The customer's
// client is the authority: it passes an annotation to its app as an
// [AnnotationReceived] event only when the portal's configuration allows
// annotations (Functions.Annotations) and the sender is a rep present in
// the session; everything else is refused and logged. A long drag goes as
// several strokes, each starting where the previous one ended.
//
// An external specialist with control rights draws like a rep: pointing
// at the screen is less than the control it may be given. One invited to
// view only may not: view only means it changes nothing the customer
// sees or does, and the customer's client refuses its annotations.

// Annotation messages on the control channel.
const (
	// Rep → customer: a stroke to draw.
	ctlAnnotateStroke controlKind = "annotate.stroke"
	// Rep → customer: wipe every stroke.
	ctlAnnotateClear controlKind = "annotate.clear"
)

// annotatePrefix starts the kind of every annotation message.
const annotatePrefix = "annotate."

// Limits of an annotation.
const (
	// MaxAnnotationPoints is the most points a stroke may have; a longer
	// drag goes as several strokes.
	MaxAnnotationPoints = 2000
	// MinAnnotationWidth and MaxAnnotationWidth bound a stroke's width in
	// pixels of the customer's screen.
	MinAnnotationWidth = 2
	MaxAnnotationWidth = 12
	// MinAnnotationCoord and MaxAnnotationCoord bound a point's
	// coordinates (the X11 coordinate range).
	MinAnnotationCoord = -32768
	MaxAnnotationCoord = 32767
)

// maxAnnotationMsg bounds an annotation message: a stroke of
// MaxAnnotationPoints points at the widest coordinates takes about 32 KB.
const maxAnnotationMsg = 40 << 10

// ErrBadAnnotation is returned for an annotation that cannot be sent;
// received annotations that are refused are logged with it.
var ErrBadAnnotation = errors.New("client: bad annotation")

// AnnotationKind says what an annotation does.
type AnnotationKind int

// Annotation kinds.
const (
	// AnnotationUnknown is the zero value; it is never sent.
	AnnotationUnknown AnnotationKind = iota
	// AnnotationStroke draws a polyline.
	AnnotationStroke
	// AnnotationClear wipes every stroke.
	AnnotationClear
)

var annotationKindNames = [...]string{"unknown", "stroke", "clear"}

// String returns the kind's name: "unknown", "stroke" or "clear".
func (k AnnotationKind) String() string {
	if k < 0 || int(k) >= len(annotationKindNames) {
		return fmt.Sprintf("AnnotationKind(%d)", int(k))
	}
	return annotationKindNames[k]
}

// MarshalText implements encoding.TextMarshaler.
func (k AnnotationKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Ink is the colour of a stroke, from a small fixed palette that reads on
// light and dark screens alike.
type Ink int

// Inks.
const (
	// InkUnknown is the zero value; it is never sent.
	InkUnknown Ink = iota
	InkRed
	InkYellow
	InkGreen
	InkBlue
	InkMagenta
	InkBlack
	InkWhite
)

var inkNames = [...]string{"unknown", "red", "yellow", "green", "blue", "magenta", "black", "white"}

var inkColors = [...]color.RGBA{
	{},
	{R: 0xe5, G: 0x1c, B: 0x23, A: 0xff},
	{R: 0xff, G: 0xd6, B: 0x00, A: 0xff},
	{R: 0x00, G: 0xc8, B: 0x53, A: 0xff},
	{R: 0x29, G: 0x62, B: 0xff, A: 0xff},
	{R: 0xd5, G: 0x00, B: 0xf9, A: 0xff},
	{R: 0x00, G: 0x00, B: 0x00, A: 0xff},
	{R: 0xff, G: 0xff, B: 0xff, A: 0xff},
}

// Inks returns the palette, in the order a colour chooser shows it.
func Inks() []Ink {
	return []Ink{InkRed, InkYellow, InkGreen, InkBlue, InkMagenta, InkBlack, InkWhite}
}

// String returns the ink's name ("red", "yellow", …), "unknown" for
// InkUnknown.
func (c Ink) String() string {
	if c < 0 || int(c) >= len(inkNames) {
		return fmt.Sprintf("Ink(%d)", int(c))
	}
	return inkNames[c]
}

// RGBA returns the ink's colour, opaque; the zero colour for InkUnknown
// and values out of range.
func (c Ink) RGBA() color.RGBA {
	if c <= InkUnknown || int(c) >= len(inkColors) {
		return color.RGBA{}
	}
	return inkColors[c]
}

// MarshalText implements encoding.TextMarshaler; InkUnknown and values
// out of range are refused.
func (c Ink) MarshalText() ([]byte, error) {
	if c <= InkUnknown || int(c) >= len(inkNames) {
		return nil, fmt.Errorf("%w: ink %v", ErrBadAnnotation, c)
	}
	return []byte(c.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler: only the names of
// the palette's inks are accepted.
func (c *Ink) UnmarshalText(b []byte) error {
	for i, n := range inkNames {
		if i > 0 && n == string(b) {
			*c = Ink(i)
			return nil
		}
	}
	return fmt.Errorf("%w: ink %q", ErrBadAnnotation, b)
}

// Annotation is what a rep draws on the customer's screen: a stroke or a
// clear.
type Annotation struct {
	Kind AnnotationKind
	// Ink, Width and Points describe a stroke; a clear has none of them.
	Ink Ink
	// Width is the line's width in pixels, MinAnnotationWidth to
	// MaxAnnotationWidth.
	Width int
	// Points is the polyline in the customer's desktop coordinates (as
	// input events carry them), 1 to MaxAnnotationPoints points; one
	// point is a dot.
	Points []image.Point
}

// Validate checks an annotation as received or about to be sent.
func (a Annotation) Validate() error {
	switch a.Kind {
	case AnnotationStroke:
		if a.Ink <= InkUnknown || int(a.Ink) >= len(inkNames) {
			return fmt.Errorf("%w: ink %v", ErrBadAnnotation, a.Ink)
		}
		if a.Width < MinAnnotationWidth || a.Width > MaxAnnotationWidth {
			return fmt.Errorf("%w: width %d not in %d..%d", ErrBadAnnotation, a.Width, MinAnnotationWidth, MaxAnnotationWidth)
		}
		if len(a.Points) == 0 || len(a.Points) > MaxAnnotationPoints {
			return fmt.Errorf("%w: %d points not in 1..%d", ErrBadAnnotation, len(a.Points), MaxAnnotationPoints)
		}
		for _, p := range a.Points {
			if p.X < MinAnnotationCoord || p.X > MaxAnnotationCoord || p.Y < MinAnnotationCoord || p.Y > MaxAnnotationCoord {
				return fmt.Errorf("%w: point %v out of range", ErrBadAnnotation, p)
			}
		}
	case AnnotationClear:
		if a.Ink != InkUnknown || a.Width != 0 || len(a.Points) != 0 {
			return fmt.Errorf("%w: a clear carries no ink, width or points", ErrBadAnnotation)
		}
	default:
		return fmt.Errorf("%w: kind %v", ErrBadAnnotation, a.Kind)
	}
	return nil
}

// AnnotationReceived (customer side): a rep drew on the screen or wiped
// what it drew. The app draws it over the desktop (package ui/overlay).
type AnnotationReceived struct {
	Participant protocol.Participant
	Annotation  Annotation
}

func (AnnotationReceived) event() {}

// annotateMsg is an annotation message on the control channel.
type annotateMsg struct {
	Type  controlKind `json:"type"`
	Ink   Ink         `json:"ink,omitzero"`
	Width int         `json:"width,omitempty"`
	// Points are [x, y] pairs; a slice, not an array, so that a point
	// of another length is seen and refused.
	Points [][]int `json:"points,omitempty"`
}

func (m annotateMsg) annotation() (Annotation, error) {
	var a Annotation
	switch m.Type {
	case ctlAnnotateStroke:
		a.Kind = AnnotationStroke
	case ctlAnnotateClear:
		a.Kind = AnnotationClear
	default:
		return a, fmt.Errorf("%w: unknown kind %q", ErrBadAnnotation, m.Type)
	}
	a.Ink, a.Width = m.Ink, m.Width
	if len(m.Points) > MaxAnnotationPoints {
		return a, fmt.Errorf("%w: %d points, more than %d", ErrBadAnnotation, len(m.Points), MaxAnnotationPoints)
	}
	if len(m.Points) > 0 {
		a.Points = make([]image.Point, len(m.Points))
		for i, p := range m.Points {
			if len(p) != 2 {
				return a, fmt.Errorf("%w: point %d has %d coordinates", ErrBadAnnotation, i, len(p))
			}
			a.Points[i] = image.Pt(p[0], p[1])
		}
	}
	return a, a.Validate()
}

// Annotate draws on the customer's screen, or wipes what was drawn (rep
// side). The customer's client shows it only if its portal allows
// annotations; a refusal is not reported back.
func (p *Peer) Annotate(a Annotation) error {
	if p.part.Role != protocol.RoleCustomer {
		return fmt.Errorf("annotate %s: %w", p.part.ID, ErrNotCustomer)
	}
	if err := a.Validate(); err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	m := annotateMsg{Type: ctlAnnotateClear}
	if a.Kind == AnnotationStroke {
		m = annotateMsg{Type: ctlAnnotateStroke, Ink: a.Ink, Width: a.Width, Points: make([][]int, len(a.Points))}
		for i, pt := range a.Points {
			m.Points[i] = []int{pt.X, pt.Y}
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("send %s: %w", m.Type, err)
	}
	if len(b) > maxAnnotationMsg {
		return fmt.Errorf("send %s: %w: %d bytes", m.Type, ErrBadAnnotation, len(b))
	}
	if err := p.sendText(ControlLabel, b); err != nil {
		return fmt.Errorf("send %s: %w", m.Type, err)
	}
	return nil
}

// handleAnnotation takes an annotation message off the control channel;
// it reports false for a message that is not one (its kind does not start
// with "annotate.", or it is larger than any annotation), which
// handleControl then judges. Whatever is refused is logged.
func (s *Session) handleAnnotation(p *Peer, data []byte) bool {
	if len(data) > maxAnnotationMsg {
		return false
	}
	var kind struct {
		Type controlKind `json:"type"`
	}
	if json.NewDecoder(bytes.NewReader(data)).Decode(&kind) != nil || !strings.HasPrefix(string(kind.Type), annotatePrefix) {
		return false
	}
	var m annotateMsg
	if err := protocol.UnmarshalStrict(data, &m); err != nil {
		s.log.Warn("refusing a malformed annotation", "from", p.part.ID, "bytes", len(data), "err", err)
		return true
	}
	a, err := m.annotation()
	if err != nil {
		s.log.Warn("refusing an annotation", "from", p.part.ID, "err", err)
		return true
	}
	switch {
	case s.self.Role != protocol.RoleCustomer:
		s.log.Warn("refusing an annotation: only the customer's screen is drawn on", "from", p.part.ID, "type", m.Type)
	case p.part.Role == protocol.RoleCustomer || p.part.Role == protocol.RoleUnknown:
		s.log.Warn("refusing an annotation: only reps draw", "from", p.part.ID, "role", p.part.Role)
	case !s.member(p.part.ID):
		s.log.Warn("refusing an annotation from a participant not in the session", "from", p.part.ID)
	case s.viewOnly(p.part):
		s.log.Warn("refusing an annotation: the participant may only view", "from", p.part.ID, "err", ErrViewOnly)
	case !s.annotationsAllowed():
		s.log.Warn("refusing an annotation: the portal does not allow annotations", "from", p.part.ID, "type", m.Type)
	default:
		s.ev.emit(AnnotationReceived{Participant: p.part, Annotation: a})
	}
	return true
}

// annotationsAllowed reports whether the customer's portal allows
// annotations. The portal's configuration snapshot is the one the session
// was given when the customer joined or resumed (see setFilePolicy, which
// keeps it with the file transfers); without one nothing is allowed.
func (s *Session) annotationsAllowed() bool {
	h := s.fileHub()
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cfg != nil && h.cfg.Functions.Annotations
}
