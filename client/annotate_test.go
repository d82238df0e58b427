package client_test

import (
	"errors"
	"image"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
)

// TestAnnotationValidate: what an annotation may carry, as a table.
func TestAnnotationValidate(t *testing.T) {
	pts := func(n int) []image.Point { return make([]image.Point, n) }
	for _, tt := range []struct {
		name string
		a    client.Annotation
		ok   bool
	}{
		{"stroke", client.Annotation{Kind: client.AnnotationStroke, Ink: client.InkRed, Width: 4, Points: pts(2)}, true},
		{"dot", client.Annotation{Kind: client.AnnotationStroke, Ink: client.InkWhite, Width: 2, Points: pts(1)}, true},
		{"most points", client.Annotation{Kind: client.AnnotationStroke, Ink: client.InkBlue, Width: 12, Points: pts(client.MaxAnnotationPoints)}, true},
		{"edge coordinates", client.Annotation{Kind: client.AnnotationStroke, Ink: client.InkBlue, Width: 3,
			Points: []image.Point{{-32768, 32767}, {32767, -32768}}}, true},
		{"clear", client.Annotation{Kind: client.AnnotationClear}, true},
		{"unknown kind", client.Annotation{Ink: client.InkRed, Width: 4, Points: pts(1)}, false},
		{"unknown ink", client.Annotation{Kind: client.AnnotationStroke, Width: 4, Points: pts(1)}, false},
		{"ink out of range", client.Annotation{Kind: client.AnnotationStroke, Ink: client.Ink(99), Width: 4, Points: pts(1)}, false},
		{"too thin", client.Annotation{Kind: client.AnnotationStroke, Ink: client.InkRed, Width: 1, Points: pts(1)}, false},
		{"too wide", client.Annotation{Kind: client.AnnotationStroke, Ink: client.InkRed, Width: 13, Points: pts(1)}, false},
		{"no points", client.Annotation{Kind: client.AnnotationStroke, Ink: client.InkRed, Width: 4}, false},
		{"too many points", client.Annotation{Kind: client.AnnotationStroke, Ink: client.InkRed, Width: 4, Points: pts(client.MaxAnnotationPoints + 1)}, false},
		{"x too far", client.Annotation{Kind: client.AnnotationStroke, Ink: client.InkRed, Width: 4, Points: []image.Point{{32768, 0}}}, false},
		{"y too far", client.Annotation{Kind: client.AnnotationStroke, Ink: client.InkRed, Width: 4, Points: []image.Point{{0, -32769}}}, false},
		{"clear with points", client.Annotation{Kind: client.AnnotationClear, Points: pts(1)}, false},
		{"clear with ink", client.Annotation{Kind: client.AnnotationClear, Ink: client.InkRed}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.a.Validate()
			if tt.ok && err != nil {
				t.Errorf("got %v; want nil", err)
			}
			if !tt.ok && !errors.Is(err, client.ErrBadAnnotation) {
				t.Errorf("got %v; want %v", err, client.ErrBadAnnotation)
			}
		})
	}
}

// TestInkText: every ink of the palette has a name and a colour and reads
// back; the unknown one does neither.
func TestInkText(t *testing.T) {
	for _, c := range client.Inks() {
		b, err := c.MarshalText()
		if err != nil {
			t.Fatalf("%v: MarshalText: %v", c, err)
		}
		var got client.Ink
		if err := got.UnmarshalText(b); err != nil || got != c {
			t.Errorf("UnmarshalText(%q): got %v, %v; want %v", b, got, err, c)
		}
		if c.RGBA().A != 0xff {
			t.Errorf("%v: got colour %v; want an opaque one", c, c.RGBA())
		}
	}
	if _, err := client.InkUnknown.MarshalText(); !errors.Is(err, client.ErrBadAnnotation) {
		t.Errorf("InkUnknown.MarshalText: got %v; want %v", err, client.ErrBadAnnotation)
	}
	var c client.Ink
	if err := c.UnmarshalText([]byte("unknown")); !errors.Is(err, client.ErrBadAnnotation) {
		t.Errorf("UnmarshalText(unknown): got %v; want %v", err, client.ErrBadAnnotation)
	}
}

// TestAnnotationsOverTheControlChannel: a rep draws on a real customer's
// client over WebRTC. A stroke arrives exactly, malformed and oversized
// messages are refused without reaching the app, nothing arrives while
// the portal does not allow annotations, and a customer cannot draw on a
// rep.
func TestAnnotationsOverTheControlChannel(t *testing.T) {
	p := newPair(t, 60*time.Second)
	ctx, rep, cust := p.ctx, p.rep, p.cust
	cs := cust.Session()
	// The portal's configuration from the join allows annotations (the
	// default); later the test gives the session others.
	if c := cust.Config(); c == nil || !c.Functions.Annotations {
		t.Fatalf("the customer's portal configuration %+v does not allow annotations", c)
	}
	allow, deny := *cust.Config(), *cust.Config()
	deny.Functions.Annotations = false

	rs, err := rep.Accept(ctx, cs.ID())
	if err != nil {
		t.Fatal(err)
	}
	repPeer := waitPeer(t, rs, cs.Self().ID)
	if err := repPeer.Connected(ctx); err != nil {
		t.Fatal(err)
	}
	repID := rep.Account().ID
	custPeer := waitPeer(t, cs, repID)
	if err := custPeer.Connected(ctx); err != nil {
		t.Fatal(err)
	}

	// Bad messages first; the good stroke behind them on the ordered
	// channel is the first annotation that reaches the app.
	long := make([]string, client.MaxAnnotationPoints+1)
	for i := range long {
		long[i] = "[1,2]"
	}
	huge := make([]string, 5000)
	for i := range huge {
		huge[i] = "[-32768,-32768]"
	}
	for _, bad := range []string{
		`{"type":"annotate.stroke","ink":"orange","width":4,"points":[[1,2]]}`,
		`{"type":"annotate.stroke","ink":"unknown","width":4,"points":[[1,2]]}`,
		`{"type":"annotate.stroke","ink":"red","width":1,"points":[[1,2]]}`,
		`{"type":"annotate.stroke","ink":"red","width":13,"points":[[1,2]]}`,
		`{"type":"annotate.stroke","ink":"red","width":4}`,
		`{"type":"annotate.stroke","ink":"red","width":4,"points":[[40000,2]]}`,
		`{"type":"annotate.stroke","ink":"red","width":4,"points":[[1,2,3]]}`,
		`{"type":"annotate.stroke","ink":"red","width":4,"points":[[1]]}`,
		`{"type":"annotate.stroke","ink":"red","width":4,"points":[[1.5,2]]}`,
		`{"type":"annotate.stroke","ink":"red","width":4,"points":[[1,2]],"cmd":"rm -rf /"}`,
		`{"type":"annotate.stroke","ink":"red","width":4,"points":[` + strings.Join(long, ",") + `]}`,
		`{"type":"annotate.stroke","ink":"red","width":4,"points":[` + strings.Join(huge, ",") + `]}`,
		`{"type":"annotate.clear","points":[[1,2]]}`,
		`{"type":"annotate.erase"}`,
		`{"type":"annotate.stroke","ink":"red"`,
		`{"type":"annotate.clear"} {"type":"annotate.clear"}`,
	} {
		if err := client.SendControlText(repPeer, bad); err != nil {
			t.Fatal(err)
		}
	}
	stroke := client.Annotation{Kind: client.AnnotationStroke, Ink: client.InkMagenta, Width: 6,
		Points: []image.Point{{10, 20}, {300, 20}, {300, 400}, {-5, 1079}}}
	if err := repPeer.Annotate(stroke); err != nil {
		t.Fatal(err)
	}
	want := client.AnnotationReceived{Participant: custPeer.Participant(), Annotation: stroke}
	if got := nextAnnotation(t, cs.Events()); !reflect.DeepEqual(got, want) {
		t.Fatalf("customer side: got %#v; want %#v", got, want)
	}
	if err := repPeer.Annotate(client.Annotation{Kind: client.AnnotationClear}); err != nil {
		t.Fatal(err)
	}
	if got := nextAnnotation(t, cs.Events()); got.Annotation.Kind != client.AnnotationClear {
		t.Fatalf("customer side: got %#v; want a clear", got)
	}

	// Disabled by the portal: nothing arrives until it is allowed again.
	client.SetAnnotationPolicy(cs, &deny)
	if err := repPeer.Annotate(client.Annotation{Kind: client.AnnotationStroke, Ink: client.InkRed, Width: 4, Points: []image.Point{{1, 1}}}); err != nil {
		t.Fatal(err)
	}
	client.SetAnnotationPolicy(cs, nil)
	if err := repPeer.Annotate(client.Annotation{Kind: client.AnnotationClear}); err != nil {
		t.Fatal(err)
	}
	// The policy is read as each message arrives; the marker below goes
	// after the portal allows annotations again. A control round trip
	// first makes sure the refused ones were judged under the old policy.
	if err := repPeer.RequestElevation(); err != nil {
		t.Fatal(err)
	}
	if _, ok := nextElevation(t, cs.Events()).(client.ElevationRequested); !ok {
		t.Fatal("no elevation request")
	}
	client.SetAnnotationPolicy(cs, &allow)
	marker := client.Annotation{Kind: client.AnnotationStroke, Ink: client.InkGreen, Width: 2, Points: []image.Point{{7, 7}}}
	if err := repPeer.Annotate(marker); err != nil {
		t.Fatal(err)
	}
	if got := nextAnnotation(t, cs.Events()); !reflect.DeepEqual(got.Annotation, marker) {
		t.Fatalf("customer side: got %#v; want only the stroke sent after annotations were allowed again", got)
	}

	// The customer does not draw on the rep.
	if err := custPeer.Annotate(marker); !errors.Is(err, client.ErrNotCustomer) {
		t.Errorf("customer's Annotate: got %v; want %v", err, client.ErrNotCustomer)
	}
	if err := client.SendControlText(custPeer, `{"type":"annotate.stroke","ink":"red","width":4,"points":[[1,2]]}`); err != nil {
		t.Fatal(err)
	}
	if err := cs.AnswerElevation(repID, client.ElevationDeclined, ""); err != nil {
		t.Fatal(err)
	}
	for got := range eventsUntilElevation(t, rs.Events()) {
		t.Errorf("rep side: got %#v; want no annotation", got)
	}

	// What cannot be sent.
	for _, a := range []client.Annotation{
		{Kind: client.AnnotationStroke, Ink: client.InkRed, Width: 40, Points: []image.Point{{1, 1}}},
		{},
	} {
		if err := repPeer.Annotate(a); !errors.Is(err, client.ErrBadAnnotation) {
			t.Errorf("Annotate(%+v): got %v; want %v", a, err, client.ErrBadAnnotation)
		}
	}
}

// nextAnnotation waits for the next annotation on ch, skipping other
// events.
func nextAnnotation(t *testing.T, ch <-chan client.Event) client.AnnotationReceived {
	t.Helper()
	timeout := time.After(hung)
	for {
		select {
		case ev := <-ch:
			if a, ok := ev.(client.AnnotationReceived); ok {
				return a
			}
		case <-timeout:
			t.Fatal("no annotation within 20s")
		}
	}
}

// eventsUntilElevation yields the annotations on ch until an elevation
// event arrives.
func eventsUntilElevation(t *testing.T, ch <-chan client.Event) func(func(client.AnnotationReceived) bool) {
	return func(yield func(client.AnnotationReceived) bool) {
		timeout := time.After(hung)
		for {
			select {
			case ev := <-ch:
				switch e := ev.(type) {
				case client.AnnotationReceived:
					if !yield(e) {
						return
					}
				case client.ElevationChanged:
					return
				}
			case <-timeout:
				t.Fatal("no elevation answer within 20s")
			}
		}
	}
}
