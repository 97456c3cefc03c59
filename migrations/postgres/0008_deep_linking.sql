-- Deep Linking: a teacher's pending choice of what to add to a course, and the
-- placements that choice produced. Times are Unix seconds (UTC).

-- A verified LtiDeepLinkingRequest waiting for the teacher's choice. The id is the
-- random token in the picker's address; used_at is set once, when the answer is signed.
CREATE TABLE deep_link_requests (
    id TEXT PRIMARY KEY,
    platform_id BIGINT NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    deployment_id TEXT NOT NULL,
    context_id TEXT NOT NULL,
    context_title TEXT,
    user_subject TEXT,
    locale TEXT,
    -- The deep_linking_settings claim as the platform sent it (JSON).
    settings TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX deep_link_requests_by_expiry ON deep_link_requests (expires_at);

-- What one content item stands for. Its id travels in the item's custom parameter
-- `cowork_placement`; a launch carrying it applies the settings chosen here. A placement
-- of kind 'space' starts a space of its own; 'room' and 'help' open a room or the help
-- desk of the existing space space_id.
CREATE TABLE placements (
    id TEXT PRIMARY KEY,
    platform_id BIGINT NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    deployment_id TEXT NOT NULL,
    context_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('space', 'room', 'help')),
    space_id BIGINT REFERENCES spaces (id),
    room_id BIGINT REFERENCES rooms (id),
    title TEXT NOT NULL,
    -- The grading rule chosen for a new space (JSON); NULL for room and help links.
    rule_json TEXT,
    -- Whether a new space sends grades: false when the teacher asked for no gradebook
    -- column.
    send_grades BOOLEAN NOT NULL DEFAULT TRUE,
    created_by TEXT,
    created_at BIGINT NOT NULL
);
