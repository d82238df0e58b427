package portal

import (
	"crypto/sha256"
	_ "embed" // the default banner
	"encoding/hex"
)

// defaultBanner is the built-in chat window banner, an 8-bit BMP 480x40
// written by TestWriteDefaultBanner (go test -run TestWriteDefaultBanner
// -write-banner ./server/portal/).
//
//go:embed default_banner.bmp
var defaultBanner []byte

var defaultBannerSum = sha256.Sum256(defaultBanner)

// DefaultBanner returns a copy of the built-in chat window banner.
func DefaultBanner() []byte { return append([]byte(nil), defaultBanner...) }

// DefaultBannerSHA256 is the lowercase hex SHA-256 of DefaultBanner.
func DefaultBannerSHA256() string { return hex.EncodeToString(defaultBannerSum[:]) }

// BannerSHA256 is the lowercase hex SHA-256 of a banner, its content address.
func BannerSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
