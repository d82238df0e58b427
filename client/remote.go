package client

import (
	"errors"
	"image"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"github.com/tandemhq/tandem/codec"
)

// VideoFrame is one decoded picture of the customer's screen.
type VideoFrame struct {
	// Image is the picture; the receiver owns it.
	Image *image.YCbCr
	// Keyframe says the frame was a keyframe.
	Keyframe bool
	// Arrived is when the frame's last packet came; Decoded when it was
	// decoded.
	Arrived, Decoded time.Time
	// Timestamp is the frame's RTP timestamp (90 kHz).
	Timestamp uint32
}

// VideoStats describes the received stream.
type VideoStats struct {
	Codec codec.Codec
	// Size of the latest picture.
	Width, Height int
	// FPS and Kbps over the last two seconds.
	FPS  float64
	Kbps float64
	// RTT is the round trip of the selected ICE candidate pair.
	RTT time.Duration
	// Frames and keyframes decoded, and keyframes asked for (PLI), since
	// the start.
	Frames, Keyframes, KeyframeRequests int64
	// Bytes of encoded frames received since the start.
	Bytes int64
	// KeepAlives received: what a still screen sends.
	KeepAlives int64
	// WireBytes of every RTP packet of the stream received, headers,
	// padding and retransmissions included.
	WireBytes int64
}

// Pacing of the rep's receiver.
const (
	// pliInterval spaces repeated keyframe requests while the picture is
	// broken.
	pliInterval = 500 * time.Millisecond
	// statsWindow is the span FPS and Kbps are measured over.
	statsWindow = 2 * time.Second
)

// RemoteScreen is the customer's screen as one rep receives it: decoded
// frames, the pointer and the monitor layout, each delivered on a channel
// that holds only the newest value, so a slow view skips pictures instead
// of falling behind.
type RemoteScreen struct {
	peer *Peer
	log  *slog.Logger

	frames chan VideoFrame
	cursor chan RemoteCursor
	layout chan ScreenLayout

	mu       sync.Mutex
	codec    codec.Codec
	size     image.Point
	track    *webrtc.TrackRemote
	lastPLI  time.Time
	history  []frameRecord
	nframes  int64
	nkeys    int64
	nbytes   int64
	nalive   int64
	nwire    int64
	nplis    int64
	cur      RemoteCursor
	received bool
	broken   bool // the picture needs a keyframe

	recs recorders // recordings of the stream (record.go)
}

type frameRecord struct {
	at    time.Time
	bytes int
}

func newRemoteScreen(p *Peer) *RemoteScreen {
	return &RemoteScreen{
		peer: p, log: p.log,
		frames: make(chan VideoFrame, 1),
		cursor: make(chan RemoteCursor, 1),
		layout: make(chan ScreenLayout, 1),
	}
}

// Frames delivers decoded pictures, newest only.
func (r *RemoteScreen) Frames() <-chan VideoFrame { return r.frames }

// Cursor delivers the customer's pointer, newest only.
func (r *RemoteScreen) Cursor() <-chan RemoteCursor { return r.cursor }

// Layout delivers the customer's monitors when they change, newest only.
func (r *RemoteScreen) Layout() <-chan ScreenLayout { return r.layout }

// SelectMonitor asks the customer's client to share monitor i of the
// layout.
func (r *RemoteScreen) SelectMonitor(i int) error {
	return r.peer.Send(ScreenLabel, encodeSelect(i))
}

// RequestKeyframe asks the customer's client for a keyframe.
func (r *RemoteScreen) RequestKeyframe() { r.sendPLI(true) }

// Stats reports the stream's figures now.
func (r *RemoteScreen) Stats() VideoStats {
	r.mu.Lock()
	now := time.Now()
	st := VideoStats{Codec: r.codec, Width: r.size.X, Height: r.size.Y, Frames: r.nframes, Keyframes: r.nkeys, KeyframeRequests: r.nplis, Bytes: r.nbytes, KeepAlives: r.nalive, WireBytes: r.nwire}
	var bytes int
	n := 0
	var first time.Time
	for _, f := range r.history {
		if now.Sub(f.at) <= statsWindow {
			if n == 0 {
				first = f.at
			}
			n++
			bytes += f.bytes
		}
	}
	r.mu.Unlock()
	if n > 1 {
		span := now.Sub(first).Seconds()
		st.FPS = float64(n-1) / span
		st.Kbps = float64(bytes) * 8 / 1000 / span
	}
	st.RTT = r.peer.rtt()
	return st
}

// latest replaces the value in a one-slot channel.
func latest[T any](ch chan T, v T) {
	for {
		select {
		case ch <- v:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}

// handleScreenMsg applies what the customer's client sent on the screen
// channel.
func (r *RemoteScreen) handleScreenMsg(b []byte) {
	m, err := decodeScreenMsg(b)
	if err == nil && m.kind == msgSelect {
		err = errors.New("a monitor selection is not for the rep")
	}
	if err != nil {
		r.log.Warn("refusing a screen message", "err", err)
		return
	}
	r.mu.Lock()
	switch m.kind {
	case msgCursorPos:
		r.cur.Position, r.cur.Visible = m.pos, m.visible
	case msgCursorShape:
		r.cur.Shape, r.cur.Hotspot = m.shape, m.hotspot
	case msgLayout:
		r.mu.Unlock()
		latest(r.layout, m.layout)
		return
	}
	c := r.cur
	r.mu.Unlock()
	latest(r.cursor, c)
}

// receive reads the track until it ends: reassemble, decode, deliver; ask
// for a keyframe whenever the picture cannot be trusted.
func (r *RemoteScreen) receive(track *webrtc.TrackRemote) {
	c := codecOf(track.Codec().MimeType)
	dec, err := codec.NewDecoder(c)
	if err != nil {
		r.log.Error("screen decoder", "codec", track.Codec().MimeType, "err", err)
		return
	}
	defer dec.Close()
	r.mu.Lock()
	r.codec, r.track = c, track
	r.mu.Unlock()
	r.log.Info("receiving the screen", "codec", c)

	// Reading never waits for decoding: packets that SRTP has taken but
	// nobody reads are lost to the NACK machinery too (their
	// retransmissions look like replays), so a slow decode must cost
	// frames, never packets. Decoding runs on its own goroutine.
	queue := make(chan assembledFrame, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.decode(c, dec, queue)
	}()
	defer func() {
		close(queue)
		<-done
	}()

	asm := newAssembler(c)
	dropped, askedForLoss := false, false
	lastQueued := time.Now()
	for {
		_ = track.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		pkt, _, err := track.ReadRTP()
		now := time.Now()
		var frames []assembledFrame
		switch {
		case isTimeout(err):
			frames = asm.poll(now)
		case err != nil:
			if !errors.Is(err, io.EOF) {
				r.log.Warn("screen track stopped", "err", err)
			}
			return
		default:
			r.mu.Lock()
			r.received = true
			r.nwire += int64(pkt.MarshalSize())
			if len(pkt.Payload) == 0 && pkt.Padding {
				r.nalive++
			}
			r.mu.Unlock()
			frames = asm.push(pkt, now)
		}
		for _, f := range frames {
			f.afterLoss = f.afterLoss || dropped
			select {
			case queue <- f:
				dropped, lastQueued, askedForLoss = false, now, false
			default:
				dropped = true
			}
		}
		// Frames were given up: ask for a keyframe now, not when the
		// next frame comes (on a still screen that may be never); once
		// per loss, not again while the keyframe is on its way.
		if asm.lost && !askedForLoss {
			r.setBroken(true)
			r.sendPLI(true)
			askedForLoss = true
		}
		// The decoder asks for a keyframe when it sees a frame it cannot
		// use; this covers a keyframe that never arrives at all.
		if r.isBroken() && r.sawPackets() && now.Sub(lastQueued) > time.Second {
			r.sendPLI(false)
		}
	}
}

// decode decodes queued frames in order, skipping to a keyframe whenever
// the picture cannot be trusted.
func (r *RemoteScreen) decode(c codec.Codec, dec *codec.Decoder, queue <-chan assembledFrame) {
	r.setBroken(true) // until the first keyframe
	for f := range queue {
		key := isKeyframe(c, f.data)
		r.log.Debug("screen frame", "bytes", len(f.data), "key", key, "after_loss", f.afterLoss, "queued", len(queue))
		if f.afterLoss && !key {
			r.setBroken(true)
		}
		if r.isBroken() && !key {
			r.sendPLI(false)
			continue
		}
		img, err := dec.Decode(f.data)
		if err != nil {
			r.log.Debug("undecodable frame; asking for a keyframe", "err", err)
			r.setBroken(true)
			r.sendPLI(false)
			continue
		}
		r.setBroken(false)
		r.recs.frame(c, f, key, img)
		if img == nil {
			continue
		}
		r.record(img, len(f.data), key, time.Now())
		latest(r.frames, VideoFrame{Image: cloneYCbCr(img), Keyframe: key, Arrived: f.arrived, Decoded: time.Now(), Timestamp: f.timestamp})
	}
}

func (r *RemoteScreen) setBroken(b bool) {
	r.mu.Lock()
	r.broken = b
	r.mu.Unlock()
}

func (r *RemoteScreen) isBroken() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.broken
}

func (r *RemoteScreen) sawPackets() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.received
}

func (r *RemoteScreen) record(img *image.YCbCr, n int, key bool, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nframes++
	r.nbytes += int64(n)
	if key {
		r.nkeys++
	}
	r.size = img.Rect.Size()
	r.history = append(r.history, frameRecord{at: now, bytes: n})
	i := 0
	for i < len(r.history) && now.Sub(r.history[i].at) > statsWindow {
		i++
	}
	r.history = r.history[i:]
}

// isTimeout reports whether a read failed only because its deadline
// passed. Pion's SRTP stream says so in two ways: os.ErrDeadlineExceeded
// while it waits for a packet, and its buffer's own net.Error when the
// deadline passes between a packet being announced and read (rare, but
// common enough under load to have stopped a rep's screen for good).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// sendPLI asks the sender for a keyframe, at most every pliInterval
// unless forced.
func (r *RemoteScreen) sendPLI(force bool) {
	r.mu.Lock()
	t := r.track
	if t == nil || (!force && time.Since(r.lastPLI) < pliInterval) {
		r.mu.Unlock()
		return
	}
	r.lastPLI = time.Now()
	r.nplis++
	r.mu.Unlock()
	err := r.peer.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: uint32(t.SSRC())}})
	if err != nil {
		r.log.Debug("keyframe request not sent", "err", err)
	}
}

// isKeyframe reads the frame type from a VP8 or VP9 frame header.
func isKeyframe(c codec.Codec, b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if c == codec.VP8 {
		return b[0]&1 == 0
	}
	// VP9 uncompressed header: frame_marker(2) profile_low profile_high
	// [reserved_zero when profile 3] show_existing_frame frame_type.
	h := b[0]
	if h>>6 != 2 {
		return false
	}
	profile := (h>>5)&1 | ((h>>4)&1)<<1
	shift := 3
	if profile == 3 {
		shift = 2
	}
	if (h>>shift)&1 == 1 { // show_existing_frame
		return false
	}
	return (h>>(shift-1))&1 == 0
}

// cloneYCbCr copies a picture the decoder will overwrite.
func cloneYCbCr(src *image.YCbCr) *image.YCbCr {
	dst := &image.YCbCr{
		Y: make([]byte, len(src.Y)), Cb: make([]byte, len(src.Cb)), Cr: make([]byte, len(src.Cr)),
		YStride: src.YStride, CStride: src.CStride, SubsampleRatio: src.SubsampleRatio, Rect: src.Rect,
	}
	copy(dst.Y, src.Y)
	copy(dst.Cb, src.Cb)
	copy(dst.Cr, src.Cr)
	return dst
}
