//! The column dictionary: every exported table and column with its type, unit and
//! definition. The export page, `dictionary.json` and docs/EXPORT.md are all built from
//! [`TABLES`], and the measures' definitions come from the analytics modules.
//!
//! The export page shows row descriptions, units and definitions from locales/*/export.ftl.
//! A test keeps the English catalog equal to this file. NOTE: no test can tell whether
//! the Russian text still matches a changed definition, so change both together.

use serde::Serialize;

use crate::analytics::communication as comm;
use crate::analytics::mobility as mob;
use crate::analytics::report;

/// The type of a column's values. Every type may also be empty (`null` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Integer,
    Number,
    Text,
    Boolean,
    /// Unix seconds (UTC), stored as an integer.
    Time,
}

impl ColumnType {
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Integer => "integer",
            ColumnType::Number => "number",
            ColumnType::Text => "text",
            ColumnType::Boolean => "boolean",
            ColumnType::Time => "time",
        }
    }
}

/// One column of an exported table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub kind: ColumnType,
    /// Unit of the values, empty for identifiers, counts of things named in the
    /// definition, and text.
    pub unit: &'static str,
    pub definition: &'static str,
}

/// One exported table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TableSpec {
    /// The table's name in URLs and file names.
    pub name: &'static str,
    /// Description of one row.
    pub row: &'static str,
    /// Whether the `from` and `until` window applies to the table.
    pub windowed: bool,
    pub columns: &'static [Column],
}

impl TableSpec {
    pub fn column_names(&self) -> Vec<&'static str> {
        self.columns.iter().map(|column| column.name).collect()
    }
}

const fn column(
    name: &'static str,
    kind: ColumnType,
    unit: &'static str,
    definition: &'static str,
) -> Column {
    Column {
        name,
        kind,
        unit,
        definition,
    }
}

use ColumnType::{Boolean, Integer, Number, Text, Time};

const SHARE: &str = "share 0–1";
const PER_WEEK: &str = "per week";

const USER_ID: Column = column(
    "user_id",
    Integer,
    "",
    "The person's cowork user id, the same in every table of the space.",
);
const NAME: Column = column("name", Text, "", "The person's name from the last launch.");

const RESPONSE_RATE: Column = column(
    "response_rate",
    Number,
    SHARE,
    comm::RESPONSE_RATE_DEFINITION,
);
const FIRST_REPLY: Column = column(
    "median_first_reply_secs",
    Number,
    "seconds",
    comm::FIRST_REPLY_DEFINITION,
);

pub const STUDENTS: TableSpec = TableSpec {
    name: "students",
    row: "One student of the space (a member with the student role).",
    windowed: true,
    columns: &[
        USER_ID,
        NAME,
        column(
            "points",
            Number,
            "points",
            "Points under the space's grading rule at the time of the export: earned \
             contributions plus teachers' awards, over the rule's whole period. The window \
             does not apply to this column.",
        ),
        column(
            "weeks",
            Integer,
            "weeks",
            "Weeks in the window, a partial last week included.",
        ),
        column(
            "room_coverage",
            Number,
            SHARE,
            mob::ROOM_COVERAGE_DEFINITION,
        ),
        column(
            "team_coverage",
            Number,
            SHARE,
            mob::TEAM_COVERAGE_DEFINITION,
        ),
        column("switch_rate", Number, SHARE, mob::SWITCH_RATE_DEFINITION),
        column(
            "outside_team_share",
            Number,
            SHARE,
            mob::OUTSIDE_TEAM_DEFINITION,
        ),
        column(
            "contact_reach",
            Number,
            SHARE,
            mob::CONTACT_REACH_DEFINITION,
        ),
        column(
            "active_week_share",
            Number,
            SHARE,
            mob::ACTIVE_WEEKS_DEFINITION,
        ),
        column("mobility_index", Number, "index 0–1", mob::INDEX_DEFINITION),
        column(
            "rooms_per_week",
            Number,
            PER_WEEK,
            "Mean over the window's weeks of `rooms` in the weeks table.",
        ),
        column(
            "teams_per_week",
            Number,
            PER_WEEK,
            "Mean over the window's weeks of `teams` in the weeks table.",
        ),
        column(
            "switches_per_week",
            Number,
            PER_WEEK,
            "Mean over the window's weeks of `switches` in the weeks table.",
        ),
        column(
            "student_interactions_per_week",
            Number,
            PER_WEEK,
            "Mean over the window's weeks of `student_interactions` in the weeks table.",
        ),
        column(
            "new_contacts_per_week",
            Number,
            PER_WEEK,
            "Mean over the window's weeks of `new_contacts` in the weeks table.",
        ),
        column("degree", Integer, "students", comm::DEGREE_COUNT_DEFINITION),
        column("degree_centrality", Number, SHARE, comm::DEGREE_DEFINITION),
        column(
            "eigenvector_centrality",
            Number,
            "0–1",
            comm::EIGENVECTOR_DEFINITION,
        ),
        column(
            "reciprocity",
            Number,
            SHARE,
            comm::MEMBER_RECIPROCITY_DEFINITION,
        ),
        column("isolated", Boolean, "", comm::ISOLATED_DEFINITION),
        column(
            "questions_asked",
            Integer,
            "questions",
            "Questions the student asked in the window: chat messages that start a thread \
             and end with \"?\", and help requests.",
        ),
        column(
            "questions_answered",
            Integer,
            "questions",
            "Of `questions_asked`, those that someone other than the student replied to.",
        ),
        RESPONSE_RATE,
        FIRST_REPLY,
        column(
            "threads_started",
            Integer,
            "threads",
            "Chat threads and help requests the student started in the window.",
        ),
        column(
            "replies_received",
            Integer,
            "replies",
            "Replies in the threads the student started, their own replies included.",
        ),
        column("inactive", Boolean, "", report::INACTIVE_DEFINITION),
        column(
            "unanswered_help_requests",
            Integer,
            "requests",
            report::UNANSWERED_HELP_DEFINITION,
        ),
    ],
};

pub const WEEKS: TableSpec = TableSpec {
    name: "weeks",
    row: "One student and one week of the window. Week 0 starts at `from`.",
    windowed: true,
    columns: &[
        USER_ID,
        column("week", Integer, "", "Week number from 0."),
        column("week_start", Time, "Unix seconds", "Start of the week."),
        column("rooms", Integer, "rooms", mob::ROOMS_DEFINITION),
        column("teams", Integer, "team tables", mob::TEAMS_DEFINITION),
        column("switches", Integer, "switches", mob::SWITCHES_DEFINITION),
        column(
            "student_interactions",
            Integer,
            "interactions",
            "Interactions with other students in the week, given or received.",
        ),
        column(
            "outside_team_interactions",
            Integer,
            "interactions",
            "Of `student_interactions`, those with a student outside the student's team \
             tables.",
        ),
        column(
            "new_contacts",
            Integer,
            "students",
            mob::NEW_CONTACTS_DEFINITION,
        ),
        column(
            "active",
            Boolean,
            "",
            "Whether the student entered a room or acted in the interaction log in the week.",
        ),
    ],
};

pub const ANSWERS: TableSpec = TableSpec {
    name: "answers",
    row: "One stored answer: a value of a scale or single-choice item, one chosen option \
          of a multiple-choice item, or the text of a text item. The window does not apply.",
    windowed: false,
    columns: &[
        column("questionnaire_id", Integer, "", "The questionnaire's id."),
        column("questionnaire", Text, "", "The questionnaire's title."),
        column(
            "wave",
            Text,
            "",
            "`pre` or `post` for the two measurements of one instrument, empty otherwise.",
        ),
        column(
            "pre_id",
            Integer,
            "",
            "For a `post` questionnaire, the id of its `pre` questionnaire.",
        ),
        column(
            "anonymous",
            Boolean,
            "",
            "Whether the questionnaire is anonymous. Its rows then carry no person and no time.",
        ),
        column(
            "respondent",
            Integer,
            "",
            "Number of the response within its questionnaire in this export, from 1. It \
             follows the order of the secret response keys, so it neither matches the order \
             of answering nor links responses to other questionnaires or tables.",
        ),
        column(
            "pair",
            Integer,
            "",
            "Number shared by one person's responses to a `pre` questionnaire and to its \
             `post` questionnaire, from 1 within that pair of questionnaires in this export. \
             It follows the order of the secret pair keys. Empty for a response in no pair, \
             such as one to waves that differ in anonymity.",
        ),
        column(
            "user_id",
            Integer,
            "",
            "The respondent's user id; empty for an anonymous questionnaire.",
        ),
        column(
            "name",
            Text,
            "",
            "The respondent's name; empty for an anonymous questionnaire.",
        ),
        column(
            "updated_at",
            Time,
            "Unix seconds",
            "When the respondent last saved their answers; empty for an anonymous \
             questionnaire.",
        ),
        column("item_id", Integer, "", "The item's id."),
        column(
            "item_number",
            Integer,
            "",
            "The item's position in the questionnaire, from 1.",
        ),
        column(
            "kind",
            Text,
            "",
            "`likert5`, `likert7`, `satisfaction`, `nps`, `single`, `multiple` or `text`.",
        ),
        column(
            "scale",
            Text,
            "",
            "Name of the multi-item scale the item belongs to.",
        ),
        column("prompt", Text, "", "The item's question."),
        column(
            "value",
            Integer,
            "",
            "For `likert5`, `likert7` and `satisfaction`: 1 (the most negative answer) to 5, \
             7 and 5. For `nps`: 0 to 10. For `single` and `multiple`: the option index from \
             0. Empty for `text`.",
        ),
        column(
            "option",
            Text,
            "",
            "The label of the chosen option of a choice item.",
        ),
        column("text", Text, "", "The answer of a `text` item."),
    ],
};

pub const EDGES: TableSpec = TableSpec {
    name: "edges",
    row: "One actor, target, kind and room: the interaction log rows with a target in the \
          window, counted. Teachers are included; join with `members` to filter by role.",
    windowed: true,
    columns: &[
        column("actor_id", Integer, "", "User id of the person who acted."),
        column("target_id", Integer, "", "User id of the person acted on."),
        column(
            "kind",
            Text,
            "",
            "What happened: `reply`, `mention`, `reaction`, `help_offer`, `help_reply`, \
             `help_given`, `thanks`, `feedback`, `showcase_comment` or `showcase_reaction`.",
        ),
        column(
            "room_id",
            Integer,
            "",
            "The room it happened in; empty for the help desk, the partners board and the \
             showcase.",
        ),
        column(
            "count",
            Integer,
            "interactions",
            "Number of interaction log rows.",
        ),
        column("first_at", Time, "Unix seconds", "Time of the first row."),
        column("last_at", Time, "Unix seconds", "Time of the last row."),
    ],
};

pub const MEMBERS: TableSpec = TableSpec {
    name: "members",
    row: "One person who has launched into the space. The window does not apply.",
    windowed: false,
    columns: &[
        USER_ID,
        NAME,
        column(
            "role",
            Text,
            "",
            "`student`, `teacher` or another role the launch mapped.",
        ),
    ],
};

pub const ROOMS: TableSpec = TableSpec {
    name: "rooms",
    row: "One room of the space, archived ones included, with its communication measures \
          among students in the window.",
    windowed: true,
    columns: &[
        column("room_id", Integer, "", "The room's id."),
        column("kind", Text, "", "`open`, `team`, `quiet` or `discussion`."),
        column("name", Text, "", "The room's name."),
        column(
            "archived_at",
            Time,
            "Unix seconds",
            "When the room was archived; empty if not.",
        ),
        column(
            "questions",
            Integer,
            "questions",
            "Chat messages in the room that start a thread and end with \"?\".",
        ),
        RESPONSE_RATE,
        FIRST_REPLY,
        column(
            "replies_per_thread",
            Number,
            "replies",
            comm::REPLIES_PER_THREAD_DEFINITION,
        ),
        column("reciprocity", Number, SHARE, comm::RECIPROCITY_DEFINITION),
        column("density", Number, SHARE, comm::DENSITY_DEFINITION),
        column(
            "isolated_students",
            Integer,
            "students",
            "Students with no interaction with another student in the room in the window.",
        ),
    ],
};

/// Every exported table, in the order the export page lists them.
pub const TABLES: [&TableSpec; 6] = [&STUDENTS, &WEEKS, &ANSWERS, &EDGES, &MEMBERS, &ROOMS];

/// Returns the table named `name`.
pub fn table(name: &str) -> Option<&'static TableSpec> {
    TABLES.iter().copied().find(|table| table.name == name)
}

/// Renders the dictionary as Markdown, the text of docs/EXPORT.md after its introduction.
pub fn markdown() -> String {
    let mut text = String::new();
    for table in TABLES {
        text.push_str(&format!("\n## {}\n\n{}\n\n", table.name, table.row));
        text.push_str("| Column | Type | Unit | Definition |\n|---|---|---|---|\n");
        for column in table.columns {
            text.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                column.name,
                column.kind.name(),
                column.unit,
                column.definition.replace('|', "\\|"),
            ));
        }
    }
    text
}
