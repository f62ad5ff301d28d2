//! The Mermaid chart of the pull-request comment: one bar series in a colour fixed for every
//! theme, at most ten bars, and no chart for a single image. `scripts/check-mermaid.sh` (run by
//! `.ci/run`) renders the snapshots' charts with mermaid-cli.

use crate::common::*;

const CSV: &str = "data/examples/fleet.csv";

/// The body of the comment's Mermaid block, if it has one.
fn mermaid_block(markdown: &str) -> Option<String> {
    let start = markdown.find("```mermaid\n")? + "```mermaid\n".len();
    let end = markdown[start..].find("\n```")?;
    Some(markdown[start..start + end].to_string())
}

fn bar_lines(chart: &str) -> Vec<&str> {
    chart
        .lines()
        .filter(|line| line.trim_start().starts_with("bar ["))
        .collect()
}

#[test]
fn the_fleet_chart_has_one_series_of_at_most_ten_bars_in_a_fixed_colour() {
    let md = stdout_of(&["report", CSV, "--format", "markdown"]);
    let chart = mermaid_block(&md).expect("a Mermaid block");
    let mut lines = chart.lines();
    assert_eq!(
        lines.next(),
        Some(
            "%%{init: {\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"#2f81f7\"}}}}%%"
        ),
        "{chart}"
    );
    assert_eq!(lines.next(), Some("xychart-beta horizontal"), "{chart}");
    let bars = bar_lines(&chart);
    assert_eq!(
        bars.len(),
        1,
        "one series, so no bar hides another: {chart}"
    );
    let values: Vec<f64> = bars[0]
        .trim()
        .trim_start_matches("bar [")
        .trim_end_matches(']')
        .split(", ")
        .map(|value| value.parse().unwrap())
        .collect();
    assert!(values.len() <= 10, "{chart}");
    assert!(
        values.iter().all(|value| *value > 0.0),
        "savings only: {chart}"
    );
    // The title names no colour: the legend cannot disagree with the theme.
    assert!(
        !chart.contains("grey") && !chart.contains("blue"),
        "{chart}"
    );
    assert!(
        chart.contains("title \"Image size saved, top 10 of 11, 1 image grew, not drawn\""),
        "{chart}"
    );
}

#[test]
fn a_single_image_gets_no_chart() {
    let calc = stdout_of(&[
        "calc", "--before", "500MB", "--after", "80MB", "--format", "markdown",
    ]);
    assert!(!calc.contains("```mermaid"), "{calc}");
    let dir = tempfile::tempdir().unwrap();
    let one = write_file(
        dir.path(),
        "one.csv",
        "service,runtime,before,after\napi,go,900MB,300MB\n",
    );
    let md = stdout_of(&["report", one.to_str().unwrap(), "--format", "markdown"]);
    assert!(!md.contains("```mermaid"), "{md}");
    // Two services, one of which grew: still a single bar, so still no chart.
    let grew = write_file(
        dir.path(),
        "grew.csv",
        "service,runtime,before,after\napi,go,900MB,300MB\nweb,node,100MB,200MB\n",
    );
    let md = stdout_of(&["report", grew.to_str().unwrap(), "--format", "markdown"]);
    assert!(!md.contains("```mermaid"), "{md}");
}

#[test]
fn many_services_give_ten_short_labels() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("service,runtime,before,after\n");
    for i in 0..40 {
        csv.push_str(&format!(
            "a-rather-long-service-name-number-{i},go,{}MB,20MB\n",
            100 + i
        ));
    }
    let path = write_file(dir.path(), "many.csv", &csv);
    let md = stdout_of(&["report", path.to_str().unwrap(), "--format", "markdown"]);
    let chart = mermaid_block(&md).expect("a Mermaid block");
    let axis = chart
        .lines()
        .find_map(|line| line.trim().strip_prefix("x-axis ["))
        .expect("an x-axis");
    let labels: Vec<&str> = axis.trim_end_matches(']').split("\", \"").collect();
    assert_eq!(labels.len(), 10, "{chart}");
    for label in labels {
        let label = label.trim_matches('"').replace("#8230;", "…");
        assert!(label.chars().count() <= 20, "{label}");
    }
    assert!(chart.contains("top 10 of 40"), "{chart}");
}

/// The chart of hostile names, kept as a snapshot so `scripts/check-mermaid.sh` renders it with
/// mermaid-cli: it must parse, and every label must be drawn (Mermaid hides all of an axis's
/// labels when one measures too wide, and it measures each entity code as its placeholder).
#[test]
fn hostile_names_give_a_chart_mermaid_renders() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "service,runtime,before,after\n\
               \"<script>alert(1)</script>\",python,900MB,300MB\n\
               \"a|b\",go,100MB,20MB\n\
               \"`rm -rf` @channel #1\",node,500MB,100MB\n\
               \"]-->b[\"\"x\",node,400MB,100MB\n\
               \"line\nbreak\",java,700MB,200MB\n\
               \"%%{init: {}}%%\",go,50MB,20MB\n\
               \"שלום-עולם\",python,300MB,100MB\n\
               \"支付服务-网关 (primary)\",go,260MB,60MB\n\
               \"((((((((((((((((((((((((\",go,250MB,60MB\n\
               \"::error::x ##[group]\",go,240MB,60MB\n";
    let path = write_file(dir.path(), "hostile.csv", csv);
    let md = stdout_of(&["report", path.to_str().unwrap(), "--format", "markdown"]);
    let chart = mermaid_block(&md).expect("a Mermaid block");
    insta::assert_snapshot!("hostile_chart", format!("```mermaid\n{chart}\n```"));
}
