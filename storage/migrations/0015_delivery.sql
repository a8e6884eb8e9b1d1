-- 0015: delivery that neither drops nor multiplies a message (bot/retrying.py,
-- docs/RELIABILITY.md).
--
-- An outbox row remembers how far its delivery got: a message of several parts (photos,
-- the card, a location) resumes after the parts the platform confirmed (parts_sent), and
-- keeps the handle of its card once that went out. A timeout (the platform may have
-- delivered) is counted per part (uncertain): after two, the part counts as delivered
-- without a confirmation (unconfirmed_at, with sent_at). A row that failed for good says
-- when, and the station whose staff were told (its /stats count it).
ALTER TABLE outbox ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN handle INTEGER;
ALTER TABLE outbox ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN unconfirmed_at INTEGER;
ALTER TABLE outbox ADD COLUMN failed_at INTEGER;
ALTER TABLE outbox ADD COLUMN station_id INTEGER REFERENCES stations(id) ON DELETE SET NULL;
CREATE INDEX outbox_failed ON outbox(failed_at) WHERE failed IS NOT NULL;
CREATE INDEX outbox_unconfirmed ON outbox(unconfirmed_at) WHERE unconfirmed_at IS NOT NULL;

-- A broadcast notice to one person: its timeouts (sent at most twice; then it counts as
-- sent, with error 'unconfirmed').
ALTER TABLE broadcast_recipients ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0;
