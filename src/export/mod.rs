//! Exports of a space's measures and data as CSV and JSON tables, for analysis in other
//! software. [`dictionary`] defines the tables and their columns, [`tables`] fills them.

pub mod dictionary;
pub mod tables;

use serde_json::{json, Map, Value};

pub use crate::analytics::report::Window;
use dictionary::TableSpec;

/// One value of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Integer(i64),
    Number(f64),
    Text(String),
    Boolean(bool),
}

impl From<i64> for Cell {
    fn from(value: i64) -> Self {
        Cell::Integer(value)
    }
}

impl From<usize> for Cell {
    fn from(value: usize) -> Self {
        i64::try_from(value).map_or(Cell::Empty, Cell::Integer)
    }
}

impl From<f64> for Cell {
    fn from(value: f64) -> Self {
        if value.is_finite() {
            Cell::Number(value)
        } else {
            Cell::Empty
        }
    }
}

impl From<bool> for Cell {
    fn from(value: bool) -> Self {
        Cell::Boolean(value)
    }
}

impl From<String> for Cell {
    fn from(value: String) -> Self {
        Cell::Text(value)
    }
}

impl From<&str> for Cell {
    fn from(value: &str) -> Self {
        Cell::Text(value.to_string())
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map_or(Cell::Empty, Into::into)
    }
}

impl Cell {
    /// Returns the cell as CSV text. Text that a spreadsheet would read as a formula gets
    /// a leading `'`, see [`neutralize_formula`].
    pub fn csv_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Integer(value) => value.to_string(),
            Cell::Number(value) => value.to_string(),
            Cell::Text(text) => neutralize_formula(text),
            Cell::Boolean(value) => value.to_string(),
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            Cell::Empty => Value::Null,
            Cell::Integer(value) => json!(value),
            Cell::Number(value) => json!(value),
            Cell::Text(text) => json!(text),
            Cell::Boolean(value) => json!(value),
        }
    }
}

/// Prefixes `'` to text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return.
/// Spreadsheets then show such a cell as text instead of evaluating it as a formula, as
/// the OWASP page on CSV injection advises.
pub fn neutralize_formula(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// A filled table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub spec: &'static TableSpec,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// Writes the table as UTF-8 CSV with a header row of column names. Fields are
    /// quoted when they contain a comma, a quote or a line break.
    pub fn to_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(self.spec.columns.iter().map(|column| column.name))?;
        for row in &self.rows {
            writer.write_record(row.iter().map(Cell::csv_text))?;
        }
        writer
            .into_inner()
            .map_err(|error| csv::Error::from(error.into_error()))
    }

    /// Returns the table as a JSON object: its name, the window when it applies, the
    /// column names, and the rows as arrays in column order.
    pub fn to_json(&self, window: Window) -> Value {
        let mut object = Map::new();
        object.insert("table".into(), json!(self.spec.name));
        if self.spec.windowed {
            object.insert(
                "window".into(),
                json!({"from": window.from, "until": window.until}),
            );
        }
        object.insert("columns".into(), json!(self.spec.column_names()));
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|row| Value::Array(row.iter().map(Cell::to_json).collect()))
            .collect();
        object.insert("rows".into(), Value::Array(rows));
        Value::Object(object)
    }
}

#[cfg(test)]
mod tests {
    use super::dictionary::MEMBERS;
    use super::*;

    #[test]
    fn formulas_neutralized() {
        for text in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralize_formula(text), format!("'{text}"), "{text:?}");
        }
        for text in ["", "plain", "1=1", " =x", "'quoted"] {
            assert_eq!(neutralize_formula(text), text, "{text:?}");
        }
    }

    #[test]
    fn csv_quotes_and_neutralizes() {
        let table = Table {
            spec: &MEMBERS,
            rows: vec![
                vec![1i64.into(), "=HYPERLINK(\"x\")".into(), "student".into()],
                vec![2i64.into(), "Smith, \"Jo\"\nline".into(), Cell::Empty],
                vec![(-3i64).into(), "Ёлка".into(), "teacher".into()],
            ],
        };
        let text = String::from_utf8(table.to_csv().unwrap()).unwrap();
        let expected = "user_id,name,role\n\
                        1,\"'=HYPERLINK(\"\"x\"\")\",student\n\
                        2,\"Smith, \"\"Jo\"\"\nline\",\n\
                        -3,Ёлка,teacher\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn json_keeps_raw_text() {
        let table = Table {
            spec: &MEMBERS,
            rows: vec![vec![1i64.into(), "=1".into(), Cell::Empty]],
        };
        let value = table.to_json(Window { from: 0, until: 1 });
        assert_eq!(value["columns"], json!(["user_id", "name", "role"]));
        assert_eq!(value["rows"], json!([[1, "=1", null]]));
        assert!(value.get("window").is_none(), "members take no window");
    }

    #[test]
    fn non_finite_numbers_empty() {
        assert_eq!(Cell::from(f64::NAN), Cell::Empty);
        assert_eq!(Cell::from(f64::INFINITY), Cell::Empty);
        assert_eq!(Cell::from(0.25), Cell::Number(0.25));
    }
}
