package portal

import (
	"fmt"
	"net/mail"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tandemhq/tandem/protocol"
	tmail "github.com/tandemhq/tandem/server/mail"
)

// PathPrefix is where a portal without its own host name is served:
// PathPrefix + slug + "/".
const PathPrefix = "/p/"

// Limits of the administration model.
const (
	// MaxSlugBytes is the longest portal slug.
	MaxSlugBytes = 63
	// MaxNoticeRunes is the longest customer notice.
	MaxNoticeRunes = 1000
	// MaxCannedTitleRunes is the longest canned message title.
	MaxCannedTitleRunes = 80
	// MaxNoticeLifetime is the longest a notice may stay active.
	MaxNoticeLifetime = 90 * 24 * time.Hour
)

// BoxMode is how a SmartBox portal routes requests.
type BoxMode int

// SmartBox modes.
const (
	BoxUnknown BoxMode = iota
	// BoxBroadcast alerts every available rep of the portal's teams.
	BoxBroadcast
	// BoxQueue offers each request to the next available rep (queue mode).
	BoxQueue
)

var boxModeNames = []string{"unknown", "broadcast", "queue"}

// String returns the mode's name.
func (m BoxMode) String() string {
	if m < 0 || int(m) >= len(boxModeNames) {
		return fmt.Sprintf("BoxMode(%d)", int(m))
	}
	return boxModeNames[m]
}

// MarshalText implements encoding.TextMarshaler; it refuses BoxUnknown.
func (m BoxMode) MarshalText() ([]byte, error) {
	if m <= BoxUnknown || int(m) >= len(boxModeNames) {
		return nil, fmt.Errorf("%w: box_mode %d not known", ErrInvalid, int(m))
	}
	return []byte(m.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *BoxMode) UnmarshalText(b []byte) error {
	for i, n := range boxModeNames {
		if i > 0 && n == string(b) {
			*m = BoxMode(i)
			return nil
		}
	}
	return fmt.Errorf("%w: box_mode %q not known (broadcast or queue)", ErrInvalid, b)
}

// Portal is a public site (or a subportal) customers start sessions from.
type Portal struct {
	ID string `json:"id"`
	// Slug is the portal's URL path segment (PathPrefix + Slug + "/").
	Slug string `json:"slug"`
	// Host is optional: a host name that serves this portal at "/".
	Host string `json:"host,omitempty"`
	Name string `json:"name"`
	// ParentID names the portal this one is a subportal of; "" for a
	// top-level portal. Subportals are one level deep.
	ParentID string    `json:"parent_id,omitempty"`
	Created  time.Time `json:"created"`
	Settings Settings  `json:"settings"`
}

// Settings are a portal's configuration.
type Settings struct {
	Type Type `json:"type"`
	// BoxMode is used by SmartBox portals; zero elsewhere means broadcast.
	BoxMode BoxMode `json:"box_mode,omitempty"`
	// WebChat starts sessions in the browser chat first (the browser chat
	// itself is a later issue; the setting is kept and snapshotted).
	WebChat bool `json:"web_chat"`
	// Client is the customer client's configuration. Its Logging is used
	// only when SiteLogging is false; Portal and Hostname are filled in
	// when the configuration is snapshotted.
	Client protocol.CustomerClientConfig `json:"client"`
	// SiteLogging uses the site-wide logging default instead of Client.Logging.
	SiteLogging bool `json:"site_logging"`
	// Invitations are the invitation e-mail templates per language; a
	// missing language or blank field uses the default.
	Invitations map[string]tmail.Template `json:"invitations,omitempty"`
	// NotificationEmail receives the completed-session notification (XML).
	NotificationEmail string `json:"notification_email,omitempty"`
	// Hours are the business hours; nil means always open.
	Hours *Hours `json:"hours,omitempty"`
}

// DefaultSettings is a new portal's configuration: a SmartPin portal in
// broadcast mode with the default customer client and the site's logging.
func DefaultSettings() Settings {
	return Settings{Type: SmartPin, BoxMode: BoxBroadcast, Client: protocol.DefaultCustomerClientConfig(), SiteLogging: true}
}

var (
	slugRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	hostRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// reservedSlugs are path segments the server uses itself.
var reservedSlugs = map[string]bool{"api": true, "admin": true, "healthz": true, "static": true, "download": true}

// Normalize fills blank messages with their language's defaults (saving
// an empty message restores the default), drops blank invitation
// templates, and lower-cases the host name. It returns the changed copy.
func (p Portal) Normalize() Portal {
	p.Host = strings.ToLower(strings.TrimSpace(p.Host))
	p.Slug = strings.TrimSpace(p.Slug)
	p.Name = strings.TrimSpace(p.Name)
	p.Settings = p.Settings.Normalize()
	return p
}

// Normalize is Portal.Normalize for the settings alone.
func (s Settings) Normalize() Settings {
	msgs := make(map[string]protocol.Messages, len(s.Client.Messages)+1)
	for l, m := range s.Client.Messages {
		msgs[l] = m.WithDefaults(l)
	}
	if _, ok := msgs[protocol.DefaultLanguage]; !ok {
		msgs[protocol.DefaultLanguage] = protocol.Messages{}.WithDefaults(protocol.DefaultLanguage)
	}
	s.Client.Messages = msgs
	if s.BoxMode == BoxUnknown {
		s.BoxMode = BoxBroadcast
	}
	if len(s.Invitations) > 0 {
		inv := make(map[string]tmail.Template, len(s.Invitations))
		for l, t := range s.Invitations {
			if strings.TrimSpace(t.Subject) != "" || strings.TrimSpace(t.Body) != "" {
				inv[l] = t
			}
		}
		s.Invitations = inv
	}
	s.NotificationEmail = strings.TrimSpace(s.NotificationEmail)
	return s
}

// Validate checks the portal's fields and settings; errors wrap ErrInvalid
// and name the field.
func (p Portal) Validate() error {
	if len(p.Slug) > MaxSlugBytes || !slugRE.MatchString(p.Slug) {
		return fmt.Errorf("%w: slug %q must be 1 to %d lowercase letters, digits and inner dashes", ErrInvalid, p.Slug, MaxSlugBytes)
	}
	if reservedSlugs[p.Slug] {
		return fmt.Errorf("%w: slug %q is reserved by the server", ErrInvalid, p.Slug)
	}
	if p.Host != "" && (len(p.Host) > 253 || !hostRE.MatchString(p.Host)) {
		return fmt.Errorf("%w: host %q is not a host name such as support.example.com", ErrInvalid, p.Host)
	}
	if err := protocol.ValidateText("name", p.Name, protocol.MaxNameRunes, true); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalid, unwrapBad(err))
	}
	if p.ParentID != "" && p.ParentID == p.ID {
		return fmt.Errorf("%w: parent_id: a portal cannot be its own subportal", ErrInvalid)
	}
	return p.Settings.Validate()
}

// Validate checks the settings; errors wrap ErrInvalid and name the field.
func (s Settings) Validate() error {
	if _, ok := typeNames[s.Type]; !ok {
		return fmt.Errorf("%w: type %d not known", ErrInvalid, int(s.Type))
	}
	if s.BoxMode != BoxBroadcast && s.BoxMode != BoxQueue {
		return fmt.Errorf("%w: box_mode %d not known", ErrInvalid, int(s.BoxMode))
	}
	if err := s.Client.Validate(); err != nil {
		return fmt.Errorf("%w: client.%s", ErrInvalid, unwrapBad(err))
	}
	langs := make([]string, 0, len(s.Invitations))
	for l := range s.Invitations {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		if !protocol.ValidLanguage(l) {
			return fmt.Errorf("%w: invitations: %q is not a language tag", ErrInvalid, l)
		}
		t := s.Invitations[l]
		if err := tmail.ValidateTemplate(t); err != nil {
			return fmt.Errorf("%w: invitations.%s: %v", ErrInvalid, l, err)
		}
		if err := protocol.ValidateText("subject", t.Subject, 200, false); err != nil {
			return fmt.Errorf("%w: invitations.%s.%s", ErrInvalid, l, unwrapBad(err))
		}
		if err := protocol.ValidateText("body", t.Body, protocol.MaxMessageRunes, false); err != nil {
			return fmt.Errorf("%w: invitations.%s.%s", ErrInvalid, l, unwrapBad(err))
		}
	}
	if e := s.NotificationEmail; e != "" {
		a, err := mail.ParseAddress(e)
		if err != nil || a.Address != e {
			return fmt.Errorf("%w: notification_email %q is not a plain e-mail address such as ops@example.com", ErrInvalid, e)
		}
	}
	if s.Hours != nil {
		if err := s.Hours.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// unwrapBad strips protocol.ErrBadData's prefix from a validation error.
func unwrapBad(err error) string {
	return strings.TrimPrefix(err.Error(), protocol.ErrBadData.Error()+": ")
}

// OpenAt reports whether the portal takes sessions at now: always without
// business hours.
func (s Settings) OpenAt(now time.Time) (bool, error) {
	if s.Hours == nil {
		return true, nil
	}
	return s.Hours.Open(now)
}

// Invitation returns the invitation template for lang: the portal's
// custom one where set, else the default (English for languages without one).
func (s Settings) Invitation(lang string) (tmail.Template, error) {
	if _, err := tmail.DefaultTemplate(lang); err != nil {
		lang = protocol.DefaultLanguage
	}
	return tmail.Resolve(lang, s.Invitations[lang])
}

// Snapshot is the customer client configuration a session starting now
// through the portal receives: the portal's settings with the effective
// logging (the site default when SiteLogging), the banner (the default
// when none is uploaded) and the portal's identity filled in. bannerURL
// maps a banner's SHA-256 to where clients fetch it.
func (p Portal) Snapshot(site SiteSettings, bannerURL func(sha256 string) string) protocol.CustomerClientConfig {
	c := p.Settings.Normalize().Client
	// Copy the map: the snapshot must not share it with the portal.
	msgs := make(map[string]protocol.Messages, len(c.Messages))
	for l, m := range c.Messages {
		msgs[l] = m
	}
	c.Messages = msgs
	c.Portal = p.ID
	c.Hostname = p.Host
	if p.Settings.SiteLogging {
		c.Logging = site.Logging
	}
	if c.Banner.SHA256 == "" {
		c.Banner.SHA256 = DefaultBannerSHA256()
	}
	if bannerURL != nil {
		c.Banner.URL = bannerURL(c.Banner.SHA256)
	}
	return c
}

// DefaultSnapshot is the configuration of a session that belongs to no
// portal (a key generated without one): the defaults with the site's logging.
func DefaultSnapshot(site SiteSettings, bannerURL func(sha256 string) string) protocol.CustomerClientConfig {
	return Portal{Settings: DefaultSettings()}.Snapshot(site, bannerURL)
}

// SiteSettings are the site-wide settings.
type SiteSettings struct {
	// Logging is the default of portals with SiteLogging.
	Logging protocol.Logging `json:"logging"`
	// SMTP is the outgoing mail server; an empty Host sends no mail.
	SMTP SMTP `json:"smtp"`
}

// SMTP configures outgoing mail.
type SMTP struct {
	Host string `json:"host"`
	// Port is 587 when zero.
	Port     int    `json:"port,omitempty"`
	Username string `json:"username,omitempty"`
	// Password is write-only: the API never returns it.
	Password string `json:"password,omitempty"`
	From     string `json:"from"`
	// StartTLS is required, opportunistic or off.
	StartTLS tmail.StartTLS `json:"starttls"`
}

// Validate checks the site settings; errors wrap ErrInvalid.
func (s SiteSettings) Validate() error {
	m := s.SMTP
	if m.Host == "" {
		return nil
	}
	if len(m.Host) > 253 || !hostRE.MatchString(strings.ToLower(m.Host)) {
		return fmt.Errorf("%w: smtp.host %q is not a host name", ErrInvalid, m.Host)
	}
	if m.Port < 0 || m.Port > 65535 {
		return fmt.Errorf("%w: smtp.port %d not in 1..65535", ErrInvalid, m.Port)
	}
	if a, err := mail.ParseAddress(m.From); err != nil || strings.ContainsAny(m.From, "\r\n") {
		return fmt.Errorf("%w: smtp.from %q is not an e-mail address", ErrInvalid, m.From)
	} else if a.Address == "" {
		return fmt.Errorf("%w: smtp.from is empty", ErrInvalid)
	}
	if _, err := m.StartTLS.MarshalText(); err != nil {
		return fmt.Errorf("%w: smtp.starttls: %v", ErrInvalid, err)
	}
	if strings.ContainsAny(m.Username+m.Password, "\r\n\x00") {
		return fmt.Errorf("%w: smtp credentials contain control characters", ErrInvalid)
	}
	return nil
}

// Team is a group of reps assigned to portals: its members serve the
// team's queue on each of its portals.
type Team struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// PortalIDs are the portals the team serves.
	PortalIDs []string `json:"portal_ids"`
	// RepIDs are the team's members.
	RepIDs []string `json:"rep_ids"`
}

// Validate checks the team's name and lists; errors wrap ErrInvalid.
func (t Team) Validate() error {
	if err := protocol.ValidateText("name", t.Name, protocol.MaxNameRunes, true); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalid, unwrapBad(err))
	}
	for _, l := range []struct {
		name string
		ids  []string
	}{{"portal_ids", t.PortalIDs}, {"rep_ids", t.RepIDs}} {
		seen := map[string]bool{}
		for _, id := range l.ids {
			if id == "" || len(id) > 64 {
				return fmt.Errorf("%w: %s: bad ID %q", ErrInvalid, l.name, id)
			}
			if seen[id] {
				return fmt.Errorf("%w: %s: %s given twice", ErrInvalid, l.name, id)
			}
			seen[id] = true
		}
	}
	return nil
}

// Notice is a customer notice: a known problem shown to waiting customers
// from when it is sent until it expires.
type Notice struct {
	ID string `json:"id"`
	// PortalID limits the notice to one portal; "" shows it on every portal.
	PortalID string    `json:"portal_id,omitempty"`
	Message  string    `json:"message"`
	Created  time.Time `json:"created"`
	// Sent is when it was sent; zero while a draft.
	Sent time.Time `json:"sent,omitzero"`
	// Expires is when it stops showing.
	Expires time.Time `json:"expires"`
}

// Active reports whether customers see the notice at now.
func (n Notice) Active(now time.Time) bool {
	return !n.Sent.IsZero() && !now.Before(n.Sent) && now.Before(n.Expires)
}

// Validate checks the message and the lifetime; errors wrap ErrInvalid.
func (n Notice) Validate() error {
	if err := protocol.ValidateText("message", n.Message, MaxNoticeRunes, true); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalid, unwrapBad(err))
	}
	if n.Expires.IsZero() {
		return fmt.Errorf("%w: expires is required", ErrInvalid)
	}
	if !n.Expires.After(n.Created) {
		return fmt.Errorf("%w: expires %s is not after the notice's creation", ErrInvalid, n.Expires.Format(time.RFC3339))
	}
	if n.Expires.Sub(n.Created) > MaxNoticeLifetime {
		return fmt.Errorf("%w: expires is more than %d days after the notice's creation", ErrInvalid, int(MaxNoticeLifetime/(24*time.Hour)))
	}
	return nil
}

// Wire is the notice as customers see it.
func (n Notice) Wire() protocol.Notice {
	return protocol.Notice{ID: n.ID, Message: n.Message, Expires: n.Expires.UTC().Format(time.RFC3339)}
}

// Canned is a canned chat message of a team.
type Canned struct {
	ID      string    `json:"id"`
	TeamID  string    `json:"team_id"`
	Title   string    `json:"title"`
	Text    string    `json:"text"`
	Created time.Time `json:"created"`
}

// Validate checks the title and text; errors wrap ErrInvalid.
func (c Canned) Validate() error {
	if c.TeamID == "" {
		return fmt.Errorf("%w: team_id is required", ErrInvalid)
	}
	if err := protocol.ValidateText("title", c.Title, MaxCannedTitleRunes, true); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalid, unwrapBad(err))
	}
	if err := protocol.ValidateText("text", c.Text, protocol.MaxChatRunes, true); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalid, unwrapBad(err))
	}
	return nil
}

// AuditRecord is one administrative change: who, when, what.
type AuditRecord struct {
	ID    int64     `json:"id"`
	At    time.Time `json:"at"`
	RepID string    `json:"rep_id"`
	// Username is the admin's username at the time.
	Username string `json:"username"`
	// Action names the operation: "portal.update", "banner.upload", ...
	Action string `json:"action"`
	// Target is the ID of the changed record.
	Target string `json:"target,omitempty"`
	// Detail says what changed, for people.
	Detail string `json:"detail,omitempty"`
}
