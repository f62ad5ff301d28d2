//! `--format html`: the self-contained page.

use crate::common::*;

const CSV: &str = "data/examples/fleet.csv";

fn example_html() -> String {
    stdout_of(&["report", CSV, "--format", "html"])
}

#[test]
fn one_self_contained_page_with_every_section() {
    let html = example_html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for section in [
        "aria-label=\"Summary\"",
        "aria-label=\"Charts\"",
        "aria-label=\"Services\"",
        "aria-label=\"Next steps\"",
        "aria-label=\"Assumptions\"",
        "aria-label=\"Method\"",
    ] {
        assert!(html.contains(section), "missing {section}");
    }
    assert_eq!(
        html.matches("<svg").count(),
        10,
        "four charts and the decomposition, each drawn wide and narrow"
    );
    assert_eq!(html.matches("<div class=\"chart-wide\">").count(), 5);
    assert_eq!(html.matches("<div class=\"chart-narrow\">").count(), 5);
    assert!(
        html.contains("viewBox=\"0 0 360 "),
        "narrow charts for phones"
    );
    for title in [
        "Image size per service, before and after",
        "Image transfer over 12 months, full pulls (upper bound)",
        "Each image against its runtime target",
        "Pull time per service, before and after (a full pull)",
    ] {
        assert!(html.contains("<title id="), "charts carry a <title>");
        assert!(html.contains(title), "missing chart {title}");
    }
    assert_eq!(
        html.matches("<desc id=").count(),
        10,
        "every chart has a text alternative"
    );
    assert!(
        html.contains("Image size, unpacked (MB)"),
        "axis label with unit"
    );
    assert!(html.contains("Seconds per pull (download + extract) (s)"));
    // The headline, the plan ranges, the money with its price, the assumptions with sources.
    assert!(html.contains("<strong>53.5 GB of image transfer a day</strong>"));
    assert!(html.contains("expected with layer caches (full pulls: 120 GB"));
    assert!(html.contains("35.8–39 GB of image transfer a day"));
    assert!(html.contains("at $0.045/GB (nat-gateway)"));
    assert!(html.contains("80–180 MB (plan)"));
    assert!(html.contains("Switch to a slim or alpine base image"));
    assert!(html.contains("containerd #13559"));
    assert!(html.contains("pulls_per_day  = services × deploys_per_day × nodes"));
}

#[test]
fn nothing_is_loaded_from_the_network() {
    let html = example_html();
    let lower = html.to_lowercase();
    for needle in [
        "<script", "<link", "@import", "url(", "src=", "http://", "https://",
    ] {
        let allowed = needle.starts_with("http")
            && lower.matches(needle).count()
                == lower
                    .matches(&format!("xmlns=\"{needle}www.w3.org"))
                    .count();
        assert!(
            !lower.contains(needle) || allowed,
            "the page contains {needle}"
        );
    }
}

#[test]
fn the_title_flag_and_timestamps() {
    let html = stdout_of(&[
        "report",
        CSV,
        "--format",
        "html",
        "--title",
        "Q3 <image> diet",
    ]);
    assert!(
        html.contains("<title>Q3 &#60;image&#62; diet</title>"),
        "askama escapes the title"
    );
    assert!(html.contains("<h1>Q3 &#60;image&#62; diet</h1>"));
    assert!(!html.contains("<image>"));
    assert!(!html.contains("generated"));
    let stamped = stdout_of(&[
        "report",
        CSV,
        "--format",
        "html",
        "--generated-at",
        "2026-11-27T09:00:00Z",
    ]);
    assert!(stamped.contains("generated 2026-11-27T09:00:00Z"));
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    assert_eq!(example_html(), example_html());
    let md = |()| stdout_of(&["report", CSV, "--format", "markdown"]);
    assert_eq!(md(()), md(()));
    let dir = tempfile::tempdir().unwrap();
    let charts = |name: &str| {
        let out = dir.path().join(name);
        stdout_of(&[
            "report",
            CSV,
            "--format",
            "markdown",
            "--charts-dir",
            out.to_str().unwrap(),
        ]);
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let first = charts("a");
    assert_eq!(first.len(), 5);
    assert_eq!(first, charts("b"));
}

#[test]
fn charts_dir_writes_svg_files_and_markdown_links_them() {
    let dir = tempfile::tempdir().unwrap();
    let md = fleetsave()
        .current_dir(dir.path())
        .args([
            "report",
            project_file(CSV).to_str().unwrap(),
            "--format",
            "markdown",
            "--charts-dir",
            "charts",
        ])
        .output()
        .unwrap();
    assert!(md.status.success());
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(
        md.contains("![Image size per service, before and after](charts/chart-sizes.svg)"),
        "{md}"
    );
    for file in [
        "chart-sizes.svg",
        "chart-cumulative.svg",
        "chart-targets.svg",
        "chart-pull-time.svg",
    ] {
        let svg = std::fs::read_to_string(dir.path().join("charts").join(file)).unwrap();
        assert!(svg.starts_with("<svg"), "{file}");
    }
}

#[test]
fn hostile_names_are_escaped_in_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let long = "y".repeat(300);
    let csv = format!(
        "service,runtime,before,after\n\
         \"<script>alert(1)</script>\",python,900MB,300MB\n\
         \"\"\"><img src=x onerror=alert(2)>\",go,100MB,20MB\n\
         \"a|b `c` @channel\",node,500MB,100MB\n\
         \"{long}\",go,50MB,20MB\n\
         \"שלום-עולם\",python,300MB,400MB\n"
    );
    let path = write_file(dir.path(), "hostile.csv", &csv);
    let html = stdout_of(&["report", path.to_str().unwrap(), "--format", "html"]);
    assert!(!html.contains("<script>"), "raw script tag");
    assert!(!html.contains("<img"), "raw img tag");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assert!(
        html.contains("<bdi>שלום-עולם</bdi>"),
        "RTL names are isolated in sentences"
    );
    // the long name is cut in the charts, kept whole in the table
    assert!(html.contains(&long));
}

#[test]
fn calc_renders_html_and_markdown_too() {
    let html = stdout_of(&reference_with(&[
        "--runtime",
        "python",
        "--format",
        "html",
    ]));
    assert_eq!(html.matches("<svg").count(), 10);
    assert!(
        html.contains("<strong>311 GB of image transfer a day</strong>"),
        "{}",
        &html[..2000]
    );
}

#[test]
fn snapshots_of_the_example_page() {
    insta::assert_snapshot!("report_example_html", example_html());
    let calc = stdout_of(&reference_with(&["--format", "markdown"]));
    insta::assert_snapshot!("calc_reference_markdown", calc);
}
