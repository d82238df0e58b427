package server

import (
	"context"
	"fmt"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/hub"
	"github.com/tandemhq/tandem/server/mail"
	"github.com/tandemhq/tandem/server/store"
)

// notifyTimeout bounds the delivery of one completed-session notification.
const notifyTimeout = time.Minute

// hubStore is the store the hub uses: the server's, with the
// completed-session notification sent after a session ends.
func (s *Server) hubStore() hub.Store { return &notifyingStore{SQLite: s.store, s: s} }

// notifyingStore sends the completed-session notification when a
// session ends.
type notifyingStore struct {
	*store.SQLite
	s *Server
}

// EndSession ends the session and, when its portal names a notification
// address, e-mails the completed-session report in the background once
// the exit survey is answered or its window closed (see sessionEnded).
func (n *notifyingStore) EndSession(ctx context.Context, sessionID, reason string, now time.Time) (store.Session, error) {
	sess, err := n.SQLite.EndSession(ctx, sessionID, reason, now)
	if err == nil {
		n.s.sessionEnded(sess)
	}
	return sess, err
}

// notifyEnded sends the completed-session notification of an ended
// session in a goroutine that Close waits for (and cancels).
func (s *Server) notifyEnded(sess store.Session) {
	select {
	case <-s.stop:
		return
	default:
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), notifyTimeout)
		defer cancel()
		// Close cancels a delivery in progress; the watcher ends with it.
		done, watched := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(watched)
			select {
			case <-s.stop:
				cancel()
			case <-done:
			}
		}()
		defer func() {
			close(done)
			<-watched
		}()
		if err := s.sendNotification(ctx, sess); err != nil {
			s.logger.Warn("completed-session notification not sent", "session", sess.ID, "portal", sess.PortalID, "err", err)
		}
	}()
}

// sendNotification e-mails the completed-session report (XML) to the
// portal's notification address through the site's SMTP server; nothing
// when either is not configured.
func (s *Server) sendNotification(ctx context.Context, sess store.Session) error {
	p, err := s.store.PortalByID(ctx, sess.PortalID)
	if err != nil {
		return err
	}
	addr := p.Settings.NotificationEmail
	if addr == "" {
		return nil
	}
	site, err := s.store.SiteSettings(ctx)
	if err != nil {
		return err
	}
	if site.SMTP.Host == "" {
		return fmt.Errorf("no SMTP server configured for the notification to %s", addr)
	}
	r, err := s.sessionReport(ctx, sess, p.Slug)
	if err != nil {
		return err
	}
	m, err := mail.NotificationMessage(addr, r)
	if err != nil {
		return err
	}
	smtp := site.SMTP
	sender := mail.NewSender(mail.Config{Host: smtp.Host, Port: smtp.Port, Username: smtp.Username, Password: smtp.Password,
		From: smtp.From, StartTLS: smtp.StartTLS, Timeout: notifyTimeout}, s.logger.With("component", "mail"))
	if err := sender.Send(ctx, m); err != nil {
		return err
	}
	s.logger.Info("completed-session notification sent", "session", sess.ID, "to", addr)
	return nil
}

// sessionReport is the completed-session report of an ended session: its
// reps, times, outcome, ratings and chat transcript.
func (s *Server) sessionReport(ctx context.Context, sess store.Session, portalSlug string) (mail.SessionReport, error) {
	r := mail.SessionReport{ID: sess.ID, Portal: portalSlug, CustomerName: sess.CustomerName,
		Start: sess.Created.UTC(), End: sess.Ended.UTC(), DurationSec: int64(sess.Ended.Sub(sess.Created) / time.Second),
		EndReason: sess.EndReason}
	ps, err := s.store.Participants(ctx, sess.ID)
	if err != nil {
		return r, err
	}
	for _, p := range ps {
		if p.Role == protocol.RoleRep || p.Role == protocol.RoleAdmin {
			r.Reps = append(r.Reps, p.Name)
		}
	}
	if err := s.reportRatings(ctx, &r, sess); err != nil {
		return r, err
	}
	es, err := s.store.Events(ctx, sess.ID)
	if err != nil {
		return r, err
	}
	for _, e := range es {
		if e.Kind == "chat" {
			r.Transcript = append(r.Transcript, mail.ChatLine{At: e.At.UTC(), From: e.Name, Text: e.Text})
		}
	}
	return r, nil
}
