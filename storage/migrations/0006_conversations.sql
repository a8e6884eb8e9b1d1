-- One conversation engine: for each person at most one record of what the bot waits for.
-- The old mechanisms (python-telegram-bot conversation states, the prompts table) go.
DROP TABLE conversations;
DROP TABLE prompts;

-- kind 'idle' means nothing is awaited; the row still remembers the newest update applied,
-- so an update redelivered after a crash is recognised and not applied twice.
CREATE TABLE pending (
    person_id   INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    step        TEXT NOT NULL DEFAULT '',
    issue_id    INTEGER REFERENCES issues(id) ON DELETE SET NULL,
    ref         INTEGER,
    data        TEXT NOT NULL DEFAULT '{}',
    version     INTEGER NOT NULL DEFAULT 1,
    last_seq    INTEGER,
    seq_at      INTEGER,
    updated_at  INTEGER NOT NULL
);

-- Drafts get their own id, so a button names the draft it acts on, and a finished draft
-- remembers what became of it (submitted as an issue, 附议, cancelled, replaced).
CREATE TABLE drafts_v2 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id    INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    status       TEXT NOT NULL DEFAULT 'open',
    issue_id     INTEGER REFERENCES issues(id) ON DELETE SET NULL,
    station_id   INTEGER REFERENCES stations(id),
    category_id  INTEGER REFERENCES categories(id),
    description  TEXT,
    photos       TEXT NOT NULL DEFAULT '[]',
    lat          REAL,
    lon          REAL,
    share_phone  INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL
);
INSERT INTO drafts_v2 (person_id, station_id, category_id, description, photos, lat, lon,
    share_phone, updated_at)
    SELECT person_id, station_id, category_id, description, photos, lat, lon, share_phone,
    updated_at FROM drafts;
DROP TABLE drafts;
ALTER TABLE drafts_v2 RENAME TO drafts;
CREATE UNIQUE INDEX drafts_open ON drafts (person_id) WHERE status = 'open';
CREATE INDEX drafts_finished ON drafts (updated_at) WHERE status <> 'open';
