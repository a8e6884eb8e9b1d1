-- 0013: urgent categories, and supporters who leave.
--
-- A category marked urgent in the seed (a gas leak, a collapsed road) has its notices to
-- deputies and staff sent at once, even in quiet hours; the others wait for the morning.
ALTER TABLE categories ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;

-- 取消附议: the supporter row goes; /my reads a person's supported issues by person.
CREATE INDEX IF NOT EXISTS issue_supporters_person ON issue_supporters(person_id, issue_id);
