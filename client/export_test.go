package client

import "github.com/pion/transport/v5"

// WithNet returns cfg with its peer connections on the network n (a pion
// vnet in tests).
func WithNet(cfg Config, n transport.Net) Config {
	cfg.net = n
	return cfg
}
