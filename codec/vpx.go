//go:build cgo

package codec

/*
#cgo pkg-config: vpx
#include <stdlib.h>
#include <string.h>
#include <vpx/vpx_encoder.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>

// vpx_codec_control is a variadic macro, which cgo cannot call.
static vpx_codec_err_t tnd_ctl_int(vpx_codec_ctx_t *c, int id, int v) {
	return vpx_codec_control_(c, id, v);
}
static vpx_codec_err_t tnd_ctl_ptr(vpx_codec_ctx_t *c, int id, void *p) {
	return vpx_codec_control_(c, id, p);
}

static vpx_codec_iface_t *tnd_enc_iface(int vp9) {
	return vp9 ? vpx_codec_vp9_cx() : vpx_codec_vp8_cx();
}
static vpx_codec_iface_t *tnd_dec_iface(int vp9) {
	return vp9 ? vpx_codec_vp9_dx() : vpx_codec_vp8_dx();
}

static vpx_codec_err_t tnd_enc_init(vpx_codec_ctx_t *ctx, int vp9, const vpx_codec_enc_cfg_t *cfg) {
	return vpx_codec_enc_init(ctx, tnd_enc_iface(vp9), cfg, 0);
}
static vpx_codec_err_t tnd_dec_init(vpx_codec_ctx_t *ctx, int vp9, unsigned int threads) {
	vpx_codec_dec_cfg_t cfg = {threads, 0, 0};
	return vpx_codec_dec_init(ctx, tnd_dec_iface(vp9), &cfg, 0);
}

// tnd_out collects the compressed data of one encode call in C memory.
typedef struct {
	unsigned char *buf;
	size_t len, cap;
	int keyframe;
} tnd_out;

// tnd_encode wraps the caller's planes (Go memory, only read during the
// call: libvpx copies the source into its own lookahead buffer) in an
// image, encodes it and gathers the packets into out.
static vpx_codec_err_t tnd_encode(vpx_codec_ctx_t *ctx, int w, int h,
		unsigned char *y, unsigned char *u, unsigned char *v, int ystride, int cstride,
		vpx_codec_pts_t pts, unsigned long duration, vpx_enc_frame_flags_t flags,
		tnd_out *out) {
	vpx_image_t img;
	if (!vpx_img_wrap(&img, VPX_IMG_FMT_I420, w, h, 1, y)) return VPX_CODEC_INVALID_PARAM;
	img.planes[VPX_PLANE_Y] = y;
	img.planes[VPX_PLANE_U] = u;
	img.planes[VPX_PLANE_V] = v;
	img.stride[VPX_PLANE_Y] = ystride;
	img.stride[VPX_PLANE_U] = cstride;
	img.stride[VPX_PLANE_V] = cstride;
	vpx_codec_err_t err = vpx_codec_encode(ctx, &img, pts, duration, flags, VPX_DL_REALTIME);
	if (err != VPX_CODEC_OK) return err;
	out->len = 0;
	out->keyframe = 0;
	vpx_codec_iter_t iter = NULL;
	const vpx_codec_cx_pkt_t *pkt;
	while ((pkt = vpx_codec_get_cx_data(ctx, &iter)) != NULL) {
		if (pkt->kind != VPX_CODEC_CX_FRAME_PKT) continue;
		size_t n = pkt->data.frame.sz;
		if (out->len + n > out->cap) {
			size_t cap = (out->len + n) * 2;
			unsigned char *b = realloc(out->buf, cap);
			if (b == NULL) return VPX_CODEC_MEM_ERROR;
			out->buf = b;
			out->cap = cap;
		}
		memcpy(out->buf + out->len, pkt->data.frame.buf, n);
		out->len += n;
		if (pkt->data.frame.flags & VPX_FRAME_IS_KEY) out->keyframe = 1;
	}
	return VPX_CODEC_OK;
}

// tnd_set_active_map sets (map != NULL) or clears the encoder's active map.
static vpx_codec_err_t tnd_set_active_map(vpx_codec_ctx_t *ctx, unsigned char *map, unsigned int rows, unsigned int cols) {
	vpx_active_map_t am = {map, rows, cols};
	return vpx_codec_control_(ctx, VP8E_SET_ACTIVEMAP, &am);
}

static int tnd_last_q(vpx_codec_ctx_t *ctx) {
	int q = -1;
	if (vpx_codec_control_(ctx, VP8E_GET_LAST_QUANTIZER_64, &q) != VPX_CODEC_OK) return -1;
	return q;
}

// tnd_decode decodes one compressed frame and returns its last image, or
// NULL with *err set. *corrupt reports a frame the decoder flagged as
// damaged.
static vpx_image_t *tnd_decode(vpx_codec_ctx_t *ctx, const unsigned char *data, unsigned int n,
		vpx_codec_err_t *err, int *corrupt) {
	*err = vpx_codec_decode(ctx, data, n, NULL, 0);
	if (*err != VPX_CODEC_OK) return NULL;
	*corrupt = 0;
	vpx_codec_control_(ctx, VP8D_GET_FRAME_CORRUPTED, corrupt);
	vpx_codec_iter_t iter = NULL;
	vpx_image_t *img, *last = NULL;
	while ((img = vpx_codec_get_frame(ctx, &iter)) != NULL) last = img;
	return last;
}

*/
import "C"

import (
	"fmt"
	"image"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// Supported returns the codecs this build encodes and decodes, best first.
func Supported() []Codec { return []Codec{VP9, VP8} }

// vpxError wraps a libvpx status with the operation and the context's
// detail message.
func vpxError(op string, ctx *C.vpx_codec_ctx_t, err C.vpx_codec_err_t, sentinel error) error {
	msg := C.GoString(C.vpx_codec_err_to_string(err))
	if ctx != nil {
		if d := C.vpx_codec_error_detail(ctx); d != nil {
			msg += ": " + C.GoString(d)
		}
	}
	return fmt.Errorf("%s: %s: %w", op, msg, sentinel)
}

// timebase of the presentation timestamps given to libvpx: microseconds.
const timebase = 1_000_000

// Quantizer settings (libvpx's 0..63 scale). Ordinary frames let CBR pick
// between minQuantizer and maxQuantizer; top-off frames use the codec's
// refine quantizer, which a macroblock must reach to count as sharp (VP8
// needs a finer one than VP9 for the same quality: about 48 dB against 50
// on text). maxBurst bounds the credit a still screen saves up for its
// top-off, maxDebt the debt a burst of changes runs up.
const (
	minQuantizer       = 2
	maxQuantizer       = 56
	refineQuantizer    = 10
	vp8RefineQuantizer = 8
	maxBurst           = 250 * time.Millisecond
	maxDebt            = 500 * time.Millisecond
	initialMBBytes     = 40.0
	// VP8's screen-content mode stays off: it keeps the quantizer from
	// falling more than 12 steps a frame, which slows top-off (on 1080p
	// text 21 frames and 246 kB to sharp against 18 and 202 kB without)
	// and brings nothing measurable while the screen scrolls.
	vp8ScreenMode = 0
)

// Encoder encodes images of one size to VP8 or VP9. Its methods are safe
// for concurrent use (they serialise); Close releases the libvpx state.
type Encoder struct {
	mu     sync.Mutex
	cfg    EncoderConfig
	ctx    *C.vpx_codec_ctx_t // C memory; nil once closed
	enc    *C.vpx_codec_enc_cfg_t
	out    *C.tnd_out
	pts    int64
	frames int

	refineQ int // the quantizer of top-off frames

	active mbGrid // macroblocks given to libvpx for this frame
	dirty  mbGrid // macroblocks changed since they were last coded sharp
	cmap   *C.uchar

	// Top-off pacing: credit is the bits the bitrate allows to spend now,
	// mbBytes the estimated cost of refining one macroblock, cursor the
	// macroblock where the next refine band starts, waited the time since
	// the last frame sent.
	credit  float64
	mbBytes float64
	cursor  int
	waited  time.Duration
}

// NewEncoder returns an encoder for cfg.
func NewEncoder(cfg EncoderConfig) (*Encoder, error) {
	cfg, err := cfg.withDefaults(runtime.NumCPU())
	if err != nil {
		return nil, err
	}
	vp9 := C.int(0)
	if cfg.Codec == VP9 {
		vp9 = 1
	}
	e := &Encoder{
		cfg:    cfg,
		ctx:    (*C.vpx_codec_ctx_t)(C.calloc(1, C.sizeof_vpx_codec_ctx_t)),
		enc:    (*C.vpx_codec_enc_cfg_t)(C.calloc(1, C.sizeof_vpx_codec_enc_cfg_t)),
		out:    (*C.tnd_out)(C.calloc(1, C.sizeof_tnd_out)),
		active: newMBGrid(cfg.Width, cfg.Height),
		dirty:  newMBGrid(cfg.Width, cfg.Height),
	}
	e.cmap = (*C.uchar)(C.calloc(C.size_t(len(e.active.cells)), 1))
	if e.ctx == nil || e.enc == nil || e.out == nil || e.cmap == nil {
		e.free()
		return nil, fmt.Errorf("new %v encoder: out of memory: %w", cfg.Codec, ErrLibvpx)
	}
	e.dirty.fill(1)
	e.mbBytes = initialMBBytes
	e.refineQ = refineQuantizer
	if cfg.Codec == VP8 {
		e.refineQ = vp8RefineQuantizer
	}

	c := e.enc
	if rc := C.vpx_codec_enc_config_default(C.tnd_enc_iface(vp9), c, 0); rc != C.VPX_CODEC_OK {
		e.free()
		return nil, vpxError("default encoder config", nil, rc, ErrLibvpx)
	}
	c.g_w = C.uint(cfg.Width)
	c.g_h = C.uint(cfg.Height)
	c.g_threads = C.uint(cfg.Threads)
	c.g_timebase.num = 1
	c.g_timebase.den = timebase
	// VP9 codes a screen better without error resilience (18% fewer bytes
	// to top off 1080p text); a lost frame is repaired by retransmission
	// or a keyframe either way.
	if cfg.Codec == VP8 {
		c.g_error_resilient = C.VPX_ERROR_RESILIENT_DEFAULT
	}
	c.g_lag_in_frames = 0
	c.g_pass = C.VPX_RC_ONE_PASS
	c.rc_end_usage = C.VPX_CBR
	c.rc_target_bitrate = C.uint(cfg.BitrateKbps)
	c.rc_dropframe_thresh = 0
	c.rc_resize_allowed = 0
	c.rc_min_quantizer = C.uint(minQuantizer)
	c.rc_max_quantizer = C.uint(maxQuantizer)
	c.rc_undershoot_pct = 100
	c.rc_overshoot_pct = 15
	c.rc_buf_initial_sz = 500
	c.rc_buf_optimal_sz = 600
	c.rc_buf_sz = 1000
	c.kf_mode = C.VPX_KF_DISABLED
	c.kf_min_dist = 0
	c.kf_max_dist = 1 << 30

	if rc := C.tnd_enc_init(e.ctx, vp9, c); rc != C.VPX_CODEC_OK {
		err := vpxError(fmt.Sprintf("init %v encoder", cfg.Codec), e.ctx, rc, ErrLibvpx)
		e.free()
		return nil, err
	}
	type ctl struct {
		id   C.int
		name string
		v    int
	}
	var ctls []ctl
	if cfg.Codec == VP8 {
		// Negative: a fixed speed. Positive values would let libvpx pick
		// a speed from the time it measures per frame.
		ctls = []ctl{
			{C.VP8E_SET_CPUUSED, "cpu-used", -cfg.Speed},
			{C.VP8E_SET_NOISE_SENSITIVITY, "noise sensitivity", 0},
			{C.VP8E_SET_STATIC_THRESHOLD, "static threshold", 1},
			{C.VP8E_SET_SCREEN_CONTENT_MODE, "screen content mode", vp8ScreenMode},
			{C.VP8E_SET_TOKEN_PARTITIONS, "token partitions", log2Threads(cfg.Threads, 3)},
		}
	} else {
		ctls = []ctl{
			{C.VP8E_SET_CPUUSED, "speed", cfg.Speed},
			{C.VP9E_SET_TUNE_CONTENT, "tune content", C.VP9E_CONTENT_SCREEN},
			{C.VP9E_SET_AQ_MODE, "aq mode", 3}, // cyclic refresh
			{C.VP9E_SET_NOISE_SENSITIVITY, "noise sensitivity", 0},
			{C.VP8E_SET_STATIC_THRESHOLD, "static threshold", 1},
			{C.VP9E_SET_TILE_COLUMNS, "tile columns", log2Threads(cfg.Threads, 2)},
			{C.VP9E_SET_ROW_MT, "row mt", boolInt(cfg.Threads > 1)},
		}
	}
	for _, k := range ctls {
		if rc := C.tnd_ctl_int(e.ctx, k.id, C.int(k.v)); rc != C.VPX_CODEC_OK {
			err := vpxError(fmt.Sprintf("set %v %s %d", cfg.Codec, k.name, k.v), e.ctx, rc, ErrLibvpx)
			C.vpx_codec_destroy(e.ctx)
			e.free()
			return nil, err
		}
	}
	return e, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// log2Threads returns log2 of the largest power of two ≤ threads, capped.
func log2Threads(threads, limit int) int {
	n := 0
	for n < limit && 2<<n <= threads {
		n++
	}
	return n
}

// Config returns the encoder's configuration with its defaults filled in.
func (e *Encoder) Config() EncoderConfig {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg
}

// SetBitrate changes the target bitrate from the next frame on.
func (e *Encoder) SetBitrate(kbps int) error {
	if kbps < MinBitrateKbps || kbps > MaxBitrateKbps {
		return fmt.Errorf("set bitrate %d kbit/s: %w", kbps, ErrBadConfig)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ctx == nil {
		return ErrClosed
	}
	if kbps == e.cfg.BitrateKbps {
		return nil
	}
	e.enc.rc_target_bitrate = C.uint(kbps)
	if rc := C.vpx_codec_enc_config_set(e.ctx, e.enc); rc != C.VPX_CODEC_OK {
		e.enc.rc_target_bitrate = C.uint(e.cfg.BitrateKbps)
		return vpxError(fmt.Sprintf("set bitrate %d kbit/s", kbps), e.ctx, rc, ErrLibvpx)
	}
	e.cfg.BitrateKbps = kbps
	return nil
}

// Encode encodes img, which must have the encoder's size and 4:2:0
// subsampling (bounds starting at odd coordinates put its chroma half a
// pixel off: give a sub-image at even ones). libvpx only reads img during
// the call, so the caller may update it in place afterwards. See
// EncodeOptions for the per-frame choices and the package documentation
// for top-off.
//
// A Refine frame may come back with no Data: either the picture is sharp
// (Packet.Sharp) or the bitrate budget is spent for now and the caller
// should try again after the next frame interval.
func (e *Encoder) Encode(img *image.YCbCr, opts EncodeOptions) (Packet, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ctx == nil {
		return Packet{}, ErrClosed
	}
	w, h := e.cfg.Width, e.cfg.Height
	if err := checkImage(img, w, h); err != nil {
		return Packet{}, fmt.Errorf("encode: %w", err)
	}
	if opts.Duration < 0 {
		return Packet{}, fmt.Errorf("encode: negative duration %v: %w", opts.Duration, ErrBadConfig)
	}
	d := opts.Duration
	if d == 0 {
		d = time.Second / time.Duration(e.cfg.FrameRate)
	}
	bps := float64(e.cfg.BitrateKbps) * 1000
	e.credit = min(e.credit+d.Seconds()*bps, bps*maxBurst.Seconds())
	e.credit = max(e.credit, -bps*maxDebt.Seconds())
	e.waited += d

	keyframe := opts.ForceKeyframe || e.frames == 0
	refine := opts.Refine && !keyframe
	qmin, qmax := minQuantizer, maxQuantizer

	// Which macroblocks libvpx looks at.
	switch {
	case keyframe, opts.Changed == nil && !opts.Refine:
		e.active.fill(1)
	case refine:
		if e.dirty.count() == 0 {
			return Packet{Sharp: true}, nil
		}
		if e.credit <= 0 {
			return Packet{}, nil
		}
		e.pickRefineBand(e.credit / 8)
		qmin, qmax = e.refineQ, e.refineQ
	default:
		e.active.fill(0)
		for _, r := range opts.Changed {
			e.active.mark(r, img.Rect.Min)
		}
	}
	n := e.active.count()
	if n == 0 {
		// Nothing changed: nothing to send.
		return Packet{Sharp: e.dirty.count() == 0}, nil
	}
	if err := e.setQuantizers(qmin, qmax); err != nil {
		return Packet{}, err
	}
	// An active map pays when it leaves out a good part of the frame.
	useMap := !keyframe && n*4 < len(e.active.cells)*3
	if useMap {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(e.cmap)), len(e.active.cells)), e.active.cells)
		if rc := C.tnd_set_active_map(e.ctx, e.cmap, C.uint(e.active.rows), C.uint(e.active.cols)); rc != C.VPX_CODEC_OK {
			return Packet{}, vpxError("set active map", e.ctx, rc, ErrLibvpx)
		}
	} else {
		e.active.fill(1)
		if rc := C.tnd_set_active_map(e.ctx, nil, C.uint(e.active.rows), C.uint(e.active.cols)); rc != C.VPX_CODEC_OK {
			return Packet{}, vpxError("clear active map", e.ctx, rc, ErrLibvpx)
		}
	}

	// The frame lasts from the previous frame sent, including the Refine
	// calls that sent nothing.
	dur := max(e.waited.Microseconds(), 1)
	var flags C.vpx_enc_frame_flags_t
	if keyframe {
		flags |= C.VPX_EFLAG_FORCE_KF
	}
	r := img.Rect
	yo, co := img.YOffset(r.Min.X, r.Min.Y), img.COffset(r.Min.X, r.Min.Y)
	rc := C.tnd_encode(e.ctx, C.int(w), C.int(h),
		(*C.uchar)(unsafe.Pointer(&img.Y[yo])),
		(*C.uchar)(unsafe.Pointer(&img.Cb[co])),
		(*C.uchar)(unsafe.Pointer(&img.Cr[co])),
		C.int(img.YStride), C.int(img.CStride),
		C.vpx_codec_pts_t(e.pts), C.ulong(dur), flags, e.out)
	if rc != C.VPX_CODEC_OK {
		return Packet{}, vpxError(fmt.Sprintf("encode %v frame %d", e.cfg.Codec, e.frames), e.ctx, rc, ErrLibvpx)
	}
	e.pts += dur
	e.waited = 0
	e.frames++
	p := Packet{
		Data:      C.GoBytes(unsafe.Pointer(e.out.buf), C.int(e.out.len)),
		Keyframe:  e.out.keyframe != 0,
		Quantizer: int(C.tnd_last_q(e.ctx)),
	}
	e.credit -= float64(8 * len(p.Data))
	if refine {
		b := float64(len(p.Data)) / float64(n)
		e.mbBytes = (e.mbBytes + b) / 2
	}
	// Track which macroblocks still need refining.
	sharp := p.Quantizer >= 0 && p.Quantizer <= e.refineQ
	for i, a := range e.active.cells {
		if a != 0 {
			e.dirty.cells[i] = boolByte(!sharp)
		}
	}
	p.Sharp = e.dirty.count() == 0
	return p, nil
}

// pickRefineBand makes the active map the dirty macroblocks that fit in
// about budget bytes, in raster order from where the previous band ended.
func (e *Encoder) pickRefineBand(budget float64) {
	e.active.fill(0)
	cells := e.dirty.cells
	want := max(int(budget/max(e.mbBytes, 1)), 1)
	got := 0
	i := e.cursor % len(cells)
	for range cells {
		if cells[i] != 0 {
			e.active.cells[i] = 1
			got++
			if got >= want {
				i = (i + 1) % len(cells)
				break
			}
		}
		i = (i + 1) % len(cells)
	}
	e.cursor = i
}

// setQuantizers changes libvpx's quantizer range if it differs.
func (e *Encoder) setQuantizers(qmin, qmax int) error {
	if e.enc.rc_min_quantizer == C.uint(qmin) && e.enc.rc_max_quantizer == C.uint(qmax) {
		return nil
	}
	e.enc.rc_min_quantizer = C.uint(qmin)
	e.enc.rc_max_quantizer = C.uint(qmax)
	if rc := C.vpx_codec_enc_config_set(e.ctx, e.enc); rc != C.VPX_CODEC_OK {
		return vpxError(fmt.Sprintf("set quantizers %d..%d", qmin, qmax), e.ctx, rc, ErrLibvpx)
	}
	return nil
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// Close releases the encoder. It is idempotent.
func (e *Encoder) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ctx == nil {
		return nil
	}
	var err error
	if rc := C.vpx_codec_destroy(e.ctx); rc != C.VPX_CODEC_OK {
		err = vpxError("close encoder", nil, rc, ErrLibvpx)
	}
	e.free()
	return err
}

// free releases the C memory; the codec context must be destroyed (or
// never initialised).
func (e *Encoder) free() {
	if e.out != nil {
		C.free(unsafe.Pointer(e.out.buf))
	}
	for _, p := range []unsafe.Pointer{unsafe.Pointer(e.ctx), unsafe.Pointer(e.enc), unsafe.Pointer(e.out), unsafe.Pointer(e.cmap)} {
		C.free(p)
	}
	e.ctx, e.enc, e.out, e.cmap = nil, nil, nil, nil
}

// Decoder decodes a VP8 or VP9 stream. Its methods are safe for concurrent
// use (they serialise).
type Decoder struct {
	mu    sync.Mutex
	codec Codec
	ctx   *C.vpx_codec_ctx_t // nil once closed
	buf   *C.uchar           // the compressed frame, copied to C memory
	cap   int
	img   *image.YCbCr // the last decoded picture, reused
}

// NewDecoder returns a decoder for c.
func NewDecoder(c Codec) (*Decoder, error) {
	if c != VP8 && c != VP9 {
		return nil, fmt.Errorf("decoder for %v: %w", c, ErrUnknownCodec)
	}
	d := &Decoder{codec: c, ctx: (*C.vpx_codec_ctx_t)(C.calloc(1, C.sizeof_vpx_codec_ctx_t))}
	if d.ctx == nil {
		return nil, fmt.Errorf("new %v decoder: out of memory: %w", c, ErrLibvpx)
	}
	threads := min(autoThreads(c, runtime.NumCPU()), 4)
	if rc := C.tnd_dec_init(d.ctx, d.vp9(), C.uint(threads)); rc != C.VPX_CODEC_OK {
		err := vpxError(fmt.Sprintf("init %v decoder", c), d.ctx, rc, ErrLibvpx)
		C.free(unsafe.Pointer(d.ctx))
		return nil, err
	}
	return d, nil
}

func (d *Decoder) vp9() C.int {
	if d.codec == VP9 {
		return 1
	}
	return 0
}

// maxFrameBytes bounds one compressed frame given to Decode.
const maxFrameBytes = 64 << 20

// Decode decodes one compressed frame (as Encoder.Encode produced it) and
// returns the picture. The image belongs to the Decoder and is overwritten
// by the next Decode: copy it to keep it. A frame that decodes to no
// picture returns nil and no error. Truncated or corrupt input, or a stream
// that does not start with a keyframe, returns an error wrapping
// ErrCorrupt; the caller should then ask the sender for a keyframe.
func (d *Decoder) Decode(frame []byte) (*image.YCbCr, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil {
		return nil, ErrClosed
	}
	if len(frame) == 0 || len(frame) > maxFrameBytes {
		return nil, fmt.Errorf("decode %v: frame of %d bytes: %w", d.codec, len(frame), ErrCorrupt)
	}
	// libvpx allocates whatever size a frame declares: refuse absurd ones
	// before it sees them.
	if err := checkFrameSizes(d.codec, frame); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if len(frame) > d.cap {
		C.free(unsafe.Pointer(d.buf))
		d.cap = max(len(frame), 64<<10)
		d.buf = (*C.uchar)(C.malloc(C.size_t(d.cap)))
		if d.buf == nil {
			d.cap = 0
			return nil, fmt.Errorf("decode: out of memory: %w", ErrLibvpx)
		}
	}
	copy(unsafe.Slice((*byte)(unsafe.Pointer(d.buf)), len(frame)), frame)
	n := C.uint(len(frame))

	var rc C.vpx_codec_err_t
	var corrupt C.int
	vimg := C.tnd_decode(d.ctx, d.buf, n, &rc, &corrupt)
	if rc != C.VPX_CODEC_OK {
		return nil, vpxError(fmt.Sprintf("decode %v", d.codec), d.ctx, rc, ErrCorrupt)
	}
	if corrupt != 0 {
		return nil, fmt.Errorf("decode %v: frame marked corrupt: %w", d.codec, ErrCorrupt)
	}
	if vimg == nil {
		return nil, nil
	}
	return d.picture(vimg)
}

// picture copies a libvpx image into d.img.
func (d *Decoder) picture(v *C.vpx_image_t) (*image.YCbCr, error) {
	if v.fmt != C.VPX_IMG_FMT_I420 {
		return nil, fmt.Errorf("decode %v: image format %d is not 8-bit 4:2:0: %w", d.codec, int(v.fmt), ErrCorrupt)
	}
	w, h := int(v.d_w), int(v.d_h)
	if !sizeOK(w, h) {
		return nil, fmt.Errorf("decode %v: picture of %dx%d: %w", d.codec, w, h, ErrCorrupt)
	}
	if d.img == nil || d.img.Rect.Dx() != w || d.img.Rect.Dy() != h {
		d.img = image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	}
	cw, ch := (w+1)/2, (h+1)/2
	copyPlane(d.img.Y, d.img.YStride, v.planes[C.VPX_PLANE_Y], int(v.stride[C.VPX_PLANE_Y]), w, h)
	copyPlane(d.img.Cb, d.img.CStride, v.planes[C.VPX_PLANE_U], int(v.stride[C.VPX_PLANE_U]), cw, ch)
	copyPlane(d.img.Cr, d.img.CStride, v.planes[C.VPX_PLANE_V], int(v.stride[C.VPX_PLANE_V]), cw, ch)
	return d.img, nil
}

// copyPlane copies w x h bytes of a C plane into a Go plane.
func copyPlane(dst []byte, dstStride int, src *C.uchar, srcStride, w, h int) {
	s := unsafe.Slice((*byte)(unsafe.Pointer(src)), (h-1)*srcStride+w)
	for y := range h {
		copy(dst[y*dstStride:y*dstStride+w], s[y*srcStride:y*srcStride+w])
	}
}

// Codec returns the decoder's codec.
func (d *Decoder) Codec() Codec { return d.codec }

// Close releases the decoder. It is idempotent.
func (d *Decoder) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil {
		return nil
	}
	var err error
	if rc := C.vpx_codec_destroy(d.ctx); rc != C.VPX_CODEC_OK {
		err = vpxError("close decoder", nil, rc, ErrLibvpx)
	}
	C.free(unsafe.Pointer(d.ctx))
	C.free(unsafe.Pointer(d.buf))
	d.ctx, d.buf, d.cap, d.img = nil, nil, 0, nil
	return err
}
