//go:build linux && cgo

package ui

import (
	"context"
	"image"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tandemhq/tandem/capture"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/internal/scene"
	"github.com/tandemhq/tandem/internal/xvfb"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/servertest"
)

// repShowSession is a rep and a customer connected in a session of a
// portal whose functions f sets.
func repShowSession(t *testing.T, ctx context.Context, f func(*protocol.Functions)) (*servertest.Harness, *client.Rep, *client.Session, *client.Session) {
	t.Helper()
	h := servertest.Start(t)
	var login protocol.LoginResponse
	h.Call(t, "POST", protocol.PathLogin, "", protocol.LoginRequest{Username: h.AdminUser, Password: h.AdminPassword}, &login)
	var pt portal.Portal
	h.Call(t, "POST", "/api/v1/admin/portals", login.Token, map[string]any{"slug": "shows", "name": "Shows"}, &pt)
	var cc protocol.CustomerClientConfig
	h.Call(t, "GET", "/api/v1/admin/portals/"+pt.ID+"/client-config", login.Token, nil, &cc)
	f(&cc.Functions)
	h.Call(t, "PUT", "/api/v1/admin/portals/"+pt.ID+"/client-config", login.Token, cc, nil)
	var k protocol.Key
	h.Call(t, "POST", protocol.PathKeys, login.Token, protocol.KeyRequest{Portal: "shows"}, &k)
	cfg := client.Config{Server: h.URL, Fingerprint: h.Fingerprint}
	rep, err := client.SignIn(ctx, cfg, h.AdminUser, h.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close() })
	cust, err := client.Join(ctx, cfg, k.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cust.Close() })
	cs := cust.Session()
	var rs *client.Session
	for rs == nil {
		if rs, err = rep.Accept(ctx, cs.ID()); err != nil {
			if ctx.Err() != nil {
				t.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for rs.Peer(cs.Self().ID) == nil {
		if ctx.Err() != nil {
			t.Fatal("no peer connection")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := rs.Peer(cs.Self().ID).Connected(ctx); err != nil {
		t.Fatal(err)
	}
	return h, rep, rs, cs
}

// notices collects chat notices.
type notices struct {
	mu    sync.Mutex
	lines []string
}

func (n *notices) add(s string) {
	n.mu.Lock()
	n.lines = append(n.lines, s)
	n.mu.Unlock()
}

func (n *notices) has(sub string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.ContainsFunc(n.lines, func(l string) bool { return strings.Contains(l, sub) })
}

// TestShowMyScreen: the console's "Show my screen" shows the rep's real
// Xvfb screen in a view-only window of the customer's app, with a line
// in each chat; the customer may close the window (the rep goes on
// showing); "Stop showing" closes it and says so in the chat. Where the
// portal does not allow it the button stays hidden.
func TestShowMyScreen(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 1024, Height: 768}}})
	sc, err := scene.Start(d.Name, scene.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	a := test.NewTempApp(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	l := &liveConsole{t: t, ctx: ctx}
	_, rep, rs, cs := repShowSession(t, ctx, func(f *protocol.Functions) { f.RepScreenSharing = true })

	var repChat, custChat notices
	open := func() (client.Screen, func() error, error) {
		c, err := capture.Open(d.Name, capture.Options{}, nil)
		if err != nil {
			return nil, nil, err
		}
		return c, c.Close, nil
	}
	tool := NewRepScreenTool(rep, rs, open, repChat.add, l.do, nil)
	defer tool.Close()
	viewer := NewRepScreenViewer(a.NewWindow, custChat.add, l.do, nil)
	defer viewer.Close()
	go func() {
		for {
			select {
			case ev := <-cs.Events():
				viewer.Handle(ev)
			case <-ctx.Done():
				return
			}
		}
	}()

	l.waitFor("the button", func() bool { return tool.Button.Visible() && !tool.Button.Disabled() })
	if tool.Button.Text != showScreenLabel {
		t.Errorf("button: got %q; want %q", tool.Button.Text, showScreenLabel)
	}
	l.do(func() { test.Tap(tool.Button) })
	l.waitFor("Stop showing", func() bool { return tool.Button.Text == stopShowLabel && !tool.Button.Disabled() })
	repID := rep.Account().ID
	var view *RemoteView
	var win fyne.Window
	l.waitFor("the customer's window", func() bool { win, view = viewer.Window(repID); return view != nil && win != nil })
	l.waitFor("the rep's screen in it", func() bool { return view.FrameSize() == image.Pt(1024, 768) })
	if view.Control() {
		t.Error("the rep's screen window takes input; want view only")
	}
	if !custChat.has("is showing their screen") || !repChat.has("now sees your screen") {
		t.Errorf("chats: customer %q, rep %q; want the start said in both", custChat.lines, repChat.lines)
	}

	// The customer closes the window: that stops nothing else.
	l.do(func() { win.Close() })
	l.waitFor("the window forgotten", func() bool { return !viewer.Open(repID) })
	if !rs.Showing() {
		t.Error("the rep stopped showing when the customer closed the window")
	}

	l.do(func() { test.Tap(tool.Button) })
	l.waitFor("Show my screen again", func() bool { return tool.Button.Text == showScreenLabel && !tool.Button.Disabled() })
	l.waitFor("the window closed", func() bool { return !viewer.Open(repID) })
	l.waitFor("the stop in the chat", func() bool { return custChat.has("stopped showing their screen") })
	if rs.Showing() {
		t.Error("the rep still shows its screen after Stop showing")
	}
}

func TestShowMyScreenHiddenWhereNotAllowed(t *testing.T) {
	test.NewTempApp(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	l := &liveConsole{t: t, ctx: ctx}
	_, rep, rs, _ := repShowSession(t, ctx, func(f *protocol.Functions) { f.RepScreenSharing = false })
	loaded := make(chan struct{})
	var once sync.Once
	tool := NewRepScreenTool(rep, rs, func() (client.Screen, func() error, error) {
		t.Error("the screen was opened where the portal does not allow showing it")
		return nil, nil, context.Canceled
	}, nil, func(f func()) { l.do(f); once.Do(func() { close(loaded) }) }, nil)
	defer tool.Close()
	select {
	case <-loaded:
	case <-ctx.Done():
		t.Fatal("the session's functions were never applied")
	}
	l.do(func() {
		if tool.Button.Visible() {
			t.Error("Show my screen is visible where the portal does not allow it")
		}
	})
}
