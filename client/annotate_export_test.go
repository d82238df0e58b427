package client

import "github.com/tandemhq/tandem/protocol"

// SetAnnotationPolicy gives a customer's session another portal
// configuration, which decides whether reps may draw on its screen (and
// what files may travel).
func SetAnnotationPolicy(s *Session, cfg *protocol.CustomerClientConfig) { s.setFilePolicy(cfg) }
