//! The JSON contract: the schema in `docs/` is the one generated from the Rust types, and real
//! output validates against it.

use crate::common::*;

const SCHEMA_PATH: &str = "docs/report.schema.json";
const CHECK_SCHEMA_PATH: &str = "docs/check.schema.json";
const LAYERS_SCHEMA_PATH: &str = "docs/layers.schema.json";
const HISTORY_SCHEMA_PATH: &str = "docs/history.schema.json";
const AUDIT_SCHEMA_PATH: &str = "docs/audit.schema.json";
const FORECAST_SCHEMA_PATH: &str = "docs/forecast.schema.json";

#[test]
fn the_committed_schemas_are_generated_from_the_types() {
    assert_schema_file(SCHEMA_PATH, &fleetsave::render::json::schema());
    assert_schema_file(CHECK_SCHEMA_PATH, &fleetsave::render::json::check_schema());
    assert_schema_file(
        HISTORY_SCHEMA_PATH,
        &fleetsave::render::json::history_schema(),
    );
    assert_schema_file(AUDIT_SCHEMA_PATH, &fleetsave::render::json::audit_schema());
    assert_schema_file(
        LAYERS_SCHEMA_PATH,
        &fleetsave::render::json::layers_schema(),
    );
    assert_schema_file(
        FORECAST_SCHEMA_PATH,
        &fleetsave::render::json::forecast_schema(),
    );
}

#[test]
fn layers_output_validates_against_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&fleetsave::render::json::layers_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for args in [
        &[
            "layers",
            "tests/fixtures/dive/test-docker-image.tar",
            "--format",
            "json",
        ][..],
        &[
            "layers",
            "tests/fixtures/leftovers/layout:leftovers",
            "--nodes",
            "300",
            "--deploys-per-day",
            "4",
            "--format",
            "json",
        ],
        &[
            "layers",
            "tests/fixtures/images/v2.oci.tar",
            "--base-image",
            "tests/fixtures/images/v1.oci.tar",
            "--services",
            "3",
            "--format",
            "json",
        ],
    ] {
        let json = json_of(args);
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
    }
}

fn assert_schema_file(relative: &str, generated: &str) {
    let path = project_file(relative);
    if std::env::var_os("FLEETSAVE_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{relative} is stale: run FLEETSAVE_UPDATE_SCHEMA=1 cargo test schema"
    );
}

#[test]
fn check_output_validates_against_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&fleetsave::render::json::check_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let output = fleetsave()
        .args([
            "check",
            "--size",
            "130MB",
            "--runtime",
            "python",
            "--budget",
            "target",
            "--baseline",
            "100MB",
            "--max-growth",
            "5%,10MB",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(validator.is_valid(&json), "{json}");
}

fn validate(instance: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(&fleetsave::render::json::schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "output does not match the schema: {errors:#?}"
    );
}

#[test]
fn report_output_with_findings_validates_against_the_schema() {
    validate(&json_of(&[
        "report",
        "tests/fixtures/findings/fleet.csv",
        "--format",
        "json",
    ]));
}

#[test]
fn report_output_with_dockerfile_audits_validates_against_the_schema() {
    let json = json_of(&[
        "report",
        "tests/fixtures/audit/fleet.csv",
        "--format",
        "json",
    ]);
    assert_eq!(json["audits"].as_array().unwrap().len(), 2);
    validate(&json);
}

#[test]
fn calc_output_validates_against_the_schema() {
    validate(&json_of(&reference_with(&[
        "--runtime",
        "java",
        "--format",
        "json",
        "--effort-hours",
        "8",
        "--hourly-rate",
        "90",
    ])));
    validate(&json_of(&[
        "calc", "--before", "1", "--after", "2", "--format", "json",
    ]));
}

#[test]
fn the_schema_rejects_output_that_breaks_the_contract() {
    let mut json = json_of(&[
        "calc", "--before", "500MB", "--after", "80MB", "--format", "json",
    ]);
    json["totals"]["pulls_per_day"] = serde_json::json!("2000");
    let schema: serde_json::Value =
        serde_json::from_str(&fleetsave::render::json::schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(!validator.is_valid(&json));
}

#[test]
fn history_output_validates_against_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&fleetsave::render::json::history_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let layout = "tests/fixtures/history/layout";
    for tags in [&["g", "c"][..], &["g", "c", "h", "a", "f", "b", "e", "d"]] {
        let mut args = vec!["history".to_string()];
        args.extend(tags.iter().map(|tag| format!("{layout}:{tag}")));
        args.extend(["--runtime", "go", "--format", "json"].map(String::from));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let json = json_of(&args);
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn forecast_output_validates_against_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&fleetsave::render::json::forecast_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for args in [
        &["forecast", "data/examples/growth.toml", "--format", "json"][..],
        &[
            "forecast",
            "data/examples/fleet.csv",
            "--cluster-nodes",
            "40",
            "--scenario",
            "fast: cluster=x2 compound@5%, deploys=x1.5, new_services=2",
            "--egress-limit",
            "10Gbit/s",
            "--window",
            "15m",
            "--format",
            "json",
        ][..],
    ] {
        let json = json_of(args);
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}
