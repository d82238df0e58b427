package client

import "github.com/tandemhq/tandem/protocol"

// SetAnnotationPolicy gives a customer's session the portal's
// configuration that decides whether reps may draw on its screen, as the
// customer's client does when it joins.
func SetAnnotationPolicy(s *Session, cfg *protocol.CustomerClientConfig) { s.setAnnotationPolicy(cfg) }
