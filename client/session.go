package client

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/tandemhq/tandem/protocol"
)

// Session is one support session seen from one participant.
type Session struct {
	id   string
	self protocol.Participant
	api  *api
	sig  *signaling
	reqs *requests
	cfg  Config
	log  *slog.Logger
	ev   *events

	mu    sync.Mutex
	info  protocol.SessionInfo
	peers map[string]*Peer
	// peersClosed: closePeers ran; no peer connection is made after it.
	peersClosed bool
	early       map[string][]protocol.Signal // signals that came before their peer
	chats       []pendingChat
	share       *sharer
	control     map[string]bool // participants in control (customer side)
	onInput     InputHandler
	ended       chan struct{}
	endedOnce   sync.Once
	// files is the session's file transfers.
	files *fileHub
	// repShow is the state of the rep's screen (repshare.go).
	repShow repShow
}

type pendingChat struct {
	text string
	ref  uint64
}

func newSession(info protocol.SessionInfo, self protocol.Participant, a *api, sig *signaling, reqs *requests, cfg Config) *Session {
	log := cfg.logger().With("session", info.ID)
	s := &Session{
		id: info.ID, self: self, api: a, sig: sig, reqs: reqs, cfg: cfg, log: log,
		ev:      newEvents(func(e Event) { log.Warn("session events full; dropping one", "event", fmt.Sprintf("%T", e)) }),
		info:    info,
		peers:   make(map[string]*Peer),
		early:   make(map[string][]protocol.Signal),
		control: make(map[string]bool),
		ended:   make(chan struct{}),
	}
	s.files = newFileHub(s.ev, s.log, s.self)
	return s
}

// ID is the session's ID.
func (s *Session) ID() string { return s.id }

// Self is this side's participant.
func (s *Session) Self() protocol.Participant { return s.self }

// Info is the session's latest state.
func (s *Session) Info() protocol.SessionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.info
}

// Events delivers the session's events; see [Event].
func (s *Session) Events() <-chan Event { return s.ev.ch }

// Peer returns the peer connection to a participant, or nil.
func (s *Session) Peer(participantID string) *Peer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peers[participantID]
}

// SendChat sends a chat line and returns once the server stored it, or
// refused it.
func (s *Session) SendChat(ctx context.Context, text string) error {
	if err := (protocol.ChatSend{Text: text}).Validate(); err != nil {
		return err
	}
	select {
	case <-s.ended:
		return ErrSessionEnded
	default:
	}
	ref, answer := s.reqs.add()
	s.mu.Lock()
	s.chats = append(s.chats, pendingChat{text: text, ref: ref})
	s.mu.Unlock()
	defer s.forgetChat(ref)
	if err := s.sig.send(ctx, protocol.TypeChatSend, ref, s.id, protocol.ChatSend{Text: text}); err != nil {
		return err
	}
	select {
	case perr := <-answer:
		if perr != nil {
			return perr
		}
		return nil
	case <-s.ended:
		return ErrSessionEnded
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Session) forgetChat(ref uint64) {
	s.reqs.drop(ref)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range s.chats {
		if c.ref == ref {
			s.chats = append(s.chats[:i], s.chats[i+1:]...)
			return
		}
	}
}

// End ends the session for everyone and returns once the server confirmed it.
// An external specialist may not end it: it gets ErrSpecialist and leaves
// instead ([Session.Leave]).
func (s *Session) End(ctx context.Context, reason string) error {
	select {
	case <-s.ended:
		return nil
	default:
	}
	if s.self.Role == protocol.RoleSpecialist {
		return fmt.Errorf("end the session: %w; leave it instead", ErrSpecialist)
	}
	var data any
	if reason != "" {
		data = protocol.SessionEnd{Reason: reason}
	}
	return s.request(ctx, protocol.TypeSessionEnd, data, nil)
}

// request sends a frame of the session with a Ref and waits for the
// server's answer: nil, its refusal, ctx's error, or ended when the
// session ends first.
func (s *Session) request(ctx context.Context, t protocol.Type, data any, ended error) error {
	ref, answer := s.reqs.add()
	defer s.reqs.drop(ref)
	if err := s.sig.send(ctx, t, ref, s.id, data); err != nil {
		return err
	}
	select {
	case perr := <-answer:
		if perr != nil {
			return perr
		}
		return nil
	case <-s.ended:
		return ended
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Ended is closed when the session is over.
func (s *Session) Ended() <-chan struct{} { return s.ended }

// Transcript fetches the session's stored events (reps only).
func (s *Session) Transcript(ctx context.Context) (protocol.Transcript, error) {
	var t protocol.Transcript
	err := s.api.do(ctx, "GET", protocol.PathSession+s.id+"/events", nil, &t)
	return t, err
}

// handle applies a frame about this session; it runs on the signaling goroutine.
func (s *Session) handle(env protocol.Envelope) {
	switch env.Type {
	case protocol.TypeSessionState:
		var info protocol.SessionInfo
		if err := env.Decode(&info); err != nil {
			s.log.Warn("ignoring session state", "err", err)
			return
		}
		s.setInfo(info)
	case protocol.TypePeerConnect:
		var pcm protocol.PeerConnect
		if err := env.Decode(&pcm); err != nil {
			s.log.Warn("ignoring peer.connect", "err", err)
			return
		}
		s.connectPeer(pcm)
	case protocol.TypeSignal:
		var sig protocol.Signal
		if err := env.Decode(&sig); err != nil {
			s.log.Warn("ignoring signal", "err", err)
			return
		}
		p := s.Peer(sig.From)
		if p == nil {
			// The server's peer.connect may trail a quick offer; hold a
			// few signals until the connection exists.
			s.mu.Lock()
			if len(s.early[sig.From]) < maxEarlySignals {
				s.early[sig.From] = append(s.early[sig.From], sig)
			} else {
				s.log.Warn("dropping a signal from a participant with no peer connection", "from", sig.From)
			}
			s.mu.Unlock()
			return
		}
		s.deliver(p, sig)
	case protocol.TypeChatMessage:
		var m protocol.ChatMessage
		if err := env.Decode(&m); err != nil {
			s.log.Warn("ignoring chat message", "err", err)
			return
		}
		if m.From == s.self.ID {
			s.mu.Lock()
			for i, c := range s.chats {
				if c.text == m.Text {
					s.chats = append(s.chats[:i], s.chats[i+1:]...)
					s.reqs.resolve(c.ref, nil)
					break
				}
			}
			s.mu.Unlock()
		}
		s.ev.emit(ChatReceived{Message: m})
	case protocol.TypeSessionTermination:
		var o protocol.TerminationOverride
		if err := env.Decode(&o); err != nil {
			s.log.Warn("ignoring termination override", "err", err)
			return
		}
		s.ev.emit(TerminationChanged{SessionID: s.id, Termination: o.Termination})
	case protocol.TypeWaitStatus:
		var p protocol.WaitStatusPush
		if err := env.Decode(&p); err != nil {
			s.log.Warn("ignoring wait status", "err", err)
			return
		}
		s.ev.emit(WaitStatusChanged{Status: p.WaitStatus, Reason: p.Reason})
		if env.Ref != 0 {
			s.reqs.resolve(env.Ref, nil)
		}
	case protocol.TypeSessionEnded:
		var e protocol.SessionEnded
		if err := env.Decode(&e); err != nil {
			s.log.Warn("ignoring session ended", "err", err)
			return
		}
		s.finish(e)
	default:
		s.log.Warn("ignoring an unexpected frame", "type", env.Type)
	}
}

// setInfo records and reports the session's latest state.
func (s *Session) setInfo(info protocol.SessionInfo) {
	s.mu.Lock()
	departed := s.departedPeers(s.info, info)
	s.info = info
	gone := s.dropAbsentControl(info)
	s.mu.Unlock()
	s.ev.emit(SessionChanged{Info: info})
	for _, part := range gone {
		s.log.Info("control taken back from a participant who left", "participant", part.ID)
		s.ev.emit(ControlChanged{Participant: part, InControl: false})
	}
	for _, p := range departed {
		// A specialist or rep who left: its connection (and on the
		// customer, the screen's encoding for it) goes with it.
		s.log.Info("closing the connection to a participant who left", "participant", p.part.ID)
		_ = p.Close()
	}
	s.specialistGone(info)
}

// departedPeers takes out of s.peers the connections to the participants
// that were in old and are not in info, and returns them; s.mu is held.
func (s *Session) departedPeers(old, info protocol.SessionInfo) []*Peer {
	var out []*Peer
	for _, q := range old.Participants {
		p := s.peers[q.ID]
		if p == nil || slices.ContainsFunc(info.Participants, func(n protocol.Participant) bool { return n.ID == q.ID }) {
			continue
		}
		delete(s.peers, q.ID)
		delete(s.early, q.ID)
		out = append(out, p)
	}
	return out
}

// maxEarlySignals bounds the signals held for a peer connection that does
// not exist yet.
const maxEarlySignals = 64

// deliver hands a signal to its peer connection, or to a fresh one when the
// other side started a new attempt.
func (s *Session) deliver(p *Peer, sig protocol.Signal) {
	ok, replace := p.accepts(sig)
	if replace {
		// The other side started a new attempt: answer it afresh.
		if p = s.replacePeer(p); p == nil {
			return
		}
		ok, _ = p.accepts(sig)
	}
	if !ok {
		s.log.Debug("dropping a signal of an old connection attempt", "from", sig.From, "kind", sig.Kind)
		return
	}
	p.handleSignal(sig)
}

// replacePeer closes a peer connection and opens a new one like it.
func (s *Session) replacePeer(old *Peer) *Peer {
	_ = old.Close()
	cfg := old.cfg
	cfg.share = s.sharing() // a rep's screen, when it shows it
	p, err := newPeer(cfg)
	if err != nil {
		s.log.Error("peer connection", "err", err)
		return nil
	}
	s.mu.Lock()
	if s.peersClosed {
		s.mu.Unlock()
		_ = p.Close()
		return nil
	}
	s.peers[p.part.ID] = p
	s.mu.Unlock()
	return p
}

// connectPeer replaces any peer connection to the participant with a new
// one: after a reconnect the server asks both ends to connect afresh, and a
// fresh connection is simpler and as fast on these paths as an ICE restart.
func (s *Session) connectPeer(m protocol.PeerConnect) {
	s.mu.Lock()
	old := s.peers[m.Peer.ID]
	delete(s.peers, m.Peer.ID)
	s.mu.Unlock()
	if old != nil {
		_ = old.Close()
	}
	part := m.Peer
	p, err := newPeer(peerConfig{
		participant: part, initiator: m.Initiator, iceServers: m.ICEServers, relayOnly: s.cfg.RelayOnly,
		log: s.log.With("peer", part.ID),
		signal: func(sig protocol.Signal) error {
			return s.sig.send(s.sig.ctx, protocol.TypeSignal, 0, s.id, sig)
		},
		onState: func(state string) { s.ev.emit(PeerChanged{Participant: part, State: state}) },
		share:   s.sharing(), codecs: s.cfg.VideoCodecs, net: s.cfg.net,
		onControl: s.handleControl, files: s.files, rep: s.repScreenHooks(part),
	})
	if err != nil {
		s.log.Error("peer connection", "err", err)
		return
	}
	s.mu.Lock()
	if s.peersClosed {
		s.mu.Unlock()
		_ = p.Close() // the session closed while it was made
		return
	}
	s.peers[part.ID] = p
	early := s.early[part.ID]
	delete(s.early, part.ID)
	s.mu.Unlock()
	for _, sig := range early {
		s.deliver(p, sig)
	}
}

// ShareScreen makes this side send screen to every rep and external
// specialist, each at the
// bitrate its connection allows. A peer connection that is already up is
// connected afresh with the screen in it. The Screen stays the caller's
// to close, after StopSharing or the session's end. An external
// specialist shares no screen (ErrSpecialist).
func (s *Session) ShareScreen(screen Screen) error {
	if s.self.Role == protocol.RoleSpecialist {
		return fmt.Errorf("share screen: %w", ErrSpecialist)
	}
	if cfg := s.customerConfig(); s.self.Role == protocol.RoleCustomer && cfg != nil && !cfg.Functions.CustomerScreenSharing {
		return fmt.Errorf("share screen: %w", ErrCustomerScreenOff) // the server refuses its offers too
	}
	s.mu.Lock()
	if s.share != nil {
		s.mu.Unlock()
		return fmt.Errorf("share screen: %w", ErrAlreadySharing)
	}
	select {
	case <-s.ended:
		s.mu.Unlock()
		return ErrSessionEnded
	default:
	}
	sh := newSharer(screen, s.log)
	s.share = sh
	var up []*Peer
	for _, p := range s.peers {
		if p.initiator {
			up = append(up, p)
		}
	}
	s.mu.Unlock()
	for _, old := range up {
		cfg := old.cfg
		cfg.share = sh
		s.restartPeer(old, cfg)
	}
	return nil
}

// StopSharing stops sending the screen; the reps keep their last
// picture. It returns once the sharer's goroutines are gone, so the
// Screen may then be closed.
func (s *Session) StopSharing() {
	s.mu.Lock()
	sh := s.share
	s.share = nil
	s.mu.Unlock()
	if sh != nil {
		sh.close()
	}
}

// restartPeer replaces a peer connection by a new attempt made from cfg.
// The attempt offers only once it is registered: an attempt that a
// peer.connect replaced meanwhile must never reach the rep, who takes the
// newest offer as the connection.
func (s *Session) restartPeer(old *Peer, cfg peerConfig) {
	_ = old.Close()
	cfg.deferOffer = true
	p, err := newPeer(cfg)
	if err != nil {
		s.log.Error("peer connection", "err", err)
		return
	}
	s.mu.Lock()
	if s.peersClosed || s.peers[p.part.ID] != old {
		s.mu.Unlock()
		_ = p.Close() // replaced or closed meanwhile
		return
	}
	s.peers[p.part.ID] = p
	s.mu.Unlock()
	p.sendOffer()
}

func (s *Session) sharing() *sharer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.share
}

// finish marks the session ended and closes its peer connections.
func (s *Session) finish(e protocol.SessionEnded) {
	first := false
	s.endedOnce.Do(func() {
		first = true
		if member := s.self.Role == protocol.RoleCustomer || s.self.Role == protocol.RoleSpecialist; member && s.sig != nil {
			// A customer's or specialist's signaling admits it to this
			// session only: no reconnecting once it is over (the server
			// closes the connection), and stopped before anything sees
			// the end.
			s.sig.stop()
		}
		close(s.ended)
	})
	if !first {
		return
	}
	s.mu.Lock()
	s.info.State = protocol.StateEnded
	s.mu.Unlock()
	s.closePeers()
	s.ev.emit(SessionEnded{Ended: e})
}

// closePeers closes the peer connections and stops sharing the screen.
func (s *Session) closePeers() {
	s.mu.Lock()
	s.peersClosed = true
	peers := s.peers
	s.peers = make(map[string]*Peer)
	s.mu.Unlock()
	for _, p := range peers {
		_ = p.Close()
	}
	s.mu.Lock()
	sh := s.share
	s.mu.Unlock()
	if sh != nil {
		sh.close() // idempotent
	}
	s.repShow.wg.Wait()
}

// handleError delivers a refusal to the request that caused it.
func handleError(reqs *requests, log *slog.Logger, env protocol.Envelope) {
	var perr protocol.Error
	if err := env.Decode(&perr); err != nil {
		log.Warn("ignoring malformed error frame", "err", err)
		return
	}
	if env.Ref == 0 || !reqs.resolve(env.Ref, &perr) {
		log.Warn("server refused a frame", "code", perr.Code, "message", perr.Message, "ref", env.Ref)
	}
}
