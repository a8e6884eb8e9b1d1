-- 0003: staff and admin tools: broadcasts (persistent send queue), muted station notices,
-- one-time invite links.

-- A notice from staff or an admin. Composed in chat (state composing → preview), then
-- 'sending' with one broadcast_recipients row per recipient written in the same transaction.
CREATE TABLE broadcasts (
    id            INTEGER PRIMARY KEY,
    author_id     INTEGER NOT NULL REFERENCES people(id),
    audience      TEXT NOT NULL CHECK (audience IN ('station', 'district', 'all', 'deputies')),
    station_id    INTEGER REFERENCES stations(id),   -- audience station / deputies
    district      TEXT,                              -- audience district
    body          TEXT,                              -- what the author typed (plain text)
    photo         TEXT,                              -- one photo file_id (body is its caption)
    state         TEXT NOT NULL CHECK (state IN ('composing', 'preview', 'sending', 'done', 'cancelled')),
    chat_id       INTEGER NOT NULL,                  -- the author's chat: preview and progress
    control_id    INTEGER,                           -- the message edited with the progress
    created_at    INTEGER NOT NULL,
    started_at    INTEGER,
    finished_at   INTEGER
);
CREATE INDEX broadcasts_state ON broadcasts(state, id);

CREATE TABLE broadcast_recipients (
    id            INTEGER PRIMARY KEY,
    broadcast_id  INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    person_id     INTEGER NOT NULL REFERENCES people(id),
    chat_id       INTEGER NOT NULL,
    lang          TEXT NOT NULL,
    station_id    INTEGER REFERENCES stations(id),   -- the station whose notices a mute stops
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'blocked', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       INTEGER NOT NULL DEFAULT 0,
    done_at       INTEGER,
    error         TEXT,
    UNIQUE (broadcast_id, person_id)
);
CREATE INDEX broadcast_recipients_pending ON broadcast_recipients(broadcast_id, next_at, id)
    WHERE status = 'pending';

-- Residents who do not want a station's notices any more.
CREATE TABLE notice_mutes (
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    station_id  INTEGER NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (person_id, station_id)
);

-- One-time deep links (/start inv_<token>) that bind a Telegram account to a seeded person.
CREATE TABLE invites (
    token        TEXT PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    station_id   INTEGER NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('deputy', 'staff')),
    created_by   INTEGER REFERENCES people(id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER,
    used_by      INTEGER                            -- the Telegram user id that redeemed it
);
