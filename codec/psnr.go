package codec

import (
	"image"
	"math"
)

// PSNR returns the peak signal-to-noise ratio of b against a over the
// rectangle r, in dB: 10·log10(255² / MSE), with the mean squared error
// taken over every sample in r, luma and chroma alike. Identical pictures,
// and an r that does not overlap both images, give +Inf. The images must
// have the same chroma subsampling (NaN otherwise); they may have different
// bounds, r being in the coordinates both share.
func PSNR(a, b *image.YCbCr, r image.Rectangle) float64 {
	if a.SubsampleRatio != b.SubsampleRatio {
		return math.NaN()
	}
	r = r.Intersect(a.Rect).Intersect(b.Rect)
	hx, vy := chromaCell(a.SubsampleRatio)
	var sse uint64
	var n int
	for y := r.Min.Y; y < r.Max.Y; y++ {
		ya, yb := a.Y[a.YOffset(r.Min.X, y):], b.Y[b.YOffset(r.Min.X, y):]
		for i := range r.Dx() {
			d := int(ya[i]) - int(yb[i])
			sse += uint64(d * d)
		}
		n += r.Dx()
		// One chroma sample per cell, counted at the cell's first row
		// and column inside r (cells as image.YCbCr.COffset divides).
		if y != r.Min.Y && y/vy == (y-1)/vy {
			continue
		}
		for x := r.Min.X; x < r.Max.X; x++ {
			if x != r.Min.X && x/hx == (x-1)/hx {
				continue
			}
			i, j := a.COffset(x, y), b.COffset(x, y)
			d1 := int(a.Cb[i]) - int(b.Cb[j])
			d2 := int(a.Cr[i]) - int(b.Cr[j])
			sse += uint64(d1*d1 + d2*d2)
			n += 2
		}
	}
	if sse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255*float64(n)/float64(sse))
}

// chromaCell returns the width and height in pixels of the area one chroma
// sample covers.
func chromaCell(s image.YCbCrSubsampleRatio) (w, h int) {
	switch s {
	case image.YCbCrSubsampleRatio422:
		return 2, 1
	case image.YCbCrSubsampleRatio420:
		return 2, 2
	case image.YCbCrSubsampleRatio440:
		return 1, 2
	case image.YCbCrSubsampleRatio411:
		return 4, 1
	case image.YCbCrSubsampleRatio410:
		return 4, 2
	default:
		return 1, 1
	}
}
