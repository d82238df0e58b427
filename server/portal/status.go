package portal

import (
	"time"

	"github.com/tandemhq/tandem/protocol"
)

// WaitStatus is what a waiting customer is told, from its session's
// snapshot cfg, its position in the queue (1 is next), the queue's wait
// samples (see EstimateWait) and the notices active for its portal, in
// lang. Greeting and Message are set only where cfg shows them, Notices
// only with cfg.Display.Notices. The server answers it at
// protocol.PathWaitStatus; the hub may push the same on a queue change.
func WaitStatus(cfg protocol.CustomerClientConfig, position int, samples []WaitSample, notices []Notice, lang string) protocol.WaitStatus {
	st := protocol.WaitStatus{State: protocol.StateWaiting, Position: position, Notices: []protocol.Notice{}}
	e := EstimateWait(samples, time.Duration(cfg.Queue.MaxEstimatedWaitMinutes)*time.Minute)
	st.Estimated, st.OverMax = e.Known, e.OverMax
	if e.Known {
		st.EstimatedWaitSeconds = int(e.Wait / time.Second)
	}
	msgs := cfg.MessagesFor(lang)
	if cfg.Queue.Greeting {
		st.Greeting = ExpandQueueMacros(msgs.Greeting, lang, position, e)
	}
	if cfg.Queue.OnHold {
		st.Message = ExpandQueueMacros(msgs.OnHold, lang, position, e)
	}
	if cfg.Display.Notices {
		for _, n := range notices {
			st.Notices = append(st.Notices, n.Wire())
		}
	}
	return st
}
