//go:build cgo && linux

package capture

/*
#cgo LDFLAGS: -lyuv
#include <stdint.h>
#include <libyuv/convert.h>
*/
import "C"

import (
	"image"
	"unsafe"
)

// libyuvBuilt reports whether ConverterLibyuv is available.
const libyuvBuilt = true

// convertLibyuv converts through libyuv's ARGBToI420, whose "ARGB" is
// BGRA in memory. Arguments are as for ConvertBGRA, already checked.
func convertLibyuv(dst *image.YCbCr, src []byte, stride int, r image.Rectangle) {
	yo := dst.YOffset(r.Min.X, r.Min.Y)
	co := dst.COffset(r.Min.X, r.Min.Y)
	C.ARGBToI420(
		(*C.uint8_t)(unsafe.Pointer(&src[0])), C.int(stride),
		(*C.uint8_t)(unsafe.Pointer(&dst.Y[yo])), C.int(dst.YStride),
		(*C.uint8_t)(unsafe.Pointer(&dst.Cb[co])), C.int(dst.CStride),
		(*C.uint8_t)(unsafe.Pointer(&dst.Cr[co])), C.int(dst.CStride),
		C.int(r.Dx()), C.int(r.Dy()))
}
