package host

import (
	"syscall"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/tandemhq/tandem/internal/xvfb"
)

// BenchmarkCollect measures SystemInfo collection with a display to count
// monitors on.
func BenchmarkCollect(b *testing.B) {
	d := xvfb.Start(b, xvfb.Options{})
	h := &Host{Display: d.Name}
	for b.Loop() {
		if _, err := h.Collect(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLock measures Lock on an Xvfb display without logind: the whole
// fallback chain until i3lock holds the grab. Unlocking (kill, then waiting
// for the X server to release the grab) is outside the timer.
func BenchmarkLock(b *testing.B) {
	d := xvfb.Start(b, xvfb.Options{})
	conn, err := xgb.NewConnDisplay(d.Name)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	h := &Host{Display: d.Name}
	for b.Loop() {
		out, err := h.Lock(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_ = syscall.Kill(-out.lockerGroup, syscall.SIGKILL)
		for {
			r, err := xproto.GrabKeyboard(conn, false, root, xproto.TimeCurrentTime,
				xproto.GrabModeAsync, xproto.GrabModeAsync).Reply()
			if err != nil {
				b.Fatal(err)
			}
			if r.Status == xproto.GrabStatusSuccess {
				xproto.UngrabKeyboard(conn, xproto.TimeCurrentTime)
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		b.StartTimer()
	}
}
