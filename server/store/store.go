// Package store keeps the server's state: representatives, tokens, portals
// with their settings (package portal's model), banners, teams, queues,
// session keys, sessions with their participants, events and configuration
// snapshots, customer notices, canned messages, site settings and the
// audit log.
//
// [Store] is the interface the server uses; [SQLite] implements it on an
// embedded SQLite file (pure Go, WAL mode, migrations compiled in). A
// PostgreSQL implementation for several servers would be a second type
// behind the same interface.
package store

import (
	"context"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/portal"
)

// Store is the server's persistent state. Every method is safe for
// concurrent use. Methods that look one thing up return [ErrNotFound] when
// there is none.
type Store interface {
	// CreateRep adds a representative; [ErrConflict] if the username is taken.
	CreateRep(ctx context.Context, r Rep) error
	// RepByUsername finds a representative by username (case-insensitive).
	RepByUsername(ctx context.Context, username string) (Rep, error)
	// RepByID finds a representative by ID.
	RepByID(ctx context.Context, id string) (Rep, error)
	// Reps lists every representative, by username.
	Reps(ctx context.Context) ([]Rep, error)
	// CountReps counts representatives (zero on a new server).
	CountReps(ctx context.Context) (int, error)

	// SaveToken stores a token by its hash.
	SaveToken(ctx context.Context, t Token) error
	// TokenByHash finds an unexpired token; [ErrNotFound] if missing or expired at now.
	TokenByHash(ctx context.Context, hash string, now time.Time) (Token, error)
	// DeleteToken removes a token (logout); deleting a missing one is not an error.
	DeleteToken(ctx context.Context, hash string) error
	// DeleteSessionTokens removes every token bound to a session (at its end).
	DeleteSessionTokens(ctx context.Context, sessionID string) error
	// DeleteExpired removes tokens and keys that expired before now.
	DeleteExpired(ctx context.Context, now time.Time) error

	// CreateKey stores a new session key; [ErrConflict] if the code is in use.
	CreateKey(ctx context.Context, k Key) error
	// UseKey spends a key atomically: the first caller gets it, marked used
	// at now; later callers get [ErrUsed]; an expired key gives [ErrExpired];
	// an unknown code [ErrNotFound].
	UseKey(ctx context.Context, code string, now time.Time) (Key, error)
	// KeyByCode reads a key without spending it; [ErrNotFound] if none.
	KeyByCode(ctx context.Context, code string) (Key, error)

	// CreatePortal adds a portal, normalised and validated (zero Settings
	// mean portal.DefaultSettings); [ErrConflict] if the slug or host is
	// taken, an error wrapping portal.ErrInvalid for a bad setting.
	CreatePortal(ctx context.Context, p Portal) error
	// UpdatePortal replaces a portal's slug, host, name, parent and
	// settings (not Created), normalised and validated like CreatePortal.
	UpdatePortal(ctx context.Context, p Portal) error
	// DeletePortal removes a portal no session belongs to; [ErrConflict]
	// if sessions belong to it or it has subportals.
	DeletePortal(ctx context.Context, id string) error
	// PortalBySlug finds a portal by its URL slug.
	PortalBySlug(ctx context.Context, slug string) (Portal, error)
	// PortalByHost finds a portal by its host name (case-insensitive).
	PortalByHost(ctx context.Context, host string) (Portal, error)
	// PortalByID finds a portal by ID.
	PortalByID(ctx context.Context, id string) (Portal, error)
	// Portals lists every portal and subportal by slug.
	Portals(ctx context.Context) ([]Portal, error)

	// SaveBanner stores a banner validated with portal.ValidateBanner under
	// its SHA-256 and returns the hash; saving it twice is not an error.
	SaveBanner(ctx context.Context, bmp []byte, now time.Time) (string, error)
	// Banner returns a stored banner by its SHA-256 (the built-in default too).
	Banner(ctx context.Context, sha256 string) ([]byte, error)

	// SiteSettings returns the site-wide settings (zero until saved).
	SiteSettings(ctx context.Context) (portal.SiteSettings, error)
	// SaveSiteSettings validates and stores the site-wide settings.
	SaveSiteSettings(ctx context.Context, s portal.SiteSettings) error

	// SaveSessionConfig stores the configuration a session started with.
	SaveSessionConfig(ctx context.Context, sessionID string, c protocol.CustomerClientConfig) error
	// SessionConfig returns it; [ErrNotFound] if none was stored.
	SessionConfig(ctx context.Context, sessionID string) (protocol.CustomerClientConfig, error)

	// CreateTeam adds a team with its portals and members.
	CreateTeam(ctx context.Context, t portal.Team) error
	// UpdateTeam replaces a team's name, portals and members.
	UpdateTeam(ctx context.Context, t portal.Team) error
	// DeleteTeam removes a team, its memberships and canned messages; its
	// queues stay for the sessions that waited in them.
	DeleteTeam(ctx context.Context, id string) error
	// Team finds a team by ID.
	Team(ctx context.Context, id string) (portal.Team, error)
	// Teams lists the teams by name.
	Teams(ctx context.Context) ([]portal.Team, error)
	// TeamsForRep lists the teams a rep belongs to, by name.
	TeamsForRep(ctx context.Context, repID string) ([]portal.Team, error)
	// SetPortalTeams replaces the teams assigned to a portal.
	SetPortalTeams(ctx context.Context, portalID string, teamIDs []string) error
	// PortalQueues lists the queues of the teams serving a portal, creating
	// missing ones, by team name.
	PortalQueues(ctx context.Context, portalID string) ([]Queue, error)

	// CreateNotice adds a customer notice (a draft while Sent is zero).
	CreateNotice(ctx context.Context, n portal.Notice) error
	// UpdateNotice replaces a notice's portal, message, sent and expiry times.
	UpdateNotice(ctx context.Context, n portal.Notice) error
	// Notice finds a notice by ID.
	Notice(ctx context.Context, id string) (portal.Notice, error)
	// Notices lists every notice, newest first.
	Notices(ctx context.Context) ([]portal.Notice, error)
	// ActiveNotices lists the notices customers of a portal see at now,
	// oldest first: sent, not expired, for that portal or for all.
	ActiveNotices(ctx context.Context, portalID string, now time.Time) ([]portal.Notice, error)

	// CreateCanned adds a canned message to a team.
	CreateCanned(ctx context.Context, c portal.Canned) error
	// UpdateCanned replaces a canned message's team, title and text.
	UpdateCanned(ctx context.Context, c portal.Canned) error
	// DeleteCanned removes a canned message.
	DeleteCanned(ctx context.Context, id string) error
	// Canned finds a canned message by ID.
	Canned(ctx context.Context, id string) (portal.Canned, error)
	// CannedForTeam lists a team's canned messages by title.
	CannedForTeam(ctx context.Context, teamID string) ([]portal.Canned, error)
	// CannedForRep lists the canned messages of a rep's teams by team name and title.
	CannedForRep(ctx context.Context, repID string) ([]protocol.CannedMessage, error)

	// AppendAudit records an administrative change and returns its ID.
	AppendAudit(ctx context.Context, a portal.AuditRecord) (int64, error)
	// Audit lists up to limit records, newest first.
	Audit(ctx context.Context, limit int) ([]portal.AuditRecord, error)

	// WaitSamples returns the limit most recently answered sessions of a
	// queue (created and accepted times), for the wait estimate.
	WaitSamples(ctx context.Context, queueID string, limit int) ([]portal.WaitSample, error)
	// SetRepDisabled disables or enables a rep's account.
	SetRepDisabled(ctx context.Context, repID string, disabled bool) error

	// CreateQueue adds a queue.
	CreateQueue(ctx context.Context, q Queue) error
	// PersonalQueue returns the rep's personal queue, creating it the first time.
	PersonalQueue(ctx context.Context, repID string) (Queue, error)
	// QueuesForRep lists the queues a rep serves: its personal queue and
	// its teams' queues.
	QueuesForRep(ctx context.Context, repID string) ([]Queue, error)

	// CreateSession stores a new session together with its first participant
	// (the customer) in one transaction.
	CreateSession(ctx context.Context, s Session, customer Participant) error
	// Session finds a session by ID.
	Session(ctx context.Context, id string) (Session, error)
	// WaitingSessions lists sessions waiting in any of the queues, oldest first.
	WaitingSessions(ctx context.Context, queueIDs []string) ([]Session, error)
	// AcceptSession moves a waiting session to active with rep as its owner
	// and adds the rep's participant, atomically; [ErrConflict] if the session
	// is not waiting (someone else took it, or it ended).
	AcceptSession(ctx context.Context, sessionID string, rep Participant, now time.Time) (Session, error)
	// EndSession marks a session ended at now with a reason; [ErrConflict] if
	// it had already ended.
	EndSession(ctx context.Context, sessionID, reason string, now time.Time) (Session, error)
	// AddParticipant adds a participant to a session.
	AddParticipant(ctx context.Context, p Participant) error
	// LeaveParticipant marks a participant as gone at now.
	LeaveParticipant(ctx context.Context, sessionID, participantID string, now time.Time) error
	// Participants lists a session's participants in the order they joined,
	// those who left included.
	Participants(ctx context.Context, sessionID string) ([]Participant, error)

	// AppendEvent stores an event, assigning the session's next sequence
	// number (1, 2, 3, ...), and returns it as stored.
	AppendEvent(ctx context.Context, e Event) (Event, error)
	// Events lists a session's events in sequence order.
	Events(ctx context.Context, sessionID string) ([]Event, error)

	// Close closes the store. It is idempotent.
	Close() error
}

// Rep is a representative's account.
type Rep struct {
	ID          string
	Username    string
	DisplayName string
	// PasswordHash is an argon2id hash in PHC string form.
	PasswordHash string
	Roles        []protocol.Role
	Created      time.Time
	Disabled     bool
}

// HasRole reports whether the rep has role r.
func (r Rep) HasRole(role protocol.Role) bool {
	for _, x := range r.Roles {
		if x == role {
			return true
		}
	}
	return false
}

// TokenKind says whom a token admits.
type TokenKind int

// Token kinds.
const (
	TokenUnknown TokenKind = iota
	// TokenRep admits a signed-in representative.
	TokenRep
	// TokenCustomer admits a customer to one session.
	TokenCustomer
	// TokenSurvey is a customer's token after the session ended: it
	// admits only the exit survey (see [SQLite.KeepSurveyTokens]).
	TokenSurvey
	// TokenSpecialist admits an external specialist to one session.
	TokenSpecialist
)

// Token is a bearer token, stored only as a hash.
type Token struct {
	// Hash is the SHA-256 of the token, hex; the token itself is never stored.
	Hash string
	Kind TokenKind
	// RepID is set for TokenRep.
	RepID string
	// SessionID and ParticipantID are set for TokenCustomer and
	// TokenSpecialist.
	SessionID     string
	ParticipantID string
	Created       time.Time
	Expires       time.Time
}

// Key is a session key: a 9-digit code a rep hands to one customer.
type Key struct {
	Code     string
	RepID    string
	PortalID string
	Created  time.Time
	Expires  time.Time
	// Used is when the key was spent; zero while unused.
	Used time.Time
}

// Portal is a public site customers start sessions from; the model lives
// in package portal.
type Portal = portal.Portal

// QueueKind says whose queue it is.
type QueueKind int

// Queue kinds.
const (
	QueueUnknown QueueKind = iota
	// QueuePersonal belongs to one rep.
	QueuePersonal
	// QueueTeam belongs to a team.
	QueueTeam
)

// Queue is where waiting sessions wait.
type Queue struct {
	ID   string
	Kind QueueKind
	Name string
	// RepID is set for QueuePersonal.
	RepID string
	// PortalID is set where the queue belongs to one portal.
	PortalID string
	// TeamID is set for a team's queue on one portal.
	TeamID string
}

// Session is one support session's record.
type Session struct {
	ID           string
	State        protocol.SessionState
	QueueID      string
	PortalID     string
	CustomerName string
	Question     string
	// KeyCode is the session key the customer joined with, if any.
	KeyCode string
	// RepID is the rep who owns the session once accepted.
	RepID     string
	Created   time.Time
	Accepted  time.Time
	Ended     time.Time
	EndReason string
}

// Participant is a member of a session.
type Participant struct {
	SessionID string
	ID        string
	Role      protocol.Role
	Name      string
	// RepID is set for reps.
	RepID  string
	Joined time.Time
	// Left is zero while the participant is in the session.
	Left time.Time
	// ViewOnly is set for an external specialist invited to view only.
	ViewOnly bool
}

// Wire is the participant as clients see it.
func (p Participant) Wire() protocol.Participant {
	return protocol.Participant{ID: p.ID, Role: p.Role, Name: p.Name, ViewOnly: p.ViewOnly}
}

// Event is one entry of a session's log: chat or a lifecycle event.
type Event struct {
	SessionID string
	Seq       int64
	// Kind is "chat", "created", "accepted", "joined", "left", "ended", ...
	Kind string
	// From is the participant ID the event came from, if any.
	From string
	Name string
	Role protocol.Role
	Text string
	At   time.Time
}
