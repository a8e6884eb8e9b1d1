-- 0010: invites for department liaisons (联络员), who belong to no station.
--
-- SQLite cannot relax a NOT NULL or a CHECK in place: the table is copied. An invite names
-- either a station and a role there (deputy, staff) or a department (role liaison).
CREATE TABLE invites_new (
    token          TEXT PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    station_id     INTEGER REFERENCES stations(id) ON DELETE CASCADE,
    department_id  INTEGER REFERENCES departments(id) ON DELETE CASCADE,
    role           TEXT NOT NULL CHECK (role IN ('deputy', 'staff', 'liaison')),
    created_by     INTEGER REFERENCES people(id),
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER,
    used_by        INTEGER,                         -- the Telegram user id that redeemed it
    CHECK (CASE WHEN role = 'liaison' THEN station_id IS NULL AND department_id IS NOT NULL
                ELSE station_id IS NOT NULL AND department_id IS NULL END)
);
INSERT INTO invites_new (token, person_id, station_id, role, created_by, created_at,
                         expires_at, used_at, used_by)
    SELECT token, person_id, station_id, role, created_by, created_at, expires_at, used_at,
           used_by
    FROM invites;
DROP TABLE invites;
ALTER TABLE invites_new RENAME TO invites;
