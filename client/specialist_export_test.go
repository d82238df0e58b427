package client

import (
	"context"

	"github.com/tandemhq/tandem/protocol"
)

// SendLabelText sends a raw text message on a peer's data channel with
// the label, so that tests can send what a well-behaved peer never would.
func SendLabelText(p *Peer, label, text string) error { return p.sendText(label, []byte(text)) }

// SessionRequest sends a frame of the session as Session.End does,
// without the client's own checks, and waits for the server's answer.
func SessionRequest(ctx context.Context, s *Session, t protocol.Type, data any) error {
	return s.request(ctx, t, data, ErrSessionEnded)
}

// SignalingStopped reports whether a specialist's signaling connection
// no longer reconnects.
func SignalingStopped(sp *Specialist) bool { return sp.m.sig.isStopped() }
