package codec

import (
	"image"
)

// screen draws a synthetic, screen-like picture into a persistent 4:2:0
// frame: a flat background, a coloured title bar and lines of text-like
// glyphs (one-pixel strokes) that can scroll.
type screen struct {
	img *image.YCbCr
}

func newScreen(w, h int) *screen {
	return &screen{img: image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)}
}

// hash32 is a small integer hash for deterministic glyphs.
func hash32(a, b uint32) uint32 {
	x := a*0x9E3779B1 ^ b*0x85EBCA77
	x ^= x >> 15
	x *= 0x2C1B3C6D
	x ^= x >> 12
	return x
}

// draw renders the scene with the document scrolled up by scroll pixels:
// a title bar, a side panel with short labels and a page of paragraphs.
func (s *screen) draw(scroll int) {
	img := s.img
	w, h := img.Rect.Dx(), img.Rect.Dy()
	const bar = 32
	panel := w / 6
	for y := range h {
		row := img.Y[y*img.YStride : y*img.YStride+w]
		if y < bar {
			for x := range row {
				row[x] = 70
			}
			continue
		}
		// The side panel does not scroll; the page does.
		for x := range row {
			if x < panel {
				row[x] = 215
			} else {
				row[x] = 240
			}
		}
		drawText(row[:panel], y-bar, 1000, panel/8-2, 6)
		drawText(row[panel:], y-bar+scroll, 0, (w-panel)/8-4, 5)
	}
	cw, ch := (w+1)/2, (h+1)/2
	for y := range ch {
		cb := img.Cb[y*img.CStride : y*img.CStride+cw]
		cr := img.Cr[y*img.CStride : y*img.CStride+cw]
		for x := range cb {
			switch {
			case y < bar/2:
				cb[x], cr[x] = 160, 100
			case x < panel/2:
				cb[x], cr[x] = 134, 124
			default:
				cb[x], cr[x] = 128, 128
			}
		}
	}
}

// drawText draws row doc of a column of text-like glyphs (8x16 cells,
// one-pixel strokes) into row: lines of varying length in paragraphs
// separated by a blank line every para lines.
func drawText(row []byte, doc, seed, maxLen, para int) {
	line, ly := doc/16, doc%16
	if ly < 3 || ly > 12 || line%para == para-1 || maxLen < 1 {
		return
	}
	length := int(hash32(uint32(line), uint32(seed)) % uint32(maxLen))
	for x := range row {
		col, lx := x/8-2, x%8
		if col < 0 || col >= length {
			continue
		}
		g := hash32(uint32(line+seed), uint32(col))
		if g%6 == 0 { // a space
			continue
		}
		on := (lx == 1 && g&1 != 0) || (lx == 5 && g&16 != 0) ||
			(ly == 3 && g&2 != 0 && lx >= 1 && lx <= 5) ||
			(ly == 7 && g&4 != 0 && lx >= 1 && lx <= 5) ||
			(ly == 12 && g&8 != 0 && lx >= 1 && lx <= 5) ||
			(g&32 != 0 && lx == 1+(ly-3)/2 && lx <= 5)
		if on {
			row[x] = 25
		}
	}
}

// fillRect paints r in one colour.
func (s *screen) fillRect(r image.Rectangle, yv, cb, cr byte) {
	img := s.img
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.Y[img.YOffset(x, y)] = yv
			i := img.COffset(x, y)
			img.Cb[i], img.Cr[i] = cb, cr
		}
	}
}
