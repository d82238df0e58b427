package assets

import (
	"bytes"
	"image/png"
	"testing"
)

func TestEveryLanguageHasEveryMessage(t *testing.T) {
	for _, lang := range Languages() {
		for key := range texts["en"] {
			if _, ok := texts[lang][key]; !ok {
				t.Errorf("%s lacks %q", lang, key)
			}
		}
		for key := range texts[lang] {
			if _, ok := texts["en"][key]; !ok {
				t.Errorf("%s has %q, which English lacks", lang, key)
			}
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct{ lang, key, want string }{
		{"de_DE.UTF-8", "join.button", "Verbinden"},
		{"de-AT", "join.button", "Verbinden"},
		{"en_US.UTF-8", "join.button", "Connect"},
		{"fr_FR", "join.button", "Connect"},
		{"", "join.button", "Connect"},
		{"de", "no.such.key", "no.such.key"},
	}
	for _, tt := range tests {
		if got := Text(tt.lang, tt.key); got != tt.want {
			t.Errorf("Text(%q, %q): got %q; want %q", tt.lang, tt.key, got, tt.want)
		}
	}
}

func TestIconIsPNG(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(Icon))
	if err != nil {
		t.Fatalf("icon: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 64 {
		t.Errorf("icon is %v; want 64x64", b)
	}
}

func TestBannerIsAn8BitBMP(t *testing.T) {
	if len(Banner) < 54 || string(Banner[:2]) != "BM" {
		t.Fatal("banner is not a BMP")
	}
	w := int(Banner[18]) | int(Banner[19])<<8
	h := int(Banner[22]) | int(Banner[23])<<8
	bpp := int(Banner[28])
	if w != 480 || h != 40 || bpp != 8 {
		t.Errorf("banner is %dx%d at %d bits; want 480x40 at 8 bits", w, h, bpp)
	}
}
