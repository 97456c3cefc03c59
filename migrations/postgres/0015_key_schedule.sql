-- When each tool key starts signing. Scheduled rotation publishes a key before it signs,
-- so platforms that cache cowork's JWKS hold the key before its first signature.
ALTER TABLE tool_keys ADD COLUMN active_from BIGINT NOT NULL DEFAULT 0;
UPDATE tool_keys SET active_from = created_at;
