-- 0002: the scheduler: deadline nudges (each sent once), 走街串巷 patrol runs and their
-- marks, reception-day opt-ins and the reminders sent for each slot date.

-- One row per nudge ever queued: the UNIQUE key makes each one happen once, across
-- restarts and late sweeps. Written in the same transaction as its outbox rows.
CREATE TABLE nudges (
    id          INTEGER PRIMARY KEY,
    issue_id    INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,               -- accept_remind, accept_overdue, accept_escalate, reply_*
    cycle       INTEGER NOT NULL DEFAULT 0,  -- reply nudges: the issue's reopen_count
    at          INTEGER NOT NULL,
    recipients  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (issue_id, kind, cycle)
);

-- When the schedule last ran a patrol (NULL: not seen yet; set when first seen).
ALTER TABLE patrols ADD COLUMN last_run_at INTEGER;

-- One deputy's checklist of one patrol run.
CREATE TABLE patrol_runs (
    id           INTEGER PRIMARY KEY,
    patrol_id    INTEGER NOT NULL REFERENCES patrols(id) ON DELETE CASCADE,
    deputy_id    INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    started_at   INTEGER NOT NULL,
    started_by   INTEGER REFERENCES people(id),   -- staff who started it; NULL: the schedule
    finished_at  INTEGER,
    reminded_at  INTEGER
);
CREATE INDEX patrol_runs_unfinished ON patrol_runs(started_at)
    WHERE finished_at IS NULL AND reminded_at IS NULL;

CREATE TABLE patrol_marks (
    run_id    INTEGER NOT NULL REFERENCES patrol_runs(id) ON DELETE CASCADE,
    item      INTEGER NOT NULL,                   -- index into patrols.items
    mark      TEXT NOT NULL CHECK (mark IN ('ok', 'problem')),
    issue_id  INTEGER REFERENCES issues(id),
    at        INTEGER NOT NULL,
    PRIMARY KEY (run_id, item)
);

-- Residents who want the reception-day notice of a station.
CREATE TABLE reception_optins (
    station_id  INTEGER NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (station_id, person_id)
);

-- Reception reminders sent, once per slot date and audience.
CREATE TABLE reception_notices (
    station_id  INTEGER NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
    slot_date   TEXT NOT NULL,                    -- local date YYYY-MM-DD
    start       TEXT NOT NULL,                    -- HH:MM local
    audience    TEXT NOT NULL CHECK (audience IN ('deputies', 'residents')),
    at          INTEGER NOT NULL,
    recipients  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (station_id, slot_date, start, audience)
);
