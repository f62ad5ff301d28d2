//! Helpers shared by the integration tests: running the binary, reading JSON output.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub mod tools;
pub use tools::require_tools;

/// The fleetsave binary with a clean, deterministic environment.
pub fn fleetsave() -> Command {
    let mut command = Command::cargo_bin("fleetsave").expect("the fleetsave binary is built");
    command.env_remove("SOURCE_DATE_EPOCH");
    command.env_remove("GITHUB_ACTIONS");
    command.env("NO_COLOR", "1");
    command.current_dir(project_root());
    command
}

/// The project root (where `data/` lives).
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file under the project root.
pub fn project_file(relative: &str) -> PathBuf {
    project_root().join(relative)
}

/// Output of a successful run as a string.
pub fn stdout_of(args: &[&str]) -> String {
    let output = fleetsave().args(args).output().expect("fleetsave runs");
    assert!(
        output.status.success(),
        "fleetsave {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Output of a successful run parsed as JSON.
pub fn json_of(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&stdout_of(args)).expect("valid JSON")
}

/// Runs a command expected to fail; returns (exit code, stderr).
pub fn failure_of(args: &[&str]) -> (i32, String) {
    let output = fleetsave().args(args).output().expect("fleetsave runs");
    assert!(!output.status.success(), "fleetsave {args:?} should fail");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A JSON number as i128 (integers of any size).
pub fn int(value: &serde_json::Value) -> i128 {
    match value {
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .unwrap_or_else(|| panic!("{n} is not an integer")),
        other => panic!("{other} is not a number"),
    }
}

/// Writes `content` to `name` in `dir` and returns the path.
pub fn write_file(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("test file written");
    path
}

/// The reference example of SPEC §2: 500 MB → 80 MB, 20 services, 10 nodes, 10 deploys a day.
pub const REFERENCE: &[&str] = &[
    "calc",
    "--before",
    "500MB",
    "--after",
    "80MB",
    "--services",
    "20",
    "--nodes",
    "10",
    "--deploys-per-day",
    "10",
];

/// The reference example's arguments followed by `extra`.
pub fn reference_with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    REFERENCE.iter().chain(extra).copied().collect()
}
