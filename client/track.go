package client

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"

	"github.com/tandemhq/tandem/codec"
)

// rtpPayloadSize is the largest RTP payload: it keeps a packet with its
// headers, SRTP and a TURN envelope under a 1280-byte path MTU.
const rtpPayloadSize = 1100

// errNotBound: the track has no negotiated codec yet.
var errNotBound = errors.New("screen track not bound")

// screenTrack is the customer's screen as a WebRTC track. Unlike pion's
// static tracks it takes whichever of its codecs the negotiation chose
// (VP9 when both sides have it, VP8 otherwise), so the encoder is made
// after the answer, for the codec the rep can decode.
type screenTrack struct {
	codecs []codec.Codec
	onBind func(codec.Codec)

	mu    sync.Mutex
	bound *trackBinding
}

type trackBinding struct {
	codec      codec.Codec
	packetizer rtp.Packetizer
	writer     webrtc.TrackLocalWriter
}

func newScreenTrack(codecs []codec.Codec, onBind func(codec.Codec)) *screenTrack {
	return &screenTrack{codecs: codecs, onBind: onBind}
}

// Bind picks the codec from the negotiated ones.
func (t *screenTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	var remote []codec.Codec
	params := map[codec.Codec]webrtc.RTPCodecParameters{}
	for _, p := range ctx.CodecParameters() {
		if c := codecOf(p.MimeType); c != codec.Unknown {
			if _, dup := params[c]; !dup {
				params[c] = p
				remote = append(remote, c)
			}
		}
	}
	c, err := codec.Choose(t.codecs, remote)
	if err != nil {
		return webrtc.RTPCodecParameters{}, fmt.Errorf("screen track: %w", webrtc.ErrUnsupportedCodec)
	}
	p := params[c]
	var payloader rtp.Payloader = &codecs.VP8Payloader{EnablePictureID: true}
	if c == codec.VP9 {
		payloader = &codecs.VP9Payloader{}
	}
	b := &trackBinding{
		codec:      c,
		packetizer: rtp.NewPacketizer(rtpPayloadSize, uint8(p.PayloadType), uint32(ctx.SSRC()), payloader, rtp.NewRandomSequencer(), 90000),
		writer:     ctx.WriteStream(),
	}
	t.mu.Lock()
	t.bound = b
	t.mu.Unlock()
	if t.onBind != nil {
		t.onBind(c)
	}
	return p, nil
}

// Unbind stops writing.
func (t *screenTrack) Unbind(webrtc.TrackLocalContext) error {
	t.mu.Lock()
	t.bound = nil
	t.mu.Unlock()
	return nil
}

// ID is the track's ID.
func (t *screenTrack) ID() string { return "screen" }

// RID is empty: no simulcast.
func (t *screenTrack) RID() string { return "" }

// StreamID groups the track.
func (t *screenTrack) StreamID() string { return "tandem" }

// Kind is video.
func (t *screenTrack) Kind() webrtc.RTPCodecType { return webrtc.RTPCodecTypeVideo }

// Pacing of big frames: the first burstBytes of a frame go at once, the
// rest at paceFactor times the target bitrate (at least minPaceRate). A
// keyframe of a few hundred kilobytes sent in one burst overflows socket
// buffers on the way and at the receiver, and the losses cost another
// keyframe; spread over a few hundred milliseconds it arrives whole.
const (
	burstBytes  = 64 << 10
	paceFactor  = 3
	minPaceRate = 6_000_000 // bit/s
)

// writeFrame packetizes one encoded frame lasting samples (90 kHz ticks)
// since the previous one and sends it, pacing what exceeds the burst at
// about targetBps. It returns the bytes sent.
func (t *screenTrack) writeFrame(frame []byte, samples uint32, targetBps int) (int, error) {
	t.mu.Lock()
	b := t.bound
	t.mu.Unlock()
	if b == nil {
		return 0, errNotBound
	}
	rate := max(targetBps*paceFactor, minPaceRate)
	start := time.Now()
	n := 0
	for _, p := range b.packetizer.Packetize(frame, samples) {
		if over := n - burstBytes; over > 0 {
			due := start.Add(time.Duration(float64(over) * 8 / float64(rate) * float64(time.Second)))
			if wait := time.Until(due); wait > 0 {
				time.Sleep(wait)
			}
		}
		if _, err := b.writer.WriteRTP(&p.Header, p.Payload); err != nil {
			return n, fmt.Errorf("write rtp: %w", err)
		}
		n += len(p.Payload) + p.Header.MarshalSize()
	}
	return n, nil
}

// writeKeepAlive sends one padding-only packet: the stream is alive, and
// the congestion controller and NAT bindings keep their state, for a few
// hundred bytes and no work at either codec.
func (t *screenTrack) writeKeepAlive() (int, error) {
	t.mu.Lock()
	b := t.bound
	t.mu.Unlock()
	if b == nil {
		return 0, errNotBound
	}
	n := 0
	for _, p := range b.packetizer.GeneratePadding(1) {
		if _, err := b.writer.WriteRTP(&p.Header, p.Payload); err != nil {
			return n, fmt.Errorf("write rtp: %w", err)
		}
		n += p.Header.MarshalSize() + int(p.PaddingSize)
	}
	return n, nil
}
