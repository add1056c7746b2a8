//! Charts rendered with plotters to SVG (inline in the web app) and PNG:
//! latency CDF per mode, monthly cost vs event rate with break-even points,
//! and p99 latency vs monthly cost. The font is embedded (DejaVu Sans), so
//! rendering needs no system fonts.

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use workloads::mode::Mode;

use crate::error::{Error, Result};
use crate::report::Report;

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

const SIZE: (u32, u32) = (960, 560);

fn register_font() {
    REGISTER.call_once(|| {
        // The bytes are a valid TTF shipped with the crate; failure would be a build defect.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// Errors while drawing: plotters' error types are backend-specific, so
/// they are kept as text.
fn draw_err<E: std::fmt::Debug>(e: E) -> Error {
    Error::Chart {
        chart: String::new(),
        message: format!("drawing failed: {e:?}"),
    }
}

/// A colour per series: blues for batch, greens for micro-batch, reds for
/// stream, shade by position within the mode.
fn colour(mode: Mode, nth: usize) -> RGBColor {
    let shades: [[RGBColor; 3]; 3] = [
        [
            RGBColor(31, 119, 180),
            RGBColor(84, 166, 222),
            RGBColor(23, 70, 120),
        ],
        [
            RGBColor(44, 160, 44),
            RGBColor(120, 200, 90),
            RGBColor(20, 100, 40),
        ],
        [
            RGBColor(214, 39, 40),
            RGBColor(148, 60, 170),
            RGBColor(255, 127, 14),
        ],
    ];
    let row = match mode {
        Mode::Batch => 0,
        Mode::MicroBatch => 1,
        Mode::Stream => 2,
    };
    shades[row][nth % 3]
}

fn colours(report: &Report) -> Vec<RGBColor> {
    let mut seen = [0usize; 3];
    report
        .modes
        .iter()
        .map(|m| {
            let idx = Mode::ALL.iter().position(|x| *x == m.mode).unwrap_or(0);
            seen[idx] += 1;
            colour(m.mode, seen[idx] - 1)
        })
        .collect()
}

/// Latency CDF per mode: x = latency (log seconds), y = fraction of results.
pub fn latency_cdf<DB: DrawingBackend>(
    report: &Report,
    root: &DrawingArea<DB, Shift>,
) -> Result<()> {
    root.fill(&WHITE).map_err(draw_err)?;
    let pts: Vec<f64> = report
        .modes
        .iter()
        .flat_map(|m| m.latency.cdf.iter().map(|p| p.0 / 1000.0))
        .collect();
    let lo = pts
        .iter()
        .copied()
        .filter(|v| *v > 0.0)
        .fold(f64::INFINITY, f64::min)
        .clamp(1e-3, 0.01);
    let hi = pts.iter().copied().fold(1.0, f64::max) * 1.5;
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!("{} — event-time latency CDF", report.workload),
            ("sans-serif", 22),
        )
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(60)
        .build_cartesian_2d((lo..hi).log_scale(), 0.0..1.0)
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .x_desc("latency (seconds, log scale)")
        .y_desc("fraction of results")
        .x_label_formatter(&|v| human_seconds(*v))
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(draw_err)?;
    for (m, c) in report.modes.iter().zip(colours(report)) {
        if m.latency.cdf.is_empty() {
            continue;
        }
        let line = m
            .latency
            .cdf
            .iter()
            .map(|&(ms, f)| ((ms / 1000.0).max(lo), f));
        chart
            .draw_series(LineSeries::new(line, c.stroke_width(2)))
            .map_err(draw_err)?
            .label(m.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(draw_err)?;
    root.present().map_err(draw_err)
}

/// Monthly cost vs mean event rate (log-log), break-even points marked.
pub fn cost_vs_rate<DB: DrawingBackend>(
    report: &Report,
    root: &DrawingArea<DB, Shift>,
) -> Result<()> {
    root.fill(&WHITE).map_err(draw_err)?;
    let curves = &report.cost_curves;
    let all: Vec<f64> = curves
        .series
        .iter()
        .flat_map(|s| s.usd.iter().flatten().copied())
        .collect();
    let lo = all.iter().copied().fold(f64::INFINITY, f64::min).max(0.001) * 0.7;
    let hi = all.iter().copied().fold(1.0, f64::max) * 1.5;
    let (r0, r1) = (
        curves.rates.first().copied().unwrap_or(1.0),
        curves.rates.last().copied().unwrap_or(1e6),
    );
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!("{} — monthly cost vs event rate", report.workload),
            ("sans-serif", 22),
        )
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d((r0..r1).log_scale(), (lo..hi).log_scale())
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .x_desc("mean events per second (log scale)")
        .y_desc("USD per month (log scale)")
        .x_label_formatter(&|v| human_count(*v))
        .y_label_formatter(&|v| format!("${}", human_count(*v)))
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(draw_err)?;
    for (s, c) in curves.series.iter().zip(colours(report)) {
        let line: Vec<(f64, f64)> = curves
            .rates
            .iter()
            .zip(&s.usd)
            .filter_map(|(r, u)| u.map(|u| (*r, u.max(lo))))
            .collect();
        chart
            .draw_series(LineSeries::new(line, c.stroke_width(2)))
            .map_err(draw_err)?
            .label(s.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3)));
    }
    if !curves.break_even.is_empty() {
        chart
            .draw_series(curves.break_even.iter().map(|b| {
                Circle::new(
                    (b.events_per_second, b.usd_per_month.max(lo)),
                    6,
                    BLACK.stroke_width(2),
                )
            }))
            .map_err(draw_err)?
            .label("break-even (curves cross)")
            .legend(|(x, y)| Circle::new((x + 9, y), 5, BLACK.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(draw_err)?;
    root.present().map_err(draw_err)
}

/// p99 latency vs monthly cost, one point per mode configuration.
pub fn latency_vs_cost<DB: DrawingBackend>(
    report: &Report,
    root: &DrawingArea<DB, Shift>,
) -> Result<()> {
    root.fill(&WHITE).map_err(draw_err)?;
    let pts: Vec<(f64, f64)> = report
        .modes
        .iter()
        .map(|m| (m.cost.usd.max(0.01), (m.latency.p99_ms / 1000.0).max(0.001)))
        .collect();
    let fin = |v: f64| if v.is_finite() { v } else { 1e6 };
    let (x0, x1) = pts.iter().fold((f64::INFINITY, 0.0f64), |(a, b), p| {
        (a.min(fin(p.0)), b.max(fin(p.0)))
    });
    let (y0, y1) = pts.iter().fold((f64::INFINITY, 0.0f64), |(a, b), p| {
        (a.min(p.1), b.max(p.1))
    });
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!("{} — p99 latency vs monthly cost", report.workload),
            ("sans-serif", 22),
        )
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(
            (x0 * 0.5..x1 * 2.0).log_scale(),
            (y0 * 0.5..y1 * 2.0).log_scale(),
        )
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .x_desc("USD per month at the scenario's rate (log scale)")
        .y_desc("p99 latency (seconds, log scale)")
        .x_label_formatter(&|v| format!("${}", human_count(*v)))
        .y_label_formatter(&|v| human_seconds(*v))
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(draw_err)?;
    for ((m, p), c) in report.modes.iter().zip(&pts).zip(colours(report)) {
        let p = (fin(p.0), p.1);
        chart
            .draw_series(std::iter::once(Circle::new(p, 7, c.filled())))
            .map_err(draw_err)?
            .label(format!(
                "{} (${:.2}, p99 {})",
                m.label,
                m.cost.usd,
                human_seconds(p.1)
            ))
            .legend(move |(x, y)| Circle::new((x + 9, y), 5, c.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(draw_err)?;
    root.present().map_err(draw_err)
}

/// `0.25 s`, `3 s`, `2 min`, `1.5 h`.
fn human_seconds(v: f64) -> String {
    if v < 1.0 {
        format!("{:.0} ms", v * 1000.0)
    } else if v < 120.0 {
        format!("{v:.0} s")
    } else if v < 7200.0 {
        format!("{:.0} min", v / 60.0)
    } else {
        format!("{:.1} h", v / 3600.0)
    }
}

/// `0.5`, `12`, `3k`, `1.2M`: compact axis ticks (tables and pages write
/// figures with the `units` crate).
fn human_count(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.0}k", v / 1e3)
    } else if v >= 10.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The charts every report has, by file stem.
pub const CHARTS: [&str; 3] = ["latency_cdf", "cost_vs_rate", "latency_vs_cost"];

/// The charts of `report`: [`CHARTS`], and `scale_out` when it has a
/// scaling measurement.
pub fn stems(report: &Report) -> Vec<&'static str> {
    let mut stems = CHARTS.to_vec();
    if report.scaling.is_some() {
        stems.push("scale_out");
    }
    stems
}

/// Events per second against executors: the measured points, the ideal
/// (linear from one executor) and the fitted curve beyond the machine.
pub fn scale_out<DB: DrawingBackend>(report: &Report, root: &DrawingArea<DB, Shift>) -> Result<()> {
    root.fill(&WHITE).map_err(draw_err)?;
    let Some(sc) = &report.scaling else {
        return Err(Error::Chart {
            chart: String::new(),
            message: "the report has no scaling measurement".into(),
        });
    };
    let max_n = sc
        .points
        .iter()
        .map(|p| p.executors)
        .max()
        .unwrap_or(1)
        .max(8);
    let one = sc
        .points
        .iter()
        .find(|p| p.executors == 1)
        .map(|p| p.events_per_second);
    let modeled: Vec<(f64, f64)> = sc
        .fit
        .map(|f| {
            (1..=max_n)
                .map(|k| {
                    let per_event = f.run_seconds(k, 1.0) - f.fixed_seconds;
                    (k as f64, 1.0 / per_event.max(1e-12))
                })
                .collect()
        })
        .unwrap_or_default();
    let top = sc
        .points
        .iter()
        .map(|p| p.events_per_second)
        .chain(modeled.iter().map(|m| m.1))
        .chain(one.map(|o| o * max_n as f64))
        .fold(1.0, f64::max)
        * 1.1;
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!(
                "{} — batch throughput vs Ballista executors",
                report.workload
            ),
            ("sans-serif", 22),
        )
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(0.5..(max_n as f64 + 0.5), 0.0..top)
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .x_desc("executors (1 task slot each)")
        .y_desc("events per second (per-event part)")
        .y_label_formatter(&|v| human_count(*v))
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(draw_err)?;
    if let Some(o) = one {
        let ideal = [(1.0, o), (max_n as f64, o * max_n as f64)];
        chart
            .draw_series(LineSeries::new(ideal, BLACK.mix(0.35).stroke_width(1)))
            .map_err(draw_err)?
            .label("linear (ideal)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.mix(0.35)));
    }
    if !modeled.is_empty() {
        let c = RGBColor(70, 110, 200);
        chart
            .draw_series(LineSeries::new(modeled, c.stroke_width(2)))
            .map_err(draw_err)?
            .label(format!(
                "fitted (serial share {:.0}%), modeled beyond {} cores",
                sc.fit.map_or(0.0, |f| f.serial_fraction * 100.0),
                sc.machine_cores
            ))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3)));
    }
    let red = RGBColor(200, 40, 40);
    chart
        .draw_series(sc.points.iter().map(|p| {
            let style = if p.beyond_cores {
                red.stroke_width(2)
            } else {
                red.filled()
            };
            Circle::new((p.executors as f64, p.events_per_second), 6, style)
        }))
        .map_err(draw_err)?
        .label("measured (hollow: more executors than cores)")
        .legend(move |(x, y)| Circle::new((x + 9, y), 5, red.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(draw_err)?;
    root.present().map_err(draw_err)
}

fn draw<DB: DrawingBackend>(
    stem: &str,
    report: &Report,
    root: &DrawingArea<DB, Shift>,
) -> Result<()> {
    let named = |e: Error| match e {
        Error::Chart { message, .. } => Error::Chart {
            chart: stem.to_string(),
            message,
        },
        e => e,
    };
    match stem {
        "latency_cdf" => latency_cdf(report, root).map_err(named),
        "cost_vs_rate" => cost_vs_rate(report, root).map_err(named),
        "latency_vs_cost" => latency_vs_cost(report, root).map_err(named),
        "scale_out" => scale_out(report, root).map_err(named),
        _ => Err(Error::Chart {
            chart: stem.to_string(),
            message: format!("unknown chart (known: {})", CHARTS.join(", ")),
        }),
    }
}

/// Renders one chart to an SVG string (for inline serving).
pub fn svg(report: &Report, stem: &str) -> Result<String> {
    register_font();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        draw(stem, report, &root)?;
    }
    Ok(out)
}

/// Writes every chart as SVG and PNG into `dir`; returns the paths.
pub fn write_all(report: &Report, dir: &Path) -> Result<Vec<PathBuf>> {
    register_font();
    let mut files = Vec::new();
    for stem in stems(report) {
        let svg_path = dir.join(format!("{stem}.svg"));
        {
            let root = SVGBackend::new(&svg_path, SIZE).into_drawing_area();
            draw(stem, report, &root)?;
        }
        let png_path = dir.join(format!("{stem}.png"));
        {
            let root = BitMapBackend::new(&png_path, SIZE).into_drawing_area();
            draw(stem, report, &root)?;
        }
        files.push(svg_path);
        files.push(png_path);
    }
    Ok(files)
}
