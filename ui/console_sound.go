package ui

import (
	"log/slog"
	"sync"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// xbell is the default chat sound: the X server's bell, rung over a
// connection opened on first use. Where there is no X server it logs once
// and stays silent.
type xbell struct {
	log *slog.Logger

	mu     sync.Mutex
	conn   *xgb.Conn
	tried  bool
	closed bool
}

// Ring rings the bell.
func (b *xbell) Ring() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	if !b.tried {
		b.tried = true
		c, err := xgb.NewConn()
		if err != nil {
			b.log.Info("no chat sound: cannot reach the X server", "err", err)
			return
		}
		b.conn = c
	}
	if b.conn != nil {
		xproto.Bell(b.conn, 0)
	}
}

// Close closes the connection; it is idempotent.
func (b *xbell) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	if b.conn != nil {
		b.conn.Close()
		b.conn = nil
	}
}
