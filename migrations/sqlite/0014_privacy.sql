-- Erasure of a person on request, and retention of content.

-- How many days a space keeps content (message text, uploads, answers' free text);
-- NULL uses the server's default, which is none unless configured.
ALTER TABLE space_settings ADD COLUMN retention_days INTEGER;

-- Raised whenever rows of the space are changed in place (erasure, retention), so that
-- every instance's in-memory copy of the space's activity is read again.
ALTER TABLE spaces ADD COLUMN activity_version INTEGER NOT NULL DEFAULT 0;

-- Set on the placeholder that takes an erased person's place in one space. A
-- placeholder's issuer is 'urn:cowork:erased' and its subject is random, so it links to
-- nobody at the platform.
ALTER TABLE users ADD COLUMN erased_at INTEGER;
