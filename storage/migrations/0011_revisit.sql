-- 0011: 回访 and 重办 (follow-up after an answer).
--
-- The latest answer to 问题解决了吗 lives on the issue: who gave it (the resident, or staff
-- recording a phone 回访 on their behalf) and when. A re-handling (重办) is the issue back in
-- `accepted` with reopen_count + 1, so these columns hold the newest cycle's answer.
ALTER TABLE issues ADD COLUMN resolution TEXT
    CHECK (resolution IN ('resolved', 'partly', 'unresolved'));
ALTER TABLE issues ADD COLUMN revisit_by TEXT CHECK (revisit_by IN ('resident', 'phone'));
ALTER TABLE issues ADD COLUMN revisited_at INTEGER;

-- 问题有没有反复: asked once, 14 days after an issue closed as resolved (the question itself
-- is also a `nudges` row, kind 'recheck', cycle = reopen_count), then the resident's answer.
ALTER TABLE issues ADD COLUMN recheck TEXT CHECK (recheck IN ('asked', 'holds', 'recurred'));

-- The sweep's two new questions read only what may be due: resolved issues not yet re-checked,
-- and issues closed without a rating (for the staff's phone 回访 list).
CREATE INDEX issues_recheck_due ON issues(closed_at)
    WHERE state = 'closed' AND resolution = 'resolved' AND recheck IS NULL;
CREATE INDEX issues_unrated ON issues(closed_at)
    WHERE state = 'closed' AND close_reason = 'unrated';
