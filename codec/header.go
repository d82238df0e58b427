package codec

import (
	"fmt"
	"image"
)

// checkFrameSizes reads the picture sizes that a compressed frame declares
// (a VP8 keyframe; every VP9 frame of a packet or superframe that codes its
// size explicitly) and refuses one beyond MaxDimension or MaxPixels, before
// libvpx allocates buffers for it. Frames that take their size from a
// reference inherit a size checked earlier. It does not otherwise validate
// the frame: that is libvpx's job.
func checkFrameSizes(c Codec, data []byte) error {
	var sizes []image.Point
	var err error
	if c == VP9 {
		sizes, err = vp9FrameSizes(data)
	} else {
		sizes, err = vp8FrameSize(data)
	}
	if err != nil {
		return fmt.Errorf("%v frame header: %w: %w", c, err, ErrCorrupt)
	}
	for _, s := range sizes {
		if !sizeOK(s.X, s.Y) {
			return fmt.Errorf("%v frame of %dx%d: %w", c, s.X, s.Y, ErrCorrupt)
		}
	}
	return nil
}

// sizeOK reports whether a picture of w x h is within the package's limits.
func sizeOK(w, h int) bool {
	return w >= 1 && h >= 1 && w <= MaxDimension && h <= MaxDimension && w*h <= MaxPixels
}

// vp8FrameSize returns the size a VP8 keyframe declares (RFC 6386, 9.1),
// or none for an inter frame.
func vp8FrameSize(b []byte) ([]image.Point, error) {
	if len(b) < 3 {
		return nil, fmt.Errorf("%d bytes", len(b))
	}
	if b[0]&1 != 0 { // inter frame
		return nil, nil
	}
	if len(b) < 10 {
		return nil, fmt.Errorf("keyframe of %d bytes", len(b))
	}
	if b[3] != 0x9d || b[4] != 0x01 || b[5] != 0x2a {
		return nil, fmt.Errorf("keyframe without its start code")
	}
	w := int(b[6]) | int(b[7]&0x3f)<<8
	h := int(b[8]) | int(b[9]&0x3f)<<8
	return []image.Point{{w, h}}, nil
}

// vp9FrameSizes returns the explicit sizes of the frames in a VP9 packet,
// which may be a superframe (VP9 bitstream specification, annex B).
func vp9FrameSizes(b []byte) ([]image.Point, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("empty")
	}
	frames := [][]byte{b}
	marker := b[len(b)-1]
	if marker&0xe0 == 0xc0 {
		n := int(marker&7) + 1
		mag := int(marker>>3&3) + 1
		idx := 2 + mag*n
		if len(b) >= idx && b[len(b)-idx] == marker {
			frames = frames[:0]
			data, index := b[:len(b)-idx], b[len(b)-idx+1:]
			for i := range n {
				sz := 0
				for j := range mag {
					sz |= int(index[i*mag+j]) << (8 * j)
				}
				if sz > len(data) {
					return nil, fmt.Errorf("superframe of %d frames: frame %d of %d bytes beyond its end", n, i, sz)
				}
				if sz > 0 {
					frames = append(frames, data[:sz])
				}
				data = data[sz:]
			}
		}
	}
	var out []image.Point
	for _, f := range frames {
		p, ok, err := vp9FrameSize(f)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// vp9FrameSize parses a VP9 uncompressed header far enough to find the
// frame's explicit size; ok is false when the frame has none (it shows an
// existing frame or takes its size from a reference).
func vp9FrameSize(f []byte) (size image.Point, ok bool, err error) {
	r := bitReader{b: f}
	if r.bits(2) != 2 {
		return size, false, fmt.Errorf("bad frame marker")
	}
	profile := r.bits(1) | r.bits(1)<<1
	if profile == 3 {
		r.bits(1)
	}
	if r.bits(1) == 1 { // show_existing_frame
		return size, false, r.err()
	}
	key := r.bits(1) == 0
	show := r.bits(1) == 1
	errRes := r.bits(1) == 1
	explicit := func() (image.Point, bool, error) {
		w, h := r.bits(16)+1, r.bits(16)+1
		return image.Point{w, h}, true, r.err()
	}
	if key {
		if r.bits(24) != 0x498342 {
			return size, false, fmt.Errorf("keyframe without its sync code")
		}
		r.colorConfig(profile)
		return explicit()
	}
	intraOnly := !show && r.bits(1) == 1
	if !errRes {
		r.bits(2) // reset_frame_context
	}
	if intraOnly {
		if r.bits(24) != 0x498342 {
			return size, false, fmt.Errorf("intra-only frame without its sync code")
		}
		if profile > 0 {
			r.colorConfig(profile)
		}
		r.bits(8) // refresh_frame_flags
		return explicit()
	}
	r.bits(8)     // refresh_frame_flags
	r.bits(3 * 4) // ref_frame_idx and sign bias of three references
	for range 3 {
		if r.bits(1) == 1 { // found_ref: the size of a reference
			return size, false, r.err()
		}
	}
	return explicit()
}

// bitReader reads big-endian bit fields; reading past the end sets a flag
// and returns zeros.
type bitReader struct {
	b    []byte
	pos  int
	over bool
}

func (r *bitReader) bits(n int) int {
	v := 0
	for range n {
		i := r.pos >> 3
		if i >= len(r.b) {
			r.over = true
			return 0
		}
		v = v<<1 | int(r.b[i]>>(7-r.pos&7)&1)
		r.pos++
	}
	return v
}

func (r *bitReader) err() error {
	if r.over {
		return fmt.Errorf("header truncated")
	}
	return nil
}

// colorConfig skips a VP9 color_config.
func (r *bitReader) colorConfig(profile int) {
	if profile >= 2 {
		r.bits(1) // ten_or_twelve_bit
	}
	if r.bits(3) != 7 { // color_space other than sRGB
		r.bits(1) // color_range
		if profile == 1 || profile == 3 {
			r.bits(3) // subsampling_x, subsampling_y, reserved_zero
		}
	} else if profile == 1 || profile == 3 {
		r.bits(1) // reserved_zero
	}
}
