package client

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/tandemhq/tandem/codec"
	"github.com/tandemhq/tandem/protocol"
)

// Recording the customer's screen. The server never sees the picture
// (media goes peer to peer), so the rep's console records the encoded
// frames it receives into an IVF file and uploads it when the session
// ends ([Rep.UploadRecording]).
//
// The IVF container: a 32-byte file header ("DKIF", version 0, header
// size 32, the codec's FourCC, width, height, time base denominator and
// numerator, frame count, unused) and then each frame as a 12-byte header
// (frame size, 64-bit timestamp in time base units) and the frame's bytes,
// all little-endian.
//
// Only frames the rep's decoder accepted are written, from a keyframe on,
// so the file always decodes from its start. A frame the writer cannot
// keep up with is not skipped silently: the recording then waits for the
// next keyframe (and asks for one), so it has a gap but no broken picture.
//
// A change of resolution during the session (the customer picks another
// monitor, or changes its mode) is written as it comes: VP8 and VP9 start
// every new size with a keyframe carrying the size, which decoders and
// IVF players follow; the file header keeps the first keyframe's size.
// Frames of another codec than the first keyframe's (a renegotiated track)
// are left out, since an IVF file holds one codec.

// IVF layout.
const (
	ivfSignature       = "DKIF"
	ivfFileHeaderSize  = 32
	ivfFrameHeaderSize = 12
	// ivfTimebase: timestamps are in milliseconds.
	ivfTimebase = 1000
	// ivfFrameCountOffset is where the file header holds the frame count.
	ivfFrameCountOffset = 24
)

// Recording limits and pacing.
const (
	// recordQueue is how many frames may wait for the writer.
	recordQueue = 64
	// rtpVideoClock is the RTP clock of VP8 and VP9 (90 kHz).
	rtpVideoClock = 90000
	// maxClockSkew is how far the RTP clock may disagree with the frames'
	// arrival before the arrival times are trusted instead (a new track
	// with a new timestamp base, a wrap after hours of a still screen).
	maxClockSkew = 5 * time.Second
	// recordingContentType is the media type of an uploaded recording.
	recordingContentType = "video/x-ivf"
	// pathRecordingsSuffix follows PathSession and a session ID: a rep who
	// was in the session uploads its recording there.
	pathRecordingsSuffix = "/recordings"
)

// Recording writes the customer's screen as one rep receives it into an
// IVF stream; see [RemoteScreen.Record] (and [Session.RecordShown] for the
// rep's own screen).
type Recording struct {
	screen recordSource
	w      io.Writer
	queue  chan recordedFrame
	done   chan struct{}

	mu      sync.Mutex
	closed  bool
	codec   codec.Codec // of the first keyframe; Unknown before it
	waitKey bool        // skipping frames until a keyframe
	first   bool        // no frame taken yet
	lastRTP uint32
	lastAt  time.Time
	pts     time.Duration // of the last frame taken
	skipped int           // frames of another codec left out

	// Set by the writer goroutine, under mu (others read them).
	frames int
	err    error

	// Owned by the writer goroutine until done is closed.
	header  bool  // the file header is written
	written int64 // bytes written to w

	closeOnce sync.Once
	closeErr  error
}

// recordedFrame is a frame waiting for the writer.
type recordedFrame struct {
	data  []byte
	pts   time.Duration
	codec codec.Codec
	size  image.Point
}

// Record starts recording the screen into w: it asks the customer's
// client for a keyframe and writes, from the first keyframe on, every
// frame the rep's decoder accepts, with timestamps in milliseconds from
// the RTP clock. The file header carries the codec and the first
// keyframe's size; Close writes the frame count into it when w is an
// [io.WriteSeeker]. Several recordings of one screen may run at once.
// Close the recording to finish the file; it does not close w.
func (r *RemoteScreen) Record(w io.Writer) (*Recording, error) {
	if w == nil {
		return nil, errors.New("record screen: no writer")
	}
	rec := &Recording{screen: r, w: w, queue: make(chan recordedFrame, recordQueue), done: make(chan struct{}), first: true, waitKey: true}
	go rec.write()
	r.recs.add(rec)
	r.RequestKeyframe()
	return rec, nil
}

// Frames returns how many frames were written so far.
func (rec *Recording) Frames() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.frames
}

// Close stops recording, waits until the queued frames are written and
// completes the file: the header (an empty file is a valid IVF file of no
// frames) and, when the writer can seek, the frame count. It returns the
// first write error, if any. Close is idempotent.
func (rec *Recording) Close() error {
	rec.closeOnce.Do(func() {
		rec.screen.recorders().remove(rec)
		rec.mu.Lock()
		rec.closed = true
		rec.mu.Unlock()
		close(rec.queue)
		<-rec.done
		rec.closeErr = rec.finish()
		if rec.skipped > 0 {
			rec.screen.logger().Warn("recording left out frames of another codec", "frames", rec.skipped, "codec", rec.codec)
		}
	})
	return rec.closeErr
}

// finish writes what Close completes. The writer goroutine has exited.
func (rec *Recording) finish() error {
	if rec.err != nil {
		return rec.err
	}
	if !rec.header {
		// No frame came: an empty file of the stream's codec (VP8 when
		// none was negotiated yet).
		c := rec.screen.streamCodec()
		if err := rec.writeHeader(c, image.Point{}); err != nil {
			return err
		}
	}
	ws, ok := rec.w.(io.WriteSeeker)
	if !ok {
		return nil
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(rec.frames))
	if _, err := ws.Seek(ivfFrameCountOffset-rec.written, io.SeekCurrent); err != nil {
		return fmt.Errorf("recording: seek to the frame count: %w", err)
	}
	if _, err := ws.Write(b[:]); err != nil {
		return fmt.Errorf("recording: write the frame count: %w", err)
	}
	if _, err := ws.Seek(rec.written-ivfFrameCountOffset-4, io.SeekCurrent); err != nil {
		return fmt.Errorf("recording: seek to the end: %w", err)
	}
	return nil
}

// offer takes a frame the decoder accepted when the recording wants it.
// It never blocks.
func (rec *Recording) offer(c codec.Codec, f assembledFrame, key bool, size image.Point) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.closed || rec.err != nil {
		return
	}
	if rec.codec != codec.Unknown && c != rec.codec {
		rec.skipped++
		return
	}
	if rec.waitKey && !key {
		return
	}
	pts := rec.pts
	if !rec.first {
		rtp := time.Duration(int32(f.timestamp-rec.lastRTP)) * time.Second / rtpVideoClock
		wall := f.arrived.Sub(rec.lastAt)
		d := rtp
		if d < 0 || d-wall > maxClockSkew || wall-d > maxClockSkew {
			d = max(wall, 0)
		}
		pts += d
	}
	select {
	case rec.queue <- recordedFrame{data: f.data, pts: pts, codec: c, size: size}:
	default:
		// The writer fell behind: skipping this frame would break the
		// ones after it, so wait for a keyframe.
		rec.waitKey = true
		rec.screen.RequestKeyframe()
		return
	}
	if rec.first {
		rec.codec = c
	}
	rec.first, rec.waitKey = false, false
	rec.lastRTP, rec.lastAt, rec.pts = f.timestamp, f.arrived, pts
}

// write writes queued frames until the queue is closed; after an error
// it drops them. While the recording waits for a keyframe it asks again
// every pliInterval: the customer's client ignores requests that come
// right after a keyframe it sent, and a still screen sends no frames
// that would prompt one.
func (rec *Recording) write() {
	defer close(rec.done)
	t := time.NewTicker(pliInterval)
	defer t.Stop()
	for {
		select {
		case f, ok := <-rec.queue:
			if !ok {
				return
			}
			rec.writeQueued(f)
		case <-t.C:
			rec.mu.Lock()
			wait := rec.waitKey && rec.err == nil
			rec.mu.Unlock()
			if wait {
				rec.screen.sendPLI(false)
			}
		}
	}
}

// writeQueued writes a frame unless writing failed before.
func (rec *Recording) writeQueued(f recordedFrame) {
	if rec.getErr() != nil {
		return
	}
	err := rec.writeFrame(f)
	rec.mu.Lock()
	if err != nil {
		rec.err = err
	} else {
		rec.frames++
	}
	rec.mu.Unlock()
	if err != nil {
		rec.screen.logger().Error("recording stopped", "err", err)
	}
}

func (rec *Recording) getErr() error {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.err
}

// writeFrame writes one frame, and before the first one the file header.
func (rec *Recording) writeFrame(f recordedFrame) error {
	if !rec.header {
		if err := rec.writeHeader(f.codec, f.size); err != nil {
			return err
		}
	}
	var h [ivfFrameHeaderSize]byte
	binary.LittleEndian.PutUint32(h[0:4], uint32(len(f.data)))
	binary.LittleEndian.PutUint64(h[4:12], uint64(f.pts/time.Millisecond))
	if err := rec.put(h[:]); err != nil {
		return fmt.Errorf("recording: write a frame header: %w", err)
	}
	if err := rec.put(f.data); err != nil {
		return fmt.Errorf("recording: write a frame: %w", err)
	}
	return nil
}

// writeHeader writes the IVF file header with no frame count.
func (rec *Recording) writeHeader(c codec.Codec, size image.Point) error {
	var h [ivfFileHeaderSize]byte
	copy(h[0:4], ivfSignature)
	binary.LittleEndian.PutUint16(h[4:6], 0)
	binary.LittleEndian.PutUint16(h[6:8], ivfFileHeaderSize)
	fourcc := "VP80"
	if c == codec.VP9 {
		fourcc = "VP90"
	}
	copy(h[8:12], fourcc)
	binary.LittleEndian.PutUint16(h[12:14], uint16(min(size.X, 0xffff)))
	binary.LittleEndian.PutUint16(h[14:16], uint16(min(size.Y, 0xffff)))
	binary.LittleEndian.PutUint32(h[16:20], ivfTimebase)
	binary.LittleEndian.PutUint32(h[20:24], 1)
	if err := rec.put(h[:]); err != nil {
		return fmt.Errorf("recording: write the file header: %w", err)
	}
	rec.header = true
	return nil
}

// put writes b whole, counting what was written.
func (rec *Recording) put(b []byte) error {
	n, err := rec.w.Write(b)
	rec.written += int64(n)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return err
}

// recordSource is the stream a Recording follows: a RemoteScreen, or the
// screen a rep shows (repshare_record.go).
type recordSource interface {
	recorders() *recorders
	logger() *slog.Logger
	streamCodec() codec.Codec
	RequestKeyframe()
	sendPLI(force bool)
}

// recorders are the recordings of one screen. The zero value is ready.
type recorders struct {
	mu  sync.Mutex
	set map[*Recording]struct{}
}

func (rs *recorders) add(rec *Recording) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.set == nil {
		rs.set = make(map[*Recording]struct{})
	}
	rs.set[rec] = struct{}{}
}

func (rs *recorders) remove(rec *Recording) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	delete(rs.set, rec)
}

// frame hands a frame the decoder accepted (img may be nil for a frame
// that shows nothing) to every recording.
func (rs *recorders) frame(c codec.Codec, f assembledFrame, key bool, img *image.YCbCr) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if len(rs.set) == 0 {
		return
	}
	var size image.Point
	if img != nil {
		size = img.Rect.Size()
	}
	for rec := range rs.set {
		rec.offer(c, f, key, size)
	}
}

// UploadRecording sends a session's recording (an IVF file of size bytes)
// to the server. Only a rep who was in the session may, and only when the
// session's configuration records the customer's screen (the customer did
// not refuse); otherwise the server refuses with a *protocol.Error that
// says why. The upload is bounded by ctx, not by the API's usual timeout.
func (r *Rep) UploadRecording(ctx context.Context, sessionID string, f io.Reader, size int64) error {
	return r.uploadRecording(ctx, sessionID, "", f, size)
}

// uploadRecording uploads a recording of the customer's screen (screen
// "") or of the rep's ("rep").
func (r *Rep) uploadRecording(ctx context.Context, sessionID, screen string, f io.Reader, size int64) error {
	if size <= 0 {
		return fmt.Errorf("upload recording of session %s: size %d", sessionID, size)
	}
	path := protocol.PathSession + url.PathEscape(sessionID) + pathRecordingsSuffix
	if screen != "" {
		path += "?screen=" + url.QueryEscape(screen)
	}
	req, err := http.NewRequestWithContext(ctx, "POST", r.api.base.String()+path, io.LimitReader(f, size))
	if err != nil {
		return fmt.Errorf("upload recording of session %s: %w", sessionID, err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", recordingContentType)
	req.Header.Set(protocol.VersionHeader, strconv.Itoa(protocol.Version))
	req.Header.Set("Authorization", "Bearer "+r.api.token)
	hc := *r.api.http
	hc.Timeout = 0 // a long upload is bounded by ctx
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("upload recording of session %s: %w", sessionID, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, protocol.MaxFrameBytes))
	if resp.StatusCode >= 300 {
		perr := protocol.Error{Code: protocol.CodeInternal, Message: fmt.Sprintf("HTTP %d", resp.StatusCode)}
		var e protocol.Error
		if json.Unmarshal(b, &e) == nil && e.Code != "" {
			perr = e
		}
		return fmt.Errorf("upload recording of session %s: %w", sessionID, &perr)
	}
	r.log.Info("recording uploaded", "session", sessionID, "screen", screen, "bytes", size)
	return nil
}
