//! Micro-benchmarks of the pure parts (divan): the full-pull model, the fleet totals, the
//! layer-aware model and the renderers. Whole-command timings against baselines are in
//! scripts/bench.sh; results in BENCHMARKS.md. Run with `cargo bench`.

use fleetsave::calc::full_pull::{self, ModelParameters, PullRates};
use fleetsave::calc::targets::Targets;
use fleetsave::calc::techniques;
use fleetsave::model::assumptions::Assumptions;
use fleetsave::model::rate::DeployRate;
use fleetsave::model::{FleetShape, ImageSize, Service};
use fleetsave::render::{self, Format, RenderOptions};
use fleetsave::report::{self, BuildInput, Command, Report};
use fleetsave::units::{Basis, Ratio};

fn main() {
    divan::main();
}

const PARAMETERS: ModelParameters = ModelParameters {
    rates: PullRates {
        bandwidth: 125_000_000,
        extract_rate: 100_000_000,
    },
    days_per_year: 365,
    retained_tags: 10,
};

fn fleet(rows: usize) -> Vec<Service> {
    let ratio = Ratio::parse("0.37").unwrap();
    let runtimes = ["go", "python", "node", "java", "java-jlink"];
    (0..rows)
        .map(|i| Service {
            name: format!("svc-{i:06}").into(),
            runtime: Some(runtimes[i % 5]),
            shape: FleetShape {
                services: 1 + i as u64 % 3,
                nodes: 1 + i as u64 % 40,
                deploys_per_day: DeployRate::daily(1 + i as u64 % 12),
            },
            basis: Basis::Disk,
            before: ImageSize::typed(
                200_000_000 + (i as u64 * 37) % 1_800_000_000,
                Basis::Disk,
                ratio,
            )
            .unwrap(),
            after: (i % 10 != 0).then(|| {
                ImageSize::typed(
                    40_000_000 + (i as u64 * 13) % 260_000_000,
                    Basis::Disk,
                    ratio,
                )
                .unwrap()
            }),
            budget: None,
            before_image: None,
            after_image: None,
            layering_given: None,
            dockerfile: None,
        })
        .collect()
}

fn report_of(services: &[Service]) -> Report {
    let assumptions = Assumptions::defaults().unwrap();
    let targets = Targets::bundled().unwrap();
    report::build(BuildInput {
        command: Command::Report,
        title: "bench".into(),
        generated_at: None,
        services,
        assumptions: &assumptions,
        targets: &targets,
        techniques: &techniques::bundled().unwrap(),
        compare: None,
    })
    .unwrap()
}

#[divan::bench]
fn service_figures() -> full_pull::Figures {
    let ratio = Ratio::parse("0.37").unwrap();
    let before = ImageSize::typed(500_000_000, Basis::Disk, ratio).unwrap();
    let after = ImageSize::typed(80_000_000, Basis::Disk, ratio).unwrap();
    let shape = FleetShape {
        services: 20,
        nodes: 10,
        deploys_per_day: DeployRate::daily(10),
    };
    full_pull::service_figures(divan::black_box(&before), &after, shape, PARAMETERS).unwrap()
}

#[divan::bench(args = [1_000, 10_000])]
fn build_report(bencher: divan::Bencher, rows: usize) {
    let services = fleet(rows);
    bencher.bench(|| report_of(divan::black_box(&services)));
}

#[divan::bench(args = [Format::Json, Format::Markdown, Format::Html, Format::Text])]
fn render_1000_services(bencher: divan::Bencher, format: Format) {
    let report = report_of(&fleet(1_000));
    let options = RenderOptions::default();
    bencher.bench(|| render::render(divan::black_box(&report), format, &options).unwrap());
}
