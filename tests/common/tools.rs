//! Outside tools for the tests that need them. Those tests are `#[ignore = "needs …"]`, so a
//! plain `cargo test` lists them as ignored; `cargo test -- --include-ignored` runs them, and
//! there a missing tool fails the test with the package to install, never skips it.

#![allow(dead_code)]

use std::path::Path;

/// The Debian package that installs each tool (as `.ci/run` installs them).
const PACKAGES: &[(&str, &str)] = &[
    ("umoci", "umoci"),
    ("skopeo", "skopeo"),
    ("jq", "jq"),
    ("zstd", "zstd"),
    ("docker-registry", "docker-registry"),
    ("htpasswd", "apache2-utils"),
    ("chromium", "chromium"),
];

/// The Debian package for `tool` (the tool's own name when it is not in [`PACKAGES`]).
pub fn package_of(tool: &str) -> &str {
    PACKAGES
        .iter()
        .find(|(name, _)| *name == tool)
        .map_or(tool, |(_, package)| package)
}

/// Whether an executable named `tool` is on `PATH`.
pub fn on_path(tool: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let executable = |path: &Path| {
        path.metadata()
            .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
    };
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| executable(&dir.join(tool))))
}

/// Panics unless every tool is on `PATH`, saying what to install:
/// "needs umoci, skopeo: apt-get install umoci skopeo".
pub fn require_tools(tools: &[&str]) {
    let missing: Vec<&str> = tools.iter().copied().filter(|t| !on_path(t)).collect();
    if missing.is_empty() {
        return;
    }
    let packages: Vec<&str> = missing.iter().map(|tool| package_of(tool)).collect();
    panic!(
        "needs {}: apt-get install {}",
        missing.join(", "),
        packages.join(" ")
    );
}
