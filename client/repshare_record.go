package client

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/tandemhq/tandem/codec"
	"github.com/tandemhq/tandem/protocol"
)

// Recording the rep's screen (Functions.RecordRepScreen). The rep's
// console records what it sends, as the rep's console records the
// customer's screen it receives: the encoded frames of one of its video
// senders (the first that sends a keyframe while a recording waits for
// one, until it stops) go into the same IVF writer, and the file is
// uploaded with [Rep.UploadRepScreenRecording]. No second encoder runs.

// sentStream is what a sharer's recordings follow. The zero value is
// ready.
type sentStream struct {
	recs recorders

	mu    sync.Mutex
	from  *videoSender // the sender whose stream is recorded
	codec codec.Codec
	start time.Time
}

// RecordShown starts recording the screen this rep shows into w, from
// the next keyframe on, like [RemoteScreen.Record]. Close the recording
// to finish the file; it does not close w. A recording follows one
// ShowScreen: StopShowing ends what it gets.
func (s *Session) RecordShown(w io.Writer) (*Recording, error) {
	if w == nil {
		return nil, errors.New("record shown screen: no writer")
	}
	sh := s.sharing()
	if sh == nil || s.self.Role == protocol.RoleCustomer {
		return nil, fmt.Errorf("record shown screen: %w", ErrNotShowing)
	}
	rec := &Recording{screen: sh, w: w, queue: make(chan recordedFrame, recordQueue), done: make(chan struct{}), first: true, waitKey: true}
	go rec.write()
	sh.sent.recs.add(rec)
	sh.RequestKeyframe()
	return rec, nil
}

// UploadRepScreenRecording sends a recording of the rep's own screen (an
// IVF file of size bytes) to the server, which takes it only from a rep
// of the session whose configuration records the rep's screen (and whose
// customer did not refuse recording). See [Rep.UploadRecording].
func (r *Rep) UploadRepScreenRecording(ctx context.Context, sessionID string, f io.Reader, size int64) error {
	return r.uploadRecording(ctx, sessionID, "rep", f, size)
}

func (sh *sharer) recorders() *recorders { return &sh.sent.recs }

func (sh *sharer) logger() *slog.Logger { return sh.log }

func (sh *sharer) streamCodec() codec.Codec {
	sh.sent.mu.Lock()
	defer sh.sent.mu.Unlock()
	return sh.sent.codec
}

// RequestKeyframe makes the recorded sender (or, before one is chosen,
// every sender) send a keyframe.
func (sh *sharer) RequestKeyframe() {
	sh.sent.mu.Lock()
	from := sh.sent.from
	sh.sent.mu.Unlock()
	if from != nil && sh.attached(from) {
		from.requestKeyframe()
		return
	}
	for _, vs := range sh.list() {
		vs.requestKeyframe()
	}
}

func (sh *sharer) sendPLI(bool) { sh.RequestKeyframe() }

func (sh *sharer) attached(vs *videoSender) bool {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	_, ok := sh.senders[vs]
	return ok
}

// tapSent hands a frame a sender sent to the recordings, if any.
func (sh *sharer) tapSent(vs *videoSender, c codec.Codec, p codec.Packet, img *image.YCbCr, now time.Time) {
	rs := &sh.sent.recs
	rs.mu.Lock()
	none := len(rs.set) == 0
	rs.mu.Unlock()
	if none {
		return
	}
	key := p.Keyframe || isKeyframe(c, p.Data)
	st := &sh.sent
	st.mu.Lock()
	if st.from != vs && st.from != nil && sh.attached(st.from) {
		st.mu.Unlock()
		return
	}
	if st.from != vs {
		if !key {
			st.mu.Unlock()
			return
		}
		st.from = vs
	}
	if st.start.IsZero() {
		st.start = now
	}
	st.codec = c
	ts := uint32(now.Sub(st.start) * rtpVideoClock / time.Second)
	st.mu.Unlock()
	data := make([]byte, len(p.Data))
	copy(data, p.Data)
	rs.frame(c, assembledFrame{data: data, timestamp: ts, arrived: now}, key, img)
}

// The customer's screen at the rep is a recordSource too.

func (r *RemoteScreen) recorders() *recorders { return &r.recs }

func (r *RemoteScreen) logger() *slog.Logger { return r.log }

func (r *RemoteScreen) streamCodec() codec.Codec {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.codec
}
