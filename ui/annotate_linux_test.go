package ui

import (
	"errors"
	"image"
	"image/color"
	"testing"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/internal/xvfb"
	"github.com/tandemhq/tandem/ui/overlay"
)

// TestAnnotationLayerOnXvfb: the first stroke opens the overlay and shows
// in its ink, a clear wipes it, and after Close annotations are refused.
func TestAnnotationLayerOnXvfb(t *testing.T) {
	d := xvfb.Start(t, xvfb.Options{Screens: []xvfb.Screen{{Width: 800, Height: 600}}})
	conn, err := xgb.NewConnDisplay(d.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	at := func(p image.Point) color.RGBA {
		t.Helper()
		r, err := xproto.GetImage(conn, xproto.ImageFormatZPixmap, xproto.Drawable(root), int16(p.X), int16(p.Y), 1, 1, 0xffffffff).Reply()
		if err != nil || len(r.Data) < 4 {
			t.Fatalf("GetImage at %v: %v", p, err)
		}
		return color.RGBA{R: r.Data[2], G: r.Data[1], B: r.Data[0], A: 255}
	}
	on, off := image.Pt(300, 200), image.Pt(300, 260)
	desktop := at(on)

	l := NewAnnotationLayer(d.Name, nil)
	defer l.Close()
	if err := l.Apply(client.Annotation{Kind: client.AnnotationClear}); err != nil {
		t.Fatalf("a clear before any stroke: %v", err)
	}
	if l.ov != nil {
		t.Fatal("a clear opened the overlay; want it made with the first stroke")
	}
	if err := l.Apply(strokeOf(client.InkYellow, 8, image.Pt(100, 200), image.Pt(500, 200))); err != nil {
		t.Fatal(err)
	}
	if got, want := at(on), client.InkYellow.RGBA(); got != want {
		t.Errorf("on the stroke: got %v; want %v", got, want)
	}
	if got := at(off); got != desktop {
		t.Errorf("beside the stroke: got %v; want the desktop's %v", got, desktop)
	}
	if err := l.Apply(client.Annotation{Kind: client.AnnotationStroke}); !errors.Is(err, client.ErrBadAnnotation) {
		t.Errorf("a bad stroke: got %v; want %v", err, client.ErrBadAnnotation)
	}
	if err := l.Clear(); err != nil {
		t.Fatal(err)
	}
	if got := at(on); got != desktop {
		t.Errorf("after Clear: got %v; want the desktop's %v", got, desktop)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: got %v; want nil", err)
	}
	if err := l.Apply(strokeOf(client.InkRed, 4, on)); !errors.Is(err, overlay.ErrClosed) {
		t.Errorf("after Close: got %v; want %v", err, overlay.ErrClosed)
	}
}

// TestAnnotationLayerWithoutDisplay: a layer whose overlay cannot be made
// reports it for every stroke.
func TestAnnotationLayerWithoutDisplay(t *testing.T) {
	l := NewAnnotationLayer(":9999", nil) // no such display
	defer l.Close()
	for range 2 {
		if err := l.Apply(strokeOf(client.InkRed, 4, image.Pt(1, 1))); err == nil {
			t.Error("Apply without a display: got nil; want an error")
		}
	}
}
