-- 0014: who got each reception day's notice to residents.
--
-- The residents' notice of a slot date is settled once (reception_notices, 3 days before).
-- A resident who opts in after that, while the slot is still ahead, gets it then; one row
-- per resident and slot date keeps it to one copy each: opting out and in again sends
-- nothing more, and the settled notice leaves out whoever already has it.
CREATE TABLE reception_notice_people (
    station_id  INTEGER NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
    slot_date   TEXT NOT NULL,                    -- local date YYYY-MM-DD
    start       TEXT NOT NULL,                    -- HH:MM local
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    sent_at     INTEGER NOT NULL,                 -- when it went, or goes (after quiet hours)
    PRIMARY KEY (station_id, slot_date, start, person_id)
);
