//! iCalendar (RFC 5545) export of a space's events.
//!
//! Times are written in UTC (`DTSTART:20261210T110000Z`), which every calendar program
//! reads without a VTIMEZONE definition; the zone the event was planned in is kept in
//! the description. Text is escaped and lines are folded at 75 octets as section 3.1
//! of the RFC requires.

use chrono::{DateTime, Utc};

use crate::store::events::EventRow;

/// Builds a VCALENDAR with one VEVENT per event. `host` makes the UIDs globally unique
/// and `url` links each event back to cowork.
pub fn calendar(events: &[EventRow], host: &str, url: &str, name: &str, now: i64) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//cowork//coworking events//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        "METHOD:PUBLISH".to_string(),
        format!("X-WR-CALNAME:{}", escape_text(name)),
    ];
    for event in events {
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:event-{}@{}", event.id, host));
        lines.push(format!("DTSTAMP:{}", utc(now)));
        lines.push(format!("DTSTART:{}", utc(event.starts_at)));
        lines.push(format!("DTEND:{}", utc(event.ends_at)));
        lines.push(format!("SEQUENCE:{}", event.sequence));
        lines.push(format!("SUMMARY:{}", escape_text(&event.title)));
        let description = format!("{}\n\n({})", event.agenda, event.time_zone);
        lines.push(format!("DESCRIPTION:{}", escape_text(&description)));
        if let Some(location) = &event.location {
            lines.push(format!("LOCATION:{}", escape_text(location)));
        }
        lines.push(format!("URL:{url}"));
        let status = if event.cancelled_at.is_some() {
            "CANCELLED"
        } else {
            "CONFIRMED"
        };
        lines.push(format!("STATUS:{status}"));
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    lines
        .iter()
        .map(|line| fold(line))
        .collect::<Vec<_>>()
        .join("")
}

fn utc(seconds: i64) -> String {
    DateTime::<Utc>::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// Escapes a TEXT value (section 3.3.11): backslash, semicolon, comma and newlines.
fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {}
            other => escaped.push(other),
        }
    }
    escaped
}

/// Folds a content line into pieces of at most 75 octets, never splitting a UTF-8
/// character, each ending in CRLF and continued with one space.
fn fold(line: &str) -> String {
    let mut folded = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut octets = 0;
    for character in line.chars() {
        let width = character.len_utf8();
        if octets + width > 75 {
            folded.push_str("\r\n ");
            octets = 1;
        }
        folded.push(character);
        octets += width;
    }
    folded.push_str("\r\n");
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> EventRow {
        EventRow {
            id: 7,
            space_id: 1,
            kind: "lecture".into(),
            title: "Panoramic lecture; markets, firms".into(),
            agenda: "1. Intro\n2. Q&A \\ wrap-up".into(),
            agenda_html: String::new(),
            location: Some("Room 101".into()),
            // 2026-12-11 11:00 and 12:30 UTC.
            starts_at: 1_796_986_800,
            ends_at: 1_796_992_200,
            time_zone: "Europe/Moscow".into(),
            created_by: 1,
            created_at: 0,
            updated_at: 0,
            cancelled_at: None,
            sequence: 2,
            yes_count: 0,
            maybe_count: 0,
            no_count: 0,
        }
    }

    #[test]
    fn event_written_in_utc() {
        let text = calendar(
            &[event()],
            "cowork.example.edu",
            "https://cowork.example.edu/e",
            "BC101",
            0,
        );
        assert!(
            text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
            "{text}"
        );
        assert!(
            text.contains("UID:event-7@cowork.example.edu\r\n"),
            "{text}"
        );
        assert!(text.contains("DTSTART:20261211T110000Z\r\n"), "{text}");
        assert!(text.contains("DTEND:20261211T123000Z\r\n"), "{text}");
        assert!(text.contains("SEQUENCE:2\r\n"), "{text}");
        assert!(text.contains("STATUS:CONFIRMED\r\n"), "{text}");
        assert!(text.ends_with("END:VCALENDAR\r\n"), "{text}");
    }

    #[test]
    fn text_values_escaped() {
        let text = calendar(&[event()], "h", "u", "c", 0);
        assert!(
            text.contains("SUMMARY:Panoramic lecture\\; markets\\, firms\r\n"),
            "{text}"
        );
        assert!(
            text.contains("DESCRIPTION:1. Intro\\n2. Q&A \\\\ wrap-up\\n\\n(Europe/Moscow)\r\n"),
            "{text}"
        );
    }

    #[test]
    fn long_lines_folded_by_octets() {
        let line = format!("SUMMARY:{}", "Ж".repeat(60));
        let folded = fold(&line);
        for piece in folded.split("\r\n").filter(|p| !p.is_empty()) {
            assert!(piece.len() <= 75, "{} octets: {piece}", piece.len());
        }
        let unfolded = folded.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{line}\r\n"), "folding loses nothing");
    }

    #[test]
    fn cancelled_event_marked() {
        let mut cancelled = event();
        cancelled.cancelled_at = Some(1);
        let text = calendar(&[cancelled], "h", "u", "c", 0);
        assert!(text.contains("STATUS:CANCELLED\r\n"), "{text}");
    }
}
