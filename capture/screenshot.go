package capture

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"os"
	"slices"
	"time"

	"github.com/kbinani/screenshot"
)

const (
	// shotRetries is how often a failed kbinani/screenshot call is tried:
	// about one call in five fails on Xvfb.
	shotRetries = 5
	// tileSize is the side of the tiles compared to find changes.
	tileSize = 32
	// layoutEvery is how often the screenshot backend looks for a changed
	// monitor layout; each look opens X connections of its own.
	layoutEvery = time.Second
)

// shot is the portable backend on kbinani/screenshot. It has no change
// notification: it grabs the whole area every poll and compares it with
// the previous grab tile by tile.
type shot struct {
	poll       time.Duration
	area       image.Rectangle
	prev, cur  *image.RGBA // BGRA pixels despite the type
	layout     []image.Rectangle
	lastLayout time.Time
}

func openScreenshot(display string, poll time.Duration) (*shot, error) {
	if display != "" && display != os.Getenv("DISPLAY") {
		return nil, fmt.Errorf("%w (asked for %q)", ErrDisplay, display)
	}
	if poll <= 0 {
		poll = 66 * time.Millisecond
	}
	s := &shot{poll: poll}
	if _, err := s.monitors(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *shot) readLayout() []image.Rectangle {
	n := screenshot.NumActiveDisplays()
	var rs []image.Rectangle
	for i := range n {
		rs = append(rs, screenshot.GetDisplayBounds(i))
	}
	return rs
}

func (s *shot) monitors() ([]Monitor, error) {
	s.layout = s.readLayout()
	s.lastLayout = time.Now()
	var mons []Monitor
	for i, r := range s.layout {
		if !r.Empty() {
			mons = append(mons, Monitor{Name: fmt.Sprintf("display-%d", i), Bounds: r, Primary: i == 0})
		}
	}
	if len(mons) == 0 {
		return nil, fmt.Errorf("kbinani/screenshot finds no display: %w", ErrEmptyScreen)
	}
	return mons, nil
}

func (s *shot) setArea(r image.Rectangle) error {
	if r != s.area {
		s.area = r
		s.prev, s.cur = nil, nil
	}
	return nil
}

func (s *shot) wake() <-chan struct{}       { return nil }
func (s *shot) pollInterval() time.Duration { return s.poll }

func (s *shot) geometryChanged() bool {
	if time.Since(s.lastLayout) < layoutEvery {
		return false
	}
	s.lastLayout = time.Now()
	return !slices.Equal(s.readLayout(), s.layout)
}

// capture grabs r, retrying the library's sporadic failures, and returns
// it with BGRA pixels.
func (s *shot) capture(r image.Rectangle) (*image.RGBA, error) {
	var errs []error
	for range shotRetries {
		img, err := screenshot.CaptureRect(r)
		if err == nil && img.Rect.Size() == r.Size() {
			swapRB(img.Pix)
			return img, nil
		}
		if err == nil {
			err = fmt.Errorf("got %v for %v", img.Rect, r)
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("kbinani/screenshot capture %v: %w", r, errors.Join(errs...))
}

// swapRB turns RGBA into BGRA and back.
func swapRB(pix []byte) {
	for i := 0; i+3 < len(pix); i += 4 {
		pix[i], pix[i+2] = pix[i+2], pix[i]
	}
}

func (s *shot) damage() ([]image.Rectangle, error) {
	img, err := s.capture(s.area)
	if err != nil {
		return nil, err
	}
	s.prev, s.cur = s.cur, img
	if s.prev == nil {
		return []image.Rectangle{s.area}, nil
	}
	rs := diffTiles(s.prev, s.cur, tileSize)
	for i := range rs {
		rs[i] = rs[i].Add(s.area.Min)
	}
	return rs, nil
}

// diffTiles compares two images of the same size tile by tile and returns
// the changed tiles, runs along a row of tiles merged, in a's coordinates.
func diffTiles(a, b *image.RGBA, tile int) []image.Rectangle {
	w, h := a.Rect.Dx(), a.Rect.Dy()
	var out []image.Rectangle
	for ty := 0; ty < h; ty += tile {
		ty1 := min(ty+tile, h)
		run := -1 // start x of the current run of changed tiles
		for tx := 0; ; tx += tile {
			changed := false
			if tx < w {
				tx1 := min(tx+tile, w)
				for y := ty; y < ty1 && !changed; y++ {
					o := y*a.Stride + tx*4
					changed = !bytes.Equal(a.Pix[o:o+(tx1-tx)*4], b.Pix[o:o+(tx1-tx)*4])
				}
			}
			switch {
			case changed && run < 0:
				run = tx
			case !changed && run >= 0:
				out = append(out, image.Rect(run, ty, min(tx, w), ty1).Add(a.Rect.Min))
				run = -1
			}
			if tx >= w {
				break
			}
		}
	}
	return out
}

func (s *shot) grab(rects []image.Rectangle) ([]piece, error) {
	if s.cur == nil {
		img, err := s.capture(s.area)
		if err != nil {
			return nil, err
		}
		s.cur = img
	}
	ps := make([]piece, len(rects))
	for i, r := range rects {
		o := s.cur.PixOffset(r.Min.X, r.Min.Y)
		ps[i] = piece{r: r, pix: s.cur.Pix[o:], stride: s.cur.Stride}
	}
	return ps, nil
}

func (s *shot) grabFull() (piece, error) {
	img, err := s.capture(s.area)
	if err != nil {
		return piece{}, err
	}
	return piece{r: image.Rectangle{Max: s.area.Size()}, pix: img.Pix, stride: img.Stride}, nil
}

func (s *shot) cursor() (image.Point, *CursorShape, error) {
	return image.Point{}, nil, errors.ErrUnsupported
}

func (s *shot) close() error { return nil }
