package client

import "github.com/pion/transport/v5"

// WithNet returns cfg with its peer connections on the network n (a pion
// vnet in tests).
func WithNet(cfg Config, n transport.Net) Config {
	cfg.net = n
	return cfg
}

// ForgetFilePolicy makes a rep's session forget what the server said of
// files, as a console that does not ask would: the customer's client then
// decides alone.
func ForgetFilePolicy(s *Session) {
	h := s.fileHub()
	h.mu.Lock()
	h.funcs = nil
	h.mu.Unlock()
}

// LetCustomerOffer makes a customer's session offer files whatever its
// portal says, as a modified client would: the rep's side then refuses.
func LetCustomerOffer(s *Session) {
	h := s.fileHub()
	h.mu.Lock()
	c := *h.cfg
	c.Functions.ReceiveFiles, c.Misc.CustomerFileOffers = true, true
	h.cfg = &c
	h.mu.Unlock()
}
