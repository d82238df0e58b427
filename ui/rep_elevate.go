package ui

import (
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/client"
)

// The rep asks the customer's client to run with administrative rights
// from the session's screen panel; the answer arrives as a
// client.ElevationChanged event of the rep's session, which
// ElevationNotice turns into a line for the rep. An accepted request is
// followed by the customer's client relaunching itself: its peer
// connection is made afresh and the screen comes back.

// RequestElevation asks the customer's client behind p to run elevated
// and tells the rep through notify that it asked, or why it could not.
// It does not block.
func RequestElevation(p *client.Peer, notify func(string)) {
	requestOf(p, (*client.Peer).RequestElevation, "Cannot request elevation", "Elevation requested", notify)
}

// requestOf sends a request (send) to the customer's client behind p and
// tells the rep through notify that it asked (done), or why it could not
// (cannot); p may be nil (not connected).
func requestOf(p *client.Peer, send func(*client.Peer) error, cannot, done string, notify func(string)) {
	if p == nil {
		notify(cannot + ": the customer's client is not connected.")
		return
	}
	if err := send(p); err != nil {
		notify(cannot + ": " + err.Error())
		return
	}
	notify(done + "; waiting for " + nameOr(p.Participant().Name, "the customer") + ".")
}

// NewElevationButton returns the screen panel's "Request elevation"
// action: peer returns the current connection to the customer (it changes
// when the client reconnects), notify shows the rep a line.
func NewElevationButton(peer func() *client.Peer, notify func(string)) *widget.Button {
	return widget.NewButtonWithIcon("Request elevation", theme.WarningIcon(), func() {
		RequestElevation(peer(), notify)
	})
}

// ElevationNotice is the line the rep reads when the customer's client
// answered a request for elevation.
func ElevationNotice(e client.ElevationChanged) string {
	who := nameOr(e.Participant.Name, "The customer")
	var s string
	switch e.Outcome {
	case client.ElevationAccepted:
		s = who + " accepted elevation; the client restarts with administrative rights and reconnects."
	case client.ElevationDeclined:
		s = who + " declined elevation."
	case client.ElevationFailed:
		s = "Elevation failed on " + who + "'s computer."
	case client.ElevationAlready:
		s = who + "'s client already runs with administrative rights."
	default:
		s = "Elevation: " + e.Outcome.String() + "."
	}
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// nameOr returns name, or def when it is empty.
func nameOr(name, def string) string {
	if name == "" {
		return def
	}
	return name
}
