package capture

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/damage"
	"github.com/jezek/xgb/randr"
	"github.com/jezek/xgb/shm"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xinerama"
	"github.com/jezek/xgb/xproto"
	"golang.org/x/sys/unix"

	"github.com/tandemhq/tandem/internal/xext"
)

// x11 is the XShm backend: one X connection, one shared memory segment
// that every GetImage writes into, an XDamage object on the root window
// whose "non-empty" notification wakes Next, XFixes for the cursor and
// RandR (or the root's ConfigureNotify) for the monitor layout.
type x11 struct {
	log    *slog.Logger
	conn   *xgb.Conn
	root   xproto.Window
	dmg    damage.Damage
	region xfixes.Region

	randr, randr15, xinerama bool

	// seg, shmID and mem are the shared segment, sized for area.
	seg   shm.Seg
	shmID int
	mem   []byte
	area  image.Rectangle

	atoms map[xproto.Atom]string

	wakeCh     chan struct{}
	geo        atomic.Bool // the layout may have changed
	lost       atomic.Bool // the connection ended
	shapeDirty atomic.Bool // the cursor's shape changed

	cursorMu sync.Mutex // guards shape
	shape    *CursorShape

	wg        sync.WaitGroup
	closeOnce sync.Once
}

func openX11(display string, logger *slog.Logger) (b *x11, err error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("connect to X: %w", err)
	}
	x := &x11{log: logger, conn: conn, atoms: map[xproto.Atom]string{}, wakeCh: make(chan struct{}, 1)}
	defer func() {
		if err != nil {
			x.release()
		}
	}()
	setup := xproto.Setup(conn)
	screen := setup.DefaultScreen(conn)
	x.root = screen.Root
	if err := checkFormat(setup, screen); err != nil {
		return nil, err
	}
	if err := xext.Init(conn, xext.Shm); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoShm, err)
	}
	if _, err := shm.QueryVersion(conn).Reply(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoShm, err)
	}
	// XFixes first: DAMAGE works on XFixes regions, and the server wants
	// each extension's version asked before use.
	if err := xext.Init(conn, xext.XFixes); err != nil {
		return nil, fmt.Errorf("XFIXES: %w", err)
	}
	if _, err := xfixes.QueryVersion(conn, 5, 0).Reply(); err != nil {
		return nil, fmt.Errorf("XFIXES version: %w", err)
	}
	if err := xext.Init(conn, xext.Damage); err != nil {
		return nil, fmt.Errorf("DAMAGE: %w", err)
	}
	if _, err := damage.QueryVersion(conn, 1, 1).Reply(); err != nil {
		return nil, fmt.Errorf("DAMAGE version: %w", err)
	}
	if xext.Init(conn, xext.RandR) == nil {
		if v, err := randr.QueryVersion(conn, 1, 5).Reply(); err == nil {
			x.randr = v.MajorVersion > 1 || v.MinorVersion >= 2
			x.randr15 = v.MajorVersion > 1 || v.MinorVersion >= 5
		}
	}
	if xext.Init(conn, xext.Xinerama) == nil {
		if r, err := xinerama.IsActive(conn).Reply(); err == nil {
			x.xinerama = r.State != 0
		}
	}

	if x.dmg, err = damage.NewDamageId(conn); err != nil {
		return nil, err
	}
	if err := damage.CreateChecked(conn, x.dmg, xproto.Drawable(x.root), damage.ReportLevelNonEmpty).Check(); err != nil {
		return nil, fmt.Errorf("create damage: %w", err)
	}
	if x.region, err = xfixes.NewRegionId(conn); err != nil {
		return nil, err
	}
	if err := xfixes.CreateRegionChecked(conn, x.region, nil).Check(); err != nil {
		return nil, fmt.Errorf("create region: %w", err)
	}
	if err := xfixes.SelectCursorInputChecked(conn, x.root, xfixes.CursorNotifyMaskDisplayCursor).Check(); err != nil {
		return nil, fmt.Errorf("select cursor input: %w", err)
	}
	if x.randr {
		mask := uint16(randr.NotifyMaskScreenChange | randr.NotifyMaskCrtcChange | randr.NotifyMaskOutputChange)
		if err := randr.SelectInputChecked(conn, x.root, mask).Check(); err != nil {
			return nil, fmt.Errorf("select RandR input: %w", err)
		}
	}
	// The root's ConfigureNotify catches size changes without RandR.
	if err := xproto.ChangeWindowAttributesChecked(conn, x.root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskStructureNotify}).Check(); err != nil {
		return nil, fmt.Errorf("select root events: %w", err)
	}
	// A one-pixel grab proves the server can write into our segment.
	if err := x.setArea(image.Rect(0, 0, 1, 1)); err != nil {
		return nil, err
	}
	if _, err := x.grab([]image.Rectangle{image.Rect(0, 0, 1, 1)}); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoShm, err)
	}
	x.shapeDirty.Store(true)
	x.wg.Add(1)
	go x.events()
	return x, nil
}

// checkFormat accepts the one layout the converters read: 32 bits per
// pixel, little-endian, 8-bit red, green and blue at bits 16, 8 and 0.
func checkFormat(setup *xproto.SetupInfo, screen *xproto.ScreenInfo) error {
	if setup.ImageByteOrder != xproto.ImageOrderLSBFirst {
		return fmt.Errorf("%w: big-endian images", ErrPixelFormat)
	}
	bpp := 0
	for _, f := range setup.PixmapFormats {
		if f.Depth == screen.RootDepth {
			bpp = int(f.BitsPerPixel)
		}
	}
	if bpp != 32 {
		return fmt.Errorf("%w: depth %d at %d bits per pixel", ErrPixelFormat, screen.RootDepth, bpp)
	}
	for _, d := range screen.AllowedDepths {
		for _, v := range d.Visuals {
			if v.VisualId != screen.RootVisual {
				continue
			}
			if v.Class != xproto.VisualClassTrueColor || v.RedMask != 0xff0000 || v.GreenMask != 0xff00 || v.BlueMask != 0xff {
				return fmt.Errorf("%w: visual class %d masks %06x/%06x/%06x", ErrPixelFormat, v.Class, v.RedMask, v.GreenMask, v.BlueMask)
			}
			return nil
		}
	}
	return fmt.Errorf("%w: root visual not found", ErrPixelFormat)
}

// events reads the connection's events until it closes.
func (x *x11) events() {
	defer x.wg.Done()
	for {
		ev, xerr := x.conn.WaitForEvent()
		if ev == nil && xerr == nil {
			x.lost.Store(true)
			x.poke()
			return
		}
		if xerr != nil {
			x.log.Debug("X error", "err", xerr)
			continue
		}
		switch e := ev.(type) {
		case damage.NotifyEvent:
			x.poke()
		case xfixes.CursorNotifyEvent:
			x.shapeDirty.Store(true)
		case randr.ScreenChangeNotifyEvent, randr.NotifyEvent:
			x.geo.Store(true)
			x.poke()
		case xproto.ConfigureNotifyEvent:
			if e.Window == x.root {
				x.geo.Store(true)
				x.poke()
			}
		}
	}
}

func (x *x11) poke() {
	select {
	case x.wakeCh <- struct{}{}:
	default:
	}
}

func (x *x11) wake() <-chan struct{}       { return x.wakeCh }
func (x *x11) pollInterval() time.Duration { return 0 }
func (x *x11) geometryChanged() bool       { return x.geo.Swap(false) }

func (x *x11) rootBounds() (image.Rectangle, error) {
	g, err := xproto.GetGeometry(x.conn, xproto.Drawable(x.root)).Reply()
	if err != nil {
		return image.Rectangle{}, fmt.Errorf("root geometry: %w", err)
	}
	return image.Rect(0, 0, int(g.Width), int(g.Height)), nil
}

func (x *x11) atomName(a xproto.Atom) string {
	if n, ok := x.atoms[a]; ok {
		return n
	}
	r, err := xproto.GetAtomName(x.conn, a).Reply()
	if err != nil {
		return fmt.Sprintf("monitor-%d", a)
	}
	x.atoms[a] = r.Name
	return r.Name
}

// monitors prefers RandR 1.5 monitors, which carry output names, and uses
// Xinerama when it knows more heads (Xvfb with several screens), and the
// root window when neither answers.
func (x *x11) monitors() ([]Monitor, error) {
	root, err := x.rootBounds()
	if err != nil {
		return nil, err
	}
	var mons []Monitor
	if x.randr15 {
		if r, err := randr.GetMonitors(x.conn, x.root, true).Reply(); err == nil {
			for _, m := range r.Monitors {
				b := image.Rect(int(m.X), int(m.Y), int(m.X)+int(m.Width), int(m.Y)+int(m.Height)).Intersect(root)
				if !b.Empty() {
					mons = append(mons, Monitor{Name: x.atomName(m.Name), Bounds: b, Primary: m.Primary})
				}
			}
		}
	}
	if x.xinerama {
		if r, err := xinerama.QueryScreens(x.conn).Reply(); err == nil && len(r.ScreenInfo) > len(mons) {
			mons = mons[:0]
			for i, s := range r.ScreenInfo {
				b := image.Rect(int(s.XOrg), int(s.YOrg), int(s.XOrg)+int(s.Width), int(s.YOrg)+int(s.Height)).Intersect(root)
				if !b.Empty() {
					mons = append(mons, Monitor{Name: fmt.Sprintf("head-%d", i), Bounds: b, Primary: i == 0})
				}
			}
		}
	}
	if len(mons) == 0 {
		mons = []Monitor{{Name: "screen", Bounds: root, Primary: true}}
	}
	if primaryIndex(mons) == 0 {
		mons[0].Primary = true
	}
	return mons, nil
}

// setArea makes r the grabbed area and grows the segment to hold it.
func (x *x11) setArea(r image.Rectangle) error {
	x.area = r
	need := r.Dx() * r.Dy() * 4
	if need <= len(x.mem) {
		return nil
	}
	x.freeSegment()
	id, err := unix.SysvShmGet(unix.IPC_PRIVATE, need, unix.IPC_CREAT|0o600)
	if err != nil {
		return fmt.Errorf("%w: shmget %d bytes: %v", ErrNoShm, need, err)
	}
	mem, err := unix.SysvShmAttach(id, 0, 0)
	if err != nil {
		_, _ = unix.SysvShmCtl(id, unix.IPC_RMID, nil)
		return fmt.Errorf("%w: shmat: %v", ErrNoShm, err)
	}
	seg, err := shm.NewSegId(x.conn)
	if err == nil {
		err = shm.AttachChecked(x.conn, seg, uint32(id), false).Check()
	}
	// Marked for removal now, the segment goes away with its last user
	// even if this process dies.
	_, _ = unix.SysvShmCtl(id, unix.IPC_RMID, nil)
	if err != nil {
		_ = unix.SysvShmDetach(mem)
		return fmt.Errorf("%w: attach segment: %v", ErrNoShm, err)
	}
	x.seg, x.shmID, x.mem = seg, id, mem
	return nil
}

func (x *x11) freeSegment() {
	if x.mem == nil {
		return
	}
	_ = shm.DetachChecked(x.conn, x.seg).Check()
	_ = unix.SysvShmDetach(x.mem)
	x.mem = nil
}

func (x *x11) damage() ([]image.Rectangle, error) {
	if x.lost.Load() {
		return nil, errors.New("connection to the X server lost")
	}
	damage.Subtract(x.conn, x.dmg, xfixes.RegionNone, x.region)
	r, err := xfixes.FetchRegion(x.conn, x.region).Reply()
	if err != nil {
		return nil, fmt.Errorf("fetch damage: %w", err)
	}
	rs := make([]image.Rectangle, 0, len(r.Rectangles))
	for _, xr := range r.Rectangles {
		rs = append(rs, image.Rect(int(xr.X), int(xr.Y), int(xr.X)+int(xr.Width), int(xr.Y)+int(xr.Height)))
	}
	return rs, nil
}

// grab issues one ShmGetImage per rectangle, each into its own part of
// the segment, then waits for all replies: one round trip in all. When
// the rectangles do not fit the segment side by side (overlaps after
// alignment), their bounding box is grabbed instead.
func (x *x11) grab(rects []image.Rectangle) ([]piece, error) {
	total := 0
	for _, r := range rects {
		total += r.Dx() * r.Dy() * 4
	}
	if total > len(x.mem) {
		var u image.Rectangle
		for _, r := range rects {
			u = u.Union(r)
		}
		rects = []image.Rectangle{u}
	}
	ps := make([]piece, len(rects))
	cookies := make([]shm.GetImageCookie, len(rects))
	off := 0
	for i, r := range rects {
		a := r.Add(x.area.Min)
		n := r.Dx() * r.Dy() * 4
		cookies[i] = shm.GetImage(x.conn, xproto.Drawable(x.root), int16(a.Min.X), int16(a.Min.Y),
			uint16(r.Dx()), uint16(r.Dy()), 0xffffffff, xproto.ImageFormatZPixmap, x.seg, uint32(off))
		ps[i] = piece{r: r, pix: x.mem[off : off+n], stride: r.Dx() * 4}
		off += n
	}
	var errs []error
	for i, c := range cookies {
		if _, err := c.Reply(); err != nil {
			errs = append(errs, fmt.Errorf("ShmGetImage %v: %w", rects[i].Add(x.area.Min), err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return ps, nil
}

func (x *x11) grabFull() (piece, error) {
	ps, err := x.grab([]image.Rectangle{{Max: x.area.Size()}})
	if err != nil {
		return piece{}, err
	}
	return ps[0], nil
}

// cursor reads the pointer's position and, after XFixes said it changed,
// its shape.
func (x *x11) cursor() (image.Point, *CursorShape, error) {
	if x.lost.Load() {
		return image.Point{}, nil, errors.New("connection to the X server lost")
	}
	p, err := xproto.QueryPointer(x.conn, x.root).Reply()
	if err != nil {
		return image.Point{}, nil, fmt.Errorf("query pointer: %w", err)
	}
	x.cursorMu.Lock()
	defer x.cursorMu.Unlock()
	if x.shapeDirty.Swap(false) {
		s, err := x.readShape()
		if err != nil {
			x.shapeDirty.Store(true)
			return image.Point{}, nil, err
		}
		x.shape = s
	}
	return image.Pt(int(p.RootX), int(p.RootY)), x.shape, nil
}

func (x *x11) readShape() (*CursorShape, error) {
	r, err := xfixes.GetCursorImage(x.conn).Reply()
	if err != nil {
		return nil, fmt.Errorf("cursor image: %w", err)
	}
	w, h := int(r.Width), int(r.Height)
	if len(r.CursorImage) < w*h {
		return nil, fmt.Errorf("cursor image: %d pixels for %dx%d", len(r.CursorImage), w, h)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i, argb := range r.CursorImage[:w*h] {
		// XFixes gives premultiplied ARGB words, as image.RGBA wants.
		c := color.RGBA{R: uint8(argb >> 16), G: uint8(argb >> 8), B: uint8(argb), A: uint8(argb >> 24)}
		img.SetRGBA(i%w, i/w, c)
	}
	return &CursorShape{Serial: r.CursorSerial, Hotspot: image.Pt(int(r.Xhot), int(r.Yhot)), Image: img}, nil
}

// release frees what openX11 got so far, or everything at close.
func (x *x11) release() {
	x.closeOnce.Do(func() {
		// Closing the connection frees the server's side: damage,
		// region and segment attachment.
		x.conn.Close()
		x.wg.Wait()
		if x.mem != nil {
			_ = unix.SysvShmDetach(x.mem)
			x.mem = nil
		}
	})
}

func (x *x11) close() error {
	x.release()
	return nil
}
