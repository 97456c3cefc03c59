-- Rooms, chat, presence and the interaction log of a coworking space.
-- Times are Unix seconds (UTC).

CREATE TABLE space_settings (
    space_id INTEGER PRIMARY KEY REFERENCES spaces (id),
    students_create_rooms INTEGER NOT NULL DEFAULT 1,
    edit_window_secs INTEGER NOT NULL DEFAULT 900
);

CREATE TABLE rooms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    kind TEXT NOT NULL CHECK (kind IN ('open', 'team', 'quiet', 'discussion')),
    -- 'open' or 'quiet' for the two rooms every space has; NULL for the others.
    default_key TEXT,
    name TEXT NOT NULL,
    topic TEXT,
    -- Discussion positions, one per line (for example "For" and "Against").
    positions TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    archived_at INTEGER,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    -- Last change number in this room; every message change takes the next one.
    last_rev INTEGER NOT NULL DEFAULT 0,
    UNIQUE (space_id, default_key)
);
CREATE INDEX rooms_by_space ON rooms (space_id, position, id);

CREATE TABLE room_members (
    room_id INTEGER NOT NULL REFERENCES rooms (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    room_id INTEGER NOT NULL REFERENCES rooms (id),
    -- Position in the room, fixed when the message is posted.
    seq INTEGER NOT NULL,
    -- Change number of the latest post, edit, deletion, moderation or reaction.
    rev INTEGER NOT NULL,
    author_id INTEGER NOT NULL REFERENCES users (id),
    parent_id INTEGER REFERENCES messages (id),
    stance TEXT,
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    edited_at INTEGER,
    deleted_at INTEGER,
    hidden_at INTEGER,
    pinned_at INTEGER,
    UNIQUE (room_id, seq)
);
CREATE INDEX messages_by_rev ON messages (room_id, rev);
CREATE INDEX messages_by_parent ON messages (parent_id);

CREATE TABLE message_mentions (
    message_id INTEGER NOT NULL REFERENCES messages (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (message_id, user_id)
);

CREATE TABLE message_reactions (
    message_id INTEGER NOT NULL REFERENCES messages (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    emoji TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);

CREATE TABLE mutes (
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    muted_until INTEGER NOT NULL,
    muted_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (space_id, user_id)
);

CREATE TABLE presence (
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    room_id INTEGER REFERENCES rooms (id),
    status TEXT NOT NULL DEFAULT 'available',
    last_seen_at INTEGER NOT NULL,
    PRIMARY KEY (space_id, user_id)
);

CREATE TABLE room_visits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    room_id INTEGER NOT NULL REFERENCES rooms (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    entered_at INTEGER NOT NULL,
    left_at INTEGER
);
CREATE INDEX room_visits_by_space ON room_visits (space_id, entered_at);
CREATE INDEX room_visits_by_user ON room_visits (space_id, user_id, entered_at);

-- One row per contribution or interaction between two people, for the analytics.
CREATE TABLE interactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    actor_id INTEGER NOT NULL REFERENCES users (id),
    target_id INTEGER REFERENCES users (id),
    room_id INTEGER REFERENCES rooms (id),
    kind TEXT NOT NULL,
    subject_id INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX interactions_by_space ON interactions (space_id, created_at);
CREATE INDEX interactions_by_actor ON interactions (space_id, actor_id, created_at);
CREATE INDEX interactions_by_target ON interactions (space_id, target_id, created_at);

-- Every moderation and configuration action of a teacher.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    actor_id INTEGER NOT NULL REFERENCES users (id),
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX audit_log_by_space ON audit_log (space_id, created_at);
