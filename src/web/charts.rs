//! Server-rendered SVG charts for the dashboards.
//!
//! Each chart is an `<svg role="img">` whose `<title>` and `<desc>` name it and summarise
//! it for screen readers, and the page shows the chart's numbers in a table next to it.
//! Series differ by fill pattern or dash style as well as by colour, so the charts stay
//! readable when printed in black and white. Every text that reaches the markup passes
//! through [`escape`].

use std::fmt::Write;

/// Width and height of the drawing area of bar and line charts, in SVG user units.
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
/// Space for the axis labels on the left and below.
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 36.0;
const TOP: f64 = 12.0;

/// Fill colours of the series, dark enough to print as distinct greys.
const COLOURS: [&str; 4] = ["#1f4e79", "#c55a11", "#548235", "#7f6000"];
/// Dash arrays of line series, so lines differ without colour.
const DASHES: [&str; 4] = ["", "6 3", "2 3", "8 3 2 3"];

/// One named series of values, one per category. `None` is a gap.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub values: Vec<Option<f64>>,
}

/// Escapes text for SVG and HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(character),
        }
    }
    escaped
}

/// Formats a number with at most `decimals` decimals and no trailing zeros.
pub fn number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        if trimmed == "-0" {
            return "0".into();
        }
        trimmed.to_string()
    } else {
        text
    }
}

/// Returns a round upper bound of the axis for values up to `max`, and the step between
/// its at most four grid lines. With `whole`, the step is at least 1, for counts.
fn axis_scale(max: f64, whole: bool) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return if whole { (4.0, 1.0) } else { (1.0, 0.25) };
    }
    let magnitude = 10f64.powf((max / 4.0).log10().floor());
    let mut step = magnitude * 10.0;
    for factor in [1.0, 2.0, 2.5, 5.0] {
        if magnitude * factor * 4.0 >= max {
            step = magnitude * factor;
            break;
        }
    }
    if whole {
        step = step.max(1.0).ceil();
    }
    // Rounding removes the binary error of `ticks × step`, such as 0.6000000000000001.
    let top = ((max / step).ceil() * step * 1e9).round() / 1e9;
    (top, step)
}

fn open_svg(out: &mut String, id: &str, title: &str, summary: &str, width: f64, height: f64) {
    let id = escape(id);
    let _ = write!(
        out,
        "<svg id=\"{id}\" class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(summary)
    );
}

/// Draws the value axis with its grid lines and the category labels under the plot.
fn axes(out: &mut String, categories: &[String], top_value: f64, step: f64, decimals: usize) {
    let plot_height = HEIGHT - TOP - BOTTOM;
    let mut tick = 0.0;
    while tick <= top_value + step / 2.0 {
        let y = TOP + plot_height * (1.0 - tick / top_value);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{WIDTH}\" y1=\"{y:.1}\" y2=\"{y:.1}\" \
             stroke=\"#bbb\" stroke-width=\"0.5\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"10\">{}</text>",
            LEFT - 4.0,
            y + 3.0,
            number(tick, decimals)
        );
        tick += step;
    }
    let slot = (WIDTH - LEFT) / categories.len().max(1) as f64;
    // Label every category when they fit, else about ten of them.
    let every = categories.len().div_ceil(10).max(1);
    for (index, category) in categories.iter().enumerate().step_by(every) {
        let x = LEFT + slot * (index as f64 + 0.5);
        let _ = write!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{}</text>",
            HEIGHT - BOTTOM + 14.0,
            escape(category)
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{LEFT}\" x2=\"{WIDTH}\" y1=\"{0:.1}\" y2=\"{0:.1}\" stroke=\"#000\"/>",
        HEIGHT - BOTTOM
    );
}

/// Draws the legend in one row under the category labels.
fn legend(out: &mut String, id: &str, series: &[Series], lines: bool) {
    let mut x = LEFT;
    let y = HEIGHT - 8.0;
    for (index, entry) in series.iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        if lines {
            let _ = write!(
                out,
                "<line x1=\"{x:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" \
                 stroke-width=\"2\" stroke-dasharray=\"{}\"/>",
                x + 16.0,
                y - 4.0,
                y - 4.0,
                DASHES[index % DASHES.len()]
            );
        } else {
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"8\" \
                 fill=\"url(#{id}-pattern-{index})\" stroke=\"{colour}\"/>",
                y - 8.0
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{y:.1}\" font-size=\"10\">{}</text>",
            x + 20.0,
            escape(&entry.label)
        );
        x += 28.0 + 6.0 * entry.label.chars().count() as f64;
    }
}

/// Defines one fill pattern per series: solid, hatched, dotted and cross-hatched. `id` is
/// the chart's escaped id, which keeps pattern ids unique on a page with several charts.
fn patterns(out: &mut String, id: &str, count: usize) {
    out.push_str("<defs>");
    for index in 0..count {
        let colour = COLOURS[index % COLOURS.len()];
        let _ = write!(
            out,
            "<pattern id=\"{id}-pattern-{index}\" patternUnits=\"userSpaceOnUse\" width=\"6\" \
             height=\"6\"><rect width=\"6\" height=\"6\" fill=\"{colour}\" \
             fill-opacity=\"{}\"/>",
            if index % 4 == 0 { "1" } else { "0.35" }
        );
        match index % 4 {
            1 => {
                let _ = write!(
                    out,
                    "<path d=\"M0,6 L6,0\" stroke=\"{colour}\" stroke-width=\"1.5\"/>"
                );
            }
            2 => {
                let _ = write!(
                    out,
                    "<circle cx=\"3\" cy=\"3\" r=\"1.3\" fill=\"{colour}\"/>"
                );
            }
            3 => {
                let _ = write!(
                    out,
                    "<path d=\"M0,0 L6,6 M0,6 L6,0\" stroke=\"{colour}\" stroke-width=\"1\"/>"
                );
            }
            _ => {}
        }
        out.push_str("</pattern>");
    }
    out.push_str("</defs>");
}

/// Renders stacked bars: one bar per category, one segment per series. The value axis
/// shows `decimals` decimals, and whole steps when it is 0.
pub fn stacked_bars(
    id: &str,
    title: &str,
    summary: &str,
    categories: &[String],
    series: &[Series],
    decimals: usize,
) -> String {
    let totals: Vec<f64> = (0..categories.len())
        .map(|index| {
            series
                .iter()
                .filter_map(|entry| entry.values.get(index).copied().flatten())
                .sum()
        })
        .collect();
    let max = totals.iter().copied().fold(0.0, f64::max);
    let (top_value, step) = axis_scale(max, decimals == 0);
    let mut out = String::new();
    open_svg(&mut out, id, title, summary, WIDTH, HEIGHT);
    let id = escape(id);
    patterns(&mut out, &id, series.len());
    axes(&mut out, categories, top_value, step, decimals);
    let plot_height = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT) / categories.len().max(1) as f64;
    let bar_width = (slot * 0.7).clamp(1.0, 48.0);
    for index in 0..categories.len() {
        let x = LEFT + slot * index as f64 + (slot - bar_width) / 2.0;
        let mut base = 0.0;
        for (series_index, entry) in series.iter().enumerate() {
            let value = entry.values.get(index).copied().flatten().unwrap_or(0.0);
            if value <= 0.0 {
                continue;
            }
            let y = TOP + plot_height * (1.0 - (base + value) / top_value);
            let height = plot_height * value / top_value;
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_width:.1}\" height=\"{height:.1}\" \
                 fill=\"url(#{id}-pattern-{series_index})\" stroke=\"{}\" stroke-width=\"0.5\"/>",
                COLOURS[series_index % COLOURS.len()]
            );
            base += value;
        }
    }
    legend(&mut out, &id, series, false);
    out.push_str("</svg>");
    out
}

/// Renders one line per series over the categories, with a marker at each value. A
/// `None` value breaks the line.
pub fn lines(
    id: &str,
    title: &str,
    summary: &str,
    categories: &[String],
    series: &[Series],
    decimals: usize,
) -> String {
    let max = series
        .iter()
        .flat_map(|entry| entry.values.iter().flatten())
        .copied()
        .fold(0.0, f64::max);
    let (top_value, step) = axis_scale(max, decimals == 0);
    let mut out = String::new();
    open_svg(&mut out, id, title, summary, WIDTH, HEIGHT);
    axes(&mut out, categories, top_value, step, decimals);
    let plot_height = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT) / categories.len().max(1) as f64;
    for (series_index, entry) in series.iter().enumerate() {
        let colour = COLOURS[series_index % COLOURS.len()];
        let mut path = String::new();
        let mut pen_down = false;
        let mut markers = String::new();
        for (index, value) in entry.values.iter().enumerate().take(categories.len()) {
            let Some(value) = value else {
                pen_down = false;
                continue;
            };
            let x = LEFT + slot * (index as f64 + 0.5);
            let y = TOP + plot_height * (1.0 - value / top_value);
            let _ = write!(path, "{}{x:.1},{y:.1} ", if pen_down { "L" } else { "M" });
            pen_down = true;
            let _ = write!(
                markers,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\" fill=\"{colour}\"/>"
            );
        }
        let _ = write!(
            out,
            "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" \
             stroke-dasharray=\"{}\"/>{markers}",
            path.trim_end(),
            DASHES[series_index % DASHES.len()]
        );
    }
    legend(&mut out, id, series, true);
    out.push_str("</svg>");
    out
}

/// A person in the network chart.
#[derive(Debug, Clone)]
pub struct Node {
    pub user_id: i64,
    pub label: String,
    /// Number of other people the person interacted with.
    pub degree: usize,
}

/// Renders the interaction network with the people on a circle, in the given order, and
/// a line per pair that interacted, thicker for more interactions. People without any
/// interaction are drawn as hollow squares, the others as filled circles sized by degree.
pub fn network(
    id: &str,
    title: &str,
    summary: &str,
    nodes: &[Node],
    edges: &[(i64, i64, usize)],
) -> String {
    const SIZE: f64 = 480.0;
    // Names are written only when they fit around the circle, in a margin on each side.
    let labelled = nodes.len() <= 40;
    let margin = if labelled { 110.0 } else { 0.0 };
    let centre = SIZE / 2.0;
    let radius = SIZE / 2.0 - 28.0;
    let mut out = String::new();
    open_svg(&mut out, id, title, summary, SIZE + 2.0 * margin, SIZE);
    let position = |index: usize| {
        let angle = std::f64::consts::TAU * index as f64 / nodes.len().max(1) as f64
            - std::f64::consts::FRAC_PI_2;
        (
            margin + centre + radius * angle.cos(),
            centre + radius * angle.sin(),
        )
    };
    let index_of: std::collections::HashMap<i64, usize> = nodes
        .iter()
        .enumerate()
        .map(|(index, node)| (node.user_id, index))
        .collect();
    let heaviest = edges.iter().map(|edge| edge.2).max().unwrap_or(1).max(1) as f64;
    out.push_str("<g class=\"edges\" stroke=\"#555\" stroke-opacity=\"0.55\">");
    for &(a, b, count) in edges {
        let (Some(&from), Some(&to)) = (index_of.get(&a), index_of.get(&b)) else {
            continue;
        };
        let ((x1, y1), (x2, y2)) = (position(from), position(to));
        let width = 0.6 + 2.4 * count as f64 / heaviest;
        let _ = write!(
            out,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke-width=\"{width:.2}\"/>"
        );
    }
    out.push_str("</g><g class=\"nodes\">");
    let max_degree = nodes
        .iter()
        .map(|node| node.degree)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    for (index, node) in nodes.iter().enumerate() {
        let (x, y) = position(index);
        let label = escape(&node.label);
        if node.degree == 0 {
            let _ = write!(
                out,
                "<rect class=\"isolated\" x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"7\" \
                 fill=\"#fff\" stroke=\"#c00000\" stroke-width=\"1.5\"><title>{label}</title></rect>",
                x - 3.5,
                y - 3.5
            );
        } else {
            let size = 2.5 + 4.5 * node.degree as f64 / max_degree;
            let _ = write!(
                out,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{size:.1}\" fill=\"{}\"><title>{label}</title></circle>",
                COLOURS[0]
            );
        }
        if labelled {
            let left = x < margin + centre - 1.0;
            let anchor = if left { "end" } else { "start" };
            let offset = if left { -9.0 } else { 9.0 };
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"{anchor}\">{label}</text>",
                x + offset,
                y + 3.0
            );
        }
    }
    out.push_str("</g></svg>");
    out
}

/// Renders a horizontal progress bar from 0 to `target`, with the target marked.
pub fn progress(id: &str, title: &str, summary: &str, value: f64, target: f64) -> String {
    const BAR_WIDTH: f64 = 320.0;
    let mut out = String::new();
    open_svg(&mut out, id, title, summary, BAR_WIDTH + 8.0, 28.0);
    let scale = target.max(value).max(f64::MIN_POSITIVE);
    let filled = BAR_WIDTH * (value.max(0.0) / scale);
    let mark = 4.0 + BAR_WIDTH * (target / scale);
    let _ = write!(
        out,
        "<rect x=\"4\" y=\"6\" width=\"{BAR_WIDTH}\" height=\"14\" fill=\"#fff\" stroke=\"#000\"/>\
         <rect x=\"4\" y=\"6\" width=\"{filled:.1}\" height=\"14\" fill=\"{}\"/>\
         <line x1=\"{mark:.1}\" x2=\"{mark:.1}\" y1=\"2\" y2=\"24\" stroke=\"#c00000\" \
         stroke-width=\"2\" stroke-dasharray=\"3 2\"/></svg>",
        COLOURS[0]
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weeks(count: usize) -> Vec<String> {
        (1..=count).map(|week| week.to_string()).collect()
    }

    #[test]
    fn escape_covers_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn number_trims_zeros() {
        assert_eq!(number(0.25, 3), "0.25");
        assert_eq!(number(2.0, 2), "2");
        assert_eq!(number(10.0, 0), "10");
        assert_eq!(number(-0.0001, 2), "0");
    }

    #[test]
    fn axis_scale_rounds_up() {
        assert_eq!(axis_scale(7.0, true), (8.0, 2.0));
        assert_eq!(axis_scale(0.0, false), (1.0, 0.25));
        assert_eq!(axis_scale(0.0, true), (4.0, 1.0));
        assert_eq!(axis_scale(1.0, false), (1.0, 0.25));
        assert_eq!(axis_scale(2.0, true), (2.0, 1.0));
        assert_eq!(axis_scale(1234.0, true), (1500.0, 500.0));
        assert_eq!(axis_scale(0.6, false), (0.6, 0.2));
    }

    #[test]
    fn charts_are_labelled_images() {
        let series = vec![Series {
            label: "Chat".into(),
            values: vec![Some(3.0), None, Some(1.0)],
        }];
        for svg in [
            stacked_bars("activity", "Activity", "Three weeks", &weeks(3), &series, 0),
            lines("trend", "Trend", "Three weeks", &weeks(3), &series, 0),
        ] {
            assert!(svg.starts_with("<svg id="), "{svg}");
            assert!(svg.contains("role=\"img\""), "{svg}");
            assert!(svg.contains("<title id="), "{svg}");
            assert!(svg.contains("<desc id="), "{svg}");
            assert!(svg.ends_with("</svg>"), "{svg}");
        }
    }

    #[test]
    fn bars_stack_series() {
        let series = vec![
            Series {
                label: "A".into(),
                values: vec![Some(2.0), Some(0.0)],
            },
            Series {
                label: "B".into(),
                values: vec![Some(2.0), Some(1.0)],
            },
        ];
        let svg = stacked_bars("bars", "Bars", "", &weeks(2), &series, 0);
        // Three segments and two legend keys: the zero value draws nothing.
        assert_eq!(
            svg.matches("fill=\"url(#bars-pattern-").count(),
            3 + 2,
            "{svg}"
        );
        // The axis runs to 4, so the stacked bar of 4 reaches the top of the plot.
        assert!(svg.contains(&format!("y=\"{TOP:.1}\"")), "{svg}");
    }

    #[test]
    fn lines_break_at_gaps() {
        let series = vec![Series {
            label: "Rate".into(),
            values: vec![Some(1.0), None, Some(0.5), Some(0.5)],
        }];
        let svg = lines("rate", "Rate", "", &weeks(4), &series, 2);
        let path = svg.split("<path d=\"").nth(1).unwrap();
        let path = path.split('"').next().unwrap();
        assert_eq!(path.matches('M').count(), 2, "{path}");
        assert_eq!(path.matches('L').count(), 1, "{path}");
    }

    #[test]
    fn text_is_escaped() {
        let hostile = "<script>alert(1)</script>";
        let series = vec![Series {
            label: hostile.into(),
            values: vec![Some(1.0)],
        }];
        let nodes = vec![Node {
            user_id: 1,
            label: hostile.into(),
            degree: 0,
        }];
        for svg in [
            stacked_bars(hostile, hostile, hostile, &[hostile.into()], &series, 0),
            lines(hostile, hostile, hostile, &[hostile.into()], &series, 0),
            network(hostile, hostile, hostile, &nodes, &[]),
            progress(hostile, hostile, hostile, 1.0, 2.0),
        ] {
            assert!(!svg.contains("<script"), "{svg}");
        }
    }

    #[test]
    fn network_marks_isolated_people() {
        let nodes = vec![
            Node {
                user_id: 1,
                label: "Anna".into(),
                degree: 1,
            },
            Node {
                user_id: 2,
                label: "Boris".into(),
                degree: 1,
            },
            Node {
                user_id: 3,
                label: "Chen".into(),
                degree: 0,
            },
        ];
        let svg = network("net", "Network", "", &nodes, &[(1, 2, 4), (1, 99, 1)]);
        assert_eq!(
            svg.matches("<line").count(),
            1,
            "edges to unknown people are skipped"
        );
        assert_eq!(svg.matches("class=\"isolated\"").count(), 1, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 2, "{svg}");
        assert!(svg.contains(">Chen</text>"), "{svg}");
    }

    #[test]
    fn progress_marks_target() {
        let svg = progress("p", "Progress", "", 5.0, 10.0);
        assert!(
            svg.contains("width=\"160.0\""),
            "half the bar is filled: {svg}"
        );
        assert!(
            svg.contains("x1=\"324.0\""),
            "the target is at the end: {svg}"
        );
    }
}
