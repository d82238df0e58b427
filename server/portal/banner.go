package portal

import (
	"encoding/binary"
	"fmt"
)

// BannerWidth is the width in pixels the chat window banner must have.
const BannerWidth = 480

// ValidateBanner checks that b is an uncompressed 8-bit (256-colour) Windows
// BMP exactly BannerWidth pixels wide and complete. It returns a wrapped
// ErrBadBanner explaining the first problem found.
func ValidateBanner(b []byte) error {
	const fileHdr, infoHdr = 14, 40
	if len(b) < 2 || b[0] != 'B' || b[1] != 'M' {
		return fmt.Errorf("%w: not a BMP file (missing \"BM\" signature)", ErrBadBanner)
	}
	if len(b) < fileHdr+infoHdr {
		return fmt.Errorf("%w: truncated header (%d bytes)", ErrBadBanner, len(b))
	}
	off := binary.LittleEndian.Uint32(b[10:])
	hsize := binary.LittleEndian.Uint32(b[14:])
	if hsize < infoHdr {
		return fmt.Errorf("%w: unsupported header size %d", ErrBadBanner, hsize)
	}
	w := int32(binary.LittleEndian.Uint32(b[18:]))
	h := int32(binary.LittleEndian.Uint32(b[22:]))
	bpp := binary.LittleEndian.Uint16(b[28:])
	comp := binary.LittleEndian.Uint32(b[30:])
	if bpp != 8 {
		return fmt.Errorf("%w: %d bits per pixel; want 8-bit (256 colours)", ErrBadBanner, bpp)
	}
	if comp != 0 {
		return fmt.Errorf("%w: compressed BMP (method %d); want uncompressed", ErrBadBanner, comp)
	}
	if w != BannerWidth {
		return fmt.Errorf("%w: width %d px; want %d px", ErrBadBanner, w, BannerWidth)
	}
	if h == 0 {
		return fmt.Errorf("%w: height 0", ErrBadBanner)
	}
	if h < 0 {
		h = -h
	}
	need := uint64(off) + uint64(BannerWidth)*uint64(h) // 480 is a multiple of 4: no row padding
	if uint64(off) < fileHdr+uint64(hsize) || uint64(len(b)) < need {
		return fmt.Errorf("%w: truncated pixel data (%d bytes; want %d)", ErrBadBanner, len(b), need)
	}
	return nil
}
