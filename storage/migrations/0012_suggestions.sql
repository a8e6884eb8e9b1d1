-- 0012: 代表建议, a deputy's formal suggestion built from residents' issues.
--
-- A suggestion is drafted by its lead deputy (领衔代表), co-signed by other deputies (联名),
-- submitted to the people's congress office (the admins), which returns it for revision or
-- hands it over (交办) to one lead unit (主办) and optional co-units (协办). The lead unit
-- answers with a grade; every signer rates the answer, and 不满意 in the first round
-- re-opens it for a second one (重办, `round` 2).
CREATE TABLE suggestions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id          INTEGER NOT NULL REFERENCES people(id),
    station_id       INTEGER REFERENCES stations(id) ON DELETE SET NULL,
    category_id      INTEGER REFERENCES categories(id) ON DELETE SET NULL,
    state            TEXT NOT NULL DEFAULT 'draft' CHECK (state IN
        ('draft', 'submitted', 'returned', 'accepted', 'handling', 'answered', 'closed')),
    title            TEXT NOT NULL,
    reasons          TEXT NOT NULL,
    proposal         TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    submitted_at     INTEGER,
    return_reason    TEXT,
    handed_over_at   INTEGER,
    -- the lead unit's answer deadline in the current round (3 months, 6 when extended,
    -- 1 month in a re-handling)
    due_at           INTEGER,
    extension_asked  TEXT,      -- a unit's pending request for 6 months: its reason
    extension_reason TEXT,      -- the approved one
    round            INTEGER NOT NULL DEFAULT 1,
    answered_at      INTEGER,
    grade            TEXT CHECK (grade IN ('A', 'B', 'C', 'D')),
    answer           TEXT,
    closed_at        INTEGER
);
CREATE INDEX suggestions_state ON suggestions(state);
CREATE INDEX suggestions_lead ON suggestions(lead_id);

CREATE TABLE suggestion_issues (
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
    issue_id      INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    PRIMARY KEY (suggestion_id, issue_id)
);
CREATE INDEX suggestion_issues_issue ON suggestion_issues(issue_id);

-- the lead deputy and the deputies invited to co-sign (joined_at: they did)
CREATE TABLE suggestion_signers (
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
    person_id     INTEGER NOT NULL REFERENCES people(id),
    lead          INTEGER NOT NULL DEFAULT 0,
    invited_at    INTEGER NOT NULL,
    joined_at     INTEGER,
    rating        TEXT CHECK (rating IN ('satisfied', 'mostly', 'unsatisfied')),
    rated_round   INTEGER,
    rated_at      INTEGER,
    PRIMARY KEY (suggestion_id, person_id)
);
CREATE INDEX suggestion_signers_person ON suggestion_signers(person_id);

-- the units a suggestion is handed to, one row per unit and round; due_at is set by 交办
CREATE TABLE suggestion_units (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    lead          INTEGER NOT NULL DEFAULT 0,
    round         INTEGER NOT NULL DEFAULT 1,
    due_at        INTEGER,
    answered_at   INTEGER,
    answer        TEXT,
    grade         TEXT CHECK (grade IN ('A', 'B', 'C', 'D')),
    answered_by   INTEGER REFERENCES people(id) ON DELETE SET NULL,
    next_nudge_at INTEGER,
    UNIQUE (suggestion_id, department_id, round)
);
CREATE INDEX suggestion_units_nudge ON suggestion_units(next_nudge_at)
    WHERE next_nudge_at IS NOT NULL;
CREATE INDEX suggestion_units_department ON suggestion_units(department_id);

CREATE TABLE suggestion_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
    at            INTEGER NOT NULL,
    person_id     INTEGER REFERENCES people(id) ON DELETE SET NULL,
    kind          TEXT NOT NULL,
    note          TEXT
);
CREATE INDEX suggestion_events_of ON suggestion_events(suggestion_id);
