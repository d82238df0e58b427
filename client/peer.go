package client

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/transport/v5"
	"github.com/pion/webrtc/v4"

	"github.com/tandemhq/tandem/codec"
	"github.com/tandemhq/tandem/protocol"
)

// ControlLabel is the ordered, reliable data channel every peer connection has.
const ControlLabel = "control"

// DataMessage is a message received on a data channel.
type DataMessage struct {
	Label string
	Data  []byte
}

// Peer is the WebRTC peer connection to one other participant of a session.
//
// Pion's callbacks only post work to a channel that one goroutine per Peer
// runs, so the connection's state changes in one place, in order.
type Peer struct {
	cfg       peerConfig
	part      protocol.Participant
	initiator bool
	pc        *webrtc.PeerConnection
	log       *slog.Logger
	signal    func(protocol.Signal) error
	onState   func(state string)

	ops  chan func()
	msgs chan DataMessage
	done chan struct{}
	wg   sync.WaitGroup

	connected     chan struct{}
	failed        chan struct{}
	closeOnce     sync.Once
	connectedOnce sync.Once
	failedOnce    sync.Once

	// Owned by the run goroutine.
	iceUp       bool
	controlOpen bool
	pending     []webrtc.ICECandidateInit

	// Media: the customer's screen sender (initiator sharing) or the
	// rep's receiver of it (answerer).
	est    *estimator
	video  *videoSender
	screen *RemoteScreen
	// repScreen is the rep's screen as the customer receives it
	// (repshare.go); repStarted: its track arrived and was not stopped.
	repScreen  *RemoteScreen
	repStarted bool
	// files is the files channel's state; nil without cfg.files.
	files *fileLink

	mu       sync.Mutex
	closing  bool
	channels map[string]*webrtc.DataChannel
	// conn names this connection attempt (see protocol.Signal.Conn): the
	// initiator picks it; the answerer takes it from the offer.
	conn string
}

// peerConfig is what a Peer is made from.
type peerConfig struct {
	participant protocol.Participant
	initiator   bool
	iceServers  []protocol.ICEServer
	relayOnly   bool
	log         *slog.Logger
	signal      func(protocol.Signal) error
	onState     func(string)
	// share, on the customer, is the screen to send; nil sends none.
	share *sharer
	// codecs are the video codecs offered or accepted, best first.
	codecs []codec.Codec
	// net replaces the network in tests.
	net transport.Net
	// onControl takes the control-channel messages the session handles
	// (input, control requests and grants); false passes one to the app.
	onControl func(p *Peer, data []byte, isString bool) bool
	// files is the session's file transfers; nil refuses files.
	files *fileHub
	// deferOffer: the initiator makes its offer only when told
	// ([Peer.sendOffer]), so that a replacement can be registered first.
	deferOffer bool
	// rep connects the connection to the rep's screen (repshare.go); on
	// the rep, share is the rep's screen, sent on RepScreenLabel.
	rep repScreenHooks
}

// newPeer creates a peer connection; the initiator makes the offer at once
// unless cfg.deferOffer.
func newPeer(cfg peerConfig) (*Peer, error) {
	se := webrtc.SettingEngine{LoggerFactory: pionLogs{cfg.log}}
	// Loopback host candidates make two peers on one machine meet without
	// a network; mDNS names would need multicast that is not there.
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	if cfg.net != nil {
		se.SetNet(cfg.net)
	}
	est := &estimator{}
	api, err := newMediaAPI(se, videoCodecs(cfg.codecs), est)
	if err != nil {
		return nil, err
	}

	conf := webrtc.Configuration{}
	for _, s := range cfg.iceServers {
		conf.ICEServers = append(conf.ICEServers, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	if cfg.relayOnly {
		conf.ICETransportPolicy = webrtc.ICETransportPolicyRelay
	}
	pc, err := api.NewPeerConnection(conf)
	if err != nil {
		return nil, fmt.Errorf("new peer connection: %w", err)
	}
	p := &Peer{
		cfg: cfg, part: cfg.participant, initiator: cfg.initiator, pc: pc, log: cfg.log,
		signal: cfg.signal, onState: cfg.onState,
		ops: make(chan func(), 256), msgs: make(chan DataMessage, 256), done: make(chan struct{}),
		connected: make(chan struct{}), failed: make(chan struct{}),
		channels: make(map[string]*webrtc.DataChannel),
		est:      est,
	}
	if cfg.share != nil {
		vs, err := newVideoSender(cfg.share, p, videoCodecs(cfg.codecs), est)
		if err != nil {
			_ = pc.Close()
			return nil, err
		}
		p.video = vs
		vs.start(&p.wg)
	}
	if cfg.initiator && cfg.rep.slot {
		if err := p.addRepSlot(); err != nil {
			_ = pc.Close()
			return nil, err
		}
	}
	if cfg.files != nil {
		p.files = newFileLink(p, cfg.files)
	}
	if !cfg.initiator {
		p.screen = newRemoteScreen(p)
		pc.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
			if t.Kind() != webrtc.RTPCodecTypeVideo || !p.goWork() {
				return
			}
			go func() {
				defer p.wg.Done()
				p.screen.receive(t)
			}()
		})
	}
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil {
			return
		}
		init := c.ToJSON()
		p.post(func() { p.sendCandidate(init) })
	})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		p.post(func() { p.stateChanged(s) })
	})
	pc.OnDataChannel(func(dc *webrtc.DataChannel) {
		p.post(func() { p.addChannel(dc) })
	})
	if p.initiator {
		p.conn = randomID()
	}
	p.wg.Add(1)
	go p.run()
	if p.initiator && !cfg.deferOffer {
		p.sendOffer()
	}
	return p, nil
}

// sendOffer makes the initiator's offer; after Close it does nothing.
func (p *Peer) sendOffer() { p.post(p.offer) }

// post hands work to the Peer's goroutine; after Close it is dropped.
func (p *Peer) post(f func()) {
	select {
	case p.ops <- f:
	case <-p.done:
	}
}

func (p *Peer) run() {
	defer p.wg.Done()
	for {
		select {
		case f := <-p.ops:
			f()
		case <-p.done:
			return
		}
	}
}

func (p *Peer) fail(err error) {
	p.log.Warn("peer connection", "peer", p.part.ID, "err", err)
	p.failedOnce.Do(func() { close(p.failed) })
}

func (p *Peer) offer() {
	labels := []string{ControlLabel, FilesLabel}
	if p.video != nil {
		labels = append(labels, ScreenLabel)
	}
	if p.cfg.rep.slot {
		labels = append(labels, RepScreenLabel)
	}
	for _, l := range labels {
		dc, err := p.pc.CreateDataChannel(l, nil)
		if err != nil {
			p.fail(fmt.Errorf("create data channel %q: %w", l, err))
			return
		}
		p.addChannel(dc)
	}
	offer, err := p.pc.CreateOffer(nil)
	if err != nil {
		p.fail(fmt.Errorf("create offer: %w", err))
		return
	}
	if err := p.pc.SetLocalDescription(offer); err != nil {
		p.fail(fmt.Errorf("set local offer: %w", err))
		return
	}
	if err := p.signal(protocol.Signal{To: p.part.ID, Kind: protocol.SignalOffer, SDP: offer.SDP, Conn: p.connID()}); err != nil {
		p.fail(err)
	}
}

func (p *Peer) sendCandidate(c webrtc.ICECandidateInit) {
	b, err := json.Marshal(c)
	if err != nil {
		p.fail(err)
		return
	}
	if err := p.signal(protocol.Signal{To: p.part.ID, Kind: protocol.SignalCandidate, Candidate: string(b), Conn: p.connID()}); err != nil {
		p.log.Warn("send candidate", "err", err)
	}
}

// handleSignal applies an offer, answer or candidate from the other side.
func (p *Peer) handleSignal(s protocol.Signal) {
	p.post(func() {
		switch s.Kind {
		case protocol.SignalOffer:
			if p.initiator {
				p.log.Warn("ignoring an offer: this side offers", "peer", p.part.ID)
				return
			}
			if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: s.SDP}); err != nil {
				p.fail(fmt.Errorf("set remote offer: %w", err))
				return
			}
			p.flushCandidates()
			answer, err := p.pc.CreateAnswer(nil)
			if err != nil {
				p.fail(fmt.Errorf("create answer: %w", err))
				return
			}
			if err := p.pc.SetLocalDescription(answer); err != nil {
				p.fail(fmt.Errorf("set local answer: %w", err))
				return
			}
			if err := p.signal(protocol.Signal{To: p.part.ID, Kind: protocol.SignalAnswer, SDP: answer.SDP, Conn: p.connID()}); err != nil {
				p.fail(err)
			}
		case protocol.SignalAnswer:
			if !p.initiator {
				p.log.Warn("ignoring an answer: this side answers", "peer", p.part.ID)
				return
			}
			if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: s.SDP}); err != nil {
				p.fail(fmt.Errorf("set remote answer: %w", err))
				return
			}
			p.flushCandidates()
		case protocol.SignalCandidate:
			if s.Candidate == "" {
				return // end of candidates
			}
			var c webrtc.ICECandidateInit
			if err := protocol.UnmarshalStrict([]byte(s.Candidate), &c); err != nil {
				p.log.Warn("ignoring a malformed candidate", "peer", p.part.ID, "err", err)
				return
			}
			if p.pc.RemoteDescription() == nil {
				p.pending = append(p.pending, c)
				return
			}
			if err := p.pc.AddICECandidate(c); err != nil {
				p.log.Warn("add candidate", "peer", p.part.ID, "err", err)
			}
		}
	})
}

func (p *Peer) flushCandidates() {
	for _, c := range p.pending {
		if err := p.pc.AddICECandidate(c); err != nil {
			p.log.Warn("add candidate", "peer", p.part.ID, "err", err)
		}
	}
	p.pending = nil
}

func (p *Peer) addChannel(dc *webrtc.DataChannel) {
	label := dc.Label()
	p.mu.Lock()
	p.channels[label] = dc
	p.mu.Unlock()
	if label == FilesLabel {
		p.attachFiles(dc)
		return
	}
	if label == RepScreenLabel {
		p.attachRepScreen(dc)
		return
	}
	dc.OnOpen(func() {
		p.post(func() {
			switch {
			case label == ControlLabel:
				p.controlOpen = true
				p.checkConnected()
			case label == ScreenLabel && p.video != nil && p.initiator:
				p.video.sh.welcome(p.video)
			}
		})
	})
	if label == ScreenLabel {
		dc.OnMessage(func(m webrtc.DataChannelMessage) {
			switch {
			case p.video != nil && p.initiator:
				p.video.sh.handleScreenMsg(p.part.ID, m.Data)
			case p.screen != nil:
				p.screen.handleScreenMsg(m.Data)
			}
		})
		return
	}
	// Delivery blocks while the app does not read: back-pressure on the
	// channel rather than lost control messages.
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		if label == ControlLabel && p.cfg.onControl != nil && p.cfg.onControl(p, m.Data, m.IsString) {
			return
		}
		select {
		case p.msgs <- DataMessage{Label: label, Data: m.Data}:
		case <-p.done:
		}
	})
}

func (p *Peer) stateChanged(s webrtc.PeerConnectionState) {
	var name string
	switch s {
	case webrtc.PeerConnectionStateNew, webrtc.PeerConnectionStateConnecting:
		name = "connecting"
	case webrtc.PeerConnectionStateConnected:
		name = "connected"
		p.iceUp = true
		p.checkConnected()
	case webrtc.PeerConnectionStateDisconnected:
		name = "disconnected"
	case webrtc.PeerConnectionStateFailed:
		name = "failed"
		p.failedOnce.Do(func() { close(p.failed) })
	case webrtc.PeerConnectionStateClosed:
		name = "closed"
		p.failedOnce.Do(func() { close(p.failed) })
	default:
		return
	}
	p.onState(name)
}

func (p *Peer) checkConnected() {
	if p.iceUp && p.controlOpen {
		p.connectedOnce.Do(func() { close(p.connected) })
	}
}

func (p *Peer) connID() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conn
}

// accepts decides whether a signal belongs to this connection attempt. An
// answerer binds to the attempt of the first offer it sees; replace reports
// an offer of a newer attempt, which needs a fresh peer connection.
func (p *Peer) accepts(s protocol.Signal) (ok, replace bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.initiator:
		return s.Conn == p.conn, false
	case s.Kind == protocol.SignalOffer && p.conn == "":
		p.conn = s.Conn
		return true, false
	case s.Kind == protocol.SignalOffer && s.Conn != p.conn:
		return false, true
	default:
		return p.conn != "" && s.Conn == p.conn, false
	}
}

// Participant is the participant at the other end.
func (p *Peer) Participant() protocol.Participant { return p.part }

// Connected blocks until ICE and DTLS are connected and the control data
// channel is open.
func (p *Peer) Connected(ctx context.Context) error {
	select {
	case <-p.connected:
		return nil
	case <-p.failed:
		select {
		case <-p.connected:
			return nil
		default:
		}
		return fmt.Errorf("%w: %s", ErrPeerFailed, p.part.Name)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Send sends a message on the data channel with the label.
func (p *Peer) Send(label string, b []byte) error {
	p.mu.Lock()
	dc := p.channels[label]
	p.mu.Unlock()
	if dc == nil {
		return fmt.Errorf("send on %q: no such data channel", label)
	}
	if err := dc.Send(b); err != nil {
		return fmt.Errorf("send on %q: %w", label, err)
	}
	return nil
}

// Messages delivers what arrives on the peer's data channels.
func (p *Peer) Messages() <-chan DataMessage { return p.msgs }

// CandidateType is the type of the selected local ICE candidate: "host",
// "srflx", "prflx" or "relay"; empty before the connection is up.
func (p *Peer) CandidateType() string {
	sctp := p.pc.SCTP()
	if sctp == nil || sctp.Transport() == nil || sctp.Transport().ICETransport() == nil {
		return ""
	}
	pair, err := sctp.Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil || pair.Local == nil {
		return ""
	}
	return pair.Local.Typ.String()
}

// Screen is the customer's screen as this rep receives it; nil on the
// customer's side.
func (p *Peer) Screen() *RemoteScreen { return p.screen }

// goWork registers a goroutine that Close waits for; false after Close.
func (p *Peer) goWork() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closing {
		return false
	}
	p.wg.Add(1)
	return true
}

// rtt is the round trip of the selected candidate pair, zero if unknown.
func (p *Peer) rtt() time.Duration {
	for _, s := range p.pc.GetStats() {
		if cp, ok := s.(webrtc.ICECandidatePairStats); ok && cp.Nominated && cp.State == webrtc.StatsICECandidatePairStateSucceeded {
			return time.Duration(cp.CurrentRoundTripTime * float64(time.Second))
		}
	}
	return 0
}

// PeerConnection exposes the underlying connection, for media tracks.
func (p *Peer) PeerConnection() *webrtc.PeerConnection { return p.pc }

// Close closes the peer connection and waits for its goroutine. Idempotent.
func (p *Peer) Close() error {
	var err error
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closing = true
		p.mu.Unlock()
		close(p.done)
		if p.video != nil {
			p.video.stop()
		}
		err = p.pc.Close()
		p.wg.Wait()
		p.repScreenStopped()
	})
	return err
}

// sendText sends a text message on the data channel with the label.
func (p *Peer) sendText(label string, b []byte) error {
	p.mu.Lock()
	dc := p.channels[label]
	p.mu.Unlock()
	if dc == nil {
		return fmt.Errorf("send on %q: no such data channel", label)
	}
	if err := dc.SendText(string(b)); err != nil {
		return fmt.Errorf("send on %q: %w", label, err)
	}
	return nil
}
