-- Scheduled sessions of a space and the replies of its participants.
-- Times are Unix seconds (UTC); time_zone is the IANA zone the event was planned in.

CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    kind TEXT NOT NULL CHECK (kind IN ('lecture', 'discussion', 'partner_hour', 'other')),
    title TEXT NOT NULL,
    agenda TEXT NOT NULL,
    agenda_html TEXT NOT NULL,
    location TEXT,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    time_zone TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    cancelled_at INTEGER,
    -- Bumped on every change, for the iCalendar SEQUENCE property.
    sequence INTEGER NOT NULL DEFAULT 0,
    CHECK (ends_at > starts_at)
);
CREATE INDEX events_by_space ON events (space_id, starts_at);

CREATE TABLE event_rsvps (
    event_id INTEGER NOT NULL REFERENCES events (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    response TEXT NOT NULL CHECK (response IN ('yes', 'no', 'maybe')),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (event_id, user_id)
);
