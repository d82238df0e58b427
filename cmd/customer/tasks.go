package main

import (
	"context"
	"os"
	"sync"
)

// tasks is what the elevator and the servicer share: background work
// bounded by ctx until close, which waits for it; one hand-over at a time
// where claimed; the customer's prompt; and the way this process lets go
// and exits once another one has taken the session over.
type tasks struct {
	// ctx lives until close; it bounds prompts and hand-overs.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// exit ends the process; nil means os.Exit(0). Replaced in tests.
	exit func()

	mu   sync.Mutex
	busy bool // a hand-over is under way
	// ask shows the customer a rep's request and reports the answer; it
	// returns false when ctx ends. nil declines every request: the app
	// cannot ask (yet).
	ask func(ctx context.Context, rep string) bool
	// release lets go of the machine (the agent) before the process exits
	// for the one that took the session over.
	release func()
}

// setAsk sets how the customer is asked about a rep's request: the
// customer app's prompt.
func (t *tasks) setAsk(ask func(ctx context.Context, rep string) bool) {
	t.mu.Lock()
	t.ask = ask
	t.mu.Unlock()
}

// askCustomer asks the customer about rep's request; false when there is
// no prompt, the customer declines, or close came first.
func (t *tasks) askCustomer(rep string) bool {
	t.mu.Lock()
	ask := t.ask
	t.mu.Unlock()
	return ask != nil && ask(t.ctx, rep)
}

// setRelease sets how this process lets go of the machine.
func (t *tasks) setRelease(release func()) {
	t.mu.Lock()
	t.release = release
	t.mu.Unlock()
}

// takeOver lets go of this computer and ends the process, leaving the
// session to the process that took it over: the session is not ended.
func (t *tasks) takeOver() {
	t.mu.Lock()
	release := t.release
	t.mu.Unlock()
	if release != nil {
		release()
	}
	if t.exit != nil {
		t.exit()
		return
	}
	os.Exit(0)
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
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.busy {
		return false
	}
	t.busy = true
	return true
}

// unclaim marks the hand-over over.
func (t *tasks) unclaim() {
	t.mu.Lock()
	t.busy = false
	t.mu.Unlock()
}
