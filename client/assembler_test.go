package client

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"

	"github.com/tandemhq/tandem/codec"
)

// packets packetizes frames of the given sizes as VP8 with small packets.
func packets(sizes ...int) ([][]byte, []*rtp.Packet) {
	pk := rtp.NewPacketizer(100, 96, 1, &codecs.VP8Payloader{EnablePictureID: true}, rtp.NewFixedSequencer(65530), 90000)
	var frames [][]byte
	var out []*rtp.Packet
	for i, n := range sizes {
		f := bytes.Repeat([]byte{byte(i + 1)}, n)
		frames = append(frames, f)
		out = append(out, pk.Packetize(f, 3000)...)
	}
	return frames, out
}

func TestAssembler(t *testing.T) {
	frames, pkts := packets(250, 40, 500, 90)
	now := time.Unix(0, 0)
	for _, tt := range []struct {
		name  string
		order []int
		want  string // frames released, by number, with ! for afterLoss
	}{
		{"in order", seq(0, len(pkts)), "1 2 3 4"},
		{"each frame's packets reversed", reversedFrames(pkts), "1 2 3 4"},
		{"duplicates", append(seq(0, 5), seq(0, len(pkts))...), "1 2 3 4"},
		{"frame 2 lost, given up after the wait", append(append(seq(0, 3), seq(4, len(pkts))...), -1), "1 !3 4"},
		// The receiver waits for a keyframe at the start anyway.
		{"frame 1 missing its head at the start", append(seq(1, len(pkts)), -1), "2 3 4"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := newAssembler(codec.VP8)
			clock := now
			var got []string
			for _, i := range tt.order {
				var out []assembledFrame
				if i < 0 {
					clock = clock.Add(2 * gapWait)
					out = a.poll(clock)
				} else {
					out = a.push(pkts[i], clock)
				}
				for _, f := range out {
					n := int(f.data[0])
					if !bytes.Equal(f.data, frames[n-1]) {
						t.Fatalf("frame %d: got %d bytes; want its %d", n, len(f.data), len(frames[n-1]))
					}
					s := fmt.Sprint(n)
					if f.afterLoss {
						s = "!" + s
					}
					got = append(got, s)
				}
			}
			if g := fmt.Sprint(got); g != "["+tt.want+"]" {
				t.Errorf("released %s; want [%s]", g, tt.want)
			}
		})
	}
}

func seq(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

func reverse(s []int) []int {
	out := make([]int, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// reversedFrames orders the packets frame by frame, each frame's packets
// last first.
func reversedFrames(pkts []*rtp.Packet) []int {
	var out, cur []int
	for i, p := range pkts {
		cur = append(cur, i)
		if p.Marker {
			out = append(out, reverse(cur)...)
			cur = nil
		}
	}
	return out
}
