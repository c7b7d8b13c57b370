//! Charts as inline SVG: no script, no font or file from outside, so a
//! report that holds them works offline, from an e-mail attachment.
//!
//! One kind of chart serves every section of the report: horizontal bars
//! by category, one bar per series, each with its interval where it has
//! one. Horizontal bars keep long names (förbund, indicators) readable, and
//! a bar with an interval is how the national reports show shares. A
//! withheld value draws no bar: its place says `..` with the reason on
//! hover, never a bar of zero.
//!
//! ```
//! use finsam_core::publish::chart::{BarChart, Series};
//! use finsam_core::publish::{Cell, Reason, Unit};
//! let chart = BarChart {
//!     title: "Andel till arbete eller studier".into(),
//!     unit: Unit::Share,
//!     categories: vec!["Kvinna".into(), "Man".into()],
//!     series: vec![Series {
//!         name: "2022".into(),
//!         values: vec![Cell::Shown(0.31), Cell::Suppressed(Reason::Primary)],
//!         intervals: vec![Some((0.29, 0.33)), None],
//!     }],
//! };
//! let svg = chart.to_svg();
//! assert!(svg.starts_with("<svg"));
//! assert_eq!(svg.matches("<rect class=\"bar\"").count(), 1);
//! assert!(svg.contains(">..</text>"));
//! ```

use std::fmt::Write as _;

use crate::publish::disclosure::Cell;
use crate::publish::labels::{format_sv, reason_sv};
use crate::publish::table::{Unit, escape_html};

/// The series' colours: Okabe & Ito's, distinguishable in the common forms
/// of colour blindness, with their two light ones darkened to stand out on
/// white.
const COLOURS: [&str; 6] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#3A7FA8", "#9A6A00"];

/// The chart's width in pixels; it scales down with the page.
const WIDTH: f64 = 760.0;
/// The height of one bar, and the gap after each category.
const BAR: f64 = 13.0;
const GAP: f64 = 9.0;
/// The height of a row of the legend.
const LEGEND_ROW: f64 = 20.0;
/// The most characters of a category's label shown (the rest is on hover).
const LABEL_CHARS: usize = 44;
/// The width of a character of a category's label, generously (11 px sans).
const CHAR_WIDTH: f64 = 6.6;

/// A horizontal bar chart of `series` by `categories`.
#[derive(Clone, Debug, PartialEq)]
pub struct BarChart {
    /// The title, drawn above the bars.
    pub title: String,
    /// The unit of every value (the axis is formatted by it).
    pub unit: Unit,
    /// The categories, top to bottom.
    pub categories: Vec<String>,
    /// The series: a bar each in every category.
    pub series: Vec<Series>,
}

/// One series of a [`BarChart`]: a value per category.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The legend's name.
    pub name: String,
    /// The value in each category, shown or withheld.
    pub values: Vec<Cell<f64>>,
    /// The interval (low, high) of each value, where it has one.
    pub intervals: Vec<Option<(f64, f64)>>,
}

impl BarChart {
    /// Whether the chart has any value to draw.
    pub fn has_values(&self) -> bool {
        self.series.iter().any(|s| s.values.iter().any(|v| v.value().is_some_and(f64::is_finite)))
    }

    /// The chart as an `<svg>` element of class `chart`, with a `<title>`
    /// on every bar and interval for hover.
    pub fn to_svg(&self) -> String {
        let label_width = 8.0
            + CHAR_WIDTH * self.categories.iter().map(|c| c.chars().count().min(LABEL_CHARS)).max().unwrap_or(4) as f64;
        let legend = self.legend_layout().last().map_or(0.0, |&(_, rows)| LEGEND_ROW * (rows + 1) as f64);
        let top = 30.0 + legend;
        let per_category = BAR * self.series.len().max(1) as f64 + GAP;
        let height = top + per_category * self.categories.len() as f64 + 28.0;
        let plot = Plot::new(self.extent(), label_width + 6.0, WIDTH - 24.0);
        let mut svg = format!(
            "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height:.0}\" width=\"{WIDTH}\" height=\"{height:.0}\" role=\"img\" aria-label=\"{}\" font-family=\"system-ui, sans-serif\" font-size=\"11\">",
            escape_html(&self.title)
        );
        let _ = write!(svg, "<title>{}</title>", escape_html(&self.title));
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"16\" font-size=\"13\" font-weight=\"600\">{}</text>",
            escape_html(&self.title)
        );
        self.draw_legend(&mut svg, 40.0);
        plot.draw_axis(&mut svg, top - 4.0, height - 26.0, self.unit);
        for (c, category) in self.categories.iter().enumerate() {
            let y0 = top + per_category * c as f64;
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\"><title>{}</title>{}</text>",
                label_width,
                y0 + (per_category - GAP) / 2.0 + 4.0,
                escape_html(category),
                escape_html(&shortened(category))
            );
            for (s, series) in self.series.iter().enumerate() {
                let y = y0 + BAR * s as f64;
                let what =
                    if self.series.len() > 1 { format!("{category}, {}", series.name) } else { category.clone() };
                let interval = series.intervals.get(c).copied().flatten();
                self.draw_bar(&mut svg, &plot, y, s, series.values.get(c).copied(), interval, &what);
            }
        }
        svg.push_str("</svg>");
        svg
    }

    /// The range of values and interval bounds, with zero in it.
    fn extent(&self) -> (f64, f64) {
        let mut lo: f64 = 0.0;
        let mut hi: f64 = 0.0;
        for s in &self.series {
            let shown = s.values.iter().filter_map(Cell::value);
            let bounds = s.intervals.iter().flatten().flat_map(|&(a, b)| [a, b]);
            for x in shown.chain(bounds).filter(|x| x.is_finite()) {
                lo = lo.min(x);
                hi = hi.max(x);
            }
        }
        if lo == hi { (0.0, 1.0) } else { (lo, hi) }
    }

    /// Where each legend entry goes: `(x, row)`, wrapped onto new rows
    /// within the chart's width; none for a single series.
    fn legend_layout(&self) -> Vec<(f64, usize)> {
        if self.series.len() < 2 {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(self.series.len());
        let (mut x, mut row) = (0.0, 0);
        for series in &self.series {
            let width = 28.0 + CHAR_WIDTH * series.name.chars().count() as f64;
            if x > 0.0 && x + width > WIDTH {
                (x, row) = (0.0, row + 1);
            }
            out.push((x, row));
            x += width;
        }
        out
    }

    fn draw_legend(&self, svg: &mut String, y: f64) {
        for (s, (series, (x, row))) in self.series.iter().zip(self.legend_layout()).enumerate() {
            let y = y + LEGEND_ROW * row as f64;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/><text class=\"legend\" x=\"{:.1}\" y=\"{y:.1}\">{}</text>",
                y - 10.0,
                COLOURS[s % COLOURS.len()],
                x + 16.0,
                escape_html(&series.name)
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn draw_bar(
        &self,
        svg: &mut String,
        plot: &Plot,
        y: f64,
        series: usize,
        value: Option<Cell<f64>>,
        interval: Option<(f64, f64)>,
        what: &str,
    ) {
        let mid = y + (BAR - 2.0) / 2.0;
        match value {
            Some(Cell::Shown(v)) if v.is_finite() => {
                let (a, b) = (plot.x(0.0), plot.x(v));
                let mut title = format!("{what}: {}", format_sv(v, self.unit));
                if let Some((lo, hi)) = interval.filter(|(lo, hi)| lo.is_finite() && hi.is_finite()) {
                    let _ = write!(title, " ({}–{})", format_sv(lo, self.unit), format_sv(hi, self.unit));
                }
                let _ = write!(
                    svg,
                    "<rect class=\"bar\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}</title></rect>",
                    a.min(b),
                    (b - a).abs().max(0.5),
                    BAR - 2.0,
                    COLOURS[series % COLOURS.len()],
                    escape_html(&title)
                );
                if let Some((lo, hi)) = interval.filter(|(lo, hi)| lo.is_finite() && hi.is_finite()) {
                    let (l, h) = (plot.x(lo), plot.x(hi));
                    let _ = write!(
                        svg,
                        "<path class=\"interval\" d=\"M{l:.1} {mid:.1}H{h:.1}M{l:.1} {:.1}V{:.1}M{h:.1} {:.1}V{:.1}\" stroke=\"#222\" stroke-width=\"1.2\" fill=\"none\"><title>{}</title></path>",
                        mid - 3.5,
                        mid + 3.5,
                        mid - 3.5,
                        mid + 3.5,
                        escape_html(&title)
                    );
                }
            }
            Some(Cell::Suppressed(reason)) => {
                let _ = write!(
                    svg,
                    "<text class=\"withheld\" x=\"{:.1}\" y=\"{:.1}\" fill=\"#555\"><title>{}: undertryckt. {}</title>..</text>",
                    plot.x(0.0) + 3.0,
                    mid + 4.0,
                    escape_html(what),
                    reason_sv(reason)
                );
            }
            _ => {}
        }
    }
}

/// `text` cut to [`LABEL_CHARS`] characters, with an ellipsis if cut.
fn shortened(text: &str) -> String {
    if text.chars().count() <= LABEL_CHARS {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(LABEL_CHARS - 1).collect();
    out.push('…');
    out
}

/// The horizontal scale: values to pixels.
struct Plot {
    lo: f64,
    hi: f64,
    /// The distance between ticks: the range is whole steps, with zero on one.
    step: f64,
    left: f64,
    right: f64,
}

/// The most ticks an axis draws (a guard against ranges near `f64::MAX`).
const MAX_TICKS: i64 = 12;

impl Plot {
    fn new((lo, hi): (f64, f64), left: f64, right: f64) -> Plot {
        let step = nice_step((hi - lo) / 5.0);
        let (lo, hi) = ((lo / step).floor() * step, (hi / step).ceil() * step);
        if !(lo.is_finite() && hi.is_finite() && hi > lo) {
            return Plot { lo: 0.0, hi: 1.0, step: 0.2, left, right };
        }
        Plot { lo, hi, step, left, right }
    }

    fn x(&self, v: f64) -> f64 {
        self.left + (v - self.lo) / (self.hi - self.lo) * (self.right - self.left)
    }

    /// Grid lines and their labels at round steps, and the zero line.
    fn draw_axis(&self, svg: &mut String, top: f64, bottom: f64, unit: Unit) {
        let step = self.step;
        let ticks = ((self.hi - self.lo) / step).round() as i64;
        for i in 0..=ticks.min(MAX_TICKS) {
            let v = self.lo + step * i as f64;
            let x = self.x(v);
            let colour = if v.abs() < step / 2.0 { "#444" } else { "#ddd" };
            let _ = write!(
                svg,
                "<line x1=\"{x:.1}\" y1=\"{top:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\" stroke=\"{colour}\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#444\">{}</text>",
                bottom + 14.0,
                escape_html(&axis_label(v, step, unit))
            );
        }
    }
}

/// A tick's label: shares as whole percents where the step allows.
fn axis_label(v: f64, step: f64, unit: Unit) -> String {
    let v = if v.abs() < step / 1e6 { 0.0 } else { v };
    match unit {
        Unit::Share | Unit::ShareDifference if step >= 0.01 => format!("{:.0}\u{a0}%", v * 100.0),
        Unit::Count | Unit::Tally | Unit::Days if step >= 1.0 => format_sv(v, Unit::Count),
        _ => format_sv(v, unit),
    }
}

/// A round step (1, 2 or 5 × a power of ten) near `raw`.
fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let m = raw / magnitude;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::Reason;

    fn chart(values: Vec<Cell<f64>>) -> BarChart {
        let n = values.len();
        BarChart {
            title: "T <&>".into(),
            unit: Unit::Days,
            categories: (0..n).map(|i| format!("kategori {i}")).collect(),
            series: vec![Series { name: "a".into(), values, intervals: vec![Some((-3.0, 12.0)); n] }],
        }
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(0.07), 0.1);
        assert_eq!(nice_step(13.0), 20.0);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
    }

    #[test]
    fn negative_values_and_intervals_stay_inside_the_plot() {
        let c = chart(vec![Cell::Shown(-2.0), Cell::Shown(10.0)]);
        let plot = Plot::new(c.extent(), 100.0, 700.0);
        assert!(plot.x(-3.0) >= 100.0 && plot.x(12.0) <= 700.0);
        let svg = c.to_svg();
        assert_eq!(svg.matches("class=\"interval\"").count(), 2);
        assert!(svg.contains("T &lt;&amp;&gt;"), "the title is escaped");
    }

    #[test]
    fn zero_is_a_tick_whatever_the_range() {
        for (lo, hi) in [(-0.5f64, 4.5f64), (-1.0, 9.0), (-0.01, 0.41), (-3.0, 12.0), (-250.0, -10.0), (0.0, 1e12)] {
            let plot = Plot::new((lo.min(0.0), hi.max(0.0)), 100.0, 700.0);
            assert!(plot.lo <= lo && plot.hi >= hi, "{lo}..{hi}");
            let ticks: Vec<f64> = (0..=((plot.hi - plot.lo) / plot.step).round() as i64)
                .map(|i| plot.lo + plot.step * i as f64)
                .collect();
            assert!(ticks.iter().any(|t| t.abs() < plot.step / 1e6), "{lo}..{hi}: {ticks:?}");
            assert!((ticks[ticks.len() - 1] - plot.hi).abs() < plot.step / 1e6, "the last tick is the edge");
        }
        // A range too wide for steps draws a bounded axis.
        let huge = chart(vec![Cell::Shown(-f64::MAX), Cell::Shown(f64::MAX)]);
        assert!(huge.to_svg().matches("<line").count() <= MAX_TICKS as usize + 1);
    }

    #[test]
    fn a_long_legend_wraps_within_the_chart() {
        let mut c = chart(vec![Cell::Shown(1.0)]);
        c.series = (0..4)
            .map(|i| Series {
                name: format!("Andel till arbete, studier eller arbetssökande {i} (riket)"),
                values: vec![Cell::Shown(1.0)],
                intervals: vec![None],
            })
            .collect();
        let layout = c.legend_layout();
        assert!(layout.iter().all(|&(x, _)| x + 28.0 + CHAR_WIDTH * 56.0 <= WIDTH + 1.0), "{layout:?}");
        assert!(layout.last().is_some_and(|&(_, row)| row >= 1), "{layout:?}");
    }

    #[test]
    fn withheld_and_not_computable_values_draw_no_bar() {
        let c = chart(vec![Cell::Suppressed(Reason::Complementary), Cell::Shown(f64::NAN)]);
        assert!(!c.has_values());
        let svg = c.to_svg();
        assert_eq!(svg.matches("class=\"bar\"").count(), 0);
        assert_eq!(svg.matches("class=\"withheld\"").count(), 1);
    }
}
