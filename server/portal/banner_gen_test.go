package portal

import (
	"encoding/binary"
	"flag"
	"os"
	"testing"
)

var writeBanner = flag.Bool("write-banner", false, "write default_banner.bmp")

// glyphs is a 5x7 font for the banner's word, one byte per row (low 5 bits).
var glyphs = map[rune][7]byte{
	'T': {0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04},
	'A': {0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11},
	'N': {0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11},
	'D': {0x1e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1e},
	'E': {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f},
	'M': {0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11},
}

// makeDefaultBanner draws a 480x40 8-bit BMP: a teal-to-blue gradient with
// "TANDEM" in white at the left.
func makeDefaultBanner() []byte {
	const w, h, pal = BannerWidth, 40, 256
	off := 14 + 40 + pal*4
	b := make([]byte, off+w*h)
	b[0], b[1] = 'B', 'M'
	binary.LittleEndian.PutUint32(b[2:], uint32(len(b)))
	binary.LittleEndian.PutUint32(b[10:], uint32(off))
	binary.LittleEndian.PutUint32(b[14:], 40)
	binary.LittleEndian.PutUint32(b[18:], w)
	binary.LittleEndian.PutUint32(b[22:], h)
	binary.LittleEndian.PutUint16(b[26:], 1)
	binary.LittleEndian.PutUint16(b[28:], 8)
	binary.LittleEndian.PutUint32(b[34:], w*h)
	binary.LittleEndian.PutUint32(b[46:], pal)
	// Palette: 0..254 a gradient (BGR0), 255 white.
	for i := 0; i < 255; i++ {
		p := 54 + i*4
		b[p+0] = byte(0x80 + i*0x70/254) // blue
		b[p+1] = byte(0x80 - i*0x50/254) // green
		b[p+2] = byte(0x10)              // red
	}
	b[54+255*4], b[54+255*4+1], b[54+255*4+2] = 0xff, 0xff, 0xff
	px := b[off:]
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			px[y*w+x] = byte(x * 254 / (w - 1))
		}
	}
	const scale, x0, top = 4, 16, 6 // 7 rows * 4 = 28 px tall, 6 px from the top
	for i, r := range "TANDEM" {
		g := glyphs[r]
		for row := 0; row < 7; row++ {
			for col := 0; col < 5; col++ {
				if g[row]&(0x10>>col) == 0 {
					continue
				}
				for dy := 0; dy < scale; dy++ {
					for dx := 0; dx < scale; dx++ {
						x := x0 + i*6*scale + col*scale + dx
						y := h - 1 - (top + row*scale + dy) // BMP rows run bottom-up
						px[y*w+x] = 255
					}
				}
			}
		}
	}
	return b
}

func TestWriteDefaultBanner(t *testing.T) {
	b := makeDefaultBanner()
	if err := ValidateBanner(b); err != nil {
		t.Fatalf("generated banner: %v", err)
	}
	if *writeBanner {
		if err := os.WriteFile("default_banner.bmp", b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDefaultBanner(t *testing.T) {
	if err := ValidateBanner(DefaultBanner()); err != nil {
		t.Fatalf("embedded default banner: %v", err)
	}
	if got := BannerSHA256(DefaultBanner()); got != DefaultBannerSHA256() || len(got) != 64 {
		t.Errorf("hash: got %q; want %q", got, DefaultBannerSHA256())
	}
}
