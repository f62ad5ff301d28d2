//! Tests for every chart: renders, text alternative, escaping, determinism, 0/1/25 rows, colours.
//!
//! `cargo test --lib chart::tests::preview -- --ignored` with `FLEETSAVE_CHART_PREVIEW=DIR`
//! writes each chart into `DIR/*.html` for a look in a browser.

use super::*;

const HOSTILE: [&str; 7] = [
    "<script>alert(1)</script>",
    "a|b",
    "`rm -rf`",
    "Tom & \"Jerry's\"",
    "خدمة-الدفع",
    "@channel\nnext line\u{0}",
    "\u{202E}gnp.exe",
];

fn size_items(count: usize) -> Vec<BeforeAfterItem> {
    (0..count)
        .map(|index| BeforeAfterItem {
            label: format!("service-{index:02}"),
            before: 900.0 - index as f64 * 30.0,
            after: 310.0 - index as f64 * 8.0,
        })
        .collect()
}

fn sizes(items: Vec<BeforeAfterItem>, more: usize) -> BeforeAfterChart {
    BeforeAfterChart {
        id: "sizes".into(),
        title: "Where the savings come from".into(),
        axis: Axis::new("Image size", "MB"),
        items,
        more,
    }
}

fn example_sizes() -> BeforeAfterChart {
    sizes(
        vec![
            BeforeAfterItem {
                label: "checkout-api".into(),
                before: 1240.0,
                after: 180.0,
            },
            BeforeAfterItem {
                label: "search".into(),
                before: 640.0,
                after: 210.0,
            },
            BeforeAfterItem {
                label: "payments-worker-with-a-very-long-name-for-the-column".into(),
                before: 420.0,
                after: 96.5,
            },
            BeforeAfterItem {
                label: "api".into(),
                before: 290.0,
                after: 325.0,
            },
            BeforeAfterItem {
                label: "frontend".into(),
                before: 120.0,
                after: 42.0,
            },
        ],
        0,
    )
}

fn example_pull_times() -> BeforeAfterChart {
    let mut chart = example_sizes();
    chart.id = "pull-times".into();
    chart.title = "Cold pulls get 11 s faster".into();
    chart.axis = Axis::new("Pull time", "s");
    for item in &mut chart.items {
        item.before /= 62.5;
        item.after /= 62.5;
    }
    chart
}

fn example_cumulative() -> CumulativeChart {
    CumulativeChart {
        id: "year".into(),
        title: "113 TB less transfer in the first year".into(),
        axis: Axis::new("Cumulative transfer", "TB"),
        points: (0..=12)
            .map(|month| CumulativePoint {
                month,
                before: f64::from(month) * 12.5,
                after: f64::from(month) * 3.08,
            })
            .collect(),
        saved_label: "113 TB saved in 12 months".into(),
    }
}

fn target(label: &str, low: f64, high: f64, value: f64, status: Status) -> TargetItem {
    TargetItem {
        label: label.into(),
        low,
        high,
        value,
        status,
    }
}

fn example_targets() -> TargetChart {
    TargetChart {
        id: "targets".into(),
        title: "Two images are still above their runtime's target".into(),
        axis: Axis::new("Image size", "MB"),
        items: vec![
            target("checkout-api (go)", 10.0, 30.0, 180.0, Status::Above),
            target("search (jvm)", 150.0, 250.0, 210.0, Status::Within),
            target(
                "payments-worker (python)",
                60.0,
                120.0,
                96.5,
                Status::Within,
            ),
            target("api (node)", 80.0, 150.0, 325.0, Status::Above),
            target("frontend (static)", 50.0, 90.0, 42.0, Status::Below),
        ],
        more: 0,
    }
}

fn example_stacked() -> StackedChart {
    let parts = |base: f64, deps: f64, app: f64| {
        vec![
            ("Base image".to_string(), base),
            ("Dependencies".to_string(), deps),
            ("Application".to_string(), app),
        ]
    };
    StackedChart {
        id: "decomposition".into(),
        title: "Most of the savings come from the base image".into(),
        axis: Axis::new("Saved per pull", "MB"),
        items: vec![
            StackedItem {
                label: "checkout-api".into(),
                parts: parts(700.0, 300.0, 60.0),
            },
            StackedItem {
                label: "search".into(),
                parts: parts(250.0, 150.0, 30.0),
            },
            StackedItem {
                label: "frontend".into(),
                parts: parts(60.0, 10.0, 8.0),
            },
        ],
        more: 0,
    }
}

/// Every chart with the given labels replacing the example ones.
fn all_charts_with_labels(labels: &[&str]) -> Vec<String> {
    let label = |index: usize| labels[index % labels.len()].to_string();
    let mut bars = example_sizes();
    for (index, item) in bars.items.iter_mut().enumerate() {
        item.label = label(index);
    }
    let mut marks = example_targets();
    for (index, item) in marks.items.iter_mut().enumerate() {
        item.label = label(index + 1);
    }
    let mut stack = example_stacked();
    for (index, item) in stack.items.iter_mut().enumerate() {
        item.label = label(index + 2);
        item.parts[0].0 = label(index);
    }
    let mut pulls = example_pull_times();
    for (index, item) in pulls.items.iter_mut().enumerate() {
        item.label = label(index + 3);
    }
    let mut year = example_cumulative();
    year.saved_label = label(0);
    bars.title = label(0);
    year.title = label(1);
    marks.title = label(0);
    pulls.title = label(0);
    stack.title = label(0);
    vec![
        before_after(&bars).unwrap(),
        cumulative(&year).unwrap(),
        targets(&marks).unwrap(),
        before_after(&pulls).unwrap(),
        stacked(&stack).unwrap(),
    ]
}

fn all_examples() -> Vec<(&'static str, String)> {
    vec![
        ("sizes", before_after(&example_sizes()).unwrap()),
        ("year", cumulative(&example_cumulative()).unwrap()),
        ("targets", targets(&example_targets()).unwrap()),
        ("pull-times", before_after(&example_pull_times()).unwrap()),
        ("decomposition", stacked(&example_stacked()).unwrap()),
    ]
}

fn assert_accessible(svg: &str, id: &str) {
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 960 "));
    assert!(svg.contains("width=\"100%\""));
    assert!(!svg.lines().next().unwrap().contains("height="));
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")));
    let mut lines = svg.lines().skip(1);
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with(&format!("<title id=\"{id}-title\">"))
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with(&format!("<desc id=\"{id}-desc\">"))
    );
    assert!(svg.trim_end().ends_with("</svg>"));
}

#[test]
fn every_chart_renders_with_title_desc_and_labels() {
    for (id, svg) in all_examples() {
        assert_accessible(&svg, id);
        assert!(svg.contains("<text"), "{id}: no text");
        assert!(!svg.contains("0000000"), "{id}: float noise in the SVG");
    }
    let sizes = before_after(&example_sizes()).unwrap();
    assert!(sizes.contains("<title id=\"sizes-title\">Where the savings come from</title>"));
    assert!(sizes.contains("checkout-api: 1,240 before, 180 after (\u{2212}85%)."));
    assert!(sizes.contains("Image size (MB)"));
    assert!(sizes.contains(">\ncheckout-api\n</text>"));
    assert!(sizes.contains("payments-worker-with-a-very…"));

    let year = cumulative(&example_cumulative()).unwrap();
    assert!(year.contains("Month 12: 150 before, 37.0 after."));
    assert!(year.contains(">\n113 TB saved in 12 months\n</text>"));
    assert!(year.contains("Cumulative transfer (TB)"));
    assert!(year.contains("Before: 150 TB"));

    let marks = targets(&example_targets()).unwrap();
    assert!(marks.contains("api (node): 325 MB, target 80.0 to 150 MB, ▲ above by 175 MB."));
    assert!(marks.contains("frontend (static): 42.0 MB, target 50.0 to 90.0 MB, below."));

    let stack = stacked(&example_stacked()).unwrap();
    assert!(stack.contains(
        "checkout-api: Base image 700, Dependencies 300, Application 60.0, total 1,060."
    ));
    assert!(stack.contains(">\nDependencies\n</text>"));
}

#[test]
fn hostile_labels_are_escaped_exactly_once() {
    for svg in all_charts_with_labels(&HOSTILE) {
        assert!(!svg.contains("<script"), "raw script tag in:\n{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!svg.contains("&amp;lt;"), "double escaping");
        assert!(!svg.contains('\u{0}'));
        assert!(!svg.contains('\u{202E}'));
        // Every '&' starts an entity.
        for (index, _) in svg.match_indices('&') {
            let rest = &svg[index..];
            assert!(
                ["&lt;", "&gt;", "&amp;", "&quot;", "&apos;"]
                    .iter()
                    .any(|entity| rest.starts_with(entity)),
                "bare & at {}",
                &rest[..rest.len().min(20)]
            );
        }
    }
    let svg = all_charts_with_labels(&HOSTILE).join("");
    assert!(svg.contains("Tom &amp; &quot;Jerry&apos;s&quot;"));
    assert!(svg.contains("خدمة-الدفع"));
    assert!(svg.contains("@channel next line"));
}

#[test]
fn long_labels_are_cut_to_the_column() {
    let long = "x".repeat(300);
    let svg = before_after(&sizes(
        vec![BeforeAfterItem {
            label: long.clone(),
            before: 2.0,
            after: 1.0,
        }],
        0,
    ))
    .unwrap();
    let cut = format!("{}…", "x".repeat(LABEL_MAX_CHARS - 1));
    assert!(svg.contains(&format!(">\n{cut}\n</text>")));
    // The description keeps the whole name for screen readers.
    assert!(svg.contains(&format!("{long}: 2.00 before")));
    let titled = before_after(&BeforeAfterChart {
        title: long.clone(),
        ..sizes(vec![], 0)
    })
    .unwrap();
    assert!(titled.contains(&format!("<title id=\"sizes-title\">{long}</title>")));
    assert!(!titled.contains(&format!(">\n{long}\n</text>")));
    assert!(titled.contains("x…\n</text>"));
}

#[test]
fn identical_input_gives_identical_bytes() {
    let first = all_charts_with_labels(&HOSTILE);
    let second = all_charts_with_labels(&HOSTILE);
    assert_eq!(first, second);
    let many = sizes(size_items(25), 180);
    assert_eq!(before_after(&many).unwrap(), before_after(&many).unwrap());
}

#[test]
fn zero_items_give_a_valid_no_data_chart() {
    let empty = [
        before_after(&sizes(vec![], 0)).unwrap(),
        cumulative(&CumulativeChart {
            points: vec![],
            ..example_cumulative()
        })
        .unwrap(),
        targets(&TargetChart {
            items: vec![],
            ..example_targets()
        })
        .unwrap(),
        stacked(&StackedChart {
            items: vec![],
            ..example_stacked()
        })
        .unwrap(),
    ];
    for svg in &empty {
        assert!(svg.contains(">\nNo data\n</text>"), "{svg}");
        assert!(svg.contains("No data.</desc>"));
        assert!(svg.trim_end().ends_with("</svg>"));
    }
    let with_note = before_after(&sizes(vec![], 7)).unwrap();
    assert!(with_note.contains("… 7 more not shown"));
}

#[test]
fn one_item_renders() {
    let svg = before_after(&sizes(size_items(1), 0)).unwrap();
    assert!(svg.contains(">\nservice-00\n</text>"));
    assert!(!svg.contains("more not shown"));
    let svg = cumulative(&CumulativeChart {
        points: vec![CumulativePoint {
            month: 12,
            before: 10.0,
            after: 4.0,
        }],
        ..example_cumulative()
    })
    .unwrap();
    assert!(svg.contains("Before: 10.0 TB"));
}

#[test]
fn more_than_twenty_items_are_cut_and_counted() {
    let svg = before_after(&sizes(size_items(25), 180)).unwrap();
    assert!(svg.contains(">\nservice-19\n</text>"));
    assert!(!svg.contains("service-20"));
    assert!(svg.contains("… 185 more not shown (top 20 drawn)"));
    let svg = targets(&TargetChart {
        items: (0..25)
            .map(|index| target(&format!("image-{index}"), 10.0, 20.0, 15.0, Status::Within))
            .collect(),
        ..example_targets()
    })
    .unwrap();
    assert!(svg.contains("… 5 more not shown (top 20 drawn)"));
}

#[test]
fn growth_is_drawn_in_the_warning_colour() {
    let growth = GROWTH.css();
    let svg = before_after(&example_sizes()).unwrap();
    assert!(svg.contains(&format!("fill=\"{growth}\"")));
    assert!(svg.contains("▲ 325 (+12%)"));
    let no_growth = before_after(&sizes(size_items(3), 0)).unwrap();
    assert!(!no_growth.contains(&growth));
    assert!(no_growth.contains(&format!("fill=\"{}\"", AFTER.css())));
    assert!(no_growth.contains(&format!("fill=\"{}\"", BEFORE.css())));

    let marks = targets(&example_targets()).unwrap();
    assert!(marks.contains(&format!("<polygon opacity=\"1\" fill=\"{growth}\"")));
}

#[test]
fn non_finite_values_do_not_panic() {
    let svg = before_after(&sizes(
        vec![BeforeAfterItem {
            label: "nan".into(),
            before: f64::NAN,
            after: f64::INFINITY,
        }],
        0,
    ))
    .unwrap();
    assert!(svg.contains("nan: 0 before, 0 after."));
    cumulative(&CumulativeChart {
        points: vec![
            CumulativePoint {
                month: 0,
                before: f64::NAN,
                after: -1.0,
            },
            CumulativePoint {
                month: 0,
                before: 0.0,
                after: 0.0,
            },
        ],
        ..example_cumulative()
    })
    .unwrap();
    // Found by the property test: a huge negative value once overflowed plotters' i32 pixels.
    let negative = cumulative(&CumulativeChart {
        points: vec![CumulativePoint {
            month: 0,
            before: 0.0,
            after: -3.0608269266426772e59,
        }],
        ..example_cumulative()
    })
    .unwrap();
    assert_well_formed(&negative);
    let far = cumulative(&CumulativeChart {
        points: vec![
            CumulativePoint {
                month: u32::MAX,
                before: 1.0,
                after: 0.5,
            },
            CumulativePoint {
                month: 0,
                before: 0.0,
                after: 0.0,
            },
        ],
        ..example_cumulative()
    })
    .unwrap();
    assert_well_formed(&far);
}

#[test]
fn a_legend_too_long_for_one_line_ends_in_an_ellipsis() {
    let parts: Vec<(String, f64)> = (0..12)
        .map(|index| (format!("dependency group {index:02}"), 10.0))
        .collect();
    let svg = stacked(&StackedChart {
        items: vec![StackedItem {
            label: "many-parts".into(),
            parts,
        }],
        ..example_stacked()
    })
    .unwrap();
    assert!(svg.contains(">\n…\n</text>"));
    assert!(svg.contains("dependency group 11 10.0, total 120."));
}

fn narrow_examples() -> Vec<(&'static str, String)> {
    vec![
        (
            "sizes",
            before_after_at(&example_sizes(), Width::Narrow).unwrap(),
        ),
        (
            "year",
            cumulative_at(&example_cumulative(), Width::Narrow).unwrap(),
        ),
        (
            "targets",
            targets_at(&example_targets(), Width::Narrow).unwrap(),
        ),
        (
            "pull-times",
            before_after_at(&example_pull_times(), Width::Narrow).unwrap(),
        ),
        (
            "decomposition",
            stacked_at(&example_stacked(), Width::Narrow).unwrap(),
        ),
    ]
}

/// Every unrotated `<text>` of an SVG: (content, x, anchor, font size).
fn texts(svg: &str) -> Vec<(String, f64, String, f64)> {
    let attribute = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[start..start + tag[start..].find('"')?].to_string())
    };
    svg.split("<text ")
        .skip(1)
        .filter_map(|rest| {
            let (tag, body) = rest.split_once('>')?;
            let tag = format!(" {tag}");
            let tag = tag.as_str();
            if tag.contains("transform") {
                return None;
            }
            let content = body.split("</text>").next()?.trim().to_string();
            Some((
                content,
                attribute(tag, "x")?.parse().ok()?,
                attribute(tag, "text-anchor")?,
                attribute(tag, "font-size")?.parse().ok()?,
            ))
        })
        .collect()
}

#[test]
fn narrow_charts_are_accessible_with_their_own_ids() {
    for (id, svg) in narrow_examples() {
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 360 "),
            "{id}"
        );
        assert!(svg.contains(&format!(
            "aria-labelledby=\"{id}-narrow-title {id}-narrow-desc\""
        )));
        assert!(svg.contains(&format!("<title id=\"{id}-narrow-title\">")));
        assert_well_formed(&svg);
    }
    // The same description as the wide chart: the text alternative does not depend on width.
    let wide = before_after(&example_sizes()).unwrap();
    let narrow = before_after_at(&example_sizes(), Width::Narrow).unwrap();
    let desc = |svg: &str| {
        svg.split("-desc\">")
            .nth(1)
            .unwrap()
            .split("</desc>")
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(desc(&wide), desc(&narrow));
}

#[test]
fn narrow_chart_text_stays_inside_the_chart() {
    for (id, svg) in narrow_examples() {
        assert!(texts(&svg).len() > 10, "{id}");
        for (text, x, anchor, px) in texts(&svg) {
            let width = text.chars().count() as f64 * px * 0.62;
            let (left, right) = match anchor.as_str() {
                "start" => (x, x + width),
                "end" => (x - width, x),
                _ => (x - width / 2.0, x + width / 2.0),
            };
            assert!(
                left >= 0.0 && right <= f64::from(NARROW_CHART_WIDTH),
                "{id}: {text:?} spans {left:.0}..{right:.0}"
            );
            assert!(px >= 11.0, "{id}: {text:?} at {px} px");
        }
    }
}

#[test]
fn narrow_row_labels_sit_above_their_bars() {
    let svg = before_after_at(&example_sizes(), Width::Narrow).unwrap();
    let labels: Vec<_> = texts(&svg)
        .into_iter()
        .filter(|(text, ..)| text == "checkout-api" || text == "search")
        .collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    for (_, x, anchor, _) in &labels {
        assert_eq!((*x, anchor.as_str()), (20.0, "start"));
    }
    // Wide: right-aligned in the column left of the plot.
    let wide = before_after(&example_sizes()).unwrap();
    assert!(
        texts(&wide)
            .iter()
            .any(|(text, _, anchor, _)| text == "checkout-api" && anchor == "end")
    );
}

#[test]
fn narrow_titles_and_legends_wrap_instead_of_being_cut() {
    let svg = targets_at(&example_targets(), Width::Narrow).unwrap();
    let texts = texts(&svg);
    let has = |wanted: &str| texts.iter().any(|(text, ..)| text == wanted);
    // "Two images are still above their runtime's target": two lines, nothing cut.
    assert!(has("Two images are still above"), "{texts:?}");
    assert!(has("their runtime&apos;s target"), "{texts:?}");
    assert!(!svg.contains(">\n…\n</text>"), "no legend entry left out");
    for entry in [
        "Target range",
        "Image, below or within",
        "Image above target",
    ] {
        assert!(has(entry), "{entry}");
    }
    // The status moves to the label line, right-aligned.
    assert!(
        texts
            .iter()
            .any(|(text, _, anchor, _)| text == "325 MB · ▲ above by 175 MB" && anchor == "end")
    );
    // The 12-month chart names its end values in the legend.
    let year = cumulative_at(&example_cumulative(), Width::Narrow).unwrap();
    assert!(year.contains(">\nBefore: 150 TB\n</text>"));
    assert!(year.contains(">\nAfter: 37.0 TB\n</text>"));
}

/// The example charts, reviewed by eye (screenshots in headless Chromium) before accepting.
#[test]
fn example_charts_match_their_snapshots() {
    insta::with_settings!({ snapshot_path => "../snapshots" }, {
        for (name, svg) in all_examples() {
            insta::assert_snapshot!(format!("chart_{name}"), svg);
        }
    });
}

#[test]
#[ignore = "writes preview HTML; run with FLEETSAVE_CHART_PREVIEW=DIR"]
fn preview() {
    // Without FLEETSAVE_CHART_PREVIEW (as in `cargo test -- --include-ignored`), into a
    // temporary directory that is removed afterwards.
    let scratch = tempfile::tempdir().unwrap();
    let dir = std::env::var("FLEETSAVE_CHART_PREVIEW")
        .unwrap_or_else(|_| scratch.path().display().to_string());
    let mut charts = all_examples();
    charts.push(("many", before_after(&sizes(size_items(25), 180)).unwrap()));
    charts.push(("hostile", all_charts_with_labels(&HOSTILE).remove(0)));
    charts.push(("empty", before_after(&sizes(vec![], 0)).unwrap()));
    let mut charts: Vec<(String, String)> = charts
        .into_iter()
        .map(|(name, svg)| (name.to_string(), svg))
        .collect();
    for (name, svg) in narrow_examples() {
        charts.push((format!("{name}-narrow"), svg));
    }
    for (name, svg) in charts {
        let page = format!(
            "<!doctype html><meta charset=utf-8><title>{name}</title>\
             <body style=\"margin:20px;max-width:960px\">{svg}</body>"
        );
        std::fs::write(format!("{dir}/{name}.html"), page).unwrap();
    }
}

/// Well-formedness checks that hold for any input: every `<` opens or closes a tag and every
/// `&` starts one of the five XML entities.
fn assert_well_formed(svg: &str) {
    assert!(svg.starts_with("<svg "));
    assert!(svg.trim_end().ends_with("</svg>"));
    for (index, _) in svg.match_indices('<') {
        let next = svg[index + 1..].chars().next().unwrap_or(' ');
        assert!(next.is_ascii_lowercase() || next == '/', "stray '<'");
    }
    for (index, _) in svg.match_indices('&') {
        let rest = &svg[index..];
        assert!(
            ["&lt;", "&gt;", "&amp;", "&quot;", "&apos;"]
                .iter()
                .any(|entity| rest.starts_with(entity)),
            "bare '&'"
        );
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => 0.0..5000.0f64,
            1 => prop::num::f64::ANY,
            1 => Just(0.0),
        ]
    }

    fn status() -> impl Strategy<Value = Status> {
        prop_oneof![
            Just(Status::Below),
            Just(Status::Within),
            Just(Status::Above)
        ]
    }

    proptest! {
        // No regression file outside src/chart: a failure found here becomes a named test.
        #![proptest_config(ProptestConfig {
            cases: 48,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn any_input_gives_a_well_formed_chart(
            labels in prop::collection::vec(".{0,40}", 0..24),
            values in prop::collection::vec((value(), value(), value()), 24),
            statuses in prop::collection::vec(status(), 24),
            title in ".{0,60}",
            more in 0usize..1_000_000,
        ) {
            let bars = BeforeAfterChart {
                id: title.clone(),
                title: title.clone(),
                axis: Axis::new(title.clone(), title.clone()),
                items: labels
                    .iter()
                    .zip(&values)
                    .map(|(label, (before, after, _))| BeforeAfterItem {
                        label: label.clone(),
                        before: *before,
                        after: *after,
                    })
                    .collect(),
                more,
            };
            assert_well_formed(&before_after(&bars).unwrap());
            assert_well_formed(&before_after_at(&bars, Width::Narrow).unwrap());

            let marks = TargetChart {
                id: "t".into(),
                title: title.clone(),
                axis: Axis::new("Image size", "MB"),
                items: labels
                    .iter()
                    .zip(values.iter().zip(&statuses))
                    .map(|(label, ((low, high, value), status))| TargetItem {
                        label: label.clone(),
                        low: *low,
                        high: *high,
                        value: *value,
                        status: *status,
                    })
                    .collect(),
                more,
            };
            assert_well_formed(&targets(&marks).unwrap());
            assert_well_formed(&targets_at(&marks, Width::Narrow).unwrap());

            let stack = StackedChart {
                id: "s".into(),
                title: title.clone(),
                axis: Axis::new("Saved", "MB"),
                items: labels
                    .iter()
                    .zip(&values)
                    .map(|(label, (a, b, c))| StackedItem {
                        label: label.clone(),
                        parts: vec![(label.clone(), *a), ("b".into(), *b), (title.clone(), *c)],
                    })
                    .collect(),
                more,
            };
            assert_well_formed(&stacked(&stack).unwrap());
            assert_well_formed(&stacked_at(&stack, Width::Narrow).unwrap());

            let year = CumulativeChart {
                id: "y".into(),
                title: title.clone(),
                axis: Axis::new("Cumulative transfer", "TB"),
                points: values
                    .iter()
                    .take(labels.len().min(13))
                    .enumerate()
                    .map(|(month, (before, after, _))| CumulativePoint {
                        month: month as u32,
                        before: *before,
                        after: *after,
                    })
                    .collect(),
                saved_label: title.clone(),
            };
            assert_well_formed(&cumulative(&year).unwrap());
            assert_well_formed(&cumulative_at(&year, Width::Narrow).unwrap());
        }
    }
}

fn example_trend() -> TrendChart {
    TrendChart {
        id: "chart-trend".into(),
        title: "Image size per build".into(),
        axis: Axis::new("Image size", "MB"),
        x_label: "Days since the first build".into(),
        series: vec![
            (
                "Unpacked".into(),
                vec![(0.0, 120.0), (1.5, 118.0), (3.0, 90.0)],
            ),
            ("Wire".into(), vec![(0.0, 44.0), (1.5, 43.0), (3.0, 33.0)]),
        ],
        band: Some((80.0, 150.0, "Target for <python>".into())),
    }
}

#[test]
fn the_trend_chart_lists_its_points_and_band_and_has_no_data_when_empty() {
    let chart = example_trend();
    let svg = trend(&chart).unwrap();
    assert_accessible(&svg, "chart-trend");
    assert!(
        svg.contains("Unpacked: 120 at 0; 118 at 1.50; 90.0 at 3.00;"),
        "{svg}"
    );
    assert!(
        svg.contains("Target for &lt;python&gt;: 80.0 to 150."),
        "{svg}"
    );
    assert!(!svg.contains("<python>"));
    assert_eq!(svg, trend(&chart).unwrap());
    assert!(
        trend_at(&chart, Width::Narrow)
            .unwrap()
            .contains("viewBox=\"0 0 360 ")
    );
    let empty = trend(&TrendChart {
        series: vec![("Unpacked".into(), vec![])],
        band: None,
        ..example_trend()
    })
    .unwrap();
    assert!(empty.contains(">\nNo data\n</text>"), "{empty}");
    assert!(empty.contains("No data.</desc>"));
}
