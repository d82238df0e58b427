//go:build !(cgo && linux)

package capture

import "image"

// libyuvBuilt reports whether ConverterLibyuv is available: not without
// cgo, and not off Linux, where no libyuv package is assumed.
const libyuvBuilt = false

// convertLibyuv is never called in this build: ConverterLibyuv is not
// Available, and ConverterAuto picks the Go converter.
func convertLibyuv(dst *image.YCbCr, src []byte, stride int, r image.Rectangle) {
	convertGo(dst, src, stride, r)
}
