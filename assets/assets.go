// Package assets holds what the apps embed: the icon, the default chat
// window banner and the default customer-facing texts in each language
// Tandem ships.
package assets

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

// Icon is the application icon, a 64x64 PNG.
//
//go:embed icon.png
var Icon []byte

// Banner is the default chat window banner of the customer client: an
// 8-bit (256-colour) Windows BMP, 480x40, the same bytes as the server's
// built-in default banner.
//
//go:embed banner.bmp
var Banner []byte

//go:embed texts/en.json
var enJSON []byte

//go:embed texts/de.json
var deJSON []byte

// texts maps a language to its messages; English is complete, and every
// other language falls back to it per message.
var texts = map[string]map[string]string{}

func init() {
	for lang, b := range map[string][]byte{"en": enJSON, "de": deJSON} {
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("assets: texts/%s.json: %v", lang, err)) // embedded at build time
		}
		texts[lang] = m
	}
}

// Languages lists the languages with texts.
func Languages() []string { return []string{"en", "de"} }

// Text returns the message key in the language lang ("de", "de_DE.UTF-8",
// "de-AT" all mean German), falling back to English, and to the key itself
// when no language has it.
func Text(lang, key string) string {
	if m, ok := texts[Language(lang)]; ok {
		if s, ok := m[key]; ok {
			return s
		}
	}
	if s, ok := texts["en"][key]; ok {
		return s
	}
	return key
}

// Language reduces a locale such as "de_DE.UTF-8" to a language Tandem
// has texts for, or "en".
func Language(locale string) string {
	l := strings.ToLower(locale)
	if i := strings.IndexAny(l, "_-.@"); i >= 0 {
		l = l[:i]
	}
	if _, ok := texts[l]; ok {
		return l
	}
	return "en"
}
