// Package notify shows desktop notifications that the user can click.
//
// Fyne's App.SendNotification shows a notification but says nothing of a
// click on it. On Linux this package speaks the freedesktop notification
// protocol on the session bus itself (org.freedesktop.Notifications):
// Notify with a "default" action, then the server's ActionInvoked signal
// for that notification runs the caller's onAction, and NotificationClosed
// forgets it. Elsewhere it falls back to Fyne's SendNotification, with no
// click: onAction never runs there, so callers keep another way to act
// (the console's pop-up window).
package notify

import "time"

// Version is the freedesktop notification protocol this package speaks.
const Version = "1.2"

// ID identifies a notification shown by the server.
type ID uint32

// Notification is one desktop notification.
type Notification struct {
	// AppName names the sender; optional, zero means "Tandem".
	AppName string
	// Title is the summary line; Body the text under it.
	Title, Body string
	// Action labels the notification's default action, which a click on
	// the notification invokes; optional, zero means "Open".
	Action string
	// Timeout is how long it shows; zero means the server's default.
	Timeout time.Duration
}

// Callbacks are what a notification reports. Either may be nil. They run
// on the notifier's goroutine: a Fyne caller hands widget changes to
// fyne.Do.
type Callbacks struct {
	// OnAction runs when the user clicks the notification.
	OnAction func()
	// OnClosed runs when the notification goes, for whatever reason
	// (after OnAction when a click closed it).
	OnClosed func()
}

func (n Notification) appName() string {
	if n.AppName == "" {
		return "Tandem"
	}
	return n.AppName
}

func (n Notification) action() string {
	if n.Action == "" {
		return "Open"
	}
	return n.Action
}
