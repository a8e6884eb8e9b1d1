-- 0008: residents on a WeChat service account (微信服务号). A follower is known by their
-- openid; the platform lets the bot write to them only inside a window opened by what they
-- send (48 h after a message, a minute after a menu tap or a scan), and only a few
-- messages per window. Notices that find the window closed wait (held) until they write.

ALTER TABLE people ADD COLUMN wechat_openid TEXT;     -- service-account follower id
ALTER TABLE people ADD COLUMN wechat_gone_at INTEGER; -- unfollowed (nothing reaches them)
CREATE UNIQUE INDEX people_wechat ON people(wechat_openid) WHERE wechat_openid IS NOT NULL;

-- A held outbox row is not due: it waits for the person to open a window again.
ALTER TABLE outbox ADD COLUMN held_at INTEGER;
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox(id) WHERE sent_at IS NULL AND failed IS NULL
    AND held_at IS NULL;
CREATE INDEX outbox_held ON outbox(channel, chat_id) WHERE held_at IS NOT NULL
    AND sent_at IS NULL AND failed IS NULL;

-- Each follower's reply windows: until when each is open and how many sends it has left.
CREATE TABLE platform_windows (
    channel        TEXT NOT NULL,
    address        TEXT NOT NULL,
    message_until  INTEGER NOT NULL DEFAULT 0,
    message_left   INTEGER NOT NULL DEFAULT 0,
    event_until    INTEGER NOT NULL DEFAULT 0,
    event_left     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel, address)
);

-- Photos received on a platform whose own references expire (WeChat media: 3 days): the
-- bytes are kept so every platform can show them later ("db:<id>" in an issue's photos).
CREATE TABLE photos (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    channel     TEXT NOT NULL,
    data        BLOB NOT NULL,
    created_at  INTEGER NOT NULL
);
