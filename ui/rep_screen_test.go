//go:build linux && cgo

package ui

import (
	"context"
	"image"
	"image/png"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/agent"
	"github.com/tandemhq/tandem/capture"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/internal/scene"
	"github.com/tandemhq/tandem/internal/xvfb"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/servertest"
)

// TestConsoleSeesAndControlsTheCustomersScreen runs the console against a
// real server and a customer sharing a real Xvfb screen with the test
// scene: the customer's screen appears in the session's Screen tab; the
// rep asks for control, the customer grants it, and a click made in the
// console's remote view reaches the customer's screen, whose change comes
// back as a picture.
func TestConsoleSeesAndControlsTheCustomersScreen(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1024, Height: 768}}})
	sc, err := scene.Start(d.Name, scene.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	h := servertest.Start(t)
	a := test.NewTempApp(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	l := &liveConsole{t: t, ctx: ctx}
	l.r = newRepApp(a, RepOptions{Server: h.URL, User: h.AdminUser, Password: h.AdminPassword, Fingerprint: h.Fingerprint, Sound: func() {}}, l.do)
	defer l.r.close()
	r := l.r
	l.waitFor("sign-in", func() bool { return r.con != nil })

	// The customer: shares the screen, and its agent injects what the
	// rep in control sends.
	// (The console's own rep makes the key: signaling goes to a rep's
	// newest connection, so a second sign-in would take the session.)
	// The key is for a portal whose sessions record the customer's
	// screen: the console records what it receives and uploads it.
	var login protocol.LoginResponse
	h.Call(t, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: h.AdminUser, Password: h.AdminPassword}, &login)
	var pt portal.Portal
	h.Call(t, "POST", "/api/v1/admin/portals", login.Token, map[string]any{"slug": "recorded", "name": "Recorded"}, &pt)
	var cc protocol.CustomerClientConfig
	h.Call(t, "GET", "/api/v1/admin/portals/"+pt.ID+"/client-config", login.Token, nil, &cc)
	cc.Functions.RecordCustomerScreen = true
	cc.Functions.RunAsService = true // the panel offers "Run as a service"
	h.Call(t, "PUT", "/api/v1/admin/portals/"+pt.ID+"/client-config", login.Token, cc, nil)
	h.Call(t, "PUT", "/api/v1/admin/site", login.Token, portal.SiteSettings{Logging: protocol.Logging{RecordScreen: true}}, nil)
	var k protocol.Key
	h.Call(t, "POST", protocol.PathKeys, login.Token, protocol.KeyRequest{Portal: "recorded"}, &k)
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint}
	cust, err := client.Join(ctx, cfg, k.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	defer cust.Close()
	cs := cust.Session()
	capt, err := capture.Open(d.Name, capture.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer capt.Close()
	if err := cs.ShareScreen(capt); err != nil {
		t.Fatal(err)
	}
	defer cs.StopSharing()
	received := t.TempDir() // where the customer keeps the rep's file
	strokes := NewAnnotationLayer(d.Name, nil)
	defer strokes.Close()
	ag := agent.New(cs, agent.Config{Display: d.Name})
	defer ag.Close()
	go func() {
		for {
			select {
			case ev := <-cs.Events():
				switch e := ev.(type) {
				case client.ControlRequested:
					_ = cs.GrantControl(e.Participant.ID)
				case client.ElevationRequested:
					_ = cs.AnswerElevation(e.Participant.ID, client.ElevationAlready, "")
				case client.ServiceRequested:
					_ = cs.AnswerService(e.Participant.ID, client.ServiceUnsupported, "no systemd")
				case client.FileOffered:
					_ = cs.AcceptFile(e.Offer.ID, received)
				case client.AnnotationReceived:
					if err := strokes.Apply(e.Annotation); err != nil {
						t.Errorf("annotation: %v", err)
					}
				}
				ag.Handle(ev)
			case <-ctx.Done():
				return
			}
		}
	}()

	l.waitFor("Ada in the queue", func() bool { return len(r.con.Queue.Rows()) == 1 })
	l.do(func() { test.Tap(r.con.GetNext) })
	l.waitFor("a session tab", func() bool { return len(r.con.Sessions()) == 1 })
	var v *SessionView
	l.do(func() { v = r.con.Sessions()[0] })
	var p *ScreenPanel
	l.waitFor("the customer's screen", func() bool {
		p = v.screen
		return p != nil && p.View.FrameSize() == image.Pt(1024, 768)
	})
	l.do(func() {
		if p.View.Control() || !p.CtrlAltDel.Disabled() {
			t.Error("the view takes input before the customer granted control")
		}
		v.Tabs.SelectIndex(1) // Screen
		r.win.Resize(fyne.NewSize(1400, 1000))
		p.Scale.SetSelected(scaleActualLabel)
		v.Control.SetChecked(true)
	})
	l.waitFor("the view laid out", func() bool { return p.View.Size().Width > 200 && p.View.Size().Height > 200 })
	l.waitFor("control granted", func() bool { return p.View.Control() })

	// Click the scene's marker through the remote view (1:1, no offset:
	// view point = screen point).
	m := scene.MarkerRect()
	at := fyne.NewPos(float32(m.Min.X+m.Dx()/2), float32(m.Min.Y+m.Dy()/2))
	ev := &desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: at}, Button: desktop.MouseButtonPrimary}
	l.do(func() {
		p.View.MouseMoved(ev)
		p.View.MouseDown(ev)
		p.View.MouseUp(ev)
	})
	deadline := time.Now().Add(30 * time.Second)
	for sc.Clicks() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the click in the console never reached the customer's screen")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The marker's new colour comes back as a picture: the rep's view of
	// the customer's screen is live.
	want := scene.MarkerColourFor(1)
	c := m.Min.Add(m.Size().Div(2))
	l.waitFor("the marker's new colour in the console", func() bool {
		f := p.View.frame
		if f == nil || f.rgba == nil || !c.In(f.rgba.Rect) {
			return false
		}
		got := f.rgba.RGBAAt(c.X, c.Y)
		// Bright green after one click, dark red before.
		return (got.G > 128) == (want.G > 128)
	})

	// The rep asks for elevation from the panel; the customer's client
	// answers and the console says so.
	l.do(func() {
		for _, o := range p.tools.Objects {
			if b, ok := o.(*widget.Button); ok && b.Text == "Request elevation" {
				test.Tap(b)
			}
		}
	})
	l.waitFor("the elevation answer in the chat", func() bool {
		return count(v.Chat.Lines(), "already runs with administrative rights") == 1
	})

	// The portal allows running as a service: the customer's client says
	// so, the panel shows the button, and the answer comes to the chat.
	l.waitFor("the Run as a service button", func() bool { return p.Service != nil && p.Service.Visible() })
	l.do(func() { test.Tap(p.Service) })
	l.waitFor("the service answer in the chat", func() bool {
		return count(v.Chat.Lines(), "cannot run the client as a service. (no systemd)") == 1
	})

	// The rep draws a line on the customer's screen: it appears there,
	// and so in the picture the console receives.
	l.do(func() {
		p.View.ann.SetOn(true)
		from := &desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(600, 500)}, Button: desktop.MouseButtonPrimary}
		p.View.MouseDown(from)
		for x := float32(610); x <= 700; x += 10 {
			p.View.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(x, 500)}, Dragged: fyne.NewDelta(10, 0)})
		}
		p.View.MouseUp(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(700, 500)}, Button: desktop.MouseButtonPrimary})
		p.View.ann.SetOn(false)
	})
	red := client.InkRed.RGBA()
	l.waitFor("the rep's line in the customer's screen", func() bool {
		f := p.View.frame
		if f == nil || f.rgba == nil {
			return false
		}
		got := f.rgba.RGBAAt(650, 500)
		d := func(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }
		return d(got.R, red.R) < 40 && d(got.G, red.G) < 40 && d(got.B, red.B) < 40
	})

	if dir := os.Getenv("TANDEM_SCREENSHOTS"); dir != "" {
		// The console as the rep sees it now (kept as rep-annotate.png).
		var shot image.Image
		l.do(func() {
			p.View.ShowStats(true)
			shot = r.win.Canvas().Capture()
		})
		f, err := os.Create(filepath.Join(dir, "rep-annotate.png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, shot); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}

	// The rep sends a file from the session's Files tab: the customer's
	// client receives it whole, and the tab says it was sent.
	src := filepath.Join(t.TempDir(), "fix.sh")
	if err := os.WriteFile(src, []byte("#!/bin/sh\necho fixed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l.do(func() { v.files.Offer(cs.Self(), src) })
	l.waitFor("the file at the customer", func() bool {
		b, err := os.ReadFile(filepath.Join(received, "fix.sh"))
		return err == nil && string(b) == "#!/bin/sh\necho fixed\n"
	})
	l.waitFor("the Files tab saying it was sent", func() bool {
		rows := v.files.List.Content.Objects
		return len(rows) == 1 && slices.ContainsFunc(slices.Collect(maps.Values(v.files.List.rows)), func(r *FileRow) bool {
			return r.state == client.FileDone && strings.Contains(r.Status.Text, "fix.sh")
		})
	})

	// The customer ends the session: the console uploads its recording of
	// the screen, which an admin can list.
	if err := cs.End(ctx, "solved"); err != nil {
		t.Fatal(err)
	}
	for {
		var recs []struct {
			Codec  string `json:"codec"`
			Width  int    `json:"width"`
			Height int    `json:"height"`
			Frames int    `json:"frames"`
		}
		h.Call(t, "GET", "/api/v1/admin/sessions/"+cs.ID()+"/recordings", login.Token, nil, &recs)
		if len(recs) == 1 {
			if r := recs[0]; r.Frames < 1 || r.Width != 1024 || r.Height != 768 {
				t.Errorf("recording %+v; want 1024x768 with frames", r)
			}
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the console never uploaded its recording of the customer's screen")
		case <-time.After(100 * time.Millisecond):
		}
	}
}
