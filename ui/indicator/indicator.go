// Package indicator shows the customer that their computer is being
// supported: a small banner, always on top, at the top centre of the
// primary monitor, such as "This computer is being supported — Ray".
//
// On Linux it is an X11 override-redirect window, so it needs no window
// manager, that takes neither focus nor input (its input shape is empty)
// and raises itself again whenever another window is mapped or restacked
// above it. It asks to be semi-transparent (_NET_WM_WINDOW_OPACITY),
// which a compositing window manager honours, and carries
// _NET_WM_STATE_ABOVE and the notification window type for window
// managers that look. Elsewhere Show returns errors.ErrUnsupported.
//
// The package does not use Fyne: the banner is drawn with
// golang.org/x/image/font and the Go fonts.
package indicator

import (
	"image"
	"image/color"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Banner geometry and colours, in pixels.
const (
	textSize = 15 // font size
	height   = 30 // of the banner
	padding  = 16 // left and right of the text
	margin   = 10 // kept free on each side of the monitor
	// opacity is how opaque the banner asks to be, of 0xffffffff: 85 %.
	opacity = 0xd9999999
)

var (
	background = color.RGBA{R: 22, G: 84, B: 160, A: 255}
	edge       = color.RGBA{R: 120, G: 170, B: 230, A: 255}
	foreground = color.RGBA{R: 255, G: 255, B: 255, A: 255}
)

var regular = sync.OnceValues(func() (*opentype.Font, error) { return opentype.Parse(goregular.TTF) })

// render draws text as the banner, no wider than maxWidth: text that does
// not fit is cut and ends with "…".
func render(text string, maxWidth int) (*image.RGBA, error) {
	f, err := regular()
	if err != nil {
		return nil, err
	}
	// A face is not safe for concurrent use: one per banner.
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: textSize, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	defer face.Close()
	maxText := fixed.I(max(maxWidth-2*padding, 1))
	if font.MeasureString(face, text) > maxText {
		r := []rune(text)
		for len(r) > 0 && font.MeasureString(face, string(r)+"…") > maxText {
			r = r[:len(r)-1]
		}
		text = string(r) + "…"
	}
	w := font.MeasureString(face, text).Ceil() + 2*padding
	img := image.NewRGBA(image.Rect(0, 0, min(w, max(maxWidth, 1)), height))
	for y := range height {
		for x := range img.Rect.Dx() {
			c := background
			if x == 0 || y == 0 || x == img.Rect.Dx()-1 || y == height-1 {
				c = edge
			}
			img.SetRGBA(x, y, c)
		}
	}
	m := face.Metrics()
	baseline := (fixed.I(height) + m.Ascent - m.Descent) / 2
	d := font.Drawer{Dst: img, Src: image.NewUniform(foreground), Face: face, Dot: fixed.Point26_6{X: fixed.I(padding), Y: baseline}}
	d.DrawString(text)
	return img, nil
}
