package client

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
)

// ScreenLabel is the data channel that carries what goes with the screen's
// video: the pointer's position and shape (the console draws the cursor
// itself, so it is sharp and moves without a video frame), the monitor
// layout, and the rep's choice of monitor. It is ordered and reliable;
// positions are coalesced at the sender, so a backlog cannot build.
const ScreenLabel = "screen"

// Screen message kinds: the first byte of each message.
const (
	msgCursorPos   byte = 1 // customer → rep
	msgCursorShape byte = 2 // customer → rep
	msgLayout      byte = 3 // customer → rep
	msgSelect      byte = 4 // rep → customer
)

// Limits of screen messages.
const (
	maxCursorSide = 256
	maxMonitors   = 16
	maxNameLen    = 64
)

var errScreenMsg = errors.New("malformed screen message")

// RemoteMonitor is one of the customer's monitors as the rep sees it.
type RemoteMonitor struct {
	Name    string
	Bounds  image.Rectangle // in the customer's desktop coordinates
	Primary bool
}

// ScreenLayout is the customer's monitors and the one being shared.
type ScreenLayout struct {
	Monitors []RemoteMonitor
	Selected int
}

// RemoteCursor is the customer's pointer relative to the shared monitor.
type RemoteCursor struct {
	Position image.Point // hotspot, in frame coordinates
	Visible  bool
	// Shape is the pointer's image (premultiplied alpha) and Hotspot the
	// point of it at Position; nil until the shape arrives.
	Shape   *image.RGBA
	Hotspot image.Point
}

func encodeCursorPos(p image.Point, visible bool) []byte {
	b := make([]byte, 0, 10)
	b = append(b, msgCursorPos)
	b = binary.BigEndian.AppendUint32(b, uint32(int32(p.X)))
	b = binary.BigEndian.AppendUint32(b, uint32(int32(p.Y)))
	if visible {
		return append(b, 1)
	}
	return append(b, 0)
}

func encodeCursorShape(img *image.RGBA, hot image.Point) ([]byte, error) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w < 1 || h < 1 || w > maxCursorSide || h > maxCursorSide || hot.X < 0 || hot.Y < 0 || hot.X >= w || hot.Y >= h {
		return nil, fmt.Errorf("%w: cursor %dx%d hotspot %v", errScreenMsg, w, h, hot)
	}
	b := make([]byte, 0, 9+w*h*4)
	b = append(b, msgCursorShape)
	b = binary.BigEndian.AppendUint16(b, uint16(w))
	b = binary.BigEndian.AppendUint16(b, uint16(h))
	b = binary.BigEndian.AppendUint16(b, uint16(hot.X))
	b = binary.BigEndian.AppendUint16(b, uint16(hot.Y))
	for y := range h {
		o := img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y)
		b = append(b, img.Pix[o:o+w*4]...)
	}
	return b, nil
}

func encodeLayout(l ScreenLayout) ([]byte, error) {
	if len(l.Monitors) > maxMonitors || l.Selected < 0 || l.Selected >= max(len(l.Monitors), 1) {
		return nil, fmt.Errorf("%w: %d monitors, selected %d", errScreenMsg, len(l.Monitors), l.Selected)
	}
	b := []byte{msgLayout, byte(len(l.Monitors)), byte(l.Selected)}
	for _, m := range l.Monitors {
		name := m.Name
		if len(name) > maxNameLen {
			name = name[:maxNameLen]
		}
		b = append(b, byte(len(name)))
		b = append(b, name...)
		for _, v := range []int{m.Bounds.Min.X, m.Bounds.Min.Y, m.Bounds.Max.X, m.Bounds.Max.Y} {
			b = binary.BigEndian.AppendUint32(b, uint32(int32(v)))
		}
		if m.Primary {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	return b, nil
}

func encodeSelect(i int) []byte { return []byte{msgSelect, byte(i)} }

// screenMsg is a decoded screen message: one of its fields is set by Kind.
type screenMsg struct {
	kind    byte
	pos     image.Point
	visible bool
	shape   *image.RGBA
	hotspot image.Point
	layout  ScreenLayout
	selectI int
}

// decodeScreenMsg parses and validates one message.
func decodeScreenMsg(b []byte) (screenMsg, error) {
	if len(b) == 0 {
		return screenMsg{}, fmt.Errorf("%w: empty", errScreenMsg)
	}
	m := screenMsg{kind: b[0]}
	body := b[1:]
	switch m.kind {
	case msgCursorPos:
		if len(body) != 9 || body[8] > 1 {
			return m, fmt.Errorf("%w: cursor position of %d bytes", errScreenMsg, len(body))
		}
		m.pos = image.Pt(int(int32(binary.BigEndian.Uint32(body))), int(int32(binary.BigEndian.Uint32(body[4:]))))
		m.visible = body[8] == 1
	case msgCursorShape:
		if len(body) < 8 {
			return m, fmt.Errorf("%w: short cursor shape", errScreenMsg)
		}
		w, h := int(binary.BigEndian.Uint16(body)), int(binary.BigEndian.Uint16(body[2:]))
		hx, hy := int(binary.BigEndian.Uint16(body[4:])), int(binary.BigEndian.Uint16(body[6:]))
		if w < 1 || h < 1 || w > maxCursorSide || h > maxCursorSide || hx >= w || hy >= h || len(body) != 8+w*h*4 {
			return m, fmt.Errorf("%w: cursor shape %dx%d hotspot %d,%d in %d bytes", errScreenMsg, w, h, hx, hy, len(body))
		}
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		copy(img.Pix, body[8:])
		m.shape, m.hotspot = img, image.Pt(hx, hy)
	case msgLayout:
		if len(body) < 2 {
			return m, fmt.Errorf("%w: short layout", errScreenMsg)
		}
		n, sel := int(body[0]), int(body[1])
		if n > maxMonitors || (n > 0 && sel >= n) {
			return m, fmt.Errorf("%w: layout of %d monitors, selected %d", errScreenMsg, n, sel)
		}
		rest := body[2:]
		for range n {
			if len(rest) < 1 || len(rest) < 1+int(rest[0])+17 || int(rest[0]) > maxNameLen {
				return m, fmt.Errorf("%w: truncated layout", errScreenMsg)
			}
			l := int(rest[0])
			mon := RemoteMonitor{Name: string(rest[1 : 1+l])}
			rest = rest[1+l:]
			var v [4]int
			for i := range v {
				v[i] = int(int32(binary.BigEndian.Uint32(rest[i*4:])))
			}
			mon.Bounds = image.Rect(v[0], v[1], v[2], v[3])
			if mon.Bounds.Empty() || rest[16] > 1 {
				return m, fmt.Errorf("%w: monitor %q", errScreenMsg, mon.Name)
			}
			mon.Primary = rest[16] == 1
			rest = rest[17:]
			m.layout.Monitors = append(m.layout.Monitors, mon)
		}
		if len(rest) != 0 {
			return m, fmt.Errorf("%w: trailing bytes after layout", errScreenMsg)
		}
		m.layout.Selected = sel
	case msgSelect:
		if len(body) != 1 || int(body[0]) >= maxMonitors {
			return m, fmt.Errorf("%w: monitor selection", errScreenMsg)
		}
		m.selectI = int(body[0])
	default:
		return m, fmt.Errorf("%w: kind %d", errScreenMsg, m.kind)
	}
	return m, nil
}
