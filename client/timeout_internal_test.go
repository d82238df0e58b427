package client

import (
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/pion/transport/v5/packetio"
)

// TestIsTimeout: both ways pion's SRTP read stream says its deadline
// passed count as a timeout, nothing else does. The buffer's way is the
// one a loaded machine hits: a packet is waiting, but the deadline passed
// before it was read.
func TestIsTimeout(t *testing.T) {
	b := packetio.NewBuffer()
	defer b.Close()
	if _, err := b.Write([]byte{1, 2, 3}, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.SetReadDeadline(time.Now().Add(-time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	_, _, bufErr := b.Read(make([]byte, 10), nil)
	if bufErr == nil {
		t.Fatal("reading past the deadline: got no error")
	}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{os.ErrDeadlineExceeded, true},
		{bufErr, true},
		{fmt.Errorf("read rtp: %w", bufErr), true},
		{io.EOF, false},
		{errors.New("i/o timeout"), false},
		{nil, false},
	} {
		if got := isTimeout(tc.err); got != tc.want {
			t.Errorf("isTimeout(%v): got %v; want %v", tc.err, got, tc.want)
		}
	}
}
