package codec

import (
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// frameTime is the interval between frames in these tests.
const frameTime = time.Second / 30

var codecs = []Codec{VP8, VP9}

func newEncoder(t testing.TB, cfg EncoderConfig) *Encoder {
	t.Helper()
	e, err := NewEncoder(cfg)
	if err != nil {
		t.Fatalf("NewEncoder(%+v): %v", cfg, err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func newDecoder(t testing.TB, c Codec) *Decoder {
	t.Helper()
	d, err := NewDecoder(c)
	if err != nil {
		t.Fatalf("NewDecoder(%v): %v", c, err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func encode(t testing.TB, e *Encoder, img *image.YCbCr, opts EncodeOptions) Packet {
	t.Helper()
	p, err := e.Encode(img, opts)
	if err != nil {
		t.Fatalf("Encode(%+v): %v", opts, err)
	}
	return p
}

func decode(t testing.TB, d *Decoder, data []byte) *image.YCbCr {
	t.Helper()
	img, err := d.Decode(data)
	if err != nil {
		t.Fatalf("Decode(%d bytes): %v", len(data), err)
	}
	if img == nil {
		t.Fatalf("Decode(%d bytes): no picture", len(data))
	}
	return img
}

func cloneYCbCr(img *image.YCbCr) *image.YCbCr {
	c := *img
	c.Y, c.Cb, c.Cr = slices.Clone(img.Y), slices.Clone(img.Cb), slices.Clone(img.Cr)
	return &c
}

// pageRect is the part of a screen of w x h that scrolls.
func pageRect(w, h int) image.Rectangle { return image.Rect(w/6, 32, w, h) }

// TestRoundTrip encodes a screen, scrolls it, tops it off and checks that
// the decoded picture matches the source, at a common and an odd size.
func TestRoundTrip(t *testing.T) {
	for _, c := range codecs {
		for _, size := range []image.Point{{1920, 1080}, {1023, 767}} {
			t.Run(fmt.Sprintf("%v/%dx%d", c, size.X, size.Y), func(t *testing.T) {
				w, h := size.X, size.Y
				s := newScreen(w, h)
				s.draw(0)
				e := newEncoder(t, EncoderConfig{Codec: c, Width: w, Height: h, BitrateKbps: 4000})
				d := newDecoder(t, c)

				p := encode(t, e, s.img, EncodeOptions{Duration: frameTime})
				if !p.Keyframe {
					t.Fatalf("first frame: Keyframe = false; want true")
				}
				got := decode(t, d, p.Data)
				if got.Rect != s.img.Rect {
					t.Fatalf("decoded %v; want %v", got.Rect, s.img.Rect)
				}
				if q := PSNR(s.img, got, s.img.Rect); q < 20 {
					t.Errorf("keyframe: PSNR %.1f dB; want ≥ 20", q)
				}
				for i := 1; i <= 4; i++ {
					s.draw(3 * i)
					p := encode(t, e, s.img, EncodeOptions{Changed: []image.Rectangle{pageRect(w, h)}, Duration: frameTime})
					if p.Keyframe {
						t.Errorf("scroll frame %d: Keyframe = true; want false", i)
					}
					if len(p.Data) == 0 {
						t.Fatalf("scroll frame %d: no data", i)
					}
					decode(t, d, p.Data)
				}
				frames, bytes := 0, 0
				for !p.Sharp {
					if frames++; frames > 300 {
						t.Fatalf("not sharp after 300 refine frames (%d bytes, last quantizer %d)", bytes, p.Quantizer)
					}
					p = encode(t, e, s.img, EncodeOptions{Refine: true, Duration: frameTime})
					if len(p.Data) > 0 {
						bytes += len(p.Data)
						got = decode(t, d, p.Data)
					}
				}
				q := PSNR(s.img, got, s.img.Rect)
				t.Logf("sharp after %d refine frames, %d bytes: %.2f dB", frames, bytes, q)
				if q < 45 {
					t.Errorf("after top-off: PSNR %.2f dB; want ≥ 45", q)
				}
				for range 3 {
					p = encode(t, e, s.img, EncodeOptions{Refine: true, Duration: frameTime})
					if len(p.Data) != 0 || !p.Sharp {
						t.Fatalf("Refine of a sharp picture: %d bytes, Sharp %v; want 0 bytes, Sharp true", len(p.Data), p.Sharp)
					}
				}
			})
		}
	}
}

// TestForceKeyframe checks that a forced keyframe starts a fresh decoder
// and that an inter frame cannot.
func TestForceKeyframe(t *testing.T) {
	for _, c := range codecs {
		t.Run(c.String(), func(t *testing.T) {
			const w, h = 320, 240
			s := newScreen(w, h)
			e := newEncoder(t, EncoderConfig{Codec: c, Width: w, Height: h, BitrateKbps: 1000})
			var ps []Packet
			var pics []*image.YCbCr
			for i := range 6 {
				s.draw(3 * i)
				p := encode(t, e, s.img, EncodeOptions{ForceKeyframe: i == 3, Duration: frameTime})
				if want := i == 0 || i == 3; p.Keyframe != want {
					t.Errorf("frame %d: Keyframe = %v; want %v", i, p.Keyframe, want)
				}
				ps = append(ps, p)
				pics = append(pics, cloneYCbCr(s.img))
			}
			d := newDecoder(t, c)
			if img, err := d.Decode(ps[2].Data); !errors.Is(err, ErrCorrupt) {
				t.Errorf("fresh decoder, inter frame: got %v, %v; want error %v", img != nil, err, ErrCorrupt)
			}
			for i := 3; i < 6; i++ {
				got := decode(t, d, ps[i].Data)
				if q := PSNR(pics[i], got, pics[i].Rect); q < 25 {
					t.Errorf("frame %d after the forced keyframe: PSNR %.1f dB; want ≥ 25", i, q)
				}
			}
		})
	}
}

// TestNoPeriodicKeyframes encodes 300 frames, with scene cuts, and expects
// no keyframe but the first.
func TestNoPeriodicKeyframes(t *testing.T) {
	for _, c := range codecs {
		t.Run(c.String(), func(t *testing.T) {
			const w, h = 192, 128
			s := newScreen(w, h)
			e := newEncoder(t, EncoderConfig{Codec: c, Width: w, Height: h, BitrateKbps: 300})
			for i := range 300 {
				s.draw(i)
				if i%60 == 59 { // a scene cut: another window on top
					s.fillRect(image.Rect(0, 0, w, h), byte(40+i%200), 90, 170)
				}
				p := encode(t, e, s.img, EncodeOptions{Duration: frameTime})
				if want := i == 0; p.Keyframe != want {
					t.Fatalf("frame %d: Keyframe = %v; want %v", i, p.Keyframe, want)
				}
			}
		})
	}
}

// TestSetBitrate changes the bitrate between frames of a fast scroll and
// expects the frames to follow. (A slow scroll is no test: the encoders
// find the motion and code it in a few hundred bytes at any rate.)
func TestSetBitrate(t *testing.T) {
	for _, c := range codecs {
		t.Run(c.String(), func(t *testing.T) {
			const w, h = 640, 360
			s := newScreen(w, h)
			var pages []*image.YCbCr
			for i := range 7 {
				s.draw(997 * i)
				pages = append(pages, cloneYCbCr(s.img))
			}
			e := newEncoder(t, EncoderConfig{Codec: c, Width: w, Height: h, BitrateKbps: 5000})
			frame := 0
			// mean returns the mean size and quantizer of the last 8 of n
			// frames, each scrolled by a page.
			mean := func(n int) (size, q int) {
				for i := range n {
					frame++
					p := encode(t, e, pages[frame%len(pages)], EncodeOptions{Changed: []image.Rectangle{pageRect(w, h)}, Duration: frameTime})
					if i >= n-8 {
						size += len(p.Data)
						q += p.Quantizer
					}
				}
				return size / 8, q / 8
			}
			high, highQ := mean(16)
			if err := e.SetBitrate(300); err != nil {
				t.Fatalf("SetBitrate(300): %v", err)
			}
			low, lowQ := mean(16)
			if err := e.SetBitrate(5000); err != nil {
				t.Fatalf("SetBitrate(5000): %v", err)
			}
			again, againQ := mean(30) // the debt run up at 300 kbps is paid first
			t.Logf("mean frame at 5000 kbps %d bytes (quantizer %d), at 300 kbps %d (%d), at 5000 again %d (%d)", high, highQ, low, lowQ, again, againQ)
			if low*2 > high || lowQ < highQ+10 {
				t.Errorf("frames at 300 kbps: %d bytes, quantizer %d; want under half of %d bytes and a quantizer over %d+10 at 5000 kbps", low, lowQ, high, highQ)
			}
			// CBR comes back down gradually: the buffer it keeps is
			// nearly empty at the higher rate.
			if again*2 < low*3 || lowQ < againQ+10 {
				t.Errorf("frames back at 5000 kbps: %d bytes, quantizer %d; want over 1.5 times %d bytes and a quantizer under %d-10 at 300 kbps", again, againQ, low, lowQ)
			}
			if got := e.Config().BitrateKbps; got != 5000 {
				t.Errorf("Config().BitrateKbps = %d; want 5000", got)
			}
			for _, kbps := range []int{0, MinBitrateKbps - 1, MaxBitrateKbps + 1, -5} {
				if err := e.SetBitrate(kbps); !errors.Is(err, ErrBadConfig) {
					t.Errorf("SetBitrate(%d) = %v; want %v", kbps, err, ErrBadConfig)
				}
			}
		})
	}
}

// TestChangedRect checks that a small damaged rectangle costs far less than
// a whole-frame change, and that only the macroblocks it touches are sent.
func TestChangedRect(t *testing.T) {
	for _, c := range codecs {
		t.Run(c.String(), func(t *testing.T) {
			const w, h = 1280, 720
			s := newScreen(w, h)
			s.draw(0)
			e := newEncoder(t, EncoderConfig{Codec: c, Width: w, Height: h, BitrateKbps: 2000})
			d := newDecoder(t, c)
			decode(t, d, encode(t, e, s.img, EncodeOptions{Duration: frameTime}).Data)

			if p := encode(t, e, s.img, EncodeOptions{Changed: []image.Rectangle{}, Duration: frameTime}); len(p.Data) != 0 {
				t.Errorf("empty Changed: %d bytes; want none", len(p.Data))
			}

			old := cloneYCbCr(s.img)
			cursor := image.Rect(400, 300, 424, 318) // declared
			hidden := image.Rect(900, 480, 964, 544) // changed but not declared
			s.fillRect(cursor, 20, 128, 128)
			s.fillRect(hidden, 16, 200, 60)
			small := encode(t, e, s.img, EncodeOptions{Changed: []image.Rectangle{cursor}, Duration: frameTime})
			got := decode(t, d, small.Data)
			if qNew, qOld := PSNR(s.img, got, cursor), PSNR(old, got, cursor); qNew <= qOld {
				t.Errorf("declared rectangle: PSNR against the new picture %.1f dB, the old %.1f; want the new closer", qNew, qOld)
			}
			if qNew, qOld := PSNR(s.img, got, hidden), PSNR(old, got, hidden); qOld < qNew+10 {
				t.Errorf("undeclared change: PSNR against the new picture %.1f dB, the old %.1f; want it left out", qNew, qOld)
			}

			s.draw(1000) // another page
			whole := encode(t, e, s.img, EncodeOptions{Duration: frameTime})
			decode(t, d, whole.Data)
			t.Logf("small change %d bytes, whole frame %d", len(small.Data), len(whole.Data))
			if len(small.Data)*10 > len(whole.Data) {
				t.Errorf("small change: %d bytes; want under a tenth of a whole-frame change (%d)", len(small.Data), len(whole.Data))
			}
		})
	}
}

func TestBadConfig(t *testing.T) {
	ok := EncoderConfig{Codec: VP8, Width: 64, Height: 48}
	with := func(f func(*EncoderConfig)) EncoderConfig {
		c := ok
		f(&c)
		return c
	}
	tests := []struct {
		name string
		cfg  EncoderConfig
		want error
	}{
		{"unknown codec", with(func(c *EncoderConfig) { c.Codec = Unknown }), ErrUnknownCodec},
		{"codec 7", with(func(c *EncoderConfig) { c.Codec = 7 }), ErrUnknownCodec},
		{"zero width", with(func(c *EncoderConfig) { c.Width = 0 }), ErrBadConfig},
		{"negative height", with(func(c *EncoderConfig) { c.Height = -1 }), ErrBadConfig},
		{"too wide", with(func(c *EncoderConfig) { c.Width = MaxDimension + 1 }), ErrBadConfig},
		{"too many pixels", with(func(c *EncoderConfig) { c.Width, c.Height = MaxDimension, MaxDimension }), ErrBadConfig},
		{"bitrate too low", with(func(c *EncoderConfig) { c.BitrateKbps = MinBitrateKbps - 1 }), ErrBadConfig},
		{"bitrate too high", with(func(c *EncoderConfig) { c.BitrateKbps = MaxBitrateKbps + 1 }), ErrBadConfig},
		{"negative threads", with(func(c *EncoderConfig) { c.Threads = -1 }), ErrBadConfig},
		{"VP8 speed 11", with(func(c *EncoderConfig) { c.Speed = 11 }), ErrBadConfig},
		{"VP8 speed 17", with(func(c *EncoderConfig) { c.Speed = 17 }), ErrBadConfig},
		{"VP9 speed 6", with(func(c *EncoderConfig) { c.Codec, c.Speed = VP9, 6 }), ErrBadConfig},
		{"VP9 speed 10", with(func(c *EncoderConfig) { c.Codec, c.Speed = VP9, 10 }), ErrBadConfig},
		{"negative frame rate", with(func(c *EncoderConfig) { c.FrameRate = -1 }), ErrBadConfig},
		{"VP8 speed 16", with(func(c *EncoderConfig) { c.Speed = 16 }), nil},
		{"VP9 speed 7 odd size", with(func(c *EncoderConfig) { c.Codec, c.Speed, c.Width, c.Height = VP9, 7, 33, 17 }), nil},
		{"one pixel", with(func(c *EncoderConfig) { c.Width, c.Height = 1, 1 }), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := NewEncoder(tt.cfg)
			if !errors.Is(err, tt.want) {
				t.Fatalf("NewEncoder(%+v) = %v; want %v", tt.cfg, err, tt.want)
			}
			if err != nil {
				return
			}
			defer e.Close()
			img := image.NewYCbCr(image.Rect(0, 0, tt.cfg.Width, tt.cfg.Height), image.YCbCrSubsampleRatio420)
			p := encode(t, e, img, EncodeOptions{})
			if !p.Keyframe || len(p.Data) == 0 {
				t.Errorf("first frame: %d bytes, Keyframe %v; want a keyframe", len(p.Data), p.Keyframe)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	e := newEncoder(t, EncoderConfig{Codec: VP9, Width: 1920, Height: 1080})
	got := e.Config()
	if got.BitrateKbps != DefaultBitrateKbps || got.Speed != 9 || got.FrameRate != 30 || got.Threads < 1 {
		t.Errorf("Config() = %+v; want bitrate %d, speed 9, frame rate 30, threads ≥ 1", got, DefaultBitrateKbps)
	}
	e = newEncoder(t, EncoderConfig{Codec: VP8, Width: 320, Height: 240})
	if got := e.Config(); got.Speed != 12 || got.Threads != 1 {
		t.Errorf("small VP8 Config() = %+v; want speed 12, one thread", got)
	}
}

func TestAutoThreads(t *testing.T) {
	tests := []struct {
		c    Codec
		cpus int
		want int
	}{
		{VP9, 1, 1}, {VP9, 2, 2}, {VP9, 4, 4}, {VP9, 64, MaxThreads},
		{VP8, 1, 1}, {VP8, 2, 1}, {VP8, 4, 2}, {VP8, 64, MaxThreads},
		{VP8, 0, 1},
	}
	for _, tt := range tests {
		if got := autoThreads(tt.c, tt.cpus); got != tt.want {
			t.Errorf("autoThreads(%v, %d) = %d; want %d", tt.c, tt.cpus, got, tt.want)
		}
	}
	cfg, err := EncoderConfig{Codec: VP8, Width: 1920, Height: 1080}.withDefaults(4)
	if err != nil || cfg.Threads != 2 {
		t.Errorf("VP8 1080p on 4 CPUs: %d threads, %v; want 2", cfg.Threads, err)
	}
}

func TestBadImage(t *testing.T) {
	const w, h = 64, 48
	good := func() *image.YCbCr {
		return image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	}
	short := good()
	short.Y = short.Y[:len(short.Y)-1]
	shortCr := good()
	shortCr.Cr = shortCr.Cr[:10]
	narrow := good()
	narrow.YStride = w - 1
	tests := []struct {
		name string
		img  *image.YCbCr
	}{
		{"nil", nil},
		{"4:4:4", image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio444)},
		{"too big", image.NewYCbCr(image.Rect(0, 0, w, h+2), image.YCbCrSubsampleRatio420)},
		{"too small", image.NewYCbCr(image.Rect(0, 0, w-1, h), image.YCbCrSubsampleRatio420)},
		{"short luma", short},
		{"short chroma", shortCr},
		{"narrow stride", narrow},
	}
	for _, c := range codecs {
		e := newEncoder(t, EncoderConfig{Codec: c, Width: w, Height: h})
		for _, tt := range tests {
			t.Run(c.String()+"/"+tt.name, func(t *testing.T) {
				if _, err := e.Encode(tt.img, EncodeOptions{}); !errors.Is(err, ErrBadImage) {
					t.Errorf("Encode = %v; want %v", err, ErrBadImage)
				}
			})
		}
		if _, err := e.Encode(good(), EncodeOptions{Duration: -time.Millisecond}); !errors.Is(err, ErrBadConfig) {
			t.Errorf("%v: Encode with a negative duration = %v; want %v", c, err, ErrBadConfig)
		}
		// A sub-image of a larger picture is fine.
		big := image.NewYCbCr(image.Rect(0, 0, 2*w, 2*h), image.YCbCrSubsampleRatio420)
		sub := big.SubImage(image.Rect(w, h, 2*w, 2*h)).(*image.YCbCr)
		if _, err := e.Encode(sub, EncodeOptions{}); err != nil {
			t.Errorf("%v: Encode of a sub-image: %v", c, err)
		}
	}
}

func TestClosed(t *testing.T) {
	for _, c := range codecs {
		e, err := NewEncoder(EncoderConfig{Codec: c, Width: 32, Height: 32})
		if err != nil {
			t.Fatal(err)
		}
		d, err := NewDecoder(c)
		if err != nil {
			t.Fatal(err)
		}
		if d.Codec() != c {
			t.Errorf("Codec() = %v; want %v", d.Codec(), c)
		}
		for range 2 {
			if err := e.Close(); err != nil {
				t.Errorf("%v encoder Close = %v; want nil", c, err)
			}
			if err := d.Close(); err != nil {
				t.Errorf("%v decoder Close = %v; want nil", c, err)
			}
		}
		img := image.NewYCbCr(image.Rect(0, 0, 32, 32), image.YCbCrSubsampleRatio420)
		if _, err := e.Encode(img, EncodeOptions{}); !errors.Is(err, ErrClosed) {
			t.Errorf("Encode after Close = %v; want %v", err, ErrClosed)
		}
		if err := e.SetBitrate(500); !errors.Is(err, ErrClosed) {
			t.Errorf("SetBitrate after Close = %v; want %v", err, ErrClosed)
		}
		if _, err := d.Decode([]byte{1, 2, 3}); !errors.Is(err, ErrClosed) {
			t.Errorf("Decode after Close = %v; want %v", err, ErrClosed)
		}
	}
	if _, err := NewDecoder(Unknown); !errors.Is(err, ErrUnknownCodec) {
		t.Errorf("NewDecoder(Unknown) = %v; want %v", err, ErrUnknownCodec)
	}
}

// samplePackets returns, for each codec, a keyframe and four inter frames of
// a small scrolling screen.
var samplePackets = sync.OnceValues(func() (map[Codec][][]byte, error) {
	out := map[Codec][][]byte{}
	for _, c := range codecs {
		const w, h = 96, 64
		e, err := NewEncoder(EncoderConfig{Codec: c, Width: w, Height: h})
		if err != nil {
			return nil, err
		}
		s := newScreen(w, h)
		for i := range 5 {
			s.draw(2 * i)
			p, err := e.Encode(s.img, EncodeOptions{})
			if err != nil {
				e.Close()
				return nil, err
			}
			out[c] = append(out[c], p.Data)
		}
		e.Close()
	}
	return out, nil
})

func samples(t testing.TB, c Codec) [][]byte {
	t.Helper()
	s, err := samplePackets()
	if err != nil {
		t.Fatalf("sample packets: %v", err)
	}
	return s[c]
}

// TestDecodeGarbage feeds the decoders random, truncated and corrupt
// frames.
func TestDecodeGarbage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range codecs {
		t.Run(c.String(), func(t *testing.T) {
			pk := samples(t, c)
			key := pk[0]
			refused := func(name string, data []byte) {
				t.Helper()
				d := newDecoder(t, c)
				if img, err := d.Decode(data); !errors.Is(err, ErrCorrupt) {
					t.Errorf("%s: got picture %v, error %v; want %v", name, img != nil, err, ErrCorrupt)
				}
			}
			refused("nil", nil)
			refused("empty", []byte{})
			for i := range 50 {
				b := make([]byte, 1+rng.IntN(4000))
				for j := range b {
					b[j] = byte(rng.Uint32())
				}
				refused(fmt.Sprintf("random %d", i), b)
			}
			// (A frame cut by a byte or two may still decode: the
			// arithmetic decoder reads zeros past the end.)
			for _, n := range []int{1, 2, 5, 10, 20, len(key) / 2} {
				refused(fmt.Sprintf("keyframe cut to %d of %d bytes", n, len(key)), key[:n])
			}
			refused("inter frame first", pk[1])

			// Corrupt frames after a good keyframe: an error or a picture,
			// never a crash; the decoder then restarts from a keyframe.
			d := newDecoder(t, c)
			for i := range 200 {
				decode(t, d, key)
				b := slices.Clone(pk[1+i%4])
				for range 1 + rng.IntN(4) {
					b[rng.IntN(len(b))] ^= byte(1 + rng.IntN(255))
				}
				if i%3 == 0 {
					b = b[:rng.IntN(len(b))+1]
				}
				img, err := d.Decode(b)
				if err != nil && !errors.Is(err, ErrCorrupt) {
					t.Fatalf("corrupt frame: %v; want nil or %v", err, ErrCorrupt)
				}
				if err == nil && img != nil && !sizeOK(img.Rect.Dx(), img.Rect.Dy()) {
					t.Fatalf("corrupt frame: picture of %v", img.Rect)
				}
			}
		})
	}
}

// TestFrameSizes checks the header parsers on real frames and on frames
// that declare an oversized picture.
func TestFrameSizes(t *testing.T) {
	for _, c := range codecs {
		pk := samples(t, c)
		var sizes func([]byte) ([]image.Point, error)
		if c == VP8 {
			sizes = vp8FrameSize
		} else {
			sizes = vp9FrameSizes
		}
		got, err := sizes(pk[0])
		if want := []image.Point{{96, 64}}; err != nil || !slices.Equal(got, want) {
			t.Errorf("%v keyframe sizes = %v, %v; want %v", c, got, err, want)
		}
		if got, err := sizes(pk[1]); err != nil || len(got) != 0 {
			t.Errorf("%v inter frame sizes = %v, %v; want none", c, got, err)
		}
		if err := checkFrameSizes(c, pk[0]); err != nil {
			t.Errorf("%v checkFrameSizes(keyframe) = %v; want nil", c, err)
		}
	}

	// A VP8 keyframe of 16383x16383.
	key := slices.Clone(samples(t, VP8)[0])
	key[6], key[7], key[8], key[9] = 0xff, 0x3f, 0xff, 0x3f
	d := newDecoder(t, VP8)
	if _, err := d.Decode(key); !errors.Is(err, ErrCorrupt) {
		t.Errorf("VP8 keyframe of 16383x16383: %v; want %v", err, ErrCorrupt)
	}

	// A VP9 keyframe (profile 0: the size follows 8 bits of frame header,
	// the 24-bit sync code and 4 bits of colour config) of 65536x65536.
	key = slices.Clone(samples(t, VP9)[0])
	setBits(key, 36, 16, 0xffff)
	setBits(key, 52, 16, 0xffff)
	if got, err := vp9FrameSizes(key); err != nil || !slices.Equal(got, []image.Point{{65536, 65536}}) {
		t.Fatalf("vp9FrameSizes of the patched keyframe = %v, %v; want 65536x65536", got, err)
	}
	d = newDecoder(t, VP9)
	if _, err := d.Decode(key); !errors.Is(err, ErrCorrupt) {
		t.Errorf("VP9 keyframe of 65536x65536: %v; want %v", err, ErrCorrupt)
	}

	// A VP9 superframe of two frames: both are checked.
	pk := samples(t, VP9)
	sf := slices.Concat(pk[0], key)
	marker := byte(0xc0 | 3<<3 | 1) // 4-byte sizes, 2 frames
	sf = append(sf, marker)
	for _, n := range []int{len(pk[0]), len(key)} {
		sf = append(sf, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	}
	sf = append(sf, marker)
	if got, err := vp9FrameSizes(sf); err != nil || len(got) != 2 || got[1] != (image.Point{65536, 65536}) {
		t.Errorf("vp9FrameSizes(superframe) = %v, %v; want 96x64 and 65536x65536", got, err)
	}
}

// setBits writes the n low bits of v big-endian at bit offset off of b.
func setBits(b []byte, off, n int, v int) {
	for i := range n {
		bit := byte(v>>(n-1-i)) & 1
		p := off + i
		b[p/8] = b[p/8]&^(0x80>>(p%8)) | bit<<(7-p%8)
	}
}

// FuzzDecode feeds arbitrary bytes to a fresh decoder, or to one that has
// just decoded a keyframe: an error wrapping ErrCorrupt or a picture within
// the limits, never a crash.
func FuzzDecode(f *testing.F) {
	for _, c := range codecs {
		for i, p := range samples(f, c) {
			f.Add(c == VP9, i > 0, p)
		}
	}
	f.Add(false, false, []byte{0x9d, 0x01, 0x2a})
	f.Add(true, true, []byte{0x82, 0x49, 0x83, 0x42, 0x00})
	f.Fuzz(func(t *testing.T, vp9, afterKey bool, data []byte) {
		c := VP8
		if vp9 {
			c = VP9
		}
		d := newDecoder(t, c)
		if afterKey {
			decode(t, d, samples(t, c)[0])
		}
		img, err := d.Decode(data)
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Decode = %v; want nil or %v", err, ErrCorrupt)
		}
		if err == nil && img != nil && !sizeOK(img.Rect.Dx(), img.Rect.Dy()) {
			t.Fatalf("Decode: picture of %v", img.Rect)
		}
	})
}

func TestChoose(t *testing.T) {
	tests := []struct {
		name          string
		local, remote []Codec
		want          Codec
		err           error
	}{
		{"both VP9 and VP8", []Codec{VP9, VP8}, []Codec{VP9, VP8}, VP9, nil},
		{"order does not matter", []Codec{VP8, VP9}, []Codec{VP8, VP9}, VP9, nil},
		{"remote VP9 only", []Codec{VP9, VP8}, []Codec{VP9}, VP9, nil},
		{"local VP9 only", []Codec{VP9}, []Codec{VP8, VP9}, VP9, nil},
		{"remote VP8 only", []Codec{VP9, VP8}, []Codec{VP8}, VP8, nil},
		{"local VP8 only", []Codec{VP8}, []Codec{VP9, VP8}, VP8, nil},
		{"unknown ignored", []Codec{Unknown, VP8}, []Codec{Unknown, VP8}, VP8, nil},
		{"nothing in common", []Codec{VP9}, []Codec{VP8}, Unknown, ErrNoCommonCodec},
		{"remote empty", []Codec{VP9, VP8}, nil, Unknown, ErrNoCommonCodec},
		{"only unknown", []Codec{Unknown}, []Codec{Unknown}, Unknown, ErrNoCommonCodec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Choose(tt.local, tt.remote)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("Choose(%v, %v) = %v, %v; want %v, %v", tt.local, tt.remote, got, err, tt.want, tt.err)
			}
		})
	}
	if got, err := Choose(Supported(), Supported()); got != VP9 || err != nil {
		t.Errorf("Choose(Supported(), Supported()) = %v, %v; want VP9", got, err)
	}
}

func TestCodecText(t *testing.T) {
	tests := []struct {
		c          Codec
		name, mime string
	}{
		{Unknown, "unknown", ""},
		{VP8, "VP8", "video/VP8"},
		{VP9, "VP9", "video/VP9"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.name {
			t.Errorf("String() = %q; want %q", got, tt.name)
		}
		if got := tt.c.MimeType(); got != tt.mime {
			t.Errorf("%v.MimeType() = %q; want %q", tt.c, got, tt.mime)
		}
		b, err := tt.c.MarshalText()
		if err != nil || string(b) != tt.name {
			t.Errorf("%v.MarshalText() = %q, %v; want %q", tt.c, b, err, tt.name)
		}
		var back Codec
		if err := back.UnmarshalText(b); err != nil || back != tt.c {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, back, err, tt.c)
		}
	}
	for text, want := range map[string]Codec{"video/VP9": VP9, "vp8": VP8, "Video/vp9": VP9} {
		var c Codec
		if err := c.UnmarshalText([]byte(text)); err != nil || c != want {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", text, c, err, want)
		}
	}
	var c Codec
	if err := c.UnmarshalText([]byte("H264")); !errors.Is(err, ErrUnknownCodec) {
		t.Errorf("UnmarshalText(H264) = %v; want %v", err, ErrUnknownCodec)
	}
	if _, err := Codec(9).MarshalText(); !errors.Is(err, ErrUnknownCodec) {
		t.Errorf("Codec(9).MarshalText() = %v; want %v", err, ErrUnknownCodec)
	}
	if got := Codec(9).String(); got != "Codec(9)" {
		t.Errorf("Codec(9).String() = %q; want Codec(9)", got)
	}
}

func TestPSNR(t *testing.T) {
	plain := func(w, h int, y, cb byte, s image.YCbCrSubsampleRatio) *image.YCbCr {
		img := image.NewYCbCr(image.Rect(0, 0, w, h), s)
		for i := range img.Y {
			img.Y[i] = y
		}
		for i := range img.Cb {
			img.Cb[i], img.Cr[i] = cb, 128
		}
		return img
	}
	db := func(n, sse float64) float64 { return 10 * math.Log10(255*255*n/sse) }
	a := plain(4, 4, 100, 128, image.YCbCrSubsampleRatio420)
	tests := []struct {
		name string
		a, b *image.YCbCr
		r    image.Rectangle
		want float64
	}{
		{"identical", a, plain(4, 4, 100, 128, image.YCbCrSubsampleRatio420), a.Rect, math.Inf(1)},
		// 16 luma samples off by one, 2×4 chroma samples equal.
		{"luma off by one", a, plain(4, 4, 101, 128, image.YCbCrSubsampleRatio420), a.Rect, db(24, 16)},
		// 3x3: 9 luma and 2×4 chroma samples; the 4 Cb ones off by two.
		{"odd size, chroma", plain(3, 3, 50, 128, image.YCbCrSubsampleRatio420), plain(3, 3, 50, 130, image.YCbCrSubsampleRatio420), image.Rect(0, 0, 3, 3), db(17, 16)},
		// (1,1)-(3,3) touches all 4 chroma cells: 4 + 2×4 samples.
		{"offset rectangle", plain(3, 3, 50, 128, image.YCbCrSubsampleRatio420), plain(3, 3, 50, 130, image.YCbCrSubsampleRatio420), image.Rect(1, 1, 3, 3), db(12, 16)},
		// (0,0)-(2,2) is one chroma cell: 4 + 2 samples.
		{"one cell", plain(4, 4, 50, 128, image.YCbCrSubsampleRatio420), plain(4, 4, 50, 130, image.YCbCrSubsampleRatio420), image.Rect(0, 0, 2, 2), db(6, 4)},
		{"4:4:4", plain(2, 2, 50, 128, image.YCbCrSubsampleRatio444), plain(2, 2, 51, 128, image.YCbCrSubsampleRatio444), image.Rect(0, 0, 2, 2), db(12, 4)},
		{"outside", a, plain(4, 4, 0, 0, image.YCbCrSubsampleRatio420), image.Rect(10, 10, 20, 20), math.Inf(1)},
		{"subsampling differs", a, plain(4, 4, 100, 128, image.YCbCrSubsampleRatio444), a.Rect, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PSNR(tt.a, tt.b, tt.r)
			if !(got == tt.want || math.IsNaN(got) && math.IsNaN(tt.want) || math.Abs(got-tt.want) < 1e-9) {
				t.Errorf("PSNR = %v; want %v", got, tt.want)
			}
		})
	}

	// A change inside a rectangle does not count outside it.
	b := cloneYCbCr(a)
	b.Y[b.YOffset(3, 3)] = 0
	if got := PSNR(a, b, image.Rect(0, 0, 2, 2)); !math.IsInf(got, 1) {
		t.Errorf("PSNR away from the change = %v; want +Inf", got)
	}
	if got := PSNR(a, b, a.Rect); math.IsInf(got, 0) || got < 20 {
		t.Errorf("PSNR over the change = %v; want finite", got)
	}
}

func TestMBGrid(t *testing.T) {
	tests := []struct {
		name  string
		r     image.Rectangle
		cells int
	}{
		{"empty", image.Rect(20, 20, 20, 40), 0},
		{"one pixel", image.Rect(17, 17, 18, 18), 1},
		{"across a boundary", image.Rect(15, 0, 17, 1), 2},
		{"clipped", image.Rect(-50, -50, 8, 8), 1},
		{"outside", image.Rect(100, 100, 200, 200), 0},
		{"whole", image.Rect(0, 0, 40, 40), 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newMBGrid(40, 40) // 3x3 macroblocks
			g.mark(tt.r, image.Point{})
			if got := g.count(); got != tt.cells {
				t.Errorf("mark(%v): %d cells; want %d", tt.r, got, tt.cells)
			}
		})
	}
	g := newMBGrid(40, 40)
	g.mark(image.Rect(110, 110, 112, 112), image.Pt(100, 100))
	if g.cells[0] != 1 || g.count() != 1 {
		t.Errorf("mark with an origin: cells %v; want the first only", g.cells)
	}
}

// TestConcurrentUse changes the bitrate and reads the configuration while
// frames are encoded and decoded, for the race detector.
func TestConcurrentUse(t *testing.T) {
	for _, c := range codecs {
		t.Run(c.String(), func(t *testing.T) {
			const w, h = 160, 96
			e := newEncoder(t, EncoderConfig{Codec: c, Width: w, Height: h})
			d := newDecoder(t, c)
			done := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-done:
						return
					default:
					}
					if err := e.SetBitrate(200 + i%5*100); err != nil {
						t.Errorf("SetBitrate: %v", err)
						return
					}
					_ = e.Config()
					_ = d.Codec()
				}
			})
			s := newScreen(w, h)
			for i := range 30 {
				s.draw(i)
				decode(t, d, encode(t, e, s.img, EncodeOptions{ForceKeyframe: i == 15}).Data)
			}
			close(done)
			wg.Wait()
		})
	}
}
