package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"

	"github.com/pion/webrtc/v4"

	"github.com/tandemhq/tandem/protocol"
)

// The rep's screen, shown to the customer (Functions.RepScreenSharing).
//
// It reuses the customer's machinery in the other direction. A customer
// whose portal allows it offers, in every peer connection, a receive-only
// video slot and the RepScreenLabel data channel. A rep who shows the
// screen ([Session.ShowScreen]) first asks the server (which refuses when
// the session's snapshot does not allow it), then runs a sharer like the
// customer's and asks the customer's client, on RepScreenLabel, for a
// connection made afresh; the rep's answer to it fills the slot with the
// rep's screen track, the customer's client decodes it with a
// [RemoteScreen] and reports [RepScreenStarted]. The server checks every
// SDP it relays: a rep's that sends video while the function is off is
// refused. [Session.StopShowing] stops the sharer and tells the customer
// ([RepScreenStopped]); the slot stays empty until the next ShowScreen.
//
// The messages on RepScreenLabel: text frames are JSON [protocol.RepScreenState]
// (rep → customer); binary frames are the screen channel's messages
// (pointer and layout, rep → customer), as on ScreenLabel.

// RepScreenLabel is the data channel of the rep's screen.
const RepScreenLabel = "repscreen"

// RepScreenStarted reports, to the customer, that a rep started showing
// their screen; Screen delivers it.
type RepScreenStarted struct {
	Rep    protocol.Participant
	Screen *RemoteScreen
}

// RepScreenStopped reports, to the customer, that a rep stopped showing
// their screen (or its connection closed).
type RepScreenStopped struct{ Rep protocol.Participant }

func (RepScreenStarted) event() {}
func (RepScreenStopped) event() {}

// repScreenMsg is a text frame on RepScreenLabel.
type repScreenMsg = protocol.RepScreenState

// skipRepScreenCheck makes ShowScreen skip its own check of the
// session's functions, so tests can see the server refuse (export_test).
var skipRepScreenCheck bool

// repShow is a session's state of the rep's screen.
type repShow struct {
	// wg holds the customer's connection restarts that a rep's request
	// set off (they cannot run on the data channel's goroutine); Add only
	// under Session.mu while the peers are not closed.
	wg sync.WaitGroup
}

// repScreenHooks connect a Peer to its session's rep's screen.
type repScreenHooks struct {
	// slot: the customer offers a slot for the rep's screen.
	slot bool
	// onScreen reports the rep's screen starting or stopping (customer).
	onScreen func(p *Peer, started bool)
	// restart makes the customer's connection afresh for the rep's
	// screen, on a goroutine of the session.
	restart func(p *Peer)
	// showing reports whether the rep shows its screen (rep).
	showing func() bool
}

// repScreenHooks are the hooks of this session's peer connection to
// part. The customer offers an external specialist no slot: only reps
// show their screen.
func (s *Session) repScreenHooks(part protocol.Participant) repScreenHooks {
	if s.self.Role != protocol.RoleCustomer {
		return repScreenHooks{showing: s.Showing}
	}
	if specialist, _ := s.rightsOf(part); specialist {
		return repScreenHooks{}
	}
	return repScreenHooks{slot: s.repSlot(), onScreen: s.repScreenEvent, restart: s.requestRepScreen}
}

// requestRepScreen starts restartForRepScreen unless the peers are closed.
func (s *Session) requestRepScreen(p *Peer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.peersClosed {
		return
	}
	s.repShow.wg.Add(1)
	go s.restartForRepScreen(p)
}

// Functions returns the session's functions as its configuration
// snapshot has them now: the customer's from the configuration it got at
// join, a rep's from the server. An external specialist's session does
// not know them (ErrSpecialist): the server answers reps only.
func (s *Session) Functions(ctx context.Context) (protocol.Functions, error) {
	if s.self.Role == protocol.RoleSpecialist {
		return protocol.Functions{}, fmt.Errorf("session functions: %w", ErrSpecialist)
	}
	if s.self.Role == protocol.RoleCustomer {
		if cfg := s.customerConfig(); cfg != nil {
			return cfg.Functions, nil
		}
		return protocol.Functions{}, nil
	}
	var f protocol.Functions
	if err := s.api.do(ctx, "GET", protocol.PathSession+url.PathEscape(s.id)+protocol.PathFunctionsSuffix, nil, &f); err != nil {
		return protocol.Functions{}, fmt.Errorf("session functions: %w", err)
	}
	return f, nil
}

// customerConfig is the configuration the customer's session got.
func (s *Session) customerConfig() *protocol.CustomerClientConfig {
	h := s.fileHub()
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cfg
}

// ShowScreen shows this rep's screen to the customer, view only, where
// the session's portal allows it: ErrRepScreenOff when the functions say
// no, the server's refusal (*protocol.Error) when it says no. It returns
// once the server took the start; the picture follows as the customer's
// connection is made afresh. The Screen stays the caller's to close,
// after StopShowing or the session's end.
func (s *Session) ShowScreen(ctx context.Context, screen Screen) error {
	if s.self.Role == protocol.RoleCustomer || s.self.Role == protocol.RoleSpecialist {
		return fmt.Errorf("show screen: %w", ErrNotRep)
	}
	select {
	case <-s.ended:
		return ErrSessionEnded
	default:
	}
	if s.sharing() != nil {
		return fmt.Errorf("show screen: %w", ErrAlreadySharing)
	}
	if !skipRepScreenCheck {
		f, err := s.Functions(ctx)
		if err != nil {
			return fmt.Errorf("show screen: %w", err)
		}
		if !f.RepScreenSharing {
			return fmt.Errorf("show screen: %w", ErrRepScreenOff)
		}
	}
	if err := s.postRepScreen(ctx, true); err != nil {
		return fmt.Errorf("show screen: %w", err)
	}
	s.mu.Lock()
	if s.share != nil {
		s.mu.Unlock()
		return fmt.Errorf("show screen: %w", ErrAlreadySharing)
	}
	sh := newSharer(screen, s.log)
	s.share = sh
	peers := make([]*Peer, 0, len(s.peers))
	for _, p := range s.peers {
		peers = append(peers, p)
	}
	s.mu.Unlock()
	s.log.Info("showing the rep's screen")
	for _, p := range peers {
		p.askForRepScreen()
	}
	return nil
}

// StopShowing stops showing this rep's screen and tells the customer and
// the server; it does nothing when the rep does not show it. It returns
// once the sharer's goroutines are gone, so the Screen may then be
// closed; the error is the server's, about its log (ErrNotRep on a
// customer's session, whose screen StopSharing stops).
func (s *Session) StopShowing(ctx context.Context) error {
	if s.self.Role == protocol.RoleCustomer || s.self.Role == protocol.RoleSpecialist {
		return fmt.Errorf("stop showing: %w", ErrNotRep)
	}
	s.mu.Lock()
	sh := s.share
	s.share = nil
	peers := make([]*Peer, 0, len(s.peers))
	for _, p := range s.peers {
		peers = append(peers, p)
	}
	s.mu.Unlock()
	if sh == nil {
		return nil
	}
	sh.close()
	s.log.Info("stopped showing the rep's screen")
	b, _ := json.Marshal(repScreenMsg{Showing: false})
	for _, p := range peers {
		if err := p.sendText(RepScreenLabel, b); err != nil {
			p.log.Debug("stop of the rep's screen not sent", "err", err)
		}
	}
	select {
	case <-s.ended:
		return nil
	default:
	}
	if err := s.postRepScreen(ctx, false); err != nil {
		return fmt.Errorf("stop showing: %w", err)
	}
	return nil
}

// Showing reports whether this rep shows its screen.
func (s *Session) Showing() bool {
	return s.sharing() != nil && s.self.Role != protocol.RoleCustomer && s.self.Role != protocol.RoleSpecialist
}

func (s *Session) postRepScreen(ctx context.Context, showing bool) error {
	return s.api.do(ctx, "POST", protocol.PathSession+url.PathEscape(s.id)+protocol.PathRepScreenSuffix, repScreenMsg{Showing: showing}, nil)
}

// repSlot says whether the customer's offers carry a slot for the rep's
// screen: its own configuration allows it.
func (s *Session) repSlot() bool {
	if s.self.Role != protocol.RoleCustomer {
		return false
	}
	cfg := s.customerConfig()
	return cfg != nil && cfg.Functions.RepScreenSharing
}

// repScreenEvent reports the rep's screen of a peer connection (customer).
func (s *Session) repScreenEvent(p *Peer, started bool) {
	if started {
		s.ev.emit(RepScreenStarted{Rep: p.part, Screen: p.repScreen})
		return
	}
	s.ev.emit(RepScreenStopped{Rep: p.part})
}

// restartForRepScreen makes the customer's connection to a rep afresh,
// with the slot the rep's answer fills. It runs on its own goroutine.
func (s *Session) restartForRepScreen(old *Peer) {
	defer s.repShow.wg.Done()
	s.mu.Lock()
	current := s.peers[old.part.ID] == old && !s.peersClosed
	s.mu.Unlock()
	if !current {
		return
	}
	cfg := old.cfg
	cfg.share = s.sharing()
	s.restartPeer(old, cfg)
}

// addRepSlot adds the receive-only slot for the rep's screen to a
// customer's peer connection, before its offer.
func (p *Peer) addRepSlot() error {
	if _, err := p.pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		return fmt.Errorf("add the rep's screen slot: %w", err)
	}
	p.repScreen = newRemoteScreen(p)
	p.pc.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if t.Kind() != webrtc.RTPCodecTypeVideo || !p.goWork() {
			return
		}
		p.mu.Lock()
		p.repStarted = true
		p.mu.Unlock()
		if p.cfg.rep.onScreen != nil {
			p.cfg.rep.onScreen(p, true)
		}
		go func() {
			defer p.wg.Done()
			p.repScreen.receive(t)
		}()
	})
	return nil
}

// screenLabel is the channel of the screen this side sends: the
// customer's on ScreenLabel, the rep's on RepScreenLabel.
func (p *Peer) screenLabel() string {
	if p.initiator {
		return ScreenLabel
	}
	return RepScreenLabel
}

// attachRepScreen handles the RepScreenLabel channel on either side.
func (p *Peer) attachRepScreen(dc *webrtc.DataChannel) {
	dc.OnOpen(func() {
		p.post(func() {
			if p.initiator {
				return
			}
			if p.video != nil {
				p.video.sh.welcome(p.video)
			} else if p.cfg.rep.showing != nil && p.cfg.rep.showing() {
				// The rep started showing before this connection's
				// channel opened.
				p.askForRepScreen()
			}
		})
	})
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		if !p.initiator {
			return // the customer sends nothing on it; view only
		}
		if !m.IsString {
			if p.repScreen != nil {
				p.repScreen.handleScreenMsg(m.Data)
			}
			return
		}
		var msg repScreenMsg
		if err := protocol.UnmarshalStrict(m.Data, &msg); err != nil {
			p.log.Warn("refusing a message on the rep's screen channel", "err", err)
			return
		}
		p.repScreenMsg(msg)
	})
}

// repScreenMsg applies a rep's start or stop on the customer's side.
func (p *Peer) repScreenMsg(msg repScreenMsg) {
	if !msg.Showing {
		p.repScreenStopped()
		return
	}
	if p.part.Role == protocol.RoleSpecialist {
		p.log.Warn("refusing the screen of an external specialist: only reps show theirs", "peer", p.part.ID, "err", ErrSpecialist)
		return
	}
	if !p.cfg.rep.slot || p.cfg.rep.restart == nil {
		p.log.Warn("refusing the rep's screen: this session's portal does not allow it")
		return
	}
	p.cfg.rep.restart(p)
}

// askForRepScreen asks the customer's client for a connection made afresh
// that carries this rep's screen, unless this one already does.
func (p *Peer) askForRepScreen() {
	if p.initiator {
		return
	}
	b, _ := json.Marshal(repScreenMsg{Showing: true})
	if err := p.sendText(RepScreenLabel, b); err != nil {
		p.log.Debug("start of the rep's screen not sent yet", "err", err)
	}
}

// repScreenStopped reports the end of a rep's screen, once: the rep
// stopped showing it, or its connection closed.
func (p *Peer) repScreenStopped() {
	p.mu.Lock()
	was := p.repStarted
	p.repStarted = false
	p.mu.Unlock()
	if was && p.cfg.rep.onScreen != nil {
		p.cfg.rep.onScreen(p, false)
	}
}

// RepScreen is the rep's screen as the customer receives it on this
// connection; nil on the rep's side or where the portal does not allow it.
func (p *Peer) RepScreen() *RemoteScreen { return p.repScreen }
