package hotkey

import (
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// keysymT is the keysym of the combination's key.
const keysymT = 0x0074 // XK_t

// mods are the combination's modifiers; lockMods the lock states it must
// work under too (Caps Lock, Num Lock on Mod2).
const mods = xproto.ModMaskControl | xproto.ModMask1 | xproto.ModMaskShift

var lockMods = []uint16{0, xproto.ModMaskLock, xproto.ModMask2, xproto.ModMaskLock | xproto.ModMask2}

// Hotkey is a registered combination.
type Hotkey struct {
	conn    *xgb.Conn
	onPress func()
	log     *slog.Logger

	once sync.Once
	done chan struct{}
}

func register(display string, onPress func(), log *slog.Logger) (*Hotkey, error) {
	if display == "" {
		display = os.Getenv("DISPLAY")
	}
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrNoDisplay, display, err)
	}
	setup := xproto.Setup(conn)
	root := setup.DefaultScreen(conn).Root
	code, err := keycodeOf(conn, setup, keysymT)
	if err != nil {
		conn.Close()
		return nil, err
	}
	for _, lm := range lockMods {
		err := xproto.GrabKeyChecked(conn, true, root, mods|lm, code, xproto.GrabModeAsync, xproto.GrabModeAsync).Check()
		if err != nil {
			conn.Close()
			if _, ok := err.(xproto.AccessError); ok {
				return nil, fmt.Errorf("%w: %s", ErrTaken, TakeBack)
			}
			return nil, fmt.Errorf("hotkey: grab %s: %w", TakeBack, err)
		}
	}
	h := &Hotkey{conn: conn, onPress: onPress, log: log, done: make(chan struct{})}
	go h.events()
	return h, nil
}

// keycodeOf finds a keycode that produces keysym without a modifier.
func keycodeOf(conn *xgb.Conn, setup *xproto.SetupInfo, keysym xproto.Keysym) (xproto.Keycode, error) {
	first, last := setup.MinKeycode, setup.MaxKeycode
	m, err := xproto.GetKeyboardMapping(conn, first, byte(last-first+1)).Reply()
	if err != nil {
		return 0, fmt.Errorf("hotkey: keyboard mapping: %w", err)
	}
	per := int(m.KeysymsPerKeycode)
	for i := 0; i*per < len(m.Keysyms); i++ {
		if m.Keysyms[i*per] == keysym {
			return first + xproto.Keycode(i), nil
		}
	}
	return 0, fmt.Errorf("hotkey: no key produces keysym %#x", keysym)
}

// events calls onPress for each press of the combination until the
// connection closes.
func (h *Hotkey) events() {
	defer close(h.done)
	for {
		ev, err := h.conn.WaitForEvent()
		if ev == nil && err == nil {
			return // closed
		}
		if err != nil {
			h.log.Debug("hotkey: X error", "err", err)
			continue
		}
		if _, ok := ev.(xproto.KeyPressEvent); ok {
			h.log.Info("the customer pressed " + TakeBack)
			h.onPress()
		}
	}
}

// Close gives the combination back; it waits for a running onPress.
// Idempotent.
func (h *Hotkey) Close() error {
	h.once.Do(func() {
		h.conn.Close()
		<-h.done
	})
	return nil
}
