-- Invitations for dynamic registration, and course rosters read from the platform's
-- Names and Role Provisioning Service (NRPS). Times are Unix seconds (UTC).

-- One-time links an admin creates with `cowork platform invite`. Only the SHA-256 of the
-- token is stored; used_at is set while a registration runs and kept once it succeeds.
CREATE TABLE registration_invites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    platform_id INTEGER REFERENCES platforms (id) ON DELETE SET NULL
);

-- The membership service of a space, from its most recent launch that carried one.
CREATE TABLE roster_sources (
    space_id INTEGER PRIMARY KEY REFERENCES spaces (id),
    platform_id INTEGER NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    memberships_url TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    synced_at INTEGER,
    sync_error TEXT
);

-- Course members as the platform lists them. roles holds the role URIs or short names
-- the platform sent, separated by spaces.
CREATE TABLE roster_members (
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    roles TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Active', 'Inactive', 'Deleted')),
    synced_at INTEGER NOT NULL,
    PRIMARY KEY (space_id, user_id)
);
