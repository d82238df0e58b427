//go:build linux && cgo

package ui

import (
	"context"
	"image"
	"os/exec"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/tandemhq/tandem/agent"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/input"
	"github.com/tandemhq/tandem/internal/xrecorder"
	"github.com/tandemhq/tandem/internal/xvfb"
	"github.com/tandemhq/tandem/server/servertest"
)

// X keycodes and keysyms of Xvfb's default keymap (evdev, pc105, us), and
// core event state bits.
const (
	xkcControlL = 37
	xkcT        = 28
	xkcC        = 54
	xkcShiftL   = 50

	xsymControlL = 0xffe3
	xsymShiftL   = 0xffe1
	xsymT        = 0x54
	xsymc        = 0x63

	xstShift   = 0x1
	xstControl = 0x4
	xstButton1 = 0x100
	xstButton4 = 0x800
	xstButton5 = 0x1000
)

// controlled starts a real session: a server, a customer whose agent
// injects on display d, and a rep who accepted and was given control. It
// returns the rep's peer connection to the customer.
func controlled(t *testing.T, d *xvfb.Display) *client.Peer {
	t.Helper()
	h := servertest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint}
	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close() })
	key, err := rep.CreateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cust, err := client.Join(ctx, cfg, key.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cust.Close() })
	cs := cust.Session()
	a := agent.New(cs, agent.Config{Display: d.Name})
	t.Cleanup(func() { a.Close() })
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	t.Cleanup(func() { close(stop); wg.Wait() })
	go func() { // the customer app's event loop: it grants control when asked
		defer wg.Done()
		for {
			select {
			case ev := <-cs.Events():
				if req, ok := ev.(client.ControlRequested); ok {
					_ = cs.GrantControl(req.Participant.ID)
				}
				a.Handle(ev)
			case <-a.Status():
			case <-stop:
				return
			}
		}
	}()
	for waiting := false; !waiting; {
		select {
		case ev := <-rep.Events():
			_, waiting = ev.(client.SessionWaiting)
		case <-ctx.Done():
			t.Fatal("the customer never waited")
		}
	}
	rs, err := rep.Accept(ctx, cs.ID())
	if err != nil {
		t.Fatal(err)
	}
	var p *client.Peer
	until(t, ctx, "the rep's peer connection", func() bool {
		if p = rs.Peer(cs.Self().ID); p == nil {
			return false
		}
		c, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		return p.Connected(c) == nil
	})
	if err := p.RequestControl(); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "control granted", func() bool { return cs.InControl(rep.Account().ID) })
	return p
}

// until polls cond until it holds; ctx bounds the wait (a guard against
// hanging, not a speed assertion).
func until(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("no %s", what)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// injectView returns a remote view of w×h in a test window, showing a
// remote frame of size fs whose monitor's top-left corner is origin, in
// control, its input sent on p's control channel.
func injectView(t *testing.T, p *client.Peer, fs, origin image.Point, w, h float32) *RemoteView {
	t.Helper()
	test.NewTempApp(t)
	v := NewRemoteView(func(ev input.Event) {
		if err := p.SendInput(ev); err != nil {
			t.Errorf("SendInput(%v): %v", ev, err)
		}
	})
	win := test.NewTempWindow(t, v)
	win.SetPadded(false)
	win.Resize(fyne.NewSize(w, h))
	v.SetFrame(image.NewYCbCr(image.Rectangle{Max: fs}, image.YCbCrSubsampleRatio420))
	v.SetOrigin(origin)
	v.SetControl(true)
	return v
}

func keyEv(n fyne.KeyName) *fyne.KeyEvent { return &fyne.KeyEvent{Name: n} }

func scrollEv(x, y, dx, dy float32) *fyne.ScrollEvent {
	ev := &fyne.ScrollEvent{Scrolled: fyne.Delta{DX: dx, DY: dy}}
	ev.Position = fyne.NewPos(x, y)
	return ev
}

func dragEv(x, y float32) *fyne.DragEvent {
	ev := &fyne.DragEvent{}
	ev.Position = fyne.NewPos(x, y)
	return ev
}

func mouseEv(x, y float32) *desktop.MouseEvent {
	ev := &desktop.MouseEvent{Button: desktop.MouseButtonPrimary}
	ev.Position = fyne.NewPos(x, y)
	return ev
}

// TestRemoteViewInjectSequences drives the console's remote view with Fyne
// events and reads what an application on the customer's display receives,
// through the whole path: view → rep's control channel → customer session
// → agent → XTest. The 1280x800 remote screen shows in a 960x640 view: a
// scale of 0.75, the picture letterboxed 20 units from the top.
func TestRemoteViewInjectSequences(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1280, Height: 800}}})
	r := xrecorder.Start(t, d.Name)
	p := controlled(t, d)
	v := injectView(t, p, image.Pt(1280, 800), image.Point{}, 960, 640)

	t.Run("click at a scaled position", func(t *testing.T) {
		// In the letterbox band nothing is sent.
		v.MouseDown(mouseEv(300, 10))
		v.MouseUp(mouseEv(300, 10))
		// 300,170 in the view is (300/0.75, (170-20)/0.75) on the screen.
		v.MouseDown(mouseEv(300, 170))
		v.MouseUp(mouseEv(300, 170))
		r.Expect(t,
			xrecorder.Motion(400, 200, 0),
			xrecorder.ButtonPress(1, 400, 200, 0),
			xrecorder.ButtonRelease(1, 400, 200, xstButton1))
	})
	t.Run("drag", func(t *testing.T) {
		v.MouseDown(mouseEv(75, 95))
		v.Dragged(dragEv(150, 170))
		v.Dragged(dragEv(1000, 700)) // past the picture: held at its edge
		v.DragEnd()
		v.MouseUp(mouseEv(1000, 700))
		r.Expect(t,
			xrecorder.Motion(100, 100, 0),
			xrecorder.ButtonPress(1, 100, 100, 0),
			xrecorder.Motion(200, 200, xstButton1),
			xrecorder.Motion(1279, 799, xstButton1),
			xrecorder.ButtonRelease(1, 1279, 799, xstButton1))
	})
	t.Run("wheel on both axes", func(t *testing.T) {
		v.Scrolled(scrollEv(300, 170, 0, wheelUnit))             // a notch up, at 400,200
		v.Scrolled(scrollEv(300, 170, -wheelUnit, 0))            // a notch right
		v.Scrolled(scrollEv(300, 170, -wheelUnit, -2*wheelUnit)) // right and two down
		r.Expect(t,
			xrecorder.Motion(400, 200, 0),
			xrecorder.ButtonPress(4, 400, 200, 0), xrecorder.ButtonRelease(4, 400, 200, xstButton4),
			xrecorder.ButtonPress(7, 400, 200, 0), xrecorder.ButtonRelease(7, 400, 200, 0),
			xrecorder.ButtonPress(7, 400, 200, 0), xrecorder.ButtonRelease(7, 400, 200, 0),
			xrecorder.ButtonPress(5, 400, 200, 0), xrecorder.ButtonRelease(5, 400, 200, xstButton5),
			xrecorder.ButtonPress(5, 400, 200, 0), xrecorder.ButtonRelease(5, 400, 200, xstButton5))
	})
	t.Run("keys with Shift and Control", func(t *testing.T) {
		v.KeyDown(keyEv(desktop.KeyShiftLeft))
		v.KeyDown(keyEv(desktop.KeyControlLeft))
		v.KeyDown(keyEv(fyne.KeyT))
		v.KeyUp(keyEv(fyne.KeyT))
		v.KeyUp(keyEv(desktop.KeyShiftLeft))
		v.KeyDown(keyEv(fyne.KeyC))
		v.TypedRune('c') // some systems still report the character
		v.KeyUp(keyEv(fyne.KeyC))
		v.KeyUp(keyEv(desktop.KeyControlLeft))
		const x, y = 400, 200
		r.Expect(t,
			xrecorder.KeyPress(xkcShiftL, xsymShiftL, x, y, 0),
			xrecorder.KeyPress(xkcControlL, xsymControlL, x, y, xstShift),
			xrecorder.KeyPress(xkcT, xsymT, x, y, xstShift|xstControl),
			xrecorder.KeyRelease(xkcT, xsymT, x, y, xstShift|xstControl),
			xrecorder.KeyRelease(xkcShiftL, xsymShiftL, x, y, xstShift|xstControl),
			xrecorder.KeyPress(xkcC, xsymc, x, y, xstControl),
			xrecorder.KeyRelease(xkcC, xsymc, x, y, xstControl),
			xrecorder.KeyRelease(xkcControlL, xsymControlL, x, y, xstControl))
	})
	t.Run("unicode text", func(t *testing.T) {
		// The rep's layout produced é, ß and 中: each arrives as a key
		// that types it, whichever keycode the injector mapped.
		for _, rn := range "éß中" {
			v.KeyDown(&fyne.KeyEvent{}) // keys Fyne cannot name
			v.TypedRune(rn)
			v.KeyUp(&fyne.KeyEvent{})
		}
		for i, sym := range []uint32{0xe9, 0xdf, 0x1004e2d} {
			press, release := r.Next(t), r.Next(t)
			if press.Kind != xrecorder.KindKeyPress || press.Keysym != sym || press.State != 0 {
				t.Errorf("character %d: got %v; want KeyPress of keysym %#x, state 0", i, press, sym)
			}
			if release.Kind != xrecorder.KindKeyRelease || release.Keycode != press.Keycode || release.Keysym != sym {
				t.Errorf("character %d: got %v after %v; want its KeyRelease", i, release, press)
			}
		}
	})
	// Nothing else arrived: the next event is this move.
	v.MouseMoved(mouseEv(3, 23))
	r.Expect(t, xrecorder.Motion(4, 4, 0))
}

// TestRemoteViewInjectOffsetMonitor shows the right monitor of a
// two-monitor desktop (made with xrandr --setmonitor, as the inject tests
// do): a 1024x768 monitor at 1280,0, in a 512x400 view (scale 0.5,
// letterboxed 8 units from the top). Clicks land on that monitor.
func TestRemoteViewInjectOffsetMonitor(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 2304, Height: 800}}})
	for _, m := range [][]string{{"left", "1280/338x800/211+0+0"}, {"right", "1024/270x768/203+1280+0"}} {
		cmd := exec.Command("xrandr", "--setmonitor", m[0], m[1], "none")
		cmd.Env = d.Env()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("xrandr: %v: %s", err, out)
		}
	}
	r := xrecorder.Start(t, d.Name)
	p := controlled(t, d)
	v := injectView(t, p, image.Pt(1024, 768), image.Pt(1280, 0), 512, 400)
	v.MouseDown(mouseEv(100, 58))
	v.MouseUp(mouseEv(100, 58))
	v.MouseDown(mouseEv(511, 391)) // the monitor's lower right pixel
	v.MouseUp(mouseEv(511, 391))
	r.Expect(t,
		xrecorder.Motion(1480, 100, 0),
		xrecorder.ButtonPress(1, 1480, 100, 0),
		xrecorder.ButtonRelease(1, 1480, 100, xstButton1),
		xrecorder.Motion(2302, 766, 0),
		xrecorder.ButtonPress(1, 2302, 766, 0),
		xrecorder.ButtonRelease(1, 2302, 766, xstButton1))
}
