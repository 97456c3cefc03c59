-- The showcase of work products and the focus sessions of the quiet zone.
-- Times are Unix seconds (UTC).

-- One published work product. It has either a link or a file, never both.
CREATE TABLE showcase_items (
    id BIGSERIAL PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES spaces (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    -- Markdown as written, and the sanitized HTML rendered from it.
    description TEXT NOT NULL,
    description_html TEXT NOT NULL,
    link_url TEXT,
    -- The uploaded file's name as the author's browser sent it, cleaned of any path.
    file_name TEXT,
    -- Content type detected from the file's first bytes, never the one the browser sent.
    file_type TEXT,
    file_size BIGINT,
    -- 'database' (bytes in showcase_files) or 'directory' (bytes in upload_dir).
    file_storage TEXT CHECK (file_storage IN ('database', 'directory')),
    -- Server-generated file name under upload_dir, for 'directory' storage.
    file_key TEXT,
    featured_at BIGINT,
    removed_at BIGINT,
    created_at BIGINT NOT NULL,
    CHECK ((link_url IS NULL) <> (file_name IS NULL))
);
CREATE INDEX showcase_items_by_space ON showcase_items (space_id, created_at);

-- File contents, apart from the metadata so that listings never read them.
CREATE TABLE showcase_files (
    item_id BIGINT PRIMARY KEY REFERENCES showcase_items (id),
    bytes BYTEA NOT NULL
);

CREATE TABLE showcase_comments (
    id BIGSERIAL PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES spaces (id),
    item_id BIGINT NOT NULL REFERENCES showcase_items (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX showcase_comments_by_item ON showcase_comments (item_id, created_at);

CREATE TABLE showcase_reactions (
    item_id BIGINT NOT NULL REFERENCES showcase_items (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    emoji TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (item_id, user_id, emoji)
);

-- Structured peer feedback: one row per giver and item, updated when edited.
CREATE TABLE showcase_feedback (
    id BIGSERIAL PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES spaces (id),
    item_id BIGINT NOT NULL REFERENCES showcase_items (id),
    giver_id BIGINT NOT NULL REFERENCES users (id),
    clarity BIGINT NOT NULL CHECK (clarity BETWEEN 1 AND 5),
    originality BIGINT NOT NULL CHECK (originality BETWEEN 1 AND 5),
    usefulness BIGINT NOT NULL CHECK (usefulness BETWEEN 1 AND 5),
    works TEXT NOT NULL,
    improve TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (item_id, giver_id)
);

-- A timed co-working session with a stated goal. finished_at stays NULL until the
-- participant checks in or abandons it.
CREATE TABLE focus_sessions (
    id BIGSERIAL PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES spaces (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    goal TEXT NOT NULL,
    minutes BIGINT NOT NULL CHECK (minutes IN (25, 50, 75)),
    started_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    finished_at BIGINT,
    outcome TEXT CHECK (outcome IN ('met', 'partly', 'not_met', 'abandoned')),
    note TEXT
);
-- At most one unfinished session per person and space.
CREATE UNIQUE INDEX focus_sessions_one_open ON focus_sessions (space_id, user_id)
    WHERE finished_at IS NULL;
CREATE INDEX focus_sessions_by_end ON focus_sessions (space_id, ends_at);
