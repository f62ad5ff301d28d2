//! Inventories from text: CSV and TOML parsed, then resolved into services with the defaults of
//! the `[defaults]` table and the flags; refusals name the file, line and field and give an
//! example in the file's own syntax.

use super::*;
use crate::model::assumptions::{Assumptions, Value};
use crate::model::{Budget, Nodes};

const MB: u64 = 1_000_000;

fn ratio() -> Ratio {
    Ratio::parse("0.37").unwrap()
}

fn resolve_with(name: &str, text: &str, flags: &FlagDefaults) -> Result<Vec<Service>, Error> {
    let inventory = parse(PathBuf::from(name), text.to_string())?;
    resolve(
        &inventory,
        flags,
        ratio(),
        &Targets::bundled().unwrap(),
        &SourceOptions::default(),
    )
}

fn services(name: &str, text: &str) -> Vec<Service> {
    resolve_with(name, text, &FlagDefaults::default()).unwrap()
}

fn refusal(name: &str, text: &str) -> String {
    refusal_with(name, text, &FlagDefaults::default())
}

fn refusal_with(name: &str, text: &str, flags: &FlagDefaults) -> String {
    match resolve_with(name, text, flags) {
        Ok(services) => panic!("accepted: {services:?}"),
        Err(error) => error.to_string(),
    }
}

fn shape(services: u64, nodes: u64, deploys_per_day: u64) -> FleetShape {
    FleetShape {
        services,
        nodes,
        deploys_per_day: crate::model::rate::DeployRate::daily(deploys_per_day),
    }
}

#[test]
fn a_csv_inventory_becomes_services() {
    let services = services(
        "fleet.csv",
        "service,runtime,before,after,services,nodes,deploys_per_day\n\
         api,python,500MB,80MB,20,10,10\n\
         worker,,1GB,900MB,,3,\n\
         billing,java,600MB,,1,6,2\n",
    );
    assert_eq!(services.len(), 3);
    let api = &services[0];
    assert_eq!(&*api.name, "api");
    assert_eq!(api.runtime, Some("python"));
    assert_eq!(api.shape, shape(20, 10, 10));
    assert_eq!(api.basis, Basis::Disk);
    assert_eq!(
        api.before,
        ImageSize {
            disk_bytes: 500 * MB,
            wire_bytes: 185 * MB,
            disk_estimated: false,
            wire_estimated: true,
        }
    );
    assert_eq!(api.after.unwrap().disk_bytes, 80 * MB);
    assert_eq!(api.budget, None);
    assert_eq!(api.layering(), &Layering::default());
    // Empty cells: no runtime, and counts of 1.
    let worker = &services[1];
    assert_eq!(worker.runtime, None);
    assert_eq!(worker.shape, shape(1, 3, 1));
    assert_eq!(worker.before.disk_bytes, 1_000 * MB);
    // No after size and a runtime with a target: a plan.
    let billing = &services[2];
    assert_eq!(billing.after, None);
    assert_eq!(billing.runtime, Some("java"));
}

#[test]
fn excel_csv_with_a_bom_crlf_and_capitalised_headers_is_read() {
    let services = services(
        "fleet.csv",
        "\u{feff}Service,Before,AFTER,Nodes,Runtime\r\n\
         \"checkout, eu\", 1.1GB , 850 MiB ,3,Python\r\n\
         ,,,,\r\n",
    );
    let [checkout] = services.as_slice() else {
        panic!("one service expected (the empty row is skipped): {services:?}");
    };
    assert_eq!(&*checkout.name, "checkout, eu");
    assert_eq!(checkout.before.disk_bytes, 1_100 * MB);
    assert_eq!(checkout.after.unwrap().disk_bytes, 850 * 1024 * 1024);
    assert_eq!(checkout.shape.nodes, 3);
    assert_eq!(checkout.runtime, Some("python"));
}

#[test]
fn a_wire_basis_estimates_the_disk_size() {
    let services = services(
        "fleet.csv",
        "service,before,after,basis\napi,185MB,29.6MB,wire\n",
    );
    let api = &services[0];
    assert_eq!(api.basis, Basis::Wire);
    assert_eq!(
        api.before,
        ImageSize {
            disk_bytes: 500 * MB,
            wire_bytes: 185 * MB,
            disk_estimated: true,
            wire_estimated: false,
        }
    );
    assert_eq!(api.after.unwrap().disk_bytes, 80 * MB);
}

#[test]
fn the_optional_columns_reach_the_service() {
    let services = services(
        "fleet.csv",
        "service,before,after,budget,changed_per_deploy,node_pool\n\
         a,500MB,80MB,100MB,40MB,batch\n\
         b,500MB,80MB,target,30%,\n",
    );
    assert_eq!(services[0].budget, Some(Budget::Bytes(100 * MB)));
    assert_eq!(
        services[0].layering().changed_per_deploy,
        Some(crate::model::ChangedPerDeploy::Bytes(40 * MB))
    );
    assert_eq!(services[0].layering().node_pool.as_deref(), Some("batch"));
    assert_eq!(services[1].budget, Some(Budget::Target));
    assert_eq!(
        services[1].layering().changed_per_deploy,
        Some(crate::model::ChangedPerDeploy::Fraction(0.3))
    );
    assert_eq!(services[1].layering().node_pool, None);
}

#[test]
fn a_toml_inventory_takes_its_defaults_from_the_defaults_table() {
    let text = r#"
[defaults]
nodes = 4
deploys_per_day = 3
runtime = "python"
basis = "wire"

[[service]]
service = "api"
before = "185MB"
after = 29600000

[[service]]
service = "worker"
before = "370MB"
after = "200MB"
nodes = 12
runtime = "other"
basis = "disk"
"#;
    let services = services("fleet.toml", text);
    let api = &services[0];
    assert_eq!(api.shape, shape(1, 4, 3));
    assert_eq!(api.runtime, Some("python"));
    assert_eq!(api.basis, Basis::Wire);
    // A bare number is bytes.
    assert_eq!(api.after.unwrap().wire_bytes, 29_600_000);
    assert_eq!(api.before.disk_bytes, 500 * MB);
    // The row's own values win over [defaults]; `other` clears the default runtime.
    let worker = &services[1];
    assert_eq!(worker.shape, shape(1, 12, 3));
    assert_eq!(worker.runtime, None);
    assert_eq!(worker.basis, Basis::Disk);
    assert_eq!(worker.before.disk_bytes, 370 * MB);
}

#[test]
fn flag_defaults_win_over_the_defaults_table_and_lose_to_the_row() {
    let text = r#"
[defaults]
nodes = 4
services = 2
basis = "wire"

[[service]]
service = "api"
before = "500MB"
after = "80MB"

[[service]]
service = "worker"
before = "500MB"
after = "80MB"
nodes = 12
"#;
    let flags = FlagDefaults {
        services: None,
        nodes: Some(Nodes::Count(7)),
        deploys_per_day: Some(crate::model::rate::DeployRate::daily(5)),
        basis: Some(Basis::Disk),
        ..FlagDefaults::default()
    };
    let services = resolve_with("fleet.toml", text, &flags).unwrap();
    // nodes and deploys from the flags, services from [defaults].
    assert_eq!(services[0].shape, shape(2, 7, 5));
    assert_eq!(services[0].basis, Basis::Disk);
    assert_eq!(services[0].before.disk_bytes, 500 * MB);
    assert_eq!(services[1].shape, shape(2, 12, 5));

    // The same flags fill the empty cells of a CSV.
    let services = resolve_with(
        "fleet.csv",
        "service,before,after,nodes\napi,500MB,80MB,\nworker,500MB,80MB,2\n",
        &flags,
    )
    .unwrap();
    assert_eq!(services[0].shape, shape(1, 7, 5));
    assert_eq!(services[1].shape, shape(1, 2, 5));
}

#[test]
fn duplicate_names_are_refused_with_both_lines() {
    assert_eq!(
        refusal(
            "fleet.csv",
            "service,before,after\napi,500MB,80MB\nworker,1GB,1GB\napi,300MB,80MB\n"
        ),
        "fleet.csv line 4, service: 'api' is a duplicate service name (first on line 2); names \
         must be unique"
    );
    let text = "[[service]]\nservice = \"api\"\nbefore = \"500MB\"\nafter = \"80MB\"\n\n\
                [[service]]\nservice = \"api\"\nbefore = \"1GB\"\nafter = \"1GB\"\n";
    assert_eq!(
        refusal("fleet.toml", text),
        "fleet.toml line 7, service: 'api' is a duplicate service name (first on line 2); names \
         must be unique"
    );
}

#[test]
fn a_plan_needs_a_runtime_with_a_target() {
    let message = refusal("fleet.csv", "service,before,runtime\napi,500MB,other\n");
    assert_eq!(
        message,
        "fleet.csv line 2, after: service 'api' has no after size, so it is a plan, but its \
         runtime 'other' has no size target to project it to; give an after size or one of the \
         runtimes go, python, node, java, java-jlink"
    );
    let message = refusal("fleet.csv", "service,before\napi,500MB\n");
    assert!(
        message.contains("its runtime 'other' has no size target"),
        "{message}"
    );
    // A default runtime with a target makes it a plan.
    let text =
        "[defaults]\nruntime = \"go\"\n\n[[service]]\nservice = \"api\"\nbefore = \"500MB\"\n";
    let services = services("fleet.toml", text);
    assert_eq!(services[0].after, None);
    assert_eq!(services[0].runtime, Some("go"));
}

#[test]
fn csv_refusals_end_with_a_bare_example() {
    for (csv, expected) in [
        (
            "service,before,after,nodes\napi,500MB,80MB,0\n",
            "fleet.csv line 2, nodes: '0' is zero; expected a whole number of 1 or more, e.g. 10",
        ),
        (
            "service,before,after\napi,5OOMB,80MB\n",
            "fleet.csv line 2, before: '5OOMB' has an unknown unit 'OOMB'; expected a whole \
             number of bytes",
        ),
        (
            "service,before,after,deploys_per_day\napi,500MB,80MB,-2\n",
            "fleet.csv line 2, deploys_per_day: '-2' is negative; expected a number of deploys \
             above 0 a day (10, 0.5) or per week or month (3/week, 20/month), e.g. 3/week",
        ),
    ] {
        let message = refusal("fleet.csv", csv);
        assert!(message.starts_with(expected), "{message}");
    }
    let message = refusal("fleet.csv", "service,before,after\napi,5OOMB,80MB\n");
    assert!(message.ends_with(", e.g. 500MB"), "{message}");
    // A runtime that is not a key names the keys.
    let message = refusal(
        "fleet.csv",
        "service,before,after,runtime\napi,1GB,1GB,ruby\n",
    );
    assert!(
        message.starts_with("fleet.csv line 2, runtime: 'ruby' "),
        "{message}"
    );
    assert!(message.contains("python"), "{message}");
}

#[test]
fn toml_refusals_end_with_a_key_value_example() {
    let text = "[[service]]\nservice = \"api\"\nbefore = \"500MB\"\nafter = \"80MB\"\nnodes = 0\n";
    assert_eq!(
        refusal("fleet.toml", text),
        "fleet.toml line 5, nodes: '0' is zero; expected a whole number of 1 or more, e.g. \
         nodes = 10"
    );
    let text = "[[service]]\nservice = \"api\"\nbefore = \"5OOMB\"\nafter = \"80MB\"\n";
    let message = refusal("fleet.toml", text);
    assert!(
        message.starts_with("fleet.toml line 3, before: '5OOMB' has an unknown unit 'OOMB'; "),
        "{message}"
    );
    assert!(message.ends_with(", e.g. before = \"500MB\""), "{message}");
    // A bad [defaults] value is refused at its line, in TOML syntax too.
    let text = "[defaults]\ndeploys_per_day = -1\n\n[[service]]\nservice = \"api\"\n\
                before = \"500MB\"\nafter = \"80MB\"\n";
    assert_eq!(
        refusal("fleet.toml", text),
        "fleet.toml line 2, deploys_per_day: '-1' is negative; expected a number of deploys \
         above 0 a day (10, 0.5) or per week or month (3/week, 20/month), e.g. \
         deploys_per_day = \"3/week\""
    );
}

#[test]
fn all_nodes_are_the_cluster_or_the_pool() {
    let text = r#"
[cluster]
nodes = 40
pools = { gpu = 8 }

[defaults]
nodes = "all"

[[service]]
service = "agent"
before = "900MB"
after = "250MB"

[[service]]
service = "trainer"
before = "900MB"
after = "250MB"
node_pool = "gpu"

[[service]]
service = "api"
before = "900MB"
after = "250MB"
nodes = 3
"#;
    let services = resolve_with("fleet.toml", text, &FlagDefaults::default()).unwrap();
    let nodes: Vec<(u64, bool)> = services
        .iter()
        .map(|s| (s.shape.nodes, s.layering().every_node))
        .collect();
    assert_eq!(nodes, [(40, true), (8, true), (3, false)]);
    // The flags win over [cluster].
    let flags = FlagDefaults {
        cluster_nodes: Some(120),
        pool_nodes: vec![("gpu".to_string(), 16)],
        ..FlagDefaults::default()
    };
    let services = resolve_with("fleet.toml", text, &flags).unwrap();
    assert_eq!(services[0].shape.nodes, 120);
    assert_eq!(services[1].shape.nodes, 16);
    // A CSV cell 'all' with --cluster-nodes; without it, a message that says what to give.
    let csv = "service,before,after,nodes\nagent,900MB,250MB,all\n";
    let flags = FlagDefaults {
        cluster_nodes: Some(40),
        ..FlagDefaults::default()
    };
    assert_eq!(
        resolve_with("fleet.csv", csv, &flags).unwrap()[0]
            .shape
            .nodes,
        40
    );
    assert_eq!(
        refusal("fleet.csv", csv),
        "fleet.csv line 2, nodes: 'all' needs the cluster's size: give --cluster-nodes N, or \
         nodes = N in the TOML [cluster] table"
    );
    let csv = "service,before,after,nodes,node_pool\nagent,900MB,250MB,all,gpu\n";
    assert!(
        refusal_with("fleet.csv", csv, &flags).contains("'all' on node pool 'gpu' needs"),
        "{}",
        refusal_with("fleet.csv", csv, &flags)
    );
}

#[test]
fn deploy_rates_are_read_as_people_say_them() {
    let csv = "service,before,after,nodes,deploys_per_day\na,1GB,1GB,10,3/week\n\
               b,1GB,1GB,1,0.5\nc,1GB,1GB,1,20/month\nd,1GB,1GB,1,\n";
    let raw = parse(PathBuf::from("fleet.csv"), csv.to_string()).unwrap();
    let rows = raw
        .typed_rows(
            &FlagDefaults::default(),
            &Targets::bundled().unwrap(),
            ratio(),
        )
        .unwrap();
    let rates: Vec<String> = rows
        .iter()
        .map(|row| row.shape.deploys_per_day.to_string())
        .collect();
    assert_eq!(rates, ["3/week", "0.5", "20/month", "1"]);
    let toml = "[defaults]\ndeploys_per_day = \"3/week\"\n[[service]]\nservice = \"a\"\n\
                before = \"1GB\"\nafter = \"1GB\"\n[[service]]\nservice = \"b\"\n\
                before = \"1GB\"\nafter = \"1GB\"\ndeploys_per_day = 0.25\n";
    let raw = parse(PathBuf::from("fleet.toml"), toml.to_string()).unwrap();
    let rows = raw
        .typed_rows(
            &FlagDefaults::default(),
            &Targets::bundled().unwrap(),
            ratio(),
        )
        .unwrap();
    assert_eq!(rows[0].shape.deploys_per_day.to_string(), "3/week");
    assert_eq!(rows[1].shape.deploys_per_day.to_string(), "0.25");
}

#[test]
fn toml_keys_are_checked_where_they_are_written() {
    let text = "[defaults]\nbefore = \"500MB\"\n";
    let message = refusal("fleet.toml", text);
    assert!(
        message.starts_with("fleet.toml line 2, before: "),
        "{message}"
    );
    let text = "[[service]]\nservice = \"api\"\nbefore = \"500MB\"\nafter = \"80MB\"\nNodes = 3\n";
    let message = refusal("fleet.toml", text);
    assert!(
        message.starts_with("fleet.toml line 5, Nodes: "),
        "{message}"
    );
    let text = "[[service]]\nservice = \"api\"\nbefore = [\"500MB\"]\n";
    let message = refusal("fleet.toml", text);
    assert!(
        message.starts_with(
            "fleet.toml line 3, before: '[\"500MB\"]' is an array; expected a \
             string or a number"
        ),
        "{message}"
    );
}

#[test]
fn rows_without_a_name_or_a_before_size_are_refused() {
    assert_eq!(
        refusal("fleet.csv", "service,before,after\n,500MB,80MB\n"),
        "fleet.csv line 2, service: is empty; every row needs a service name"
    );
    assert_eq!(
        refusal("fleet.csv", "service,before,after\napi,,80MB\n"),
        "fleet.csv line 2, before: service 'api' has no before size; give its size before \
         slimming (e.g. 850MB) or a before_image"
    );
    assert_eq!(
        refusal("fleet.csv", "service,before,after\n"),
        "fleet.csv: has no services; add at least one row"
    );
    assert_eq!(
        refusal("fleet.toml", "[defaults]\nnodes = 3\n"),
        "fleet.toml: has no services; add at least one row"
    );
}

#[test]
fn csv_structure_is_checked_before_the_rows() {
    let message = refusal("fleet.csv", "");
    assert!(message.starts_with("fleet.csv: is empty; "), "{message}");
    let message = refusal("fleet.csv", "api,500MB,80MB\n");
    assert!(
        message
            .starts_with("fleet.csv line 1: the header row is missing or has no 'service' column"),
        "{message}"
    );
    let message = refusal("fleet.csv", "service,before,befor\napi,1GB,1GB\n");
    assert!(
        message.starts_with("fleet.csv line 1, befor: "),
        "{message}"
    );
    assert_eq!(
        refusal("fleet.csv", "service,before,Before\napi,1GB,1GB\n"),
        "fleet.csv line 1, before: column 'before' appears twice (columns 2 and 3); keep one"
    );
    assert_eq!(
        refusal("fleet.csv", "service,before,after\napi,1GB,1GB,3\n"),
        "fleet.csv line 2: has 4 cells but the header names 3 columns; quote cells that contain \
         commas (\"a, b\")"
    );
}

#[test]
fn a_size_and_an_image_for_the_same_side_are_refused() {
    assert_eq!(
        refusal(
            "fleet.csv",
            "service,before,before_image,after\napi,500MB,app.tar,80MB\n"
        ),
        "fleet.csv line 2, before_image: 'app.tar': give before or before_image, not both"
    );
}

#[test]
fn image_sources_are_read_relative_to_the_inventory() {
    // A registry manifest: 5 layers of 78,358,224 bytes and a 1,166-byte config, wire only.
    let services = services(
        "tests/fixtures/manifests/fleet.csv",
        "service,before_image,after\njava,distroless-java11_latest_2023-02-14.json,50MB\n",
    );
    let java = &services[0];
    assert_eq!(java.before.wire_bytes, 78_359_390);
    assert!(java.before.disk_estimated && !java.before.wire_estimated);
    assert_eq!(
        java.before.disk_bytes,
        ratio().disk_from_wire(78_359_390).unwrap()
    );
    let image = java.before_image.as_ref().unwrap();
    assert_eq!(image.layers.len(), 5);
}

#[test]
fn the_assumptions_table_of_a_toml_inventory_is_validated() {
    let profiles = Assumptions::defaults().unwrap().profiles;
    let text = "[assumptions]\nbandwidth = \"250MB/s\"\npricing = \"internet\"\n\n\
                [[service]]\nservice = \"api\"\nbefore = \"500MB\"\nafter = \"80MB\"\n";
    let inventory = parse(PathBuf::from("fleet.toml"), text.to_string()).unwrap();
    let overrides = inventory.assumption_overrides(&profiles).unwrap().unwrap();
    assert_eq!(overrides.get("bandwidth"), Some(&Value::Rate(250 * MB)));
    assert_eq!(
        overrides.get("pricing"),
        Some(&Value::Profile("internet".to_string()))
    );
    let text = "[assumptions]\ncompression_ratio = 2\n";
    let inventory = parse(PathBuf::from("fleet.toml"), text.to_string()).unwrap();
    let message = inventory
        .assumption_overrides(&profiles)
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("fleet.toml line 2, compression_ratio: '2' "),
        "{message}"
    );
    assert!(
        message.ends_with("e.g. compression_ratio = 0.4"),
        "{message}"
    );
    // A CSV has none.
    let inventory = parse(PathBuf::from("fleet.csv"), "service\n".to_string()).unwrap();
    assert!(inventory.assumption_overrides(&profiles).unwrap().is_none());
}

#[test]
fn a_platform_in_the_defaults_table_is_used() {
    // A row's invalid platform is refused; the same value in [defaults] should be too.
    let row = "[[service]]\nservice = \"api\"\nbefore = \"500MB\"\nafter = \"80MB\"\n\
               platform = \"linux\"\n";
    assert!(refusal("fleet.toml", row).starts_with("fleet.toml line 5, platform: 'linux'"));
    let defaults = "[defaults]\nplatform = \"linux\"\n\n[[service]]\nservice = \"api\"\n\
                    before = \"500MB\"\nafter = \"80MB\"\n";
    assert!(refusal("fleet.toml", defaults).starts_with("fleet.toml line 2, platform: 'linux'"));
}

/// Typing the rows reads no file: image sources stay as written (with their line) until
/// `resolve` reads them, and every other cell is typed by its column's parser.
#[test]
fn rows_are_typed_before_any_image_is_read() {
    let text = "[defaults]\nplatform = \"linux/arm64\"\nnodes = 3\n\n[[service]]\n\
                service = \"api\"\nbefore_image = \"no/such/layout\"\nafter = \"80MB\"\n\
                budget = \"target\"\nchanged_per_deploy = \"30%\"\nnode_pool = \"batch\"\n";
    let inventory = parse(PathBuf::from("fleet.toml"), text.to_string()).unwrap();
    let targets = Targets::bundled().unwrap();
    let rows = inventory
        .typed_rows(&FlagDefaults::default(), &targets, ratio())
        .unwrap();
    let [row] = rows.as_slice() else {
        panic!("one row")
    };
    assert_eq!(&*row.service, "api");
    assert_eq!(row.shape, shape(1, 3, 1));
    assert_eq!(row.after.map(|size| size.disk_bytes), Some(80_000_000));
    assert_eq!(row.before, None);
    let sources = row.sources.as_deref().expect("the row names a source");
    let image = sources
        .before_image
        .as_ref()
        .expect("the source, as written");
    assert_eq!((image.text.as_str(), image.line), ("no/such/layout", 7));
    assert_eq!(row.budget, Some(Budget::Target));
    assert_eq!(
        row.changed_per_deploy,
        Some(crate::model::ChangedPerDeploy::Fraction(0.3))
    );
    assert_eq!(row.node_pool.as_deref(), Some("batch"));
    assert_eq!(
        sources.platform,
        Some(crate::input::image::Platform::parse("linux/arm64").unwrap())
    );
    // Reading it is `resolve`'s job, which fails on the missing file.
    let message = resolve_with("fleet.toml", text, &FlagDefaults::default())
        .unwrap_err()
        .to_string();
    assert!(message.contains("no/such/layout"), "{message}");
}

/// An inventory of `rows` rows, each naming `before` and `after` as its images and `base` as its
/// base image.
fn rows_naming(rows: usize, before: &str, after: &str, base: &str) -> String {
    let mut csv = String::from("service,before_image,after_image,base_image\n");
    for row in 0..rows {
        csv += &format!("svc-{row},{before},{after},{base}\n");
    }
    csv
}

fn resolve_sharing(name: &str, text: &str, read: &SourceOptions) -> Vec<Service> {
    let inventory = parse(PathBuf::from(name), text.to_string()).unwrap();
    resolve(
        &inventory,
        &FlagDefaults::default(),
        ratio(),
        &Targets::bundled().unwrap(),
        read,
    )
    .unwrap()
}

#[test]
fn an_image_source_named_by_many_rows_is_read_once() {
    // 50 rows naming two images of one OCI layout, one of them twice (after and base): 150
    // image cells, two reads.
    let read = SourceOptions::default();
    let services = resolve_sharing(
        "tests/fixtures/images/fleet.csv",
        &rows_naming(50, "layout:v1", "layout:v2", "layout:v2"),
        &read,
    );
    assert_eq!(services.len(), 50);
    assert_eq!(read.memo.reads(), 2);
    // Every row holds what a read of its own gives.
    let alone = |tag: &str| {
        sources::read(
            Path::new(&format!("layout:{tag}")),
            Path::new("tests/fixtures/images"),
            &SourceOptions::default(),
            &Place::flag("test"),
        )
        .unwrap()
    };
    let (v1, v2) = (alone("v1"), alone("v2"));
    for service in &services {
        assert_eq!(**service.before_image.as_ref().unwrap(), v1);
        assert_eq!(**service.after_image.as_ref().unwrap(), v2);
        assert_eq!(**service.layering().base_image.as_ref().unwrap(), v2);
    }
    // Another platform or `--verify` is another read.
    let verifying = SourceOptions {
        read: ReadOptions {
            verify: true,
            ..ReadOptions::default()
        },
        memo: read.memo.clone(),
        ..SourceOptions::default()
    };
    resolve_sharing(
        "tests/fixtures/images/fleet.csv",
        &rows_naming(3, "layout:v1", "layout:v2", "layout:v2"),
        &verifying,
    );
    assert_eq!(read.memo.reads(), 4);
}

#[test]
fn fifty_rows_naming_two_registry_images_make_at_most_ten_requests() {
    use crate::input::registry::fake_server::{Answer, FakeServer, Request};
    let blob = |digest: &str| -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/images/layout/blobs/sha256")
                .join(digest.trim_start_matches("sha256:")),
        )
        .unwrap()
    };
    let manifests = [
        (
            "1",
            "sha256:140f7e942b464707b1d3ae3fe2f9f7c639191e427d6e6f810a2a0cc1945c620a",
        ),
        (
            "2",
            "sha256:28bb90bef4beb8fd7d3628274f13cd8fcab5f53b568c1d74d834f58324f4632a",
        ),
    ];
    let server = FakeServer::start(move |request: &Request, _| -> Answer {
        let target = request.target.as_str();
        for (tag, digest) in manifests {
            if target == format!("/v2/app/manifests/{tag}") {
                let headers = vec![
                    (
                        "Content-Type".to_string(),
                        "application/vnd.oci.image.manifest.v1+json".to_string(),
                    ),
                    ("Docker-Content-Digest".to_string(), digest.to_string()),
                ];
                return (200, headers, blob(digest));
            }
        }
        match target.strip_prefix("/v2/app/blobs/") {
            Some(digest) => (200, vec![], blob(digest)),
            None => (404, vec![], vec![]),
        }
    });
    let image = |tag: &str| format!("127.0.0.1:{}/app:{tag}", server.port);
    let read = SourceOptions::default();
    let services = resolve_sharing(
        "fleet.csv",
        &rows_naming(50, &image("1"), &image("2"), &image("1")),
        &read,
    );
    assert_eq!(services.len(), 50);
    assert_eq!(read.memo.reads(), 2);
    let requests = server.requests();
    assert!(
        requests.len() <= 10,
        "{} requests: {requests:?}",
        requests.len()
    );
    assert!(
        services
            .iter()
            .all(|s| s.before_image == services[0].before_image)
    );
}

/// A CSV inventory large enough to be typed in two halves, with blank lines in both.
fn large_csv(rows: usize) -> String {
    let mut csv = String::from("service,runtime,before,after,nodes,deploys_per_day\n");
    for index in 0..rows {
        csv.push_str(&format!(
            "svc-{index},python,{} MB,{}MB,{},{}\n",
            100 + index % 900,
            50 + index % 300,
            1 + index % 7,
            1 + index % 5
        ));
        if index % 1000 == 999 {
            csv.push('\n');
        }
    }
    csv
}

fn typed(raw: &RawInventory) -> Result<Vec<Row>, Error> {
    raw.typed_rows(
        &FlagDefaults::default(),
        &Targets::bundled().unwrap(),
        ratio(),
    )
}

/// The two halves of a large inventory give the rows, with their lines, that one walk of the
/// whole text gives.
#[test]
fn a_large_inventory_typed_in_halves_is_typed_as_a_whole() {
    let raw = parse(PathBuf::from("big.csv"), large_csv(12_000)).unwrap();
    let halves = csv_reader::halves(&raw).expect("split in two");
    assert!(halves[1].first_line() > 6_000, "{}", halves[1].first_line());
    let halved = typed(&raw).unwrap();
    let (defaults_shape, nodes, basis, runtime) =
        effective_defaults(&raw, &FlagDefaults::default(), &Targets::bundled().unwrap()).unwrap();
    let defaults = RowDefaults {
        shape: defaults_shape,
        nodes,
        cluster: raw.cluster(&FlagDefaults::default()).unwrap(),
        basis,
        runtime,
        platform: None,
    };
    let mut whole = Vec::new();
    let targets = Targets::bundled().unwrap();
    csv_reader::each_row(&raw, &csv_reader::Rows::whole(&raw), &mut |row| {
        whole.push(raw.typed_row(row, &defaults, &targets, ratio())?);
        Ok(())
    })
    .unwrap();
    assert_eq!(halved.len(), 12_000);
    assert_eq!(halved, whole);
    // Line 2 is the first row; a blank line follows every thousandth.
    assert_eq!(halved[0].line, 2);
    assert_eq!(halved[11_999].line, 2 + 11_999 + 11);
    assert_eq!(&*halved[11_999].service, "svc-11999");
}

/// The line of `text` on which `service`'s row is.
fn line_of(text: &str, service: &str) -> usize {
    1 + text
        .lines()
        .position(|line| line.starts_with(&format!("{service},")))
        .unwrap()
}

/// `text` with `service`'s line replaced by `line`.
fn with_line(text: &str, service: &str, line: &str) -> String {
    text.lines()
        .map(|old| match old.starts_with(&format!("{service},")) {
            true => line,
            false => old,
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Refusals in the second half name the file's line, as one walk of the whole text would; an
/// error in the first half comes first; a name met in both halves is refused at its second row.
#[test]
fn refusals_in_the_second_half_name_the_files_line() {
    let csv = large_csv(12_000);
    let line_of = |service: &str| line_of(&csv, service);
    // `text` is refused at `line`, saying `says`.
    let refused_at = |text: String, line: usize, says: &str| {
        let message = match typed(&parse(PathBuf::from("big.csv"), text).unwrap()) {
            Ok(_) => panic!("accepted"),
            Err(error) => error.to_string(),
        };
        assert!(
            message.starts_with(&format!("big.csv line {line}")) && message.contains(says),
            "{message}"
        );
    };
    let late = line_of("svc-11000");
    let bad_size = with_line(&csv, "svc-11000", "svc-11000,python,lots,1MB,1,1");
    assert!(
        csv_reader::halves(&parse(PathBuf::from("b.csv"), bad_size.clone()).unwrap()).is_some()
    );
    refused_at(bad_size.clone(), late, "'lots'");
    let short_row = with_line(&csv, "svc-11000", "svc-11000,python,1MB,1,1");
    refused_at(
        short_row,
        late,
        "has 5 cells but the header names 6 columns",
    );
    let both = with_line(&bad_size, "svc-10", "svc-10,python,much,1MB,1,1");
    refused_at(both, line_of("svc-10"), "'much'");
    let duplicate = with_line(&csv, "svc-11000", "svc-3,python,1MB,1MB,1,1");
    let first = format!("first on line {}", line_of("svc-3"));
    refused_at(duplicate, late, &first);
    // Both in the second half; then a repeat in the first half before a bad cell in the second.
    let duplicate = with_line(&csv, "svc-11000", "svc-10500,python,1MB,1MB,1,1");
    let first = format!("first on line {}", line_of("svc-10500"));
    refused_at(duplicate, late, &first);
    let duplicate = with_line(&bad_size, "svc-20", "svc-3,python,1MB,1MB,1,1");
    let first = format!("first on line {}", line_of("svc-3"));
    refused_at(duplicate, line_of("svc-20"), &first);
}

/// A large inventory's two parts become services on two threads: every row as one walk makes
/// it, and a row that cannot be a service refused at its line, the first part's first; a typing
/// error anywhere still comes before it.
#[test]
fn a_large_inventory_becomes_services_as_a_whole() {
    let csv = large_csv(12_000);
    let resolved = services("big.csv", &csv);
    assert_eq!(resolved.len(), 12_000);
    let names: Vec<&str> = resolved.iter().map(|s| &*s.name).collect();
    let expected: Vec<String> = (0..12_000).map(|i| format!("svc-{i}")).collect();
    assert_eq!(names, expected);
    assert_eq!(
        resolved[11_999].before.disk_bytes,
        (100 + 11_999 % 900) * 1_000_000
    );
    // The refusal names `service`'s line (of the unchanged inventory) and says `what`.
    let refused_at = |text: &str, service: &str, what: &str| {
        let message = refusal("big.csv", text);
        assert!(
            message.starts_with(&format!("big.csv line {}, ", line_of(&csv, service)))
                && message.contains(what),
            "{message}"
        );
    };
    let late = with_line(&csv, "svc-11000", "svc-11000,python,,1MB,1,1");
    refused_at(&late, "svc-11000", "'svc-11000' has no before size");
    let both = with_line(&late, "svc-10", "svc-10,python,,1MB,1,1");
    refused_at(&both, "svc-10", "'svc-10' has no before size");
    let typing_later = with_line(&both, "svc-11500", "svc-11500,python,lots,1MB,1,1");
    refused_at(&typing_later, "svc-11500", "'lots'");
}

/// Quotes may hold line breaks, and carriage returns shift the csv crate's line count: such a
/// text is walked whole, as a small one is.
#[test]
fn quoted_crlf_and_small_inventories_are_not_split() {
    let csv = large_csv(12_000);
    let quoted = csv.replace("svc-5,", "\"svc-5\",");
    let crlf = csv.replace('\n', "\r\n");
    for text in [quoted, crlf, large_csv(100)] {
        let raw = parse(PathBuf::from("big.csv"), text).unwrap();
        assert!(csv_reader::halves(&raw).is_none());
        assert!(!typed(&raw).unwrap().is_empty());
    }
}
/// A row after a blank line is refused at its own line (the csv crate's count runs one behind
/// there).
#[test]
fn a_short_row_after_a_blank_line_is_refused_at_its_line() {
    for ending in ["\n", "\r\n"] {
        let text = ["service,before,after", "a,1MB,1MB", "", "b,1MB"].join(ending) + ending;
        let message = refusal("fleet.csv", &text);
        assert!(
            message.starts_with("fleet.csv line 4: has 2 cells"),
            "{ending:?}: {message}"
        );
    }
}
