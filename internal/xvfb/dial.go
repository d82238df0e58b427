package xvfb

import (
	"net"
	"time"
)

// dialX reports whether the X server of display n accepts connections.
func dialX(n int) error {
	c, err := net.DialTimeout("unix", socketPath(n), time.Second)
	if err != nil {
		return err
	}
	return c.Close()
}
