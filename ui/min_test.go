package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tandemhq/tandem/protocol"
)

// TestCustomerViewFitsItsWindow guards against wrapping labels measured at
// zero width, which once made the window 2143 px tall and pushed the chat
// entry off the screen.
func TestCustomerViewFitsItsWindow(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("t")
	v := NewCustomerView(w, "de", func(string) {}, func() {})
	w.SetContent(v.Content)
	fits := func(state string) {
		t.Helper()
		if m := v.Content.MinSize(); m.Width > 520 || m.Height > 640 {
			t.Errorf("%s: minimum size %v does not fit the 520x640 window", state, m)
		}
	}
	fits("waiting")
	v.ChattingWith("Administrator")
	v.Chat.Notice("Sie chatten jetzt mit Administrator.")
	v.Chat.Append(protocol.ChatMessage{Name: "Administrator", Role: protocol.RoleRep, Text: "Hallo, wie kann ich helfen?", At: time.Now()})
	fits("chatting")
	v.Connection(false)
	fits("reconnecting")
	v.Ended()
	fits("ended")
}
