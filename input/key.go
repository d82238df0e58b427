package input

import "fmt"

// Key is a physical key, named as W3C UI Events KeyboardEvent.code names it.
// Its values are the wire's key number: append only, never renumber.
type Key uint16

// Physical keys. Each constant's String is its KeyboardEvent.code name:
// KeyA is "KeyA", KeyDigit1 is "Digit1", KeyShiftLeft is "ShiftLeft".
const (
	KeyUnknown Key = iota
	KeyA
	KeyB
	KeyC
	KeyD
	KeyE
	KeyF
	KeyG
	KeyH
	KeyI
	KeyJ
	KeyK
	KeyL
	KeyM
	KeyN
	KeyO
	KeyP
	KeyQ
	KeyR
	KeyS
	KeyT
	KeyU
	KeyV
	KeyW
	KeyX
	KeyY
	KeyZ
	KeyDigit0
	KeyDigit1
	KeyDigit2
	KeyDigit3
	KeyDigit4
	KeyDigit5
	KeyDigit6
	KeyDigit7
	KeyDigit8
	KeyDigit9
	KeyF1
	KeyF2
	KeyF3
	KeyF4
	KeyF5
	KeyF6
	KeyF7
	KeyF8
	KeyF9
	KeyF10
	KeyF11
	KeyF12
	KeyF13
	KeyF14
	KeyF15
	KeyF16
	KeyF17
	KeyF18
	KeyF19
	KeyF20
	KeyF21
	KeyF22
	KeyF23
	KeyF24
	KeyEnter
	KeyEscape
	KeyBackspace
	KeyTab
	KeySpace
	KeyMinus
	KeyEqual
	KeyBracketLeft
	KeyBracketRight
	KeyBackslash
	KeySemicolon
	KeyQuote
	KeyBackquote
	KeyComma
	KeyPeriod
	KeySlash
	KeyIntlBackslash
	KeyIntlRo
	KeyIntlYen
	KeyCapsLock
	KeyShiftLeft
	KeyShiftRight
	KeyControlLeft
	KeyControlRight
	KeyAltLeft
	KeyAltRight
	KeyMetaLeft
	KeyMetaRight
	KeyContextMenu
	KeyPrintScreen
	KeyScrollLock
	KeyPause
	KeyInsert
	KeyHome
	KeyPageUp
	KeyDelete
	KeyEnd
	KeyPageDown
	KeyArrowRight
	KeyArrowLeft
	KeyArrowDown
	KeyArrowUp
	KeyNumLock
	KeyNumpadDivide
	KeyNumpadMultiply
	KeyNumpadSubtract
	KeyNumpadAdd
	KeyNumpadEnter
	KeyNumpad0
	KeyNumpad1
	KeyNumpad2
	KeyNumpad3
	KeyNumpad4
	KeyNumpad5
	KeyNumpad6
	KeyNumpad7
	KeyNumpad8
	KeyNumpad9
	KeyNumpadDecimal
	KeyNumpadEqual
	KeyNumpadComma
	KeyAudioVolumeMute
	KeyAudioVolumeDown
	KeyAudioVolumeUp
	KeyLang1
	KeyLang2
	KeyKanaMode
	KeyConvert
	KeyNonConvert

	keyEnd
)

var keyNames = [...]string{
	KeyUnknown:         "Unknown",
	KeyA:               "KeyA",
	KeyB:               "KeyB",
	KeyC:               "KeyC",
	KeyD:               "KeyD",
	KeyE:               "KeyE",
	KeyF:               "KeyF",
	KeyG:               "KeyG",
	KeyH:               "KeyH",
	KeyI:               "KeyI",
	KeyJ:               "KeyJ",
	KeyK:               "KeyK",
	KeyL:               "KeyL",
	KeyM:               "KeyM",
	KeyN:               "KeyN",
	KeyO:               "KeyO",
	KeyP:               "KeyP",
	KeyQ:               "KeyQ",
	KeyR:               "KeyR",
	KeyS:               "KeyS",
	KeyT:               "KeyT",
	KeyU:               "KeyU",
	KeyV:               "KeyV",
	KeyW:               "KeyW",
	KeyX:               "KeyX",
	KeyY:               "KeyY",
	KeyZ:               "KeyZ",
	KeyDigit0:          "Digit0",
	KeyDigit1:          "Digit1",
	KeyDigit2:          "Digit2",
	KeyDigit3:          "Digit3",
	KeyDigit4:          "Digit4",
	KeyDigit5:          "Digit5",
	KeyDigit6:          "Digit6",
	KeyDigit7:          "Digit7",
	KeyDigit8:          "Digit8",
	KeyDigit9:          "Digit9",
	KeyF1:              "F1",
	KeyF2:              "F2",
	KeyF3:              "F3",
	KeyF4:              "F4",
	KeyF5:              "F5",
	KeyF6:              "F6",
	KeyF7:              "F7",
	KeyF8:              "F8",
	KeyF9:              "F9",
	KeyF10:             "F10",
	KeyF11:             "F11",
	KeyF12:             "F12",
	KeyF13:             "F13",
	KeyF14:             "F14",
	KeyF15:             "F15",
	KeyF16:             "F16",
	KeyF17:             "F17",
	KeyF18:             "F18",
	KeyF19:             "F19",
	KeyF20:             "F20",
	KeyF21:             "F21",
	KeyF22:             "F22",
	KeyF23:             "F23",
	KeyF24:             "F24",
	KeyEnter:           "Enter",
	KeyEscape:          "Escape",
	KeyBackspace:       "Backspace",
	KeyTab:             "Tab",
	KeySpace:           "Space",
	KeyMinus:           "Minus",
	KeyEqual:           "Equal",
	KeyBracketLeft:     "BracketLeft",
	KeyBracketRight:    "BracketRight",
	KeyBackslash:       "Backslash",
	KeySemicolon:       "Semicolon",
	KeyQuote:           "Quote",
	KeyBackquote:       "Backquote",
	KeyComma:           "Comma",
	KeyPeriod:          "Period",
	KeySlash:           "Slash",
	KeyIntlBackslash:   "IntlBackslash",
	KeyIntlRo:          "IntlRo",
	KeyIntlYen:         "IntlYen",
	KeyCapsLock:        "CapsLock",
	KeyShiftLeft:       "ShiftLeft",
	KeyShiftRight:      "ShiftRight",
	KeyControlLeft:     "ControlLeft",
	KeyControlRight:    "ControlRight",
	KeyAltLeft:         "AltLeft",
	KeyAltRight:        "AltRight",
	KeyMetaLeft:        "MetaLeft",
	KeyMetaRight:       "MetaRight",
	KeyContextMenu:     "ContextMenu",
	KeyPrintScreen:     "PrintScreen",
	KeyScrollLock:      "ScrollLock",
	KeyPause:           "Pause",
	KeyInsert:          "Insert",
	KeyHome:            "Home",
	KeyPageUp:          "PageUp",
	KeyDelete:          "Delete",
	KeyEnd:             "End",
	KeyPageDown:        "PageDown",
	KeyArrowRight:      "ArrowRight",
	KeyArrowLeft:       "ArrowLeft",
	KeyArrowDown:       "ArrowDown",
	KeyArrowUp:         "ArrowUp",
	KeyNumLock:         "NumLock",
	KeyNumpadDivide:    "NumpadDivide",
	KeyNumpadMultiply:  "NumpadMultiply",
	KeyNumpadSubtract:  "NumpadSubtract",
	KeyNumpadAdd:       "NumpadAdd",
	KeyNumpadEnter:     "NumpadEnter",
	KeyNumpad0:         "Numpad0",
	KeyNumpad1:         "Numpad1",
	KeyNumpad2:         "Numpad2",
	KeyNumpad3:         "Numpad3",
	KeyNumpad4:         "Numpad4",
	KeyNumpad5:         "Numpad5",
	KeyNumpad6:         "Numpad6",
	KeyNumpad7:         "Numpad7",
	KeyNumpad8:         "Numpad8",
	KeyNumpad9:         "Numpad9",
	KeyNumpadDecimal:   "NumpadDecimal",
	KeyNumpadEqual:     "NumpadEqual",
	KeyNumpadComma:     "NumpadComma",
	KeyAudioVolumeMute: "AudioVolumeMute",
	KeyAudioVolumeDown: "AudioVolumeDown",
	KeyAudioVolumeUp:   "AudioVolumeUp",
	KeyLang1:           "Lang1",
	KeyLang2:           "Lang2",
	KeyKanaMode:        "KanaMode",
	KeyConvert:         "Convert",
	KeyNonConvert:      "NonConvert",
}

var keyByName = func() map[string]Key {
	m := make(map[string]Key, len(keyNames))
	for k := KeyUnknown + 1; k < keyEnd; k++ {
		m[keyNames[k]] = k
	}
	return m
}()

// KeyByCode returns the key whose KeyboardEvent.code name is code, or
// KeyUnknown.
func KeyByCode(code string) Key { return keyByName[code] }

// NumKeys is one more than the largest valid key number; keys are
// 1 to NumKeys-1.
const NumKeys = int(keyEnd)

// String returns the key's KeyboardEvent.code name, such as "ShiftLeft".
func (k Key) String() string {
	if k >= keyEnd {
		return fmt.Sprintf("Key(%d)", uint16(k))
	}
	return keyNames[k]
}

// Valid reports whether k is a known key other than KeyUnknown.
func (k Key) Valid() bool { return k > KeyUnknown && k < keyEnd }

// MarshalText implements encoding.TextMarshaler.
func (k Key) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it accepts the
// KeyboardEvent.code names of known keys.
func (k *Key) UnmarshalText(b []byte) error {
	v, ok := keyByName[string(b)]
	if !ok {
		return fmt.Errorf("%w: key %q", ErrOutOfRange, b)
	}
	*k = v
	return nil
}

// Modifier returns the modifier bits the key may set while held, or 0 for a
// key that is not a modifier. AltRight is Alt on some layouts and AltGraph on
// others, so it returns both.
func (k Key) Modifier() Mods {
	switch k {
	case KeyShiftLeft, KeyShiftRight:
		return ModShift
	case KeyControlLeft, KeyControlRight:
		return ModControl
	case KeyAltLeft:
		return ModAlt
	case KeyAltRight:
		return ModAlt | ModAltGraph
	case KeyMetaLeft, KeyMetaRight:
		return ModMeta
	}
	return 0
}
