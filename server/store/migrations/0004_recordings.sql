-- 0004: recordings of the customer's screen, uploaded by the rep's console
-- at a session's end (the server never sees the picture: media goes peer
-- to peer). The IVF file lives in <data dir>/recordings/<id>.ivf; this row
-- says whose it is and what it holds.

CREATE TABLE recordings (
	id         TEXT PRIMARY KEY,
	session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	rep_id     TEXT NOT NULL REFERENCES reps(id),
	codec      TEXT NOT NULL CHECK (codec IN ('VP8', 'VP9')),
	width      INTEGER NOT NULL CHECK (width >= 0),
	height     INTEGER NOT NULL CHECK (height >= 0),
	size       INTEGER NOT NULL CHECK (size > 0),
	frames     INTEGER NOT NULL CHECK (frames > 0),
	created    INTEGER NOT NULL
) STRICT;

CREATE INDEX recordings_session ON recordings (session_id, created);
