package protocol

import "fmt"

// MaxLangBytes is the longest language tag a client may send.
const MaxLangBytes = 16

// WaitSubscribe is the data of [TypeWaitSubscribe]: a waiting customer
// asks the server to push its [WaitStatus] with texts in Lang.
type WaitSubscribe struct {
	// Lang is a language tag such as "en", "de" or "pt-BR"; empty means
	// [DefaultLanguage]. A language the portal does not configure gets
	// the English texts.
	Lang string `json:"lang,omitempty"`
}

// Validate checks the language tag.
func (w WaitSubscribe) Validate() error {
	if w.Lang == "" {
		return nil
	}
	if len(w.Lang) > MaxLangBytes || !ValidLanguage(w.Lang) {
		return fmt.Errorf("%w: lang %q is not a language tag such as en, de or pt-BR", ErrBadData, truncate(w.Lang, MaxLangBytes))
	}
	return nil
}

// Language is the subscription's language, [DefaultLanguage] when empty.
func (w WaitSubscribe) Language() string {
	if w.Lang == "" {
		return DefaultLanguage
	}
	return w.Lang
}

// truncate shortens s to at most n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// WaitReason says why the server pushed a [WaitStatusPush].
type WaitReason int

// Reasons of a pushed wait status.
const (
	WaitReasonUnknown WaitReason = iota
	// WaitReasonSubscribed answers a [TypeWaitSubscribe] (with its Ref), or
	// brings a subscribed customer's reconnected client up to date.
	WaitReasonSubscribed
	// WaitReasonQueue: the customer's queue changed (a session arrived,
	// was accepted, or left); the position or estimate may differ.
	WaitReasonQueue
	// WaitReasonOnHold: the portal's on-hold interval passed; the client
	// shows Message again.
	WaitReasonOnHold
)

var waitReasonNames = []string{"unknown", "subscribed", "queue", "on_hold"}

func (r WaitReason) String() string { return enumString(waitReasonNames, "WaitReason", int(r)) }

// MarshalText implements encoding.TextMarshaler.
func (r WaitReason) MarshalText() ([]byte, error) {
	return enumMarshal(waitReasonNames, "wait reason", int(r))
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *WaitReason) UnmarshalText(b []byte) error {
	i, err := enumParse(waitReasonNames, "wait reason", b)
	*r = WaitReason(i)
	return err
}

// WaitStatusPush is the data of [TypeWaitStatus]: the [WaitStatus] as
// GET [PathWaitStatus] answers it, with the reason of the push.
type WaitStatusPush struct {
	WaitStatus
	Reason WaitReason `json:"reason"`
}
