// Package x11win places and tunes top-level windows of other toolkits (the
// Fyne/GLFW windows of the apps) on an X11 desktop, where the toolkit has no
// API for it: find a window by its process and title, put it in a corner of
// the monitor it is on, keep it above others, iconify it, and keep it from
// taking the focus when it is mapped.
//
// Each function opens its own connection to the display, does its work and
// closes it; they are meant for occasional calls (a pop-up appearing), not
// for a loop. Where a window manager runs, the requests follow EWMH and
// ICCCM (client messages to the root window, which the manager acts on);
// with none, the window is configured directly.
//
// Only Linux has an implementation; elsewhere every function returns
// errors.ErrUnsupported.
package x11win

import "fmt"

// Window is an X window ID, such as the handle Fyne's
// driver.X11WindowContext reports.
type Window uint32

// Corner is a corner of a monitor.
type Corner int

// Corners of a monitor.
const (
	CornerUnknown Corner = iota
	CornerTopLeft
	CornerTopRight
	CornerBottomLeft
	CornerBottomRight
)

var cornerNames = [...]string{"unknown", "top-left", "top-right", "bottom-left", "bottom-right"}

// String returns the corner's name, such as "bottom-right".
func (c Corner) String() string {
	if c < 0 || int(c) >= len(cornerNames) {
		return fmt.Sprintf("Corner(%d)", int(c))
	}
	return cornerNames[c]
}

// MarshalText returns the String form.
func (c Corner) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Match says which window Find looks for. Zero fields match anything, but
// at least one must be set.
type Match struct {
	// PID is the process that owns the window (_NET_WM_PID).
	PID int
	// Title is the window's whole title (_NET_WM_NAME, else WM_NAME).
	Title string
}

// Rect is a rectangle in root-window coordinates.
type Rect struct {
	X, Y          int
	Width, Height int
}

// String returns the X geometry form, such as "340x130+1570+940".
func (r Rect) String() string { return fmt.Sprintf("%dx%d%+d%+d", r.Width, r.Height, r.X, r.Y) }

// place returns where a width×height rectangle goes in corner c of mon,
// margin pixels in from its edges.
func place(mon Rect, width, height int, c Corner, margin int) (x, y int, err error) {
	switch c {
	case CornerTopLeft, CornerBottomLeft:
		x = mon.X + margin
	case CornerTopRight, CornerBottomRight:
		x = mon.X + mon.Width - width - margin
	default:
		return 0, 0, fmt.Errorf("%w: %v", ErrBadCorner, c)
	}
	switch c {
	case CornerTopLeft, CornerTopRight:
		y = mon.Y + margin
	default:
		y = mon.Y + mon.Height - height - margin
	}
	return x, y, nil
}

// monitorOf returns the monitor that holds the centre of r, else the one
// that overlaps r most, else the first.
func monitorOf(mons []Rect, r Rect) Rect {
	cx, cy := r.X+r.Width/2, r.Y+r.Height/2
	for _, m := range mons {
		if cx >= m.X && cx < m.X+m.Width && cy >= m.Y && cy < m.Y+m.Height {
			return m
		}
	}
	best, area := mons[0], -1
	for _, m := range mons {
		w := min(r.X+r.Width, m.X+m.Width) - max(r.X, m.X)
		h := min(r.Y+r.Height, m.Y+m.Height) - max(r.Y, m.Y)
		if w > 0 && h > 0 && w*h > area {
			best, area = m, w*h
		}
	}
	return best
}
