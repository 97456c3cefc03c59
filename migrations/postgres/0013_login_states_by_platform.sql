-- Logins count and purge the states of one registration at a time.
CREATE INDEX login_states_platform ON login_states (platform_id, expires_at);
