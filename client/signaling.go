package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/protocol"
)

// Backoff bounds for reconnecting the signaling WebSocket.
const (
	minBackoff = 250 * time.Millisecond
	maxBackoff = 10 * time.Second
)

// signaling is one signaling WebSocket that reconnects with exponential
// backoff and jitter until it is closed or the server refuses the token.
// Frames are handed to handle on the one goroutine that reads them.
type signaling struct {
	api     *api
	log     *slog.Logger
	handle  func(protocol.Envelope)
	onState func(connected bool, err error)

	// ctx lives as long as the signaling connection; close cancels it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	conn    *websocket.Conn
	stopped bool // no more reconnects (session over, or closed)

	first     chan struct{} // closed when the first attempt is decided
	firstErr  error
	firstOnce sync.Once
}

func startSignaling(a *api, log *slog.Logger, handle func(protocol.Envelope), onState func(bool, error)) *signaling {
	ctx, cancel := context.WithCancel(context.Background())
	s := &signaling{api: a, log: log, handle: handle, onState: onState, ctx: ctx, cancel: cancel, first: make(chan struct{})}
	s.wg.Add(1)
	go s.run()
	return s
}

// waitFirst waits until the first connection was welcomed, or failed.
func (s *signaling) waitFirst(ctx context.Context) error {
	select {
	case <-s.first:
		return s.firstErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *signaling) decideFirst(err error) {
	s.firstOnce.Do(func() {
		s.firstErr = err
		close(s.first)
	})
}

// stop ends reconnecting; the current connection stays until it closes.
func (s *signaling) stop() {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
}

func (s *signaling) isStopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

// close closes the connection and waits for the reader to exit. Idempotent.
func (s *signaling) close() {
	s.stop()
	s.cancel()
	s.mu.Lock()
	if s.conn != nil {
		_ = s.conn.Close(websocket.StatusNormalClosure, "bye")
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *signaling) run() {
	defer s.wg.Done()
	defer s.decideFirst(ErrClosed)
	backoff := minBackoff
	welcomed := false
	for {
		conn, err := s.dial()
		if err == nil {
			backoff = minBackoff
			s.mu.Lock()
			s.conn = conn
			s.mu.Unlock()
			err = s.read(conn, &welcomed)
			s.mu.Lock()
			s.conn = nil
			s.mu.Unlock()
			_ = conn.CloseNow()
		}
		if !welcomed {
			// The first attempt decides SignIn and Join: no silent retries.
			s.decideFirst(err)
			return
		}
		if s.ctx.Err() != nil || s.isStopped() {
			return
		}
		permanent := errors.Is(err, errUnauthorized)
		s.onState(false, err)
		if permanent {
			s.log.Warn("signaling refused; not reconnecting", "err", err)
			return
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		s.log.Info("signaling lost; reconnecting", "err", err, "in", wait)
		select {
		case <-time.After(wait):
		case <-s.ctx.Done():
			return
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

var errUnauthorized = errors.New("signaling: the server refused the token")

func (s *signaling) dial() (*websocket.Conn, error) {
	u := *s.api.base
	u.Scheme = "wss"
	u.Path += protocol.PathSignal
	ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
	defer cancel()
	h := http.Header{}
	h.Set("Authorization", "Bearer "+s.api.token)
	h.Set(protocol.VersionHeader, strconv.Itoa(protocol.Version))
	conn, resp, err := websocket.Dial(ctx, u.String(), &websocket.DialOptions{HTTPClient: s.api.http, HTTPHeader: h})
	if err != nil {
		if resp != nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
			return nil, fmt.Errorf("%w (HTTP %d)", errUnauthorized, resp.StatusCode)
		}
		return nil, fmt.Errorf("dial signaling %s: %w", u.Host, err)
	}
	conn.SetReadLimit(protocol.MaxFrameBytes)
	return conn, nil
}

// read hands every valid frame to handle until the connection fails.
// Invalid frames are logged and skipped.
func (s *signaling) read(conn *websocket.Conn, welcomed *bool) error {
	for {
		typ, b, err := conn.Read(s.ctx)
		if err != nil {
			return err
		}
		if typ != websocket.MessageText {
			s.log.Warn("signaling: ignoring a binary frame")
			continue
		}
		var env protocol.Envelope
		if err := protocol.UnmarshalStrict(b, &env); err != nil {
			s.log.Warn("signaling: ignoring a malformed frame", "err", err)
			continue
		}
		if env.Type == protocol.TypeUnknown {
			s.log.Warn("signaling: ignoring a frame of unknown type")
			continue
		}
		if env.Type == protocol.TypeWelcome {
			first := !*welcomed
			*welcomed = true
			if first {
				s.decideFirst(nil)
			} else {
				s.onState(true, nil)
			}
		}
		s.handle(env)
	}
}

// send writes one frame.
func (s *signaling) send(ctx context.Context, t protocol.Type, ref uint64, session string, data any) error {
	env, err := protocol.NewEnvelope(t, session, data)
	if err != nil {
		return err
	}
	env.Ref = ref
	b, err := json.Marshal(env)
	if err != nil {
		return err
	}
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn == nil {
		return fmt.Errorf("send %s: not connected to the server", t)
	}
	if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
		return fmt.Errorf("send %s: %w", t, err)
	}
	return nil
}

// requests matches answers to frames by their Ref.
type requests struct {
	mu      sync.Mutex
	next    uint64
	waiting map[uint64]chan *protocol.Error
}

func (r *requests) add() (uint64, chan *protocol.Error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.waiting == nil {
		r.waiting = make(map[uint64]chan *protocol.Error)
	}
	r.next++
	ch := make(chan *protocol.Error, 1)
	r.waiting[r.next] = ch
	return r.next, ch
}

func (r *requests) resolve(ref uint64, e *protocol.Error) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	ch, ok := r.waiting[ref]
	if ok {
		delete(r.waiting, ref)
		ch <- e
	}
	return ok
}

func (r *requests) drop(ref uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.waiting, ref)
}
