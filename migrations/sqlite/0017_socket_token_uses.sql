-- A WebSocket connection token opens one connection: its id is recorded when it is
-- used, and kept until the token expires so a second use is found.
CREATE TABLE socket_token_uses (
    token_id TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);

CREATE INDEX socket_token_uses_expiry ON socket_token_uses (expires_at);
