package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/pion/webrtc/v4"

	"github.com/tandemhq/tandem/protocol"
)

// File transfer travels peer to peer on the "files" data channel (ordered,
// reliable) between the customer and a rep. The customer's client is the
// authority: it refuses a rep's offer by itself where the portal does not
// let reps send files, and offers none where the portal does not let the
// customer send them; otherwise the person at the receiving end decides.
// Files never go to or from an external specialist: both ends refuse
// offers on such a connection, and make none.
//
// Text messages are JSON:
//
//	offerer → receiver  {"type":"offer","id":…,"name":…,"size":…,"sha256":…}
//	receiver → offerer  {"type":"accept","id":…} or {"type":"refuse","id":…,"reason":…}
//	offerer → receiver  binary chunks, then {"type":"done","id":…}
//	receiver → offerer  {"type":"done","id":…} once the file is saved, or
//	                    {"type":"refuse","id":…,"reason":…} when it is not
//	either side         {"type":"cancel","id":…} at any time
//
// A binary message is one chunk of an accepted transfer: one byte with the
// length of the transfer's ID, the ID, then at most FileChunkSize bytes of
// the file. The receiver writes into a temporary file in the chosen folder
// and renames it only when the size and the SHA-256 match the offer; it
// never overwrites a file (it adds " (1)", " (2)", … to the name).
// Anything malformed or unexpected is refused and logged.

// FilesLabel is the ordered, reliable data channel that carries files.
const FilesLabel = "files"

// Limits of file transfer.
const (
	// MaxFileSize is the largest file that can be offered or accepted.
	MaxFileSize = 2 << 30
	// FileChunkSize is the most file data one binary message carries.
	FileChunkSize = 16 << 10
	// maxFileName is the longest file name, in bytes.
	maxFileName = 255
	// maxFileMsg bounds a JSON file message.
	maxFileMsg = 2048
	// maxFileID bounds a transfer ID.
	maxFileID = 64
	// fileBufferHigh is how much the sender lets the data channel buffer
	// before it waits; it resumes once the buffer falls to fileBufferLow.
	fileBufferHigh = 4 << 20
	fileBufferLow  = 1 << 20
	// maxRenames bounds the " (n)" suffixes tried for a free name.
	maxRenames = 1000
)

// DisabledFilesReason is the reason the customer's client gives a rep
// whose offer the portal's policy refuses.
const DisabledFilesReason = "file transfer is disabled on this portal"

// NoFilesReason is the reason a client gives an offer on a connection
// that files may not travel on (one with an external specialist).
const NoFilesReason = "files go only between the customer and a representative"

// Errors of file transfer.
var (
	// ErrFilesDisabled: the portal does not allow this file transfer.
	ErrFilesDisabled = errors.New("client: " + DisabledFilesReason)
	// ErrFileRefused: the other side refused the file; the error says why.
	ErrFileRefused = errors.New("client: file refused")
	// ErrFileCanceled: the transfer was canceled by one side.
	ErrFileCanceled = errors.New("client: file transfer canceled")
	// ErrBadFile: a file offer or file message is malformed or unexpected.
	ErrBadFile = errors.New("client: bad file transfer")
	// ErrNoTransfer: no pending or running transfer has the ID.
	ErrNoTransfer = errors.New("client: no such file transfer")
)

// FileOffer describes an offered file.
type FileOffer struct {
	// ID names the transfer within the session.
	ID string `json:"id"`
	// Name is the file's base name.
	Name string `json:"name"`
	// Size is the file's length in bytes.
	Size int64 `json:"size"`
	// SHA256 is the file's SHA-256, lowercase hex.
	SHA256 string `json:"sha256"`
}

// Validate checks an offer as it arrives from the other side.
func (o FileOffer) Validate() error {
	if err := validFileID(o.ID); err != nil {
		return err
	}
	if err := ValidFileName(o.Name); err != nil {
		return err
	}
	if o.Size < 0 || o.Size > MaxFileSize {
		return fmt.Errorf("%w: size %d is not between 0 and %d bytes", ErrBadFile, o.Size, int64(MaxFileSize))
	}
	if b, err := hex.DecodeString(o.SHA256); err != nil || len(b) != sha256.Size || strings.ToLower(o.SHA256) != o.SHA256 {
		return fmt.Errorf("%w: bad sha256 %q", ErrBadFile, o.SHA256)
	}
	return nil
}

// ValidFileName checks that name is a plain file name: not empty, at most
// 255 bytes of UTF-8, no path separator ('/', '\\', ':'), no control
// character, not "." or "..".
func ValidFileName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("%w: file name %q", ErrBadFile, name)
	case len(name) > maxFileName:
		return fmt.Errorf("%w: file name longer than %d bytes", ErrBadFile, maxFileName)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: file name is not UTF-8", ErrBadFile)
	case strings.ContainsAny(name, `/\:`):
		return fmt.Errorf("%w: file name %q has a path separator", ErrBadFile, name)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: file name %q has a control character", ErrBadFile, name)
		}
	}
	return nil
}

func validFileID(id string) error {
	if id == "" || len(id) > maxFileID {
		return fmt.Errorf("%w: transfer id of %d bytes", ErrBadFile, len(id))
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_') {
			return fmt.Errorf("%w: transfer id %q", ErrBadFile, id)
		}
	}
	return nil
}

// FileState is where a file transfer stands.
type FileState int

// File transfer states.
const (
	FileUnknown FileState = iota
	// FilePending: offered, not answered yet.
	FilePending
	// FileAccepted: the receiver accepted; data follows.
	FileAccepted
	// FileRefused: the receiver (or its portal's policy) refused.
	FileRefused
	// FileProgress: data is moving; Bytes says how much.
	FileProgress
	// FileDone: the receiver saved the whole file, checksum verified.
	FileDone
	// FileFailed: canceled, broken off or not verified; Err says why.
	FileFailed
)

var fileStateNames = [...]string{"unknown", "pending", "accepted", "refused", "progress", "done", "failed"}

// String names the state.
func (s FileState) String() string {
	if s < 0 || int(s) >= len(fileStateNames) {
		return fmt.Sprintf("FileState(%d)", int(s))
	}
	return fileStateNames[s]
}

// MarshalText writes the state's name.
func (s FileState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// final reports whether the state ends the transfer.
func (s FileState) final() bool { return s == FileRefused || s == FileDone || s == FileFailed }

// FileOffered reports a file the other side offers. Answer with
// Session.AcceptFile or Session.RefuseFile. On the customer's side it only
// comes where the portal lets reps send files.
type FileOffered struct {
	Participant protocol.Participant
	Offer       FileOffer
}

// FileTransferChanged reports a change of a transfer, in either direction:
// accepted, refused, progress (Bytes so far), done (Path is where the
// receiver saved it) or failed (Err says why).
type FileTransferChanged struct {
	ID    string
	State FileState
	Bytes int64
	// Path is the saved file, on the receiving side once done.
	Path string
	Err  error
}

func (FileOffered) event()         {}
func (FileTransferChanged) event() {}

// fileMsg is a JSON file message.
type fileMsg struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// File message types.
const (
	fmOffer  = "offer"
	fmAccept = "accept"
	fmRefuse = "refuse"
	fmCancel = "cancel"
	fmDone   = "done"
)

// maxReason bounds a refusal's reason.
const maxReason = 500

// Transfer is one file on its way, in either direction.
type Transfer struct {
	offer    FileOffer
	part     protocol.Participant
	incoming bool
	link     *fileLink

	// Sender side: the file being sent.
	src *os.File

	mu    sync.Mutex
	state FileState
	bytes int64
	path  string // final path (receiver, done)
	err   error
	// Receiver side, once accepted.
	tmp      *os.File
	dir      string
	sum      hash.Hash
	reported int64 // bytes at the last progress event
	done     chan struct{}
	closed   bool
}

// ID names the transfer.
func (t *Transfer) ID() string { return t.offer.ID }

// Offer is what was offered.
func (t *Transfer) Offer() FileOffer { return t.offer }

// Participant is the other side.
func (t *Transfer) Participant() protocol.Participant { return t.part }

// Incoming reports whether this side receives the file.
func (t *Transfer) Incoming() bool { return t.incoming }

// State is where the transfer stands, with the bytes moved so far.
func (t *Transfer) State() (FileState, int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state, t.bytes
}

// Path is where the receiver saved the file; empty until done and on the
// sending side.
func (t *Transfer) Path() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.path
}

// Done is closed when the transfer is over: done, refused or failed.
func (t *Transfer) Done() <-chan struct{} { return t.done }

// Wait blocks until the transfer is over and returns nil once the
// receiver saved the file, an error wrapping ErrFileRefused with the
// reason, ErrFileCanceled, or why it failed.
func (t *Transfer) Wait(ctx context.Context) error {
	select {
	case <-t.done:
		t.mu.Lock()
		defer t.mu.Unlock()
		return t.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Cancel stops the transfer and tells the other side; a receiver removes
// its partial file. Canceling a transfer that is over does nothing.
func (t *Transfer) Cancel() {
	if t.finish(FileFailed, ErrFileCanceled) {
		t.link.send(fileMsg{Type: fmCancel, ID: t.offer.ID})
	}
}

// finish ends the transfer once: it closes and removes what it holds and
// reports the final state. It reports whether this call ended it.
func (t *Transfer) finish(state FileState, err error) bool {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return false
	}
	t.closed = true
	t.state, t.err = state, err
	bytes, path := t.bytes, t.path
	tmp := t.tmp
	t.tmp = nil
	t.mu.Unlock()
	if tmp != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
	}
	if t.src != nil {
		_ = t.src.Close()
	}
	t.link.forget(t)
	close(t.done)
	t.link.hub.emit(FileTransferChanged{ID: t.offer.ID, State: state, Bytes: bytes, Path: path, Err: err})
	if err != nil && !errors.Is(err, ErrFileRefused) && !errors.Is(err, ErrFileCanceled) {
		t.link.log.Warn("file transfer failed", "id", t.offer.ID, "name", t.offer.Name, "err", err)
	}
	return true
}

// setState moves a transfer that is not over and reports it.
func (t *Transfer) setState(state FileState) bool {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return false
	}
	t.state = state
	bytes := t.bytes
	t.mu.Unlock()
	t.link.hub.emit(FileTransferChanged{ID: t.offer.ID, State: state, Bytes: bytes})
	return true
}

// progress adds n moved bytes and reports progress about every
// hundredth of the file.
func (t *Transfer) progress(n int) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return
	}
	t.bytes += int64(n)
	bytes := t.bytes
	report := bytes == t.offer.Size || bytes-t.reported >= max(t.offer.Size/100, FileChunkSize)
	if report {
		t.reported = bytes
		t.state = FileProgress
	}
	t.mu.Unlock()
	if report {
		t.link.hub.emit(FileTransferChanged{ID: t.offer.ID, State: FileProgress, Bytes: bytes})
	}
}

// fileHub is a session's file transfers: the policy, the transfers by ID
// and where their events go.
type fileHub struct {
	ev   *events
	log  *slog.Logger
	self protocol.Participant

	mu sync.Mutex
	// cfg is the portal's configuration (customer side); nil refuses
	// every transfer on the customer's side.
	cfg *protocol.CustomerClientConfig
	// funcs are the session's functions as the server answers them (rep
	// side); nil until known, when the customer's client alone decides.
	funcs     *protocol.Functions
	transfers map[string]*Transfer
}

// repAllows reports what the server says the session allows a rep:
// sending files, and taking the customer's; both true while unknown.
func (h *fileHub) repAllows() (send, receive bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.funcs == nil {
		return true, true
	}
	return h.funcs.SendFiles, h.funcs.ReceiveFiles
}

func newFileHub(ev *events, log *slog.Logger, self protocol.Participant) *fileHub {
	return &fileHub{ev: ev, log: log, self: self, transfers: make(map[string]*Transfer)}
}

func (h *fileHub) emit(e Event) { h.ev.emit(e) }

func (h *fileHub) customer() bool { return h.self.Role == protocol.RoleCustomer }

// repMaySend reports whether the customer's portal lets reps send files.
func (h *fileHub) repMaySend() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cfg != nil && h.cfg.Functions.SendFiles
}

// customerMayOffer reports whether the portal lets the customer offer files.
func (h *fileHub) customerMayOffer() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cfg != nil && h.cfg.Functions.ReceiveFiles && h.cfg.Misc.CustomerFileOffers
}

func (h *fileHub) transfer(id string) *Transfer {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.transfers[id]
}

// add registers a transfer; false when its ID is taken.
func (h *fileHub) add(t *Transfer) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.transfers[t.offer.ID] != nil {
		return false
	}
	h.transfers[t.offer.ID] = t
	return true
}

func (h *fileHub) remove(t *Transfer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.transfers[t.offer.ID] == t {
		delete(h.transfers, t.offer.ID)
	}
}

// fileLink is the files channel of one peer connection.
type fileLink struct {
	p   *Peer
	hub *fileHub
	log *slog.Logger

	mu     sync.Mutex
	dc     *webrtc.DataChannel
	closed bool
	// open is closed once the files channel is open.
	open     chan struct{}
	openOnce sync.Once
	// low wakes senders when the channel's buffer drained.
	low chan struct{}
	// mine are this link's transfers by ID.
	mine map[string]*Transfer
}

// newFileLink makes the files link of a peer and starts the goroutine that
// fails its transfers when the peer closes.
func newFileLink(p *Peer, hub *fileHub) *fileLink {
	l := &fileLink{p: p, hub: hub, log: p.log, low: make(chan struct{}, 1), open: make(chan struct{}), mine: make(map[string]*Transfer)}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		<-p.done
		l.close()
	}()
	return l
}

// allowed reports whether files may travel on this connection: only
// between the customer and a rep, never with an external specialist.
func (l *fileLink) allowed() bool {
	if l.specialist() {
		return false
	}
	return (l.hub.self.Role == protocol.RoleCustomer) != (l.p.part.Role == protocol.RoleCustomer)
}

// specialist reports whether an external specialist is at either end of
// this connection.
func (l *fileLink) specialist() bool {
	return l.hub.self.Role == protocol.RoleSpecialist || l.p.part.Role == protocol.RoleSpecialist
}

// notAllowed is why files may not travel on this connection.
func (l *fileLink) notAllowed() error {
	if l.specialist() {
		return fmt.Errorf("%w: files do not go to or from external specialists", ErrSpecialist)
	}
	return fmt.Errorf("%w: files go only between the customer and a rep", ErrBadFile)
}

// refuseNotAllowed answers an offer on a connection files may not travel
// on with a refusal, and logs anything else that comes on it.
func (l *fileLink) refuseNotAllowed(m webrtc.DataChannelMessage) {
	var fm fileMsg
	if m.IsString && len(m.Data) <= maxFileMsg && protocol.UnmarshalStrict(m.Data, &fm) == nil && fm.Type == fmOffer {
		l.refuse(fm.ID, NoFilesReason, l.notAllowed())
		return
	}
	l.log.Warn("refusing a file message", "peer", l.p.part.ID, "err", l.notAllowed())
}

// attachFiles takes the peer's files channel; without a link (a session
// that does not do files) everything on it is refused.
func (p *Peer) attachFiles(dc *webrtc.DataChannel) {
	l := p.files
	if l == nil {
		dc.OnMessage(func(webrtc.DataChannelMessage) {
			p.log.Warn("refusing a file message: file transfer is not set up", "peer", p.part.ID)
		})
		return
	}
	l.mu.Lock()
	l.dc = dc
	l.mu.Unlock()
	dc.OnOpen(func() { l.openOnce.Do(func() { close(l.open) }) })
	dc.SetBufferedAmountLowThreshold(fileBufferLow)
	dc.OnBufferedAmountLow(func() {
		select {
		case l.low <- struct{}{}:
		default:
		}
	})
	dc.OnMessage(func(m webrtc.DataChannelMessage) { l.handle(m) })
	dc.OnClose(func() {
		if p.goWork() {
			go func() {
				defer p.wg.Done()
				l.close()
			}()
		}
	})
}

// close fails every transfer of the link. Idempotent.
func (l *fileLink) close() {
	l.mu.Lock()
	l.closed = true
	ts := make([]*Transfer, 0, len(l.mine))
	for _, t := range l.mine {
		ts = append(ts, t)
	}
	l.mu.Unlock()
	for _, t := range ts {
		t.finish(FileFailed, fmt.Errorf("%w: connection to %s closed", ErrPeerFailed, l.p.part.Name))
	}
}

func (l *fileLink) forget(t *Transfer) {
	l.mu.Lock()
	if l.mine[t.offer.ID] == t {
		delete(l.mine, t.offer.ID)
	}
	l.mu.Unlock()
	l.hub.remove(t)
}

// register adds a transfer to the link and the session.
func (l *fileLink) register(t *Transfer) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return fmt.Errorf("%w: %s", ErrPeerFailed, l.p.part.Name)
	}
	if !l.hub.add(t) {
		return fmt.Errorf("%w: transfer id %q is taken", ErrBadFile, t.offer.ID)
	}
	l.mine[t.offer.ID] = t
	return nil
}

func (l *fileLink) channel() *webrtc.DataChannel {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dc
}

// send sends a JSON file message; a failure is logged (the transfer it
// concerns fails with the connection).
func (l *fileLink) send(m fileMsg) {
	if err := l.sendMsg(m); err != nil {
		l.log.Warn("send file message", "type", m.Type, "id", m.ID, "err", err)
	}
}

func (l *fileLink) sendMsg(m fileMsg) error {
	dc := l.channel()
	if dc == nil {
		return fmt.Errorf("send file %s: no files channel", m.Type)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := dc.SendText(string(b)); err != nil {
		return fmt.Errorf("send file %s: %w", m.Type, err)
	}
	return nil
}

// refuse refuses a transfer ID with a reason and logs why.
func (l *fileLink) refuse(id, reason string, err error) {
	l.log.Warn("refusing a file transfer", "peer", l.p.part.ID, "id", id, "err", err)
	if validFileID(id) == nil {
		l.send(fileMsg{Type: fmRefuse, ID: id, Reason: reason})
	}
}

// handle takes one message from the files channel (pion's goroutine).
func (l *fileLink) handle(m webrtc.DataChannelMessage) {
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	switch {
	case closed:
		return
	case !l.allowed():
		l.refuseNotAllowed(m)
	case m.IsString:
		l.handleText(m.Data)
	default:
		l.handleChunk(m.Data)
	}
}

func (l *fileLink) handleText(data []byte) {
	var m fileMsg
	if len(data) > maxFileMsg {
		l.log.Warn("refusing an oversized file message", "peer", l.p.part.ID, "bytes", len(data))
		return
	}
	if err := protocol.UnmarshalStrict(data, &m); err != nil {
		l.log.Warn("refusing a malformed file message", "peer", l.p.part.ID, "err", err)
		return
	}
	if m.Type == fmOffer {
		l.handleOffer(FileOffer{ID: m.ID, Name: m.Name, Size: m.Size, SHA256: m.SHA256})
		return
	}
	l.mu.Lock()
	t := l.mine[m.ID]
	l.mu.Unlock()
	if t == nil {
		l.log.Warn("refusing a file message for no transfer", "peer", l.p.part.ID, "type", m.Type, "id", m.ID, "err", ErrNoTransfer)
		return
	}
	state, _ := t.State()
	switch {
	case m.Type == fmCancel:
		t.finish(FileFailed, fmt.Errorf("%w by %s", ErrFileCanceled, l.p.part.Name))
	case m.Type == fmAccept && !t.incoming && state == FilePending:
		if t.setState(FileAccepted) {
			l.startSending(t)
		}
	case m.Type == fmRefuse && !t.incoming:
		reason := m.Reason
		if len(reason) > maxReason {
			reason = reason[:maxReason]
		}
		st := FileRefused
		if state != FilePending {
			st = FileFailed // refused after the data: not saved
		}
		t.finish(st, fmt.Errorf("%w: %s", ErrFileRefused, reason))
	case m.Type == fmDone && !t.incoming && state != FilePending:
		t.finish(FileDone, nil)
	case m.Type == fmDone && t.incoming && (state == FileAccepted || state == FileProgress):
		l.complete(t)
	default:
		l.log.Warn("refusing an unexpected file message", "peer", l.p.part.ID, "type", m.Type, "id", m.ID, "state", state)
		l.fail(t, "unexpected "+m.Type, fmt.Errorf("%w: unexpected %q in state %s", ErrBadFile, m.Type, state))
	}
}

// fail ends a transfer after bad input and tells the other side.
func (l *fileLink) fail(t *Transfer, reason string, err error) {
	if t.finish(FileFailed, err) {
		msg := fmCancel
		if t.incoming {
			msg = fmRefuse
		}
		l.send(fileMsg{Type: msg, ID: t.offer.ID, Reason: reason})
	}
}

func (l *fileLink) handleOffer(o FileOffer) {
	if err := o.Validate(); err != nil {
		l.refuse(o.ID, "bad offer", err)
		return
	}
	if l.hub.customer() && !l.hub.repMaySend() {
		l.refuse(o.ID, DisabledFilesReason, ErrFilesDisabled)
		return
	}
	if _, receive := l.hub.repAllows(); !l.hub.customer() && !receive {
		l.refuse(o.ID, DisabledFilesReason, ErrFilesDisabled)
		return
	}
	t := &Transfer{offer: o, part: l.p.part, incoming: true, link: l, state: FilePending, done: make(chan struct{})}
	if err := l.register(t); err != nil {
		l.refuse(o.ID, "transfer id in use", err)
		return
	}
	l.hub.emit(FileOffered{Participant: l.p.part, Offer: o})
}

// handleChunk writes one chunk of an accepted incoming transfer.
func (l *fileLink) handleChunk(data []byte) {
	if len(data) < 2 || int(data[0]) == 0 || int(data[0]) > maxFileID || len(data) < 1+int(data[0]) {
		l.log.Warn("refusing a malformed file chunk", "peer", l.p.part.ID, "bytes", len(data))
		return
	}
	id, chunk := string(data[1:1+int(data[0])]), data[1+int(data[0]):]
	l.mu.Lock()
	t := l.mine[id]
	l.mu.Unlock()
	if t == nil || !t.incoming {
		l.log.Warn("refusing a file chunk for no accepted transfer", "peer", l.p.part.ID, "id", id, "err", ErrNoTransfer)
		return
	}
	if len(chunk) > FileChunkSize {
		l.fail(t, "chunk too large", fmt.Errorf("%w: chunk of %d bytes", ErrBadFile, len(chunk)))
		return
	}
	t.mu.Lock()
	tmp, sum, over := t.tmp, t.sum, t.bytes+int64(len(chunk)) > t.offer.Size
	t.mu.Unlock()
	switch {
	case tmp == nil:
		l.fail(t, "data before accept", fmt.Errorf("%w: data for transfer %s before it was accepted", ErrBadFile, id))
		return
	case over:
		l.fail(t, "more data than offered", fmt.Errorf("%w: more than the %d bytes offered", ErrBadFile, t.offer.Size))
		return
	}
	// One goroutine (pion's reader) delivers a channel's messages in
	// order, so writes to tmp do not race; finish closes it under t.mu
	// only after taking it away, and a write to a closed file just fails.
	if _, err := tmp.Write(chunk); err != nil {
		l.fail(t, "cannot write the file", fmt.Errorf("write %s: %w", t.offer.Name, err))
		return
	}
	sum.Write(chunk)
	t.progress(len(chunk))
}

// complete checks a fully received file and saves it under a free name.
func (l *fileLink) complete(t *Transfer) {
	t.mu.Lock()
	tmp, sum, bytes, dir := t.tmp, t.sum, t.bytes, t.dir
	t.mu.Unlock()
	if tmp == nil {
		return
	}
	if bytes != t.offer.Size {
		l.fail(t, "size does not match", fmt.Errorf("%w: got %d bytes; offered %d", ErrBadFile, bytes, t.offer.Size))
		return
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != t.offer.SHA256 {
		l.fail(t, "checksum does not match", fmt.Errorf("%w: sha256 %s; offered %s", ErrBadFile, got, t.offer.SHA256))
		return
	}
	if err := tmp.Sync(); err != nil {
		l.fail(t, "cannot write the file", fmt.Errorf("sync %s: %w", t.offer.Name, err))
		return
	}
	path, err := saveAs(tmp.Name(), dir, t.offer.Name)
	if err != nil {
		l.fail(t, "cannot save the file", err)
		return
	}
	t.mu.Lock()
	t.path = path
	t.mu.Unlock()
	// finish closes and removes the temporary name; when a Cancel ended
	// the transfer meanwhile, the saved copy goes too.
	if !t.finish(FileDone, nil) {
		_ = os.Remove(path)
		return
	}
	l.send(fileMsg{Type: fmDone, ID: t.offer.ID})
}

// saveAs links the temporary file tmp to name in dir, or name (1), name
// (2), … when that exists: it never replaces a file.
func saveAs(tmp, dir, name string) (string, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	if stem == "" { // ".bashrc"
		stem, ext = name, ""
	}
	for i := range maxRenames {
		cand := name
		if i > 0 {
			cand = fmt.Sprintf("%s (%d)%s", stem, i, ext)
		}
		path := filepath.Join(dir, cand)
		err := os.Link(tmp, path)
		if err == nil {
			return path, nil
		}
		if errors.Is(err, os.ErrExist) {
			continue
		}
		// No hard links here: claim the name, then move onto it.
		f, cerr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(cerr, os.ErrExist) {
			continue
		}
		if cerr != nil {
			return "", fmt.Errorf("save %s: %w", path, cerr)
		}
		_ = f.Close()
		if err := os.Rename(tmp, path); err != nil {
			_ = os.Remove(path)
			return "", fmt.Errorf("save %s: %w", path, err)
		}
		return path, nil
	}
	return "", fmt.Errorf("save %s: no free name in %s", name, dir)
}

// offerFile offers the file at path on this link.
func (l *fileLink) offerFile(ctx context.Context, path string) (*Transfer, error) {
	if !l.allowed() {
		return nil, fmt.Errorf("offer %s: %w", path, l.notAllowed())
	}
	select {
	case <-l.open:
	case <-l.p.done:
		return nil, fmt.Errorf("offer file: %w: %s", ErrPeerFailed, l.p.part.Name)
	case <-ctx.Done():
		return nil, fmt.Errorf("offer file: %w", ctx.Err())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("offer file: %w", err)
	}
	o, err := describeFile(ctx, f)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("offer %s: %w", path, err)
	}
	return l.sendOffer(f, o)
}

// sendOffer registers the transfer of f described by o and offers it; the
// transfer owns f from here.
func (l *fileLink) sendOffer(f *os.File, o FileOffer) (*Transfer, error) {
	t := &Transfer{offer: o, part: l.p.part, link: l, src: f, state: FilePending, done: make(chan struct{})}
	if err := l.register(t); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("offer %s: %w", o.Name, err)
	}
	if err := l.sendMsg(fileMsg{Type: fmOffer, ID: o.ID, Name: o.Name, Size: o.Size, SHA256: o.SHA256}); err != nil {
		t.finish(FileFailed, err)
		return nil, err
	}
	return t, nil
}

// describeFile makes the offer of an open file: its name, size and SHA-256.
func describeFile(ctx context.Context, f *os.File) (FileOffer, error) {
	st, err := f.Stat()
	if err != nil {
		return FileOffer{}, err
	}
	if !st.Mode().IsRegular() {
		return FileOffer{}, fmt.Errorf("%w: not a regular file", ErrBadFile)
	}
	if st.Size() > MaxFileSize {
		return FileOffer{}, fmt.Errorf("%w: larger than %d bytes", ErrBadFile, int64(MaxFileSize))
	}
	o := FileOffer{ID: randomID(), Name: filepath.Base(f.Name()), Size: st.Size()}
	if err := ValidFileName(o.Name); err != nil {
		return FileOffer{}, err
	}
	h := sha256.New()
	n, err := io.Copy(h, ctxReader{ctx, io.NewSectionReader(f, 0, st.Size())})
	if err != nil {
		return FileOffer{}, err
	}
	if n != st.Size() {
		return FileOffer{}, fmt.Errorf("%w: the file changed while it was read", ErrBadFile)
	}
	o.SHA256 = hex.EncodeToString(h.Sum(nil))
	return o, nil
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(b []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(b)
}

// startSending starts the goroutine that sends an accepted file.
func (l *fileLink) startSending(t *Transfer) {
	if !l.p.goWork() {
		t.finish(FileFailed, ErrClosed)
		return
	}
	go func() {
		defer l.p.wg.Done()
		if err := l.sendData(t); err != nil {
			l.fail(t, "send failed", err)
		}
	}()
}

// sendData sends the file in chunks, waiting while the channel's buffer
// is above fileBufferHigh, then says done.
func (l *fileLink) sendData(t *Transfer) error {
	dc := l.channel()
	if dc == nil {
		return errors.New("send file: no files channel")
	}
	id := t.offer.ID
	buf := make([]byte, 1+len(id)+FileChunkSize)
	buf[0] = byte(len(id))
	copy(buf[1:], id)
	var off int64
	for off < t.offer.Size {
		for dc.BufferedAmount() > fileBufferHigh {
			select {
			case <-l.low:
			case <-t.done:
				return nil
			case <-l.p.done:
				return nil
			}
		}
		select {
		case <-t.done:
			return nil // canceled or refused meanwhile
		default:
		}
		n := int(min(int64(FileChunkSize), t.offer.Size-off))
		if _, err := t.src.ReadAt(buf[1+len(id):1+len(id)+n], off); err != nil {
			return fmt.Errorf("read %s: %w", t.offer.Name, err)
		}
		if err := dc.Send(buf[:1+len(id)+n]); err != nil {
			return fmt.Errorf("send %s: %w", t.offer.Name, err)
		}
		off += int64(n)
		t.progress(n)
	}
	return l.sendMsg(fileMsg{Type: fmDone, ID: id})
}

// accept starts receiving a transfer into dir.
func (l *fileLink) accept(t *Transfer, dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("accept file: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("accept file: %s is not a folder", dir)
	}
	tmp, err := os.CreateTemp(dir, ".tandem-*.part")
	if err != nil {
		return fmt.Errorf("accept file: %w", err)
	}
	t.mu.Lock()
	if t.closed || t.state != FilePending {
		t.mu.Unlock()
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("accept file %s: %w", t.offer.ID, ErrNoTransfer)
	}
	t.tmp, t.dir, t.sum, t.state = tmp, dir, sha256.New(), FileAccepted
	t.mu.Unlock()
	if err := l.sendMsg(fileMsg{Type: fmAccept, ID: t.offer.ID}); err != nil {
		t.finish(FileFailed, err)
		return err
	}
	l.hub.emit(FileTransferChanged{ID: t.offer.ID, State: FileAccepted})
	return nil
}

// OfferFile offers the file at path to the participant at the other end
// (a rep to the customer, or the customer to a rep). The file is read once
// for its checksum before the offer goes out; the returned Transfer follows
// the answer and the data.
func (p *Peer) OfferFile(ctx context.Context, path string) (*Transfer, error) {
	if p.files == nil {
		return nil, fmt.Errorf("offer file: %w: file transfer is not set up", ErrBadFile)
	}
	if p.files.hub.customer() && !p.files.hub.customerMayOffer() {
		return nil, fmt.Errorf("offer file: %w", ErrFilesDisabled)
	}
	if send, _ := p.files.hub.repAllows(); !p.files.hub.customer() && !send {
		return nil, fmt.Errorf("offer file: %w", ErrFilesDisabled)
	}
	return p.files.offerFile(ctx, path)
}

// OfferFile offers a file to a participant of the session: the customer
// to a rep (where the portal lets the customer offer files), or a rep to
// the customer (as Peer.OfferFile).
func (s *Session) OfferFile(ctx context.Context, participantID, path string) (*Transfer, error) {
	if s.self.Role == protocol.RoleCustomer && !s.fileHub().customerMayOffer() {
		return nil, fmt.Errorf("offer file: %w", ErrFilesDisabled)
	}
	p := s.Peer(participantID)
	if p == nil {
		return nil, fmt.Errorf("offer file: no connection to %s", participantID)
	}
	return p.OfferFile(ctx, path)
}

// FilesAllowed reports what the portal lets this side do: receive (a rep
// may send the customer files) and offer (the customer may offer files).
// On a rep's side they are what the server answered when the session was
// taken (both true where it could not be asked: the customer's client
// decides). On an external specialist's side both are false.
func (s *Session) FilesAllowed() (receive, offer bool) {
	if s.self.Role == protocol.RoleSpecialist {
		return false, false // files never go to or from a specialist
	}
	if s.self.Role != protocol.RoleCustomer {
		send, receive := s.fileHub().repAllows()
		return send, receive
	}
	h := s.fileHub()
	return h.repMaySend(), h.customerMayOffer()
}

// AcceptFile accepts an offered file; it is saved in the folder dir once
// whole and verified. FileTransferChanged events follow it.
func (s *Session) AcceptFile(id, dir string) error {
	t := s.fileHub().transfer(id)
	if t == nil || !t.incoming {
		return fmt.Errorf("accept file %s: %w", id, ErrNoTransfer)
	}
	return t.link.accept(t, dir)
}

// RefuseFile refuses an offered file, telling the other side the reason.
func (s *Session) RefuseFile(id, reason string) error {
	t := s.fileHub().transfer(id)
	if t == nil || !t.incoming {
		return fmt.Errorf("refuse file %s: %w", id, ErrNoTransfer)
	}
	if len(reason) > maxReason {
		reason = reason[:maxReason]
	}
	if t.finish(FileRefused, fmt.Errorf("%w: %s", ErrFileRefused, reason)) {
		t.link.send(fileMsg{Type: fmRefuse, ID: id, Reason: reason})
	}
	return nil
}

// Transfer returns a transfer of the session that is not over, or nil.
func (s *Session) Transfer(id string) *Transfer { return s.fileHub().transfer(id) }

// setFilePolicy gives the customer's session the portal's configuration,
// which decides what file transfers it allows (nil allows none).
func (s *Session) setFilePolicy(cfg *protocol.CustomerClientConfig) {
	h := s.fileHub()
	h.mu.Lock()
	h.cfg = cfg
	h.mu.Unlock()
}

// fileHub is the session's file transfers.
func (s *Session) fileHub() *fileHub { return s.files }

// loadFilePolicy asks the server what the session's portal allows a rep
// with files (rep side): offers it does not allow are refused by this
// side too, whatever the other's client does. Where the server cannot be
// asked, the customer's client alone decides, as before.
func (s *Session) loadFilePolicy(ctx context.Context) {
	f, err := s.Functions(ctx)
	if err != nil {
		s.log.Warn("file policy not known; the customer's client decides", "err", err)
		return
	}
	h := s.fileHub()
	h.mu.Lock()
	h.funcs = &f
	h.mu.Unlock()
}
