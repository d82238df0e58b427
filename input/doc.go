// Package input defines the remote-control events a rep sends to a customer
// and their binary wire form.
//
// # Flow
//
// The rep's remote view turns mouse and keyboard activity into [Event]
// values and sends each one, encoded by [Encode], as one message on an
// ordered, reliable WebRTC data channel. The customer client decodes each
// message with [Decode], checks that the sender holds control, and hands the
// event to an injector (package input/inject). A message that does not
// decode is refused and logged, never injected.
//
// # Coordinates
//
// Pointer positions are absolute desktop coordinates of the customer's
// machine: the coordinate space that spans every monitor (the X11 root
// window; Windows' virtual screen, whose origin may make coordinates
// negative). The remote view maps a point of its widget through its scaling,
// letterboxing and the captured monitor's offset into this space, so the
// customer side needs no monitor index and no knowledge of the rep's view.
//
// # Keys and text
//
// Keys travel as physical keys: [Key] names the position on the keyboard
// with the W3C UI Events KeyboardEvent.code names ("KeyA", "ShiftLeft",
// "Enter", "F5", "ArrowLeft"), not the character it produced. A key event
// carries the rep's modifier state ([Mods]) so the customer side can hold the
// same modifiers. Characters the rep's keyboard layout produced travel as
// [KindText] with a UTF-8 string, so é, ß and 中 arrive as typed whatever the
// customer's layout; the same event types the clipboard's text ([TextEvents]
// splits long text). [KindSecureAttention] asks for Ctrl-Alt-Del.
//
// A double-click is two button down/up pairs; a drag is a button down,
// moves, and a button up. Neither has an event of its own: the receiving
// system recognises them from the order and timing of the pairs.
//
// # Wire format
//
// Every message is one event:
//
//	byte 0      Version (1)
//	byte 1      Kind
//	payload     by kind:
//	  KindMove             X, Y: zig-zag varints, MinCoord ≤ v ≤ MaxCoord
//	  KindButtonDown/Up    Button: one byte
//	  KindWheel            DX, DY: zig-zag varints, |v| ≤ MaxWheelSteps
//	  KindKeyDown/Up       Key: varint; Mods: one byte
//	  KindText             length: varint ≤ MaxTextLen; UTF-8 bytes
//	  KindSecureAttention  (none)
//
// Varints are those of encoding/binary and must be minimal, so every event
// has exactly one encoding: whatever decodes re-encodes to the same bytes.
// [Decode] refuses a wrong version, an unknown kind, a truncated message,
// trailing bytes, non-minimal varints, values out of range, and text that is
// empty, too long, not UTF-8, or holds control characters other than tab,
// line feed and carriage return. Each refusal wraps one of the sentinel
// errors in errors.go.
package input
