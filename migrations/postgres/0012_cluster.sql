-- State that lets several cowork instances share one database.

-- Each running instance, with the last time it reported itself alive.
CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    started_at BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
);

-- Who is connected to a space through which instance, as other participants see them.
CREATE TABLE live_presence (
    instance_id TEXT NOT NULL,
    space_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    room_id BIGINT,
    status TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, space_id, user_id)
);
CREATE INDEX live_presence_by_space ON live_presence (space_id, user_id);

-- Periodic jobs: the instance that moves `next_run_at` forward runs the job.
CREATE TABLE periodic_jobs (
    name TEXT PRIMARY KEY,
    next_run_at BIGINT NOT NULL,
    last_instance TEXT
);

-- Chat events too large for a notification: the notification carries the row's id.
CREATE TABLE bus_payloads (
    id BIGSERIAL PRIMARY KEY,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
