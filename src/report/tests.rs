//! Report building from hand-made services: totals, sorting, plans, growth, next steps, the
//! expected view. Every figure is checked to the byte against docs/model.md; the CLI tests keep
//! the wiring (flags and files in, formats out).

use super::*;
use crate::calc::layered::ChangedFrom;
use crate::calc::targets::Targets;
use crate::calc::techniques;
use crate::error::Error;
use crate::model::assumptions::{Assumed, Origin};
use crate::model::image::{Compression, Digest, Image, Layer, SourceKind};
use crate::model::{FleetShape, Service};
use crate::units::{Basis, Ratio};

const MB: u64 = 1_000_000;

fn ratio() -> Ratio {
    Ratio::parse("0.37").unwrap()
}

/// A size typed on disk, its wire size estimated at 0.37.
pub(super) fn disk(mb: u64) -> ImageSize {
    ImageSize::typed(mb * MB, Basis::Disk, ratio()).unwrap()
}

pub(super) fn shape(services: u64, nodes: u64, deploys_per_day: u64) -> FleetShape {
    FleetShape {
        services,
        nodes,
        deploys_per_day: crate::model::rate::DeployRate::daily(deploys_per_day),
    }
}

pub(super) fn service(
    name: &str,
    runtime: Option<&str>,
    shape: FleetShape,
    before: ImageSize,
    after: Option<ImageSize>,
) -> Service {
    Service {
        name: name.into(),
        runtime: runtime.map(crate::model::runtime_key),
        shape,
        basis: Basis::Disk,
        before,
        after,
        budget: None,
        before_image: None,
        after_image: None,
        layering_given: None,
        dockerfile: None,
    }
}

/// The reference example of docs/model.md: 500 MB → 80 MB, 20 services, 10 nodes, 10 deploys a
/// day, python.
pub(super) fn reference() -> Service {
    service(
        "image",
        Some("python"),
        shape(20, 10, 10),
        disk(500),
        Some(disk(80)),
    )
}

fn try_build_with(services: &[Service], assumptions: &Assumptions) -> Result<Report, Error> {
    let targets = Targets::bundled().unwrap();
    let techniques = techniques::bundled().unwrap();
    build(BuildInput {
        command: Command::Report,
        title: "fleet".to_string(),
        generated_at: None,
        services,
        assumptions,
        targets: &targets,
        techniques: &techniques,
        compare: None,
    })
}

pub(super) fn build_report(services: &[Service]) -> Report {
    try_build_with(services, &Assumptions::defaults().unwrap()).unwrap()
}

fn exact(saving: &Saving) -> DiskWire {
    match saving {
        Saving::Exact(value) => *value,
        Saving::Projected(range) => panic!("expected an exact saving, got {range:?}"),
    }
}

fn projected(saving: &Saving) -> Range<DiskWire> {
    match saving {
        Saving::Projected(range) => **range,
        Saving::Exact(value) => panic!("expected a projected saving, got {value:?}"),
    }
}

fn dw(disk_bytes: i128, wire_bytes: i128) -> DiskWire {
    DiskWire {
        disk_bytes,
        wire_bytes,
    }
}

fn names(report: &Report) -> Vec<&str> {
    report.services.iter().map(|row| &*row.name).collect()
}

#[test]
fn the_reference_example_to_the_byte() {
    let report = build_report(&[reference()]);
    let totals = &report.totals;
    assert_eq!(report.schema_version, 1);
    assert_eq!(totals.rows, 1);
    assert_eq!(totals.services, 20);
    assert_eq!(totals.pulls_per_day, 2_000);
    assert_eq!(totals.per_pull_saved, dw(420_000_000, 155_400_000));
    assert_eq!(totals.per_pull.before, dw(500_000_000, 185_000_000));
    assert_eq!(totals.per_pull.after, dw(80_000_000, 29_600_000));
    assert_eq!(
        totals.per_day.before,
        dw(1_000_000_000_000, 370_000_000_000)
    );
    assert_eq!(totals.per_day.after, dw(160_000_000_000, 59_200_000_000));
    assert_eq!(totals.per_day.saved, dw(840_000_000_000, 310_800_000_000));
    assert_eq!(
        totals.per_year.saved,
        dw(306_600_000_000_000, 113_442_000_000_000)
    );
    // per_year ÷ 12, rounded to the byte.
    assert_eq!(
        totals.per_month.saved,
        dw(25_550_000_000_000, 9_453_500_000_000)
    );
    // 113,442 GB a year at $0.045/GB (nat-gateway), to the cent.
    assert_eq!(totals.cost_saved.per_day, 13.99);
    assert_eq!(totals.cost_saved.per_year, 5_104.89);
    assert_eq!(totals.cost_saved.price_per_gb, 0.045);
    assert_eq!(totals.cost_saved.pricing, "nat-gateway");
    assert_eq!(totals.cost_saved.currency, "USD");
    // 185 MB at 125 MB/s + 500 MB at 100 MB/s; 29.6 MB + 80 MB; to the millisecond.
    assert_eq!(totals.pull_seconds.before, 6.48);
    assert_eq!(totals.pull_seconds.after, 1.037);
    assert_eq!(totals.pull_seconds_saved_per_pull, 5.443);
    // One of each of the 20 services, serialised.
    assert_eq!(totals.new_node_seconds.before, 129.6);
    assert_eq!(totals.new_node_seconds.after, 20.736);
    // 155.4 MB saved × 10 retained tags × 20 services.
    assert_eq!(totals.registry_storage_saved.wire_bytes, 31_080_000_000);
    assert_eq!(totals.registry_storage_saved.cost_per_month, 3.11);
    assert_eq!(
        totals.estimated,
        Estimated {
            disk: false,
            wire: true
        }
    );
    assert!(!totals.growth);
    assert_eq!(totals.payback, None);
    assert_eq!(report.projected_totals, None);
    // 80 MB is within python's 70–120 MB: nothing to recover.
    assert_eq!(report.next_steps, None);

    let [row] = report.services.as_slice() else {
        panic!("one row expected");
    };
    assert_eq!(row.pulls_per_day, 2_000);
    assert_eq!(exact(&row.saved_per_pull), dw(420_000_000, 155_400_000));
    assert_eq!(
        exact(&row.saved_per_day),
        dw(840_000_000_000, 310_800_000_000)
    );
    assert_eq!(row.change_percent, Some(-84.0));
    assert!(!row.growth && !row.projected);
    let target = row.target.as_ref().unwrap();
    assert_eq!(target.status, crate::calc::targets::Status::Within);
    assert_eq!(
        (target.low_disk_bytes, target.high_disk_bytes),
        (70 * MB, 120 * MB)
    );
    assert_eq!(target.recoverable_disk_bytes, 0);
}

#[test]
fn totals_are_the_sums_of_the_rows() {
    let small = service("small", None, shape(1, 3, 2), disk(200), Some(disk(100)));
    let report = build_report(&[reference(), small]);
    let totals = &report.totals;
    assert_eq!(totals.rows, 2);
    assert_eq!(totals.services, 21);
    assert_eq!(totals.pulls_per_day, 2_000 + 6);
    let sum = |pick: fn(&ServiceRow) -> DiskWire| {
        report.services.iter().map(pick).fold(dw(0, 0), |a, b| {
            dw(a.disk_bytes + b.disk_bytes, a.wire_bytes + b.wire_bytes)
        })
    };
    assert_eq!(totals.per_day.saved, sum(|row| exact(&row.saved_per_day)));
    assert_eq!(totals.per_year.saved, sum(|row| exact(&row.saved_per_year)));
    // 840 GB + 6 × 100 MB; 310.8 GB + 6 × 37 MB.
    assert_eq!(totals.per_day.saved, dw(840_600_000_000, 311_022_000_000));
    // Per pull: the pull-weighted mean, rounded to the byte.
    assert_eq!(totals.per_pull_saved, dw(419_042_871, 155_045_862));
    // A new node starts one of each service: the 20 reference services and the small one.
    assert_eq!(totals.new_node_seconds.before, 132.192);
    assert_eq!(
        totals.registry_storage_saved.wire_bytes,
        31_080_000_000 + 370_000_000
    );
}

#[test]
fn committed_rows_sort_by_wire_saving_then_plans_by_their_high_saving() {
    let one = shape(1, 1, 1);
    let services = [
        service("small", None, one, disk(200), Some(disk(150))),
        service("plan-go", Some("go"), one, disk(300), None),
        service("big", None, one, disk(900), Some(disk(100))),
        service("plan-python", Some("python"), one, disk(900), None),
        service("grew", None, one, disk(100), Some(disk(180))),
        service("middle", None, one, disk(500), Some(disk(200))),
        // Same wire saving as `tie-b`, less on disk: measured sizes.
        service(
            "tie-a",
            None,
            one,
            ImageSize::measured(300 * MB, 100 * MB),
            Some(ImageSize::measured(100 * MB, 50 * MB)),
        ),
        service(
            "tie-b",
            None,
            one,
            ImageSize::measured(400 * MB, 100 * MB),
            Some(ImageSize::measured(100 * MB, 50 * MB)),
        ),
    ];
    let report = build_report(&services);
    // big 296 MB, middle 111 MB, tie-b and tie-a 50 MB (disk 300 MB before 200 MB), small
    // 18.5 MB, grew −29.6 MB; then plan-go (up to 107 MB) and plan-python (up to 307 MB) by their
    // high ends.
    assert_eq!(
        names(&report),
        [
            "big",
            "middle",
            "tie-b",
            "tie-a",
            "small",
            "grew",
            "plan-python",
            "plan-go"
        ]
    );
    let committed: Vec<i128> = report
        .services
        .iter()
        .filter(|row| !row.projected)
        .map(|row| row.saved_per_day.high().wire_bytes)
        .collect();
    assert!(committed.windows(2).all(|pair| pair[0] >= pair[1]));
}

#[test]
fn rows_with_equal_savings_keep_their_input_order() {
    let one = shape(1, 1, 1);
    let services = [
        service("c", None, one, disk(200), Some(disk(100))),
        service("a", None, one, disk(200), Some(disk(100))),
        service("b", None, one, disk(200), Some(disk(100))),
    ];
    assert_eq!(names(&build_report(&services)), ["c", "a", "b"]);
}

#[test]
fn a_plan_is_projected_to_its_target_as_a_range_and_kept_out_of_the_totals() {
    let plan = service("slim-me", Some("python"), shape(1, 5, 4), disk(900), None);
    let report = build_report(&[reference(), plan]);
    // The totals are the reference example's alone.
    assert_eq!(report.totals.rows, 1);
    assert_eq!(report.totals.services, 20);
    assert_eq!(report.totals.pulls_per_day, 2_000);
    assert_eq!(
        report.totals.per_day.saved,
        dw(840_000_000_000, 310_800_000_000)
    );
    // Plans sort after committed rows.
    assert_eq!(names(&report), ["image", "slim-me"]);
    let row = &report.services[1];
    assert!(row.projected);
    assert_eq!(row.after, None);
    assert_eq!(row.change_percent, None);
    assert_eq!(row.pulls_per_day, 20);
    // 900 MB (333 MB wire) projected to python's 120 MB (low saving) and 70 MB (high saving).
    let after = row.projected_after.as_deref().unwrap();
    assert_eq!(
        (after.low.disk_bytes, after.low.wire_bytes),
        (120 * MB, 44_400_000)
    );
    assert_eq!(
        (after.high.disk_bytes, after.high.wire_bytes),
        (70 * MB, 25_900_000)
    );
    assert!(after.low.wire_estimated && !after.low.disk_estimated);
    let per_pull = projected(&row.saved_per_pull);
    assert_eq!(per_pull.low, dw(780_000_000, 288_600_000));
    assert_eq!(per_pull.high, dw(830_000_000, 307_100_000));
    let per_day = projected(&row.saved_per_day);
    assert_eq!(per_day.low, dw(15_600_000_000, 5_772_000_000));
    assert_eq!(per_day.high, dw(16_600_000_000, 6_142_000_000));
    assert_eq!(
        projected(&row.saved_per_year).high,
        dw(16_600_000_000 * 365, 6_142_000_000 * 365)
    );
    // Judged on its before size: 780 MB above the high end.
    let target = row.target.as_ref().unwrap();
    assert_eq!(target.status, crate::calc::targets::Status::Above);
    assert_eq!(target.recoverable_disk_bytes, 780 * MB);
    // Its pull time is at the target's high end: 44.4 MB / 125 MB/s + 120 MB / 100 MB/s.
    assert_eq!(row.pull_seconds.after, 1.555);

    let totals = report.projected_totals.as_ref().unwrap();
    assert_eq!(totals.rows, 1);
    assert_eq!(totals.services, 1);
    assert_eq!(totals.pulls_per_day, 20);
    assert_eq!(totals.per_day.low, per_day.low);
    assert_eq!(totals.per_day.high, per_day.high);
    assert_eq!(totals.per_year.low.wire_bytes, 5_772_000_000 * 365);
    assert_eq!(totals.cost_saved_per_year.low, 94.81);
    assert_eq!(totals.cost_saved_per_year.high, 100.88);
    assert_eq!(totals.currency, "USD");
    // A plan above its target is not a next step: next steps are for committed images.
    assert_eq!(report.next_steps, None);
}

#[test]
fn a_report_of_plans_only_has_empty_totals() {
    let plans = [
        service("a", Some("go"), shape(2, 3, 1), disk(300), None),
        service("b", Some("node"), shape(1, 1, 1), disk(400), None),
    ];
    let report = build_report(&plans);
    assert_eq!(report.totals.rows, 0);
    assert_eq!(report.totals.pulls_per_day, 0);
    assert_eq!(report.totals.per_day.saved, dw(0, 0));
    assert_eq!(report.totals.pull_seconds.saved, 0.0);
    let projected = report.projected_totals.unwrap();
    assert_eq!(projected.rows, 2);
    assert_eq!(projected.services, 3);
    assert_eq!(projected.pulls_per_day, 7);
}

#[test]
fn a_plan_without_a_target_is_an_internal_error() {
    // The inventory refuses these; the report must not invent a projection if one slips through.
    let plan = service("x", None, shape(1, 1, 1), disk(300), None);
    let error = try_build_with(&[plan], &Assumptions::defaults().unwrap()).unwrap_err();
    assert!(matches!(error, Error::Internal(_)), "{error}");
    assert!(error.to_string().contains("'x'"), "{error}");
}

#[test]
fn a_service_that_grew_has_a_negative_saving() {
    let grew = service("api", None, shape(1, 4, 2), disk(300), Some(disk(335)));
    let report = build_report(std::slice::from_ref(&grew));
    let row = &report.services[0];
    assert!(row.growth);
    assert_eq!(exact(&row.saved_per_pull), dw(-35_000_000, -12_950_000));
    assert_eq!(exact(&row.saved_per_day), dw(-280_000_000, -103_600_000));
    assert_eq!(row.change_percent, Some(11.7));
    assert!(row.pull_seconds.saved < 0.0);
    assert!(report.totals.growth);
    assert_eq!(report.totals.cost_saved.per_year, -1.70);
    assert_eq!(
        report.totals.registry_storage_saved.wire_bytes,
        -129_500_000
    );

    // Beside a larger saving the fleet still saves; the row still grew.
    let report = build_report(&[grew, reference()]);
    assert!(!report.totals.growth);
    assert_eq!(names(&report), ["image", "api"]);
    assert!(report.services[1].growth);
    assert_eq!(
        report.totals.per_day.saved,
        dw(840_000_000_000 - 280_000_000, 310_800_000_000 - 103_600_000)
    );
}

#[test]
fn an_unchanged_image_saves_nothing_and_did_not_grow() {
    let same = service("same", None, shape(1, 1, 1), disk(100), Some(disk(100)));
    let report = build_report(&[same]);
    let row = &report.services[0];
    assert_eq!(exact(&row.saved_per_day), dw(0, 0));
    assert_eq!(row.change_percent, Some(0.0));
    assert!(!row.growth && !report.totals.growth);
}

#[test]
fn next_steps_appear_only_for_committed_images_above_their_target() {
    // python 310 MB: 190 MB over 120 MB, 24 pulls a day; node 215 MB: 35 MB over, 8 pulls.
    let above_python = service(
        "recommendations",
        Some("python"),
        shape(1, 8, 3),
        disk(900),
        Some(disk(310)),
    );
    let above_node = service(
        "reporting",
        Some("node"),
        shape(2, 2, 2),
        disk(400),
        Some(disk(215)),
    );
    let within = reference();
    let no_target = service(
        "legacy",
        None,
        shape(1, 1, 1),
        disk(5_000),
        Some(disk(4_000)),
    );
    let plan = service("plan", Some("go"), shape(1, 1, 1), disk(300), None);

    let report = build_report(&[within.clone(), no_target.clone(), plan.clone()]);
    assert_eq!(report.next_steps, None);

    let report = build_report(&[within, above_python, no_target, above_node, plan]);
    let next = report.next_steps.as_ref().unwrap();
    assert_eq!(next.services_above_target, 2);
    assert_eq!(
        next.recoverable_per_day,
        dw(
            190_000_000 * 24 + 35_000_000 * 8,
            70_300_000 * 24 + 12_950_000 * 8
        )
    );
    assert_eq!(
        next.recoverable_per_year,
        dw(
            (190_000_000 * 24 + 35_000_000 * 8) * 365,
            (70_300_000 * 24 + 12_950_000 * 8) * 365
        )
    );
    assert_eq!(next.techniques, techniques::bundled().unwrap());
    assert!(!next.techniques.is_empty());
    let statuses: Vec<(&str, u64)> = report
        .services
        .iter()
        .filter_map(|row| Some((&*row.name, row.target.as_ref()?.recoverable_disk_bytes)))
        .collect();
    assert_eq!(
        statuses,
        [
            ("image", 0),
            ("recommendations", 190 * MB),
            ("reporting", 35 * MB),
            ("plan", 275 * MB)
        ]
    );
}

#[test]
fn the_next_steps_wire_figure_is_estimated_even_for_measured_images() {
    // Measured at a ratio of 0.5; the recoverable wire bytes still use the assumed 0.37.
    let measured = service(
        "m",
        Some("go"),
        shape(1, 1, 1),
        ImageSize::measured(100 * MB, 50 * MB),
        Some(ImageSize::measured(35 * MB, 17_500_000)),
    );
    let next = build_report(&[measured]).next_steps.unwrap();
    assert_eq!(next.recoverable_per_day, dw(10_000_000, 3_700_000));
}

#[test]
fn wire_saved_per_day_sums_the_high_ends() {
    let one = shape(1, 1, 1);
    let report = build_report(&[
        reference(),
        service("grew", None, one, disk(100), Some(disk(150))),
        service("plan", Some("python"), shape(1, 5, 4), disk(900), None),
    ]);
    let rows: Vec<&ServiceRow> = report.services.iter().collect();
    assert_eq!(names(&report), ["image", "grew", "plan"]);
    assert_eq!(wire_saved_per_day(&[]), 0);
    assert_eq!(wire_saved_per_day(&rows[..1]), 310_800_000_000);
    // The growth row counts negative; the plan at its high end (6.142 GB, not 5.772 GB).
    assert_eq!(wire_saved_per_day(&rows[1..2]), -18_500_000);
    assert_eq!(wire_saved_per_day(&rows[2..]), 6_142_000_000);
    assert_eq!(
        wire_saved_per_day(&rows),
        310_800_000_000 - 18_500_000 + 6_142_000_000
    );
}

#[test]
fn the_assumptions_view_carries_value_unit_origin_and_source() {
    let mut assumptions = Assumptions::defaults().unwrap();
    assumptions.effort_hours = Some(Assumed {
        value: 16.0,
        origin: Origin::Flag,
        source: "set by --effort-hours".to_string(),
    });
    let report = try_build_with(&[reference()], &assumptions).unwrap();
    let view = &report.assumptions;
    let row = |key: &str| {
        view.rows
            .iter()
            .find(|row| row.assumption.key == key)
            .unwrap()
    };
    // Every assumption of the table, in its order, set or not.
    let keys: Vec<&str> = view.rows.iter().map(|row| row.assumption.key).collect();
    let table: Vec<&str> = ASSUMPTIONS.iter().map(|a| a.key).collect();
    assert_eq!(keys, table);
    assert_eq!(
        view.value("compression_ratio"),
        Some(&Value::Ratio(ratio()))
    );
    assert_eq!(row("compression_ratio").unit, "wire/disk");
    assert_eq!(row("compression_ratio").origin, Origin::Default);
    assert!(row("compression_ratio").source.starts_with("python:3.12"));
    assert_eq!(view.value("bandwidth"), Some(&Value::Rate(125_000_000)));
    // The currency is filled into the units.
    assert_eq!(row("price_per_gb").unit, "USD/GB");
    assert_eq!(row("registry_storage_price").unit, "USD/GB-month");
    assert_eq!(row("hourly_rate").unit, "USD/hour");
    assert_eq!(
        view.value("new_nodes_per_day"),
        Some(&Value::NewNodes(crate::model::NewNodes::FractionOfNodes(
            0.05
        )))
    );
    assert_eq!(view.value("hourly_rate"), None);
    assert_eq!(view.value("effort_hours"), Some(&Value::Number(16.0)));
    assert_eq!(row("effort_hours").origin, Origin::Flag);
    assert_eq!(row("effort_hours").source, "set by --effort-hours");
    // In JSON: an object keyed by assumption, `null` for one not given.
    let json = serde_json::to_value(view).unwrap();
    assert_eq!(json["compression_ratio"]["value"], 0.37);
    assert_eq!(json["bandwidth"]["value"], 125_000_000);
    assert_eq!(json["new_nodes_per_day"]["value"], "5%");
    assert_eq!(json["effort_hours"]["origin"], "flag");
    assert_eq!(json["hourly_rate"], serde_json::Value::Null);
    // Effort without an hourly rate: node-hours only. 16 h ÷ 3.02 node-hours saved a day.
    let payback = report.totals.payback.unwrap();
    assert_eq!(payback.headline.effort_cost, None);
    assert_eq!(payback.headline.payback_days, None);
    assert_eq!(report.totals.node_hours_saved_per_day, 3.024);
    assert_eq!(payback.headline.node_hours_break_even_days, Some(5.3));
    // Typed sizes: the headline is the upper bound, and so is the payback.
    assert_eq!(payback.basis, FigureBasis::UpperBound);
    assert_eq!(payback.upper_bound_node_hours_break_even_days, Some(5.3));
}

#[test]
fn money_too_large_for_a_float_is_refused() {
    let mut assumptions = Assumptions::defaults().unwrap();
    let flag = |value: f64| Assumed {
        value,
        origin: Origin::Flag,
        source: String::new(),
    };
    assumptions.effort_hours = Some(flag(1e300));
    assumptions.hourly_rate = Some(flag(1e300));
    let error = try_build_with(&[reference()], &assumptions).unwrap_err();
    assert!(matches!(error, Error::Overflow(_)), "{error}");
}

/// An image from a source with `layers`: (hex digit of the digest, wire MB, disk MB).
fn layered(layers: &[(char, u64, u64)]) -> Box<Image> {
    Box::new(Image {
        source: "image.tar".to_string(),
        kind: SourceKind::OciArchive,
        platform: None,
        is_artifact: false,
        referrer_of: None,
        config: None,
        layers: layers
            .iter()
            .map(|&(digit, wire, disk)| Layer {
                digest: Digest::parse(&format!("sha256:{}", digit.to_string().repeat(64))).unwrap(),
                media_type: "application/vnd.oci.image.layer.v1.tar+gzip".to_string(),
                compression: Compression::Gzip,
                wire_bytes: wire * MB,
                disk_bytes: Some(disk * MB),
                non_distributable: false,
                urls: Vec::new(),
                files: None,
            })
            .collect(),
        reported_disk_bytes: None,
        wire_known: true,
        notes: Vec::new(),
        history: None,
        created: None,
    })
}

#[test]
fn without_layers_the_expected_view_is_the_full_pull_plus_new_nodes() {
    let report = build_report(&[reference()]);
    let expected = &report.totals.expected;
    assert!(!expected.layer_aware);
    assert_eq!(
        expected.changed_from,
        [expected::ChangedSource {
            service: "image".into(),
            before: ChangedFrom::WholeImage,
            after: ChangedFrom::WholeImage,
        }]
    );
    let per_day = &expected.per_day;
    // Every deploy a full pull: the routine deploys are the full-pull figures.
    assert_eq!(
        per_day.before.routine_deploys,
        report.totals.per_day.before.wire_bytes
    );
    assert_eq!(
        per_day.after.routine_deploys,
        report.totals.per_day.after.wire_bytes
    );
    assert_eq!(per_day.before.base_refreshes, 0);
    // 5% of 10 nodes = 0.5 new nodes a day, each pulling 20 services × 185 MB (29.6 MB after).
    assert_eq!(per_day.before.new_nodes, 1_850_000_000);
    assert_eq!(per_day.after.new_nodes, 296_000_000);
    assert_eq!(per_day.after.total, 59_200_000_000 + 296_000_000);
    assert_eq!(
        per_day.saved.total,
        310_800_000_000 + 1_850_000_000 - 296_000_000
    );
    assert_eq!(expected.per_year.saved, per_day.saved.total * 365);
    let [pool] = expected.pools.as_slice() else {
        panic!("one pool expected");
    };
    assert_eq!(pool.name, expected::DEFAULT_POOL);
    assert_eq!(pool.nodes, 10);
    assert_eq!(pool.new_nodes_per_day, 0.5);
    assert_eq!(pool.union_wire_bytes_before, 3_700_000_000);
    assert_eq!(pool.union_wire_bytes_after, 592_000_000);
    assert_eq!(pool.new_node_seconds_before, 129.6);
    // A plan has no after image: it is not in the expected view.
    let plan = service("plan", Some("python"), shape(1, 1, 1), disk(900), None);
    let with_plan = build_report(&[reference(), plan]);
    assert_eq!(with_plan.totals.expected, report.totals.expected);
}

#[test]
fn with_layers_a_shared_base_moves_only_on_refreshes_and_new_nodes() {
    // Two services on a shared base layer `a` (100 MB wire, 200 MB disk) before, `d` (20 MB, 40
    // MB) after; each with its own app layer: 50 MB before, 10 MB after.
    let with_layers = |name: &str, app_before: char, app_after: char| Service {
        before_image: Some(layered(&[('a', 100, 200), (app_before, 50, 100)])),
        after_image: Some(layered(&[('d', 20, 40), (app_after, 10, 20)])),
        ..service(
            name,
            None,
            shape(1, 10, 10),
            ImageSize::measured(300 * MB, 150 * MB),
            Some(ImageSize::measured(60 * MB, 30 * MB)),
        )
    };
    let services = [with_layers("one", 'b', 'e'), with_layers("two", 'c', 'f')];
    let report = build_report(&services);
    let expected = &report.totals.expected;
    assert!(expected.layer_aware);
    assert!(expected.changed_from.iter().all(|source| {
        source.before == ChangedFrom::SharedLayers && source.after == ChangedFrom::SharedLayers
    }));
    let per_day = &expected.per_day;
    // Routine: 100 pulls a day × the app layer, for each service.
    assert_eq!(per_day.before.routine_deploys, 2 * 100 * 50 * MB as i128);
    assert_eq!(per_day.after.routine_deploys, 2 * 100 * 10 * MB as i128);
    // Base refreshes: 10 nodes × 0.7 ÷ 7 days × the base, once (shared).
    assert_eq!(per_day.before.base_refreshes, 100 * MB as i128);
    assert_eq!(per_day.after.base_refreshes, 20 * MB as i128);
    // New nodes: 0.5 a day × the union (base once, both app layers).
    assert_eq!(per_day.before.new_nodes, 100 * MB as i128);
    assert_eq!(per_day.after.new_nodes, 20 * MB as i128);
    assert_eq!(per_day.before.total, 10_200 * MB as i128);
    assert_eq!(per_day.after.total, 2_040 * MB as i128);
    assert_eq!(per_day.saved.total, 8_160 * MB as i128);
    // Far below the full-pull bound: 200 pulls × 150 MB before, × 30 MB after.
    assert_eq!(report.totals.per_day.before.wire_bytes, 30_000 * MB as i128);
    assert_eq!(expected.per_year.saved, 8_160 * MB as i128 * 365);
    // 8.16 GB a day at $0.045/GB.
    assert_eq!(expected.cost_saved.per_day, 0.37);
    assert_eq!(expected.cost_saved.per_year, 134.03);
    let [pool] = expected.pools.as_slice() else {
        panic!("one pool expected");
    };
    assert_eq!(pool.union_wire_bytes_before, 200 * MB);
    assert_eq!(pool.union_wire_bytes_after, 40 * MB);
    // 40 MB / 125 MB/s + 80 MB / 100 MB/s.
    assert_eq!(pool.new_node_seconds_after, 1.12);
    // None of the after blobs is on a node holding the before images.
    assert_eq!(pool.switch_wire_bytes_per_node, 40 * MB);
}

#[test]
fn an_explicit_changed_part_makes_the_view_layer_aware() {
    let mut changed = reference();
    changed.layering_mut().changed_per_deploy =
        Some(crate::model::ChangedPerDeploy::Fraction(0.25));
    changed.layering_mut().node_pool = Some("batch".to_string());
    let report = build_report(&[changed]);
    let expected = &report.totals.expected;
    assert!(expected.layer_aware);
    assert_eq!(
        expected.changed_from[0].after,
        ChangedFrom::ChangedPerDeploy
    );
    // A quarter of 29.6 MB on each of the 2,000 pulls.
    assert_eq!(expected.per_day.after.routine_deploys, 2_000 * 7_400_000);
    assert_eq!(expected.pools[0].name, "batch");
}

/// The payback divides the effort by the headline's money a day plus storage a day, as the JSON
/// publishes them: here the expected figure, with the upper bound's payback beside it.
#[test]
fn payback_is_on_the_headline_basis_and_redone_from_the_published_figures() {
    let mut assumptions = Assumptions::defaults().unwrap();
    let flag = |value: f64| Assumed {
        value,
        origin: Origin::Flag,
        source: "test".to_string(),
    };
    assumptions.effort_hours = Some(flag(320.0));
    assumptions.hourly_rate = Some(flag(110.0));
    let mut service = reference();
    // An explicit changed part makes the figure layer-aware: the headline is the expected one.
    service.layering_mut().changed_per_deploy = Some(crate::model::ChangedPerDeploy::Fraction(0.1));
    let report = try_build_with(&[service], &assumptions).unwrap();
    let totals = &report.totals;
    assert_eq!(totals.headline.basis, FigureBasis::Expected);
    assert!(totals.headline.cost_per_day < totals.cost_saved.per_day);
    let payback = totals.payback.unwrap();
    assert_eq!(payback.basis, FigureBasis::Expected);
    let storage_per_day = totals.registry_storage_saved.cost_per_month * 12.0 / 365.0;
    let expected_days = 35_200.0 / (totals.headline.cost_per_day + storage_per_day);
    let days = payback.headline.payback_days.unwrap();
    assert!(
        (days - expected_days).abs() <= 0.05,
        "{days} vs {expected_days}"
    );
    let bound_days = 35_200.0 / (totals.cost_saved.per_day + storage_per_day);
    let bound = payback.upper_bound_payback_days.unwrap();
    assert!(
        (bound - bound_days).abs() <= 0.05,
        "{bound} vs {bound_days}"
    );
    assert!(days > bound);
}
