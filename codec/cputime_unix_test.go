//go:build unix

package codec

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used, in user and system
// mode and in every thread (libvpx's included), and whether it is known.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
