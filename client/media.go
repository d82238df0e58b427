package client

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/cc"
	"github.com/pion/interceptor/pkg/gcc"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/webrtc/v4"

	"github.com/tandemhq/tandem/codec"
)

// Bitrates the congestion controller works between, in bit/s. The start
// is what a sharp 1080p screen needs within a second or two; pion's own
// default start (10 kbit/s) would leave the first seconds a blur. The
// cap is what a scrolling 1080p screen needs to stay readable: more buys
// little that a rep can see, and on a LAN the estimator would otherwise
// climb to whatever the encoder can spend.
const (
	startBitrate = 2_000_000
	minBitrate   = 150_000
	maxBitrate   = 2_800_000
)

// videoFeedback is the RTCP feedback every video codec is offered with;
// NACK, PLI and transport-cc are added by the interceptors that use them.
var videoFeedback = []webrtc.RTCPFeedback{{Type: webrtc.TypeRTCPFBCCM, Parameter: "fir"}}

// videoCodecs returns the codecs a side offers, best first: the
// configured ones that this build supports, or all it supports.
func videoCodecs(want []codec.Codec) []codec.Codec {
	have := codec.Supported()
	if len(want) == 0 {
		return have
	}
	var out []codec.Codec
	for _, c := range want {
		for _, h := range have {
			if c == h {
				out = append(out, c)
			}
		}
	}
	return out
}

// estimator hands a peer connection's bandwidth estimator, which pion
// creates when the connection's interceptors are built, to its sender.
type estimator struct {
	mu  sync.Mutex
	est cc.BandwidthEstimator
}

func (e *estimator) set(b cc.BandwidthEstimator) {
	e.mu.Lock()
	e.est = b
	e.mu.Unlock()
}

// target is the estimator's target bitrate in bit/s, or zero before it
// exists.
func (e *estimator) target() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.est == nil {
		return 0
	}
	return e.est.GetTargetBitrate()
}

// newMediaAPI builds the pion API of one peer connection: the video
// codecs, NACK (both directions), RTCP reports, transport-wide congestion
// control feedback and Google congestion control (GCC) feeding est.
//
// GCC runs without its pacer: the encoder's rate control already keeps
// each frame near the target, and holding a frame's packets back would add
// its duration to every click's round trip.
func newMediaAPI(se webrtc.SettingEngine, codecs []codec.Codec, est *estimator) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	for i, c := range codecs {
		fmtp := ""
		if c == codec.VP9 {
			fmtp = "profile-id=0"
		}
		err := m.RegisterCodec(webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{
				MimeType: c.MimeType(), ClockRate: 90000, SDPFmtpLine: fmtp, RTCPFeedback: videoFeedback,
			},
			PayloadType: webrtc.PayloadType(96 + i),
		}, webrtc.RTPCodecTypeVideo)
		if err != nil {
			return nil, fmt.Errorf("register %v: %w", c, err)
		}
	}
	ir := &interceptor.Registry{}
	// NACK: ask again every 40 ms, at most five times a packet. Without
	// the cap a packet that SRTP took but nobody read (a burst before the
	// track was set up) is asked for forever: its retransmissions look
	// like replays to SRTP and never arrive.
	gen := []nack.GeneratorOption{
		nack.GeneratorSize(2048), nack.GeneratorInterval(40 * time.Millisecond), nack.GeneratorMaxNacksPerPacket(5),
	}
	if err := webrtc.ConfigureNackWithOptions(m, ir, gen, nack.ResponderSize(2048)); err != nil {
		return nil, fmt.Errorf("nack: %w", err)
	}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return nil, fmt.Errorf("rtcp reports: %w", err)
	}
	if err := webrtc.ConfigureTWCCSender(m, ir); err != nil {
		return nil, fmt.Errorf("twcc feedback: %w", err)
	}
	ccf, err := cc.NewInterceptor(func() (cc.BandwidthEstimator, error) {
		return gcc.NewSendSideBWE(
			gcc.SendSideBWEInitialBitrate(startBitrate),
			gcc.SendSideBWEMinBitrate(minBitrate),
			gcc.SendSideBWEMaxBitrate(maxBitrate),
			gcc.SendSideBWEPacer(gcc.NewNoOpPacer()),
		)
	})
	if err != nil {
		return nil, fmt.Errorf("congestion control: %w", err)
	}
	ccf.OnNewPeerConnection(func(_ string, b cc.BandwidthEstimator) { est.set(b) })
	// The congestion controller reads the transport-wide sequence number
	// that the header extension interceptor, added after it, writes.
	ir.Add(ccf)
	if err := webrtc.ConfigureTWCCHeaderExtensionSender(m, ir); err != nil {
		return nil, fmt.Errorf("twcc header: %w", err)
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir)), nil
}

// codecOf maps a negotiated media type to a codec.
func codecOf(mime string) codec.Codec {
	var c codec.Codec
	if err := c.UnmarshalText([]byte(strings.ToLower(mime))); err != nil {
		return codec.Unknown
	}
	return c
}
