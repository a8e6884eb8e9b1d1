-- 0009: 承办单位 in the loop and working-day deadlines.
--
-- A duration given in working days ("3wd") keeps its count in *_workdays; the seconds column
-- then holds the same count of calendar days (a rough figure for display and escalation).
ALTER TABLE categories ADD COLUMN accept_workdays INTEGER;
ALTER TABLE categories ADD COLUMN reply_workdays INTEGER;

-- A unit's own deadlines: to sign for a transferred issue, and to answer it (defaults 1wd, 10wd).
ALTER TABLE departments ADD COLUMN sign_within INTEGER NOT NULL DEFAULT 86400;
ALTER TABLE departments ADD COLUMN sign_workdays INTEGER DEFAULT 1;
ALTER TABLE departments ADD COLUMN answer_within INTEGER NOT NULL DEFAULT 864000;
ALTER TABLE departments ADD COLUMN answer_workdays INTEGER DEFAULT 10;

-- The seed's corrections to the holiday calendar: a date that is a holiday (0) or a
-- working day (1) whatever the calendar package says (or for a year it does not know yet).
CREATE TABLE calendar_days (
    day      TEXT PRIMARY KEY,          -- YYYY-MM-DD
    workday  INTEGER NOT NULL CHECK (workday IN (0, 1))
);

-- The people who act for a department in the bot (联络员).
CREATE TABLE department_liaisons (
    department_id  INTEGER NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
    person_id      INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    source         TEXT NOT NULL DEFAULT 'seed' CHECK (source IN ('seed', 'invite')),
    PRIMARY KEY (department_id, person_id)
);
CREATE INDEX department_liaisons_person ON department_liaisons(person_id);

-- One row per 转办 to a unit with liaisons: what the unit did with it and its deadlines.
-- `ended_at` is set when it is returned, answered and forwarded, superseded by another
-- transfer, or the issue finishes; an open handover is the unit's task.
CREATE TABLE handovers (
    id             INTEGER PRIMARY KEY,
    issue_id       INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    department_id  INTEGER NOT NULL REFERENCES departments(id),
    deputy_id      INTEGER REFERENCES people(id),
    state          TEXT NOT NULL CHECK (state IN ('sent', 'signed', 'returned', 'answered')),
    sent_at        INTEGER NOT NULL,
    sign_due       INTEGER NOT NULL,
    answer_due     INTEGER NOT NULL,
    liaison_id     INTEGER REFERENCES people(id),   -- who signed for it
    signed_at      INTEGER,
    returned_at    INTEGER,
    return_reason  TEXT,                            -- not_ours | wrong_unit | duplicate | more_facts
    return_note    TEXT,
    answered_at    INTEGER,
    answer_text    TEXT,
    answer_photos  TEXT NOT NULL DEFAULT '[]',      -- JSON list of photo references
    extensions     INTEGER NOT NULL DEFAULT 0,      -- approved extensions
    next_nudge_at  INTEGER,
    ended_at       INTEGER
);
CREATE INDEX handovers_issue ON handovers(issue_id, id DESC);
CREATE INDEX handovers_open ON handovers(department_id, answer_due) WHERE ended_at IS NULL;
CREATE INDEX handovers_nudge ON handovers(next_nudge_at) WHERE next_nudge_at IS NOT NULL;

-- 申请延期: a unit asks for a later answer deadline; station staff approve or refuse.
CREATE TABLE extension_requests (
    id           INTEGER PRIMARY KEY,
    handover_id  INTEGER NOT NULL REFERENCES handovers(id) ON DELETE CASCADE,
    asked_by     INTEGER NOT NULL REFERENCES people(id),
    asked_at     INTEGER NOT NULL,
    new_due      INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'asked' CHECK (state IN ('asked', 'approved', 'refused')),
    decided_by   INTEGER REFERENCES people(id),
    decided_at   INTEGER
);
CREATE UNIQUE INDEX extension_asked ON extension_requests(handover_id) WHERE state = 'asked';
