//go:build linux && cgo

package client_test

import (
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/tandemhq/tandem/capture"
	"github.com/tandemhq/tandem/codec"
	"github.com/tandemhq/tandem/internal/xvfb"
)

// maskDesktop is an X client that paints the desktop and opens solid
// application windows on it.
type maskDesktop struct {
	t      *testing.T
	conn   *xgb.Conn
	screen *xproto.ScreenInfo
}

func newMaskDesktop(t *testing.T, d *xvfb.Display, bg color.RGBA) *maskDesktop {
	t.Helper()
	conn, err := xgb.NewConnDisplay(d.Name)
	if err != nil {
		t.Fatalf("connect %s: %v", d.Name, err)
	}
	t.Cleanup(conn.Close)
	m := &maskDesktop{t: t, conn: conn, screen: xproto.Setup(conn).DefaultScreen(conn)}
	m.ok("set the desktop's colour", xproto.ChangeWindowAttributesChecked(conn, m.screen.Root, xproto.CwBackPixel, []uint32{rgbPixel(bg)}).Check())
	m.ok("clear the desktop", xproto.ClearAreaChecked(conn, false, m.screen.Root, 0, 0, 0, 0).Check())
	return m
}

func rgbPixel(c color.RGBA) uint32 { return uint32(c.R)<<16 | uint32(c.G)<<8 | uint32(c.B) }

func (m *maskDesktop) ok(what string, err error) {
	m.t.Helper()
	if err != nil {
		m.t.Fatalf("%s: %v", what, err)
	}
}

// open maps a window titled title, of process pid, filled with c at r.
func (m *maskDesktop) open(title string, pid int, c color.RGBA, r image.Rectangle) capture.WindowID {
	m.t.Helper()
	w, err := xproto.NewWindowId(m.conn)
	m.ok("new window ID", err)
	m.ok("create "+title, xproto.CreateWindowChecked(m.conn, m.screen.RootDepth, w, m.screen.Root, int16(r.Min.X), int16(r.Min.Y),
		uint16(r.Dx()), uint16(r.Dy()), 0, xproto.WindowClassInputOutput, m.screen.RootVisual,
		xproto.CwBackPixel, []uint32{rgbPixel(c)}).Check())
	m.ok("title "+title, xproto.ChangePropertyChecked(m.conn, xproto.PropModeReplace, w, xproto.AtomWmName, xproto.AtomString,
		8, uint32(len(title)), []byte(title)).Check())
	a, err := xproto.InternAtom(m.conn, false, uint16(len("_NET_WM_PID")), "_NET_WM_PID").Reply()
	m.ok("intern _NET_WM_PID", err)
	m.ok("pid of "+title, xproto.ChangePropertyChecked(m.conn, xproto.PropModeReplace, w, a.Atom, xproto.AtomCardinal,
		32, 1, binary.LittleEndian.AppendUint32(nil, uint32(pid))).Check())
	m.ok("map "+title, xproto.MapWindowChecked(m.conn, w).Check())
	return capture.WindowID(w)
}

// areaColour reports whether every pixel of r in img is within tol of c
// on each of R, G and B, and describes the first that is not.
func areaColour(img *image.YCbCr, r image.Rectangle, c color.RGBA, tol int) (bool, string) {
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			p := img.YCbCrAt(x, y)
			cr, cg, cb := color.YCbCrToRGB(p.Y, p.Cb, p.Cr)
			if absDiff(cr, c.R) > tol || absDiff(cg, c.G) > tol || absDiff(cb, c.B) > tol {
				return false, fmt.Sprintf("at (%d,%d) got RGB %d/%d/%d; want %d/%d/%d", x, y, cr, cg, cb, c.R, c.G, c.B)
			}
		}
	}
	return true, ""
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// TestMaskedWindowIsBlackAtTheRep: the customer shares one window; the
// frames the rep decodes show it, and show the desktop, the window not
// chosen and the part of the chosen one that it covers black.
func TestMaskedWindowIsBlackAtTheRep(t *testing.T) {
	const w, h = 640, 480
	var (
		white = color.RGBA{240, 240, 240, 255}
		red   = color.RGBA{220, 30, 30, 255}
		green = color.RGBA{30, 200, 60, 255}
		black = color.RGBA{0, 0, 0, 255}
	)
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: w, Height: h}}})
	desk := newMaskDesktop(t, d, white)
	shared := desk.open("Shared", 1001, red, image.Rect(40, 40, 320, 280))
	desk.open("Private", 1002, green, image.Rect(240, 200, 560, 440)) // above the shared one

	wins, err := capture.ListWindows(d.Name)
	if err != nil {
		t.Fatal(err)
	}
	if len(wins) != 2 || wins[0].Title != "Private" || wins[1].ID != shared {
		t.Fatalf("ListWindows: got %+v; want Private above Shared", wins)
	}

	s := startSharing(t, d, []codec.Codec{codec.VP8})
	if err := s.cap.ShareOnly([]capture.WindowID{shared}); err != nil {
		t.Fatalf("ShareOnly: %v", err)
	}
	// Inner parts of each area: the codec blurs the edges between them.
	want := []struct {
		name string
		r    image.Rectangle
		c    color.RGBA
	}{
		{"the shared window", image.Rect(50, 50, 310, 190), red},
		{"the shared window beside the other", image.Rect(50, 190, 230, 270), red},
		{"the part the other window covers", image.Rect(250, 210, 310, 270), black},
		{"the window not chosen", image.Rect(330, 290, 550, 430), black},
		{"the desktop above", image.Rect(0, 0, w, 30), black},
		{"the desktop beside", image.Rect(330, 40, w, 190), black},
	}
	const tol = 24
	deadline := time.After(60 * time.Second)
	var last string
	for {
		select {
		case f := <-s.screen.Frames():
			if f.Image.Rect.Size() != image.Pt(w, h) {
				continue
			}
			last = ""
			for _, a := range want {
				if ok, why := areaColour(f.Image, a.r, a.c, tol); !ok {
					last = a.name + ": " + why
					break
				}
			}
			if last == "" {
				return
			}
		case <-deadline:
			t.Fatalf("the rep never decoded the masked screen within 60s; last frame: %s", last)
		}
	}
}
