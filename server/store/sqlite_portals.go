package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/portal"
)

var _ portal.Store = (*SQLite)(nil)

// preparePortal applies the defaults and normalisation a stored portal
// gets, checks it, and encodes its settings.
func preparePortal(p Portal) (Portal, string, error) {
	if p.ID == "" {
		return p, "", errors.New("no ID")
	}
	if p.Settings.Type == 0 && p.Settings.Client.Messages == nil {
		p.Settings = portal.DefaultSettings()
	}
	if p.Name == "" {
		p.Name = p.Slug
	}
	p = p.Normalize()
	if err := p.Validate(); err != nil {
		return p, "", err
	}
	b, err := json.Marshal(p.Settings)
	if err != nil {
		return p, "", fmt.Errorf("encode settings: %w", err)
	}
	return p, string(b), nil
}

// checkParent checks that a subportal's parent exists and is a top-level portal.
func checkParent(ctx context.Context, tx *sql.Tx, p Portal) error {
	if p.ParentID == "" {
		return nil
	}
	var grand sql.NullString
	err := tx.QueryRowContext(ctx, "SELECT parent_id FROM portals WHERE id = ?", p.ParentID).Scan(&grand)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: parent_id: no portal %s", ErrNotFound, p.ParentID)
	}
	if err != nil {
		return err
	}
	if grand.Valid {
		return fmt.Errorf("%w: parent_id: %s is a subportal itself; subportals are one level deep", portal.ErrInvalid, p.ParentID)
	}
	var children int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM portals WHERE parent_id = ?", p.ID).Scan(&children); err != nil {
		return err
	}
	if children > 0 {
		return fmt.Errorf("%w: parent_id: the portal has subportals of its own", portal.ErrInvalid)
	}
	return nil
}

// CreatePortal adds a portal, normalised (blank messages get their
// defaults) and validated; zero Settings mean [portal.DefaultSettings] and
// an empty Name the slug. [ErrConflict] if the ID, slug or host is taken,
// [ErrNotFound] if the parent does not exist, an error wrapping
// [portal.ErrInvalid] (saying which setting and why) for a bad value.
func (s *SQLite) CreatePortal(ctx context.Context, p Portal) error {
	p, settings, err := preparePortal(p)
	if err != nil {
		return fmt.Errorf("create portal %q: %w", p.Slug, err)
	}
	var ta timeArgs
	created := ta.req("created", p.Created)
	if ta.err != nil {
		return fmt.Errorf("create portal %q: %w", p.Slug, ta.err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := checkParent(ctx, tx, p); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO portals (id, slug, name, created, host, parent_id, settings)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.Slug, p.Name, created, nullString(p.Host), nullString(p.ParentID), settings)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("create portal %q: %w", p.Slug, err)
	}
	return nil
}

// UpdatePortal replaces a portal's slug, host, name, parent and settings
// (Created is kept), normalised and validated like [SQLite.CreatePortal];
// [ErrNotFound] if there is no such portal.
func (s *SQLite) UpdatePortal(ctx context.Context, p Portal) error {
	p, settings, err := preparePortal(p)
	if err != nil {
		return fmt.Errorf("update portal %s: %w", p.ID, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := checkParent(ctx, tx, p); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE portals SET slug = ?, name = ?, host = ?, parent_id = ?, settings = ?
			WHERE id = ?`, p.Slug, p.Name, nullString(p.Host), nullString(p.ParentID), settings, p.ID)
		if err != nil {
			return mapErr(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update portal %s: %w", p.ID, err)
	}
	return nil
}

// portalColumns selects a portal.
const portalColumns = "SELECT id, slug, name, created, host, parent_id, settings FROM portals"

// scanPortal reads one row of portalColumns.
func scanPortal(sc scanner) (Portal, error) {
	var (
		p                      Portal
		created                sql.NullInt64
		host, parent, settings sql.NullString
	)
	if err := sc.Scan(&p.ID, &p.Slug, &p.Name, &created, &host, &parent, &settings); err != nil {
		return Portal{}, notFound(err)
	}
	p.Created, p.Host, p.ParentID = fromNanos(created), host.String, parent.String
	if !settings.Valid {
		p.Settings = portal.DefaultSettings()
		return p, nil
	}
	if err := json.Unmarshal([]byte(settings.String), &p.Settings); err != nil {
		return Portal{}, fmt.Errorf("stored settings of portal %s: %w", p.ID, err)
	}
	return p, nil
}

// PortalBySlug finds a portal by its URL slug.
func (s *SQLite) PortalBySlug(ctx context.Context, slug string) (Portal, error) {
	p, err := scanPortal(s.r.QueryRowContext(ctx, portalColumns+" WHERE slug = ?", slug))
	if err != nil {
		return Portal{}, fmt.Errorf("portal %q: %w", slug, err)
	}
	return p, nil
}

// PortalByHost finds a portal by its host name (case-insensitive).
func (s *SQLite) PortalByHost(ctx context.Context, host string) (Portal, error) {
	p, err := scanPortal(s.r.QueryRowContext(ctx, portalColumns+" WHERE host = ?", strings.ToLower(host)))
	if err != nil {
		return Portal{}, fmt.Errorf("portal of host %q: %w", host, err)
	}
	return p, nil
}

// PortalByID finds a portal by ID.
func (s *SQLite) PortalByID(ctx context.Context, id string) (Portal, error) {
	p, err := scanPortal(s.r.QueryRowContext(ctx, portalColumns+" WHERE id = ?", id))
	if err != nil {
		return Portal{}, fmt.Errorf("portal %s: %w", id, err)
	}
	return p, nil
}

// Portals lists every portal and subportal by slug.
func (s *SQLite) Portals(ctx context.Context) ([]Portal, error) {
	rows, err := s.r.QueryContext(ctx, portalColumns+" ORDER BY slug")
	if err != nil {
		return nil, fmt.Errorf("list portals: %w", err)
	}
	defer rows.Close()
	var ps []Portal
	for rows.Next() {
		p, err := scanPortal(rows)
		if err != nil {
			return nil, fmt.Errorf("list portals: %w", err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list portals: %w", err)
	}
	return ps, nil
}

// SaveBanner validates a chat window banner (an 8-bit BMP 480 px wide; the
// error wraps [portal.ErrBadBanner] and says what is wrong), stores it under
// its SHA-256 and returns the hash. Saving the same banner twice is not an
// error.
func (s *SQLite) SaveBanner(ctx context.Context, bmp []byte, now time.Time) (string, error) {
	if err := portal.ValidateBanner(bmp); err != nil {
		return "", fmt.Errorf("save banner: %w", err)
	}
	var ta timeArgs
	at := ta.req("now", now)
	if ta.err != nil {
		return "", fmt.Errorf("save banner: %w", ta.err)
	}
	sum := portal.BannerSHA256(bmp)
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO banners (sha256, data, created) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			sum, bmp, at)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("save banner: %w", err)
	}
	return sum, nil
}

// Banner returns a banner by its SHA-256; the built-in default is always
// there.
func (s *SQLite) Banner(ctx context.Context, sha256 string) ([]byte, error) {
	if sha256 == portal.DefaultBannerSHA256() {
		return portal.DefaultBanner(), nil
	}
	var b []byte
	if err := s.r.QueryRowContext(ctx, "SELECT data FROM banners WHERE sha256 = ?", sha256).Scan(&b); err != nil {
		return nil, fmt.Errorf("banner %s: %w", sha256, notFound(err))
	}
	return b, nil
}

// SiteSettings returns the site-wide settings; zero until saved.
func (s *SQLite) SiteSettings(ctx context.Context) (portal.SiteSettings, error) {
	var (
		ss portal.SiteSettings
		b  string
	)
	err := s.r.QueryRowContext(ctx, "SELECT settings FROM site_settings WHERE id = 1").Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return ss, nil
	}
	if err != nil {
		return ss, fmt.Errorf("site settings: %w", err)
	}
	if err := json.Unmarshal([]byte(b), &ss); err != nil {
		return ss, fmt.Errorf("stored site settings: %w", err)
	}
	return ss, nil
}

// SaveSiteSettings validates and stores the site-wide settings; the error
// wraps [portal.ErrInvalid] for a bad value.
func (s *SQLite) SaveSiteSettings(ctx context.Context, ss portal.SiteSettings) error {
	if err := ss.Validate(); err != nil {
		return fmt.Errorf("save site settings: %w", err)
	}
	b, err := json.Marshal(ss)
	if err != nil {
		return fmt.Errorf("save site settings: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO site_settings (id, settings) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET settings = excluded.settings`, string(b))
		return err
	})
	if err != nil {
		return fmt.Errorf("save site settings: %w", err)
	}
	return nil
}

// SaveSessionConfig stores the configuration a session started with,
// after validating it; [ErrConflict] if the session has one already (a
// snapshot never changes), [ErrNotFound] if there is no such session.
func (s *SQLite) SaveSessionConfig(ctx context.Context, sessionID string, c protocol.CustomerClientConfig) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("save config of session %s: %w", sessionID, err)
	}
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("save config of session %s: %w", sessionID, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO session_configs (session_id, config) VALUES (?, ?)", sessionID, string(b))
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("save config of session %s: %w", sessionID, err)
	}
	return nil
}

// SessionConfig returns the configuration a session started with;
// [ErrNotFound] if none was stored.
func (s *SQLite) SessionConfig(ctx context.Context, sessionID string) (protocol.CustomerClientConfig, error) {
	var (
		c protocol.CustomerClientConfig
		b string
	)
	if err := s.r.QueryRowContext(ctx, "SELECT config FROM session_configs WHERE session_id = ?", sessionID).Scan(&b); err != nil {
		return c, fmt.Errorf("config of session %s: %w", sessionID, notFound(err))
	}
	if err := json.Unmarshal([]byte(b), &c); err != nil {
		return c, fmt.Errorf("stored config of session %s: %w", sessionID, err)
	}
	return c, nil
}

// SetRepDisabled disables or enables a rep's account; [ErrNotFound] if
// there is no such rep.
func (s *SQLite) SetRepDisabled(ctx context.Context, repID string, disabled bool) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE reps SET disabled = ? WHERE id = ?", disabled, repID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set rep %s disabled=%v: %w", repID, disabled, err)
	}
	return nil
}

// DeletePortal removes a portal that no session belongs to, with its
// unused keys, its team queues, team assignments and notices.
// [ErrNotFound] if there is no such portal; [ErrConflict] (saying why) if
// sessions belong to it or it has subportals: those keep their records.
func (s *SQLite) DeletePortal(ctx context.Context, id string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, "SELECT 1 FROM portals WHERE id = ?", id).Scan(&one); err != nil {
			return notFound(err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE portal_id = ?
			OR queue_id IN (SELECT id FROM queues WHERE portal_id = ?)`, id, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: %d sessions belong to the portal; their records keep it", ErrConflict, n)
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM portals WHERE parent_id = ?", id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: the portal has %d subportals; delete or move them first", ErrConflict, n)
		}
		for _, q := range []string{
			"DELETE FROM keys WHERE portal_id = ?",
			"DELETE FROM queues WHERE portal_id = ?",
			"DELETE FROM portals WHERE id = ?",
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return mapErr(err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete portal %s: %w", id, err)
	}
	return nil
}
