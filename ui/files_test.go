package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
)

func TestFileTextsBothLanguages(t *testing.T) {
	keys := []string{"files.offer_title", "files.offer_text", "files.accept", "files.refuse", "files.send", "files.receiving",
		"files.sending", "files.waiting", "files.received", "files.sent", "files.refused", "files.failed", "files.cancel"}
	for _, lang := range []string{"en", "de"} {
		for _, k := range keys {
			got := fileText(lang, k, "name", "Rita", "file", "a.pdf", "size", "1 kB", "folder", "/tmp")
			if got == "" || got == k || strings.Contains(got, "{") {
				t.Errorf("fileText(%s, %s): got %q; want a text with the placeholders filled", lang, k, got)
			}
			if lang == "de" && got == fileText("en", k, "name", "Rita", "file", "a.pdf", "size", "1 kB", "folder", "/tmp") && k != "files.cancel" {
				t.Errorf("fileText(de, %s) is the English %q", k, got)
			}
		}
	}
	if got, want := fileText("fr", "files.send"), "Send a file"; got != want {
		t.Errorf("fileText(fr): got %q; want the English %q", got, want)
	}
}

func TestFileSize(t *testing.T) {
	tests := []struct {
		lang string
		n    int64
		want string
	}{
		{"en", 0, "0 bytes"},
		{"en", 999, "999 bytes"},
		{"de", 512, "512 Bytes"},
		{"en", 1000, "1.0 kB"},
		{"en", 3 << 20, "3.1 MB"},
		{"de", 3 << 20, "3,1 MB"},
		{"en", 2 << 30, "2.1 GB"},
		{"en", 5000 << 30, "5368.7 GB"},
	}
	for _, tt := range tests {
		if got := FileSize(tt.lang, tt.n); got != tt.want {
			t.Errorf("FileSize(%s, %d): got %q; want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

// TestCustomerFileOffer: the customer is asked in the session's prompt
// style, in its language, and the answer comes back once.
func TestCustomerFileOffer(t *testing.T) {
	rep := protocol.Participant{ID: "r1", Role: protocol.RoleRep, Name: "Rita"}
	offer := client.FileOffer{ID: "f1", Name: "Anleitung.pdf", Size: 2_500_000}
	for _, popup := range []bool{false, true} {
		v, _, _ := newView(t, "de", func(c *protocol.CustomerClientConfig) {
			if popup {
				c.Display.PromptStyle = protocol.PromptPopup
			}
		})
		var answers []bool
		p := askFileOffer(v, rep, offer, "/home/ada/Downloads", func(ok bool) { answers = append(answers, ok) })
		want := "Rita möchte Ihnen die Datei „Anleitung.pdf“ (2,5 MB) senden. Möchten Sie sie empfangen? Sie wird in /home/ada/Downloads gespeichert."
		if p.Text != want {
			t.Errorf("popup=%v: text: got %q; want %q", popup, p.Text, want)
		}
		if popup {
			if p.Dialog == nil {
				t.Fatal("popup: got no dialog")
			}
			p.Dialog.Confirm()
		} else {
			if p.Yes == nil || p.Yes.Text != "Datei empfangen" || p.No.Text != "Nein, danke" {
				t.Fatalf("links: got %+v; want Datei empfangen / Nein, danke", p)
			}
			tap(p.No)
			tap(p.Yes)
		}
		wantAns := []bool{popup} // the links: No first; the pop-up: confirmed
		if !slices.Equal(answers, wantAns) {
			t.Errorf("popup=%v: answers: got %v; want %v", popup, answers, wantAns)
		}
		if !p.Answered() {
			t.Errorf("popup=%v: the prompt is still open", popup)
		}
	}
}

// TestCustomerSendFile: the button exists only where the portal allows
// customer offers, in the customer's language.
func TestCustomerSendFile(t *testing.T) {
	v, _, _ := newView(t, "de", nil)
	if b := customerSendFile(v, false, func(string) {}); b != nil {
		t.Errorf("not allowed: got a button %q; want none", b.Text)
	}
	b := customerSendFile(v, true, func(string) {})
	if b == nil || b.Text != "Datei senden" {
		t.Fatalf("allowed: got %v; want the button Datei senden", b)
	}
	test.Tap(b) // opens the file dialog
	if n := len(v.win.Canvas().Overlays().List()); n == 0 {
		t.Error("tapping Send a file opened no dialog")
	}
}

// TestCustomerFileInChat: a received file is followed in the chat,
// with progress, and says where it was saved.
func TestCustomerFileInChat(t *testing.T) {
	v, _, _ := newView(t, "en", nil)
	l := NewFileTransfers("en")
	before := len(v.Chat.History.Objects)
	canceled := 0
	offer := client.FileOffer{ID: "f1", Name: "photo.jpg", Size: 2000}
	r := trackInChat(v, l, "f1", "Rita", offer, true, "/home/ada/Downloads", func() { canceled++ })
	if got := len(v.Chat.History.Objects); got != before+1 {
		t.Fatalf("chat: got %d entries; want %d", got, before+1)
	}
	if got, want := r.Status.Text, "Receiving “photo.jpg” (2.0 kB)"; got != want {
		t.Errorf("status: got %q; want %q", got, want)
	}
	l.Update(client.FileTransferChanged{ID: "f1", State: client.FileProgress, Bytes: 500})
	if r.Bar.Value != 500 || !r.Cancel.Visible() {
		t.Errorf("progress: got bar %v, cancel shown %v; want 500, true", r.Bar.Value, r.Cancel.Visible())
	}
	test.Tap(r.Cancel)
	if canceled != 1 {
		t.Errorf("Cancel: got %d calls; want 1", canceled)
	}
	l.Update(client.FileTransferChanged{ID: "f1", State: client.FileDone, Bytes: 2000, Path: "/home/ada/Downloads/photo (1).jpg"})
	if got, want := r.Status.Text, "“photo (1).jpg” was saved in /home/ada/Downloads."; got != want {
		t.Errorf("done: got %q; want %q", got, want)
	}
	if r.Cancel.Visible() || r.Path != "/home/ada/Downloads/photo (1).jpg" {
		t.Errorf("done: cancel shown %v, path %q; want hidden and the saved path", r.Cancel.Visible(), r.Path)
	}
	l.Update(client.FileTransferChanged{ID: "f1", State: client.FileFailed})
	if !strings.Contains(r.Status.Text, "was saved") {
		t.Errorf("an event after the end changed the row: %q", r.Status.Text)
	}
	l.Update(client.FileTransferChanged{ID: "unknown", State: client.FileDone}) // ignored
}

// TestFileTransfersStates: each end state reads plainly; the console adds
// why a transfer failed.
func TestFileTransfersStates(t *testing.T) {
	offer := client.FileOffer{ID: "x", Name: "log.txt", Size: 10}
	tests := []struct {
		name       string
		lang       string
		incoming   bool
		showErrors bool
		ev         client.FileTransferChanged
		want       string
	}{
		{"waiting", "en", false, false, client.FileTransferChanged{State: client.FilePending}, "Waiting for Ada to accept “log.txt”"},
		{"sending", "de", false, false, client.FileTransferChanged{State: client.FileAccepted}, "„log.txt“ (10 Bytes) wird gesendet"},
		{"sent", "en", false, false, client.FileTransferChanged{State: client.FileDone}, "“log.txt” was sent."},
		{"refused", "de", false, false, client.FileTransferChanged{State: client.FileRefused}, "„log.txt“ wurde nicht angenommen."},
		{"failed", "en", true, false, client.FileTransferChanged{State: client.FileFailed, Err: errors.New("boom")}, "“log.txt” could not be transferred."},
		{"failed console", "en", true, true, client.FileTransferChanged{State: client.FileFailed, Err: errors.New("boom")}, "“log.txt” could not be transferred. (boom)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			test.NewTempApp(t)
			l := NewFileTransfers(tt.lang)
			l.ShowErrors = tt.showErrors
			r := l.Track("x", "Ada", offer, tt.incoming, "/tmp", nil)
			ev := tt.ev
			ev.ID = "x"
			l.Update(ev)
			if r.Status.Text != tt.want {
				t.Errorf("got %q; want %q", r.Status.Text, tt.want)
			}
			if l.Row("x") != r || len(l.Content.Objects) != 1 {
				t.Errorf("the list does not hold the row")
			}
		})
	}
}

// TestConsoleFileActions: the console's Send file… opens a file dialog
// and the customer's offer asks the rep.
func TestConsoleFileActions(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("console")
	w.Resize(fyne.NewSize(800, 600))
	w.SetContent(widget.NewLabel(""))
	b := NewSendFileButton(w, func(string) {})
	if b.Text != "Send file…" {
		t.Errorf("button: got %q; want Send file…", b.Text)
	}
	test.Tap(b)
	if len(w.Canvas().Overlays().List()) == 0 {
		t.Error("Send file… opened no dialog")
	}
	w.Canvas().Overlays().Top().Hide()

	var answers []bool
	cust := protocol.Participant{ID: "c1", Role: protocol.RoleCustomer, Name: "Ada"}
	d := AskFileOffer(w, cust, client.FileOffer{ID: "f", Name: "crash.log", Size: 12_000}, "/home/rita/Downloads", func(ok bool) { answers = append(answers, ok) })
	d.Confirm()
	if !slices.Equal(answers, []bool{true}) {
		t.Errorf("answers: got %v; want [true]", answers)
	}
}

// fileRecorder is a fileSession that records the answers; its offers
// fail (a Transfer comes only from a real connection, tested in client).
type fileRecorder struct {
	accepted, refused []string
	dirs, reasons     []string
	offered           []string
}

func (r *fileRecorder) AcceptFile(id, dir string) error {
	r.accepted, r.dirs = append(r.accepted, id), append(r.dirs, dir)
	return nil
}

func (r *fileRecorder) RefuseFile(id, reason string) error {
	r.refused, r.reasons = append(r.refused, id), append(r.reasons, reason)
	return nil
}

func (r *fileRecorder) OfferFile(_ context.Context, to, path string) (*client.Transfer, error) {
	r.offered = append(r.offered, to+":"+path)
	return nil, client.ErrFilesDisabled
}

func (r *fileRecorder) Transfer(string) *client.Transfer { return nil }

// TestCustomerFileDesk: the customer's answers reach the session, an
// accepted file is followed in the chat (events that came first too), and
// a failed offer is said in the chat.
func TestCustomerFileDesk(t *testing.T) {
	v, _, _ := newView(t, "en", nil)
	rec := &fileRecorder{}
	var queued []func()
	v.do = func(f func()) { queued = append(queued, f) }
	d := newCustomerFiles(v, rec, "/home/ada/Downloads")
	defer d.Close()
	rita := protocol.Participant{ID: "r1", Role: protocol.RoleRep, Name: "Rita"}

	if d.Handle(client.ChatReceived{}) {
		t.Error("Handle took a chat message")
	}
	d.Handle(client.FileOffered{Participant: rita, Offer: client.FileOffer{ID: "f1", Name: "a.zip", Size: 10}})
	d.Handle(client.FileOffered{Participant: rita, Offer: client.FileOffer{ID: "f2", Name: "b.zip", Size: 10}})
	p1, p2 := v.prompts[len(v.prompts)-2], v.prompts[len(v.prompts)-1]
	tap(p2.No)
	tap(p1.Yes)
	if !slices.Equal(rec.accepted, []string{"f1"}) || rec.dirs[0] != "/home/ada/Downloads" {
		t.Errorf("accepted: got %v into %v; want f1 into the Downloads folder", rec.accepted, rec.dirs)
	}
	if !slices.Equal(rec.refused, []string{"f2"}) || rec.reasons[0] != CustomerRefusedFile {
		t.Errorf("refused: got %v for %q; want f2 for %q", rec.refused, rec.reasons, CustomerRefusedFile)
	}
	d.Handle(client.FileTransferChanged{ID: "f1", State: client.FileDone, Bytes: 10, Path: "/home/ada/Downloads/a.zip"})
	if got, want := d.List.Row("f1").Status.Text, "“a.zip” was saved in /home/ada/Downloads."; got != want {
		t.Errorf("row: got %q; want %q", got, want)
	}

	// An event before its row: applied when the row comes.
	d.Handle(client.FileTransferChanged{ID: "f3", State: client.FileRefused})
	r := d.track("f3", client.FileOffer{ID: "f3", Name: "c.txt"}, false, "Rita")
	if got, want := r.Status.Text, "“c.txt” was not accepted."; got != want {
		t.Errorf("early event: got %q; want %q", got, want)
	}

	// An offer the session refuses: said in the chat.
	before := len(v.Chat.History.Objects)
	d.Offer(rita, "/tmp/x.log")
	d.wg.Wait()
	for _, f := range queued {
		f()
	}
	if !slices.Equal(rec.offered, []string{"r1:/tmp/x.log"}) {
		t.Errorf("offered: got %v; want r1:/tmp/x.log", rec.offered)
	}
	if len(v.Chat.History.Objects) != before+1 {
		t.Errorf("a failed offer added %d chat entries; want 1", len(v.Chat.History.Objects)-before)
	}
}

// TestConsoleFileDesk: the rep answers the customer's offer in a dialog;
// the transfer is listed with why it failed.
func TestConsoleFileDesk(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("console")
	w.Resize(fyne.NewSize(800, 600))
	w.SetContent(widget.NewLabel(""))
	rec := &fileRecorder{}
	d := newConsoleFiles(w, rec, "/home/rita/Downloads", func(f func()) { f() })
	defer d.Close()
	ada := protocol.Participant{ID: "c1", Role: protocol.RoleCustomer, Name: "Ada"}
	d.Handle(client.FileOffered{Participant: ada, Offer: client.FileOffer{ID: "f1", Name: "crash.log", Size: 1234}})
	top, ok := w.Canvas().Overlays().Top().(*widget.PopUp)
	if !ok || top == nil {
		t.Fatalf("no dialog for the offer: %T", w.Canvas().Overlays().Top())
	}
	test.Tap(findButton(t, top.Content, "Receive"))
	if !slices.Equal(rec.accepted, []string{"f1"}) {
		t.Errorf("accepted: got %v; want [f1]", rec.accepted)
	}
	if len(d.List.Content.Objects) != 1 {
		t.Fatalf("list: got %d rows; want 1", len(d.List.Content.Objects))
	}
	d.Handle(client.FileTransferChanged{ID: "f1", State: client.FileFailed, Err: errors.New("checksum does not match")})
	if got, want := d.List.Row("f1").Status.Text, "“crash.log” could not be transferred. (checksum does not match)"; got != want {
		t.Errorf("row: got %q; want %q", got, want)
	}
}
