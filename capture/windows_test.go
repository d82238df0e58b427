package capture

import (
	"image"
	"testing"
)

// area is the number of pixels covered by rs, which must not overlap.
func area(rs []image.Rectangle) int {
	n := 0
	for _, r := range rs {
		n += r.Dx() * r.Dy()
	}
	return n
}

func overlapping(rs []image.Rectangle) bool {
	for i := range rs {
		for j := i + 1; j < len(rs); j++ {
			if rs[i].Overlaps(rs[j]) {
				return true
			}
		}
	}
	return false
}

func TestMaskFor(t *testing.T) {
	root := image.Rect(0, 0, 100, 100)
	a := topLevel{client: 1, bounds: image.Rect(10, 10, 50, 50)}     // chosen
	b := topLevel{client: 2, bounds: image.Rect(40, 40, 80, 80)}     // not chosen
	off := topLevel{client: 1, bounds: image.Rect(90, 90, 150, 150)} // chosen, partly off screen
	shared := func(w topLevel) bool { return w.client == 1 }
	for _, tt := range []struct {
		name  string
		stack []topLevel
		shown []image.Point
		black []image.Point
		want  int // masked pixels
	}{
		{"nothing chosen on screen", []topLevel{b}, nil, []image.Point{{0, 0}, {50, 50}}, 100 * 100},
		{"chosen alone", []topLevel{a}, []image.Point{{10, 10}, {49, 49}}, []image.Point{{9, 9}, {50, 50}}, 100*100 - 40*40},
		{"covered by another", []topLevel{a, b}, []image.Point{{10, 10}, {39, 49}}, []image.Point{{45, 45}, {60, 60}}, 100*100 - (40*40 - 10*10)},
		{"above another", []topLevel{b, a}, []image.Point{{45, 45}, {49, 49}}, []image.Point{{50, 50}, {60, 60}}, 100*100 - 40*40},
		{"clipped to the root", []topLevel{off}, []image.Point{{95, 95}}, []image.Point{{89, 89}}, 100*100 - 10*10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mask := maskFor(root, tt.stack, shared)
			if overlapping(mask) {
				t.Errorf("mask %v overlaps itself", mask)
			}
			if got := area(mask); got != tt.want {
				t.Errorf("masked area: got %d; want %d (%v)", got, tt.want, mask)
			}
			for _, p := range tt.shown {
				for _, m := range mask {
					if p.In(m) {
						t.Errorf("%v: got masked by %v; want shown", p, m)
					}
				}
			}
			for _, p := range tt.black {
				in := false
				for _, m := range mask {
					in = in || p.In(m)
				}
				if !in {
					t.Errorf("%v: got shown; want masked", p)
				}
			}
		})
	}
}

func TestShareRule(t *testing.T) {
	stack := []topLevel{
		{client: 1, pid: 100, class: "Term", instance: "term"},
		{client: 2, pid: 100, class: "Term", instance: "term"},
		{client: 3, class: "Viewer", instance: "viewer"},
		{client: 4, pid: 200, class: "Mail", instance: "mail"},
	}
	r, err := newShareRule([]WindowID{1, 3}, stack)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		w    topLevel
		want bool
	}{
		{"chosen", stack[0], true},
		{"chosen without a PID", stack[2], true},
		{"same app, there before", stack[1], false},
		{"other app", stack[3], false},
		{"new window, same PID", topLevel{client: 9, pid: 100}, true},
		{"new window, same PID, other class", topLevel{client: 9, pid: 100, class: "X"}, true},
		{"new window, other PID, same class", topLevel{client: 9, pid: 300, class: "Term", instance: "term"}, false},
		{"new window, no PID, same class", topLevel{client: 9, class: "Term", instance: "term"}, true},
		{"new window, class of the PID-less choice", topLevel{client: 9, pid: 5, class: "Viewer", instance: "viewer"}, true},
		{"new window, nothing known", topLevel{client: 9}, false},
	} {
		if got := r.shares(tt.w); got != tt.want {
			t.Errorf("%s: got shared %v; want %v", tt.name, got, tt.want)
		}
	}
	if _, err := newShareRule([]WindowID{7}, stack); err == nil {
		t.Error("a rule for a window not on screen: got no error; want ErrNoWindow")
	}
}
