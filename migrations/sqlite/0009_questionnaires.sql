-- Questionnaires of a space, their items, and the responses to them.
-- Times are Unix seconds (UTC).
--
-- Anonymity: a response row carries the person only when the questionnaire is named.
-- For an anonymous questionnaire, questionnaire_respondents records who has answered
-- and questionnaire_responses records what was answered, under a response key that the
-- server derives from a secret setting, the questionnaire and the person; the key
-- cannot be computed back from the tables. Anonymous responses keep no time, and the
-- answer tables have no serial id and no rowid, so neither can be matched to the time
-- or order in which people answered.

CREATE TABLE questionnaires (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id INTEGER NOT NULL REFERENCES spaces (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    anonymous BOOLEAN NOT NULL,
    -- 'pre' or 'post' for the two measurements of one instrument, NULL otherwise.
    wave TEXT CHECK (wave IN ('pre', 'post')),
    -- For a 'post' questionnaire: the 'pre' questionnaire of the same instrument.
    pre_id INTEGER REFERENCES questionnaires (id),
    -- 'draft' until a teacher opens it, then 'open', then 'closed'.
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    -- Optional window within which an open questionnaire accepts answers.
    opens_at INTEGER,
    closes_at INTEGER,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX questionnaires_by_space ON questionnaires (space_id, created_at);

CREATE TABLE questionnaire_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL
        CHECK (kind IN ('likert5', 'likert7', 'satisfaction', 'single', 'multiple', 'text')),
    prompt TEXT NOT NULL,
    -- Name of the multi-item scale the item belongs to, if any.
    scale TEXT,
    -- JSON array of option labels for 'single' and 'multiple'; '[]' for other kinds.
    options_json TEXT NOT NULL,
    UNIQUE (questionnaire_id, position)
);

-- Who has answered: one row per person and questionnaire, written with the first answer.
CREATE TABLE questionnaire_respondents (
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (questionnaire_id, user_id)
) WITHOUT ROWID;

-- One response per person and questionnaire. user_id and updated_at are NULL for
-- anonymous questionnaires.
CREATE TABLE questionnaire_responses (
    response_key TEXT PRIMARY KEY,
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires (id),
    user_id INTEGER REFERENCES users (id),
    updated_at INTEGER
) WITHOUT ROWID;
CREATE INDEX questionnaire_responses_by_questionnaire
    ON questionnaire_responses (questionnaire_id);

-- One row per answered item; a 'multiple' item has one row per chosen option.
-- value: 1..5 or 1..7 for scales (1 is the most negative), the option index from 0
-- for choices, 0 for text.
CREATE TABLE questionnaire_answers (
    response_key TEXT NOT NULL REFERENCES questionnaire_responses (response_key),
    item_id INTEGER NOT NULL REFERENCES questionnaire_items (id),
    value INTEGER NOT NULL,
    text TEXT,
    PRIMARY KEY (response_key, item_id, value)
) WITHOUT ROWID;
