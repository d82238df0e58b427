// Command bench measures Tandem's screen streaming on this machine and
// prints the figures as one JSON object, the last line of its output.
//
// It starts its own Xvfb display at 1920x1080 showing the test scene
// (internal/scene: a document that can sit still, be typed into or
// scroll, and a marker that changes colour when clicked), measures the
// capturer, the colour conversion and the codec on it, and then runs the
// real pipeline: the real server on loopback, a customer sharing the
// display, and a headless rep that decodes what arrives and clicks the
// marker through remote control. Progress goes to stderr.
//
// Usage:
//
//	bench [-codec vp9|vp8] [-seconds 10] [-clicks 30]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kbinani/screenshot"

	"github.com/tandemhq/tandem/capture"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/codec"
	"github.com/tandemhq/tandem/input"
	"github.com/tandemhq/tandem/input/inject"
	"github.com/tandemhq/tandem/internal/scene"
	"github.com/tandemhq/tandem/internal/xvfb"
	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server"
)

// Result is what the benchmark prints. Times are p50 unless named
// otherwise, in milliseconds; rates in kbit/s.
type Result struct {
	CaptureFullMS     float64 `json:"capture_full_ms"`
	CaptureBaselineMS float64 `json:"capture_baseline_ms"`
	CaptureSpeedup    float64 `json:"capture_speedup"`
	ConvertMS         float64 `json:"convert_ms"`
	ConvertGoMS       float64 `json:"convert_go_ms"`
	ConvertLibyuvMS   float64 `json:"convert_libyuv_ms"`
	Converter         string  `json:"converter"`
	EncodeMS          float64 `json:"encode_ms"`
	DecodeMS          float64 `json:"decode_ms"`
	FPSScroll         float64 `json:"fps_scroll"`
	KbpsIdle          float64 `json:"kbps_idle"`
	KbpsTyping        float64 `json:"kbps_typing"`
	KbpsScroll        float64 `json:"kbps_scroll"`
	PSNRStaticDB      float64 `json:"psnr_static_db"`
	ClickToPhotonP50  float64 `json:"click_to_photon_ms_p50"`
	ClickToPhotonP95  float64 `json:"click_to_photon_ms_p95"`
	FirstFrameMS      float64 `json:"first_frame_ms"`
	Codec             string  `json:"codec"`
	Width             int     `json:"width"`
	Height            int     `json:"height"`
}

const width, height = 1920, 1080

func main() {
	var (
		codecName = flag.String("codec", "", "force the codec (vp8 or vp9); empty negotiates (VP9 when both sides have it)")
		seconds   = flag.Int("seconds", 10, "length of each bitrate measurement")
		clicks    = flag.Int("clicks", 30, "clicks for click-to-photon")
		verbose   = flag.Bool("v", false, "log the pipeline's own messages")
		speed     = flag.Int("speed", 0, "encoder speed for the codec measurement (zero: the codec's default)")
	)
	flag.Parse()
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	var codecs []codec.Codec
	if *codecName != "" {
		var c codec.Codec
		if err := c.UnmarshalText([]byte(*codecName)); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(2)
		}
		codecs = []codec.Codec{c}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	b := &bench{log: log, codecs: codecs, seconds: time.Duration(*seconds) * time.Second, clicks: *clicks, speed: *speed}
	res, err := b.run(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	out, err := json.Marshal(res)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}

type bench struct {
	log     *slog.Logger
	codecs  []codec.Codec
	seconds time.Duration
	clicks  int
	speed   int

	d     *xvfb.Display
	scene *scene.Scene
	res   Result
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func (b *bench) run(ctx context.Context) (Result, error) {
	d, err := xvfb.Launch(xvfb.Options{Screens: []xvfb.Screen{{Width: width, Height: height}}})
	if err != nil {
		return Result{}, err
	}
	defer d.Stop()
	b.d = d
	b.res.Width, b.res.Height = width, height
	progress("display %s at %dx%d", d.Name, width, height)
	sc, err := scene.Start(d.Name, scene.Options{Mode: scene.ModeIdle}, b.log)
	if err != nil {
		return Result{}, fmt.Errorf("scene: %w", err)
	}
	defer sc.Close()
	b.scene = sc

	if err := b.capture(); err != nil {
		return Result{}, err
	}
	if err := b.codec(ctx); err != nil {
		return Result{}, err
	}
	if os.Getenv("TANDEM_BENCH_CODEC_ONLY") != "" {
		return b.res, nil
	}
	if err := b.pipeline(ctx); err != nil {
		return Result{}, err
	}
	return b.res, nil
}

// timeN runs f n times and returns the median in milliseconds.
func timeN(n int, f func() error) (float64, error) {
	var ds []float64
	for range n {
		t := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		ds = append(ds, float64(time.Since(t).Microseconds())/1000)
	}
	return percentile(ds, 50), nil
}

func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// capture measures one full grab against kbinani/screenshot, and the
// colour conversion with each converter.
func (b *bench) capture() error {
	progress("capture")
	for _, conv := range []capture.Converter{capture.ConverterGo, capture.ConverterLibyuv, capture.ConverterAuto} {
		if !conv.Available() {
			continue
		}
		c, err := capture.Open(b.d.Name, capture.Options{Converter: conv, CursorInterval: -1}, b.log)
		if err != nil {
			return fmt.Errorf("capture: %w", err)
		}
		if conv == capture.ConverterAuto {
			if c.Backend() != capture.BackendXShm {
				c.Close()
				return fmt.Errorf("capture: got the %v backend; want xshm", c.Backend())
			}
			if b.res.CaptureFullMS, err = timeN(100, c.GrabFull); err != nil {
				c.Close()
				return err
			}
		}
		if err := c.GrabFull(); err != nil {
			c.Close()
			return err
		}
		ms, err := timeN(100, func() error { _, err := c.ConvertFull(); return err })
		c.Close()
		if err != nil {
			return err
		}
		switch conv {
		case capture.ConverterGo:
			b.res.ConvertGoMS = ms
		case capture.ConverterLibyuv:
			b.res.ConvertLibyuvMS = ms
		default:
			b.res.ConvertMS = ms
		}
	}
	auto := capture.ConverterGo
	if capture.ConverterLibyuv.Available() {
		auto = capture.ConverterLibyuv
	}
	b.res.Converter = auto.String()

	// kbinani/screenshot reads $DISPLAY.
	if err := os.Setenv("DISPLAY", b.d.Name); err != nil {
		return err
	}
	ms, err := timeN(20, func() error {
		_, err := screenshot.CaptureRect(image.Rect(0, 0, width, height))
		return err
	})
	if err != nil {
		return fmt.Errorf("screenshot baseline: %w", err)
	}
	b.res.CaptureBaselineMS = ms
	if b.res.CaptureFullMS > 0 {
		b.res.CaptureSpeedup = math.Round(ms/b.res.CaptureFullMS*10) / 10
	}
	progress("capture %.2f ms, screenshot %.2f ms, convert %.2f ms (go %.2f, libyuv %.2f)",
		b.res.CaptureFullMS, ms, b.res.ConvertMS, b.res.ConvertGoMS, b.res.ConvertLibyuvMS)
	return nil
}

// codec encodes and decodes what the capturer sees while the scene
// scrolls.
func (b *bench) codec(ctx context.Context) error {
	c := codec.VP9
	if len(b.codecs) > 0 {
		c = b.codecs[0]
	}
	progress("codec %v while scrolling", c)
	capt, err := capture.Open(b.d.Name, capture.Options{CursorInterval: -1}, b.log)
	if err != nil {
		return err
	}
	defer capt.Close()
	enc, err := codec.NewEncoder(codec.EncoderConfig{Codec: c, Width: width, Height: height, BitrateKbps: 2800, Speed: b.speed})
	if err != nil {
		return err
	}
	defer enc.Close()
	dec, err := codec.NewDecoder(c)
	if err != nil {
		return err
	}
	defer dec.Close()
	if err := b.scene.SetMode(scene.ModeScrolling); err != nil {
		return err
	}
	defer b.scene.SetMode(scene.ModeIdle)
	var encs, decs []float64
	last := time.Now()
	for i := range 150 {
		f, err := capt.Next(ctx)
		if err != nil {
			return err
		}
		now := time.Now()
		t := time.Now()
		p, err := enc.Encode(f.Image, codec.EncodeOptions{Changed: f.Damage, ForceKeyframe: i == 0, Duration: now.Sub(last)})
		if err != nil {
			return err
		}
		last = now
		e := time.Since(t)
		if len(p.Data) == 0 {
			continue
		}
		t = time.Now()
		if _, err := dec.Decode(p.Data); err != nil {
			return err
		}
		if i >= 10 && !p.Keyframe { // steady state: scrolling delta frames
			encs = append(encs, float64(e.Microseconds())/1000)
			decs = append(decs, float64(time.Since(t).Microseconds())/1000)
		}
	}
	b.res.EncodeMS, b.res.DecodeMS = percentile(encs, 50), percentile(decs, 50)
	progress("encode %.2f ms, decode %.2f ms", b.res.EncodeMS, b.res.DecodeMS)
	return nil
}

// rep is the headless rep's view of the stream.
type rep struct {
	screen *client.RemoteScreen

	mu     sync.Mutex
	last   client.VideoFrame
	bright bool      // the marker's state in the last frame
	change time.Time // when the marker's state last changed
	frames int
}

// markerY is the luma of the marker's centre.
func markerY(img *image.YCbCr) uint8 {
	c := scene.MarkerRect().Min.Add(scene.MarkerRect().Size().Div(2))
	return img.Y[img.YOffset(c.X, c.Y)]
}

func (r *rep) consume(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-r.screen.Frames():
			bright := markerY(f.Image) > 108
			r.mu.Lock()
			if bright != r.bright || r.frames == 0 {
				r.change = f.Decoded
			}
			r.bright = bright
			r.last = f
			r.frames++
			r.mu.Unlock()
		}
	}
}

func (r *rep) marker() (bright bool, changed time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bright, r.change
}

func (r *rep) lastFrame() client.VideoFrame {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// pipeline runs the server, a customer sharing the display and a rep.
func (b *bench) pipeline(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dir, err := os.MkdirTemp("", "tandem-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	const password = "bench-password-1"
	srv, err := server.New(ctx, server.Config{
		DataDir: filepath.Join(dir, "data"), Addr: "127.0.0.1:0", TURNAddr: "127.0.0.1:0",
		AdminPassword: password, Logger: b.log.With("component", "server"),
	})
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	if err := srv.Start(ctx); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	defer srv.Close()
	cfg := client.Config{Server: srv.URL(), Fingerprint: srv.Fingerprint(), Logger: b.log, VideoCodecs: b.codecs}

	r, err := client.SignIn(ctx, cfg, server.AdminUsername, password)
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	defer r.Close()
	key, err := r.CreateKey(ctx)
	if err != nil {
		return err
	}

	capt, err := capture.Open(b.d.Name, capture.Options{}, b.log)
	if err != nil {
		return err
	}
	defer capt.Close()
	inj, err := inject.New(b.d.Name, b.log)
	if err != nil {
		return fmt.Errorf("injector: %w", err)
	}
	defer inj.Close()

	progress("pipeline: customer joins")
	joined := time.Now()
	cust, err := client.Join(ctx, cfg, key.Code, "Bench")
	if err != nil {
		return fmt.Errorf("join: %w", err)
	}
	defer cust.Close()
	cs := cust.Session()
	if err := cs.ShareScreen(capt); err != nil {
		return err
	}
	cs.HandleInput(func(_ protocol.Participant, ev input.Event) {
		if err := inj.Inject(ev); err != nil {
			b.log.Warn("inject", "err", err)
		}
	})
	go func() { // the customer grants control when asked
		for ev := range cs.Events() {
			if req, ok := ev.(client.ControlRequested); ok {
				_ = cs.GrantControl(req.Participant.ID)
			}
		}
	}()

	var rs *client.Session
	for rs == nil {
		select {
		case ev := <-r.Events():
			if w, ok := ev.(client.SessionWaiting); ok && w.Session.ID == cs.ID() {
				if rs, err = r.Accept(ctx, cs.ID()); err != nil {
					return fmt.Errorf("accept: %w", err)
				}
			}
		case <-time.After(30 * time.Second):
			return errors.New("the session never reached the rep's queue")
		}
	}
	peer, inControl, err := waitPeer(ctx, rs, cs.Self().ID)
	if err != nil {
		return err
	}
	rv := &rep{screen: peer.Screen()}
	select {
	case f := <-rv.screen.Frames():
		b.res.FirstFrameMS = ms(f.Decoded.Sub(joined))
		rv.last, rv.frames = f, 1
		rv.bright = markerY(f.Image) > 108
	case <-time.After(30 * time.Second):
		return errors.New("no frame within 30s")
	}
	go rv.consume(ctx)
	st := rv.screen.Stats()
	b.res.Codec = st.Codec.String()
	progress("first frame after %.0f ms, codec %v", b.res.FirstFrameMS, st.Codec)

	// Idle: wait for the top-off to end (the first keep-alive), then
	// measure.
	if err := b.waitStill(rv.screen); err != nil {
		return err
	}
	b.res.KbpsIdle = b.kbps(rv.screen, b.seconds)
	progress("idle %.1f kbit/s", b.res.KbpsIdle)

	if err := b.scene.SetMode(scene.ModeTyping); err != nil {
		return err
	}
	b.res.KbpsTyping = b.kbps(rv.screen, b.seconds)
	progress("typing %.1f kbit/s", b.res.KbpsTyping)

	if err := b.scene.SetMode(scene.ModeScrolling); err != nil {
		return err
	}
	time.Sleep(time.Second)
	before := rv.screen.Stats()
	b.res.KbpsScroll = b.kbps(rv.screen, b.seconds)
	b.res.FPSScroll = float64(rv.screen.Stats().Frames-before.Frames) / b.seconds.Seconds()
	progress("scrolling %.1f kbit/s at %.1f fps", b.res.KbpsScroll, b.res.FPSScroll)

	// Static quality: 2 s after the screen stops changing.
	if err := b.scene.SetMode(scene.ModeIdle); err != nil {
		return err
	}
	time.Sleep(2 * time.Second)
	ref, err := grab(b.d.Name)
	if err != nil {
		return err
	}
	got := rv.lastFrame().Image
	if got.Rect != ref.Rect {
		return fmt.Errorf("static quality: decoded %v; captured %v", got.Rect, ref.Rect)
	}
	b.res.PSNRStaticDB = math.Round(codec.PSNR(ref, got, ref.Rect)*100) / 100
	progress("static PSNR %.2f dB", b.res.PSNRStaticDB)

	return b.clickToPhoton(ctx, peer, inControl, rv)
}

// clickToPhoton clicks the marker from the rep and times until the rep
// decodes the frame where its colour changed.
func (b *bench) clickToPhoton(ctx context.Context, peer *client.Peer, inControl *atomic.Bool, rv *rep) error {
	if err := peer.RequestControl(); err != nil {
		return err
	}
	deadline := time.Now().Add(20 * time.Second)
	for !inControl.Load() {
		if time.Now().After(deadline) {
			return errors.New("the customer never granted control")
		}
		time.Sleep(20 * time.Millisecond)
	}
	c := scene.MarkerRect().Min.Add(scene.MarkerRect().Size().Div(2))
	if err := peer.SendInput(input.Event{Kind: input.KindMove, X: int32(c.X), Y: int32(c.Y)}); err != nil {
		return err
	}
	var lat []float64
	for i := range b.clicks {
		time.Sleep(300 * time.Millisecond)
		was, _ := rv.marker()
		sent := time.Now()
		for _, k := range []input.Kind{input.KindButtonDown, input.KindButtonUp} {
			if err := peer.SendInput(input.Event{Kind: k, Button: input.ButtonLeft}); err != nil {
				return err
			}
		}
		for {
			bright, at := rv.marker()
			if bright != was && at.After(sent) {
				lat = append(lat, ms(at.Sub(sent)))
				break
			}
			if time.Since(sent) > 10*time.Second {
				return fmt.Errorf("click %d: the marker did not change within 10s", i+1)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Millisecond):
			}
		}
	}
	b.res.ClickToPhotonP50, b.res.ClickToPhotonP95 = percentile(lat, 50), percentile(lat, 95)
	progress("click to photon p50 %.1f ms, p95 %.1f ms over %d clicks", b.res.ClickToPhotonP50, b.res.ClickToPhotonP95, len(lat))
	return nil
}

// waitPeer waits for the rep's connection to the customer and follows
// the rep's control state from the session's events.
func waitPeer(ctx context.Context, s *client.Session, id string) (*client.Peer, *atomic.Bool, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		if p := s.Peer(id); p != nil {
			if err := p.Connected(ctx); err != nil {
				return nil, nil, err
			}
			var inControl atomic.Bool
			go func() {
				for ev := range s.Events() {
					if c, ok := ev.(client.ControlChanged); ok {
						inControl.Store(c.InControl)
					}
				}
			}()
			return p, &inControl, nil
		}
		if time.Now().After(deadline) {
			return nil, nil, errors.New("no peer connection within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitStill waits until the sender has nothing left to refine: it sends
// keep-alives only then.
func (b *bench) waitStill(s *client.RemoteScreen) error {
	start := s.Stats().KeepAlives
	deadline := time.Now().Add(60 * time.Second)
	for s.Stats().KeepAlives == start {
		if time.Now().After(deadline) {
			return errors.New("the picture never went still")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// kbps measures the stream's bitrate on the wire over d.
func (b *bench) kbps(s *client.RemoteScreen, d time.Duration) float64 {
	before := s.Stats().WireBytes
	time.Sleep(d)
	return math.Round(float64(s.Stats().WireBytes-before)*8/1000/d.Seconds()*10) / 10
}

// grab reads the screen afresh.
func grab(display string) (*image.YCbCr, error) {
	c, err := capture.Open(display, capture.Options{CursorInterval: -1}, nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.GrabFull(); err != nil {
		return nil, err
	}
	return c.ConvertFull()
}

func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())/100) / 10 }
