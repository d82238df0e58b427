// Package xext makes X extensions usable on xgb connections without the
// data race in the xgb extension packages' Init.
//
// Each of those Init functions (damage.Init, shape.Init, ...) does two
// things: it registers the extension's major opcode on the connection,
// which requests need, and it fills xgb's package-wide event and error
// constructor tables, which every connection's reader goroutine reads
// while it decodes events. The second is an unguarded map write: calling
// Init on a new connection while another connection of the process is
// reading events is a data race (a "concurrent map read and map write"
// crash at worst). Tandem's processes open several connections — the
// capturer, the supported indicator, the annotation overlay, the
// injector's probe — so they race.
//
// [Init] fills the tables once per process, for every extension Tandem
// uses at once, on the first connection that asks for any of them: at
// that moment no other connection of the process is reading events
// through them yet. Every later call only registers the opcode on its
// connection. The tables are keyed by the event and error numbers the
// server assigned, so this relies on every X server of the process
// numbering its extensions alike: true of the one display a customer's
// client serves, and of the Xvfb servers of one test binary.
package xext

import (
	"errors"
	"fmt"
	"sync"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/damage"
	"github.com/jezek/xgb/randr"
	"github.com/jezek/xgb/shape"
	"github.com/jezek/xgb/shm"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xinerama"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"
)

// ErrAbsent: the display does not have the extension.
var ErrAbsent = errors.New("xext: the X display does not have the extension")

// Extension is an X extension Tandem uses.
type Extension int

// Extensions.
const (
	Unknown Extension = iota
	Damage
	RandR
	Shape
	Shm
	XFixes
	Xinerama
	XTest
)

// String returns the extension's protocol name.
func (e Extension) String() string {
	if k, ok := known[e]; ok {
		return k.name
	}
	return fmt.Sprintf("Extension(%d)", int(e))
}

// known maps each extension to its protocol name and xgb's Init.
var known = map[Extension]struct {
	name string
	init func(*xgb.Conn) error
}{
	Damage:   {"DAMAGE", damage.Init},
	RandR:    {"RANDR", randr.Init},
	Shape:    {"SHAPE", shape.Init},
	Shm:      {"MIT-SHM", shm.Init},
	XFixes:   {"XFIXES", xfixes.Init},
	Xinerama: {"XINERAMA", xinerama.Init},
	XTest:    {"XTEST", xtest.Init},
}

var (
	mu sync.Mutex
	// tabled are the extensions whose events and errors are in xgb's
	// tables.
	tabled = map[Extension]bool{}
)

// Init makes ext usable on c. It fails with an error wrapping ErrAbsent
// when the display does not have it.
func Init(c *xgb.Conn, ext Extension) error {
	k, ok := known[ext]
	if !ok {
		return fmt.Errorf("xext: unknown %v", ext)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(tabled) == 0 {
		// The process's first call: every extension's tables at once.
		for e, k := range known {
			if k.init(c) == nil {
				tabled[e] = true
			}
		}
	}
	if !tabled[ext] {
		// Absent on the first display; maybe present on this one.
		if err := k.init(c); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrAbsent, k.name, err)
		}
		tabled[ext] = true
		return nil
	}
	r, err := xproto.QueryExtension(c, uint16(len(k.name)), k.name).Reply()
	if err != nil {
		return fmt.Errorf("xext: query %s: %w", k.name, err)
	}
	if !r.Present {
		return fmt.Errorf("%w: %s", ErrAbsent, k.name)
	}
	c.ExtLock.Lock()
	c.Extensions[k.name] = r.MajorOpcode
	c.ExtLock.Unlock()
	return nil
}
