-- The help desk and the partners board of a coworking space.
-- Times are Unix seconds (UTC).

CREATE TABLE help_requests (
    id BIGSERIAL PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES spaces (id),
    asker_id BIGINT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    -- Markdown as written, and the sanitized HTML rendered from it.
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    -- Skill tags, lower case, one per line.
    tags TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'closed')),
    -- The person the asker named when resolving, and the asker's thank-you note.
    helper_id BIGINT REFERENCES users (id),
    thanks TEXT,
    thanked_at BIGINT,
    -- The teacher who closed the request.
    closed_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    -- When the request was resolved or closed.
    finished_at BIGINT
);
CREATE INDEX help_requests_by_space ON help_requests (space_id, status, created_at);

CREATE TABLE help_offers (
    space_id BIGINT NOT NULL REFERENCES spaces (id),
    request_id BIGINT NOT NULL REFERENCES help_requests (id),
    helper_id BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (request_id, helper_id)
);

-- The conversation of each request.
CREATE TABLE help_posts (
    id BIGSERIAL PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES spaces (id),
    request_id BIGINT NOT NULL REFERENCES help_requests (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX help_posts_by_request ON help_posts (space_id, request_id, created_at);

CREATE TABLE partner_entries (
    id BIGSERIAL PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES spaces (id),
    kind TEXT NOT NULL CHECK (kind IN ('organisation', 'project', 'internship', 'mentor')),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    description_html TEXT NOT NULL,
    contact_name TEXT,
    contact_email TEXT,
    contact_url TEXT,
    -- Last day (YYYY-MM-DD, UTC) on which students can express interest.
    deadline TEXT,
    archived_at BIGINT,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX partner_entries_by_space ON partner_entries (space_id, deadline);

CREATE TABLE partner_interests (
    space_id BIGINT NOT NULL REFERENCES spaces (id),
    entry_id BIGINT NOT NULL REFERENCES partner_entries (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    note TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (entry_id, user_id)
);
CREATE INDEX partner_interests_by_space ON partner_interests (space_id, created_at);
