-- Pairing of before and after answers, and the 'nps' item kind.
--
-- pair_key links one person's responses to a 'pre' questionnaire and to the 'post'
-- questionnaire linked to it, so that paired tests can compare them without naming
-- the person. The server derives it from a secret setting, a fixed label, the 'pre'
-- questionnaire's id and the user id, so it cannot be computed back from the tables.
-- Rows written before this migration keep NULL and stay unpaired.
ALTER TABLE questionnaire_responses ADD COLUMN pair_key TEXT;

-- An 'nps' item takes a value from 0 to 10 ("how likely are you to recommend ...").
-- SQLite cannot change a CHECK constraint, so questionnaire_items is rebuilt. Its
-- only child, questionnaire_answers, is set aside first, because dropping a parent
-- table with child rows fails while foreign keys are enforced, and the migration
-- runs in a transaction where foreign keys cannot be switched off.
CREATE TEMP TABLE answers_during_rebuild AS SELECT * FROM questionnaire_answers;
CREATE TEMP TABLE items_during_rebuild AS SELECT * FROM questionnaire_items;
CREATE TEMP TABLE item_sequence_during_rebuild AS
    SELECT seq FROM sqlite_sequence WHERE name = 'questionnaire_items';

DROP TABLE questionnaire_answers;
DROP TABLE questionnaire_items;

CREATE TABLE questionnaire_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL
        CHECK (kind IN ('likert5', 'likert7', 'satisfaction', 'nps', 'single', 'multiple',
                        'text')),
    prompt TEXT NOT NULL,
    -- Name of the multi-item scale the item belongs to, if any.
    scale TEXT,
    -- JSON array of option labels for 'single' and 'multiple'; '[]' for other kinds.
    options_json TEXT NOT NULL,
    UNIQUE (questionnaire_id, position)
);
INSERT INTO questionnaire_items (id, questionnaire_id, position, kind, prompt, scale,
                                 options_json)
    SELECT id, questionnaire_id, position, kind, prompt, scale, options_json
    FROM items_during_rebuild;
-- Keep the id sequence, so that ids of deleted items are not handed out again.
DELETE FROM sqlite_sequence WHERE name = 'questionnaire_items';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'questionnaire_items', seq FROM (
        SELECT MAX(seq) AS seq FROM (
            SELECT seq FROM item_sequence_during_rebuild
            UNION ALL SELECT MAX(id) FROM questionnaire_items
        )
    ) WHERE seq IS NOT NULL;

-- One row per answered item; a 'multiple' item has one row per chosen option.
-- value: 1..5 or 1..7 for scales (1 is the most negative), 0..10 for 'nps', the
-- option index from 0 for choices, 0 for text.
CREATE TABLE questionnaire_answers (
    response_key TEXT NOT NULL REFERENCES questionnaire_responses (response_key),
    item_id INTEGER NOT NULL REFERENCES questionnaire_items (id),
    value INTEGER NOT NULL,
    text TEXT,
    PRIMARY KEY (response_key, item_id, value)
) WITHOUT ROWID;
INSERT INTO questionnaire_answers (response_key, item_id, value, text)
    SELECT response_key, item_id, value, text FROM answers_during_rebuild;

DROP TABLE answers_during_rebuild;
DROP TABLE items_during_rebuild;
DROP TABLE item_sequence_during_rebuild;
