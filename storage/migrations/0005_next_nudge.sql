-- 0005: each open issue carries the time of its next deadline nudge, so the sweep reads
-- only what is due now (one indexed range query), not every issue near a deadline.
ALTER TABLE issues ADD COLUMN next_nudge_at INTEGER;

UPDATE issues SET next_nudge_at = CASE
    WHEN state = 'submitted' THEN accept_due - (accept_due - created_at) / 5
    ELSE reply_due - (reply_due - created_at) / 5
END
WHERE state IN ('submitted', 'accepted', 'transferred');

CREATE INDEX issues_next_nudge ON issues(next_nudge_at) WHERE next_nudge_at IS NOT NULL;

-- /tasks: a station's issues still waiting for a deputy, soonest accept deadline first.
CREATE INDEX issues_station_pending ON issues(station_id, accept_due) WHERE state = 'submitted';
