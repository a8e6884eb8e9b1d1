-- 0007: more than one chat platform. A person may be reached on Telegram and on WeCom
-- (企业微信); notices go to one of them: the one they chose (/channel), else the one they
-- last wrote from. Platform messages arrive through a durable inbox before they are handled.

ALTER TABLE people ADD COLUMN wecom_userid TEXT;      -- WeCom member id (seed or invite)
ALTER TABLE people ADD COLUMN wecom_gone_at INTEGER;  -- WeCom said the member is not there
ALTER TABLE people ADD COLUMN last_channel TEXT;      -- platform they last wrote from
ALTER TABLE people ADD COLUMN channel_pref TEXT;      -- platform they chose with /channel
CREATE UNIQUE INDEX people_wecom ON people(wecom_userid) WHERE wecom_userid IS NOT NULL;

-- Outbox rows name their platform; chat_id is the Telegram chat, or the person's id on
-- platforms that address people by a string (the adapter looks the string up).
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'telegram';

CREATE TABLE message_refs_v2 (
    ref         TEXT NOT NULL,
    channel     TEXT NOT NULL DEFAULT 'telegram',
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    PRIMARY KEY (ref, channel, chat_id)
);
INSERT INTO message_refs_v2 (ref, chat_id, message_id) SELECT ref, chat_id, message_id
    FROM message_refs;
DROP TABLE message_refs;
ALTER TABLE message_refs_v2 RENAME TO message_refs;

-- Update numbers are only comparable within one platform.
ALTER TABLE pending ADD COLUMN seq_channel TEXT NOT NULL DEFAULT 'telegram';

-- What a platform delivered by callback, recorded before it is acknowledged: nothing is
-- lost to a crash, a platform's retry of the same message is recognised by its key, and
-- the row id orders one person's inputs (it is the update number on that platform).
CREATE TABLE platform_inbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    channel      TEXT NOT NULL,
    key          TEXT NOT NULL,
    address      TEXT NOT NULL,
    payload      TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    done_at      INTEGER,
    UNIQUE (channel, key)
);
CREATE INDEX platform_inbox_open ON platform_inbox(id) WHERE done_at IS NULL;

-- Interactive messages a platform lets us change later (a WeCom card: its task id and the
-- single-use code that allows one update).
CREATE TABLE platform_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    channel     TEXT NOT NULL,
    address     TEXT NOT NULL,
    handle      TEXT NOT NULL,
    code        TEXT,
    code_at     INTEGER,
    sent_at     INTEGER NOT NULL,
    UNIQUE (channel, handle)
);

-- Numbered options a person answers by typing the number (more buttons than a card holds).
CREATE TABLE platform_choices (
    channel     TEXT NOT NULL,
    address     TEXT NOT NULL,
    options     TEXT NOT NULL,  -- JSON list of callback data, option 1 first
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (channel, address)
);
