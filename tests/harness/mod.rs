//! The fuzz harness: one function per fuzz target, each taking arbitrary bytes, running them
//! through a reader (and on to the renderers where the input gets that far) and panicking when
//! an invariant breaks: a panic inside fleetsave, an "internal error", an error that does not
//! name its file, an output that is not what the input allows.
//!
//! Shared by three callers so the logic exists once: the cargo-fuzz targets in `fuzz/`
//! (`#[path]`-included), the crash regression test (`tests/cli/crashers.rs`, which replays
//! `tests/fixtures/crashers/<target>/*` and the seed corpus `fuzz/seeds/<target>/*`), and the
//! proptest fuzz tests that run on stable (`tests/cli/fuzz_props.rs`).
//!
//! Image targets need files: each thread writes its input into its own temporary directory,
//! reused across calls.

#![allow(dead_code)]

pub mod escaping;

use std::cell::RefCell;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

use fleetsave::calc::targets::Targets;
use fleetsave::calc::techniques;
use fleetsave::error::Error;
use fleetsave::input::image::{ImageError, ReadOptions, read_image};
use fleetsave::input::inventory::{self, FlagDefaults};
use fleetsave::input::sources::SourceOptions;
use fleetsave::input::sources::{self, SizedImage};
use fleetsave::model::assumptions::{Assumptions, Origin};
use fleetsave::render::{self, Format, RenderOptions};
use fleetsave::report::{self, BuildInput, Command};
use fleetsave::units::{self, Ratio};
use sha2::Digest as _;

/// The fuzz targets, by name (the names of `fuzz/fuzz_targets/*.rs` and of the crasher folders).
pub const TARGETS: &[&str] = &[
    "size_parser",
    "inventory_csv",
    "inventory_toml",
    "manifest_json",
    "docker_archive",
    "oci_layout",
    "layer_blob",
];

/// Runs the target called `name` on `data`.
pub fn run(name: &str, data: &[u8]) {
    match name {
        "size_parser" => size_parser(data),
        "inventory_csv" => inventory_csv(data),
        "inventory_toml" => inventory_toml(data),
        "manifest_json" => manifest_json(data),
        "docker_archive" => docker_archive(data),
        "oci_layout" => oci_layout(data),
        "layer_blob" => layer_blob(data),
        other => panic!("no fuzz target named {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// sizes

/// `parse_size`, `parse_rate` and `Ratio::parse`: never panic; a size that parses prints back
/// as the same number of bytes; errors quote the value.
pub fn size_parser(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match units::parse_size(text) {
        Ok(bytes) => {
            assert_eq!(units::parse_size(&bytes.to_string()), Ok(bytes));
            let _ = units::format_bytes(i128::from(bytes));
        }
        Err(error) => {
            let message = error.to_string();
            assert!(message.contains(&format!("'{text}'")), "{message}");
        }
    }
    if let Ok(rate) = units::parse_rate(text) {
        assert!(rate > 0);
        let _ = units::format_rate(rate);
    }
    if let Ok(ratio) = Ratio::parse(text) {
        let value = ratio.as_f64();
        assert!(value > 0.0 && value <= 1.0, "{text} → {value}");
        assert!(ratio.wire_from_disk(1 << 40) <= 1 << 40);
        if let Some(disk) = ratio.disk_from_wire(u64::MAX / 2) {
            assert!(disk >= u64::MAX / 2);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// inventories

pub fn inventory_csv(data: &[u8]) {
    inventory_text(data, "fuzz.csv");
}

pub fn inventory_toml(data: &[u8]) {
    inventory_text(data, "fuzz.toml");
}

/// An inventory through the whole pipeline: parse, validate, build the report, render it in
/// every format, and check each format's escaping of every name ([`escaping`]). Rows that name image files are validated only up to the files (a fuzzer must
/// not read whatever path it makes up).
fn inventory_text(data: &[u8], label: &str) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let label = PathBuf::from(label);
    let raw = match inventory::parse(label.clone(), text.to_string()) {
        Ok(raw) => raw,
        Err(error) => return expect_input_error(&error, &label),
    };
    let names_files = raw.rows.iter().any(|row| {
        row.values
            .iter()
            .any(|(field, _)| field.ends_with("_image"))
    });
    if names_files {
        return;
    }
    let mut assumptions = Assumptions::defaults().expect("bundled assumptions");
    match raw.assumption_overrides(&assumptions.profiles) {
        Ok(Some(overrides)) => assumptions.apply(&overrides, Origin::File, "fuzz"),
        Ok(None) => {}
        Err(error) => return expect_input_error(&error, &label),
    }
    let targets = Targets::bundled().expect("bundled targets");
    let services = match inventory::resolve(
        &raw,
        &FlagDefaults::default(),
        assumptions.compression_ratio.value,
        &targets,
        &SourceOptions::default(),
    ) {
        Ok(services) => services,
        Err(error) => return expect_input_error(&error, &label),
    };
    let report = match report::build(BuildInput {
        command: Command::Report,
        title: "fuzz".to_string(),
        generated_at: None,
        services: &services,
        assumptions: &assumptions,
        targets: &targets,
        techniques: &techniques::bundled().expect("bundled techniques"),
        compare: None,
    }) {
        Ok(report) => report,
        // Figures too large to compute exactly are refused, never wrapped.
        Err(error @ Error::Overflow(_)) => return assert_eq!(error.exit_code(), 2),
        Err(error) => panic!("report::build failed: {error}"),
    };
    let render = |format| {
        render::render(&report, format, &RenderOptions::default())
            .unwrap_or_else(|error| panic!("{format:?} failed: {error}"))
    };
    escaping::assert_terminal_safe(&render(Format::Text), "text");
    let json_text = render(Format::Json);
    escaping::assert_json_safe(&json_text, "JSON");
    let json: serde_json::Value =
        serde_json::from_str(&json_text).expect("the JSON report is valid JSON");
    assert_no_null_numbers(&json);
    // Every name reads back exactly.
    let mut names: Vec<&str> = json["services"]
        .as_array()
        .expect("services")
        .iter()
        .map(|service| service["name"].as_str().expect("a name"))
        .collect();
    let mut given: Vec<&str> = services.iter().map(|s| &*s.name).collect();
    names.sort_unstable();
    given.sort_unstable();
    assert_eq!(names, given);
    let markdown = render(Format::Markdown);
    escaping::assert_markdown_safe(&markdown, 7);
    escaping::assert_mermaid_safe(&markdown);
    escaping::assert_markup_safe(&render(Format::Html), "HTML");
    check_gate(&services, &targets);
}

/// The services through `check --inventory`'s gate (their budgets, growth over 5%), rendered in
/// every check format with the same escaping checks.
fn check_gate(services: &[fleetsave::model::Service], targets: &Targets) {
    use fleetsave::model::GrowthLimit;
    use fleetsave::report::check::{Gate, Subject};
    use fleetsave::units::Percent;
    let subjects: Vec<Subject> = services
        .iter()
        .map(|service| Subject {
            name: service.name.to_string(),
            image: service.after.unwrap_or(service.before),
            baseline: service.after.map(|_| service.before),
            runtime: service.runtime,
            fail_budget: service.budget,
            warn_budget: None,
        })
        .collect();
    let gate = Gate {
        basis: None,
        max_growth: Some(GrowthLimit {
            percent: Percent::parse("5%").expect("a percentage"),
            floor_bytes: 0,
        }),
        warn_growth: None,
        warn_only: false,
    };
    let report = match report::check::check(&subjects, &gate, targets) {
        Ok(report) => report,
        Err(error) => return assert_eq!(error.exit_code(), 2, "{error}"),
    };
    use render::check::CheckFormat;
    let render =
        |format| render::check::render(&report, format, None).expect("the check report renders");
    escaping::assert_terminal_safe(&render(CheckFormat::Text), "check text");
    escaping::assert_markdown_safe(&render(CheckFormat::Markdown), 7);
    let json_text = render(CheckFormat::Json);
    escaping::assert_json_safe(&json_text, "check JSON");
    let json: serde_json::Value = serde_json::from_str(&json_text).expect("valid check JSON");
    assert_eq!(
        json["rules"].as_array().map(Vec::len),
        Some(report.rules.len())
    );
    let annotations = render::check::annotations(&report);
    escaping::assert_terminal_characters(&annotations, "annotations");
    escaping::assert_annotations_safe(&annotations);
}

/// serde_json writes a non-finite float as `null`: a figure that overflowed `f64` would vanish
/// silently. Only a few optional fields may be null; money and seconds never.
fn assert_no_null_numbers(value: &serde_json::Value) {
    fn walk(value: &serde_json::Value, path: &str) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, child) in map {
                    let here = format!("{path}.{key}");
                    let figure = ["per_day", "per_month", "per_year", "seconds", "cost"]
                        .iter()
                        .any(|word| key.contains(word));
                    assert!(
                        !(figure && child.is_null()),
                        "{here} is null (a non-finite number?)"
                    );
                    walk(child, &here);
                }
            }
            serde_json::Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    walk(child, &format!("{path}[{index}]"));
                }
            }
            _ => {}
        }
    }
    walk(value, "");
}

/// An input error (exit 2) that names the file; never an internal error.
fn expect_input_error(error: &Error, path: &Path) {
    assert_eq!(error.exit_code(), 2, "not an input error: {error}");
    let message = error.to_string();
    assert!(
        message.starts_with(&path.display().to_string()),
        "the error does not name the file: {message}"
    );
}

// ---------------------------------------------------------------------------------------------
// images

thread_local! {
    static SCRATCH: RefCell<Option<tempfile::TempDir>> = const { RefCell::new(None) };
}

/// This thread's scratch directory, emptied.
fn scratch() -> PathBuf {
    SCRATCH.with(|cell| {
        let mut cell = cell.borrow_mut();
        let dir = cell.get_or_insert_with(|| tempfile::tempdir().expect("a temporary directory"));
        for entry in fs::read_dir(dir.path()).expect("scratch readable") {
            let path = entry.expect("scratch entry").path();
            if path.is_dir() {
                fs::remove_dir_all(&path).expect("scratch cleaned");
            } else {
                fs::remove_file(&path).expect("scratch cleaned");
            }
        }
        dir.path().to_path_buf()
    })
}

/// Reads `path` plainly and verifying, checks the outcome, and renders what was read.
fn read_and_check(path: &Path) -> Option<SizedImage> {
    let mut first = None;
    for verify in [false, true] {
        let options = ReadOptions {
            verify,
            ..ReadOptions::default()
        };
        match read_image(path, &options) {
            Ok(image) => {
                check_totals(&image);
                let ratio = Ratio::parse("0.37").expect("a ratio");
                let size = sources::size_of(&image, ratio).unwrap_or(fleetsave::model::ImageSize {
                    disk_bytes: 0,
                    wire_bytes: 0,
                    disk_estimated: true,
                    wire_estimated: true,
                });
                let report = fleetsave::report::inspect::InspectReport::new(
                    vec![(image.clone(), size)],
                    ratio,
                );
                for format in [
                    render::inspect::InspectFormat::Text,
                    render::inspect::InspectFormat::Json,
                ] {
                    render::inspect::render(&report, format).expect("inspect renders");
                }
                let sized = SizedImage { image, size };
                first.get_or_insert(sized);
            }
            Err(error) => expect_image_error(&error, path),
        }
    }
    first
}

/// An image's totals are the exact sums of its parts: never saturated or wrapped.
fn check_totals(image: &fleetsave::model::image::Image) {
    if let Some(wire) = image.wire_bytes() {
        let exact: u128 = image
            .blobs()
            .iter()
            .map(|(_, size)| u128::from(*size))
            .sum();
        assert_eq!(
            u128::from(wire),
            exact,
            "the wire total is not the sum of the blobs"
        );
    }
    if image.reported_disk_bytes.is_none()
        && let Some(disk) = image.disk_bytes()
    {
        let exact: u128 = image
            .layers
            .iter()
            .filter_map(|layer| layer.disk_bytes)
            .map(u128::from)
            .sum();
        assert_eq!(
            u128::from(disk),
            exact,
            "the disk total is not the sum of the layers"
        );
    }
}

/// An image error names the file and is not a bug report (every `ImageError` is an input
/// error, exit 2).
fn expect_image_error(error: &ImageError, path: &Path) {
    assert_eq!(error.path, path);
    let message = error.to_string();
    assert!(
        !message.contains("internal error"),
        "a reader failed internally: {message}"
    );
}

/// A manifest, index or `docker inspect` document.
pub fn manifest_json(data: &[u8]) {
    let path = scratch().join("image.json");
    fs::write(&path, data).expect("scratch written");
    read_and_check(&path);
}

/// A `docker save` archive (or any tar: the reader tells archives apart by content).
pub fn docker_archive(data: &[u8]) {
    let path = scratch().join("image.tar");
    fs::write(&path, data).expect("scratch written");
    read_and_check(&path);
}

/// An OCI layout: the input read as an `oci-archive`, then unpacked (regular files with plain
/// relative names only) into a directory and read as a layout directory.
pub fn oci_layout(data: &[u8]) {
    let dir = scratch();
    let archive = dir.join("image.tar");
    fs::write(&archive, data).expect("scratch written");
    read_and_check(&archive);
    let layout = dir.join("layout");
    fs::create_dir(&layout).expect("layout directory");
    if unpack_plain_files(data, &layout).is_ok() {
        read_and_check(&layout);
    }
}

/// Writes the regular files of a tar under `root`, skipping any name that is not a plain
/// relative path (this is the harness building a test directory, not fleetsave extracting).
fn unpack_plain_files(data: &[u8], root: &Path) -> io::Result<()> {
    let mut archive = tar::Archive::new(data);
    for entry in archive.entries()?.take(64) {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry.path()?.into_owned();
        if name.as_os_str().is_empty()
            || !name.components().all(|c| matches!(c, Component::Normal(_)))
        {
            continue;
        }
        let target = root.join(&name);
        if let Some(parent) = target.parent()
            && fs::create_dir_all(parent).is_err()
        {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        if target.is_dir() {
            continue;
        }
        fs::write(&target, bytes)?;
    }
    Ok(())
}

/// The layer media types `layer_blob` chooses from (first input byte).
const LAYER_TYPES: &[&str] = &[
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
];

/// One layer blob (gzip, zstd or tar, by the first byte) in a well-formed OCI layout and in a
/// docker save archive: the layer readers see arbitrary content with correct digests and sizes.
pub fn layer_blob(data: &[u8]) {
    let Some((&selector, blob)) = data.split_first() else {
        return;
    };
    let media_type = LAYER_TYPES[usize::from(selector) % LAYER_TYPES.len()];
    let dir = scratch();
    let layout = dir.join("layout");
    write_layout(&layout, blob, media_type).expect("layout written");
    if let Some(sized) = read_and_check(&layout) {
        let layer = &sized.image.layers[0];
        if let Some(disk) = layer.disk_bytes {
            check_disk_bytes(blob, media_type, disk);
        }
    }
    let archive = dir.join("image.tar");
    write_docker_archive(&archive, blob, "fuzz:latest").expect("archive written");
    read_and_check(&archive);
}

/// The disk size a reader reported, checked against an independent count.
fn check_disk_bytes(blob: &[u8], media_type: &str, disk: u64) {
    let expected = if media_type.ends_with("gzip") {
        let mut decoder = flate2::read::MultiGzDecoder::new(blob);
        io::copy(&mut decoder, &mut io::sink()).ok()
    } else if media_type.ends_with("zstd") {
        zstd::stream::read::Decoder::new(blob)
            .and_then(|mut decoder| io::copy(&mut decoder, &mut io::sink()))
            .ok()
    } else {
        Some(blob.len() as u64)
    };
    if let Some(expected) = expected {
        assert_eq!(disk, expected, "{media_type}: disk bytes differ");
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const CONFIG: &[u8] =
    br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;

/// An OCI layout at `root` holding one image with `layer` as its only layer.
pub fn write_layout(root: &Path, layer: &[u8], media_type: &str) -> io::Result<()> {
    let blobs = root.join("blobs/sha256");
    fs::create_dir_all(&blobs)?;
    let put = |bytes: &[u8]| -> io::Result<String> {
        let hex = sha256_hex(bytes);
        fs::write(blobs.join(&hex), bytes)?;
        Ok(format!("sha256:{hex}"))
    };
    let config = put(CONFIG)?;
    let layer_digest = put(layer)?;
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":{}}},"layers":[{{"mediaType":"{media_type}","digest":"{layer_digest}","size":{}}}]}}"#,
        CONFIG.len(),
        layer.len()
    );
    let manifest_digest = put(manifest.as_bytes())?;
    fs::write(
        root.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )?;
    fs::write(
        root.join("index.json"),
        format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{manifest_digest}","size":{}}}]}}"#,
            manifest.len()
        ),
    )
}

/// A docker save archive at `path` holding one image, tagged `tag`, with `layer` as its only
/// layer.
pub fn write_docker_archive(path: &Path, layer: &[u8], tag: &str) -> io::Result<()> {
    let layer_hex = sha256_hex(layer);
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["sha256:{layer_hex}"]}}}}"#
    );
    let config_name = format!("{}.json", sha256_hex(config.as_bytes()));
    let layer_name = format!("{layer_hex}/layer.tar");
    let manifest = format!(
        r#"[{{"Config":"{config_name}","RepoTags":[{}],"Layers":["{layer_name}"]}}]"#,
        serde_json::Value::from(tag)
    );
    let mut builder = tar::Builder::new(fs::File::create(path)?);
    for (name, bytes) in [
        (config_name.as_str(), config.as_bytes()),
        (layer_name.as_str(), layer),
        ("manifest.json", manifest.as_bytes()),
    ] {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, bytes)?;
    }
    builder.into_inner()?.flush()
}
