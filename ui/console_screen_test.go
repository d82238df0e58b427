package ui

import (
	"image"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/codec"
	"github.com/tandemhq/tandem/input"
)

func TestScreenPanel(t *testing.T) {
	test.NewTempApp(t)
	var got []input.Event
	var picked []int
	p := NewScreenPanel(nil, func(ev input.Event) { got = append(got, ev) }, func(i int) { picked = append(picked, i) })
	w := test.NewTempWindow(t, p.Content)
	w.Resize(w.Content().MinSize().AddWidthHeight(400, 300))

	if !p.CtrlAltDel.Disabled() || !p.TypeClip.Disabled() || !p.Monitor.Disabled() {
		t.Fatal("actions that inject, or the monitor picker, are enabled without control or monitors")
	}
	p.SetLayout(client.ScreenLayout{Monitors: []client.RemoteMonitor{
		{Name: "DP-1", Bounds: image.Rect(0, 0, 1920, 1080), Primary: true},
		{Name: "HDMI-1", Bounds: image.Rect(1920, 0, 3200, 1024)},
	}, Selected: 1})
	if p.Monitor.Disabled() || len(p.Monitor.Options) != 2 || p.Monitor.SelectedIndex() != 1 {
		t.Fatalf("monitor picker: got %v selected %d; want two, the second selected", p.Monitor.Options, p.Monitor.SelectedIndex())
	}
	p.Monitor.SetSelectedIndex(0)
	if len(picked) == 0 || picked[len(picked)-1] != 0 {
		t.Errorf("picking the first monitor: got %v; want 0 asked for", picked)
	}

	p.Scale.SetSelected(scaleActualLabel)
	if p.View.Scale() != ScaleActual {
		t.Errorf("scale: got %v; want 1:1", p.View.Scale())
	}
	p.SetControl(true)
	p.CtrlAltDel.OnTapped()
	if len(got) != 1 || got[0].Kind != input.KindSecureAttention {
		t.Errorf("Ctrl-Alt-Del: got %v; want one secure attention event", got)
	}
	p.SetControl(false)
	if !p.CtrlAltDel.Disabled() {
		t.Error("Ctrl-Alt-Del enabled after control ended")
	}
}

func TestFormatStats(t *testing.T) {
	s := FormatStats(client.VideoStats{Codec: codec.VP9, Width: 1920, Height: 1080, FPS: 29.6, Kbps: 1830.2, RTT: 1500 * time.Microsecond})
	for _, want := range []string{"VP9 1920x1080", "30 fps", "1830 kbit/s", "RTT 1.5 ms"} {
		if !strings.Contains(s, want) {
			t.Errorf("stats %q: no %q", s, want)
		}
	}
}
