package ui

import (
	"errors"
	"image"
	"reflect"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tandemhq/tandem/client"
)

// sentAnnotations records what an Annotator sends.
type sentAnnotations struct {
	got []client.Annotation
	err error
}

func (s *sentAnnotations) send(a client.Annotation) error {
	if err := a.Validate(); err != nil {
		return err
	}
	s.got = append(s.got, a)
	return s.err
}

func (s *sentAnnotations) take() []client.Annotation {
	got := s.got
	s.got = nil
	return got
}

func strokeOf(ink client.Ink, width int, pts ...image.Point) client.Annotation {
	return client.Annotation{Kind: client.AnnotationStroke, Ink: ink, Width: width, Points: pts}
}

// TestAnnotatorDrag: with annotate mode on, a drag goes as one segment
// per move and a click as a dot; with it off nothing goes; the ink and
// width chosen apply to the next strokes; Clear works in any mode.
func TestAnnotatorDrag(t *testing.T) {
	test.NewTempApp(t)
	var s sentAnnotations
	a := NewAnnotator(s.send, nil)
	test.NewTempWindow(t, a.Controls())

	a.Begin(image.Pt(1, 1))
	a.Move(image.Pt(5, 5))
	a.End()
	if got := s.take(); len(got) != 0 {
		t.Errorf("mode off: got %v; want nothing sent", got)
	}

	test.Tap(a.Toggle)
	if !a.On() {
		t.Fatal("after tapping the toggle: mode off; want on")
	}
	a.Begin(image.Pt(10, 20))
	a.Move(image.Pt(10, 20)) // no move
	a.Move(image.Pt(15, 22))
	a.Move(image.Pt(-3, 1079))
	a.End()
	a.Move(image.Pt(40, 40)) // after the drag
	want := []client.Annotation{
		strokeOf(client.InkRed, DefaultAnnotationWidth, image.Pt(10, 20), image.Pt(15, 22)),
		strokeOf(client.InkRed, DefaultAnnotationWidth, image.Pt(15, 22), image.Pt(-3, 1079)),
	}
	if got := s.take(); !reflect.DeepEqual(got, want) {
		t.Errorf("drag: got %v; want %v", got, want)
	}

	a.Ink.SetSelected("Blue")
	a.SetWidth(100)
	a.Begin(image.Pt(7, 8))
	a.End()
	if got, want := s.take(), []client.Annotation{strokeOf(client.InkBlue, client.MaxAnnotationWidth, image.Pt(7, 8))}; !reflect.DeepEqual(got, want) {
		t.Errorf("click: got %v; want %v", got, want)
	}

	a.SetInk(client.InkGreen)
	a.SetWidth(0)
	a.Begin(image.Pt(1, 1))
	a.SetOn(false) // ends the drag
	a.Move(image.Pt(2, 2))
	if got, want := s.take(), []client.Annotation{strokeOf(client.InkGreen, client.MinAnnotationWidth, image.Pt(1, 1))}; !reflect.DeepEqual(got, want) {
		t.Errorf("mode off while dragging: got %v; want %v", got, want)
	}
	if a.Ink.Selected != "Green" {
		t.Errorf("ink shown: got %q; want Green", a.Ink.Selected)
	}

	test.Tap(a.ClearButton)
	if got, want := s.take(), []client.Annotation{{Kind: client.AnnotationClear}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Clear: got %v; want %v", got, want)
	}
}

// TestAnnotatorReportsSendErrors: a failed send reaches onError.
func TestAnnotatorReportsSendErrors(t *testing.T) {
	test.NewTempApp(t)
	failed := errors.New("no control channel")
	s := sentAnnotations{err: failed}
	var got []error
	a := NewAnnotator(s.send, func(err error) { got = append(got, err) })
	a.SetOn(true)
	a.Begin(image.Pt(1, 1))
	a.End()
	if err := a.Clear(); !errors.Is(err, failed) {
		t.Errorf("Clear: got %v; want %v", err, failed)
	}
	if len(got) != 2 || !errors.Is(got[0], failed) {
		t.Errorf("onError: got %v; want the error twice", got)
	}
}

// TestAnnotationPointFollowsTheView: the view maps a drag to the
// customer's desktop as it maps pointer input, held to the picture.
func TestAnnotationPointFollowsTheView(t *testing.T) {
	v, _, _ := newTestView(t, 960, 600) // a 1920x1080 frame at half size, bars of 30 above and below
	v.SetOrigin(image.Pt(1920, 0))
	for _, tt := range []struct {
		at   fyne.Position
		want image.Point
	}{
		{fyne.NewPos(480, 300), image.Pt(2880, 540)},
		{fyne.NewPos(0, 30), image.Pt(1920, 0)},
		{fyne.NewPos(480, 5), image.Pt(2880, 0)},       // over the top bar: held to the edge
		{fyne.NewPos(2000, 590), image.Pt(3839, 1079)}, // beyond the corner
	} {
		got, ok := v.annotationPoint(tt.at)
		if !ok || got != tt.want {
			t.Errorf("annotationPoint(%v): got %v, %v; want %v", tt.at, got, ok, tt.want)
		}
	}
	v.SetFrame(nil)
	if _, ok := v.annotationPoint(fyne.NewPos(480, 300)); ok {
		t.Error("annotationPoint without a frame: got ok; want not ok")
	}
}
