package xext_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/damage"
	"github.com/jezek/xgb/xproto"

	"github.com/tandemhq/tandem/internal/xext"
	"github.com/tandemhq/tandem/internal/xvfb"
)

// TestInitWhileAnotherConnectionReadsEvents: connections made usable for
// every extension while another connection of the process decodes
// extension events do not race with its reader (the race detector, which
// `make test` runs, would fail the test), and requests work on them.
func TestInitWhileAnotherConnectionReadsEvents(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 320, Height: 240}}})
	dial := func() *xgb.Conn {
		t.Helper()
		c, err := xgb.NewConnDisplay(d.Name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		return c
	}

	// The reader: DAMAGE events on the root, decoded through xgb's tables.
	reader := dial()
	for _, e := range []xext.Extension{xext.XFixes, xext.Damage} {
		if err := xext.Init(reader, e); err != nil {
			t.Fatalf("Init %v: %v", e, err)
		}
	}
	if _, err := damage.QueryVersion(reader, 1, 1).Reply(); err != nil {
		t.Fatal(err)
	}
	root := xproto.Setup(reader).DefaultScreen(reader).Root
	dmg, err := damage.NewDamageId(reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := damage.CreateChecked(reader, dmg, xproto.Drawable(root), damage.ReportLevelNonEmpty).Check(); err != nil {
		t.Fatal(err)
	}
	events := make(chan xgb.Event, 1)
	go func() {
		for {
			ev, err := reader.WaitForEvent()
			if ev == nil && err == nil {
				close(events)
				return
			}
			if _, ok := ev.(damage.NotifyEvent); ok {
				select {
				case events <- ev:
				default:
				}
			}
		}
	}()

	// Meanwhile: new connections, every extension, and drawing that makes
	// the reader decode events.
	painter := dial()
	gc, err := xproto.NewGcontextId(painter)
	if err != nil {
		t.Fatal(err)
	}
	if err := xproto.CreateGCChecked(painter, gc, xproto.Drawable(root), 0, nil).Check(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := xgb.NewConnDisplay(d.Name)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			for _, e := range []xext.Extension{xext.Damage, xext.RandR, xext.Shape, xext.Shm, xext.XFixes, xext.Xinerama, xext.XTest} {
				if err := xext.Init(c, e); err != nil && !errors.Is(err, xext.ErrAbsent) {
					t.Errorf("Init %v: %v", e, err)
				}
			}
			// A request of an extension goes out with its opcode.
			if _, err := damage.QueryVersion(c, 1, 1).Reply(); err != nil {
				t.Errorf("DAMAGE request on a new connection: %v", err)
			}
		}()
	}
	for i := range 50 {
		xproto.PolyFillRectangle(painter, xproto.Drawable(root), gc, []xproto.Rectangle{{X: int16(i), Y: int16(i), Width: 10, Height: 10}})
		if err := damage.SubtractChecked(reader, dmg, 0, 0).Check(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if _, ok := <-events; !ok {
		t.Fatal("the reader decoded no DAMAGE event")
	}
	if err := xext.Init(reader, xext.Unknown); err == nil {
		t.Error("Init of an unknown extension: got no error")
	}
}
