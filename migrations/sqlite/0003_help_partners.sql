-- The help desk and the partners board of a coworking space.
-- Times are Unix seconds (UTC).

CREATE TABLE help_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    asker_id INTEGER NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    -- Markdown as written, and the sanitized HTML rendered from it.
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    -- Skill tags, lower case, one per line.
    tags TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'closed')),
    -- The person the asker named when resolving, and the asker's thank-you note.
    helper_id INTEGER REFERENCES users (id),
    thanks TEXT,
    thanked_at INTEGER,
    -- The teacher who closed the request.
    closed_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    -- When the request was resolved or closed.
    finished_at INTEGER
);
CREATE INDEX help_requests_by_space ON help_requests (space_id, status, created_at);

CREATE TABLE help_offers (
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    request_id INTEGER NOT NULL REFERENCES help_requests (id),
    helper_id INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (request_id, helper_id)
);

-- The conversation of each request.
CREATE TABLE help_posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    request_id INTEGER NOT NULL REFERENCES help_requests (id),
    author_id INTEGER NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX help_posts_by_request ON help_posts (space_id, request_id, created_at);

CREATE TABLE partner_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    kind TEXT NOT NULL CHECK (kind IN ('organisation', 'project', 'internship', 'mentor')),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    description_html TEXT NOT NULL,
    contact_name TEXT,
    contact_email TEXT,
    contact_url TEXT,
    -- Last day (YYYY-MM-DD, UTC) on which students can express interest.
    deadline TEXT,
    archived_at INTEGER,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX partner_entries_by_space ON partner_entries (space_id, deadline);

CREATE TABLE partner_interests (
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    entry_id INTEGER NOT NULL REFERENCES partner_entries (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    note TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (entry_id, user_id)
);
CREATE INDEX partner_interests_by_space ON partner_interests (space_id, created_at);
