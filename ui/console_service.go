package ui

import (
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/client"
)

// A rep may ask for the customer's client to run as a service of the
// customer's system (with administrative rights, surviving a log-off)
// where the portal allows it. The screen panel's "Run as a service"
// button is hidden until the customer's client says its portal allows it
// (QueryServiceAllowed asks, and the answer, a client.ServiceAllowed
// event, goes to ScreenPanel.ShowService); the answer to a request comes
// as a client.ServiceChanged event, which ServiceNotice turns into a line
// for the rep. An accepted request is followed by the customer's client
// reconnecting from the service.

// RequestService asks the customer's client behind p to run as a service
// and tells the rep through notify; p may be nil (not connected).
func RequestService(p *client.Peer, notify func(string)) {
	requestOf(p, (*client.Peer).RequestService, "Cannot ask to run as a service", "Asked to run as a service", notify)
}

// NewServiceButton returns the screen panel's "Run as a service" button,
// hidden until [ScreenPanel.ShowService] shows it; peer returns the rep's
// connection to the customer when the button is tapped.
func NewServiceButton(peer func() *client.Peer, notify func(string)) *widget.Button {
	b := widget.NewButtonWithIcon("Run as a service", theme.SettingsIcon(), func() {
		RequestService(peer(), notify)
	})
	b.Hide()
	return b
}

// QueryServiceAllowed asks the customer's client behind p whether its
// portal lets the rep ask for a service; the answer comes as a
// client.ServiceAllowed event. Without a connection the button stays
// hidden.
func QueryServiceAllowed(p *client.Peer) error {
	if p == nil {
		return errNotConnected
	}
	return p.QueryService()
}

// ShowService shows the panel's "Run as a service" button where the
// customer's portal allows it and hides it otherwise; a panel without the
// button is left alone.
func (p *ScreenPanel) ShowService(allowed bool) {
	if p == nil || p.Service == nil {
		return
	}
	if allowed {
		p.Service.Show()
	} else {
		p.Service.Hide()
	}
}

// ServiceNotice is the line the rep reads when the customer's client
// answered a request to run as a service.
func ServiceNotice(e client.ServiceChanged) string {
	who := nameOr(e.Participant.Name, "The customer")
	var s string
	switch e.Outcome {
	case client.ServiceAccepted:
		s = who + " accepted running as a service; the client restarts as a service and reconnects."
	case client.ServiceDeclined:
		s = who + " declined running as a service."
	case client.ServiceFailed:
		s = "Running as a service failed on " + who + "'s computer."
	case client.ServiceUnsupported:
		s = who + "'s computer cannot run the client as a service."
	case client.ServiceAlready:
		s = who + "'s client already runs as a service."
	default:
		s = "Run as a service: " + e.Outcome.String() + "."
	}
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}
