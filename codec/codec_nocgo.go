//go:build !cgo

package codec

import (
	"errors"
	"image"
)

// Supported returns the codecs this build encodes and decodes: none
// without cgo.
func Supported() []Codec { return nil }

// Encoder encodes images to VP8 or VP9; without cgo it cannot be created.
type Encoder struct{}

// NewEncoder returns errors.ErrUnsupported: libvpx needs cgo.
func NewEncoder(cfg EncoderConfig) (*Encoder, error) { return nil, errors.ErrUnsupported }

// Config returns the zero configuration.
func (e *Encoder) Config() EncoderConfig { return EncoderConfig{} }

// SetBitrate returns errors.ErrUnsupported.
func (e *Encoder) SetBitrate(kbps int) error { return errors.ErrUnsupported }

// Encode returns errors.ErrUnsupported.
func (e *Encoder) Encode(img *image.YCbCr, opts EncodeOptions) (Packet, error) {
	return Packet{}, errors.ErrUnsupported
}

// Close does nothing.
func (e *Encoder) Close() error { return nil }

// Decoder decodes VP8 or VP9; without cgo it cannot be created.
type Decoder struct{}

// NewDecoder returns errors.ErrUnsupported: libvpx needs cgo.
func NewDecoder(c Codec) (*Decoder, error) { return nil, errors.ErrUnsupported }

// Decode returns errors.ErrUnsupported.
func (d *Decoder) Decode(frame []byte) (*image.YCbCr, error) { return nil, errors.ErrUnsupported }

// Codec returns Unknown.
func (d *Decoder) Codec() Codec { return Unknown }

// Close does nothing.
func (d *Decoder) Close() error { return nil }
