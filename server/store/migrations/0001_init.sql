-- 0001: the first schema. Times are INTEGER nanoseconds since the Unix
-- epoch (UTC); NULL stands for the zero time. Enums are stored as text.

CREATE TABLE reps (
	id            TEXT PRIMARY KEY,
	username      TEXT NOT NULL,
	-- username_fold is the lower-cased username: the unique lookup key.
	username_fold TEXT NOT NULL UNIQUE,
	display_name  TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	created       INTEGER NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE rep_roles (
	rep_id TEXT NOT NULL REFERENCES reps(id) ON DELETE CASCADE,
	pos    INTEGER NOT NULL,
	role   TEXT NOT NULL,
	PRIMARY KEY (rep_id, role)
) STRICT;

CREATE TABLE portals (
	id      TEXT PRIMARY KEY,
	slug    TEXT NOT NULL UNIQUE,
	name    TEXT NOT NULL,
	created INTEGER NOT NULL
) STRICT;

CREATE TABLE queues (
	id        TEXT PRIMARY KEY,
	kind      TEXT NOT NULL,
	name      TEXT NOT NULL,
	rep_id    TEXT REFERENCES reps(id) ON DELETE CASCADE,
	portal_id TEXT REFERENCES portals(id)
) STRICT;

-- One personal queue per rep.
CREATE UNIQUE INDEX queues_personal ON queues (rep_id) WHERE kind = 'personal';

-- queue_members says which reps serve a team queue.
CREATE TABLE queue_members (
	queue_id TEXT NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
	rep_id   TEXT NOT NULL REFERENCES reps(id) ON DELETE CASCADE,
	PRIMARY KEY (queue_id, rep_id)
) STRICT;

CREATE INDEX queue_members_rep ON queue_members (rep_id);

CREATE TABLE sessions (
	id            TEXT PRIMARY KEY,
	state         TEXT NOT NULL CHECK (state IN ('waiting', 'active', 'ended')),
	queue_id      TEXT REFERENCES queues(id),
	portal_id     TEXT REFERENCES portals(id),
	customer_name TEXT NOT NULL,
	question      TEXT NOT NULL,
	-- key_code is not a foreign key: spent keys are deleted once expired,
	-- the session's record of the code stays.
	key_code      TEXT NOT NULL,
	rep_id        TEXT REFERENCES reps(id),
	created       INTEGER NOT NULL,
	accepted      INTEGER,
	ended         INTEGER,
	end_reason    TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_waiting ON sessions (queue_id, created) WHERE state = 'waiting';

CREATE TABLE participants (
	session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	id         TEXT NOT NULL,
	role       TEXT NOT NULL,
	name       TEXT NOT NULL,
	rep_id     TEXT REFERENCES reps(id),
	joined     INTEGER NOT NULL,
	left_at    INTEGER,
	PRIMARY KEY (session_id, id)
) STRICT;

CREATE TABLE events (
	session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	kind       TEXT NOT NULL,
	from_id    TEXT NOT NULL,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL,
	text       TEXT NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (session_id, seq)
) STRICT;

CREATE TABLE tokens (
	hash           TEXT PRIMARY KEY,
	kind           TEXT NOT NULL,
	rep_id         TEXT REFERENCES reps(id) ON DELETE CASCADE,
	session_id     TEXT REFERENCES sessions(id) ON DELETE CASCADE,
	participant_id TEXT,
	created        INTEGER NOT NULL,
	expires        INTEGER NOT NULL,
	FOREIGN KEY (session_id, participant_id) REFERENCES participants (session_id, id) ON DELETE CASCADE
) STRICT;

CREATE INDEX tokens_session ON tokens (session_id);
CREATE INDEX tokens_expires ON tokens (expires);

CREATE TABLE keys (
	code      TEXT PRIMARY KEY,
	rep_id    TEXT NOT NULL REFERENCES reps(id) ON DELETE CASCADE,
	portal_id TEXT REFERENCES portals(id),
	created   INTEGER NOT NULL,
	expires   INTEGER NOT NULL,
	used      INTEGER
) STRICT;

CREATE INDEX keys_expires ON keys (expires);
