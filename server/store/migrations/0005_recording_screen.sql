-- 0005: a recording is of the customer's screen (as the rep received it)
-- or of the rep's own screen shown to the customer (as the rep sent it).

ALTER TABLE recordings ADD COLUMN screen TEXT NOT NULL DEFAULT 'customer' CHECK (screen IN ('customer', 'rep'));
