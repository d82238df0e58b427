package client

import (
	"context"

	"github.com/tandemhq/tandem/protocol"
)

// WaitStatusChanged carries a waiting customer's place in the queue as
// the server pushed it after [Customer.SubscribeWaitStatus]: on
// subscribing (and after a reconnect), whenever the queue changes, and
// every on-hold interval of the portal (Reason says which; the app shows
// Status.Message again on WaitReasonOnHold).
type WaitStatusChanged struct {
	Status protocol.WaitStatus
	Reason protocol.WaitReason
}

func (WaitStatusChanged) event() {}

// SubscribeWaitStatus asks the server to push the customer's wait status,
// with texts in lang ("" means English), as [WaitStatusChanged] events on
// the session's Events until a rep accepts the session. It returns once
// the server answered with the first status (also delivered as an event),
// or refused: a session that is not waiting, or a bad language tag.
// Calling it again changes the language. The subscription survives
// reconnects of the signaling connection.
func (c *Customer) SubscribeWaitStatus(ctx context.Context, lang string) error {
	sub := protocol.WaitSubscribe{Lang: lang}
	if err := sub.Validate(); err != nil {
		return err
	}
	s := c.session
	select {
	case <-s.ended:
		return ErrSessionEnded
	default:
	}
	return s.request(ctx, protocol.TypeWaitSubscribe, sub, ErrSessionEnded)
}
