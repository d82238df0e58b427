-- 0002: portals and administration. A portal's settings (type, customer
-- client configuration, invitations, hours, ...) are one JSON document of
-- portal.Settings, validated in Go; NULL means the defaults.

ALTER TABLE portals ADD COLUMN host TEXT;
ALTER TABLE portals ADD COLUMN parent_id TEXT REFERENCES portals(id);
ALTER TABLE portals ADD COLUMN settings TEXT;

CREATE UNIQUE INDEX portals_host ON portals (host) WHERE host IS NOT NULL;
CREATE INDEX portals_parent ON portals (parent_id);

-- Chat window banners, content-addressed: a session's snapshot names one
-- by hash, so a new upload never changes a running session's banner.
CREATE TABLE banners (
	sha256  TEXT PRIMARY KEY,
	data    BLOB NOT NULL,
	created INTEGER NOT NULL
) STRICT;

CREATE TABLE teams (
	id      TEXT PRIMARY KEY,
	name    TEXT NOT NULL,
	created INTEGER NOT NULL
) STRICT;

CREATE TABLE team_members (
	team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	rep_id  TEXT NOT NULL REFERENCES reps(id) ON DELETE CASCADE,
	PRIMARY KEY (team_id, rep_id)
) STRICT;

CREATE INDEX team_members_rep ON team_members (rep_id);

CREATE TABLE team_portals (
	team_id   TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	portal_id TEXT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
	PRIMARY KEY (team_id, portal_id)
) STRICT;

CREATE INDEX team_portals_portal ON team_portals (portal_id);

-- A team serves one queue per portal it is assigned to.
ALTER TABLE queues ADD COLUMN team_id TEXT REFERENCES teams(id) ON DELETE SET NULL;
CREATE UNIQUE INDEX queues_team_portal ON queues (team_id, portal_id) WHERE team_id IS NOT NULL;

CREATE TABLE notices (
	id        TEXT PRIMARY KEY,
	portal_id TEXT REFERENCES portals(id) ON DELETE CASCADE,
	message   TEXT NOT NULL,
	created   INTEGER NOT NULL,
	sent      INTEGER,
	expires   INTEGER NOT NULL
) STRICT;

CREATE TABLE canned (
	id      TEXT PRIMARY KEY,
	team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	title   TEXT NOT NULL,
	text    TEXT NOT NULL,
	created INTEGER NOT NULL
) STRICT;

CREATE INDEX canned_team ON canned (team_id);

-- The audit log keeps the admin's ID and username as they were: no
-- foreign key, so records outlive accounts.
CREATE TABLE audit (
	id       INTEGER PRIMARY KEY,
	at       INTEGER NOT NULL,
	rep_id   TEXT NOT NULL,
	username TEXT NOT NULL,
	action   TEXT NOT NULL,
	target   TEXT NOT NULL,
	detail   TEXT NOT NULL
) STRICT;

-- One row: the site-wide settings as JSON (portal.SiteSettings).
CREATE TABLE site_settings (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	settings TEXT NOT NULL
) STRICT;

-- The customer client configuration each session started with.
CREATE TABLE session_configs (
	session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
	config     TEXT NOT NULL
) STRICT;

-- The wait estimate reads a queue's most recently answered sessions.
CREATE INDEX sessions_answered ON sessions (queue_id, accepted) WHERE accepted IS NOT NULL;
