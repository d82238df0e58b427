-- 0006: external specialists. A rep of an active session invites one with
-- a single-use code; the specialist joins as a participant, view only or
-- with the right to ask the customer for control.

ALTER TABLE participants ADD COLUMN view_only INTEGER NOT NULL DEFAULT 0 CHECK (view_only IN (0, 1));

CREATE TABLE specialist_invitations (
	code       TEXT PRIMARY KEY,
	session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	-- invited_by is the inviting rep's participant ID.
	invited_by TEXT NOT NULL,
	rights     TEXT NOT NULL CHECK (rights IN ('view', 'control')),
	created    INTEGER NOT NULL,
	expires    INTEGER NOT NULL,
	-- used_by is the specialist's participant ID once the code is spent.
	used_by    TEXT,
	cancelled  INTEGER
) STRICT;

CREATE INDEX specialist_invitations_session ON specialist_invitations (session_id, created);
