package lockout

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"

	"golang.org/x/sys/windows"
)

var procBlockInput = windows.NewLazySystemDLL("user32.dll").NewProc("BlockInput")

// system holds input blocked from a locked OS thread of its own: Windows
// unblocks input when the thread that blocked it exits.
type system struct {
	stop chan struct{} // closed by release
	done chan error    // the thread's unblock result; closed when it has exited
}

func engage(_ context.Context, _ string, _ *slog.Logger) (*system, error) {
	if err := procBlockInput.Find(); err != nil {
		return nil, fmt.Errorf("BlockInput: %w", err)
	}
	s := &system{stop: make(chan struct{}), done: make(chan error, 1)}
	started := make(chan error, 1)
	go s.run(started)
	if err := <-started; err != nil {
		<-s.done
		return nil, err
	}
	return s, nil
}

// run blocks input, waits for release, unblocks it and exits with its
// thread still locked, so that the thread ends with it.
func (s *system) run(started chan<- error) {
	defer close(s.done)
	runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
	if r, _, err := procBlockInput.Call(1); r == 0 {
		started <- fmt.Errorf("%w: BlockInput (the client must run elevated): %w", ErrDenied, err)
		return
	}
	started <- nil
	<-s.stop
	if r, _, err := procBlockInput.Call(0); r == 0 {
		s.done <- fmt.Errorf("BlockInput(FALSE): %w", err)
	}
}

func (s *system) alive() bool {
	select {
	case <-s.stop:
		return false
	default:
		return true
	}
}

func (s *system) release() error {
	close(s.stop)
	return <-s.done
}
