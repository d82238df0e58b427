package inject

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/tandemhq/tandem/input"
)

// Injector injects remote-control events into one display and remembers
// what it holds down. Its methods are safe for concurrent use; events are
// injected one at a time in the order the calls take the lock.
type Injector struct {
	log *slog.Logger

	mu      sync.Mutex
	sys     *system // nil once closed
	keys    []input.Key
	buttons []input.Button
}

// New opens an injector for display, an X display name such as ":0" on
// Linux (ignored elsewhere). A nil log discards. It fails with an error
// wrapping ErrNoDisplay when the display cannot be used, ErrBusy while
// another injector of this process is open, and errors.ErrUnsupported where
// injection is not implemented.
func New(display string, log *slog.Logger) (*Injector, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sys, err := newSystem(display, log)
	if err != nil {
		return nil, err
	}
	return &Injector{log: log, sys: sys}, nil
}

// Inject performs one event. It refuses an invalid event (ErrInvalidEvent),
// a move outside the desktop (ErrOutOfScreen) and any event after Close
// (ErrClosed). A button or key release for something the injector does not
// hold is dropped, and so is a press of a button it already holds.
func (in *Injector) Inject(ev input.Event) error {
	if err := ev.Validate(); err != nil {
		return fmt.Errorf("inject: %w: %w", ErrInvalidEvent, err)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.sys == nil {
		return ErrClosed
	}
	if err := in.inject(ev); err != nil {
		return fmt.Errorf("inject %s: %w", ev, err)
	}
	in.log.Debug("injected", "event", ev)
	return nil
}

func (in *Injector) inject(ev input.Event) error {
	switch ev.Kind {
	case input.KindMove:
		return in.sys.move(ev.X, ev.Y)
	case input.KindButtonDown:
		if slices.Contains(in.buttons, ev.Button) {
			return nil
		}
		if err := in.sys.button(ev.Button, true); err != nil {
			return err
		}
		in.buttons = append(in.buttons, ev.Button)
	case input.KindButtonUp:
		i := slices.Index(in.buttons, ev.Button)
		if i < 0 {
			return nil
		}
		in.buttons = slices.Delete(in.buttons, i, i+1)
		return in.sys.button(ev.Button, false)
	case input.KindWheel:
		if ev.DX == 0 && ev.DY == 0 {
			return nil
		}
		return in.sys.wheel(ev.DX, ev.DY)
	case input.KindKeyDown:
		if ev.Key.Modifier() == 0 {
			if err := in.syncModifiers(ev.Mods); err != nil {
				return err
			}
		}
		return in.press(ev.Key)
	case input.KindKeyUp:
		return in.release(ev.Key)
	case input.KindText:
		return in.typeText(ev.Text)
	case input.KindSecureAttention:
		return in.secureAttention()
	}
	return nil
}

// press presses k and remembers it; a key already held is pressed again
// (auto-repeat) but remembered once.
func (in *Injector) press(k input.Key) error {
	if err := in.sys.key(k, true); err != nil {
		return err
	}
	if !slices.Contains(in.keys, k) {
		in.keys = append(in.keys, k)
	}
	return nil
}

// release releases k if the injector holds it.
func (in *Injector) release(k input.Key) error {
	i := slices.Index(in.keys, k)
	if i < 0 {
		return nil
	}
	in.keys = slices.Delete(in.keys, i, i+1)
	return in.sys.key(k, false)
}

// modifierKeys lists, for each modifier bit, the key pressed to produce it.
var modifierKeys = []struct {
	mod input.Mods
	key input.Key
}{
	{input.ModShift, input.KeyShiftLeft},
	{input.ModControl, input.KeyControlLeft},
	{input.ModAlt, input.KeyAltLeft},
	{input.ModMeta, input.KeyMetaLeft},
	{input.ModAltGraph, input.KeyAltRight},
}

// syncModifiers makes the held modifier keys match mods: it releases held
// modifier keys none of whose bits mods has, then presses a key for each bit
// of mods no held key provides.
func (in *Injector) syncModifiers(mods input.Mods) error {
	for _, k := range slices.Clone(in.keys) {
		if m := k.Modifier(); m != 0 && m&mods == 0 {
			if err := in.release(k); err != nil {
				return err
			}
		}
	}
	for _, mk := range modifierKeys {
		if mods&mk.mod == 0 || in.holds(mk.mod) {
			continue
		}
		if err := in.press(mk.key); err != nil {
			return err
		}
	}
	return nil
}

// holds reports whether a held key provides modifier bit m.
func (in *Injector) holds(m input.Mods) bool {
	for _, k := range in.keys {
		if k.Modifier()&m != 0 {
			return true
		}
	}
	return false
}

// typeText types s with the held modifier keys let go for the duration.
func (in *Injector) typeText(s string) error {
	var mods []input.Key
	for _, k := range in.keys {
		if k.Modifier() != 0 {
			mods = append(mods, k)
		}
	}
	var errs []error
	for _, k := range slices.Backward(mods) {
		errs = append(errs, in.sys.key(k, false))
	}
	errs = append(errs, in.sys.typeText(s))
	for _, k := range mods {
		errs = append(errs, in.sys.key(k, true))
	}
	return errors.Join(errs...)
}

// secureAttention presses Ctrl-Alt-Del; keys the rep already holds stay
// held.
func (in *Injector) secureAttention() error {
	var pressed []input.Key
	var err error
	for _, k := range []input.Key{input.KeyControlLeft, input.KeyAltLeft, input.KeyDelete} {
		if slices.Contains(in.keys, k) {
			continue
		}
		if err = in.sys.key(k, true); err != nil {
			break
		}
		pressed = append(pressed, k)
	}
	errs := []error{err}
	for _, k := range slices.Backward(pressed) {
		errs = append(errs, in.sys.key(k, false))
	}
	return errors.Join(errs...)
}

// ReleaseAll releases every key (last pressed first) and button the
// injector holds. Call it when control ends or the connection drops. After
// it the injector holds nothing, even if a release failed.
func (in *Injector) ReleaseAll() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.sys == nil {
		return nil
	}
	return in.releaseAll()
}

func (in *Injector) releaseAll() error {
	var errs []error
	for _, k := range slices.Backward(in.keys) {
		if err := in.sys.key(k, false); err != nil {
			errs = append(errs, fmt.Errorf("release %s: %w", k, err))
		}
	}
	for _, b := range slices.Backward(in.buttons) {
		if err := in.sys.button(b, false); err != nil {
			errs = append(errs, fmt.Errorf("release %s button: %w", b, err))
		}
	}
	if len(in.keys)+len(in.buttons) > 0 {
		in.log.Debug("released held input", "keys", len(in.keys), "buttons", len(in.buttons))
	}
	in.keys, in.buttons = nil, nil
	return errors.Join(errs...)
}

// Close releases everything held, undoes the injector's changes to the
// system (on X11 the keymap entries it added) and frees it. It is
// idempotent.
func (in *Injector) Close() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.sys == nil {
		return nil
	}
	err := in.releaseAll()
	err = errors.Join(err, in.sys.close())
	in.sys = nil
	return err
}
