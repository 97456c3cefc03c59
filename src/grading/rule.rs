//! The grading rule of a space: points per kind of contribution, a weekly target with a
//! soft cap, and the mapping of points to a grade. Pure functions only.
//!
//! Within one week (counted from the rule's start) a person earns points until their
//! running total reaches the weekly cap. The contribution that crosses the cap counts
//! in full; later ones that week earn nothing. Teacher awards ignore the cap. The grade
//! is `min(1, points / (weekly target × weeks elapsed)) × score maximum`.

use serde::{Deserialize, Serialize};

use crate::i18n::Msg;
use crate::store::grades::ContributionRow;

pub const WEEK_SECS: i64 = 7 * 24 * 3600;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GradingRule {
    /// A chat message of at least `post_min_chars` characters.
    pub post_points: f64,
    pub post_min_chars: i64,
    /// A reply to someone else's message.
    pub reply_points: f64,
    /// Someone else replied to the person's message.
    pub reply_received_points: f64,
    /// Someone reacted to the person's message or showcase item.
    pub reaction_received_points: f64,
    /// The person helped with a request that its asker marked resolved.
    pub help_points: f64,
    pub showcase_points: f64,
    pub feedback_points: f64,
    pub focus_points: f64,
    pub questionnaire_points: f64,
    /// Points per week that earn the full grade.
    pub weekly_target: f64,
    /// Points per week after which contributions stop earning until the week resets.
    pub weekly_cap: f64,
    /// The maximum of the score sent to the platform.
    pub score_maximum: f64,
}

impl Default for GradingRule {
    /// Returns a rule where a week with a few substantial posts and replies, one resolved
    /// help request and one showcase item reaches the target of 10 points.
    fn default() -> Self {
        Self {
            post_points: 1.0,
            post_min_chars: 40,
            reply_points: 1.0,
            reply_received_points: 0.5,
            reaction_received_points: 0.25,
            help_points: 3.0,
            showcase_points: 3.0,
            feedback_points: 2.0,
            focus_points: 1.0,
            questionnaire_points: 1.0,
            weekly_target: 10.0,
            weekly_cap: 15.0,
            score_maximum: 100.0,
        }
    }
}

/// A person's points and the grade they map to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradeOutcome {
    /// Capped contribution points.
    pub earned: f64,
    pub awarded: f64,
    pub weeks: i64,
    /// `score_given / score_maximum`, in 0..=1.
    pub fraction: f64,
    pub score_given: f64,
}

impl GradingRule {
    /// Checks every field; the message names the first invalid one.
    pub fn validate(&self) -> Result<(), Msg> {
        let points = [
            ("post_points", self.post_points),
            ("reply_points", self.reply_points),
            ("reply_received_points", self.reply_received_points),
            ("reaction_received_points", self.reaction_received_points),
            ("help_points", self.help_points),
            ("showcase_points", self.showcase_points),
            ("feedback_points", self.feedback_points),
            ("focus_points", self.focus_points),
            ("questionnaire_points", self.questionnaire_points),
        ];
        for (name, value) in points {
            if !value.is_finite() || !(0.0..=1000.0).contains(&value) {
                return Err(Msg::new("error-rule-points")
                    .arg("field", name)
                    .arg("value", value));
            }
        }
        if !(0..=10_000).contains(&self.post_min_chars) {
            return Err(Msg::new("error-rule-post-min-chars").arg("value", self.post_min_chars));
        }
        if !self.weekly_target.is_finite()
            || !(0.0..=10_000.0).contains(&self.weekly_target)
            || self.weekly_target == 0.0
        {
            return Err(Msg::new("error-rule-weekly-target").arg("value", self.weekly_target));
        }
        if !self.weekly_cap.is_finite()
            || self.weekly_cap < self.weekly_target
            || self.weekly_cap > 100_000.0
        {
            return Err(Msg::new("error-rule-weekly-cap")
                .arg("cap", self.weekly_cap)
                .arg("target", self.weekly_target));
        }
        if !self.score_maximum.is_finite() || !(1.0..=10_000.0).contains(&self.score_maximum) {
            return Err(Msg::new("error-rule-score-maximum").arg("value", self.score_maximum));
        }
        Ok(())
    }

    /// Reads a rule from form fields named like its own; a field left out keeps its
    /// default, and the result is validated.
    pub fn from_form(fields: &[(String, String)]) -> Result<GradingRule, Msg> {
        let mut rule = serde_json::to_value(GradingRule::default()).expect("a rule serializes");
        let known = rule.as_object_mut().expect("a rule is a JSON object");
        for (name, value) in fields {
            let Some(slot) = known.get_mut(name.as_str()) else {
                continue;
            };
            let value = value.trim();
            *slot = if name == "post_min_chars" {
                let whole: i64 = value.parse().map_err(|_| {
                    Msg::new("error-rule-whole-number")
                        .arg("field", name)
                        .arg("value", value)
                })?;
                whole.into()
            } else {
                let number: f64 = value
                    .parse()
                    .ok()
                    .filter(|number: &f64| number.is_finite())
                    .ok_or_else(|| {
                        Msg::new("error-rule-number")
                            .arg("field", name)
                            .arg("value", value)
                    })?;
                number.into()
            };
        }
        let rule: GradingRule = serde_json::from_value(rule)
            .map_err(|error| Msg::new("error-rule-unreadable").arg("detail", error.to_string()))?;
        rule.validate()?;
        Ok(rule)
    }

    /// Points `person` earns from one logged contribution, before the weekly cap.
    pub fn points_for(&self, person: i64, row: &ContributionRow) -> f64 {
        if row.actor_id == person {
            return match row.kind.as_str() {
                "message" if row.length.unwrap_or(0) >= self.post_min_chars => self.post_points,
                "reply" => self.reply_points,
                "help_given" => self.help_points,
                "showcase_item" => self.showcase_points,
                "feedback" => self.feedback_points,
                "focus_completed" => self.focus_points,
                // Logged once per person and questionnaire, on the first response.
                "questionnaire_answered" => self.questionnaire_points,
                _ => 0.0,
            };
        }
        if row.target_id == Some(person) {
            return match row.kind.as_str() {
                "reply" => self.reply_received_points,
                "reaction" | "showcase_reaction" => self.reaction_received_points,
                _ => 0.0,
            };
        }
        0.0
    }

    /// Sums `person`'s points with the weekly soft cap. `rows` must be oldest first;
    /// rows before `starts_at` earn nothing.
    pub fn earned_points(&self, person: i64, rows: &[ContributionRow], starts_at: i64) -> f64 {
        let mut total = 0.0;
        let mut week = None;
        let mut week_total = 0.0;
        for row in rows.iter().filter(|row| row.created_at >= starts_at) {
            let points = self.points_for(person, row);
            if points == 0.0 {
                continue;
            }
            let row_week = (row.created_at - starts_at) / WEEK_SECS;
            if week != Some(row_week) {
                week = Some(row_week);
                week_total = 0.0;
            }
            if week_total < self.weekly_cap {
                week_total += points;
                total += points;
            }
        }
        total
    }

    /// Returns `person`'s capped points in each of the first `weeks` weeks from
    /// `starts_at`, by the same rule as [`GradingRule::earned_points`]. `rows` must be
    /// oldest first.
    pub fn weekly_points(
        &self,
        person: i64,
        rows: &[ContributionRow],
        starts_at: i64,
        weeks: usize,
    ) -> Vec<f64> {
        let mut totals = vec![0.0; weeks];
        for row in rows.iter().filter(|row| row.created_at >= starts_at) {
            let points = self.points_for(person, row);
            let Ok(week) = usize::try_from((row.created_at - starts_at) / WEEK_SECS) else {
                continue;
            };
            if points == 0.0 || week >= weeks {
                continue;
            }
            if totals[week] < self.weekly_cap {
                totals[week] += points;
            }
        }
        totals
    }

    /// Maps earned and awarded points to a grade at `now`.
    pub fn grade(&self, earned: f64, awarded: f64, starts_at: i64, now: i64) -> GradeOutcome {
        let weeks = weeks_elapsed(starts_at, now);
        let expected = self.weekly_target * weeks as f64;
        let fraction = ((earned + awarded) / expected).clamp(0.0, 1.0);
        GradeOutcome {
            earned,
            awarded,
            weeks,
            fraction,
            score_given: round_hundredths(fraction * self.score_maximum),
        }
    }
}

/// Weeks begun since `starts_at`, at least one.
pub fn weeks_elapsed(starts_at: i64, now: i64) -> i64 {
    let elapsed = (now - starts_at).max(0);
    (elapsed / WEEK_SECS + 1).max(1)
}

fn round_hundredths(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: i64 = 1_000_000;
    const ME: i64 = 1;
    const OTHER: i64 = 2;

    fn row(actor: i64, target: Option<i64>, kind: &str, at: i64) -> ContributionRow {
        ContributionRow {
            actor_id: actor,
            target_id: target,
            kind: kind.into(),
            created_at: at,
            length: None,
        }
    }

    fn post(actor: i64, length: i64, at: i64) -> ContributionRow {
        ContributionRow {
            length: Some(length),
            ..row(actor, None, "message", at)
        }
    }

    #[test]
    fn default_rule_is_valid() {
        assert_eq!(GradingRule::default().validate(), Ok(()));
    }

    #[test]
    fn every_kind_earns_its_points() {
        let rule = GradingRule::default();
        let cases = [
            (post(ME, 40, START), rule.post_points),
            (row(ME, Some(OTHER), "reply", START), rule.reply_points),
            (
                row(OTHER, Some(ME), "reply", START),
                rule.reply_received_points,
            ),
            (
                row(OTHER, Some(ME), "reaction", START),
                rule.reaction_received_points,
            ),
            (
                row(OTHER, Some(ME), "showcase_reaction", START),
                rule.reaction_received_points,
            ),
            (row(ME, Some(OTHER), "help_given", START), rule.help_points),
            (row(ME, None, "showcase_item", START), rule.showcase_points),
            (
                row(ME, Some(OTHER), "feedback", START),
                rule.feedback_points,
            ),
            (row(ME, None, "focus_completed", START), rule.focus_points),
            (
                row(ME, None, "questionnaire_answered", START),
                rule.questionnaire_points,
            ),
        ];
        for (contribution, expected) in cases {
            assert_eq!(
                rule.points_for(ME, &contribution),
                expected,
                "{contribution:?}"
            );
        }
    }

    #[test]
    fn short_and_deleted_posts_earn_nothing() {
        let rule = GradingRule::default();
        assert_eq!(rule.points_for(ME, &post(ME, 39, START)), 0.0);
        assert_eq!(rule.points_for(ME, &row(ME, None, "message", START)), 0.0);
    }

    #[test]
    fn others_contributions_and_unknown_kinds_earn_nothing() {
        let rule = GradingRule::default();
        assert_eq!(rule.points_for(ME, &post(OTHER, 100, START)), 0.0);
        assert_eq!(
            rule.points_for(ME, &row(OTHER, Some(ME), "mention", START)),
            0.0
        );
        assert_eq!(
            rule.points_for(ME, &row(ME, None, "event_rsvp", START)),
            0.0
        );
        assert_eq!(
            rule.points_for(ME, &row(OTHER, Some(ME), "help_given", START)),
            0.0
        );
    }

    #[test]
    fn crossing_contribution_counts_in_full_then_stops() {
        let rule = GradingRule {
            weekly_target: 4.0,
            weekly_cap: 5.0,
            ..GradingRule::default()
        };
        // 3 + 3 crosses the cap of 5 and counts in full; the third help earns nothing.
        let rows = [
            row(ME, Some(OTHER), "help_given", START + 10),
            row(ME, Some(OTHER), "help_given", START + 20),
            row(ME, Some(OTHER), "help_given", START + 30),
        ];
        assert_eq!(rule.earned_points(ME, &rows, START), 6.0);
    }

    #[test]
    fn cap_resets_each_week() {
        let rule = GradingRule {
            weekly_target: 4.0,
            weekly_cap: 5.0,
            ..GradingRule::default()
        };
        let rows = [
            row(ME, Some(OTHER), "help_given", START),
            row(ME, Some(OTHER), "help_given", START + 1),
            row(ME, Some(OTHER), "help_given", START + 2),
            row(ME, Some(OTHER), "help_given", START + WEEK_SECS),
            row(ME, Some(OTHER), "help_given", START + WEEK_SECS + 1),
            row(ME, Some(OTHER), "help_given", START + WEEK_SECS + 2),
        ];
        assert_eq!(rule.earned_points(ME, &rows, START), 12.0);
    }

    #[test]
    fn contributions_before_start_are_ignored() {
        let rule = GradingRule::default();
        let rows = [row(ME, None, "showcase_item", START - 1)];
        assert_eq!(rule.earned_points(ME, &rows, START), 0.0);
    }

    #[test]
    fn weekly_points_follow_cap() {
        let rule = GradingRule::default();
        // Week 0: six showcase items of 3 points; the sixth starts at 15, the cap, and
        // earns nothing. Week 2: one help of 3 points. Week 4 lies outside three weeks.
        let mut rows: Vec<ContributionRow> = (0..6)
            .map(|i| row(ME, None, "showcase_item", START + i))
            .collect();
        rows.push(row(ME, None, "help_given", START + 2 * WEEK_SECS));
        rows.push(row(ME, None, "help_given", START + 4 * WEEK_SECS));
        rows.push(row(OTHER, None, "help_given", START + WEEK_SECS));
        let weekly = rule.weekly_points(ME, &rows, START, 3);
        assert_eq!(weekly, vec![15.0, 0.0, 3.0]);
        let total = rule.earned_points(ME, &rows[..7], START);
        assert_eq!(weekly.iter().sum::<f64>(), total);
    }

    #[test]
    fn grade_scales_with_weeks_elapsed() {
        let rule = GradingRule::default();
        let first_week = rule.grade(5.0, 0.0, START, START + 100);
        assert_eq!(first_week.weeks, 1);
        assert_eq!(first_week.score_given, 50.0);
        let third_week = rule.grade(5.0, 0.0, START, START + 2 * WEEK_SECS);
        assert_eq!(third_week.weeks, 3);
        assert_eq!(third_week.score_given, 16.67);
    }

    #[test]
    fn grade_is_capped_at_maximum() {
        let rule = GradingRule {
            score_maximum: 50.0,
            ..GradingRule::default()
        };
        let outcome = rule.grade(14.0, 0.0, START, START);
        assert_eq!(outcome.fraction, 1.0);
        assert_eq!(outcome.score_given, 50.0);
    }

    #[test]
    fn awards_ignore_the_cap() {
        let rule = GradingRule::default();
        let rows: Vec<_> = (0..10)
            .map(|i| row(ME, Some(OTHER), "help_given", START + i))
            .collect();
        let earned = rule.earned_points(ME, &rows, START);
        assert_eq!(earned, 15.0);
        let outcome = rule.grade(earned, 20.0, START, START + 3 * WEEK_SECS);
        assert_eq!(outcome.weeks, 4);
        assert_eq!(outcome.score_given, 87.5);
    }

    #[test]
    fn negative_total_grades_zero() {
        let outcome = GradingRule::default().grade(1.0, -5.0, START, START);
        assert_eq!(outcome.score_given, 0.0);
    }

    #[test]
    fn invalid_rules_are_rejected() {
        let cases = [
            GradingRule {
                weekly_target: 0.0,
                ..GradingRule::default()
            },
            GradingRule {
                weekly_cap: 5.0,
                ..GradingRule::default()
            },
            GradingRule {
                help_points: -1.0,
                ..GradingRule::default()
            },
            GradingRule {
                post_points: f64::NAN,
                ..GradingRule::default()
            },
            GradingRule {
                score_maximum: 0.0,
                ..GradingRule::default()
            },
            GradingRule {
                post_min_chars: -1,
                ..GradingRule::default()
            },
        ];
        for rule in cases {
            assert!(rule.validate().is_err(), "{rule:?}");
        }
    }

    #[test]
    fn rule_reads_partial_json_with_defaults() {
        let rule: GradingRule =
            serde_json::from_str(r#"{"weekly_target": 20, "weekly_cap": 30}"#).unwrap();
        assert_eq!(rule.weekly_target, 20.0);
        assert_eq!(rule.help_points, GradingRule::default().help_points);
    }

    #[test]
    fn reads_a_rule_from_form_fields() {
        let fields = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect()
        };
        let rule = GradingRule::from_form(&fields(&[
            ("weekly_target", "12"),
            ("weekly_cap", " 20 "),
            ("post_min_chars", "60"),
            ("score_maximum", "50"),
            ("title", "ignored: not a rule field"),
        ]))
        .unwrap();
        assert_eq!(rule.weekly_target, 12.0);
        assert_eq!(rule.weekly_cap, 20.0);
        assert_eq!(rule.post_min_chars, 60);
        assert_eq!(rule.score_maximum, 50.0);
        assert_eq!(rule.help_points, GradingRule::default().help_points);

        let error = GradingRule::from_form(&fields(&[("post_min_chars", "4.5")]))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("post_min_chars must be a whole number"),
            "{error}"
        );
        let error = GradingRule::from_form(&fields(&[("help_points", "NaN")]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("help_points must be a number"), "{error}");
        let error = GradingRule::from_form(&fields(&[("weekly_cap", "5")]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("weekly_cap"), "{error}");
    }
}
