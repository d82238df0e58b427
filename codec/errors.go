package codec

import "errors"

// Errors of this package. Constructors built without cgo return
// errors.ErrUnsupported.
var (
	// ErrUnknownCodec: the codec is not VP8 or VP9, or its name is not known.
	ErrUnknownCodec = errors.New("codec: unknown codec")
	// ErrNoCommonCodec: two capability lists share no codec.
	ErrNoCommonCodec = errors.New("codec: no codec in common")
	// ErrBadConfig: an encoder configuration is out of range.
	ErrBadConfig = errors.New("codec: bad encoder configuration")
	// ErrBadImage: an input image does not match the encoder (size,
	// subsampling or plane lengths).
	ErrBadImage = errors.New("codec: image does not fit the encoder")
	// ErrCorrupt: the decoder rejected its input as truncated, corrupt or
	// out of bounds.
	ErrCorrupt = errors.New("codec: corrupt or unsupported bitstream")
	// ErrClosed: the encoder or decoder was closed.
	ErrClosed = errors.New("codec: closed")
	// ErrLibvpx: libvpx reported an internal failure.
	ErrLibvpx = errors.New("codec: libvpx failed")
)
