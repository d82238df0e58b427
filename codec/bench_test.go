package codec

import (
	"image"
	"sync"
	"testing"
	"time"
)

// Benchmarks at 1080p of a screen of text scrolling 3 pixels a frame:
//
//	go test -run x -bench . -benchtime 100x ./codec/
//
// On a shared machine ns/op is the wall time one frame waits for a core;
// cpu-ns/op, the CPU time of all threads per frame, is the steadier
// measure of cost.

const (
	benchW, benchH = 1920, 1080
	benchKbps      = 2500
	benchStep      = 3 // pixels scrolled per frame
	benchFrames    = 20
)

// scrollFrames returns benchFrames pictures of the scene, each scrolled
// benchStep pixels further than the one before.
var scrollFrames = sync.OnceValue(func() []*image.YCbCr {
	s := newScreen(benchW, benchH)
	out := make([]*image.YCbCr, benchFrames)
	for i := range out {
		s.draw(benchStep * i)
		out[i] = cloneYCbCr(s.img)
	}
	return out
})

// scrollFrame returns the i-th picture of an endless scroll that goes down
// the frames and back up, one step at a time.
func scrollFrame(i int) *image.YCbCr {
	f := scrollFrames()
	n := 2 * (len(f) - 1)
	i %= n
	if i >= len(f) {
		i = n - i
	}
	return f[i]
}

// cpuMeter reports the CPU time per iteration of the timed loop that follows
// its creation; call its report after the loop.
type cpuMeter struct {
	start time.Duration
	ok    bool
}

func startCPU() cpuMeter {
	t, ok := cpuTime()
	return cpuMeter{t, ok}
}

func (m cpuMeter) report(b *testing.B, n int) {
	if t, ok := cpuTime(); ok && m.ok && n > 0 {
		b.ReportMetric(float64(t-m.start)/float64(n), "cpu-ns/op")
	}
}

// BenchmarkEncodeScroll measures encoding one frame of the scroll with its
// damage (the page) given as Changed.
func BenchmarkEncodeScroll(b *testing.B) {
	for _, c := range codecs {
		b.Run(c.String(), func(b *testing.B) {
			e := newEncoder(b, EncoderConfig{Codec: c, Width: benchW, Height: benchH, BitrateKbps: benchKbps})
			changed := []image.Rectangle{pageRect(benchW, benchH)}
			for i := range 10 { // the keyframe, and the rate control settles
				encode(b, e, scrollFrame(i), EncodeOptions{Changed: changed, Duration: frameTime})
			}
			n, bytes := 10, 0
			cpu := startCPU()
			for b.Loop() {
				p := encode(b, e, scrollFrame(n), EncodeOptions{Changed: changed, Duration: frameTime})
				n++
				bytes += len(p.Data)
			}
			cpu.report(b, n-10)
			frames := float64(n - 10)
			b.ReportMetric(float64(bytes)/frames, "B/frame")
			b.ReportMetric(float64(bytes)*8*30/frames/1000, "kbps@30fps")
		})
	}
}

// BenchmarkDecode measures decoding one inter frame of the scroll.
func BenchmarkDecode(b *testing.B) {
	for _, c := range codecs {
		b.Run(c.String(), func(b *testing.B) {
			e := newEncoder(b, EncoderConfig{Codec: c, Width: benchW, Height: benchH, BitrateKbps: benchKbps})
			changed := []image.Rectangle{pageRect(benchW, benchH)}
			var stream [][]byte
			for i := range 60 {
				p := encode(b, e, scrollFrame(i), EncodeOptions{Changed: changed, Duration: frameTime})
				stream = append(stream, p.Data)
			}
			d := newDecoder(b, c)
			decode(b, d, stream[0])
			n, ops := 1, 0
			cpu := startCPU()
			for b.Loop() {
				if n == len(stream) { // start again from the keyframe
					b.StopTimer()
					decode(b, d, stream[0])
					n = 1
					b.StartTimer()
				}
				decode(b, d, stream[n])
				n++
				ops++
			}
			cpu.report(b, ops)
		})
	}
}

// pageFrames returns four pictures of the scene, each a page further down
// the document: a change no motion search finds.
var pageFrames = sync.OnceValue(func() []*image.YCbCr {
	s := newScreen(benchW, benchH)
	out := make([]*image.YCbCr, 4)
	for i := range out {
		s.draw(1000 * i)
		out[i] = cloneYCbCr(s.img)
	}
	return out
})

// BenchmarkRefine measures one top-off call on a still 1080p picture after
// a change to a new page; when the picture is sharp the next page comes
// (untimed). calls/sharp is the number of calls, one per frame interval,
// from the change to a sharp picture.
func BenchmarkRefine(b *testing.B) {
	for _, c := range codecs {
		b.Run(c.String(), func(b *testing.B) {
			e := newEncoder(b, EncoderConfig{Codec: c, Width: benchW, Height: benchH, BitrateKbps: benchKbps})
			pages := pageFrames()
			page := 0
			encode(b, e, pages[page], EncodeOptions{Duration: frameTime})
			calls, sent, bytes, sharp := 0, 0, 0, 0
			for b.Loop() {
				p := encode(b, e, pages[page], EncodeOptions{Refine: true, Duration: frameTime})
				calls++
				if len(p.Data) > 0 {
					sent++
					bytes += len(p.Data)
				}
				if p.Sharp {
					sharp++
					b.StopTimer()
					page = (page + 1) % len(pages)
					encode(b, e, pages[page], EncodeOptions{Duration: frameTime})
					b.StartTimer()
				}
			}
			b.ReportMetric(float64(sent)/float64(calls), "sent/call")
			if sent > 0 {
				b.ReportMetric(float64(bytes)/float64(sent), "B/frame")
			}
			if sharp > 0 {
				b.ReportMetric(float64(calls)/float64(sharp), "calls/sharp")
			}
		})
	}
}

// BenchmarkEncodeTyping measures encoding a character typed on a still
// 1080p screen: an 8x16 glyph cell changes. With its damage as Changed the
// encoder looks at one or two macroblocks (the active map); without it, at
// the whole frame.
func BenchmarkEncodeTyping(b *testing.B) {
	for _, c := range codecs {
		for _, damage := range []bool{true, false} {
			name := c.String() + "/damage"
			if !damage {
				name = c.String() + "/whole"
			}
			b.Run(name, func(b *testing.B) {
				e := newEncoder(b, EncoderConfig{Codec: c, Width: benchW, Height: benchH, BitrateKbps: benchKbps})
				s := newScreen(benchW, benchH)
				s.draw(0)
				encode(b, e, s.img, EncodeOptions{Duration: frameTime})
				n, bytes := 0, 0
				cpu := startCPU()
				for b.Loop() {
					b.StopTimer()
					x, y := 400+8*(n%150), 200+16*(n/150%40)
					cell := image.Rect(x, y, x+8, y+16)
					s.fillRect(cell, byte(30+n%7*30), 128, 128)
					var changed []image.Rectangle
					if damage {
						changed = []image.Rectangle{cell}
					}
					b.StartTimer()
					p := encode(b, e, s.img, EncodeOptions{Changed: changed, Duration: frameTime})
					bytes += len(p.Data)
					n++
				}
				cpu.report(b, n)
				b.ReportMetric(float64(bytes)/float64(n), "B/frame")
			})
		}
	}
}
