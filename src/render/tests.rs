//! Every renderer from a report built in-process: text, Markdown, HTML and JSON of a fleet
//! report, the check report, `inspect` and the target table. Short outputs are inline snapshots
//! (reviewed by hand); long ones are checked for the lines that matter. The CLI tests keep the
//! wiring.

use super::check::CheckFormat;
use super::comment::COMMENT_LIMIT;
use super::inspect::InspectFormat;
use super::markdown::MarkdownOptions;
use super::targets::TargetsFormat;
use super::*;
use crate::calc::targets::Targets;
use crate::calc::techniques;
use crate::model::assumptions::Assumptions;
use crate::model::image::{Blob, Compression, Digest, Image, Layer, SourceKind};
use crate::model::{Budget, FleetShape, GrowthLimit, ImageSize, Service};
use crate::report::check::{self as gate, Gate, Subject};
use crate::report::inspect::InspectReport;
use crate::report::{BuildInput, Command, Report};
use crate::units::{Basis, Percent, Ratio};

const MB: u64 = 1_000_000;

fn ratio() -> Ratio {
    Ratio::parse("0.37").unwrap()
}

fn disk(mb: u64) -> ImageSize {
    ImageSize::typed(mb * MB, Basis::Disk, ratio()).unwrap()
}

fn service(
    name: &str,
    runtime: Option<&str>,
    (services, nodes, deploys_per_day): (u64, u64, u64),
    before: u64,
    after: Option<u64>,
) -> Service {
    Service {
        name: name.into(),
        runtime: runtime.map(crate::model::runtime_key),
        shape: FleetShape {
            services,
            nodes,
            deploys_per_day: crate::model::rate::DeployRate::daily(deploys_per_day),
        },
        basis: Basis::Disk,
        before: disk(before),
        after: after.map(disk),
        budget: None,
        before_image: None,
        after_image: None,
        layering_given: None,
        dockerfile: None,
    }
}

fn report_of(command: Command, title: &str, services: &[Service]) -> Report {
    let assumptions = Assumptions::defaults().unwrap();
    let targets = Targets::bundled().unwrap();
    let techniques = techniques::bundled().unwrap();
    crate::report::build(BuildInput {
        command,
        title: title.to_string(),
        generated_at: None,
        services,
        assumptions: &assumptions,
        targets: &targets,
        techniques: &techniques,
        compare: None,
    })
    .unwrap()
}

/// `calc` of the reference example: 500 MB → 80 MB, 20 services, 10 nodes, 10 deploys a day.
fn reference() -> Report {
    report_of(
        Command::Calc,
        "fleetsave: what the smaller image saves",
        &[service(
            "image",
            Some("python"),
            (20, 10, 10),
            500,
            Some(80),
        )],
    )
}

/// A fleet with a saving, a growth, an image above its target, an unchanged one and a plan.
fn fleet() -> Report {
    report_of(
        Command::Report,
        "Fleet",
        &[
            service("api", Some("python"), (2, 10, 4), 900, Some(310)),
            service("worker", Some("go"), (1, 10, 2), 40, Some(20)),
            service("cron", None, (1, 3, 1), 300, Some(340)),
            service("static", None, (1, 2, 1), 50, Some(50)),
            service("billing", Some("java"), (1, 6, 2), 600, None),
        ],
    )
}

fn render_as(report: &Report, format: Format) -> String {
    render(report, format, &RenderOptions::default()).unwrap()
}

#[test]
fn text_of_the_reference_example() {
    let text = render_as(&reference(), Format::Text);
    assert_eq!(text, text::render(&reference()));
    // The assumption rows quote their sources from data/assumptions.toml: the CLI snapshot
    // carries them; here, the figures.
    let (figures, assumptions) = text
        .split_once("\nAssumptions (value, origin, source)\n")
        .unwrap();
    insta::assert_snapshot!(figures, @"
    fleetsave: what the smaller image saves

    Moving 20 services from 500 MB to 80.0 MB saves 311 GB of image transfer a day
    (840 GB unpacked; 113 TB a year), about $5,105 a year at $0.045/GB
    (nat-gateway), and 5.44 s on every cold pull (upper bound: every pull is a
    full pull).
    With layer caches the new images would move 59.2 GB of routine deploys, 0 B of
    base refreshes and 296 MB of new nodes a day; without layer lists (image
    sources) or a changed_per_deploy, every deploy counts as a full pull, so this
    expected figure is the upper bound plus new nodes.

    Fleet: 20 services, 2,000 pulls a day (upper bound: every pull is a full pull)

                                      before             after             saved
    per pull, disk                    500 MB           80.0 MB            420 MB
    per pull, wire                   185 MB*          29.6 MB*           155 MB*
    per day, disk                    1.00 TB            160 GB            840 GB
    per day, wire                    370 GB*          59.2 GB*           311 GB*
    per month, disk                  30.4 TB           4.87 TB           25.6 TB
    per month, wire                 11.3 TB*          1.80 TB*          9.45 TB*
    per year, disk                    365 TB           58.4 TB            307 TB
    per year, wire                   135 TB*          21.6 TB*           113 TB*
    transfer cost / year              $6,077              $972            $5,105
    pull time / pull                  6.48 s            1.04 s            5.44 s
    new node cold start                130 s            20.7 s             109 s
    * estimated from the other basis with compression ratio 0.37

    expected, wire / day              before             after             saved
      routine deploys                 370 GB           59.2 GB            311 GB
      base refreshes                     0 B               0 B               0 B
      new nodes                      1.85 GB            296 MB           1.55 GB
      total                           372 GB           59.5 GB            312 GB
    New node in pool 'all nodes' (10 nodes, 0.50 new a day): pulls 3.70 GB → 592
    MB once, 130 s → 20.7 s of serialised pulls; switching a node to the new
    images moves 592 MB.

    Money (upper bound: every pull a full pull): $13.99 a day, $425 a month,
    $5,105 a year at $0.045/GB (nat-gateway).
    Cold start: a new node starting one of each service waits 109 s less (pulls
    one after another, kubelet's default).
    Registry storage: 31.1 GB less to keep ($3.11 a month less at $0.10/GB-month,
    10 tags kept per service).
    Node time: 3.02 node-hours of pulling saved a day (upper bound: every pull a
    full pull).

    Target: 70–120 MB for python, after 80.0 MB is within
    ");
    let names: Vec<&str> = assumptions
        .lines()
        .filter(|line| !line.starts_with("      "))
        .map(|line| line.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "compression_ratio",
            "bandwidth",
            "extract_rate",
            "pricing",
            "price_per_gb",
            "days_per_year",
            "registry_storage_price",
            "retained_tags",
            "base_refresh_days",
            "base_refresh_fraction",
            "new_nodes_per_day"
        ]
    );
    assert!(
        text.lines().all(|line| line.chars().count() <= 80),
        "{text}"
    );
}

#[test]
fn text_of_a_fleet_lists_services_plans_and_next_steps() {
    let text = render_as(&fleet(), Format::Text);
    let services = text
        .split_once("\nServices: ")
        .unwrap()
        .1
        .split_once("\nAssumptions (value")
        .unwrap()
        .0;
    insta::assert_snapshot!(services, @r#"
    committed by saving a day, then plans. Sizes unpacked;
    saved/day on the wire, every pull a full pull (upper bound).
    service             runtime      before       after  change    saved/day target
    api                 python       900 MB      310 MB  -65.6%     ≈17.5 GB above
    worker              go          40.0 MB     20.0 MB  -50.0%      ≈148 MB within
    static              —           50.0 MB     50.0 MB   +0.0%          0 B —
    cron                —            300 MB      340 MB  +13.3%    ≈-44.4 MB —
    billing             java         600 MB  180–250 MB    plan 1.55–1.86 GB above
    ≈ estimated from the other basis (unpacked from wire, or wire from unpacked)
    at compression ratio 0.37.
    Plans: 1.55–1.86 GB a day on the wire if the 1 planned row reaches its target
    (not in the totals).

    Above target
      api: 70–120 MB for python, after 310 MB is above (190 MB recoverable)
      billing: 180–250 MB for java, before 600 MB is above (350 MB recoverable)

    Next steps: bringing the 1 image above its target down to the high end would
    save 5.62 GB more a day on the wire (estimated; 15.2 GB unpacked). In priority
    order:
      1. Switch to a slim or alpine base image (50–80% smaller)
      2. Multi-stage build (builder stage; copy only the artifact) (40–70%
      smaller)
      3. Chain RUN instructions so cleanup happens in the same layer (5–30%
      smaller)
      4. Add a .dockerignore (build speed and minor size)
      5. Package-manager flags (--no-install-recommends; --no-cache-dir; apk
      --no-cache; npm ci --omit=dev) (5–20% smaller)
      6. BuildKit cache mounts (build speed only)
      7. Language-specific tuning (Python compileall/venv; Node prod deps; Go
      CGO_ENABLED=0 -ldflags="-s -w" on scratch; Java jlink) (10–30% smaller)
    "#);
    // The growth is named in a sentence of its own.
    assert!(
        text.contains("cron grew by 40.0 MB (+13.3%) unpacked: +44.4 MB a day of transfer on"),
        "{text}"
    );
}

#[test]
fn text_neutralises_control_and_bidi_characters_from_input() {
    let report = report_of(
        Command::Report,
        "title\u{1b}[2J",
        &[
            service("red\u{1b}[31m", None, (1, 1, 1), 200, Some(100)),
            service("rtl\u{202e}gnp.exe", None, (1, 1, 1), 200, Some(150)),
        ],
    );
    let text = render_as(&report, Format::Text);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text}"
    );
    assert!(text.starts_with("title\u{FFFD}[2J\n"), "{text}");
    assert!(text.contains("red\u{FFFD}[31m"), "{text}");
    assert!(text.contains("rtl\u{FFFD}gnp.exe"), "{text}");
}

#[test]
fn markdown_headline_of_the_reference_example() {
    let markdown = render_as(&reference(), Format::Markdown);
    let head: Vec<&str> = markdown
        .lines()
        .take_while(|line| !line.starts_with("| service"))
        .collect();
    insta::assert_snapshot!(head.join("\n"), @r"
    <!-- fleetsave:calc -->
    ### fleetsave: what the smaller image saves

    Moving 20 services from **500 MB** to **80.0 MB** saves **311 GB of image transfer a day** (840 GB unpacked; 113 TB a year), about **&#36;5,105 a year** at &#36;0.045/GB (nat-gateway), and **5.44 s** on every cold pull (upper bound: every pull is a full pull).

    With layer caches the new images would move 59.2 GB of routine deploys, 0 B of base refreshes and 296 MB of new nodes a day; without layer lists (image sources) or a changed\_per\_deploy, every deploy counts as a full pull, so this expected figure is the upper bound plus new nodes.

    Registry storage: **31.1 GB less** to keep (&#36;3.11 a month less at &#36;0.10/GB-month, 10 tags kept per service).

    Node time: **3.02 node-hours of pulling saved a day** (upper bound: every pull a full pull).
    ");
    assert!(
        markdown.contains("| image | python | 500 MB | 80.0 MB | ▼ 84.0% | ≈−311 GB | within |\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| **total** | 372 GB | 59.5 GB | 312 GB |\n"),
        "{markdown}"
    );
}

#[test]
fn markdown_table_of_a_fleet() {
    let markdown = render(
        &fleet(),
        Format::Markdown,
        &RenderOptions {
            markdown: MarkdownOptions {
                marker: Some("nightly".to_string()),
                chart_links: vec![("Sizes & more".to_string(), "charts/a b.svg".to_string())],
            },
        },
    )
    .unwrap();
    assert!(markdown.starts_with("<!-- fleetsave:nightly -->\n### Fleet\n"));
    let table: Vec<&str> = markdown
        .lines()
        .skip_while(|line| !line.starts_with("| service"))
        .take_while(|line| !line.is_empty())
        .collect();
    insta::assert_snapshot!(table.join("\n"), @"
    | service | runtime | before | after | change | transfer/day | target |
    |:--|:--|--:|--:|--:|--:|:--|
    | api | python | 900 MB | 310 MB | ▼ 65.6% | ≈−17.5 GB | **above** (190 MB over) |
    | worker | go | 40.0 MB | 20.0 MB | ▼ 50.0% | ≈−148 MB | within |
    | cron | — | 300 MB | 340 MB | ▲ 13.3% | ≈+44.4 MB | — |
    | billing | java | 600 MB | 180–250 MB (plan) | plan | −1.55 GB to −1.86 GB | **above** (350 MB over) |
    ");
    assert!(markdown.contains(
        "\n\n≈ estimated from the other basis (unpacked from wire, or wire from unpacked) at \
         compression ratio 0.37.\n1 service unchanged (same size before and after).\n"
    ));
    // The chart plots what the committed rows saved, largest first; it counts the image that
    // grew (cron) without drawing it, and leaves out the unchanged one (static).
    assert!(
        markdown
            .contains("x-axis [\"api\", \"worker\"]\n    y-axis \"MB saved per image, unpacked\""),
        "{markdown}"
    );
    assert!(markdown.contains("title \"Image size saved per service, 1 image grew, not drawn\""));
    assert!(
        markdown.contains("![Sizes &amp; more](charts/a%20b.svg)"),
        "{markdown}"
    );
}

#[test]
fn markdown_escapes_names_in_cells_sentences_and_the_chart() {
    let report = report_of(
        Command::Report,
        "@team #1",
        &[
            service("a|b", None, (1, 1, 1), 200, Some(100)),
            service("<img src=x>", None, (1, 1, 1), 100, Some(150)),
            service("<x>", None, (1, 1, 1), 300, Some(100)),
        ],
    );
    let markdown = render_as(&report, Format::Markdown);
    assert!(
        markdown.contains("### &#64;&#8203;team &#35;&#8203;1\n"),
        "{markdown}"
    );
    assert!(markdown.contains("| a&#124;b |"), "{markdown}");
    assert!(
        markdown.contains("&lt;img src=x&gt; grew by 50.0 MB (+50.0%)"),
        "{markdown}"
    );
    // In the chart (which draws the two images that shrank): Mermaid's entity codes.
    assert!(
        markdown.contains("x-axis [\"#60;x#62;\", \"a#124;b\"]"),
        "{markdown}"
    );
    assert!(!markdown.contains("<img"), "{markdown}");
}

#[test]
fn markdown_stays_within_githubs_limit_and_sums_the_rows_it_leaves_out() {
    // 2,000 rows of about 90 characters cannot fit in 65,536: the rest is summed in one line.
    // Row i saves i MB unpacked, 0.37 × i MB on the wire, a day.
    let services: Vec<Service> = (1..=2_000)
        .map(|i| {
            service(
                &format!("service-with-a-rather-long-name-{i:04}"),
                Some("python"),
                (1, 1, 1),
                100 + i,
                Some(100),
            )
        })
        .collect();
    let report = report_of(Command::Report, "big", &services);
    let markdown = render_as(&report, Format::Markdown);
    assert!(markdown.chars().count() <= COMMENT_LIMIT);
    let shown: Vec<&str> = markdown
        .lines()
        .filter(|line| line.starts_with("| service-with"))
        .collect();
    assert!(
        shown.len() > 100 && shown.len() < 2_000,
        "{} rows shown",
        shown.len()
    );
    // The largest savings are shown; the smallest, 1 to `omitted` MB, are left out.
    assert!(shown[0].starts_with("| service-with-a-rather-long-name-2000 |"));
    let omitted = 2_000 - shown.len() as i128;
    let line = format!(
        "… and {} services more not shown (GitHub limits a comment to 65,536 \
         characters): {} a day between them. The JSON report has every row.",
        crate::units::format_count(omitted as u128),
        super::cells::signed_bytes(-370_000 * omitted * (omitted + 1) / 2)
    );
    assert!(markdown.contains(&line), "no line: {line}");
}

#[test]
fn html_escapes_hostile_names_everywhere() {
    let report = report_of(
        Command::Report,
        "<b>fleet</b> & co",
        &[
            service(
                "<script>alert(1)</script>",
                Some("python"),
                (1, 2, 3),
                100,
                Some(400),
            ),
            service("::error::x", None, (1, 5, 5), 900, Some(100)),
        ],
    );
    let html = render_as(&report, Format::Html);
    assert!(!html.contains("<script"), "a script tag reached the page");
    assert!(!html.contains("<b>fleet"), "the title was not escaped");
    // askama escapes with numeric references, the sentences (escaped in Rust) with names.
    assert!(html.contains("<h1>&#60;b&#62;fleet&#60;/b&#62; &#38; co</h1>"));
    assert!(html.contains("<title>&#60;b&#62;fleet&#60;/b&#62; &#38; co</title>"));
    // In the table and, isolated in <bdi>, in the growth sentence.
    assert!(html.contains("<td class=\"name\">&#60;script&#62;alert(1)&#60;/script&#62;</td>"));
    assert!(html.contains(
        "<p class=\"sentence\"><bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi> grew by 300 MB"
    ));
    // A runner command from input is broken by a character reference (issue 14, item 2).
    assert!(html.contains("<td class=\"name\">:&#58;error:&#58;x</td>"));
    // A page with no script and no external resource.
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    // The figures: 1 of 1 judged images above target (the python one, at 400 MB).
    assert!(
        html.contains("<div class=\"value bad\">1 of 1</div>"),
        "{html}"
    );
}

#[test]
fn html_shows_the_next_steps_and_cuts_the_table_at_a_thousand_rows() {
    let html = render_as(&fleet(), Format::Html);
    assert!(html.contains("<section aria-label=\"Next steps\">"));
    let summary = "<p>1 service above its runtime target. Bringing it down to the target&#39;s high \
                   end would save 5.62 GB more image transfer a day on the wire (estimated; 15.2 GB \
                   unpacked), 2.05 TB a year.";
    assert!(html.contains(summary), "{html}");
    // One row per technique of the checklist.
    assert_eq!(
        html.matches("<tr><td class=\"num\">").count(),
        techniques::bundled().unwrap().len()
    );
    assert!(!html.contains("more not shown here"));

    let services: Vec<Service> = (0..1_003)
        .map(|i| service(&format!("s{i}"), None, (1, 1, 1), 200, Some(100)))
        .collect();
    let html = render_as(&report_of(Command::Report, "big", &services), Format::Html);
    assert_eq!(html.matches("<td class=\"name\">").count(), 1_000);
    assert!(html.contains("… 3 more not shown here"));
    assert!(!html.contains("aria-label=\"Next steps\""));
}

#[test]
fn json_is_the_report_as_is() {
    let report = fleet();
    let json = render_as(&report, Format::Json);
    assert_eq!(json, json::render(&report).unwrap());
    assert!(json.ends_with("}\n"));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["schema_version"], 1);
    assert_eq!(value["command"], "report");
    assert_eq!(value["generated_at"], serde_json::Value::Null);
    // Exact integers of bytes, and untagged savings: a committed row exact, a plan a range.
    let api = &value["services"][0];
    assert_eq!(api["name"], "api");
    assert_eq!(api["saved_per_day"]["wire_bytes"], 80 * 218_300_000u64);
    let plan = &value["services"][4];
    assert_eq!(plan["name"], "billing");
    assert_eq!(plan["after"], serde_json::Value::Null);
    assert_eq!(plan["saved_per_day"]["low"]["disk_bytes"], 12 * 350 * MB);
    assert_eq!(plan["saved_per_day"]["high"]["disk_bytes"], 12 * 420 * MB);
    assert_eq!(value["next_steps"]["services_above_target"], 1);
    assert_eq!(value["projected_totals"]["rows"], 1);
    assert_eq!(
        value["totals"]["expected"]["changed_from"][0]["after"],
        "whole-image"
    );

    // The streaming writer writes the same bytes.
    let mut written = Vec::new();
    json::write(&report, &mut written).unwrap();
    assert_eq!(String::from_utf8(written).unwrap(), json);
}

#[test]
fn json_of_the_reference_example_holds_exact_figures() {
    let value: serde_json::Value =
        serde_json::from_str(&render_as(&reference(), Format::Json)).unwrap();
    let totals = &value["totals"];
    assert_eq!(totals["pulls_per_day"], 2_000);
    assert_eq!(totals["per_pull_saved"]["disk_bytes"], 420_000_000);
    assert_eq!(totals["per_day"]["saved"]["disk_bytes"], 840_000_000_000u64);
    assert_eq!(totals["per_day"]["saved"]["wire_bytes"], 310_800_000_000u64);
    assert_eq!(totals["cost_saved"]["per_year"], 5_104.89);
    assert_eq!(value["assumptions"]["compression_ratio"]["value"], 0.37);
    assert_eq!(
        value["assumptions"]["compression_ratio"]["origin"],
        "default"
    );
}

#[test]
fn json_beyond_a_thousand_rows_is_written_compact() {
    let services: Vec<Service> = (0..=json::PRETTY_ROWS)
        .map(|i| service(&format!("s{i}"), None, (1, 1, 1), 200, Some(100)))
        .collect();
    let report = report_of(Command::Report, "big", &services);
    let mut written = Vec::new();
    json::write(&report, &mut written).unwrap();
    let text = String::from_utf8(written).unwrap();
    assert_eq!(text.lines().count(), 1);
    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
    let pretty: serde_json::Value = serde_json::from_str(&json::render(&report).unwrap()).unwrap();
    assert_eq!(parsed, pretty);
}

/// A report's rows written on two threads, in blocks, give the bytes `serde_json` gives, at row
/// counts around the block size: every kind of row (plans, growth, no runtime, no target, an
/// empty image, sizes typed on the wire, deploys a week) and names that need escaping and
/// breaking.
#[test]
fn rows_written_on_two_threads_are_serde_jsons_bytes() {
    for rows in [0, 1, 7, 511, 512, 513, 1024, 1537] {
        let services: Vec<Service> = (0..rows)
            .map(|i| {
                let name = format!("s{i}::error::\"{}\"\n##[x]", "é".repeat(i % 3));
                let shape = (1, 1 + i as u64 % 7, 1);
                let before = 200 + i as u64;
                match i % 7 {
                    0 => service(&name, Some("go"), shape, before, Some(100)),
                    1 => service(&name, Some("java"), shape, before, None),
                    2 => service(&name, None, shape, before, Some(before + 30)),
                    3 => service(&name, Some("python"), shape, 0, Some(0)),
                    4 => Service {
                        basis: Basis::Wire,
                        before: ImageSize::typed(before * MB, Basis::Wire, ratio()).unwrap(),
                        ..service(&name, Some("node"), shape, before, Some(90))
                    },
                    5 => {
                        let mut weekly = service(&name, Some("go"), shape, before, Some(60));
                        weekly.shape.deploys_per_day =
                            crate::model::values::deploy_rate("3/week").unwrap();
                        weekly
                    }
                    _ => service(&name, Some("java-jlink"), (3, 40, 12), 1963, Some(287)),
                }
            })
            .collect();
        let report = report_of(Command::Report, "rows", &services);
        let mut fast = Vec::new();
        crate::render::json_compact::write_report(&mut fast, &report).unwrap();
        let mut reference = Vec::new();
        json::with_serde_json(&mut reference, &report, false).unwrap();
        assert!(fast == reference, "{rows} rows differ");
    }
}

fn subject(name: &str, disk_mb: u64) -> Subject {
    Subject {
        name: name.to_string(),
        image: disk(disk_mb),
        runtime: Some("python"),
        fail_budget: None,
        warn_budget: None,
        baseline: None,
    }
}

fn gate(warn_only: bool) -> Gate {
    Gate {
        basis: Some(Basis::Disk),
        max_growth: Some(GrowthLimit {
            percent: Percent::parse("5%").unwrap(),
            floor_bytes: 10 * MB,
        }),
        warn_growth: None,
        warn_only,
    }
}

fn check_report(warn_only: bool) -> crate::report::check::CheckReport {
    let targets = Targets::bundled().unwrap();
    let subjects = [
        Subject {
            fail_budget: Some(Budget::Bytes(300 * MB)),
            warn_budget: Some(Budget::Target),
            baseline: Some(disk(200)),
            ..subject("api", 250)
        },
        Subject {
            fail_budget: Some(Budget::Target),
            ..subject("::error::x\n", 130)
        },
    ];
    gate::check(&subjects, &gate(warn_only), &targets).unwrap()
}

#[test]
fn check_text_markdown_and_annotations() {
    let report = check_report(false);
    let text = check::render(&report, CheckFormat::Text, None).unwrap();
    insta::assert_snapshot!(text, @"
    fleetsave check: FAIL (2 checked, 4 rules)
      pass  budget  api: 250 MB unpacked ≤ 300 MB (budget 300 MB)
      warn  target  api: 250 MB unpacked > 120 MB (python target 70–120 MB, high end), over by 130 MB
      fail  growth  api: 250 MB unpacked > 210 MB (baseline 200 MB + the larger of 5% and 10.0 MB), over by 40.0 MB
      fail  target  :‍:error:‍:x�: 130 MB unpacked > 120 MB (python target 70–120 MB, high end), over by 10.0 MB
    ");
    let markdown = check::render(&report, CheckFormat::Markdown, Some("gate")).unwrap();
    insta::assert_snapshot!(markdown.lines().take(9).collect::<Vec<_>>().join("\n"), @"
    <!-- fleetsave:gate -->
    ### fleetsave check: ❌ fail

    2 checked against 4 rules: 3 broken.

    | result | rule | service | size | limit | over | limit from |
    |:--|:--|:--|--:|--:|--:|:--|
    | ⚠️ warn | target | api | 250 MB unpacked | 120 MB | 130 MB | python target 70–120 MB, high end |
    | ❌ fail | growth | api | 250 MB unpacked | 210 MB | 40.0 MB | baseline 200 MB + the larger of 5% and 10.0 MB |
    ");
    // One annotation per broken rule, each on one line: a name cannot start a command of its own.
    insta::assert_snapshot!(check::annotations(&report), @"
    ::warning title=fleetsave check (target)::api: 250 MB unpacked > 120 MB (python target 70–120 MB, high end), over by 130 MB
    ::error title=fleetsave check (growth)::api: 250 MB unpacked > 210 MB (baseline 200 MB + the larger of 5%25 and 10.0 MB), over by 40.0 MB
    ::error title=fleetsave check (target):::‍:error:‍:x�: 130 MB unpacked > 120 MB (python target 70–120 MB, high end), over by 10.0 MB
    ");
    let json: serde_json::Value =
        serde_json::from_str(&check::render(&report, CheckFormat::Json, None).unwrap()).unwrap();
    assert_eq!(json["status"], "fail");
    assert_eq!(json["rules"][2]["limit_bytes"], 210 * MB);
    assert_eq!(json["rules"][2]["over_bytes"], 40 * MB);
    assert_eq!(json["rules"][3]["service"], "::error::x\n");
}

#[test]
fn check_with_warn_only_never_fails() {
    let report = check_report(true);
    let text = check::render(&report, CheckFormat::Text, None).unwrap();
    assert!(
        text.starts_with("fleetsave check: WARN (2 checked, 4 rules, warn only)\n"),
        "{text}"
    );
    assert!(!text.contains("  fail "), "{text}");
    assert!(!check::annotations(&report).contains("::error "));
    let markdown = check::render(&report, CheckFormat::Markdown, None).unwrap();
    assert!(markdown.starts_with("<!-- fleetsave:check -->\n### fleetsave check: ⚠️ warn\n"));
    assert!(markdown.contains("3 broken (warn only: the build is not failed)."));
}

#[test]
fn check_without_rules_says_how_to_add_them() {
    let targets = Targets::bundled().unwrap();
    let report = gate::check(&[subject("api", 100)], &gate(false), &targets).unwrap();
    let text = check::render(&report, CheckFormat::Text, None).unwrap();
    insta::assert_snapshot!(text, @r"
    fleetsave check: PASS (1 checked, 0 rules)
    No rules given: add --budget, --warn-budget or --baseline with --max-growth.
    ");
    assert_eq!(check::annotations(&report), "");
}

fn digest(digit: char) -> Digest {
    Digest::parse(&format!("sha256:{}", digit.to_string().repeat(64))).unwrap()
}

fn layer(digit: char, wire: u64, disk: Option<u64>) -> Layer {
    Layer {
        digest: digest(digit),
        media_type: "application/vnd.oci.image.layer.v1.tar+gzip".to_string(),
        compression: Compression::Gzip,
        wire_bytes: wire,
        disk_bytes: disk,
        non_distributable: false,
        urls: Vec::new(),
        files: None,
    }
}

#[test]
fn inspect_text_and_json() {
    let archive = Image {
        source: "images/app.tar".to_string(),
        kind: SourceKind::OciArchive,
        platform: Some("linux/amd64".to_string()),
        is_artifact: false,
        referrer_of: None,
        config: Some(Blob {
            digest: digest('c'),
            media_type: "application/vnd.oci.image.config.v1+json".to_string(),
            size: 1_500,
        }),
        layers: vec![
            layer('a', 30_000_000, Some(80_000_000)),
            Layer {
                non_distributable: true,
                ..layer('b', 5_000_000, Some(12_000_000))
            },
        ],
        reported_disk_bytes: None,
        wire_known: true,
        notes: vec!["picked linux/amd64 from 2 platforms".to_string()],
        history: None,
        created: None,
    };
    let manifest = Image {
        source: "manifest.json".to_string(),
        kind: SourceKind::Manifest,
        platform: None,
        config: None,
        layers: vec![layer('d', 37_000_000, None)],
        notes: Vec::new(),
        ..archive.clone()
    };
    // The sizes as the image readers give them: an archive measured on both bases, a manifest
    // on the wire only.
    let report = InspectReport::new(
        vec![
            (archive.clone(), ImageSize::measured(92_000_000, 35_001_500)),
            (
                manifest.clone(),
                ImageSize::typed(37_000_000, Basis::Wire, ratio()).unwrap(),
            ),
        ],
        ratio(),
    );
    let text = inspect::render(&report, InspectFormat::Text).unwrap();
    insta::assert_snapshot!(text, @"
    images/app.tar (oci-archive, linux/amd64)
      wire  35.0 MB (35,001,500 bytes) — config + 2 layers
      disk  92.0 MB (92,000,000 bytes)
      layer                 type                wire       disk
      sha256:aaaaaaaaaaaa   gzip             30.0 MB    80.0 MB
      sha256:bbbbbbbbbbbb   gzip, foreign    5.00 MB    12.0 MB
      note: picked linux/amd64 from 2 platforms

    manifest.json (registry manifest)
      wire  37.0 MB (37,000,000 bytes) — config + 1 layer
      disk  100 MB (100,000,000 bytes), estimated at compression ratio 0.37
      layer                 type                wire       disk
      sha256:dddddddddddd   gzip             37.0 MB          —
    ");
    let json: serde_json::Value =
        serde_json::from_str(&inspect::render(&report, InspectFormat::Json).unwrap()).unwrap();
    assert_eq!(json["command"], "inspect");
    assert_eq!(json["compression_ratio"], 0.37);
    let first = &json["images"][0];
    // The image's own fields are flattened beside its sizes.
    assert_eq!(first["source"], "images/app.tar");
    assert_eq!(first["kind"], "oci-archive");
    assert_eq!(first["wire_bytes"], 35_001_500);
    assert_eq!(first["disk_bytes"], 92_000_000);
    assert_eq!(first["layers"][1]["non_distributable"], true);
    let second = &json["images"][1];
    assert_eq!(second["disk_bytes"], serde_json::Value::Null);
    assert_eq!(second["size"]["disk_bytes"], 100_000_000);
    assert_eq!(second["size"]["disk_estimated"], true);
}

#[test]
fn targets_text_and_json() {
    let targets = Targets::bundled().unwrap();
    let text = targets::render(&targets, TargetsFormat::Text).unwrap();
    insta::assert_snapshot!(text, @r"
    runtime        target (disk)  what
    go                  10–25 MB  Go binary on scratch
    python             70–120 MB  Python on slim base with venv
    node               80–180 MB  Node.js on alpine with production dependencies
    java              180–250 MB  Java on a JRE-alpine base
    java-jlink         80–150 MB  Java with a jlink custom JRE
    other                      —  no target
    ");
    let json: serde_json::Value =
        serde_json::from_str(&targets::render(&targets, TargetsFormat::Json).unwrap()).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(
        json["targets"].as_array().unwrap().len(),
        targets.targets.len()
    );
    assert_eq!(json["targets"][1]["runtime"], "python");
    assert_eq!(json["targets"][1]["low_disk_bytes"], 70 * MB);
    assert_eq!(json["targets"][1]["high_disk_bytes"], 120 * MB);
}

#[test]
fn a_growth_sentence_never_prints_a_negative_growth() {
    // Larger unpacked, smaller compressed (a better compressor, say): 50 MB more on disk,
    // 10 MB less on the wire.
    let grew_on_disk = Service {
        before: ImageSize::measured(100 * MB, 50 * MB),
        after: Some(ImageSize::measured(150 * MB, 40 * MB)),
        ..service("a", None, (1, 1, 1), 100, Some(100))
    };
    let other = service("b", None, (1, 1, 1), 500, Some(100));
    let text = render_as(
        &report_of(Command::Report, "t", &[grew_on_disk, other]),
        Format::Text,
    );
    assert!(text.contains("a grew by 50.0 MB (+50.0%)"), "{text}");
    assert!(!text.contains("+-"), "{text}");
    let unwrapped = text.replace('\n', " ");
    assert!(
        unwrapped.contains("unpacked: yet 10.0 MB a day less transfer on the wire"),
        "{text}"
    );
}
