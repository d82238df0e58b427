// Package hotkey gives the customer a key combination that takes control
// back from every representative at once, wherever the focus is: the
// customer's window may be hidden behind what the representative is
// doing. The combination is Ctrl+Alt+Shift+T ([TakeBack]).
//
// On X11 the combination is grabbed on the root window (with and without
// Caps Lock and Num Lock), so it reaches this program and no other, and
// the program it would otherwise have gone to does not see it. Elsewhere
// Register returns errors.ErrUnsupported.
package hotkey

import (
	"errors"
	"log/slog"
)

// TakeBack is the combination, as the customer reads it.
const TakeBack = "Ctrl+Alt+Shift+T"

var (
	// ErrNoDisplay: the X display cannot be reached.
	ErrNoDisplay = errors.New("hotkey: no X display")
	// ErrTaken: another program holds the combination already.
	ErrTaken = errors.New("hotkey: the combination is taken by another program")
)

// Register calls onPress, on a goroutine of its own, each time the
// customer presses the combination on display (empty: $DISPLAY), until
// Close. onPress must not block for long.
func Register(display string, onPress func(), log *slog.Logger) (*Hotkey, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return register(display, onPress, log)
}
