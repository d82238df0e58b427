package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/tandemhq/tandem/input"
)

// keyByName maps Fyne's key names to physical keys. Fyne names letters by
// the rep's layout (GLFW asks the layout for the key's name) and numpad
// digits as digits, so this table is the fallback for systems whose scan
// codes the view does not know.
var keyByName = map[fyne.KeyName]input.Key{
	fyne.KeyA: input.KeyA, fyne.KeyB: input.KeyB, fyne.KeyC: input.KeyC, fyne.KeyD: input.KeyD,
	fyne.KeyE: input.KeyE, fyne.KeyF: input.KeyF, fyne.KeyG: input.KeyG, fyne.KeyH: input.KeyH,
	fyne.KeyI: input.KeyI, fyne.KeyJ: input.KeyJ, fyne.KeyK: input.KeyK, fyne.KeyL: input.KeyL,
	fyne.KeyM: input.KeyM, fyne.KeyN: input.KeyN, fyne.KeyO: input.KeyO, fyne.KeyP: input.KeyP,
	fyne.KeyQ: input.KeyQ, fyne.KeyR: input.KeyR, fyne.KeyS: input.KeyS, fyne.KeyT: input.KeyT,
	fyne.KeyU: input.KeyU, fyne.KeyV: input.KeyV, fyne.KeyW: input.KeyW, fyne.KeyX: input.KeyX,
	fyne.KeyY: input.KeyY, fyne.KeyZ: input.KeyZ,

	fyne.Key0: input.KeyDigit0, fyne.Key1: input.KeyDigit1, fyne.Key2: input.KeyDigit2,
	fyne.Key3: input.KeyDigit3, fyne.Key4: input.KeyDigit4, fyne.Key5: input.KeyDigit5,
	fyne.Key6: input.KeyDigit6, fyne.Key7: input.KeyDigit7, fyne.Key8: input.KeyDigit8,
	fyne.Key9: input.KeyDigit9,

	fyne.KeyF1: input.KeyF1, fyne.KeyF2: input.KeyF2, fyne.KeyF3: input.KeyF3, fyne.KeyF4: input.KeyF4,
	fyne.KeyF5: input.KeyF5, fyne.KeyF6: input.KeyF6, fyne.KeyF7: input.KeyF7, fyne.KeyF8: input.KeyF8,
	fyne.KeyF9: input.KeyF9, fyne.KeyF10: input.KeyF10, fyne.KeyF11: input.KeyF11, fyne.KeyF12: input.KeyF12,

	fyne.KeyEscape:    input.KeyEscape,
	fyne.KeyReturn:    input.KeyEnter,
	fyne.KeyEnter:     input.KeyNumpadEnter,
	fyne.KeyTab:       input.KeyTab,
	fyne.KeyBackspace: input.KeyBackspace,
	fyne.KeyInsert:    input.KeyInsert,
	fyne.KeyDelete:    input.KeyDelete,
	fyne.KeyRight:     input.KeyArrowRight,
	fyne.KeyLeft:      input.KeyArrowLeft,
	fyne.KeyDown:      input.KeyArrowDown,
	fyne.KeyUp:        input.KeyArrowUp,
	fyne.KeyPageUp:    input.KeyPageUp,
	fyne.KeyPageDown:  input.KeyPageDown,
	fyne.KeyHome:      input.KeyHome,
	fyne.KeyEnd:       input.KeyEnd,
	fyne.KeySpace:     input.KeySpace,

	fyne.KeyApostrophe:   input.KeyQuote,
	fyne.KeyComma:        input.KeyComma,
	fyne.KeyMinus:        input.KeyMinus,
	fyne.KeyPeriod:       input.KeyPeriod,
	fyne.KeySlash:        input.KeySlash,
	fyne.KeyBackslash:    input.KeyBackslash,
	fyne.KeyLeftBracket:  input.KeyBracketLeft,
	fyne.KeyRightBracket: input.KeyBracketRight,
	fyne.KeySemicolon:    input.KeySemicolon,
	fyne.KeyEqual:        input.KeyEqual,
	fyne.KeyAsterisk:     input.KeyNumpadMultiply,
	fyne.KeyPlus:         input.KeyNumpadAdd,
	fyne.KeyBackTick:     input.KeyBackquote,

	desktop.KeyShiftLeft:    input.KeyShiftLeft,
	desktop.KeyShiftRight:   input.KeyShiftRight,
	desktop.KeyControlLeft:  input.KeyControlLeft,
	desktop.KeyControlRight: input.KeyControlRight,
	desktop.KeyAltLeft:      input.KeyAltLeft,
	desktop.KeyAltRight:     input.KeyAltRight,
	desktop.KeySuperLeft:    input.KeyMetaLeft,
	desktop.KeySuperRight:   input.KeyMetaRight,
	desktop.KeyMenu:         input.KeyContextMenu,
	desktop.KeyPrintScreen:  input.KeyPrintScreen,
	desktop.KeyCapsLock:     input.KeyCapsLock,
}

// keyByEvdev maps Linux evdev key codes (linux/input-event-codes.h) to
// physical keys. On Linux, GLFW's scan code is the X keycode, which is the
// evdev code plus 8 on every X server that uses evdev or libinput.
var keyByEvdev = map[int]input.Key{
	1: input.KeyEscape,
	2: input.KeyDigit1, 3: input.KeyDigit2, 4: input.KeyDigit3, 5: input.KeyDigit4, 6: input.KeyDigit5,
	7: input.KeyDigit6, 8: input.KeyDigit7, 9: input.KeyDigit8, 10: input.KeyDigit9, 11: input.KeyDigit0,
	12: input.KeyMinus, 13: input.KeyEqual, 14: input.KeyBackspace, 15: input.KeyTab,
	16: input.KeyQ, 17: input.KeyW, 18: input.KeyE, 19: input.KeyR, 20: input.KeyT,
	21: input.KeyY, 22: input.KeyU, 23: input.KeyI, 24: input.KeyO, 25: input.KeyP,
	26: input.KeyBracketLeft, 27: input.KeyBracketRight, 28: input.KeyEnter, 29: input.KeyControlLeft,
	30: input.KeyA, 31: input.KeyS, 32: input.KeyD, 33: input.KeyF, 34: input.KeyG,
	35: input.KeyH, 36: input.KeyJ, 37: input.KeyK, 38: input.KeyL,
	39: input.KeySemicolon, 40: input.KeyQuote, 41: input.KeyBackquote, 42: input.KeyShiftLeft,
	43: input.KeyBackslash,
	44: input.KeyZ, 45: input.KeyX, 46: input.KeyC, 47: input.KeyV, 48: input.KeyB,
	49: input.KeyN, 50: input.KeyM,
	51: input.KeyComma, 52: input.KeyPeriod, 53: input.KeySlash, 54: input.KeyShiftRight,
	55: input.KeyNumpadMultiply, 56: input.KeyAltLeft, 57: input.KeySpace, 58: input.KeyCapsLock,
	59: input.KeyF1, 60: input.KeyF2, 61: input.KeyF3, 62: input.KeyF4, 63: input.KeyF5,
	64: input.KeyF6, 65: input.KeyF7, 66: input.KeyF8, 67: input.KeyF9, 68: input.KeyF10,
	69: input.KeyNumLock, 70: input.KeyScrollLock,
	71: input.KeyNumpad7, 72: input.KeyNumpad8, 73: input.KeyNumpad9, 74: input.KeyNumpadSubtract,
	75: input.KeyNumpad4, 76: input.KeyNumpad5, 77: input.KeyNumpad6, 78: input.KeyNumpadAdd,
	79: input.KeyNumpad1, 80: input.KeyNumpad2, 81: input.KeyNumpad3, 82: input.KeyNumpad0,
	83: input.KeyNumpadDecimal,
	86: input.KeyIntlBackslash, 87: input.KeyF11, 88: input.KeyF12, 89: input.KeyIntlRo,
	92: input.KeyConvert, 93: input.KeyKanaMode, 94: input.KeyNonConvert,
	96: input.KeyNumpadEnter, 97: input.KeyControlRight, 98: input.KeyNumpadDivide,
	99: input.KeyPrintScreen, 100: input.KeyAltRight,
	102: input.KeyHome, 103: input.KeyArrowUp, 104: input.KeyPageUp, 105: input.KeyArrowLeft,
	106: input.KeyArrowRight, 107: input.KeyEnd, 108: input.KeyArrowDown, 109: input.KeyPageDown,
	110: input.KeyInsert, 111: input.KeyDelete,
	113: input.KeyAudioVolumeMute, 114: input.KeyAudioVolumeDown, 115: input.KeyAudioVolumeUp,
	117: input.KeyNumpadEqual, 119: input.KeyPause, 121: input.KeyNumpadComma,
	122: input.KeyLang1, 123: input.KeyLang2, 124: input.KeyIntlYen,
	125: input.KeyMetaLeft, 126: input.KeyMetaRight, 127: input.KeyContextMenu,
	183: input.KeyF13, 184: input.KeyF14, 185: input.KeyF15, 186: input.KeyF16,
	187: input.KeyF17, 188: input.KeyF18, 189: input.KeyF19, 190: input.KeyF20,
	191: input.KeyF21, 192: input.KeyF22, 193: input.KeyF23, 194: input.KeyF24,
}

// physicalKey returns the physical key of a Fyne key event on the system
// goos, or input.KeyUnknown. On Linux the scan code decides, so the key is
// the key's position whatever the rep's layout calls it (the A key of an
// AZERTY keyboard is KeyQ, as KeyboardEvent.code has it); elsewhere, and
// for scan codes the table lacks, Fyne's key name does.
func physicalKey(ev *fyne.KeyEvent, goos string) input.Key {
	if goos == "linux" && ev.Physical.ScanCode > 8 {
		if k, ok := keyByEvdev[ev.Physical.ScanCode-8]; ok {
			return k
		}
	}
	return keyByName[ev.Name]
}

// printableKey reports whether k types a character on common layouts:
// the letter, digit, punctuation and space keys. While no Control, Alt or
// Meta is held such a key goes to the customer as the text it produced
// (TypedRune), not as a key press. Numpad keys are not among them: without
// Num Lock they are cursor keys and produce no text.
func printableKey(k input.Key) bool {
	return k >= input.KeyA && k <= input.KeyDigit9 || k >= input.KeySpace && k <= input.KeyIntlYen
}
