package capture

import (
	"image"
	"math/rand/v2"
	"testing"
)

// converters lists the converters built in.
func converters(t testing.TB) []Converter {
	t.Helper()
	cs := []Converter{ConverterGo}
	if ConverterLibyuv.Available() {
		cs = append(cs, ConverterLibyuv)
	}
	return cs
}

// solidBGRA returns w*h pixels of one colour in BGRA order.
func solidBGRA(w, h int, r, g, b uint8) []byte {
	pix := make([]byte, w*h*4)
	for i := 0; i < len(pix); i += 4 {
		pix[i], pix[i+1], pix[i+2], pix[i+3] = b, g, r, 0xff
	}
	return pix
}

func TestConvertKnownColours(t *testing.T) {
	tests := []struct {
		name      string
		r, g, b   uint8
		y, cb, cr uint8
	}{
		{"black", 0, 0, 0, 16, 128, 128},
		{"white", 255, 255, 255, 235, 128, 128},
		{"red", 255, 0, 0, 82, 90, 240},
		{"green", 0, 255, 0, 144, 54, 34},
		{"blue", 0, 0, 255, 41, 240, 110},
		{"grey", 128, 128, 128, 126, 128, 128},
		{"orange", 255, 128, 0, 146, 53, 193},
	}
	for _, conv := range converters(t) {
		// libyuv's SIMD rows use 7-bit chroma coefficients and come out
		// one below the exact value for saturated colours.
		tolerance := 0
		if conv == ConverterLibyuv {
			tolerance = 1
		}
		for _, tt := range tests {
			for _, size := range []image.Point{{16, 16}, {7, 5}, {1, 1}} {
				t.Run(conv.String()+"/"+tt.name, func(t *testing.T) {
					dst := image.NewYCbCr(image.Rectangle{Max: size}, image.YCbCrSubsampleRatio420)
					src := solidBGRA(size.X, size.Y, tt.r, tt.g, tt.b)
					if err := ConvertBGRA(dst, src, size.X*4, dst.Rect, conv); err != nil {
						t.Fatal(err)
					}
					for y := range size.Y {
						for x := range size.X {
							c := dst.YCbCrAt(x, y)
							if abs(int(c.Y)-int(tt.y)) > tolerance || abs(int(c.Cb)-int(tt.cb)) > tolerance || abs(int(c.Cr)-int(tt.cr)) > tolerance {
								t.Fatalf("%v at (%d,%d): got Y/Cb/Cr %d/%d/%d; want %d/%d/%d ±%d",
									size, x, y, c.Y, c.Cb, c.Cr, tt.y, tt.cb, tt.cr, tolerance)
							}
						}
					}
				})
			}
		}
	}
}

// TestConvertSubRect converts a rectangle inside a frame and leaves the
// rest alone, at odd frame sizes too.
func TestConvertSubRect(t *testing.T) {
	for _, conv := range converters(t) {
		for _, size := range []image.Point{{1023, 767}, {64, 48}} {
			dst := image.NewYCbCr(image.Rectangle{Max: size}, image.YCbCrSubsampleRatio420)
			r := image.Rect(10, 20, size.X, size.Y) // reaches the odd edges
			src := solidBGRA(r.Dx(), r.Dy(), 255, 255, 255)
			if err := ConvertBGRA(dst, src, r.Dx()*4, r, conv); err != nil {
				t.Fatal(err)
			}
			for _, p := range []image.Point{{0, 0}, {9, 19}, {size.X - 1, 19}, {9, size.Y - 1}} {
				if c := dst.YCbCrAt(p.X, p.Y); c.Y != 0 || c.Cb != 0 {
					t.Errorf("%v %v outside %v: got Y %d Cb %d; want untouched 0", conv, p, r, c.Y, c.Cb)
				}
			}
			for _, p := range []image.Point{{10, 20}, {size.X - 1, size.Y - 1}, {size.X - 2, size.Y - 2}} {
				if c := dst.YCbCrAt(p.X, p.Y); c.Y != 235 || c.Cb != 128 || c.Cr != 128 {
					t.Errorf("%v %v inside %v: got %d/%d/%d; want 235/128/128", conv, p, r, c.Y, c.Cb, c.Cr)
				}
			}
		}
	}
}

// TestConvertersAgree compares the Go converter with libyuv on noise.
func TestConvertersAgree(t *testing.T) {
	if !ConverterLibyuv.Available() {
		t.Log("libyuv is not built in (no cgo); only the Go converter exists")
		return
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []image.Point{{1920, 1080}, {1023, 767}, {3, 3}} {
		src := make([]byte, size.X*size.Y*4)
		for i := range src {
			src[i] = uint8(rng.UintN(256))
		}
		a := image.NewYCbCr(image.Rectangle{Max: size}, image.YCbCrSubsampleRatio420)
		b := image.NewYCbCr(image.Rectangle{Max: size}, image.YCbCrSubsampleRatio420)
		if err := ConvertBGRA(a, src, size.X*4, a.Rect, ConverterGo); err != nil {
			t.Fatal(err)
		}
		if err := ConvertBGRA(b, src, size.X*4, b.Rect, ConverterLibyuv); err != nil {
			t.Fatal(err)
		}
		for name, planes := range map[string][2][]byte{"Y": {a.Y, b.Y}, "Cb": {a.Cb, b.Cb}, "Cr": {a.Cr, b.Cr}} {
			worst := 0
			for i := range planes[0] {
				worst = max(worst, abs(int(planes[0][i])-int(planes[1][i])))
			}
			if worst > 1 {
				t.Errorf("%v plane %s: got a largest difference of %d between Go and libyuv; want at most 1", size, name, worst)
			}
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestConvertRejectsBadInput(t *testing.T) {
	dst := image.NewYCbCr(image.Rect(0, 0, 16, 16), image.YCbCrSubsampleRatio420)
	pix := make([]byte, 16*16*4)
	tests := []struct {
		name   string
		dst    *image.YCbCr
		src    []byte
		stride int
		r      image.Rectangle
	}{
		{"nil frame", nil, pix, 64, image.Rect(0, 0, 16, 16)},
		{"4:4:4 frame", image.NewYCbCr(image.Rect(0, 0, 16, 16), image.YCbCrSubsampleRatio444), pix, 64, image.Rect(0, 0, 16, 16)},
		{"outside", dst, pix, 64, image.Rect(8, 8, 24, 24)},
		{"odd start", dst, pix, 64, image.Rect(1, 0, 16, 16)},
		{"odd size inside", dst, pix, 64, image.Rect(0, 0, 7, 16)},
		{"short stride", dst, pix, 60, image.Rect(0, 0, 16, 16)},
		{"short pixels", dst, pix[:100], 64, image.Rect(0, 0, 16, 16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ConvertBGRA(tt.dst, tt.src, tt.stride, tt.r, ConverterGo); err == nil {
				t.Errorf("got no error; want one")
			}
		})
	}
}

func TestEvenRect(t *testing.T) {
	bounds := image.Rect(0, 0, 1023, 767)
	tests := []struct{ in, want image.Rectangle }{
		{image.Rect(1, 1, 2, 2), image.Rect(0, 0, 2, 2)},
		{image.Rect(2, 3, 5, 7), image.Rect(2, 2, 6, 8)},
		{image.Rect(1000, 760, 1023, 767), image.Rect(1000, 760, 1023, 767)},
		{image.Rect(-5, -5, 3, 3), image.Rect(0, 0, 4, 4)},
		{image.Rect(2000, 0, 2100, 10), image.Rectangle{}},
	}
	for _, tt := range tests {
		if got := evenRect(tt.in, bounds); got != tt.want && !(got.Empty() && tt.want.Empty()) {
			t.Errorf("evenRect(%v): got %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestFillBlack(t *testing.T) {
	dst := image.NewYCbCr(image.Rect(0, 0, 9, 7), image.YCbCrSubsampleRatio420)
	fillBlack(dst, image.Rect(4, 2, 9, 7))
	for y := range 7 {
		for x := range 9 {
			c := dst.YCbCrAt(x, y)
			in := x >= 4 && y >= 2
			if in && (c.Y != blackY || c.Cb != blackC || c.Cr != blackC) {
				t.Errorf("(%d,%d): got %d/%d/%d; want black", x, y, c.Y, c.Cb, c.Cr)
			}
			if !in && c.Y != 0 {
				t.Errorf("(%d,%d): got Y %d; want untouched 0", x, y, c.Y)
			}
		}
	}
}

func TestDiffTiles(t *testing.T) {
	a := image.NewRGBA(image.Rect(0, 0, 100, 70))
	b := image.NewRGBA(image.Rect(0, 0, 100, 70))
	if got := diffTiles(a, b, 32); len(got) != 0 {
		t.Errorf("identical: got %v; want nothing", got)
	}
	b.Pix[b.PixOffset(40, 10)] = 1 // tile (32,0)
	b.Pix[b.PixOffset(70, 12)] = 1 // tile (64,0), joins the run
	b.Pix[b.PixOffset(99, 69)] = 1 // last, partial tile
	got := diffTiles(a, b, 32)
	want := []image.Rectangle{image.Rect(32, 0, 96, 32), image.Rect(96, 64, 100, 70)}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %v; want %v", got, want)
	}
}

func TestEnumText(t *testing.T) {
	for _, b := range []Backend{BackendAuto, BackendXShm, BackendScreenshot} {
		text, _ := b.MarshalText()
		var got Backend
		if err := got.UnmarshalText(text); err != nil || got != b {
			t.Errorf("backend %v: got %v, %v; want a round trip", b, got, err)
		}
	}
	for _, c := range []Converter{ConverterAuto, ConverterGo, ConverterLibyuv} {
		text, _ := c.MarshalText()
		var got Converter
		if err := got.UnmarshalText(text); err != nil || got != c {
			t.Errorf("converter %v: got %v, %v; want a round trip", c, got, err)
		}
	}
	var b Backend
	if err := b.UnmarshalText([]byte("vnc")); err == nil {
		t.Errorf("UnmarshalText(vnc): got no error; want one")
	}
}

func benchConvert(b *testing.B, conv Converter) {
	if !conv.Available() {
		b.Fatalf("%v is not built in", conv)
	}
	const w, h = 1920, 1080
	src := make([]byte, w*h*4)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range src {
		src[i] = uint8(rng.UintN(256))
	}
	dst := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	b.SetBytes(w * h * 4)
	b.ResetTimer()
	for b.Loop() {
		if err := ConvertBGRA(dst, src, w*4, dst.Rect, conv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConvertGo converts a full 1080p frame with the Go converter.
func BenchmarkConvertGo(b *testing.B) { benchConvert(b, ConverterGo) }

// BenchmarkConvertLibyuv converts a full 1080p frame with libyuv.
func BenchmarkConvertLibyuv(b *testing.B) { benchConvert(b, ConverterLibyuv) }
