package portal

import (
	"encoding/binary"
	"errors"
	"testing"
)

func bmp(w, h int32, bpp uint16) []byte {
	pal := 0
	if bpp == 8 {
		pal = 1024
	}
	row := (int(w)*int(bpp)/8 + 3) &^ 3
	off := 14 + 40 + pal
	b := make([]byte, off+row*int(h))
	b[0], b[1] = 'B', 'M'
	binary.LittleEndian.PutUint32(b[2:], uint32(len(b)))
	binary.LittleEndian.PutUint32(b[10:], uint32(off))
	binary.LittleEndian.PutUint32(b[14:], 40)
	binary.LittleEndian.PutUint32(b[18:], uint32(w))
	binary.LittleEndian.PutUint32(b[22:], uint32(h))
	binary.LittleEndian.PutUint16(b[26:], 1)
	binary.LittleEndian.PutUint16(b[28:], bpp)
	return b
}

func TestValidateBanner(t *testing.T) {
	good := bmp(480, 40, 8)
	tests := []struct {
		name string
		b    []byte
		ok   bool
	}{
		{"8-bit 480 wide", good, true},
		{"24-bit", bmp(480, 40, 24), false},
		{"479 wide", bmp(479, 40, 8), false},
		{"truncated pixels", good[:len(good)-1], false},
		{"truncated header", good[:20], false},
		{"not a BMP", []byte("\x89PNG\r\n\x1a\n"), false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		err := ValidateBanner(tt.b)
		if tt.ok && err != nil {
			t.Errorf("%s: got %v; want nil", tt.name, err)
		}
		if !tt.ok && !errors.Is(err, ErrBadBanner) {
			t.Errorf("%s: got %v; want ErrBadBanner", tt.name, err)
		}
	}
}
