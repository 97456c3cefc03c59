-- The analytics read a space's messages by time; without this index they had to find
-- them through the interaction log.
CREATE INDEX messages_by_space ON messages (space_id, created_at);
