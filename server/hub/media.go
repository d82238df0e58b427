package hub

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/store"
)

// The hub enforces the session's screen sharing functions on the SDP it
// relays: media goes peer to peer, so the offer or answer that sets up a
// video stream is the one place the server sees it. A rep's SDP that
// sends video needs Functions.RepScreenSharing; a customer's needs
// Functions.CustomerScreenSharing; an external specialist's is always
// refused (the customer's client offers it no slot). A refused SDP is
// answered with CodeForbidden and logged (conn.refuse); the other side
// never gets it, so that connection attempt does not come up.

// sendsVideo reports whether an SDP sends video: an m=video section with
// a port other than 0 whose direction (its own a= line, else the
// session-level one, else sendrecv) is sendonly or sendrecv. It reads
// lines only and never fails: what it does not understand does not send.
func sendsVideo(sdp string) bool {
	sessionDir := "sendrecv"
	inMedia, video, rejected := false, false, false
	dir := ""
	sends := false
	flush := func() {
		if inMedia && video && !rejected {
			d := dir
			if d == "" {
				d = sessionDir
			}
			sends = sends || d == "sendonly" || d == "sendrecv"
		}
	}
	for line := range strings.SplitSeq(sdp, "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.HasPrefix(line, "m="):
			flush()
			f := strings.Fields(line[2:])
			inMedia, dir = true, ""
			video = len(f) > 0 && strings.EqualFold(f[0], "video")
			rejected = len(f) > 1 && f[1] == "0"
		case line == "a=sendonly" || line == "a=sendrecv" || line == "a=recvonly" || line == "a=inactive":
			if inMedia {
				dir = line[2:]
			} else {
				sessionDir = line[2:]
			}
		}
	}
	flush()
	return sends
}

// checkMedia refuses an offer or answer that sends video the session's
// functions do not allow its sender to send.
func (c *conn) checkMedia(ctx context.Context, sessionID string, self store.Participant, sig protocol.Signal) error {
	if sig.Kind != protocol.SignalOffer && sig.Kind != protocol.SignalAnswer || !sendsVideo(sig.SDP) {
		return nil
	}
	cfg, err := c.h.store.SessionConfig(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		cfg = protocol.DefaultCustomerClientConfig()
	} else if err != nil {
		return fmt.Errorf("session configuration: %w", err)
	}
	allowed, what := cfg.Functions.RepScreenSharing, "representatives to show their screen"
	switch self.Role {
	case protocol.RoleCustomer:
		allowed, what = cfg.Functions.CustomerScreenSharing, "the customer to share the screen"
	case protocol.RoleSpecialist:
		return &refusal{protocol.CodeForbidden, "external specialists do not show their screen"}
	}
	if allowed {
		return nil
	}
	return &refusal{protocol.CodeForbidden, "this session's portal does not allow " + what}
}
