-- Grades sent to the platform's gradebook through LTI Assignment and Grade Services.
-- Times are Unix seconds (UTC).

-- Where a space's grades go: the registration and the AGS endpoint of its launches.
CREATE TABLE grade_targets (
    space_id BIGINT PRIMARY KEY REFERENCES spaces (id),
    platform_id BIGINT NOT NULL,
    -- The line item of the launch's resource link; NULL until one is known or created.
    lineitem_url TEXT,
    lineitems_url TEXT,
    -- Scopes the launch's AGS claim allows, separated by spaces.
    scopes TEXT NOT NULL,
    label TEXT,
    score_maximum DOUBLE PRECISION,
    updated_at BIGINT NOT NULL
);

-- The grading rule of a space (JSON of the rule's fields) and how grades are synced.
CREATE TABLE grading_rules (
    space_id BIGINT PRIMARY KEY REFERENCES spaces (id),
    rule_json TEXT NOT NULL,
    sync_mode TEXT NOT NULL CHECK (sync_mode IN ('auto', 'schedule', 'manual')),
    -- Start of the first grading week.
    starts_at BIGINT NOT NULL,
    last_synced_at BIGINT,
    updated_at BIGINT NOT NULL
);

-- Points a teacher gives by hand; the weekly cap does not apply to them.
CREATE TABLE grade_awards (
    id BIGSERIAL PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES spaces (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    points DOUBLE PRECISION NOT NULL,
    reason TEXT NOT NULL,
    awarded_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX grade_awards_by_space ON grade_awards (space_id, user_id);

-- Scores to publish, one row per computed grade. Rows are never deleted: 'sent' rows
-- record what the platform accepted, 'superseded' rows were replaced by a newer grade
-- before sending, and 'dead' rows wait for a teacher to retry them.
CREATE TABLE grade_outbox (
    id BIGSERIAL PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES spaces (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    platform_id BIGINT NOT NULL,
    lineitem_url TEXT NOT NULL,
    -- The AGS userId: the person's `sub` at the platform.
    user_subject TEXT NOT NULL,
    points DOUBLE PRECISION NOT NULL,
    score_given DOUBLE PRECISION NOT NULL,
    score_maximum DOUBLE PRECISION NOT NULL,
    -- The score's timestamp, fixed when the row is made.
    score_timestamp BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'superseded', 'dead')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claim_token TEXT,
    claimed_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    -- When the row became due: its creation, or a teacher's retry of a dead letter.
    -- Transient failures turn it into a dead letter a configured time after this.
    due_since BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX grade_outbox_due ON grade_outbox (status, next_attempt_at);
CREATE INDEX grade_outbox_by_person ON grade_outbox (space_id, user_id, score_timestamp);
