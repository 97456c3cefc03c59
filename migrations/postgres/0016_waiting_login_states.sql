-- A login counts the states of its registration that still wait for their launch; this
-- index holds only those, so the count does not grow with the used ones.
CREATE INDEX login_states_waiting ON login_states (platform_id) WHERE used_at IS NULL;
