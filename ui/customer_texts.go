package ui

import (
	"bytes"
	"fmt"
	"image"
	"strings"
	"time"

	"golang.org/x/image/bmp"

	"github.com/tandemhq/tandem/assets"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/portal"
)

// CustomerLanguage picks the language of the customer's texts from the
// system locale ("de_DE.UTF-8", "de-AT", "pt_BR"): the portal's messages
// in that language when configured (full tag first, then the base
// language), else [protocol.DefaultLanguage].
func CustomerLanguage(locale string, cfg protocol.CustomerClientConfig) string {
	l := locale
	if i := strings.IndexAny(l, ".@"); i >= 0 {
		l = l[:i]
	}
	l = strings.ReplaceAll(l, "_", "-")
	base, region, _ := strings.Cut(l, "-")
	base = strings.ToLower(base)
	if region != "" {
		full := base + "-" + strings.ToUpper(region)
		if _, ok := cfg.Messages[full]; ok {
			return full
		}
	}
	if _, ok := cfg.Messages[base]; ok {
		return base
	}
	return protocol.DefaultLanguage
}

// customerMessages returns the portal's texts in lang with blanks filled
// from the defaults.
func customerMessages(cfg protocol.CustomerClientConfig, lang string) protocol.Messages {
	return cfg.MessagesFor(lang).WithDefaults(lang)
}

// ExpandQueueMessage expands %POSITION_IN_QUEUE% and %ESTIMATED_WAIT_TIME%
// in msg into full sentences in lang from a wait status, as the server's
// portal package does ("more than x minutes" above the maximum).
func ExpandQueueMessage(msg, lang string, st protocol.WaitStatus) string {
	e := portal.Estimate{Known: st.Estimated, Wait: time.Duration(st.EstimatedWaitSeconds) * time.Second, OverMax: st.OverMax}
	return portal.ExpandQueueMacros(msg, assets.Language(lang), st.Position, e)
}

// durationText says d in lang for the agreement's deadline: "2 minutes",
// "1 minute", "45 seconds".
func durationText(lang string, d time.Duration) string {
	switch {
	case d >= 2*time.Minute:
		return fmt.Sprintf(assets.Text(lang, "chat.minutes"), int(d.Round(time.Minute)/time.Minute))
	case d >= time.Minute:
		return assets.Text(lang, "chat.minute")
	}
	return fmt.Sprintf(assets.Text(lang, "chat.seconds"), int(d.Round(time.Second)/time.Second))
}

// Banner limits: the width the portal requires and the tallest banner
// the window shows.
const (
	BannerWidth     = portal.BannerWidth
	MaxBannerHeight = 200
)

// DecodeBanner decodes a chat window banner: an uncompressed 8-bit BMP
// exactly BannerWidth pixels wide and at most MaxBannerHeight high.
func DecodeBanner(b []byte) (image.Image, error) {
	if err := portal.ValidateBanner(b); err != nil {
		return nil, err
	}
	img, err := bmp.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("banner: %w", err)
	}
	if h := img.Bounds().Dy(); h > MaxBannerHeight {
		return nil, fmt.Errorf("%w: %d px high; at most %d", portal.ErrBadBanner, h, MaxBannerHeight)
	}
	return img, nil
}

// defaultBanner is the decoded banner from assets.
func defaultBanner() image.Image {
	img, err := DecodeBanner(assets.Banner)
	if err != nil {
		panic(fmt.Sprintf("ui: the embedded banner: %v", err)) // checked by a test
	}
	return img
}
