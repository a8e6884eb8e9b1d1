-- 0001: people, stations, categories, departments, patrol templates, issues, events, outbox.
-- Times are UTC unix seconds (INTEGER). Issue numbers are the city-wide issues.id.

CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    key           TEXT UNIQUE,                 -- seed key; NULL for residents
    name          TEXT NOT NULL DEFAULT '',
    level         TEXT,                        -- 市人大代表 / 区人大代表 …
    telegram_id   INTEGER UNIQUE,              -- NULL until known
    phone         TEXT,
    tg_language   TEXT,                        -- language_code Telegram reported
    lang          TEXT,                        -- /lang override: 'zh' | 'en'
    is_admin      INTEGER NOT NULL DEFAULT 0,  -- from the seed's admins
    started_at    INTEGER,                     -- first /start: reachable from then on
    blocked_at    INTEGER,                     -- 403 blocked: unreachable until they write again
    station_id    INTEGER REFERENCES stations(id) ON DELETE SET NULL, -- resident's current station
    created_at    INTEGER NOT NULL
);
CREATE INDEX people_phone ON people(phone) WHERE phone IS NOT NULL;
CREATE INDEX people_station ON people(station_id) WHERE station_id IS NOT NULL;

CREATE TABLE stations (
    id        INTEGER PRIMARY KEY,
    key       TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    district  TEXT NOT NULL,
    address   TEXT,
    lat       REAL,
    lon       REAL,
    active    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX stations_district ON stations(district, name);

CREATE TABLE reception_slots (
    id          INTEGER PRIMARY KEY,
    station_id  INTEGER NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start       TEXT NOT NULL,   -- HH:MM local time
    end         TEXT NOT NULL,
    UNIQUE (station_id, weekday, start)
);

CREATE TABLE memberships (
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    station_id  INTEGER NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('deputy', 'staff')),
    source      TEXT NOT NULL DEFAULT 'seed' CHECK (source IN ('seed', 'invite')),
    PRIMARY KEY (person_id, station_id, role)
);
CREATE INDEX memberships_station ON memberships(station_id, role);

CREATE TABLE categories (
    id                INTEGER PRIMARY KEY,
    key               TEXT NOT NULL UNIQUE,
    name_zh           TEXT NOT NULL,
    name_en           TEXT NOT NULL,
    accept_within     INTEGER NOT NULL,
    reply_within      INTEGER NOT NULL,
    escalate_after    INTEGER NOT NULL DEFAULT 86400,
    position          INTEGER NOT NULL DEFAULT 0,
    active            INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE departments (
    id        INTEGER PRIMARY KEY,
    key       TEXT NOT NULL UNIQUE,
    name_zh   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0,
    active    INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE patrols (
    id           INTEGER PRIMARY KEY,
    key          TEXT NOT NULL UNIQUE,
    station_id   INTEGER NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
    name_zh      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    schedule     TEXT NOT NULL,
    category_id  INTEGER REFERENCES categories(id),
    items        TEXT NOT NULL,   -- JSON [{zh, en}]
    active       INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE settings_kv (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

CREATE TABLE issues (
    id              INTEGER PRIMARY KEY,     -- the city-wide #number
    station_id      INTEGER NOT NULL REFERENCES stations(id),
    category_id     INTEGER NOT NULL REFERENCES categories(id),
    resident_id     INTEGER NOT NULL REFERENCES people(id),
    source          TEXT NOT NULL DEFAULT 'resident' CHECK (source IN ('resident', 'patrol')),
    description     TEXT NOT NULL,
    lat             REAL,
    lon             REAL,
    share_phone     INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL,
    owner_id        INTEGER REFERENCES people(id),
    department_id   INTEGER REFERENCES departments(id),
    supervised      INTEGER NOT NULL DEFAULT 0,   -- 督办 flag
    reopen_count    INTEGER NOT NULL DEFAULT 0,
    rating          TEXT CHECK (rating IN ('satisfied', 'mostly', 'unsatisfied')),
    close_reason    TEXT,                          -- 'rated' | 'unrated'
    reply_text      TEXT,
    reject_reason   TEXT,
    created_at      INTEGER NOT NULL,
    accepted_at     INTEGER,
    transferred_at  INTEGER,
    replied_at      INTEGER,
    closed_at       INTEGER,
    accept_due      INTEGER NOT NULL,
    reply_due       INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX issues_resident ON issues(resident_id, id DESC);
CREATE INDEX issues_owner_open ON issues(owner_id, reply_due) WHERE state IN ('accepted', 'transferred');
CREATE INDEX issues_station_created ON issues(station_id, created_at);
CREATE INDEX issues_station_open ON issues(station_id, category_id, created_at)
    WHERE state IN ('submitted', 'accepted', 'transferred');
CREATE INDEX issues_accept_due ON issues(accept_due) WHERE state = 'submitted';
CREATE INDEX issues_reply_due ON issues(reply_due) WHERE state IN ('accepted', 'transferred');
CREATE INDEX issues_replied ON issues(replied_at) WHERE state = 'replied';
CREATE INDEX issues_created ON issues(created_at);

CREATE TABLE issue_photos (
    issue_id   INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    file_id    TEXT NOT NULL,
    PRIMARY KEY (issue_id, position)
);

CREATE TABLE issue_supporters (   -- 附议 "me too"
    issue_id    INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (issue_id, person_id)
);

CREATE TABLE issue_declines (     -- 退回 by a deputy
    issue_id    INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    reason      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (issue_id, person_id)
);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    issue_id    INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    actor_id    INTEGER REFERENCES people(id),   -- NULL: the system
    kind        TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT,
    note        TEXT
);
CREATE INDEX events_issue ON events(issue_id, id);

-- Notifications written in the same transaction as the change they announce.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    created_at  INTEGER NOT NULL,
    not_before  INTEGER NOT NULL,             -- held until then (quiet hours)
    chat_id     INTEGER NOT NULL,
    person_id   INTEGER REFERENCES people(id),
    op          TEXT NOT NULL DEFAULT 'send' CHECK (op IN ('send', 'edit')),
    payload     TEXT NOT NULL,                -- JSON: text, buttons, photos, location
    ref         TEXT,                         -- remember the sent message under this name
    edit_ref    TEXT,                         -- op='edit': the message remembered under this name
    attempts    INTEGER NOT NULL DEFAULT 0,
    sent_at     INTEGER,
    failed      TEXT                          -- permanent failure reason (blocked, not started)
);
CREATE INDEX outbox_pending ON outbox(id) WHERE sent_at IS NULL AND failed IS NULL;

CREATE TABLE message_refs (       -- which chat message carries a notice, so it can be edited later
    ref         TEXT NOT NULL,
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    PRIMARY KEY (ref, chat_id)
);

-- A resident's /report in progress: survives restarts.
CREATE TABLE drafts (
    person_id    INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    station_id   INTEGER REFERENCES stations(id),
    category_id  INTEGER REFERENCES categories(id),
    description  TEXT,
    photos       TEXT NOT NULL DEFAULT '[]',
    lat          REAL,
    lon          REAL,
    updated_at   INTEGER NOT NULL
);

-- Pending multi-step inputs outside /report (a reason, an answer, a note) by person.
CREATE TABLE prompts (
    person_id   INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    issue_id    INTEGER REFERENCES issues(id) ON DELETE CASCADE,
    data        TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
);

-- python-telegram-bot ConversationHandler states (our SQLite persistence).
CREATE TABLE conversations (
    name    TEXT NOT NULL,
    key     TEXT NOT NULL,
    state   TEXT NOT NULL,
    PRIMARY KEY (name, key)
);
