package client

import (
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"

	"github.com/tandemhq/tandem/codec"
)

// Limits of frame reassembly.
const (
	// maxBuffered bounds the packets held while a gap waits for a
	// retransmission: a 1080p keyframe is a few hundred packets.
	maxBuffered = 2048
	// gapWait is how long a missing packet is waited for (NACK and its
	// retransmission take a round trip or two) before the frame is given
	// up and a keyframe asked for.
	gapWait = 500 * time.Millisecond
)

// assembledFrame is one encoded frame rebuilt from its packets.
type assembledFrame struct {
	data      []byte
	timestamp uint32
	// afterLoss: frames before this one were lost; the picture can only
	// be trusted again from a keyframe.
	afterLoss bool
	// arrived is when the frame's last packet came.
	arrived time.Time
}

// assembler rebuilds encoded frames from RTP packets that may come out of
// order, twice, or not at all. A frame is released as soon as its packets
// from the partition head to the marker bit are all there, in order of
// sequence number: unlike pion's samplebuilder it does not wait for the
// next frame's first packet, which on a still screen may be seconds away.
type assembler struct {
	codec codec.Codec
	buf   map[uint16]*rtp.Packet
	arr   map[uint16]time.Time

	synced   bool   // next is the first packet of the next frame
	next     uint16 // valid when synced
	after    uint16 // when not synced: resynchronise on a head after this
	seen     bool   // any packet yet
	released bool   // any frame released yet
	lost     bool   // a loss since the last released frame
	gapAt    time.Time
	gapSeq   uint16
}

func newAssembler(c codec.Codec) *assembler {
	return &assembler{codec: c, buf: make(map[uint16]*rtp.Packet), arr: make(map[uint16]time.Time)}
}

// newer reports whether sequence number a comes after b (RFC 1982).
func newer(a, b uint16) bool { return a != b && int16(a-b) > 0 }

func (a *assembler) isHead(payload []byte) bool {
	if a.codec == codec.VP9 {
		return (&codecs.VP9Packet{}).IsPartitionHead(payload)
	}
	return (&codecs.VP8Packet{}).IsPartitionHead(payload)
}

func (a *assembler) depacketize(payload []byte) ([]byte, error) {
	if a.codec == codec.VP9 {
		return (&codecs.VP9Packet{}).Unmarshal(payload)
	}
	return (&codecs.VP8Packet{}).Unmarshal(payload)
}

// push adds a packet and returns the frames it completed.
func (a *assembler) push(p *rtp.Packet, now time.Time) []assembledFrame {
	seq := p.SequenceNumber
	if !a.seen {
		a.seen = true
		a.after = seq - 1
	}
	if a.synced && !newer(seq, a.next) && seq != a.next {
		return nil // late: its frame was released or given up
	}
	if !a.synced && !a.released && !newer(seq, a.after) {
		// Before the first frame, packets may come out of order too.
		a.after = seq - 1
	}
	if !a.synced && !newer(seq, a.after) {
		return nil
	}
	if _, dup := a.buf[seq]; dup {
		return nil
	}
	if len(a.buf) >= maxBuffered {
		a.giveUp()
	}
	a.buf[seq] = p
	a.arr[seq] = now
	return append(a.drain(now), a.poll(now)...)
}

// poll gives up frames whose gap outlived gapWait and returns the frames
// that follows.
func (a *assembler) poll(now time.Time) []assembledFrame {
	if len(a.buf) > 0 && !a.gapAt.IsZero() && now.Sub(a.gapAt) > gapWait {
		a.giveUp()
		return a.drain(now)
	}
	return nil
}

// giveUp declares the frame at the head lost and resynchronises on the
// next partition head.
func (a *assembler) giveUp() {
	if a.synced {
		a.after = a.next
		a.synced = false
	}
	a.lost = true
	a.gapAt = time.Time{}
	// Drop what is older than the next head after the gap.
	head, ok := a.findHead()
	for s := range a.buf {
		if !ok || newer(head, s) {
			delete(a.buf, s)
			delete(a.arr, s)
		}
	}
}

// findHead finds the oldest buffered partition head after a.after.
func (a *assembler) findHead() (uint16, bool) {
	var best uint16
	found := false
	for s, p := range a.buf {
		if newer(s, a.after) && a.isHead(p.Payload) && (!found || newer(best, s)) {
			best, found = s, true
		}
	}
	return best, found
}

// drain releases every complete frame at the head of the buffer.
func (a *assembler) drain(now time.Time) []assembledFrame {
	var out []assembledFrame
	for {
		if !a.synced {
			head, ok := a.findHead()
			if !ok {
				return out
			}
			if head != a.after+1 && a.released {
				a.lost = true
			}
			a.next, a.synced = head, true
		}
		first := a.buf[a.next]
		if first == nil {
			a.noteGap(a.next, now)
			return out
		}
		if len(first.Payload) == 0 {
			// Padding between frames: a keep-alive.
			delete(a.buf, a.next)
			delete(a.arr, a.next)
			a.next++
			continue
		}
		if !a.isHead(first.Payload) {
			a.giveUp()
			continue
		}
		end, complete, broken := a.next, false, false
		missing := a.next
		for s := a.next; ; s++ {
			p := a.buf[s]
			if p == nil {
				missing = s
				break
			}
			if p.Timestamp != first.Timestamp {
				broken = true
				break
			}
			if p.Marker {
				end, complete = s, true
				break
			}
		}
		if broken {
			a.giveUp()
			continue
		}
		if !complete {
			a.noteGap(missing, now)
			return out
		}
		f := assembledFrame{timestamp: first.Timestamp, afterLoss: a.lost}
		ok := true
		for s := a.next; ; s++ {
			b, err := a.depacketize(a.buf[s].Payload)
			if err != nil {
				ok = false
			}
			f.data = append(f.data, b...)
			if t := a.arr[s]; t.After(f.arrived) {
				f.arrived = t
			}
			delete(a.buf, s)
			delete(a.arr, s)
			if s == end {
				break
			}
		}
		a.next = end + 1
		a.gapAt = time.Time{}
		if !ok {
			a.lost = true
			continue
		}
		a.lost = false
		a.released = true
		out = append(out, f)
	}
}

// noteGap starts the clock on the first missing packet, seq; the clock
// restarts whenever the frame's packets make progress, so a big keyframe
// on a slow link is not given up while it is still coming.
func (a *assembler) noteGap(seq uint16, now time.Time) {
	if a.gapAt.IsZero() || seq != a.gapSeq {
		a.gapAt, a.gapSeq = now, seq
	}
}
