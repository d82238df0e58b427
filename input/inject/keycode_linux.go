//go:build linux && cgo

package inject

import "github.com/tandemhq/tandem/input"

// evdevCodes maps physical keys to Linux evdev scan codes
// (linux/input-event-codes.h). On an X server using evdev keycodes, as Xorg
// and Xvfb do, the X keycode is the scan code plus 8.
var evdevCodes = map[input.Key]uint8{
	input.KeyEscape: 1,
	input.KeyDigit1: 2, input.KeyDigit2: 3, input.KeyDigit3: 4, input.KeyDigit4: 5, input.KeyDigit5: 6,
	input.KeyDigit6: 7, input.KeyDigit7: 8, input.KeyDigit8: 9, input.KeyDigit9: 10, input.KeyDigit0: 11,
	input.KeyMinus: 12, input.KeyEqual: 13, input.KeyBackspace: 14, input.KeyTab: 15,
	input.KeyQ: 16, input.KeyW: 17, input.KeyE: 18, input.KeyR: 19, input.KeyT: 20,
	input.KeyY: 21, input.KeyU: 22, input.KeyI: 23, input.KeyO: 24, input.KeyP: 25,
	input.KeyBracketLeft: 26, input.KeyBracketRight: 27, input.KeyEnter: 28, input.KeyControlLeft: 29,
	input.KeyA: 30, input.KeyS: 31, input.KeyD: 32, input.KeyF: 33, input.KeyG: 34,
	input.KeyH: 35, input.KeyJ: 36, input.KeyK: 37, input.KeyL: 38,
	input.KeySemicolon: 39, input.KeyQuote: 40, input.KeyBackquote: 41, input.KeyShiftLeft: 42,
	input.KeyBackslash: 43,
	input.KeyZ:         44, input.KeyX: 45, input.KeyC: 46, input.KeyV: 47, input.KeyB: 48,
	input.KeyN: 49, input.KeyM: 50,
	input.KeyComma: 51, input.KeyPeriod: 52, input.KeySlash: 53, input.KeyShiftRight: 54,
	input.KeyNumpadMultiply: 55, input.KeyAltLeft: 56, input.KeySpace: 57, input.KeyCapsLock: 58,
	input.KeyF1: 59, input.KeyF2: 60, input.KeyF3: 61, input.KeyF4: 62, input.KeyF5: 63,
	input.KeyF6: 64, input.KeyF7: 65, input.KeyF8: 66, input.KeyF9: 67, input.KeyF10: 68,
	input.KeyNumLock: 69, input.KeyScrollLock: 70,
	input.KeyNumpad7: 71, input.KeyNumpad8: 72, input.KeyNumpad9: 73, input.KeyNumpadSubtract: 74,
	input.KeyNumpad4: 75, input.KeyNumpad5: 76, input.KeyNumpad6: 77, input.KeyNumpadAdd: 78,
	input.KeyNumpad1: 79, input.KeyNumpad2: 80, input.KeyNumpad3: 81, input.KeyNumpad0: 82,
	input.KeyNumpadDecimal: 83,
	input.KeyIntlBackslash: 86, input.KeyF11: 87, input.KeyF12: 88, input.KeyIntlRo: 89,
	input.KeyConvert: 92, input.KeyKanaMode: 93, input.KeyNonConvert: 94,
	input.KeyNumpadEnter: 96, input.KeyControlRight: 97, input.KeyNumpadDivide: 98,
	input.KeyPrintScreen: 99, input.KeyAltRight: 100,
	input.KeyHome: 102, input.KeyArrowUp: 103, input.KeyPageUp: 104, input.KeyArrowLeft: 105,
	input.KeyArrowRight: 106, input.KeyEnd: 107, input.KeyArrowDown: 108, input.KeyPageDown: 109,
	input.KeyInsert: 110, input.KeyDelete: 111,
	input.KeyAudioVolumeMute: 113, input.KeyAudioVolumeDown: 114, input.KeyAudioVolumeUp: 115,
	input.KeyNumpadEqual: 117, input.KeyPause: 119, input.KeyNumpadComma: 121,
	input.KeyLang1: 122, input.KeyLang2: 123, input.KeyIntlYen: 124,
	input.KeyMetaLeft: 125, input.KeyMetaRight: 126, input.KeyContextMenu: 127,
	input.KeyF13: 183, input.KeyF14: 184, input.KeyF15: 185, input.KeyF16: 186, input.KeyF17: 187,
	input.KeyF18: 188, input.KeyF19: 189, input.KeyF20: 190, input.KeyF21: 191, input.KeyF22: 192,
	input.KeyF23: 193, input.KeyF24: 194,
}
