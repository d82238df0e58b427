-- 0003: what the customer's client reports. The answer to the recording
-- prompt, one row per session once answered ('allowed' or 'refused'); the
-- ratings of the exit survey and of the session's reps, one per rater
-- ('customer' or the rep's ID), score 0 meaning the customer declined.

CREATE TABLE session_recording (
	session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
	consent    TEXT NOT NULL CHECK (consent IN ('allowed', 'refused')),
	at         INTEGER NOT NULL
) STRICT;

CREATE TABLE ratings (
	session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	rater      TEXT NOT NULL,
	role       TEXT NOT NULL,
	rep_id     TEXT,
	score      INTEGER NOT NULL CHECK (score BETWEEN 0 AND 5),
	comment    TEXT NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (session_id, rater)
) STRICT;
