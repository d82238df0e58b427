package capture

import (
	"fmt"
	"image"
)

// The conversion is BT.601 with limited range ("TV" levels), the matrix
// libvpx and browsers assume for I420 without further signalling, in
// libyuv's integer form so both converters agree:
//
//	Y  = (66 R + 129 G + 25 B + 0x1080) >> 8
//	Cb = (112 B - 74 G - 38 R + 0x8080) >> 8
//	Cr = (112 R - 94 G - 18 B + 0x8080) >> 8
//
// Cb and Cr are computed from the average of each 2x2 block, averaged
// vertically and then horizontally with rounding as libyuv does.

// Black in limited-range I420.
const (
	blackY = 16
	blackC = 128
)

// ConvertBGRA converts the pixels of r from src into dst, a 4:2:0 frame.
//
// src holds r's pixels in BGRA byte order (X11 ZPixmap and Windows DIBs
// on little-endian machines; libyuv calls this ARGB): r.Min's pixel is at
// src[0] and rows are srcStride bytes apart. r is in dst's coordinates,
// must lie inside dst.Rect and start on even coordinates so that it
// covers whole chroma samples; its size may be odd at dst's right and
// bottom edges. conv picks the implementation; ConverterAuto is the
// fastest built in.
func ConvertBGRA(dst *image.YCbCr, src []byte, srcStride int, r image.Rectangle, conv Converter) error {
	if err := checkConvert(dst, src, srcStride, r); err != nil {
		return err
	}
	if !conv.Available() {
		return fmt.Errorf("capture: converter %v is not built in", conv)
	}
	if r.Empty() {
		return nil
	}
	convertFunc(conv)(dst, src, srcStride, r)
	return nil
}

func checkConvert(dst *image.YCbCr, src []byte, srcStride int, r image.Rectangle) error {
	switch {
	case dst == nil:
		return fmt.Errorf("capture: convert: nil destination")
	case dst.SubsampleRatio != image.YCbCrSubsampleRatio420:
		return fmt.Errorf("capture: convert: destination is %v, want 4:2:0", dst.SubsampleRatio)
	case !r.In(dst.Rect):
		return fmt.Errorf("capture: convert: %v outside the frame %v", r, dst.Rect)
	case (r.Min.X-dst.Rect.Min.X)%2 != 0 || (r.Min.Y-dst.Rect.Min.Y)%2 != 0:
		return fmt.Errorf("capture: convert: %v does not start on even coordinates", r)
	case (r.Dx()%2 != 0 && r.Max.X != dst.Rect.Max.X) || (r.Dy()%2 != 0 && r.Max.Y != dst.Rect.Max.Y):
		return fmt.Errorf("capture: convert: %v has an odd size away from the frame's edge", r)
	case r.Empty():
		return nil
	case srcStride < r.Dx()*4:
		return fmt.Errorf("capture: convert: stride %d shorter than a row of %d pixels", srcStride, r.Dx())
	case len(src) < (r.Dy()-1)*srcStride+r.Dx()*4:
		return fmt.Errorf("capture: convert: %d bytes of pixels for %v", len(src), r)
	}
	return nil
}

type convertFn func(dst *image.YCbCr, src []byte, stride int, r image.Rectangle)

func convertFunc(c Converter) convertFn {
	switch c {
	case ConverterGo:
		return convertGo
	case ConverterLibyuv:
		return convertLibyuv
	}
	if libyuvBuilt {
		return convertLibyuv
	}
	return convertGo
}

// convertGo is the pure Go converter. Arguments are as for ConvertBGRA,
// already checked.
func convertGo(dst *image.YCbCr, src []byte, stride int, r image.Rectangle) {
	w, h := r.Dx(), r.Dy()
	pairs := w / 2
	for y := 0; y < h; y += 2 {
		s0 := src[y*stride : y*stride+w*4]
		s1 := s0
		yo0 := dst.YOffset(r.Min.X, r.Min.Y+y)
		y0 := dst.Y[yo0 : yo0+w]
		y1 := y0
		if y+1 < h {
			s1 = src[(y+1)*stride : (y+1)*stride+w*4]
			yo1 := yo0 + dst.YStride
			y1 = dst.Y[yo1 : yo1+w]
		}
		co := dst.COffset(r.Min.X, r.Min.Y+y)
		cw := (w + 1) / 2
		cb := dst.Cb[co : co+cw]
		cr := dst.Cr[co : co+cw]
		for i := range pairs {
			a := s0[i*8 : i*8+8 : i*8+8]
			b := s1[i*8 : i*8+8 : i*8+8]
			b00, g00, r00 := int32(a[0]), int32(a[1]), int32(a[2])
			b01, g01, r01 := int32(a[4]), int32(a[5]), int32(a[6])
			b10, g10, r10 := int32(b[0]), int32(b[1]), int32(b[2])
			b11, g11, r11 := int32(b[4]), int32(b[5]), int32(b[6])
			// On a last odd row s1 aliases s0 and y1 aliases y0, so the
			// two rows' writes agree.
			y1[2*i] = uint8((66*r10 + 129*g10 + 25*b10 + 0x1080) >> 8)
			y1[2*i+1] = uint8((66*r11 + 129*g11 + 25*b11 + 0x1080) >> 8)
			y0[2*i] = uint8((66*r00 + 129*g00 + 25*b00 + 0x1080) >> 8)
			y0[2*i+1] = uint8((66*r01 + 129*g01 + 25*b01 + 0x1080) >> 8)
			ab := (((b00 + b10 + 1) >> 1) + ((b01 + b11 + 1) >> 1) + 1) >> 1
			ag := (((g00 + g10 + 1) >> 1) + ((g01 + g11 + 1) >> 1) + 1) >> 1
			ar := (((r00 + r10 + 1) >> 1) + ((r01 + r11 + 1) >> 1) + 1) >> 1
			cb[i] = uint8((112*ab - 74*ag - 38*ar + 0x8080) >> 8)
			cr[i] = uint8((112*ar - 94*ag - 18*ab + 0x8080) >> 8)
		}
		if w%2 != 0 {
			// The last column of an odd-width frame: its chroma sample
			// covers one column.
			p := (w - 1) * 4
			b0, g0, r0 := int32(s0[p]), int32(s0[p+1]), int32(s0[p+2])
			b1, g1, r1 := int32(s1[p]), int32(s1[p+1]), int32(s1[p+2])
			y1[w-1] = uint8((66*r1 + 129*g1 + 25*b1 + 0x1080) >> 8)
			y0[w-1] = uint8((66*r0 + 129*g0 + 25*b0 + 0x1080) >> 8)
			ab, ag, ar := (b0+b1+1)>>1, (g0+g1+1)>>1, (r0+r1+1)>>1
			cb[cw-1] = uint8((112*ab - 74*ag - 38*ar + 0x8080) >> 8)
			cr[cw-1] = uint8((112*ar - 94*ag - 18*ab + 0x8080) >> 8)
		}
	}
}

// fillBlack paints r of dst black. r starts on even coordinates or at
// the frame's edge, as evenRect makes it.
func fillBlack(dst *image.YCbCr, r image.Rectangle) {
	r = r.Intersect(dst.Rect)
	if r.Empty() {
		return
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		o := dst.YOffset(r.Min.X, y)
		row := dst.Y[o : o+r.Dx()]
		for i := range row {
			row[i] = blackY
		}
	}
	cx0, cx1 := (r.Min.X-dst.Rect.Min.X)/2, (r.Max.X-dst.Rect.Min.X+1)/2
	cy0, cy1 := (r.Min.Y-dst.Rect.Min.Y)/2, (r.Max.Y-dst.Rect.Min.Y+1)/2
	for cy := cy0; cy < cy1; cy++ {
		o := cy*dst.CStride + cx0
		cb := dst.Cb[o : o+cx1-cx0]
		cr := dst.Cr[o : o+cx1-cx0]
		for i := range cb {
			cb[i] = blackC
			cr[i] = blackC
		}
	}
}

// evenRect grows r outwards to even coordinates relative to bounds.Min and
// clips it to bounds, so that it covers whole chroma samples.
func evenRect(r, bounds image.Rectangle) image.Rectangle {
	r = r.Sub(bounds.Min)
	r.Min.X &^= 1
	r.Min.Y &^= 1
	r.Max.X = (r.Max.X + 1) &^ 1
	r.Max.Y = (r.Max.Y + 1) &^ 1
	return r.Add(bounds.Min).Intersect(bounds)
}
