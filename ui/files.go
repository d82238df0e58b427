package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/assets"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
)

// File transfer in the two apps. The customer is asked about a rep's
// offer with the session's prompt (text links or a pop-up, as the portal
// says) and may send a file where the portal allows it; the console has
// a "Send file…" action per session and asks the rep about the
// customer's offers. Both follow each transfer in a FileTransfers list.
// The client's events drive it all: the owner calls the functions here
// on Fyne's goroutine.

// CustomerRefusedFile is the reason the customer's client gives a rep
// whose file the customer declined.
const CustomerRefusedFile = "the customer declined the file"

// fileText is a file transfer text in lang with its {placeholders}
// replaced by pairs of name and value.
func fileText(lang, key string, pairs ...string) string {
	s := assets.Text(lang, key)
	var args []string
	for i := 0; i+1 < len(pairs); i += 2 {
		args = append(args, "{"+pairs[i]+"}", pairs[i+1])
	}
	return strings.NewReplacer(args...).Replace(s)
}

// FileSize writes a byte count for people: "512 bytes", "2.1 MB"; German
// with a decimal comma.
func FileSize(lang string, n int64) string {
	if n < 1000 {
		if assets.Language(lang) == "de" {
			return fmt.Sprintf("%d Bytes", n)
		}
		return fmt.Sprintf("%d bytes", n)
	}
	units := []string{"kB", "MB", "GB"}
	v := float64(n) / 1000
	u := 0
	for v >= 1000 && u < len(units)-1 {
		v /= 1000
		u++
	}
	s := fmt.Sprintf("%.1f %s", v, units[u])
	if assets.Language(lang) == "de" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// DownloadsDir is where received files go: the user's Downloads folder
// when there is one, else the home folder, else the temporary folder.
func DownloadsDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return os.TempDir()
	}
	for _, name := range []string{"Downloads", "Download"} {
		d := filepath.Join(home, name)
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	return home
}

// askFileOffer asks the customer whether to receive a file a rep offers,
// with the session's prompt; answer gets the choice (true: accept it into
// dir, which the text names). Wiring, on a client.FileOffered:
//
//	askFileOffer(view, e.Participant, e.Offer, dir, func(ok bool) {
//		if ok { s.AcceptFile(e.Offer.ID, dir) } else { s.RefuseFile(e.Offer.ID, ui.CustomerRefusedFile) }
//	})
func askFileOffer(v *CustomerView, from protocol.Participant, offer client.FileOffer, dir string, answer func(accept bool)) *CustomerPrompt {
	lang := v.setup.Lang
	text := fileText(lang, "files.offer_text", "name", from.Name, "file", offer.Name,
		"size", FileSize(lang, offer.Size), "folder", dir)
	return v.ask(fileText(lang, "files.offer_title"), text, fileText(lang, "files.accept"), fileText(lang, "files.refuse"), answer)
}

// customerSendFile is the customer's "Send a file" button, or nil where
// the portal does not let the customer offer files (allowed is the
// second result of client.Session.FilesAllowed). It opens a file dialog
// and hands the chosen path to offer.
func customerSendFile(v *CustomerView, allowed bool, offer func(path string)) *widget.Button {
	if !allowed {
		return nil
	}
	return widget.NewButtonWithIcon(fileText(v.setup.Lang, "files.send"), theme.UploadIcon(), func() {
		openFileDialog(v.win, offer)
	})
}

// openFileDialog asks for a file to send and hands its path to offer.
func openFileDialog(win fyne.Window, offer func(path string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		offer(path)
	}, win)
	d.Show()
}

// NewSendFileButton is the console's "Send file…" action for a session:
// it opens a file dialog and hands the chosen path to offer (which calls
// client.Peer.OfferFile for the customer's peer and tracks the Transfer).
func NewSendFileButton(win fyne.Window, offer func(path string)) *widget.Button {
	return widget.NewButtonWithIcon("Send file…", theme.UploadIcon(), func() { openFileDialog(win, offer) })
}

// AskFileOffer asks the rep whether to receive a file the customer
// offers; answer gets the choice (true: accept it into dir).
func AskFileOffer(win fyne.Window, from protocol.Participant, offer client.FileOffer, dir string, answer func(accept bool)) *dialog.ConfirmDialog {
	text := fmt.Sprintf("%s offers the file “%s” (%s).\nReceive it into %s?", from.Name, offer.Name, FileSize("en", offer.Size), dir)
	body := widget.NewLabel(text)
	body.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("File offered", "Receive", "Refuse", body, answer, win)
	d.Resize(fyne.NewSize(440, 200))
	d.Show()
	return d
}

// FileTransfers lists a session's transfers, each with what it is
// doing, a progress bar and Cancel while it runs.
type FileTransfers struct {
	// Content holds one row per transfer, newest last.
	Content *fyne.Container
	// ShowErrors adds why a transfer failed to its row (the console's).
	ShowErrors bool

	lang string
	rows map[string]*FileRow
}

// FileRow is one transfer in a FileTransfers list.
type FileRow struct {
	Status *widget.Label
	Bar    *widget.ProgressBar
	Cancel *widget.Button
	// Path is the saved file once a received file is done.
	Path    string
	Content fyne.CanvasObject

	incoming bool
	name     string
	size     int64
	peer     string
	dir      string
	state    client.FileState
}

// NewFileTransfers returns an empty list with texts in lang ("en" for the
// console).
func NewFileTransfers(lang string) *FileTransfers {
	return &FileTransfers{Content: container.NewVBox(), lang: lang, rows: make(map[string]*FileRow)}
}

// Track adds a transfer to the list: peer names the other side, dir is
// where a received file goes, cancel stops it (client.Transfer.Cancel).
func (l *FileTransfers) Track(id, peer string, offer client.FileOffer, incoming bool, dir string, cancel func()) *FileRow {
	r := l.track(id, peer, offer, incoming, dir, cancel)
	l.Content.Add(r.Content)
	return r
}

// track makes a transfer's row without placing it.
func (l *FileTransfers) track(id, peer string, offer client.FileOffer, incoming bool, dir string, cancel func()) *FileRow {
	r := &FileRow{
		Status: widget.NewLabel(""), Bar: widget.NewProgressBar(),
		incoming: incoming, name: offer.Name, size: offer.Size, peer: peer, dir: dir, state: client.FilePending,
	}
	r.Status.Wrapping = fyne.TextWrapWord
	r.Bar.Max = float64(max(offer.Size, 1))
	r.Cancel = widget.NewButtonWithIcon(fileText(l.lang, "files.cancel"), theme.CancelIcon(), func() {
		if cancel != nil {
			cancel()
		}
	})
	r.Content = container.NewBorder(nil, nil, nil, r.Cancel, container.NewVBox(r.Status, r.Bar))
	l.rows[id] = r
	l.show(r, 0, nil)
	return r
}

// Row returns the row of a transfer, or nil.
func (l *FileTransfers) Row(id string) *FileRow { return l.rows[id] }

// Update applies a client.FileTransferChanged; events of transfers not in
// the list are ignored.
func (l *FileTransfers) Update(e client.FileTransferChanged) {
	r := l.rows[e.ID]
	if r == nil {
		return
	}
	if r.state == client.FileDone || r.state == client.FileRefused || r.state == client.FileFailed {
		return // over: later events change nothing
	}
	r.state = e.State
	if e.Path != "" {
		r.Path = e.Path
	}
	l.show(r, e.Bytes, e.Err)
}

func (l *FileTransfers) show(r *FileRow, bytes int64, err error) {
	file, size := r.name, FileSize(l.lang, r.size)
	var text string
	over := true
	switch r.state {
	case client.FilePending:
		over = false
		if r.incoming {
			text = fileText(l.lang, "files.receiving", "file", file, "size", size)
		} else {
			text = fileText(l.lang, "files.waiting", "name", r.peer, "file", file)
		}
	case client.FileAccepted, client.FileProgress:
		over = false
		key := "files.sending"
		if r.incoming {
			key = "files.receiving"
		}
		text = fileText(l.lang, key, "file", file, "size", size)
		r.Bar.SetValue(float64(bytes))
	case client.FileDone:
		text = fileText(l.lang, "files.sent", "file", file)
		if r.incoming {
			folder := r.dir
			if r.Path != "" {
				folder = filepath.Dir(r.Path)
			}
			text = fileText(l.lang, "files.received", "file", filepath.Base(orName(r.Path, file)), "folder", folder)
		}
		r.Bar.SetValue(r.Bar.Max)
	case client.FileRefused:
		text = fileText(l.lang, "files.refused", "file", file)
	default:
		text = fileText(l.lang, "files.failed", "file", file)
		if err != nil && l.ShowErrors {
			text += " (" + err.Error() + ")"
		}
	}
	r.Status.SetText(text)
	if over {
		r.Cancel.Hide()
		r.Bar.Hide()
	}
}

func orName(path, name string) string {
	if path == "" {
		return name
	}
	return path
}

// trackInChat puts a customer's transfer into the chat, where the customer
// looks, and returns its row; l (NewFileTransfers(lang), never shown)
// keeps the rows for Update.
func trackInChat(v *CustomerView, l *FileTransfers, id, peer string, offer client.FileOffer, incoming bool, dir string, cancel func()) *FileRow {
	r := l.track(id, peer, offer, incoming, dir, cancel)
	v.Chat.History.Add(r.Content)
	v.relayout()
	v.Chat.Scroll.ScrollToBottom()
	return r
}

// fileSession is what a fileDesk needs of a client.Session.
type fileSession interface {
	AcceptFile(id, dir string) error
	RefuseFile(id, reason string) error
	OfferFile(ctx context.Context, participantID, path string) (*client.Transfer, error)
	Transfer(id string) *client.Transfer
}

// maxEarlyFileEvents bounds the events kept for transfers whose row does
// not exist yet (an offer still being hashed).
const maxEarlyFileEvents = 64

// fileDesk runs one session's file transfers in an app: it answers
// offers through its prompt, follows every transfer in a FileTransfers
// list and sends files. Its methods run on Fyne's goroutine; Close waits
// for the offers it started.
type fileDesk struct {
	// List holds the transfers.
	List *FileTransfers

	s      fileSession
	dir    string
	do     func(func())
	ask    func(from protocol.Participant, offer client.FileOffer, answer func(bool))
	place  func(id string, offer client.FileOffer, incoming bool, peer string) *FileRow
	notice func(text string)
	refuse string
	early  map[string]client.FileTransferChanged

	ctx    context.Context // canceled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newFileDesk(s fileSession, lang, dir string, do func(func())) *fileDesk {
	ctx, cancel := context.WithCancel(context.Background())
	return &fileDesk{List: NewFileTransfers(lang), s: s, dir: dir, do: do, early: map[string]client.FileTransferChanged{}, ctx: ctx, cancel: cancel}
}

// newCustomerFiles runs file transfer in the customer's window: a rep's
// offer is asked with the session's prompt, transfers show in the chat,
// received files go to dir. Wiring (customerapp.go), in the session's
// event pump:
//
//	files := newCustomerFiles(c.view, s, DownloadsDir())
//	case client.FileOffered, client.FileTransferChanged: files.Handle(ev)
//	// and, where allowed, the button: files.SendButton(allowed, repID)
//	// and files.Close() when the window closes.
func newCustomerFiles(v *CustomerView, s fileSession, dir string) *fileDesk {
	d := newFileDesk(s, v.setup.Lang, dir, v.do)
	d.refuse = CustomerRefusedFile
	d.ask = func(from protocol.Participant, offer client.FileOffer, answer func(bool)) {
		askFileOffer(v, from, offer, dir, answer)
	}
	d.place = func(id string, offer client.FileOffer, incoming bool, peer string) *FileRow {
		return trackInChat(v, d.List, id, peer, offer, incoming, dir, d.canceler(id))
	}
	d.notice = v.Chat.Notice
	return d
}

// SendButton is the customer's "Send a file" button, or nil where the
// portal does not allow customer offers; repID names the rep who gets
// the file (the one in control, or the first).
func (d *fileDesk) SendButton(v *CustomerView, allowed bool, repID func() protocol.Participant) *widget.Button {
	return customerSendFile(v, allowed, func(path string) { d.Offer(repID(), path) })
}

// newConsoleFiles runs file transfer in a console session: the
// customer's offer is asked in a dialog, transfers are listed in
// d.List.Content (a tab of the session view) with why they failed, and
// received files go to dir. Wiring (console_session.go / rep.go):
//
//	files := newConsoleFiles(win, s, DownloadsDir(), fyne.Do)
//	send := NewSendFileButton(win, func(path string) { files.Offer(customer, path) })
//	case client.FileOffered, client.FileTransferChanged: files.Handle(ev)
func newConsoleFiles(win fyne.Window, s fileSession, dir string, do func(func())) *fileDesk {
	d := newFileDesk(s, "en", dir, do)
	d.List.ShowErrors = true
	d.refuse = "the representative declined the file"
	d.ask = func(from protocol.Participant, offer client.FileOffer, answer func(bool)) {
		AskFileOffer(win, from, offer, dir, answer)
	}
	d.notice = func(text string) { dialog.ShowInformation("File transfer", text, win) }
	return d
}

// canceler cancels a transfer of the session, if it still runs.
func (d *fileDesk) canceler(id string) func() {
	return func() {
		if t := d.s.Transfer(id); t != nil {
			t.Cancel()
		}
	}
}

// track adds a row, in the list or where place puts it, and applies an
// event that came before it.
func (d *fileDesk) track(id string, offer client.FileOffer, incoming bool, peer string) *FileRow {
	var r *FileRow
	if d.place != nil {
		r = d.place(id, offer, incoming, peer)
	} else {
		r = d.List.Track(id, peer, offer, incoming, d.dir, d.canceler(id))
	}
	if e, ok := d.early[id]; ok {
		delete(d.early, id)
		d.List.Update(e)
	}
	return r
}

// Handle takes a file event of the session; it reports false for other
// events.
func (d *fileDesk) Handle(ev client.Event) bool {
	switch e := ev.(type) {
	case client.FileOffered:
		id := e.Offer.ID
		d.ask(e.Participant, e.Offer, func(ok bool) {
			if !ok {
				if err := d.s.RefuseFile(id, d.refuse); err != nil {
					d.notice(fileText(d.List.lang, "files.failed", "file", e.Offer.Name))
				}
				return
			}
			d.track(id, e.Offer, true, e.Participant.Name)
			if err := d.s.AcceptFile(id, d.dir); err != nil {
				d.List.Update(client.FileTransferChanged{ID: id, State: client.FileFailed, Err: err})
			}
		})
	case client.FileTransferChanged:
		if d.List.Row(e.ID) == nil {
			if _, ok := d.early[e.ID]; ok || len(d.early) < maxEarlyFileEvents {
				d.early[e.ID] = e
			}
			return true
		}
		d.List.Update(e)
	default:
		return false
	}
	return true
}

// Offer offers the file at path to a participant: the file is read for
// its checksum off Fyne's goroutine, then the transfer gets its row.
func (d *fileDesk) Offer(to protocol.Participant, path string) {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		t, err := d.s.OfferFile(d.ctx, to.ID, path)
		d.do(func() {
			if err != nil {
				d.notice(fileText(d.List.lang, "files.failed", "file", filepath.Base(path)))
				return
			}
			d.track(t.ID(), t.Offer(), false, to.Name)
		})
	}()
}

// Close stops offers still being prepared and waits for them.
func (d *fileDesk) Close() {
	d.cancel()
	d.wg.Wait()
}
