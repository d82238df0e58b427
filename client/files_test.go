package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/protocol"
)

// These tests connect a rep's and a customer's Session with real pion peer
// connections over loopback, signaling handed across in process; the
// wiring of the Session to its peers and the portal policy is tested with
// the real server once session.go and customer.go pass them on.

func TestFileNames(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"report.pdf", true},
		{"Grüße – März.txt", true},
		{".bashrc", true},
		{"a b (1).tar.gz", true},
		{strings.Repeat("x", 255), true},
		{"", false},
		{".", false},
		{"..", false},
		{"../x", false},
		{"a/b", false},
		{`a\b`, false},
		{"C:x", false},
		{"a\x00b", false},
		{"a\nb", false},
		{"a\x7fb", false},
		{"a\u0085b", false},
		{"\xff\xfe", false},
		{strings.Repeat("x", 256), false},
	}
	for _, tt := range tests {
		err := ValidFileName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidFileName(%q): got %v; want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrBadFile) {
			t.Errorf("ValidFileName(%q): got %v; want ErrBadFile", tt.name, err)
		}
	}
}

func TestFileOfferValidate(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	tests := map[string]struct {
		o  FileOffer
		ok bool
	}{
		"good":           {FileOffer{ID: "abc-1", Name: "a.txt", Size: 10, SHA256: sum}, true},
		"empty file":     {FileOffer{ID: "abc", Name: "a.txt", Size: 0, SHA256: sum}, true},
		"largest":        {FileOffer{ID: "abc", Name: "a.txt", Size: MaxFileSize, SHA256: sum}, true},
		"too large":      {FileOffer{ID: "abc", Name: "a.txt", Size: MaxFileSize + 1, SHA256: sum}, false},
		"negative":       {FileOffer{ID: "abc", Name: "a.txt", Size: -1, SHA256: sum}, false},
		"no id":          {FileOffer{Name: "a.txt", SHA256: sum}, false},
		"bad id":         {FileOffer{ID: "a b", Name: "a.txt", SHA256: sum}, false},
		"long id":        {FileOffer{ID: strings.Repeat("a", 65), Name: "a.txt", SHA256: sum}, false},
		"path":           {FileOffer{ID: "abc", Name: "../a.txt", SHA256: sum}, false},
		"short sum":      {FileOffer{ID: "abc", Name: "a.txt", SHA256: "abcd"}, false},
		"upper case sum": {FileOffer{ID: "abc", Name: "a.txt", SHA256: strings.ToUpper(sum)}, false},
		"not hex":        {FileOffer{ID: "abc", Name: "a.txt", SHA256: strings.Repeat("zz", 32)}, false},
	}
	for name, tt := range tests {
		if err := tt.o.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate: got %v; want ok=%v", name, err, tt.ok)
		}
	}
}

func TestFileStateString(t *testing.T) {
	tests := map[FileState]string{
		FileUnknown: "unknown", FilePending: "pending", FileAccepted: "accepted", FileRefused: "refused",
		FileProgress: "progress", FileDone: "done", FileFailed: "failed", FileState(42): "FileState(42)",
	}
	for s, want := range tests {
		if got := s.String(); got != want {
			t.Errorf("FileState(%d).String(): got %q; want %q", int(s), got, want)
		}
		if b, _ := s.MarshalText(); string(b) != want {
			t.Errorf("FileState(%d).MarshalText(): got %q; want %q", int(s), b, want)
		}
	}
}

func TestFileSaveAsNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("a.txt", "old")
	write("a (1).txt", "older")
	for _, tt := range []struct{ name, want string }{
		{"a.txt", "a (2).txt"},
		{"a.txt", "a (3).txt"},
		{"new.txt", "new.txt"},
		{".bashrc", ".bashrc"},
		{".bashrc", ".bashrc (1)"},
	} {
		tmp := write(".tmp", "new")
		got, err := saveAs(tmp, dir, tt.name)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(got) != tt.want {
			t.Errorf("saveAs(%q): got %q; want %q", tt.name, filepath.Base(got), tt.want)
		}
		_ = os.Remove(tmp)
	}
	for name, want := range map[string]string{"a.txt": "old", "a (1).txt": "older"} {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); string(b) != want {
			t.Errorf("%s: got %q; want %q (overwritten)", name, b, want)
		}
	}
}

// TestFileRepToCustomer: a 3 MB random file arrives byte-identical, with
// accepted, progress and done events on both sides.
func TestFileRepToCustomer(t *testing.T) {
	fp := newFilePair(t, allowAll())
	src := randomFile(t, "photo.jpg", 3<<20)
	dir := t.TempDir()
	tr, err := fp.repPeer.OfferFile(fp.ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	offer := fp.waitOffer(t)
	if offer.Offer.Name != "photo.jpg" || offer.Offer.Size != 3<<20 || offer.Participant.ID != "rep1" {
		t.Errorf("offer: got %+v from %s; want photo.jpg of %d bytes from rep1", offer.Offer, offer.Participant.ID, 3<<20)
	}
	if err := fp.cust.AcceptFile(offer.Offer.ID, dir); err != nil {
		t.Fatal(err)
	}
	if err := tr.Wait(fp.ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	got := fp.waitFinal(t, fp.cust, offer.Offer.ID)
	if got.State != FileDone || got.Path != filepath.Join(dir, "photo.jpg") {
		t.Fatalf("customer's last event: got %+v; want done at photo.jpg", got)
	}
	if !sameFile(t, src, got.Path) {
		t.Error("the received file differs from the sent one")
	}
	if sent := fp.waitFinal(t, fp.rep, tr.ID()); sent.State != FileDone {
		t.Errorf("rep's last event: got %+v; want done", sent)
	}
	if st, n := tr.State(); st != FileDone || n != 3<<20 {
		t.Errorf("State: got %s, %d; want done, %d", st, n, 3<<20)
	}
	assertOnly(t, dir, "photo.jpg")

	// The same name again is saved beside it, not over it.
	tr, err = fp.repPeer.OfferFile(fp.ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if err := fp.cust.AcceptFile(fp.waitOffer(t).Offer.ID, dir); err != nil {
		t.Fatal(err)
	}
	if err := tr.Wait(fp.ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if got := fp.waitFinal(t, fp.cust, tr.ID()); got.Path != filepath.Join(dir, "photo (1).jpg") {
		t.Errorf("second copy: got %q; want photo (1).jpg", got.Path)
	}
	assertOnly(t, dir, "photo (1).jpg", "photo.jpg")
}

// TestFileRefused: the customer says no; nothing is written and the rep
// learns the reason.
func TestFileRefused(t *testing.T) {
	fp := newFilePair(t, allowAll())
	tr, err := fp.repPeer.OfferFile(fp.ctx, randomFile(t, "x.bin", 1000))
	if err != nil {
		t.Fatal(err)
	}
	if err := fp.cust.RefuseFile(fp.waitOffer(t).Offer.ID, "not now"); err != nil {
		t.Fatal(err)
	}
	err = tr.Wait(fp.ctx)
	if !errors.Is(err, ErrFileRefused) || !strings.Contains(err.Error(), "not now") {
		t.Errorf("Wait: got %v; want ErrFileRefused with the reason", err)
	}
	if got := fp.waitFinal(t, fp.rep, tr.ID()); got.State != FileRefused {
		t.Errorf("rep's event: got %+v; want refused", got)
	}
	if err := fp.cust.AcceptFile(tr.ID(), t.TempDir()); !errors.Is(err, ErrNoTransfer) {
		t.Errorf("AcceptFile after refusing: got %v; want ErrNoTransfer", err)
	}
}

// TestFilePolicy: the customer's client refuses a rep's offer by itself
// where the portal disables sending files, and makes no offer where it
// disables receiving them or customer offers.
func TestFilePolicy(t *testing.T) {
	tests := map[string]struct {
		edit                  func(c *protocol.CustomerClientConfig)
		repMaySend, custOffer bool
	}{
		"all allowed":        {func(*protocol.CustomerClientConfig) {}, true, true},
		"send files off":     {func(c *protocol.CustomerClientConfig) { c.Functions.SendFiles = false }, false, true},
		"receive files off":  {func(c *protocol.CustomerClientConfig) { c.Functions.ReceiveFiles = false }, true, false},
		"customer offer off": {func(c *protocol.CustomerClientConfig) { c.Misc.CustomerFileOffers = false }, true, false},
		"no configuration":   {nil, false, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var cfg *protocol.CustomerClientConfig
			if tt.edit != nil {
				c := protocol.DefaultCustomerClientConfig()
				tt.edit(&c)
				cfg = &c
			}
			fp := newFilePair(t, cfg)
			if r, o := fp.cust.FilesAllowed(); r != tt.repMaySend || o != tt.custOffer {
				t.Errorf("FilesAllowed: got %v, %v; want %v, %v", r, o, tt.repMaySend, tt.custOffer)
			}

			tr, err := fp.repPeer.OfferFile(fp.ctx, randomFile(t, "r.txt", 100))
			if err != nil {
				t.Fatal(err)
			}
			if tt.repMaySend {
				if err := fp.cust.RefuseFile(fp.waitOffer(t).Offer.ID, "no"); err != nil {
					t.Fatal(err)
				}
			}
			err = tr.Wait(fp.ctx)
			if got := errors.Is(err, ErrFileRefused) && strings.Contains(err.Error(), DisabledFilesReason); got == tt.repMaySend {
				t.Errorf("rep's offer: got %v; want refused by policy = %v", err, !tt.repMaySend)
			}

			src := randomFile(t, "c.txt", 100)
			ctr, err := fp.cust.OfferFile(fp.ctx, "rep1", src)
			if !tt.custOffer {
				if !errors.Is(err, ErrFilesDisabled) {
					t.Errorf("customer's offer: got %v; want ErrFilesDisabled", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("customer's offer: %v", err)
			}
			// The rep's client does not decide: its user does.
			dir := t.TempDir()
			if err := fp.rep.AcceptFile(fp.waitRepOffer(t).Offer.ID, dir); err != nil {
				t.Fatal(err)
			}
			if err := ctr.Wait(fp.ctx); err != nil {
				t.Fatalf("customer's transfer: %v", err)
			}
			got := fp.waitFinal(t, fp.rep, ctr.ID())
			if !sameFile(t, src, got.Path) {
				t.Error("the rep's copy differs")
			}
		})
	}
}

// TestFileBadInput: offers and chunks that break the rules are refused and
// logged, and leave no file.
func TestFileBadInput(t *testing.T) {
	fp := newFilePair(t, allowAll())
	sum := strings.Repeat("ab", 32)
	link := fp.repPeer.files
	for _, o := range []FileOffer{
		{ID: "bad1", Name: "../x", Size: 3, SHA256: sum},
		{ID: "bad2", Name: "a/b", Size: 3, SHA256: sum},
		{ID: "bad3", Name: "a\x1bb", Size: 3, SHA256: sum},
		{ID: "bad4", Name: "big.iso", Size: MaxFileSize + 1, SHA256: sum},
	} {
		// A rep's client would not send these: the test writes the wire.
		tr := &Transfer{offer: o, part: link.p.part, link: link, state: FilePending, done: make(chan struct{})}
		if err := link.register(tr); err != nil {
			t.Fatal(err)
		}
		if err := link.sendMsg(fileMsg{Type: fmOffer, ID: o.ID, Name: o.Name, Size: o.Size, SHA256: o.SHA256}); err != nil {
			t.Fatal(err)
		}
		if err := tr.Wait(fp.ctx); !errors.Is(err, ErrFileRefused) {
			t.Errorf("offer of %q (%d bytes): got %v; want refused", o.Name, o.Size, err)
		}
		fp.logs.want(t, "refusing a file transfer", o.ID)
	}

	// Chunks for no transfer, and for one offered but not accepted.
	dc := link.channel()
	if err := dc.Send(append([]byte{5}, "ghost"+"data"...)); err != nil {
		t.Fatal(err)
	}
	fp.logs.want(t, "refusing a file chunk for no accepted transfer", "ghost")
	src := randomFile(t, "early.txt", 10)
	tr, err := fp.repPeer.OfferFile(fp.ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	fp.waitOffer(t)
	if err := dc.Send(append([]byte{byte(len(tr.ID()))}, tr.ID()+"early"...)); err != nil {
		t.Fatal(err)
	}
	if err := tr.Wait(fp.ctx); !errors.Is(err, ErrFileRefused) || !strings.Contains(err.Error(), "data before accept") {
		t.Errorf("chunk before accept: got %v; want refused", err)
	}
	if err := fp.cust.AcceptFile(tr.ID(), t.TempDir()); !errors.Is(err, ErrNoTransfer) {
		t.Errorf("AcceptFile after bad data: got %v; want ErrNoTransfer", err)
	}
	if err := dc.SendText(`{"type":"offer","id":"x","name":"a","size":1,"sha256":"` + sum + `","extra":1}`); err != nil {
		t.Fatal(err)
	}
	fp.logs.want(t, "refusing a malformed file message", "")
	if err := dc.SendText(`{"type":"done","id":"nope"}`); err != nil {
		t.Fatal(err)
	}
	fp.logs.want(t, "refusing a file message for no transfer", "nope")

	// A wrong checksum: the data arrives, is not saved, and the rep hears.
	dir := t.TempDir()
	src = randomFile(t, "sum.bin", 100<<10)
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	o, err := describeFile(fp.ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	o.SHA256 = sum
	tr, err = link.sendOffer(f, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := fp.cust.AcceptFile(fp.waitOffer(t).Offer.ID, dir); err != nil {
		t.Fatal(err)
	}
	if err := tr.Wait(fp.ctx); !errors.Is(err, ErrFileRefused) || !strings.Contains(err.Error(), "checksum does not match") {
		t.Errorf("wrong checksum: got %v; want refused for the checksum", err)
	}
	if got := fp.waitFinal(t, fp.cust, o.ID); got.State != FileFailed || !errors.Is(got.Err, ErrBadFile) {
		t.Errorf("customer's event: got %+v; want failed with ErrBadFile", got)
	}
	fp.logs.want(t, "file transfer failed", o.ID)
	assertOnly(t, dir)

	// The customer never got any of the bad offers.
	for {
		select {
		case e := <-fp.cust.Events():
			if o, ok := e.(FileOffered); ok {
				t.Errorf("customer was offered %+v", o.Offer)
			}
			continue
		default:
		}
		break
	}
}

// TestFileCancel: a transfer canceled by either side midway leaves no
// partial file.
func TestFileCancel(t *testing.T) {
	for _, by := range []string{"sender", "receiver"} {
		t.Run(by, func(t *testing.T) {
			fp := newFilePair(t, allowAll())
			dir := t.TempDir()
			tr, err := fp.repPeer.OfferFile(fp.ctx, randomFile(t, "big.bin", 32<<20))
			if err != nil {
				t.Fatal(err)
			}
			if err := fp.cust.AcceptFile(fp.waitOffer(t).Offer.ID, dir); err != nil {
				t.Fatal(err)
			}
			in := fp.cust.Transfer(tr.ID())
			if in == nil {
				t.Fatal("Transfer: got nil for the accepted transfer")
			}
			fp.waitEvent(t, fp.cust, func(e FileTransferChanged) bool { return e.ID == tr.ID() && e.State == FileProgress })
			mine, other := tr, in
			if by == "receiver" {
				mine, other = in, tr
			}
			mine.Cancel()
			mine.Cancel() // idempotent
			if err := mine.Wait(fp.ctx); !errors.Is(err, ErrFileCanceled) {
				t.Errorf("canceling side: got %v; want ErrFileCanceled", err)
			}
			if err := other.Wait(fp.ctx); !errors.Is(err, ErrFileCanceled) {
				t.Errorf("other side: got %v; want ErrFileCanceled", err)
			}
			fp.waitFinal(t, fp.cust, tr.ID())
			assertOnly(t, dir)
		})
	}
}

// TestFileConnectionLost: closing the connection mid-way fails the
// transfer on both sides and removes the partial file.
func TestFileConnectionLost(t *testing.T) {
	fp := newFilePair(t, allowAll())
	dir := t.TempDir()
	tr, err := fp.repPeer.OfferFile(fp.ctx, randomFile(t, "big.bin", 32<<20))
	if err != nil {
		t.Fatal(err)
	}
	if err := fp.cust.AcceptFile(fp.waitOffer(t).Offer.ID, dir); err != nil {
		t.Fatal(err)
	}
	fp.waitEvent(t, fp.cust, func(e FileTransferChanged) bool { return e.ID == tr.ID() && e.State == FileProgress })
	_ = fp.custPeer.Close()
	if got := fp.waitFinal(t, fp.cust, tr.ID()); got.State != FileFailed || !errors.Is(got.Err, ErrPeerFailed) {
		t.Errorf("customer's event: got %+v; want failed with ErrPeerFailed", got)
	}
	if err := tr.Wait(fp.ctx); err == nil {
		t.Error("rep's transfer: got nil; want an error")
	}
	assertOnly(t, dir)
}

// BenchmarkFileTransfer measures a 64 MB file from rep to customer over
// loopback, with the checksum on both sides and the write to disk.
func BenchmarkFileTransfer(b *testing.B) {
	fp := newFilePair(b, allowAll())
	const size = 64 << 20
	src := randomFile(b, "bench.bin", size)
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		dir := b.TempDir()
		tr, err := fp.repPeer.OfferFile(fp.ctx, src)
		if err != nil {
			b.Fatal(err)
		}
		if err := fp.cust.AcceptFile(fp.waitOffer(b).Offer.ID, dir); err != nil {
			b.Fatal(err)
		}
		if err := tr.Wait(fp.ctx); err != nil {
			b.Fatal(err)
		}
		fp.drain()
	}
}

// allowAll is the default portal configuration: files both ways.
func allowAll() *protocol.CustomerClientConfig {
	c := protocol.DefaultCustomerClientConfig()
	return &c
}

// filePair is a rep's and a customer's Session joined by one real peer
// connection.
type filePair struct {
	ctx               context.Context
	rep, cust         *Session
	repPeer, custPeer *Peer
	logs              *logRecorder
	custPart, repPart protocol.Participant
}

// newFilePair connects a rep and a customer whose portal configuration is
// cfg (nil: none, which allows no files).
func newFilePair(tb testing.TB, cfg *protocol.CustomerClientConfig) *filePair {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	tb.Cleanup(cancel)
	logs := &logRecorder{}
	log := slog.New(logs)
	fp := &filePair{
		ctx: ctx, logs: logs,
		custPart: protocol.Participant{ID: "cust1", Role: protocol.RoleCustomer, Name: "Ada"},
		repPart:  protocol.Participant{ID: "rep1", Role: protocol.RoleRep, Name: "Rita"},
	}
	info := protocol.SessionInfo{ID: "s1"}
	fp.rep = newSession(info, fp.repPart, nil, nil, nil, Config{Logger: log.With("side", "rep")})
	fp.cust = newSession(info, fp.custPart, nil, nil, nil, Config{Logger: log.With("side", "customer")})
	fp.cust.setFilePolicy(cfg)

	ready := make(chan struct{})
	relay := func(to **Peer) func(protocol.Signal) error {
		return func(s protocol.Signal) error {
			select {
			case <-ready:
			case <-ctx.Done():
				return ctx.Err()
			}
			if ok, _ := (*to).accepts(s); ok {
				(*to).handleSignal(s)
			}
			return nil
		}
	}
	var err error
	fp.repPeer, err = newPeer(peerConfig{
		participant: fp.custPart, log: fp.rep.log, signal: relay(&fp.custPeer),
		onState: func(string) {}, files: fp.rep.fileHub(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = fp.repPeer.Close() })
	fp.custPeer, err = newPeer(peerConfig{
		participant: fp.repPart, initiator: true, log: fp.cust.log, signal: relay(&fp.repPeer),
		onState: func(string) {}, files: fp.cust.fileHub(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = fp.custPeer.Close() })
	close(ready)
	for s, p := range map[*Session]*Peer{fp.rep: fp.repPeer, fp.cust: fp.custPeer} {
		s.mu.Lock()
		s.peers[p.part.ID] = p
		s.mu.Unlock()
	}
	for _, p := range []*Peer{fp.repPeer, fp.custPeer} {
		if err := p.Connected(ctx); err != nil {
			tb.Fatal(err)
		}
		select {
		case <-p.files.open:
		case <-ctx.Done():
			tb.Fatal("the files channel did not open")
		}
	}
	return fp
}

// waitOffer waits for the customer's next file offer.
func (fp *filePair) waitOffer(tb testing.TB) FileOffered {
	tb.Helper()
	return waitFor[FileOffered](tb, fp.ctx, fp.cust, func(FileOffered) bool { return true })
}

// waitRepOffer waits for the rep's next file offer.
func (fp *filePair) waitRepOffer(tb testing.TB) FileOffered {
	tb.Helper()
	return waitFor[FileOffered](tb, fp.ctx, fp.rep, func(FileOffered) bool { return true })
}

// waitEvent waits for a transfer event of s that ok accepts.
func (fp *filePair) waitEvent(tb testing.TB, s *Session, ok func(FileTransferChanged) bool) FileTransferChanged {
	tb.Helper()
	return waitFor(tb, fp.ctx, s, ok)
}

// waitFinal waits for the event that ends transfer id on s's side.
func (fp *filePair) waitFinal(tb testing.TB, s *Session, id string) FileTransferChanged {
	tb.Helper()
	return fp.waitEvent(tb, s, func(e FileTransferChanged) bool { return e.ID == id && e.State.final() })
}

// drain drops the events waiting on both sides.
func (fp *filePair) drain() {
	for _, s := range []*Session{fp.rep, fp.cust} {
		for len(s.ev.ch) > 0 {
			<-s.ev.ch
		}
	}
}

func waitFor[E Event](tb testing.TB, ctx context.Context, s *Session, ok func(E) bool) E {
	tb.Helper()
	for {
		select {
		case e := <-s.Events():
			if x, is := e.(E); is && ok(x) {
				return x
			}
		case <-ctx.Done():
			var zero E
			tb.Fatalf("waiting for a %T on %s's side: %v", zero, s.self.Name, ctx.Err())
			return zero
		}
	}
}

// randomFile writes n random bytes to a file called name.
func randomFile(tb testing.TB, name string, n int) string {
	tb.Helper()
	b := make([]byte, n)
	_, _ = rand.Read(b)
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}

// assertOnly checks that dir holds exactly the named files.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if fmt.Sprint(got) != fmt.Sprint(names) {
		t.Errorf("%s holds %q; want %q", dir, got, names)
	}
}

// logRecorder is a slog handler that keeps what is logged, to check that
// refusals are logged.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
	attrs []slog.Attr
	root  *logRecorder
}

func (l *logRecorder) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelInfo }

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	for _, a := range l.attrs {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	root := l.rootOf()
	root.mu.Lock()
	root.lines = append(root.lines, b.String())
	root.mu.Unlock()
	return nil
}

func (l *logRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &logRecorder{attrs: append(append([]slog.Attr(nil), l.attrs...), as...), root: l.rootOf()}
}

func (l *logRecorder) WithGroup(string) slog.Handler { return l }

func (l *logRecorder) rootOf() *logRecorder {
	if l.root != nil {
		return l.root
	}
	return l
}

// want waits until a logged line starts with msg and mentions id.
func (l *logRecorder) want(t *testing.T, msg, id string) {
	t.Helper()
	root := l.rootOf()
	for range 3000 {
		root.mu.Lock()
		for _, line := range root.lines {
			if strings.HasPrefix(line, msg) && strings.Contains(line, id) {
				root.mu.Unlock()
				return
			}
		}
		root.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("no log line %q mentioning %q", msg, id)
}

// TestFileEmpty: an empty file is a file too.
func TestFileEmpty(t *testing.T) {
	fp := newFilePair(t, allowAll())
	src := randomFile(t, "empty.txt", 0)
	dir := t.TempDir()
	tr, err := fp.repPeer.OfferFile(fp.ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if err := fp.cust.AcceptFile(fp.waitOffer(t).Offer.ID, dir); err != nil {
		t.Fatal(err)
	}
	if err := tr.Wait(fp.ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if got := fp.waitFinal(t, fp.cust, tr.ID()); got.State != FileDone || !sameFile(t, src, got.Path) {
		t.Errorf("got %+v; want done with an empty file", got)
	}
	assertOnly(t, dir, "empty.txt")
}

// BenchmarkFileRawChannel is the ceiling for BenchmarkFileTransfer: 64 MB
// in 16 KiB messages on the files channel with the same flow control, and
// nothing read, hashed or written.
func BenchmarkFileRawChannel(b *testing.B) {
	fp := newFilePair(b, allowAll())
	const size = 64 << 20
	// The customer's link drops what arrives.
	fp.custPeer.files.mu.Lock()
	fp.custPeer.files.closed = true
	fp.custPeer.files.mu.Unlock()
	dc, low := fp.repPeer.files.channel(), fp.repPeer.files.low
	buf := make([]byte, FileChunkSize)
	b.SetBytes(size)
	for b.Loop() {
		for sent := 0; sent < size; sent += len(buf) {
			for dc.BufferedAmount() > fileBufferHigh {
				<-low
			}
			if err := dc.Send(buf); err != nil {
				b.Fatal(err)
			}
		}
		for dc.BufferedAmount() > fileBufferLow {
			<-low
		}
	}
}
