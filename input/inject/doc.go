// Package inject turns remote-control events (package input) into real
// input on the customer's machine.
//
// An [Injector] serves one display for one controlling participant at a
// time. It remembers the keys and buttons it holds down, so that when control
// ends or the connection drops [Injector.ReleaseAll] lets go of them;
// [Injector.Close] does too.
//
// # Linux (X11)
//
// The injector needs cgo and an X server with the XTEST extension. [New]
// first connects to the display with a pure-Go X client: robotgo, which
// performs the pointer work, kills the whole process with SIGSEGV when it
// has no display, so a missing or unreachable display must be an error
// before robotgo is touched. robotgo's per-call sleeps (KeySleep, MouseSleep)
// are set to zero.
//
//   - Pointer moves, buttons and the wheel go through robotgo (XWarpPointer
//     and XTest button events; wheel steps are X buttons 4 and 5 vertically,
//     6 and 7 horizontally). A move outside the root window is refused
//     with [ErrOutOfScreen]; the injector follows the root's size, so a
//     resolution change during the session moves the edge.
//   - Keys go by physical key: the KeyboardEvent.code maps to the evdev
//     scan code and so to the X keycode (evdev + 8), injected with XTest. The
//     customer's own layout then decides the character, as if the rep had
//     pressed that key on the customer's keyboard. robotgo's key functions
//     are not used: they name keys by keysym (a logical key of a US layout),
//     and a keysym absent from the keymap makes Xlib end the process.
//   - Before a key press the modifiers of the event's [input.Mods] are made
//     true: a missing Shift, Control, Alt, Meta or AltGraph is pressed (the
//     left key; AltRight for AltGraph) and a held modifier key the mask no
//     longer contains is released, so a modifier lost while the rep's
//     window had no focus does not stick.
//   - Text is typed character by character with XTest. A character the
//     keymap holds at its first or Shift level uses that key (with Shift if
//     needed); any other character (é, ß, 中 on a US keymap) is given a spare
//     keycode that has no keysym, by changing the keyboard mapping, and
//     typed there. The spare keycodes keep their characters until the
//     injector closes (then they are cleared), because an application looks
//     a keycode up only when it handles the event: changing the mapping back
//     right after typing, as robotgo's own X11 unicode path does, races with
//     every client and yields wrong or empty characters. When more distinct
//     characters are needed than there are spare keycodes, the least
//     recently used is reassigned. Held modifiers are released while text
//     is typed and pressed again after it. robotgo's unicode typing is not
//     used: it opens $DISPLAY rather than the injector's display and leaves
//     the keymap changed.
//   - A double-click arrives as two button down/up pairs and is injected as
//     such; the X server timestamps each event when it is injected, so the
//     application sees a double-click when the pairs arrive in quick
//     succession, as they do on the ordered data channel. A drag is a button
//     down, moves, and a button up.
//   - Ctrl-Alt-Del is sent as the key combination ControlLeft, AltLeft,
//     Delete; what it does is up to the desktop. (On Windows the secure
//     attention sequence cannot be synthesised with SendInput; it needs
//     SendSAS from sas.dll, a service and a policy setting.)
//
// robotgo's Xlib connection falls back to $DISPLAY, then ":0", when it
// cannot open the display it was given; the pure-Go probe that [New] makes
// just before keeps that from happening short of the display vanishing in
// between.
//
// robotgo keeps one X connection per process, so only one Injector may be
// open at a time in a process ([ErrBusy]). The customer client runs on one
// display and opens one injector for it. If the X server goes away while the
// injector is open, Xlib inside robotgo ends the process at its next call;
// the customer client cannot outlive its display anyway.
//
// # Other systems
//
// On Windows, macOS and Linux without cgo, [New] returns an error wrapping
// errors.ErrUnsupported.
package inject
