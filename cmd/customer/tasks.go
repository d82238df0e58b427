package main

import (
	"context"
	"sync"
)

// tasks is the background work of the elevator and the servicer: bounded
// by ctx until close, which waits for it, and one hand-over at a time
// where claimed.
type tasks struct {
	// ctx lives until close; it bounds prompts and hand-overs.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	busyMu sync.Mutex
	busy   bool // a hand-over is under way
}

// begin makes ctx; call it once, before anything else.
func (t *tasks) begin() { t.ctx, t.cancel = context.WithCancel(context.Background()) }

// close ends ctx and waits for the work under way to give up.
func (t *tasks) close() {
	t.cancel()
	t.wg.Wait()
}

// goDo runs f in the background; close waits for it.
func (t *tasks) goDo(f func()) {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		f()
	}()
}

// claim marks a hand-over under way; false when one is already.
func (t *tasks) claim() bool {
	t.busyMu.Lock()
	defer t.busyMu.Unlock()
	if t.busy {
		return false
	}
	t.busy = true
	return true
}

// unclaim marks the hand-over over.
func (t *tasks) unclaim() {
	t.busyMu.Lock()
	t.busy = false
	t.busyMu.Unlock()
}
