package client

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"github.com/tandemhq/tandem/capture"
	"github.com/tandemhq/tandem/codec"
)

// Screen is a source of screen frames, as the customer shares it.
// *capture.Capturer is one.
type Screen interface {
	// Next waits for a change and returns the frame with its damage, or a
	// frame without damage when the keep-alive interval passed.
	Next(ctx context.Context) (capture.Frame, error)
	// Refresh makes the next Next return the whole frame, and wakes it.
	Refresh()
	// Cursors delivers the pointer's newest state.
	Cursors() <-chan capture.Cursor
	// Monitors lists the monitors; Monitor is the one shared.
	Monitors() []capture.Monitor
	Monitor() capture.Monitor
	// Select shares monitor i from the next frame on.
	Select(i int) error
}

// Pacing of the customer's sender.
const (
	// minFrameInterval caps the frame rate at 60 while the screen changes.
	minFrameInterval = time.Second / 60
	// refineInterval is the pace of top-off frames on a still screen.
	refineInterval = 33 * time.Millisecond
)

// sharer runs one session's screen: one goroutine takes frames from the
// Screen and hands them to the video sender of each connected rep; another
// forwards the pointer.
type sharer struct {
	screen Screen
	log    *slog.Logger
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	senders map[*videoSender]struct{}
	cursor  capture.Cursor
	layout  ScreenLayout

	// layoutMu orders a changed layout and a welcome: a rep whose channel
	// opens as the monitors change ends with the newest layout.
	layoutMu sync.Mutex

	// sent is what recordings take of the stream (repshare_record.go).
	sent sentStream
}

func newSharer(screen Screen, log *slog.Logger) *sharer {
	ctx, cancel := context.WithCancel(context.Background())
	sh := &sharer{screen: screen, log: log, cancel: cancel, senders: make(map[*videoSender]struct{})}
	sh.layout = layoutOf(screen)
	sh.wg.Add(2)
	go sh.pump(ctx)
	go sh.cursors(ctx)
	return sh
}

// close stops the goroutines; the Screen stays the caller's.
func (sh *sharer) close() {
	sh.cancel()
	sh.wg.Wait()
}

func layoutOf(s Screen) ScreenLayout {
	var l ScreenLayout
	cur := s.Monitor()
	for i, m := range s.Monitors() {
		l.Monitors = append(l.Monitors, RemoteMonitor{Name: m.Name, Bounds: m.Bounds, Primary: m.Primary})
		if m.Name == cur.Name && m.Bounds == cur.Bounds {
			l.Selected = i
		}
	}
	return l
}

func (sh *sharer) attach(vs *videoSender) {
	sh.mu.Lock()
	sh.senders[vs] = struct{}{}
	sh.mu.Unlock()
}

func (sh *sharer) detach(vs *videoSender) {
	sh.mu.Lock()
	delete(sh.senders, vs)
	sh.mu.Unlock()
}

func (sh *sharer) list() []*videoSender {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	out := make([]*videoSender, 0, len(sh.senders))
	for vs := range sh.senders {
		out = append(out, vs)
	}
	return out
}

// pump is the encoding loop: encode only what changed, refine a still
// picture until it is sharp, keep alive when idle.
func (sh *sharer) pump(ctx context.Context) {
	defer sh.wg.Done()
	var img *image.YCbCr
	var mon capture.Monitor
	last := time.Time{}
	for {
		if wait := minFrameInterval - time.Since(last); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return
			}
		}
		senders := sh.list()
		refining := false
		for _, vs := range senders {
			refining = refining || vs.needsRefine()
		}
		nctx, cancel := ctx, context.CancelFunc(func() {})
		if refining && img != nil {
			nctx, cancel = context.WithTimeout(ctx, refineInterval)
		}
		f, err := sh.screen.Next(nctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, context.DeadlineExceeded):
			for _, vs := range senders {
				vs.refine(img)
			}
			continue
		case err != nil:
			sh.log.Error("screen capture stopped", "err", err)
			return
		}
		img = f.Image
		if f.Resized || f.Monitor != mon {
			mon = f.Monitor
			sh.setLayout(layoutOf(sh.screen))
		}
		last = time.Now()
		for _, vs := range sh.list() {
			vs.frame(f)
		}
	}
}

func (sh *sharer) setLayout(l ScreenLayout) {
	sh.layoutMu.Lock()
	defer sh.layoutMu.Unlock()
	sh.mu.Lock()
	sh.layout = l
	sh.mu.Unlock()
	b, err := encodeLayout(l)
	if err != nil {
		sh.log.Warn("screen layout", "err", err)
		return
	}
	for _, vs := range sh.list() {
		vs.sendScreen(b)
	}
}

// cursors forwards the pointer: its shape when it changes, its position
// always (the Screen coalesces positions).
func (sh *sharer) cursors(ctx context.Context) {
	defer sh.wg.Done()
	var serial uint32
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-sh.screen.Cursors():
			sh.mu.Lock()
			sh.cursor = c
			sh.mu.Unlock()
			var shape []byte
			if c.Shape != nil && c.Shape.Serial != serial {
				serial = c.Shape.Serial
				var err error
				if shape, err = encodeCursorShape(c.Shape.Image, c.Shape.Hotspot); err != nil {
					sh.log.Debug("cursor shape not sent", "err", err)
				}
			}
			pos := encodeCursorPos(c.Position, c.Visible)
			for _, vs := range sh.list() {
				if shape != nil {
					vs.sendScreen(shape)
				}
				vs.sendScreen(pos)
			}
		}
	}
}

// welcome sends a rep what the screen channel carries, when it opens.
func (sh *sharer) welcome(vs *videoSender) {
	sh.layoutMu.Lock()
	sh.mu.Lock()
	c, l := sh.cursor, sh.layout
	sh.mu.Unlock()
	if b, err := encodeLayout(l); err == nil {
		vs.sendScreen(b)
	}
	sh.layoutMu.Unlock()
	if c.Shape != nil {
		if b, err := encodeCursorShape(c.Shape.Image, c.Shape.Hotspot); err == nil {
			vs.sendScreen(b)
		}
	}
	vs.sendScreen(encodeCursorPos(c.Position, c.Visible))
}

// handleScreenMsg applies a rep's message on the screen channel.
func (sh *sharer) handleScreenMsg(from string, b []byte) {
	m, err := decodeScreenMsg(b)
	if err == nil && m.kind != msgSelect {
		err = fmt.Errorf("%w: kind %d is not for the customer", errScreenMsg, m.kind)
	}
	if err != nil {
		sh.log.Warn("refusing a screen message", "from", from, "err", err)
		return
	}
	if err := sh.screen.Select(m.selectI); err != nil {
		sh.log.Warn("refusing a monitor selection", "from", from, "monitor", m.selectI, "err", err)
	}
}

// videoSender sends the screen to one rep: its own encoder, so that each
// rep's congestion controller sets its own bitrate and a keyframe for one
// does not cost the others.
type videoSender struct {
	sh    *sharer
	peer  *Peer
	track *screenTrack
	rtp   *webrtc.RTPSender
	est   *estimator
	log   *slog.Logger

	mu      sync.Mutex
	codec   codec.Codec
	wantKey bool
	lastKey time.Time

	// The encoder's state, used by the pump goroutine; stop takes it too.
	encMu    sync.Mutex
	stopped  bool
	enc      *codec.Encoder
	lastSent time.Time
	refining bool
	kbps     int
}

// newVideoSender adds the screen track to a peer connection, before its
// offer.
func newVideoSender(sh *sharer, p *Peer, codecs []codec.Codec, est *estimator) (*videoSender, error) {
	vs := &videoSender{sh: sh, peer: p, est: est, log: p.log}
	vs.track = newScreenTrack(codecs, vs.bound)
	tr, err := p.pc.AddTransceiverFromTrack(vs.track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		return nil, fmt.Errorf("add screen track: %w", err)
	}
	vs.rtp = tr.Sender()
	return vs, nil
}

// start begins reading the rep's RTCP (keyframe requests) and attaches the
// sender to the pump. stop is closed when the peer closes.
func (vs *videoSender) start(wg *sync.WaitGroup) {
	vs.sh.attach(vs)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			pkts, _, err := vs.rtp.ReadRTCP()
			if err != nil {
				return
			}
			for _, p := range pkts {
				switch p.(type) {
				case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
					vs.requestKeyframe()
				}
			}
		}
	}()
}

// stop detaches the sender and releases its encoder.
func (vs *videoSender) stop() {
	vs.sh.detach(vs)
	vs.encMu.Lock()
	defer vs.encMu.Unlock()
	vs.stopped = true
	if vs.enc != nil {
		_ = vs.enc.Close()
		vs.enc = nil
	}
}

// bound runs when negotiation chose the codec: the first frame is a
// keyframe of the whole screen.
func (vs *videoSender) bound(c codec.Codec) {
	vs.log.Info("screen stream", "codec", c)
	vs.mu.Lock()
	vs.codec = c
	vs.wantKey = true
	vs.mu.Unlock()
	vs.sh.screen.Refresh()
}

// keyframeHoldoff is how long after a keyframe further requests are
// taken to be about the same loss: a receiver that asked twice while the
// first keyframe was on its way gets one keyframe, not two.
const keyframeHoldoff = 300 * time.Millisecond

func (vs *videoSender) requestKeyframe() {
	vs.mu.Lock()
	if time.Since(vs.lastKey) < keyframeHoldoff {
		vs.mu.Unlock()
		return
	}
	vs.wantKey = true
	vs.mu.Unlock()
	vs.sh.screen.Refresh()
}

func (vs *videoSender) needsRefine() bool { return vs.refining }

func (vs *videoSender) sendScreen(b []byte) {
	if err := vs.peer.Send(vs.peer.screenLabel(), b); err != nil {
		vs.log.Debug("screen message not sent", "err", err)
	}
}

// frame encodes a captured frame: its damage, or a keep-alive.
func (vs *videoSender) frame(f capture.Frame) {
	vs.mu.Lock()
	c, key := vs.codec, vs.wantKey
	vs.wantKey = false
	vs.mu.Unlock()
	if c == codec.Unknown {
		return
	}
	vs.encMu.Lock()
	defer vs.encMu.Unlock()
	if vs.stopped {
		return
	}
	w, h := f.Image.Rect.Dx(), f.Image.Rect.Dy()
	if vs.enc == nil || vs.enc.Config().Codec != c || vs.enc.Config().Width != w || vs.enc.Config().Height != h {
		if vs.enc != nil {
			_ = vs.enc.Close()
		}
		var err error
		vs.kbps = vs.targetKbps()
		vs.enc, err = codec.NewEncoder(codec.EncoderConfig{Codec: c, Width: w, Height: h, BitrateKbps: vs.kbps})
		if err != nil {
			vs.log.Error("screen encoder", "err", err)
			vs.enc = nil
			return
		}
		key = true
	}
	if len(f.Damage) == 0 && !key {
		// Nothing changed for the keep-alive interval.
		if _, err := vs.track.writeKeepAlive(); err != nil && !errors.Is(err, errNotBound) {
			vs.log.Debug("keep-alive not sent", "err", err)
		}
		return
	}
	vs.encode(f.Image, codec.EncodeOptions{ForceKeyframe: key, Changed: f.Damage})
	vs.refining = true
}

// refine sends a top-off frame of the unchanged picture.
func (vs *videoSender) refine(img *image.YCbCr) {
	vs.encMu.Lock()
	defer vs.encMu.Unlock()
	if vs.enc == nil || !vs.refining || img == nil {
		return
	}
	if p := vs.encode(img, codec.EncodeOptions{Refine: true}); p.Sharp {
		vs.refining = false
	}
}

func (vs *videoSender) targetKbps() int {
	t := vs.est.target() / 1000
	if t <= 0 {
		t = startBitrate / 1000
	}
	return min(max(t, codec.MinBitrateKbps), codec.MaxBitrateKbps)
}

func (vs *videoSender) encode(img *image.YCbCr, opts codec.EncodeOptions) codec.Packet {
	if t := vs.targetKbps(); t*10 > vs.kbps*11 || t*10 < vs.kbps*9 {
		if err := vs.enc.SetBitrate(t); err == nil {
			vs.kbps = t
		}
	}
	now := time.Now()
	if !vs.lastSent.IsZero() {
		opts.Duration = now.Sub(vs.lastSent)
	}
	p, err := vs.enc.Encode(img, opts)
	if err != nil {
		vs.log.Error("encode screen", "err", err)
		return p
	}
	if len(p.Data) == 0 {
		return p
	}
	samples := uint32(0)
	if !vs.lastSent.IsZero() {
		samples = uint32(now.Sub(vs.lastSent) * 90000 / time.Second)
	}
	n, err := vs.track.writeFrame(p.Data, samples, vs.kbps*1000)
	if err != nil {
		if !errors.Is(err, errNotBound) {
			vs.log.Debug("screen frame not sent", "err", err)
		}
		return p
	}
	if opts.ForceKeyframe || p.Keyframe {
		vs.log.Debug("keyframe sent", "bytes", n, "kbps", vs.kbps)
		vs.mu.Lock()
		vs.lastKey = time.Now()
		vs.mu.Unlock()
	}
	vs.lastSent = now
	vs.sh.tapSent(vs, vs.enc.Config().Codec, p, img, now)
	return p
}
