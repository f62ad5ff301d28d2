//! `--format markdown`: the pull-request comment.

use crate::common::*;

const CSV: &str = "data/examples/fleet.csv";

#[test]
fn the_comment_starts_with_the_marker_and_has_table_chart_and_details() {
    let md = stdout_of(&["report", CSV, "--format", "markdown"]);
    assert!(md.starts_with("<!-- fleetsave:report -->\n"), "{md}");
    assert!(md.contains("| service | runtime | before | after | change | transfer/day | target |"));
    assert!(
        md.contains("| auth | go | 850 MB | 18.0 MB | ▼ 97.9% | ≈−36.9 GB | within |"),
        "{md}"
    );
    assert!(
        md.contains(
            "| reporting | node | 180 MB | 215 MB | ▲ 19.4% | ≈+104 MB | **above** (35.0 MB over) |"
        ),
        "{md}"
    );
    assert!(md.contains("```mermaid\n%%{init: "));
    assert!(md.contains("\nxychart-beta horizontal\n"));
    assert!(md.contains("<details><summary>Assumptions and method</summary>"));
    assert!(md.contains("**53.5 GB of image transfer a day**"), "{md}");
    let calc = stdout_of(&[
        "calc", "--before", "500MB", "--after", "80MB", "--format", "markdown",
    ]);
    assert!(calc.starts_with("<!-- fleetsave:calc -->\n"));
    let marked = stdout_of(&[
        "report", CSV, "--format", "markdown", "--marker", "api-size",
    ]);
    assert!(marked.starts_with("<!-- fleetsave:api-size -->\n"));
    let (code, stderr) = failure_of(&["report", CSV, "--format", "markdown", "--marker", "x -->"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--marker: 'x -->'"), "{stderr}");
}

#[test]
fn table_rows_are_well_formed_gfm() {
    let md = stdout_of(&["report", CSV, "--format", "markdown"]);
    let table: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    // three tables, each with a header and a delimiter: 15 services, 4 expected rows (routine
    // deploys, base refreshes, new nodes, total), 11 assumptions
    assert_eq!(table.len(), 2 + 15 + 2 + 4 + 2 + 11);
    for line in table[..17].iter().filter(|l| !l.starts_with("|:--")) {
        let cells = line.matches(" | ").count() + 1;
        assert_eq!(cells, 7, "{line}");
    }
}

#[test]
fn hostile_names_are_escaped_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(300);
    let csv = format!(
        "service,runtime,before,after\n\
         \"<script>alert(1)</script>\",python,900MB,300MB\n\
         \"a|b\",go,100MB,20MB\n\
         \"`rm -rf` @channel #1\",node,500MB,100MB\n\
         \"- [x] **bold** ![img](http://evil/x.png)\",node,400MB,600MB\n\
         \"line\nbreak\",java,700MB,200MB\n\
         \"{long}\",go,50MB,20MB\n\
         \"שלום-עולם\",python,300MB,100MB\n"
    );
    let path = write_file(dir.path(), "hostile.csv", &csv);
    let md = stdout_of(&["report", path.to_str().unwrap(), "--format", "markdown"]);
    assert!(!md.contains("<script>"), "{md}");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(md.contains("| a&#124;b |"), "{md}");
    assert!(!md.contains("`rm"), "{md}");
    assert!(
        md.contains("&#96;rm \\-rf&#96;") || md.contains("&#96;rm -rf&#96;"),
        "{md}"
    );
    assert!(!md.contains("@channel"), "{md}");
    assert!(md.contains("&#64;&#8203;channel &#35;&#8203;1"));
    assert!(!md.contains("![img]"), "{md}");
    assert!(!md.contains("**bold**"), "{md}");
    assert!(
        md.contains("line break"),
        "newlines in names become spaces: {md}"
    );
    assert!(md.contains("שלום-עולם"));
    // the growth sentence starts with the hostile name: it must not become a list item
    assert!(md.lines().all(|l| !l.starts_with("- ")), "{md}");
    // Mermaid labels use entity codes: no raw quote, bracket or angle bracket inside the chart
    let chart = md
        .split("```mermaid")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let axis = chart
        .lines()
        .find(|l| l.trim_start().starts_with("x-axis"))
        .unwrap();
    assert!(axis.contains("\"#60;script#62;alert...\""), "{axis}");
    assert!(!axis.contains('<') && !axis.contains('`'), "{axis}");
    // every data row has exactly seven cells: no | leaked from a name
    let before_details = md.split("<details>").next().unwrap();
    for line in before_details.lines().filter(|l| l.starts_with("| ")) {
        assert_eq!(line.matches(" | ").count(), 6, "{line}");
    }
}

#[test]
fn five_thousand_services_stay_under_githubs_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("service,runtime,before,after,nodes\n");
    for i in 0..5000 {
        csv.push_str(&format!(
            "service-with-a-longish-name-{i:05},python,{}MB,{}MB,{}\n",
            900 + i % 300,
            100 + i % 50,
            1 + i % 9
        ));
    }
    let path = write_file(dir.path(), "big.csv", &csv);
    let md = stdout_of(&["report", path.to_str().unwrap(), "--format", "markdown"]);
    let length = md.chars().count();
    assert!(length <= 65_536, "{length} characters");
    assert!(length > 60_000, "the table fills the space: {length}");
    let summary = md
        .lines()
        .find(|l| l.starts_with("… and "))
        .expect("a summary line");
    assert!(summary.contains("more not shown"), "{summary}");
    let shown = md
        .lines()
        .filter(|l| l.starts_with("| service-with"))
        .count();
    let omitted: usize = summary
        .trim_start_matches("… and ")
        .split(' ')
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap();
    assert_eq!(shown + omitted, 5000, "{summary}");
    assert!(md.trim_end().ends_with("</sub>"), "the comment is whole");
}

#[test]
fn snapshot_of_the_example_comment() {
    insta::assert_snapshot!(
        "report_example_markdown",
        stdout_of(&["report", CSV, "--format", "markdown"])
    );
}

/// Parses the comment with GitHub-flavoured Markdown rules (tables, strikethrough).
fn gfm_events(md: &str) -> Vec<pulldown_cmark::Event<'_>> {
    use pulldown_cmark::{Options, Parser};
    Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).collect()
}

#[test]
fn a_gfm_parser_sees_one_table_of_services_and_a_mermaid_block() {
    use pulldown_cmark::{CodeBlockKind, Event, Tag};
    let md = stdout_of(&["report", CSV, "--format", "markdown"]);
    let events = gfm_events(&md);
    let tables: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Table(alignments)) => Some(alignments.len()),
            _ => None,
        })
        .collect();
    assert_eq!(
        tables,
        [7, 4, 4],
        "the service table, the expected decomposition and the assumptions"
    );
    let rows = events
        .iter()
        .filter(|e| matches!(e, Event::Start(Tag::TableRow)))
        .count();
    assert_eq!(
        rows,
        15 + 4 + 11,
        "15 services, 4 expected rows, 11 assumptions"
    );
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if info.as_ref() == "mermaid"
    )));
}

#[test]
fn hostile_names_create_no_links_images_or_html_for_a_gfm_parser() {
    use pulldown_cmark::{Event, Tag};
    let dir = tempfile::tempdir().unwrap();
    let csv = "service,runtime,before,after\n\
               \"[click](http://evil) ![x](http://evil/x.png) <b>bold</b>\",python,900MB,300MB\n\
               \"- list | cell\",go,100MB,200MB\n";
    let path = write_file(dir.path(), "hostile.csv", csv);
    let md = stdout_of(&["report", path.to_str().unwrap(), "--format", "markdown"]);
    for event in gfm_events(&md) {
        match &event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. } | Tag::List(_)) => {
                panic!("input made markup: {event:?}\n{md}")
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let allowed = [
                    "<!-- fleetsave:",
                    "<details>",
                    "</details>",
                    "<sub>",
                    "</sub>",
                    "<summary>",
                    "</summary>",
                ];
                assert!(
                    allowed.iter().any(|a| html.trim_start().starts_with(a)),
                    "unexpected HTML {html:?}\n{md}"
                );
            }
            _ => {}
        }
    }
}

/// `check --format markdown` goes through the same comment builder: 5,000 services fit in
/// GitHub's limit, the broken rules first, and the rest counted.
#[test]
fn five_thousand_checked_services_stay_under_githubs_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("service,runtime,before,after,budget\n");
    for i in 0..5000 {
        // Every seventh service breaks its budget.
        let budget = if i % 7 == 0 { "50MB" } else { "1GB" };
        csv.push_str(&format!(
            "service-with-a-longish-name-{i:05},python,900MB,{}MB,{budget}\n",
            100 + i % 50
        ));
    }
    let path = write_file(dir.path(), "big.csv", &csv);
    let output = fleetsave()
        .args([
            "check",
            "--inventory",
            path.to_str().unwrap(),
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let md = String::from_utf8(output.stdout).unwrap();
    let length = md.chars().count();
    assert!(length <= 65_536, "{length} characters");
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).skip(1).collect();
    // 715 budgets are broken, more than fit: every row shown is a failure.
    assert!(rows.len() > 500, "{} rows", rows.len());
    assert!(
        rows.iter().all(|r| r.contains("❌ fail")),
        "a passing rule shown first"
    );
    let summary = md
        .lines()
        .find(|l| l.starts_with("… and "))
        .expect("a summary line");
    assert!(summary.contains("rules more not shown"), "{summary}");
    assert!(md.trim_end().ends_with("</sub>"));
}
