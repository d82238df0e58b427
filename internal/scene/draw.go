package scene

import (
	"fmt"
	"image"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// Geometry of the layout, in pixels; the package comment draws it.
const (
	titleHeight  = 40
	panelWidth   = 240
	sheetInset   = 40 // desk visible left and right of the page
	textMargin   = 32 // page edge to text
	topPadding   = 16 // page top to its first line, before scrolling
	lineLeading  = 6  // added to the font's height
	caretWidth   = 2
	panelTextTop = 230
)

// colour indexes into the allocated pixel values.
const (
	colTitle = iota
	colTitleText
	colPanel
	colPanelText
	colPanelBorder
	colDesk
	colSheet
	colText
	colMarker0
	colMarker1
	numColours
)

// palette holds the scene's colours as 8-bit RGB; the marker's come from
// markerColours.
var palette = [numColours][3]uint8{
	colTitle:       {0x2b, 0x57, 0x9a},
	colTitleText:   {0xff, 0xff, 0xff},
	colPanel:       {0xf0, 0xf0, 0xf0},
	colPanelText:   {0x33, 0x33, 0x33},
	colPanelBorder: {0xc8, 0xc8, 0xc8},
	colDesk:        {0xdc, 0xdc, 0xdc},
	colSheet:       {0xff, 0xff, 0xff},
	colText:        {0x20, 0x20, 0x20},
	colMarker0:     {markerColours[0].R, markerColours[0].G, markerColours[0].B},
	colMarker1:     {markerColours[1].R, markerColours[1].G, markerColours[1].B},
}

// fontCandidates are tried in order; "fixed" exists on every X server.
var fontCandidates = []string{
	"-misc-fixed-medium-r-normal--20-*-*-*-*-*-iso8859-1",
	"10x20",
	"fixed",
}

// fontMetrics is what the layout needs to know about the font.
type fontMetrics struct {
	ascent, descent, width int
}

// allocColours allocates the palette in the colormap and returns the pixel
// values.
func allocColours(c *xgb.Conn, cmap xproto.Colormap) ([numColours]uint32, error) {
	var pixels [numColours]uint32
	var cookies [numColours]xproto.AllocColorCookie
	for i, rgb := range palette {
		cookies[i] = xproto.AllocColor(c, cmap, uint16(rgb[0])*0x101, uint16(rgb[1])*0x101, uint16(rgb[2])*0x101)
	}
	for i := range cookies {
		r, err := cookies[i].Reply()
		if err == nil && r == nil {
			err = errNoReply
		}
		if err != nil {
			return pixels, fmt.Errorf("allocate colour %02x%02x%02x: %w", palette[i][0], palette[i][1], palette[i][2], err)
		}
		pixels[i] = r.Pixel
	}
	return pixels, nil
}

// openFont opens the first font of fontCandidates the server has.
func openFont(c *xgb.Conn) (xproto.Font, fontMetrics, error) {
	for _, name := range fontCandidates {
		f, err := xproto.NewFontId(c)
		if err != nil {
			return 0, fontMetrics{}, fmt.Errorf("allocate font id: %w", err)
		}
		if err := xproto.OpenFontChecked(c, f, uint16(len(name)), name).Check(); err != nil {
			continue
		}
		q, err := xproto.QueryFont(c, xproto.Fontable(f)).Reply()
		if err == nil && q == nil {
			err = errNoReply
		}
		if err != nil {
			return 0, fontMetrics{}, fmt.Errorf("query font %q: %w", name, err)
		}
		m := fontMetrics{ascent: int(q.FontAscent), descent: int(q.FontDescent), width: int(q.MaxBounds.CharacterWidth)}
		if m.width <= 0 || m.ascent+m.descent <= 0 {
			xproto.CloseFont(c, f)
			continue
		}
		return f, m, nil
	}
	return 0, fontMetrics{}, fmt.Errorf("tried %q: %w", fontCandidates, ErrNoFont)
}

// layout is where everything goes on a screen of one size.
type layout struct {
	w, h   int
	title  image.Rectangle
	panel  image.Rectangle
	desk   image.Rectangle
	sheet  image.Rectangle // the page: scrolls and is typed into
	font   fontMetrics
	lineH  int
	textX  int // left edge of the page's text
	cols   int // characters per line of the page
	pageH  int
	caretH int
}

func newLayout(w, h int, f fontMetrics) layout {
	l := layout{
		w:     w,
		h:     h,
		title: image.Rect(0, 0, w, titleHeight),
		panel: image.Rect(0, titleHeight, panelWidth, h),
		desk:  image.Rect(panelWidth, titleHeight, w, h),
		sheet: image.Rect(panelWidth+sheetInset, titleHeight, w-sheetInset, h),
		font:  f,
		lineH: f.ascent + f.descent + lineLeading,
	}
	l.textX = l.sheet.Min.X + textMargin
	// ImageText8 takes at most 255 characters.
	l.cols = max(1, min(255, (l.sheet.Dx()-2*textMargin)/f.width))
	l.pageH = l.sheet.Dy()
	l.caretH = l.lineH - 4
	return l
}

// gcs are the graphics contexts, one per colour use, so no request ever
// changes one: the event reader and the animator can draw at the same time.
type gcs struct {
	title, titleText         xproto.Gcontext
	panel, panelText, border xproto.Gcontext
	desk, sheet, text, caret xproto.Gcontext
	copy                     xproto.Gcontext
	marker                   [2]xproto.Gcontext
}

func newGCs(c *xgb.Conn, d xproto.Drawable, px [numColours]uint32, font xproto.Font, l layout) (gcs, error) {
	var g gcs
	var err error
	mk := func(fg, bg int, withFont bool, clip *image.Rectangle) xproto.Gcontext {
		if err != nil {
			return 0
		}
		var id xproto.Gcontext
		if id, err = xproto.NewGcontextId(c); err != nil {
			err = fmt.Errorf("allocate graphics context id: %w", err)
			return 0
		}
		mask := uint32(xproto.GcForeground | xproto.GcBackground | xproto.GcGraphicsExposures)
		vals := []uint32{px[fg], px[bg]}
		if withFont {
			mask |= xproto.GcFont
			vals = append(vals, uint32(font))
		}
		vals = append(vals, 0) // no GraphicsExpose events from CopyArea
		if err = xproto.CreateGCChecked(c, id, d, mask, vals).Check(); err != nil {
			err = fmt.Errorf("create graphics context: %w", err)
			return 0
		}
		if clip != nil {
			r := xRect(*clip)
			if err = xproto.SetClipRectanglesChecked(c, xproto.ClipOrderingUnsorted, id, 0, 0, []xproto.Rectangle{r}).Check(); err != nil {
				err = fmt.Errorf("clip graphics context: %w", err)
			}
		}
		return id
	}
	sheet := l.sheet
	g.title = mk(colTitle, colTitle, false, nil)
	g.titleText = mk(colTitleText, colTitle, true, nil)
	g.panel = mk(colPanel, colPanel, false, nil)
	g.panelText = mk(colPanelText, colPanel, true, nil)
	g.border = mk(colPanelBorder, colPanel, false, nil)
	g.desk = mk(colDesk, colDesk, false, nil)
	g.sheet = mk(colSheet, colSheet, false, &sheet)
	g.text = mk(colText, colSheet, true, &sheet)
	g.caret = mk(colText, colSheet, false, &sheet)
	g.copy = mk(colSheet, colSheet, false, nil)
	g.marker[0] = mk(colMarker0, colMarker0, false, nil)
	g.marker[1] = mk(colMarker1, colMarker1, false, nil)
	return g, err
}

func xRect(r image.Rectangle) xproto.Rectangle {
	return xproto.Rectangle{X: int16(r.Min.X), Y: int16(r.Min.Y), Width: uint16(r.Dx()), Height: uint16(r.Dy())}
}

func (s *Scene) fill(gc xproto.Gcontext, r image.Rectangle) {
	if r.Empty() {
		return
	}
	xproto.PolyFillRectangle(s.conn, xproto.Drawable(s.win), gc, []xproto.Rectangle{xRect(r)})
}

// text draws str with its baseline at y; str must be ASCII and at most 255
// bytes long.
func (s *Scene) text(gc xproto.Gcontext, x, y int, str string) {
	if str == "" {
		return
	}
	xproto.ImageText8(s.conn, byte(len(str)), xproto.Drawable(s.win), gc, int16(x), int16(y), str)
}

const titleText = "report.txt - Tandem Writer (test scene)"

var panelItems = []string{
	"Outline",
	"",
	"1  Introduction",
	"2  Getting connected",
	"3  Sharing the screen",
	"4  Remote control",
	"5  Files and clipboard",
	"6  Ending a session",
	"7  Troubleshooting",
}

// drawAll draws the whole window.
func (s *Scene) drawAll() {
	l := s.lay
	f := l.font
	s.fill(s.gc.title, l.title)
	s.text(s.gc.titleText, 16, (titleHeight+f.ascent-f.descent)/2, titleText)

	s.fill(s.gc.panel, l.panel)
	s.fill(s.gc.border, image.Rect(l.panel.Max.X-1, l.panel.Min.Y, l.panel.Max.X, l.panel.Max.Y))
	s.markerMu.Lock()
	s.drawMarkerLocked()
	s.markerMu.Unlock()
	s.text(s.gc.panelText, markerRect.Min.X, markerRect.Max.Y+8+f.ascent, "marker")
	for i, item := range panelItems {
		y := panelTextTop + i*l.lineH + f.ascent
		if y+f.descent > l.h {
			break
		}
		s.text(s.gc.panelText, 16, y, item)
	}

	s.fill(s.gc.desk, l.desk)
	s.drawPage(l.sheet.Min.Y, l.sheet.Max.Y)
}

// drawMarkerLocked fills the marker in its current colour; the caller holds
// markerMu, so that the requests leave in the order the colour changed.
func (s *Scene) drawMarkerLocked() {
	i := 0
	if s.markerOn {
		i = 1
	}
	s.fill(s.gc.marker[i], markerRect)
}

// copyArea copies the window's pixels in src so that src.Min lands on dst.
func (s *Scene) copyArea(src image.Rectangle, dst image.Point) {
	d := xproto.Drawable(s.win)
	xproto.CopyArea(s.conn, d, d, s.gc.copy, int16(src.Min.X), int16(src.Min.Y),
		int16(dst.X), int16(dst.Y), uint16(src.Dx()), uint16(src.Dy()))
}
