package client

import "github.com/tandemhq/tandem/protocol"

// Event is something the client reports to its app: one of the types below.
type Event interface{ event() }

// QueueChanged carries a rep's queues, whole.
type QueueChanged struct{ Queue protocol.Queue }

// SessionWaiting is the alert for a session that arrived in a rep's queue.
type SessionWaiting struct{ Session protocol.SessionInfo }

// ConnectionChanged reports the signaling connection going up or down.
// Err says why it went down, where known.
type ConnectionChanged struct {
	Connected bool
	Err       error
}

// SessionChanged carries a session's latest state and participants.
type SessionChanged struct{ Info protocol.SessionInfo }

// ChatReceived carries a chat line as the server stored it (one's own
// lines included).
type ChatReceived struct{ Message protocol.ChatMessage }

// PeerChanged reports a peer connection's state: "connecting",
// "connected", "disconnected", "failed" or "closed".
type PeerChanged struct {
	Participant protocol.Participant
	State       string
}

// SessionEnded reports the end of the session.
type SessionEnded struct{ Ended protocol.SessionEnded }

// TerminationChanged reports a rep's override of what the customer's
// computer does at the end of a session (to the session's reps).
type TerminationChanged struct {
	SessionID   string
	Termination protocol.Termination
}

// SessionResumed carries a session the rep is in that this console did
// not accept: after the console restarted, or taken in another console of
// the same rep. The app shows it like an accepted one.
type SessionResumed struct{ Session *Session }

func (SessionResumed) event()     {}
func (TerminationChanged) event() {}
func (QueueChanged) event()       {}
func (SessionWaiting) event()     {}
func (ConnectionChanged) event()  {}
func (SessionChanged) event()     {}
func (ChatReceived) event()       {}
func (PeerChanged) event()        {}
func (SessionEnded) event()       {}

// eventBuffer is the capacity of every event channel.
const eventBuffer = 1024

// events is an event channel that never blocks its sender: when the app
// falls 1024 events behind, further events are dropped and logged.
type events struct {
	ch     chan Event
	onDrop func(Event)
}

func newEvents(onDrop func(Event)) *events {
	return &events{ch: make(chan Event, eventBuffer), onDrop: onDrop}
}

func (e *events) emit(ev Event) {
	select {
	case e.ch <- ev:
	default:
		e.onDrop(ev)
	}
}
