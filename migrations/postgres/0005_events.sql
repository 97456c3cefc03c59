-- Scheduled sessions of a space and the replies of its participants.
-- Times are Unix seconds (UTC); time_zone is the IANA zone the event was planned in.

CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES spaces (id),
    kind TEXT NOT NULL CHECK (kind IN ('lecture', 'discussion', 'partner_hour', 'other')),
    title TEXT NOT NULL,
    agenda TEXT NOT NULL,
    agenda_html TEXT NOT NULL,
    location TEXT,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    time_zone TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    cancelled_at BIGINT,
    -- Bumped on every change, for the iCalendar SEQUENCE property.
    sequence BIGINT NOT NULL DEFAULT 0,
    CHECK (ends_at > starts_at)
);
CREATE INDEX events_by_space ON events (space_id, starts_at);

CREATE TABLE event_rsvps (
    event_id BIGINT NOT NULL REFERENCES events (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    response TEXT NOT NULL CHECK (response IN ('yes', 'no', 'maybe')),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id)
);
