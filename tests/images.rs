//! Reading real image artifacts: the distroless acceptance figures, every peer fixture of
//! `fixtures/manifests/peer/` with the behaviour its README asks for, images built by umoci and
//! skopeo (`tests/fixtures/images/build.sh`) read as layout, oci-archive and docker-archive, and
//! corrupt inputs that must fail with an error naming the file.

#[path = "common/tools.rs"]
mod tools;

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use fleetsave::calc::layers::compare;
use fleetsave::input::image::{ImageError, Platform, ReadOptions, read_image};
use fleetsave::model::image::{Compression, Image, SourceKind};

// ---------------------------------------------------------------------------------------------
// helpers

fn shared_manifests() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/manifests")
}

fn manifest(name: &str) -> PathBuf {
    shared_manifests().join(name)
}

fn peer(name: &str) -> PathBuf {
    shared_manifests().join("peer").join(name)
}

fn images_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images")
}

fn read(path: &Path) -> Image {
    read_image(path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn read_with(path: &Path, options: &ReadOptions) -> Result<Image, ImageError> {
    read_image(path, options)
}

fn verified() -> ReadOptions {
    ReadOptions {
        verify: true,
        ..ReadOptions::default()
    }
}

fn on(platform: &str) -> ReadOptions {
    ReadOptions {
        platform: Platform::parse(platform).unwrap(),
        ..ReadOptions::default()
    }
}

fn tagged(tag: &str) -> ReadOptions {
    ReadOptions {
        tag: Some(tag.to_string()),
        ..ReadOptions::default()
    }
}

/// The error for `path`, checked to name the file and to contain `expected`.
fn fails(path: &Path, options: &ReadOptions, expected: &str) -> String {
    let error = match read_image(path, options) {
        Ok(image) => panic!("{} read without error: {image:?}", path.display()),
        Err(error) => error,
    };
    assert_eq!(error.path, path, "the error names the file");
    let message = error.to_string();
    assert!(
        message.starts_with(&path.display().to_string()),
        "{message}"
    );
    assert!(
        message.contains(expected),
        "expected {expected:?} in: {message}"
    );
    // It is an input error: exit 2.
    let converted: fleetsave::error::Error = error.into();
    assert_eq!(converted.exit_code(), 2);
    message
}

fn layer_sum(image: &Image) -> u64 {
    image.layers.iter().map(|l| l.wire_bytes).sum()
}

fn compressions(image: &Image) -> Vec<Compression> {
    image.layers.iter().map(|l| l.compression).collect()
}

fn has_note(image: &Image, text: &str) -> bool {
    image.notes.iter().any(|n| n.contains(text))
}

fn hex64(fill: char) -> String {
    fill.to_string().repeat(64)
}

/// A layout in a temporary directory with `index.json` and the given blobs.
fn temp_layout(index_json: &[u8], blobs: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    fs::write(dir.path().join("index.json"), index_json).unwrap();
    fs::create_dir_all(dir.path().join("blobs/sha256")).unwrap();
    for (digest, bytes) in blobs {
        let hex = digest.strip_prefix("sha256:").unwrap();
        fs::write(dir.path().join("blobs/sha256").join(hex), bytes).unwrap();
    }
    dir
}

fn expected() -> HashMap<String, String> {
    parse_env(&fs::read_to_string(images_dir().join("expected.env")).unwrap())
}

fn parse_env(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect()
}

fn number(env: &HashMap<String, String>, key: &str) -> u64 {
    env.get(key)
        .unwrap_or_else(|| panic!("{key} missing"))
        .parse()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// distroless acceptance (issue 5)

#[test]
fn distroless_java_wire_totals() {
    let java11 = read(&manifest("distroless-java11_latest_2023-02-14.json"));
    let java17 = read(&manifest("distroless-java17_latest_2023-02-14.json"));
    assert_eq!(java11.wire_bytes(), Some(78_359_390));
    assert_eq!(java17.wire_bytes(), Some(85_970_285));
    assert_eq!(layer_sum(&java11), 78_358_224);
    assert_eq!(java17.layers.len(), 5);
    assert_eq!(java11.kind, SourceKind::Manifest);
    assert_eq!(java11.disk_bytes(), None, "a manifest has no layer content");
    assert!(!java11.is_artifact);
    let base = read(&manifest("distroless-java-base_latest_2023-02-14.json"));
    assert_eq!(layer_sum(&base), 18_536_502);
    assert_eq!(base.wire_bytes(), Some(18_536_502 + 948));
}

#[test]
fn distroless_java11_to_java17_compare() {
    let java11 = read(&manifest("distroless-java11_latest_2023-02-14.json"));
    let java17 = read(&manifest("distroless-java17_latest_2023-02-14.json"));
    let comparison = compare(&java11, &java17);
    assert_eq!(comparison.shared_layers, 4);
    assert_eq!(comparison.shared_wire_bytes, 18_536_502);
    assert_eq!(comparison.pull_wire_bytes_per_node, 67_433_783);
    assert_eq!(comparison.pull_wire_bytes_per_node, 67_432_618 + 1_165);
}

#[test]
fn distroless_manifest_lists_name_their_platforms() {
    let path = manifest("distroless-static_latest_2023-02-14.index.json");
    let message = fails(
        &path,
        &ReadOptions::default(),
        "child manifests are not in this file",
    );
    assert!(
        message.contains("linux/amd64, linux/arm, linux/arm64, linux/ppc64le, linux/s390x"),
        "{message}"
    );
    assert!(
        message.contains("sha256:05112338d9c532e90c5e004105ac4403b43420e595449fba7b0e48a2cbc323f0")
    );
    let message = fails(&path, &on("linux/arm64"), "linux/arm64 manifest");
    assert!(
        message.contains("sha256:c7f4c85b0dbaadc75de4a7920ddc94c7db45bcbe080c5ed014976a34e1fd79f9")
    );
    fails(
        &manifest("distroless-base_latest_2023-02-14.index.json"),
        &on("linux/riscv64"),
        "no image for platform linux/riscv64 in this index; platforms present: linux/amd64, linux/arm, linux/arm64, linux/ppc64le, linux/s390x",
    );
}

// ---------------------------------------------------------------------------------------------
// the 30 peer fixtures, one test each, in the README's order

#[test]
fn peer_v2s1_signed_is_rejected() {
    fails(
        &peer("v2s1-signed.json"),
        &ReadOptions::default(),
        "Docker schema 1 manifests are not supported",
    );
}

#[test]
fn peer_v2s1_unsigned_is_rejected() {
    fails(
        &peer("v2s1-unsigned.json"),
        &ReadOptions::default(),
        "Docker schema 1 manifests are not supported",
    );
}

#[test]
fn peer_unknown_schema_version_is_rejected() {
    fails(
        &peer("unknown-schema-version.json"),
        &ReadOptions::default(),
        "unsupported schemaVersion 99999",
    );
}

#[test]
fn peer_dockerhub_list_2016_resolves_platforms_and_variants() {
    let path = peer("dockerhub-list-2016.json");
    let message = fails(
        &path,
        &ReadOptions::default(),
        "child manifests are not in this file",
    );
    assert!(
        message.contains("linux/ppc64le, linux/amd64, linux/s390x, linux/arm/v7, linux/arm64/v8"),
        "{message}"
    );
    fails(
        &path,
        &on("linux/arm/v7"),
        "sha256:07ebe243465ef4a667b78154ae6c3ea46fdb1582936aac3ac899ea311a701b40",
    );
    fails(
        &path,
        &on("linux/arm64"),
        "sha256:fb2fc0707b86dafa9959fe3d29e66af8787aee4d9a23581714be65db4265ad8a",
    );
}

#[test]
fn peer_cimage_v2list_armv7_normalises_variants_and_rejects_schema1_children() {
    let path = peer("cimage-v2list-armv7.json");
    // `armv7` is v7 after normalisation; its child is schema 1, so resolving it is rejected.
    fails(
        &path,
        &on("linux/arm/v7"),
        "Docker schema 1 manifests are not supported",
    );
    fails(&path, &on("linux/arm64"), "Docker schema 1");
    let message = fails(
        &path,
        &on("linux/arm/v6"),
        "no image for platform linux/arm/v6",
    );
    assert!(
        message.contains("linux/arm/armv7, linux/arm64/armv8"),
        "{message}"
    );
}

#[test]
fn peer_dockerhub_v2s2_2016_accepts_octet_stream_config() {
    let image = read(&peer("dockerhub-v2s2-2016.json"));
    assert_eq!(layer_sum(&image), 13_085_427);
    assert_eq!(image.wire_bytes(), Some(13_085_427 + 3_210));
    assert!(
        !image.is_artifact,
        "application/octet-stream configs are legacy image configs"
    );
    assert_eq!(compressions(&image), vec![Compression::Gzip; 4]);
}

#[test]
fn peer_buildkit_v2s2_gzip_totals() {
    let image = read(&peer("buildkit-v2s2-gzip.json"));
    assert_eq!(layer_sum(&image), 2_220_504);
    assert_eq!(compressions(&image), vec![Compression::Gzip; 4]);
    assert!(image.wire_bytes().unwrap() > 2_220_504);
}

#[test]
fn peer_buildkit_oci_zstd_layers_are_zstd() {
    let image = read(&peer("buildkit-oci-zstd.json"));
    assert_eq!(layer_sum(&image), 1_997_698);
    assert_eq!(image.wire_bytes(), Some(1_997_698 + 2_295));
    assert_eq!(compressions(&image), vec![Compression::Zstd; 4]);
}

#[test]
fn peer_buildkit_oci_uncompressed_is_flagged_uncompressed() {
    let image = read(&peer("buildkit-oci-uncompressed.json"));
    assert_eq!(layer_sum(&image), 4_506_112);
    assert_eq!(image.wire_bytes(), Some(4_506_112 + 2_295));
    assert_eq!(compressions(&image), vec![Compression::Uncompressed; 4]);
    assert!(image.layers.iter().all(|l| l.wire_bytes % 512 == 0));
}

#[test]
fn peer_cimage_oci_all_media_types_flags_non_distributable_layers() {
    let image = read(&peer("cimage-oci-all-media-types.json"));
    assert_eq!(
        compressions(&image),
        vec![
            Compression::Uncompressed,
            Compression::Zstd,
            Compression::Gzip,
            Compression::Uncompressed,
            Compression::Zstd,
            Compression::Gzip
        ]
    );
    let foreign: u64 = image
        .layers
        .iter()
        .filter(|l| l.non_distributable)
        .map(|l| l.wire_bytes)
        .sum();
    let distributable: u64 = image
        .layers
        .iter()
        .filter(|l| !l.non_distributable)
        .map(|l| l.wire_bytes)
        .sum();
    assert_eq!(foreign, 20_581_631);
    assert_eq!(distributable, 51_354_666);
    // Counted (nodes fetch them from elsewhere) and flagged.
    assert_eq!(image.wire_bytes(), Some(71_936_297 + 4_651));
    assert!(has_note(&image, "non-distributable"));
}

#[test]
fn peer_cimage_v2s2_foreign_layers_warn_without_urls() {
    let image = read(&peer("cimage-v2s2-foreign-layers.json"));
    let foreign: Vec<_> = image
        .layers
        .iter()
        .filter(|l| l.non_distributable)
        .collect();
    assert_eq!(foreign.len(), 3);
    assert_eq!(
        foreign.iter().map(|l| l.wire_bytes).sum::<u64>(),
        20_581_631
    );
    assert_eq!(layer_sum(&image), 71_936_147);
    assert_eq!(
        image
            .notes
            .iter()
            .filter(|n| n.contains("has no urls"))
            .count(),
        3
    );
}

#[test]
fn peer_cimage_oci_custom_config_urls_is_an_artifact_and_counts_url_layers() {
    let image = read(&peer("cimage-oci-custom-config-urls.json"));
    assert!(
        image.is_artifact,
        "a custom config type is not an image config"
    );
    assert_eq!(layer_sum(&image), 71_936_145);
    let with_urls = &image.layers[2];
    assert_eq!(with_urls.urls, vec!["https://layer.url".to_string()]);
    assert!(
        !with_urls.non_distributable,
        "urls on a normal layer are only alternative sources"
    );
    assert_eq!(image.wire_bytes(), Some(71_936_145 + 5_940));
}

#[test]
fn peer_cimage_oci_everything_checks_embedded_data() {
    let path = peer("cimage-oci-everything.json");
    let image = read(&path);
    assert!(image.is_artifact);
    assert_eq!(
        image.referrer_of.as_ref().map(|d| d.encoded().to_string()),
        Some(hex64('c'))
    );
    assert_eq!(
        image.wire_bytes(),
        Some(1 + 2),
        "the subject (3 bytes) is not counted"
    );
    // The embedded data decodes to the right lengths but not to the aaaa… digest.
    fails(
        &path,
        &verified(),
        "content's digest is sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
    );
}

#[test]
fn peer_cimage_index_everything_has_no_linux_amd64() {
    fails(
        &peer("cimage-index-everything.json"),
        &ReadOptions::default(),
        "no image for platform linux/amd64 in this index; platforms present: B/A/E",
    );
}

#[test]
fn peer_cimage_artifact_null_layers_is_rejected_for_its_empty_digest() {
    fails(
        &peer("cimage-artifact-null-layers.json"),
        &ReadOptions::default(),
        "invalid digest ''",
    );
}

#[test]
fn peer_cimage_oci_encrypted_layers_are_flagged() {
    let image = read(&peer("cimage-oci-encrypted.json"));
    assert_eq!(compressions(&image), vec![Compression::Encrypted; 3]);
    assert_eq!(layer_sum(&image), 122_487);
    assert_eq!(image.wire_bytes(), Some(122_487 + 7_023));
    assert!(has_note(&image, "encrypted"));
}

#[test]
fn peer_cimage_index_zstd_selection_takes_the_first_match() {
    let path = peer("cimage-index-zstd-selection.json");
    let message = fails(
        &path,
        &ReadOptions::default(),
        &format!("sha256:{}", hex64('a')),
    );
    assert!(
        message.contains("3 index entries match linux/amd64; took the first in index order"),
        "{message}"
    );
    // In a layout the same choice is made and followed.
    let dir = temp_layout(&fs::read(&path).unwrap(), &[]);
    fails(
        dir.path(),
        &ReadOptions::default(),
        &format!("manifest sha256:{} is missing", hex64('a')),
    );
    fails(
        dir.path(),
        &on("linux/arm64"),
        &format!("manifest sha256:{} is missing", hex64('c')),
    );
}

#[test]
fn peer_spec_manifest_subject_counts_layers_only() {
    let image = read(&peer("spec-manifest-subject.json"));
    assert_eq!(layer_sum(&image), 122_487);
    assert_eq!(image.wire_bytes(), Some(122_487 + 7_023));
    assert!(!image.is_artifact);
    assert!(
        image
            .referrer_of
            .as_ref()
            .unwrap()
            .encoded()
            .starts_with("5b0bcabd")
    );
}

#[test]
fn peer_spec_artifact_minimal_is_an_artifact() {
    let image = read(&peer("spec-artifact-minimal.json"));
    assert!(image.is_artifact);
    // The empty config and the empty layer are one blob: 2 bytes.
    assert_eq!(image.wire_bytes(), Some(2));
}

#[test]
fn peer_spec_layout_index_skips_unknown_types_and_follows_tags() {
    let index = fs::read(peer("spec-layout-index.json")).unwrap();
    let dir = temp_layout(&index, &[]);
    let nested = "sha256:0228f90e926ba6b96e4f39cf294b2586d38fbb5a1e385c05cd1ee40ea54fe7fd";
    let ppc = "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f";
    fails(
        dir.path(),
        &tagged("stable-release"),
        &format!("index {nested} is missing"),
    );
    fails(
        dir.path(),
        &tagged("v1.0"),
        &format!("manifest {ppc} is missing"),
    );
    fails(
        dir.path(),
        &on("linux/ppc64le"),
        &format!("manifest {ppc} is missing"),
    );
    let message = fails(dir.path(), &tagged("nope"), "no image tagged 'nope'");
    assert!(
        message.contains("tags present: stable-release, v1.0"),
        "{message}"
    );
    // `DIR:TAG` works too.
    let with_tag = PathBuf::from(format!("{}:v1.0", dir.path().display()));
    let error = read_image(&with_tag, &ReadOptions::default()).unwrap_err();
    assert_eq!(error.path, dir.path());
}

#[test]
fn peer_spec_oci_layout_is_not_a_manifest() {
    fails(
        &peer("spec-oci-layout.json"),
        &ReadOptions::default(),
        "not a manifest or index",
    );
}

#[test]
fn peer_ggcr_layout_index_skips_descriptor_entries_and_warns_on_type_mismatch() {
    let index = fs::read(peer("ggcr-layout-index.json")).unwrap();
    let manifest_bytes = fs::read(peer("ggcr-v2s2-compact.json")).unwrap();
    let config = padded_json(330);
    let layer = gzip_of_empty_tar(167);
    let dir = temp_layout(
        &index,
        &[
            (
                "sha256:eebff607b1628d67459b0596643fc07de70d702eccf030f0bc7bb6fc2b278650",
                manifest_bytes,
            ),
            (
                "sha256:6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e",
                config,
            ),
            (
                "sha256:dc52c6e48a1d51a96047b059f16889bc889c4b4c28f3b36b3f93187f62fc0b2b",
                layer,
            ),
        ],
    );
    let image = read_with(dir.path(), &tagged("1")).unwrap();
    assert_eq!(image.wire_bytes(), Some(167 + 330));
    assert_eq!(
        image.disk_bytes(),
        Some(1024),
        "an empty tar is two zero blocks"
    );
    assert!(
        has_note(
            &image,
            "but it says application/vnd.docker.distribution.manifest.v2+json"
        ),
        "{:?}",
        image.notes
    );
    assert!(has_note(
        &image,
        "application/vnd.oci.descriptor.v1+json skipped"
    ));
    // Tag 2 is the skipped descriptor entry; 3 and 4 lead to indexes not in this copy.
    let message = fails(dir.path(), &tagged("2"), "no image tagged '2'");
    assert!(message.contains("tags present: 1, 3, 4"), "{message}");
    fails(
        dir.path(),
        &tagged("3"),
        "index sha256:05f95b26ed10668b7183c1e2da98610e91372fa9f510046d4ce5812addad86b5 is missing",
    );
    // With verification the hand-made config and layer do not match their digests.
    let verify_tag_1 = ReadOptions {
        verify: true,
        tag: Some("1".into()),
        ..ReadOptions::default()
    };
    fails(
        dir.path(),
        &verify_tag_1,
        "config sha256:6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e: the content's digest is",
    );
}

#[test]
fn peer_ggcr_v2s2_compact_totals() {
    let image = read(&peer("ggcr-v2s2-compact.json"));
    assert_eq!(layer_sum(&image), 167);
    assert_eq!(image.wire_bytes(), Some(167 + 330));
}

#[test]
fn peer_regclient_index_unknown_platform_excludes_builder_entries() {
    let path = peer("regclient-index-unknown-platform.json");
    let message = fails(
        &path,
        &ReadOptions::default(),
        "sha256:1effc9d48232693f4584ceb9c5e8d84ddeb5924ea4aff341aa8204510422f668",
    );
    assert!(
        message.contains("platforms present: linux/amd64, linux/arm64)"),
        "{message}"
    );
    assert!(!message.contains("unknown/unknown"), "{message}");
    fails(
        &path,
        &on("unknown/unknown"),
        "platforms present: linux/amd64, linux/arm64",
    );
}

#[test]
fn peer_regclient_v1_amd64_totals() {
    let image = read(&peer("regclient-v1-amd64.json"));
    assert_eq!(layer_sum(&image), 209);
    assert_eq!(image.wire_bytes(), Some(209 + 1_418));
}

#[test]
fn peer_regclient_v3_amd64_shares_v1_layers() {
    let v1 = read(&peer("regclient-v1-amd64.json"));
    let v3 = read(&peer("regclient-v3-amd64.json"));
    assert_eq!(layer_sum(&v3), 642);
    let comparison = compare(&v1, &v3);
    assert_eq!(comparison.shared_layers, 2);
    assert_eq!(comparison.shared_wire_bytes, 209);
    assert_eq!(comparison.pull_wire_bytes_per_node, 642 - 209 + 2_012);
    // Union of both images' layers: 642, not the naive 851.
    let union: u64 = 642 + layer_sum(&v1) - comparison.shared_wire_bytes;
    assert_eq!(union, 642);
}

#[test]
fn peer_regclient_artifact_sbom_is_a_referrer() {
    let image = read(&peer("regclient-artifact-sbom.json"));
    assert!(image.is_artifact);
    assert!(
        image
            .referrer_of
            .as_ref()
            .unwrap()
            .encoded()
            .starts_with("dfae8f42")
    );
    assert!(has_note(&image, "not image bytes"));
}

#[test]
fn peer_regclient_index_subject_loop_is_never_followed() {
    let path = peer("regclient-index-subject-loop.json");
    fails(
        &path,
        &ReadOptions::default(),
        "sha256:8e54c6754f08d22f85c7552bb1951b228b8194d29b14a1639dbe50868da0273e",
    );
    // In a layout: the index is the blob d69399e0…; its child is missing, and the subject is
    // never followed.
    let bytes = fs::read(&path).unwrap();
    let actual = sha256_hex(&bytes);
    let index = format!(
        r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:{actual}","size":{}}}]}}"#,
        bytes.len()
    );
    let dir = temp_layout(
        index.as_bytes(),
        &[(&format!("sha256:{actual}"), bytes.clone())],
    );
    fails(
        dir.path(),
        &verified(),
        "manifest sha256:8e54c6754f08d22f85c7552bb1951b228b8194d29b14a1639dbe50868da0273e is missing",
    );
}

#[test]
fn peer_buildkit_attestation_index_resolves_to_the_image() {
    let path = peer("buildkit-attestation-index.json");
    let message = fails(
        &path,
        &ReadOptions::default(),
        "sha256:23678f31b3b3586c4fb318aecfe64a96a1f0916ba8faf9b2be2abee63fa9e827",
    );
    assert!(
        message.contains("platforms present: linux/amd64)"),
        "{message}"
    );
}

#[test]
fn peer_buildkit_attestation_manifest_is_attestation_data() {
    let path = peer("buildkit-attestation-manifest.json");
    let image = read(&path);
    assert!(image.is_artifact);
    assert!(has_note(
        &image,
        "application/vnd.docker.attestation.manifest.v1+json"
    ));
    assert!(
        image
            .referrer_of
            .as_ref()
            .unwrap()
            .encoded()
            .starts_with("23678f31")
    );
    assert_eq!(compressions(&image), vec![Compression::Unknown]);
    // The embedded config `e30=` is `{}`, whose sha256 is the config digest.
    assert!(read_with(&path, &verified()).is_ok());
}

#[test]
fn peer_soci_index_manifest_is_a_referrer_artifact() {
    let image = read(&peer("soci-index-manifest.json"));
    assert!(image.is_artifact, "a SOCI index is not image bytes");
    assert!(
        image
            .referrer_of
            .as_ref()
            .unwrap()
            .encoded()
            .starts_with("ab5a6272")
    );
    assert_eq!(compressions(&image), vec![Compression::Unknown; 3]);
    assert_eq!(layer_sum(&image), 3_157_568);
}

// ---------------------------------------------------------------------------------------------
// images built by umoci and skopeo (tests/fixtures/images)

#[test]
fn built_layout_matches_the_tools_figures() {
    let env = expected();
    let layout = images_dir().join("layout");
    for tag in ["v1", "v2"] {
        let prefix = tag.to_uppercase();
        let image = read_with(&layout, &tagged(tag)).unwrap();
        assert_eq!(image.kind, SourceKind::OciLayout);
        assert_eq!(
            image.layers.len() as u64,
            number(&env, &format!("{prefix}_LAYERS"))
        );
        assert_eq!(
            image.wire_bytes(),
            Some(number(&env, &format!("{prefix}_WIRE_BYTES")))
        );
        assert_eq!(
            image.disk_bytes(),
            Some(number(&env, &format!("{prefix}_DISK_BYTES")))
        );
        let digests: Vec<String> = image.layers.iter().map(|l| l.digest.to_string()).collect();
        assert_eq!(digests.join(" "), env[&format!("{prefix}_LAYER_DIGESTS")]);
        assert_eq!(compressions(&image), vec![Compression::Gzip; digests.len()]);
        assert_eq!(image.platform.as_deref(), Some("linux/amd64"));
        // Verification passes on real blobs.
        let verify = ReadOptions {
            verify: true,
            tag: Some(tag.into()),
            ..ReadOptions::default()
        };
        assert_eq!(read_with(&layout, &verify).unwrap(), image);
    }
    let message = fails(&layout, &ReadOptions::default(), "holds 2 images (v1, v2)");
    assert!(message.contains("PATH:TAG"));
}

#[test]
fn built_v1_to_v2_shares_the_base_layers() {
    let env = expected();
    let layout = images_dir().join("layout");
    let v1 = read_with(&layout, &tagged("v1")).unwrap();
    let v2 = read_with(&layout, &tagged("v2")).unwrap();
    let comparison = compare(&v1, &v2);
    assert_eq!(comparison.shared_layers as u64, number(&env, "V1_LAYERS"));
    let new_layer = v2.layers.last().unwrap().wire_bytes;
    assert_eq!(
        comparison.pull_wire_bytes_per_node,
        new_layer + number(&env, "V2_CONFIG_BYTES")
    );
    assert_eq!(
        comparison.shared_wire_bytes,
        number(&env, "V1_WIRE_BYTES") - number(&env, "V1_CONFIG_BYTES")
    );
}

#[test]
fn built_zstd_layout_matches_the_tools_figures() {
    let env = expected();
    let layout = images_dir().join("zstd-layout");
    for tag in ["v1", "v2"] {
        let prefix = format!("ZSTD_{}", tag.to_uppercase());
        let verify = ReadOptions {
            verify: true,
            tag: Some(tag.into()),
            ..ReadOptions::default()
        };
        let image = read_with(&layout, &verify).unwrap();
        assert_eq!(
            compressions(&image),
            vec![Compression::Zstd; image.layers.len()]
        );
        assert_eq!(
            image.wire_bytes(),
            Some(number(&env, &format!("{prefix}_WIRE_BYTES")))
        );
        assert_eq!(
            image.disk_bytes(),
            Some(number(&env, &format!("{prefix}_DISK_BYTES")))
        );
    }
}

#[test]
fn same_image_as_layout_oci_archive_and_docker_archive_has_the_same_disk_bytes() {
    let env = expected();
    let dir = images_dir();
    for tag in ["v1", "v2"] {
        let prefix = tag.to_uppercase();
        let from_layout = read_with(&dir.join("layout"), &tagged(tag)).unwrap();
        let from_zstd = read_with(&dir.join("zstd-layout"), &tagged(tag)).unwrap();
        let oci_archive = read_with(&dir.join(format!("{tag}.oci.tar")), &verified()).unwrap();
        let docker_archive =
            read_with(&dir.join(format!("{tag}.docker.tar")), &verified()).unwrap();
        assert_eq!(oci_archive.kind, SourceKind::OciArchive);
        assert_eq!(docker_archive.kind, SourceKind::DockerArchive);
        let disk = number(&env, &format!("{prefix}_DISK_BYTES"));
        assert_eq!(
            number(&env, &format!("DOCKER_{prefix}_DISK_BYTES")),
            disk,
            "the tools agree"
        );
        for image in [&from_layout, &from_zstd, &oci_archive, &docker_archive] {
            assert_eq!(image.disk_bytes(), Some(disk), "{}", image.source);
        }
        // The oci-archive is the same image as the layout, blob for blob.
        assert_eq!(oci_archive.layers, from_layout.layers);
        assert_eq!(oci_archive.wire_bytes(), from_layout.wire_bytes());
        // docker save holds uncompressed layers: no wire bytes, layers named by diff ID.
        assert_eq!(docker_archive.wire_bytes(), None);
        assert_eq!(
            compressions(&docker_archive),
            vec![Compression::Uncompressed; from_layout.layers.len()]
        );
        assert!(
            docker_archive
                .layers
                .iter()
                .all(|l| Some(l.wire_bytes) == l.disk_bytes)
        );
        assert_eq!(docker_archive.platform.as_deref(), Some("linux/amd64"));
    }
    // Two docker archives share their base layers by diff ID.
    let v1 = read(&dir.join("v1.docker.tar"));
    let v2 = read(&dir.join("v2.docker.tar"));
    assert_eq!(compare(&v1, &v2).shared_layers, 2);
    // A tag picks the image in a docker archive; a wrong one lists those present.
    assert!(read_with(&dir.join("v1.docker.tar"), &tagged("v1")).is_ok());
    fails(
        &dir.join("v1.docker.tar"),
        &tagged("v9"),
        "tags present: docker.io/fleetsave/demo:v1",
    );
}

#[test]
fn oci_style_docker_save_archive_is_read_through_its_manifest_json() {
    // Docker 25+ writes an OCI layout inside the tar plus a manifest.json naming blobs/sha256/….
    let docker = read(&images_dir().join("v1.docker.tar"));
    let legacy = images_dir().join("v1.docker.tar");
    let mut archive = tar::Archive::new(fs::File::open(&legacy).unwrap());
    let manifest: serde_json::Value = {
        let mut entries = HashMap::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let name = entry.path().unwrap().to_string_lossy().into_owned();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            entries.insert(name, bytes);
        }
        let old: serde_json::Value = serde_json::from_slice(&entries["manifest.json"]).unwrap();
        let config_name = old[0]["Config"].as_str().unwrap().to_string();
        let mut builder = tar::Builder::new(Vec::new());
        let mut add = |name: &str, bytes: &[u8]| {
            let mut header = tar::Header::new_ustar();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, name, bytes).unwrap();
        };
        let mut layers = Vec::new();
        for layer in old[0]["Layers"].as_array().unwrap() {
            let bytes = &entries[layer.as_str().unwrap()];
            let name = format!("blobs/sha256/{}", sha256_hex(bytes));
            add(&name, bytes);
            layers.push(serde_json::Value::String(name));
        }
        let config_blob = format!("blobs/sha256/{}", config_name.trim_end_matches(".json"));
        add(&config_blob, &entries[&config_name]);
        add("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#);
        add("index.json", br#"{"schemaVersion":2,"manifests":[]}"#);
        let manifest =
            serde_json::json!([{"Config": config_blob, "RepoTags": ["demo:v1"], "Layers": layers}]);
        add("manifest.json", manifest.to_string().as_bytes());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new-style.tar");
        fs::write(&path, builder.into_inner().unwrap()).unwrap();
        let image = read_with(&path, &verified()).unwrap();
        assert_eq!(image.kind, SourceKind::DockerArchive);
        assert_eq!(image.disk_bytes(), docker.disk_bytes());
        assert_eq!(image.layers, docker.layers);
        manifest
    };
    assert!(
        manifest[0]["Layers"][0]
            .as_str()
            .unwrap()
            .starts_with("blobs/sha256/")
    );
}

#[derive(Default)]
struct CountingProgress {
    total: std::sync::atomic::AtomicU64,
    done: std::sync::atomic::AtomicU64,
    finished: std::sync::atomic::AtomicBool,
}

impl fleetsave::input::image::Progress for CountingProgress {
    fn start(&self, total_bytes: u64) {
        self.total
            .fetch_add(total_bytes, std::sync::atomic::Ordering::SeqCst);
    }
    fn advance(&self, bytes: u64) {
        self.done
            .fetch_add(bytes, std::sync::atomic::Ordering::SeqCst);
    }
    fn finish(&self) {
        self.finished
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn progress_is_reported_for_every_layer_byte() {
    use std::sync::atomic::Ordering;
    for (name, verify) in [
        ("v2.docker.tar", false),
        ("v2.docker.tar", true),
        ("v2.oci.tar", false),
        ("v2.oci.tar", true),
    ] {
        let progress = std::sync::Arc::new(CountingProgress::default());
        let options = ReadOptions {
            verify,
            progress: Some(progress.clone()),
            ..ReadOptions::default()
        };
        let image = read_with(&images_dir().join(name), &options).unwrap();
        let layer_bytes = layer_sum(&image);
        assert_eq!(progress.total.load(Ordering::SeqCst), layer_bytes, "{name}");
        assert_eq!(
            progress.done.load(Ordering::SeqCst),
            layer_bytes,
            "{name} verify={verify}"
        );
        assert!(progress.finished.load(Ordering::SeqCst));
    }
}

#[test]
fn docker_inspect_output_gives_disk_bytes_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inspect.json");
    fs::write(
        &path,
        r#"[{"Id":"sha256:abc","RepoTags":["app:1"],"Size":123456789,"Os":"linux","Architecture":"amd64","RootFS":{"Type":"layers","Layers":[]}}]"#,
    )
    .unwrap();
    let image = read(&path);
    assert_eq!(image.kind, SourceKind::DockerInspect);
    assert_eq!(image.disk_bytes(), Some(123_456_789));
    assert_eq!(image.wire_bytes(), None);
}

#[test]
#[ignore = "needs umoci, skopeo, jq, zstd"]
fn rebuilt_fixtures_match_the_tools() {
    tools::require_tools(&["umoci", "skopeo", "jq", "zstd"]);
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("bash")
        .arg(images_dir().join("build.sh"))
        .arg(out.path())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "build.sh failed");
    let env = parse_env(&fs::read_to_string(out.path().join("expected.env")).unwrap());
    for tag in ["v1", "v2"] {
        let prefix = tag.to_uppercase();
        let disk = number(&env, &format!("{prefix}_DISK_BYTES"));
        let layout = read_with(&out.path().join("layout"), &tagged(tag)).unwrap();
        assert_eq!(
            layout.wire_bytes(),
            Some(number(&env, &format!("{prefix}_WIRE_BYTES")))
        );
        let zstd = read_with(&out.path().join("zstd-layout"), &tagged(tag)).unwrap();
        assert_eq!(
            zstd.wire_bytes(),
            Some(number(&env, &format!("ZSTD_{prefix}_WIRE_BYTES")))
        );
        for image in [
            layout,
            zstd,
            read_with(&out.path().join(format!("{tag}.oci.tar")), &verified()).unwrap(),
            read_with(&out.path().join(format!("{tag}.docker.tar")), &verified()).unwrap(),
        ] {
            assert_eq!(image.disk_bytes(), Some(disk), "{}", image.source);
        }
        assert_eq!(number(&env, &format!("DOCKER_{prefix}_DISK_BYTES")), disk);
    }
}

// ---------------------------------------------------------------------------------------------
// corrupt inputs

/// A copy of the built layout in a temporary directory, and the path of v1's first layer blob.
fn layout_copy() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let env = expected();
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    copy_dir(&images_dir().join("layout"), &layout);
    let first = env["V1_LAYER_DIGESTS"]
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    let blob = layout
        .join("blobs/sha256")
        .join(first.trim_start_matches("sha256:"));
    (dir, layout, blob)
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn corrupt_truncated_archives() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["v1.docker.tar", "v1.oci.tar"] {
        let bytes = fs::read(images_dir().join(name)).unwrap();
        for cut in [bytes.len() / 2, bytes.len() * 3 / 4, 700] {
            let path = dir.path().join(format!("cut-{cut}-{name}"));
            fs::write(&path, &bytes[..cut]).unwrap();
            let error = read_image(&path, &ReadOptions::default()).unwrap_err();
            assert_eq!(error.path, path);
            assert!(!error.to_string().is_empty());
        }
    }
    // Cut inside a layer of the docker archive: the layer's tar headers find it.
    let bytes = fs::read(images_dir().join("v1.docker.tar")).unwrap();
    let path = dir.path().join("cut.docker.tar");
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    fails(&path, &ReadOptions::default(), "truncated");
}

#[test]
fn corrupt_truncated_layer_tar_inside_an_archive() {
    // A whole outer archive whose layer tar is cut short: only the layer's headers can tell.
    let docker = images_dir().join("v1.docker.tar");
    let mut archive = tar::Archive::new(fs::File::open(&docker).unwrap());
    let mut builder = tar::Builder::new(Vec::new());
    let mut first_layer = None;
    let manifest: serde_json::Value = {
        let mut entries = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let name = entry.path().unwrap().to_string_lossy().into_owned();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            entries.push((name, bytes, entry.header().entry_type()));
        }
        let manifest_bytes = &entries
            .iter()
            .find(|(n, _, _)| n == "manifest.json")
            .unwrap()
            .1;
        serde_json::from_slice(manifest_bytes)
            .map(|m: serde_json::Value| {
                first_layer = m[0]["Layers"][0].as_str().map(str::to_string);
                for (name, bytes, kind) in &entries {
                    if !kind.is_file() {
                        continue;
                    }
                    let bytes = if Some(name) == first_layer.as_ref() {
                        &bytes[..bytes.len() - 3000]
                    } else {
                        &bytes[..]
                    };
                    let mut header = tar::Header::new_ustar();
                    header.set_size(bytes.len() as u64);
                    header.set_mode(0o644);
                    header.set_cksum();
                    builder.append_data(&mut header, name, bytes).unwrap();
                }
                m
            })
            .unwrap()
    };
    assert!(manifest.is_array());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short-layer.tar");
    fs::write(&path, builder.into_inner().unwrap()).unwrap();
    fails(&path, &ReadOptions::default(), "(truncated?)");
}

#[test]
fn corrupt_wrong_digest_is_found_with_verify() {
    let (_dir, layout, blob) = layout_copy();
    // Re-compress the same tar differently: same kind of content, other bytes, same length.
    let original = fs::read(&blob).unwrap();
    let mut changed = original.clone();
    // The gzip header's mtime field (bytes 4..8) is not part of the data: gzip still decodes.
    changed[4] ^= 0xff;
    fs::write(&blob, &changed).unwrap();
    assert!(
        read_with(&layout, &tagged("v1")).is_ok(),
        "without verify, only sizes are checked"
    );
    let verify = ReadOptions {
        verify: true,
        tag: Some("v1".into()),
        ..ReadOptions::default()
    };
    fails(&layout, &verify, "the content's digest is");
}

#[test]
fn corrupt_gzip_garbage_and_size_mismatch() {
    let (_dir, layout, blob) = layout_copy();
    let len = fs::metadata(&blob).unwrap().len() as usize;
    let mut garbage = vec![0x1f, 0x8b];
    garbage.extend((0..len - 2).map(|i| (i * 7 % 251) as u8));
    fs::write(&blob, &garbage).unwrap();
    fails(&layout, &tagged("v1"), "cannot decompress the gzip data");
    fs::write(&blob, vec![b'x'; len]).unwrap();
    fails(
        &layout,
        &tagged("v1"),
        "the media type says gzip but the content is not gzip data",
    );
    fs::write(&blob, vec![b'x'; len + 1]).unwrap();
    fails(
        &layout,
        &tagged("v1"),
        &format!("the manifest says {len} bytes but the blob has {}", len + 1),
    );
    fs::remove_file(&blob).unwrap();
    fails(&layout, &tagged("v1"), "is missing");
}

#[test]
fn corrupt_manifests_missing_fields_and_bad_json() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &str); 6] = [
        (
            "no-layers.json",
            r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":1,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"}}"#,
            "missing field `layers`",
        ),
        (
            "no-size.json",
            r#"{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[]}"#,
            "missing field `size`",
        ),
        (
            "negative.json",
            r#"{"schemaVersion":2,"config":{"mediaType":"x","size":-1,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[]}"#,
            "invalid image manifest",
        ),
        (
            "bad-digest.json",
            r#"{"schemaVersion":2,"config":{"mediaType":"x","size":1,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","size":1,"digest":"sha256:XYZ"}]}"#,
            "layers[0].digest: invalid digest 'sha256:XYZ'",
        ),
        (
            "truncated.json",
            r#"{"schemaVersion":2,"config":{"#,
            "invalid JSON",
        ),
        (
            "save-manifest.json",
            r#"[{"Config":"a.json","RepoTags":[],"Layers":[]}]"#,
            "pass the archive (.tar) itself",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        fs::write(&path, text).unwrap();
        fails(&path, &ReadOptions::default(), expected);
    }
}

#[test]
fn corrupt_not_images() {
    let dir = tempfile::tempdir().unwrap();
    fails(
        dir.path(),
        &ReadOptions::default(),
        "a directory that is not an OCI image layout",
    );
    let empty = dir.path().join("empty");
    fs::write(&empty, b"").unwrap();
    fails(&empty, &ReadOptions::default(), "an empty file");
    let text = dir.path().join("notes.txt");
    fs::write(&text, b"hello, not an image").unwrap();
    fails(&text, &ReadOptions::default(), "neither JSON");
    let gz = dir.path().join("image.tar.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(&fs::read(images_dir().join("v1.docker.tar")).unwrap())
        .unwrap();
    fs::write(&gz, encoder.finish().unwrap()).unwrap();
    fails(&gz, &ReadOptions::default(), "decompress it first");
    let other_tar = dir.path().join("other.tar");
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_ustar();
    header.set_size(2);
    header.set_cksum();
    builder
        .append_data(&mut header, "hello.txt", &b"hi"[..])
        .unwrap();
    fs::write(&other_tar, builder.into_inner().unwrap()).unwrap();
    fails(
        &other_tar,
        &ReadOptions::default(),
        "neither a docker save archive",
    );
    fails(
        &dir.path().join("absent.json"),
        &ReadOptions::default(),
        "cannot read the file",
    );
}

#[test]
fn index_loops_are_detected() {
    // An index blob that lists itself (only possible without verification, since a blob cannot
    // contain its own digest) must be reported, not followed forever.
    let fake = format!("sha256:{}", hex64('e'));
    let body = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{fake}","size":SIZE}}]}}"#
    );
    let size = body.len() - 4 + body.len().to_string().len();
    let body = body.replace("SIZE", &size.to_string());
    assert_eq!(body.len(), size);
    let root = format!(
        r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{fake}","size":{size}}}]}}"#
    );
    let dir = temp_layout(root.as_bytes(), &[(&fake, body.into_bytes())]);
    fails(dir.path(), &ReadOptions::default(), "in a loop");
}

#[test]
fn a_deep_index_chain_is_called_deep_not_a_loop() {
    // Twelve distinct indexes, each listing the next: no loop, only too deep (issue 14).
    let digests: Vec<String> = "0123456789ab"
        .chars()
        .map(|c| format!("sha256:{}", hex64(c)))
        .collect();
    let index_of = |child: &str| -> String {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{child}","size":SIZE}}]}}"#
        )
    };
    // From the innermost out, so every entry can give its child's exact size.
    let mut blobs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut child_size = 0usize;
    for position in (0..digests.len()).rev() {
        let child = digests
            .get(position + 1)
            .cloned()
            .unwrap_or_else(|| digests[0].clone());
        let body = index_of(&child).replace("SIZE", &child_size.to_string());
        child_size = body.len();
        blobs.push((digests[position].clone(), body.into_bytes()));
    }
    let root = format!(
        r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{}","size":{child_size}}}]}}"#,
        digests[0]
    );
    let blobs: Vec<(&str, Vec<u8>)> = blobs.iter().map(|(d, b)| (d.as_str(), b.clone())).collect();
    let dir = temp_layout(root.as_bytes(), &blobs);
    fails(
        dir.path(),
        &ReadOptions::default(),
        "an index chain of more than 8 nested indexes",
    );
}

// ---------------------------------------------------------------------------------------------
// test data builders

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A JSON config of exactly `len` bytes.
fn padded_json(len: usize) -> Vec<u8> {
    let start = r#"{"architecture":"amd64","os":"linux","pad":""#;
    let mut text = start.to_string();
    text.push_str(&"x".repeat(len - start.len() - 2));
    text.push_str("\"}");
    assert_eq!(text.len(), len);
    text.into_bytes()
}

/// A gzip of an empty tar (1024 zero bytes), padded with a gzip comment to exactly `len` bytes.
fn gzip_of_empty_tar(len: usize) -> Vec<u8> {
    let tar = vec![0u8; 1024];
    let compress = |comment: &str| {
        let mut encoder = flate2::GzBuilder::new()
            .comment(comment)
            .write(Vec::new(), flate2::Compression::best());
        encoder.write_all(&tar).unwrap();
        encoder.finish().unwrap()
    };
    let bare = compress("x").len();
    let gz = compress(&"x".repeat(len - bare + 1));
    assert_eq!(gz.len(), len);
    gz
}

#[test]
fn no_input_panics() {
    // Deterministic mutations (byte changes and truncations) of every kind of source: each must
    // give an image or an ImageError naming the file, never a panic.
    let dir = tempfile::tempdir().unwrap();
    let mut sources: Vec<PathBuf> = ["v1.oci.tar", "v1.docker.tar"]
        .iter()
        .map(|n| images_dir().join(n))
        .collect();
    sources.push(manifest("distroless-java11_latest_2023-02-14.json"));
    sources.push(peer("cimage-oci-everything.json"));
    sources.push(peer("dockerhub-list-2016.json"));
    let mut state = 0x2545_f491_u64;
    let mut next = move |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % bound.max(1)
    };
    for (n, source) in sources.iter().enumerate() {
        let original = fs::read(source).unwrap();
        for round in 0..40 {
            let mut bytes = original.clone();
            if round % 4 == 0 {
                bytes.truncate(next(bytes.len()));
            } else {
                for _ in 0..1 + next(8) {
                    let at = next(bytes.len());
                    bytes[at] = next(256) as u8;
                }
            }
            let path = dir.path().join(format!("mutant-{n}-{round}"));
            fs::write(&path, &bytes).unwrap();
            for options in [ReadOptions::default(), verified()] {
                if let Err(error) = read_image(&path, &options) {
                    assert_eq!(error.path, path);
                }
            }
        }
    }
}

/// What a watch of every layer saw: each layer's index, its entries' paths, and whether it ended.
#[derive(Default)]
struct Watched {
    layers: std::sync::Mutex<Vec<(usize, Vec<String>, bool)>>,
}

struct LayerSeen {
    layer: usize,
    paths: Vec<String>,
    all: std::sync::Arc<Watched>,
}

impl fleetsave::model::files::EntryWatch for LayerSeen {
    fn entry(&mut self, entry: &fleetsave::model::files::FileEntry) {
        self.paths.push(entry.path.clone());
    }

    fn end(self: Box<Self>) {
        let LayerSeen { layer, paths, all } = *self;
        all.layers.lock().unwrap().push((layer, paths, true));
    }
}

struct Watches(std::sync::Arc<Watched>);

impl fleetsave::model::files::LayerWatches for Watches {
    fn watch(&self, layer: usize) -> Box<dyn fleetsave::model::files::EntryWatch> {
        Box::new(LayerSeen {
            layer,
            paths: Vec::new(),
            all: std::sync::Arc::clone(&self.0),
        })
    }
}

/// A layout's and an archive's gzip and tar layers are shown to the watch entry by entry, under
/// their index in the manifest, and ended once read whole: what `layers` builds its trees from
/// while it reads.
#[test]
fn every_layer_of_a_file_source_is_watched_under_its_index() {
    for (name, tag) in [
        ("layout", Some("v2")),
        ("v2.oci.tar", None),
        ("v2.docker.tar", None),
    ] {
        let watched = std::sync::Arc::new(Watched::default());
        let options = ReadOptions {
            files: true,
            watch: Some(std::sync::Arc::new(Watches(std::sync::Arc::clone(
                &watched,
            )))),
            tag: tag.map(str::to_string),
            ..ReadOptions::default()
        };
        let image = read_with(&images_dir().join(name), &options).unwrap();
        let mut seen = watched.layers.lock().unwrap().clone();
        seen.sort();
        assert_eq!(seen.len(), image.layers.len(), "{name}");
        for (index, (layer, paths, ended)) in seen.into_iter().enumerate() {
            assert_eq!(layer, index, "{name}");
            assert!(ended, "{name}");
            let files: Vec<String> = image.layers[index]
                .files
                .as_ref()
                .expect("entries")
                .iter()
                .map(|file| file.path.clone())
                .collect();
            assert!(!files.is_empty(), "{name}");
            assert_eq!(paths, files, "{name} layer {index}");
        }
    }
}
