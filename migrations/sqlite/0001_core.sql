-- Core tables: tool keys, platform registrations, OIDC login state, spaces and sessions.
-- Times are Unix seconds (UTC).

CREATE TABLE tool_keys (
    kid TEXT PRIMARY KEY,
    private_key_pem TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER
);

CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE platforms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    auth_url TEXT NOT NULL,
    token_url TEXT NOT NULL,
    jwks_url TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (issuer, client_id)
);

CREATE TABLE deployments (
    platform_id INTEGER NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    deployment_id TEXT NOT NULL,
    PRIMARY KEY (platform_id, deployment_id)
);

CREATE TABLE login_states (
    state TEXT PRIMARY KEY,
    nonce TEXT NOT NULL UNIQUE,
    platform_id INTEGER NOT NULL,
    target_link_uri TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX login_states_expires_at ON login_states (expires_at);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    name TEXT,
    given_name TEXT,
    family_name TEXT,
    updated_at INTEGER NOT NULL,
    UNIQUE (issuer, subject)
);

CREATE TABLE spaces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    issuer TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    context_id TEXT NOT NULL,
    resource_link_id TEXT NOT NULL,
    context_title TEXT,
    context_label TEXT,
    resource_link_title TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (issuer, deployment_id, context_id, resource_link_id)
);

CREATE TABLE space_members (
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    first_seen_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    PRIMARY KEY (space_id, user_id)
);
CREATE INDEX space_members_recent ON space_members (space_id, last_seen_at);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    user_id INTEGER REFERENCES users (id),
    role TEXT NOT NULL,
    locale TEXT,
    return_url TEXT,
    document_target TEXT,
    platform_origin TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
