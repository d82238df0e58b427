package client

// SendControlText sends a raw text message on a peer's control channel,
// so that tests can send what a well-behaved peer never would.
func SendControlText(p *Peer, text string) error {
	p.mu.Lock()
	dc := p.channels[ControlLabel]
	p.mu.Unlock()
	if dc == nil {
		return ErrClosed
	}
	return dc.SendText(text)
}
