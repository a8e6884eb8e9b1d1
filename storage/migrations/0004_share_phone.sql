-- 0004 (issue 6): a resident may attach their phone number to the issue being reported.
ALTER TABLE drafts ADD COLUMN share_phone INTEGER NOT NULL DEFAULT 0;
