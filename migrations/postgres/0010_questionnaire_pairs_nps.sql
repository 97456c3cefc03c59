-- Pairing of before and after answers, and the 'nps' item kind.
--
-- pair_key links one person's responses to a 'pre' questionnaire and to the 'post'
-- questionnaire linked to it, so that paired tests can compare them without naming
-- the person. The server derives it from a secret setting, a fixed label, the 'pre'
-- questionnaire's id and the user id, so it cannot be computed back from the tables.
-- Rows written before this migration keep NULL and stay unpaired.
ALTER TABLE questionnaire_responses ADD COLUMN pair_key TEXT;

-- An 'nps' item takes a value from 0 to 10 ("how likely are you to recommend ...").
-- Answers to it store that value.
ALTER TABLE questionnaire_items DROP CONSTRAINT questionnaire_items_kind_check;
ALTER TABLE questionnaire_items ADD CONSTRAINT questionnaire_items_kind_check
    CHECK (kind IN ('likert5', 'likert7', 'satisfaction', 'nps', 'single', 'multiple',
                    'text'));
