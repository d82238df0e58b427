// Package codec encodes screen images to VP8 or VP9 and decodes them again,
// through a small cgo wrapper over libvpx.
//
// The encoder is tuned for a remote screen, not for camera video: realtime
// mode with no lookahead (lag 0), constant bitrate (CBR) that the caller
// changes between frames as congestion control asks, no periodic keyframes
// (a keyframe only when the caller asks for one: on join and on a picture
// loss indication), a fixed realtime speed (VP8 cpu-used 12–16, VP9 speed
// 7–9), threads on multi-core machines and, for VP9, screen-content tuning
// and cyclic refresh. Frames are meant to be encoded only when the
// screen changed; when the changed rectangles cover less than three
// quarters of the picture they become an active map, so that libvpx looks
// only at the 16x16 macroblocks they touch.
//
// # Top-off
//
// A frame encoded right after a change is coded coarsely to fit the bitrate.
// When the screen then stays still the caller keeps encoding the unchanged
// image with [EncodeOptions.Refine] set, for example every 33 ms: each such
// frame refines the macroblocks that changed since the picture was last
// sharp, at a fine quantizer and within the bitrate, and [Packet.Sharp]
// reports when the whole picture is at full quality and the caller can stop;
// a Refine call after that returns no data. On a 1080p screen of text this
// takes one to three seconds at 1.5 Mbit/s (less at higher rates) and ends
// above 45 dB PSNR.
//
// # Decoding
//
// A [Decoder] takes the frames as the encoder made them. It refuses a frame
// that declares a picture beyond [MaxDimension] or [MaxPixels] before libvpx
// allocates for it, and returns an error wrapping [ErrCorrupt] for
// truncated or corrupt input and for a stream that does not start with a
// keyframe: the caller then asks the sender for a keyframe. [PSNR] compares
// a decoded picture with its source.
//
// # Negotiation
//
// [Supported] lists the codecs this build can encode and decode, best
// first; [Choose] picks VP9 when both sides support it and VP8 otherwise.
//
// Without cgo the package still compiles (so that its callers build for
// every system) but its constructors return errors.ErrUnsupported.
package codec

import (
	"fmt"
	"image"
	"slices"
	"strings"
	"time"
)

// Codec is a video codec.
type Codec int

// Codecs.
const (
	// Unknown is the zero value: no codec.
	Unknown Codec = iota
	// VP8 is Google's VP8 (RFC 6386): cheap to encode and decode, universal.
	VP8
	// VP9 is Google's VP9: better at screen content for the same bitrate,
	// dearer to encode.
	VP9
)

// String returns the codec's name, "VP8", "VP9" or "unknown".
func (c Codec) String() string {
	switch c {
	case VP8:
		return "VP8"
	case VP9:
		return "VP9"
	case Unknown:
		return "unknown"
	default:
		return fmt.Sprintf("Codec(%d)", int(c))
	}
}

// MimeType returns the codec's RTP media type ("video/VP8", "video/VP9"), or
// "" for Unknown.
func (c Codec) MimeType() string {
	switch c {
	case VP8, VP9:
		return "video/" + c.String()
	default:
		return ""
	}
}

// MarshalText encodes the codec as its name.
func (c Codec) MarshalText() ([]byte, error) {
	switch c {
	case Unknown, VP8, VP9:
		return []byte(c.String()), nil
	default:
		return nil, fmt.Errorf("marshal %v: %w", c, ErrUnknownCodec)
	}
}

// UnmarshalText decodes a codec name, in any case, with or without the
// "video/" prefix of its media type.
func (c *Codec) UnmarshalText(text []byte) error {
	s := strings.ToLower(string(text))
	s = strings.TrimPrefix(s, "video/")
	switch s {
	case "vp8":
		*c = VP8
	case "vp9":
		*c = VP9
	case "unknown":
		*c = Unknown
	default:
		return fmt.Errorf("codec %q: %w", text, ErrUnknownCodec)
	}
	return nil
}

// Choose picks the codec for a stream between two sides from their
// capability lists (in any order): VP9 when both support it, VP8 otherwise.
// It returns ErrNoCommonCodec when they share neither.
func Choose(local, remote []Codec) (Codec, error) {
	for _, c := range []Codec{VP9, VP8} {
		if slices.Contains(local, c) && slices.Contains(remote, c) {
			return c, nil
		}
	}
	return Unknown, fmt.Errorf("choose between %v and %v: %w", local, remote, ErrNoCommonCodec)
}

// Limits of the encoder's configuration.
const (
	// MaxDimension is the largest width or height the encoder accepts and
	// the decoder returns.
	MaxDimension = 8192
	// MaxPixels is the largest area (width × height) the encoder accepts
	// and the decoder returns: 8192x4320, more than an 8K screen.
	MaxPixels = 8192 * 4320
	// MinBitrateKbps and MaxBitrateKbps bound EncoderConfig.BitrateKbps
	// and SetBitrate.
	MinBitrateKbps = 10
	MaxBitrateKbps = 100_000
	// DefaultBitrateKbps is the starting bitrate when the config leaves it
	// zero: enough for a sharp 1080p screen within a second or two.
	DefaultBitrateKbps = 1500
	// MaxThreads caps the encoder threads chosen automatically.
	MaxThreads = 8
)

// EncoderConfig configures an encoder. Codec, Width and Height are required;
// the other fields are optional, with the zero value documented.
//
// An encoder encodes one size: on a resolution change close it and create
// another (the next frame is then a keyframe).
type EncoderConfig struct {
	// Codec is VP8 or VP9.
	Codec Codec
	// Width and Height of the images, 1..MaxDimension each and at most
	// MaxPixels in all; odd sizes are fine.
	Width, Height int
	// BitrateKbps is the target bitrate in kbit/s; zero means
	// DefaultBitrateKbps.
	BitrateKbps int
	// Threads is the number of encoder threads; zero means one per CPU for
	// VP9 and one per two CPUs for VP8, up to MaxThreads (one for images
	// below 640x360). VP8's threads spin-wait on one another: on a busy
	// two-core machine two of them encode four times slower than one.
	Threads int
	// Speed trades quality for time (libvpx's cpu-used); zero means the
	// default for the codec: 12 for VP8 (valid 12..16) and 9 for VP9 (valid
	// 7..9), the realtime speeds that encode a 1080p screen in about 10 ms
	// on two idle cores. Higher is faster. (VP9 at 9 encodes a scroll
	// 20–40% faster than at 8, for 0.4 dB less while it moves and the same
	// top-off.)
	Speed int
	// FrameRate is the nominal frame rate used when EncodeOptions.Duration
	// is zero; zero means 30.
	FrameRate int
}

// EncodeOptions are the per-frame options of Encode. The zero value encodes
// the whole image as an ordinary frame.
type EncodeOptions struct {
	// ForceKeyframe makes this frame a keyframe (on join, or when the
	// receiver lost the picture).
	ForceKeyframe bool
	// Changed lists the rectangles (in image coordinates) that changed since
	// the previous Encode; optional, nil means the whole image may have
	// changed, and a non-nil empty list that nothing did (no data then).
	// When they cover less than three quarters of the image the encoder
	// looks only at the 16x16 macroblocks they touch and repeats the rest
	// from the previous picture, so a change outside them may not be sent
	// (VP9's cyclic refresh still refines a share of the other blocks).
	Changed []image.Rectangle
	// Refine says the image did not change since the previous Encode: the
	// frame only refines the picture towards full quality (top-off).
	// Changed is ignored. See Packet.Sharp.
	Refine bool
	// Duration is the time since the previous frame; optional, zero means
	// one frame at the configured FrameRate. The rate control spends about
	// Duration × bitrate on this frame.
	Duration time.Duration
}

// Packet is one encoded frame.
type Packet struct {
	// Data is the frame's bitstream, owned by the caller. It is empty when
	// there was nothing to encode (Refine on a sharp picture).
	Data []byte
	// Keyframe says the frame can be decoded on its own.
	Keyframe bool
	// Quantizer is the frame's quantizer on libvpx's 0..63 scale (lower
	// is finer).
	Quantizer int
	// Sharp says that after this frame the whole picture is at full
	// quality: a caller refining a still screen can stop.
	Sharp bool
}

// withDefaults checks the configuration and fills in its defaults.
func (c EncoderConfig) withDefaults(numCPU int) (EncoderConfig, error) {
	if c.Codec != VP8 && c.Codec != VP9 {
		return c, fmt.Errorf("encoder for %v: %w", c.Codec, ErrUnknownCodec)
	}
	if !sizeOK(c.Width, c.Height) {
		return c, fmt.Errorf("size %dx%d: %w", c.Width, c.Height, ErrBadConfig)
	}
	if c.BitrateKbps == 0 {
		c.BitrateKbps = DefaultBitrateKbps
	}
	if c.BitrateKbps < MinBitrateKbps || c.BitrateKbps > MaxBitrateKbps {
		return c, fmt.Errorf("bitrate %d kbit/s: %w", c.BitrateKbps, ErrBadConfig)
	}
	if c.Threads < 0 || c.Threads > 64 {
		return c, fmt.Errorf("%d threads: %w", c.Threads, ErrBadConfig)
	}
	if c.Threads == 0 {
		c.Threads = autoThreads(c.Codec, numCPU)
		if c.Width*c.Height < 640*360 {
			c.Threads = 1
		}
	}
	lo, hi, def := 12, 16, 12
	if c.Codec == VP9 {
		lo, hi, def = 7, 9, 9
	}
	if c.Speed == 0 {
		c.Speed = def
	}
	if c.Speed < lo || c.Speed > hi {
		return c, fmt.Errorf("%v speed %d (want %d..%d): %w", c.Codec, c.Speed, lo, hi, ErrBadConfig)
	}
	if c.FrameRate == 0 {
		c.FrameRate = 30
	}
	if c.FrameRate < 1 || c.FrameRate > 240 {
		return c, fmt.Errorf("frame rate %d: %w", c.FrameRate, ErrBadConfig)
	}
	return c, nil
}

// autoThreads returns the number of threads for a codec on numCPU CPUs;
// see EncoderConfig.Threads. The decoders use the same, up to 4.
func autoThreads(c Codec, numCPU int) int {
	n := max(numCPU, 1)
	if c == VP8 {
		n = max(n/2, 1)
	}
	return min(n, MaxThreads)
}

// checkImage reports whether img can be encoded at w x h.
func checkImage(img *image.YCbCr, w, h int) error {
	if img == nil {
		return fmt.Errorf("nil image: %w", ErrBadImage)
	}
	if img.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		return fmt.Errorf("subsampling %v, want 4:2:0: %w", img.SubsampleRatio, ErrBadImage)
	}
	r := img.Rect
	if r.Dx() != w || r.Dy() != h {
		return fmt.Errorf("image %dx%d, encoder %dx%d: %w", r.Dx(), r.Dy(), w, h, ErrBadImage)
	}
	cw, ch := (r.Max.X+1)/2-r.Min.X/2, (r.Max.Y+1)/2-r.Min.Y/2
	if img.YStride < w || img.CStride < cw {
		return fmt.Errorf("strides %d/%d too small: %w", img.YStride, img.CStride, ErrBadImage)
	}
	yo, co := img.YOffset(r.Min.X, r.Min.Y), img.COffset(r.Min.X, r.Min.Y)
	if yo < 0 || co < 0 ||
		len(img.Y) < yo+(h-1)*img.YStride+w ||
		len(img.Cb) < co+(ch-1)*img.CStride+cw ||
		len(img.Cr) < co+(ch-1)*img.CStride+cw {
		return fmt.Errorf("planes too short: %w", ErrBadImage)
	}
	return nil
}

// mbGrid is a map of the 16x16 macroblocks of an image, one byte each
// (1 = set), row by row, the layout of libvpx's active map.
type mbGrid struct {
	cols, rows int
	cells      []byte
}

func newMBGrid(w, h int) mbGrid {
	cols, rows := (w+15)/16, (h+15)/16
	return mbGrid{cols: cols, rows: rows, cells: make([]byte, cols*rows)}
}

// fill sets every cell to v.
func (g *mbGrid) fill(v byte) {
	for i := range g.cells {
		g.cells[i] = v
	}
}

// mark sets the cells that r (in image coordinates relative to origin)
// touches, clipped to the grid. An empty r marks nothing.
func (g *mbGrid) mark(r image.Rectangle, origin image.Point) {
	if r.Empty() {
		return
	}
	r = r.Sub(origin)
	x0, y0 := max(r.Min.X, 0)/16, max(r.Min.Y, 0)/16
	x1, y1 := min((r.Max.X+15)/16, g.cols), min((r.Max.Y+15)/16, g.rows)
	for y := y0; y < y1; y++ {
		row := g.cells[y*g.cols : (y+1)*g.cols]
		for x := x0; x < x1; x++ {
			row[x] = 1
		}
	}
}

// count returns how many cells are set.
func (g *mbGrid) count() int {
	n := 0
	for _, c := range g.cells {
		n += int(c)
	}
	return n
}
