//! The forecast as an HTML page (askama, `templates/forecast.html`), with its three charts:
//! monthly transfer by scenario (lines), cumulative transfer money as is against slimmed, and the
//! rollout burst per service (bars, the window in the title when given).

use askama::Template;

use super::html::filters;

use crate::chart::{
    self, Axis, BeforeAfterChart, BeforeAfterItem, CumulativeChart, CumulativePoint, Line,
    LinesChart, Width,
};
use crate::error::Error;
use crate::report::forecast::ForecastReport;
use crate::units::{format_bytes, format_money, format_seconds};

use super::cells::{AssumptionCells, assumption_rows_of};
use super::charts::ChartView;
use super::forecast::moved_wire;

/// One scenario's table.
struct ScenarioTable {
    name: String,
    changes: String,
    rows: Vec<[String; 8]>,
    sentences: Vec<String>,
}

#[derive(Template)]
#[template(path = "forecast.html")]
struct ForecastPage {
    version: &'static str,
    title: String,
    generated_at: Option<String>,
    headline: String,
    basis: String,
    charts: Vec<ChartView>,
    scenarios: Vec<ScenarioTable>,
    burst: super::burst::BurstTable,
    assumptions: Vec<AssumptionCells>,
}

/// A decimal byte unit that suits the largest value: (divisor, name).
fn byte_unit(largest: f64) -> (f64, &'static str) {
    match largest.abs() {
        v if v >= 1e15 => (1e15, "PB"),
        v if v >= 1e12 => (1e12, "TB"),
        v if v >= 1e9 => (1e9, "GB"),
        _ => (1e6, "MB"),
    }
}

/// Monthly wire transfer (full pull plus new nodes) of every scenario, as is and slimmed.
fn monthly(report: &ForecastReport) -> Result<ChartView, Error> {
    let scenarios = &report.forecast.scenarios;
    let largest = scenarios
        .iter()
        .flat_map(|s| s.months.iter())
        .map(|m| moved_wire(&m.as_is) as f64)
        .fold(0.0, f64::max);
    let (divisor, unit) = byte_unit(largest);
    let mut series = Vec::new();
    for (index, scenario) in scenarios.iter().enumerate() {
        for (state, dashed) in [("as is", true), ("slimmed", false)] {
            series.push(Line {
                label: format!("{}, {state}", scenario.name),
                points: scenario
                    .months
                    .iter()
                    .map(|m| {
                        let figures = if dashed { &m.as_is } else { &m.slimmed };
                        (m.month, moved_wire(figures) as f64 / divisor)
                    })
                    .collect(),
                dashed,
                colour: Some(index),
            });
        }
    }
    let title = "Image transfer a month by scenario, wire, full pulls (upper bound)".to_string();
    let chart = LinesChart {
        id: "chart-monthly".into(),
        title: title.clone(),
        axis: Axis::new("Transfer a month, wire", unit),
        series,
    };
    let rows = scenarios
        .iter()
        .flat_map(|s| {
            s.months.iter().map(move |m| {
                vec![
                    format!("{} {}", s.name, m.month),
                    format_bytes(moved_wire(&m.as_is)),
                    format_bytes(moved_wire(&m.slimmed)),
                ]
            })
        })
        .collect();
    Ok(ChartView {
        id: chart.id.clone(),
        svg: chart::lines(&chart)?,
        svg_narrow: chart::lines_at(&chart, Width::Narrow)?,
        title,
        caption: "Each scenario as is (dashed) and slimmed (solid): deploy pulls plus the nodes \
                  growth adds, every pull a full pull."
            .to_string(),
        headings: vec!["scenario, month".into(), "as is".into(), "slimmed".into()],
        rows,
    })
}

/// Cumulative transfer money of the first scenario, as is against slimmed.
fn money(report: &ForecastReport) -> Result<ChartView, Error> {
    let currency = &report.forecast.currency;
    let scenario = report.forecast.scenarios.first();
    let mut points = vec![CumulativePoint {
        month: 0,
        before: 0.0,
        after: 0.0,
    }];
    let (mut before, mut after) = (0.0, 0.0);
    for month in scenario.map(|s| s.months.as_slice()).unwrap_or_default() {
        before += month.as_is.transfer_cost;
        after += month.slimmed.transfer_cost;
        points.push(CumulativePoint {
            month: month.month,
            before,
            after,
        });
    }
    let saved = format!(
        "{} saved in {} months",
        format_money(before - after, currency),
        report.forecast.months
    );
    let name = scenario.map(|s| s.name.as_str()).unwrap_or_default();
    let title = format!("Transfer money over the months, {name} (upper bound)");
    let chart = CumulativeChart {
        id: "chart-money".into(),
        title: title.clone(),
        axis: Axis::new("Cumulative transfer money", currency.as_str()),
        points: points.clone(),
        saved_label: saved.clone(),
    };
    Ok(ChartView {
        id: chart.id.clone(),
        svg: chart::cumulative(&chart)?,
        svg_narrow: chart::cumulative_at(&chart, Width::Narrow)?,
        title,
        caption: format!("As is (dashed) and slimmed: {saved}."),
        headings: vec!["month".into(), "as is".into(), "slimmed".into()],
        rows: points
            .iter()
            .skip(1)
            .map(|p| {
                vec![
                    p.month.to_string(),
                    format_money(p.before, currency),
                    format_money(p.after, currency),
                ]
            })
            .collect(),
    })
}

/// The rollout burst per service: seconds now and slimmed.
fn burst(report: &ForecastReport) -> Result<ChartView, Error> {
    let view = &report.bursts;
    let shown: Vec<_> = view.services.iter().take(chart::MAX_ROWS).collect();
    let window = view
        .window_seconds
        .map(|w| format!(" against a {} window", format_seconds(w)))
        .unwrap_or_default();
    let title = format!("Rollout burst per service, now and slimmed{window}");
    let chart = BeforeAfterChart {
        id: "chart-burst".into(),
        title: title.clone(),
        axis: Axis::new("Seconds until the last node has the image", "s"),
        items: shown
            .iter()
            .map(|s| BeforeAfterItem {
                label: s.name.clone(),
                before: s.now.seconds,
                after: s.slimmed.map_or(s.now.seconds, |b| b.seconds),
            })
            .collect(),
        more: view.services.len() - shown.len(),
    };
    Ok(ChartView {
        id: chart.id.clone(),
        svg: chart::before_after(&chart)?,
        svg_narrow: chart::before_after_at(&chart, Width::Narrow)?,
        title,
        caption: super::burst::intro(view),
        headings: vec!["service".into(), "now".into(), "slimmed".into()],
        rows: shown
            .iter()
            .map(|s| {
                vec![
                    s.name.clone(),
                    format_seconds(s.now.seconds),
                    s.slimmed
                        .map(|b| format_seconds(b.seconds))
                        .unwrap_or_else(|| "plan".into()),
                ]
            })
            .collect(),
    })
}

/// The page.
pub fn render(report: &ForecastReport) -> Result<String, Error> {
    let forecast = &report.forecast;
    let currency = &forecast.currency;
    let scenarios = forecast
        .scenarios
        .iter()
        .map(|scenario| ScenarioTable {
            name: scenario.name.clone(),
            changes: scenario.changes.clone(),
            rows: super::forecast::table_rows(scenario, currency),
            sentences: super::forecast::total_sentences(scenario, currency),
        })
        .collect();
    let page = ForecastPage {
        version: env!("CARGO_PKG_VERSION"),
        title: report.title.clone(),
        generated_at: report.generated_at.clone(),
        headline: forecast.headline.clone(),
        basis: format!("Figures: {}.", forecast.basis),
        charts: vec![monthly(report)?, money(report)?, burst(report)?],
        scenarios,
        burst: super::burst::table(&report.bursts),
        assumptions: assumption_rows_of(&report.assumptions),
    };
    page.render()
        .map_err(|e| Error::Internal(format!("cannot render the forecast page: {e}")))
}
