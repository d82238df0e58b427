// Package overlay draws a rep's annotations over the customer's desktop:
// strokes on top of every window, while the desktop stays visible and
// usable around and under them.
//
// On Linux it is an X11 override-redirect window as large as the screen
// (the root window), so it needs no window manager. Two shapes (the SHAPE
// extension) make it harmless: its input shape is empty, so every click
// and key goes to the windows below, strokes included; and its bounding
// shape is only the strokes' pixels, so nothing else of it is on the
// screen. The strokes are drawn by the X server into a pixmap that is the
// window's background (wide lines with round caps and joins) and into a
// 1-bit mask that becomes the bounding shape. The window raises itself
// again whenever an ordinary window is mapped or restacked above it; it
// does not fight other override-redirect windows (menus, the supported
// indicator). Elsewhere Show returns errors.ErrUnsupported.
//
// The package does not use Fyne.
package overlay

import (
	"fmt"
	"image"
	"image/color"
)

// Limits of a stroke.
const (
	// MaxWidth is the widest stroke, in pixels.
	MaxWidth = 64
	// MaxPoints is the most points of one stroke.
	MaxPoints = 8192
)

// Stroke is a polyline to draw: Points in root-window (desktop)
// coordinates, one point being a dot, in Color (drawn opaque) and Width
// pixels wide.
type Stroke struct {
	Points []image.Point
	Color  color.RGBA
	Width  int
}

// validate checks that the X server can draw s.
func (s Stroke) validate() error {
	if s.Width < 1 || s.Width > MaxWidth {
		return fmt.Errorf("%w: width %d not in 1..%d", ErrBadStroke, s.Width, MaxWidth)
	}
	if len(s.Points) == 0 || len(s.Points) > MaxPoints {
		return fmt.Errorf("%w: %d points not in 1..%d", ErrBadStroke, len(s.Points), MaxPoints)
	}
	for _, p := range s.Points {
		if p.X < -32768 || p.X > 32767 || p.Y < -32768 || p.Y > 32767 {
			return fmt.Errorf("%w: point %v out of range", ErrBadStroke, p)
		}
	}
	return nil
}

// bounds returns the rectangle s covers.
func (s Stroke) bounds() image.Rectangle {
	r := image.Rectangle{Min: s.Points[0], Max: s.Points[0]}
	for _, p := range s.Points[1:] {
		r.Min.X, r.Min.Y = min(r.Min.X, p.X), min(r.Min.Y, p.Y)
		r.Max.X, r.Max.Y = max(r.Max.X, p.X), max(r.Max.Y, p.Y)
	}
	return r.Inset(-(s.Width/2 + 2))
}
