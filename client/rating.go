package client

import (
	"context"
	"fmt"
	"net/url"

	"github.com/tandemhq/tandem/protocol"
)

// RateSession rates a session the rep was in with a score of 1 to 5:
// once, during the session or within the server's survey window after
// its end. The rating travels in the completed-session notification.
func (r *Rep) RateSession(ctx context.Context, sessionID string, score int) error {
	rt := protocol.Rating{Score: score}
	if err := rt.Validate(); err != nil {
		return fmt.Errorf("rate session: %w", err)
	}
	if err := r.api.do(ctx, "POST", protocol.PathSession+url.PathEscape(sessionID)+protocol.PathRatingSuffix, rt, nil); err != nil {
		return fmt.Errorf("rate session %s: %w", sessionID, err)
	}
	return nil
}
