-- 0016: finding a queued message by its ref without reading the whole outbox.
--
-- Settling an offer (the new-issue card, its reminder) and an edit of a message still held
-- look for unsent rows under a ref; sent rows stay in the table for good.
CREATE INDEX outbox_unsent_ref ON outbox(ref, chat_id) WHERE op = 'send'
    AND sent_at IS NULL AND failed IS NULL;
