//! Images read straight from a registry: an image reference
//! `[registry/]repository[:tag][@digest]`, resolved over the OCI distribution API with docker-style
//! authentication. Only the manifest (or index and the chosen manifest) and the config are
//! fetched, a few KB per image; with `--disk` (or `--verify`) the layers are streamed too,
//! through the same sizing code as files, for exact disk bytes, each checked against its digest.
//!
//! # Reference or file? The rule
//!
//! Wherever an image source is accepted, a text is read as:
//! 1. a **file** when it is an existing path, or `PATH:TAG` of an existing path (a layout or
//!    archive holding several images) — an existing path always means a file;
//! 2. a **registry reference** when it starts with `docker://` (always; an invalid reference is
//!    then an error);
//! 3. a **registry reference** when it parses as one and names a registry host (a first part with
//!    a `.` or `:`, or `localhost`: `ghcr.io/org/app`, `127.0.0.1:5000/app`) or a tag or digest
//!    (`python:3.12`, `app@sha256:…`);
//! 4. otherwise a file (which then does not exist, and the error says so).
//!
//! So `python:3.12` is Docker Hub's `docker.io/library/python:3.12`, while a bare `python` is a
//! file name; write `docker://python` for Hub's `latest`.
//!
//! # Public API
//! - [`reference_in`]`(text, relative_to) -> Result<Option<Reference>, ReferenceError>`: the rule.
//! - [`Reference::parse`], [`Reference`]` { registry, repository, tag, digest }`.
//! - [`Client::new`]`(RegistryOptions { credentials, insecure_hosts, disk, timeout, ca_files,
//!   proxies })`: one per run; [`ca_file`] parses `--ca-file`, [`Proxies::from_env`] reads the
//!   proxy variables.
//! - [`read_image`]`(reference, source, &ReadOptions, &Client) -> Result<Image, RegistryError>`;
//!   `impl From<RegistryError> for crate::error::Error`: not found and unauthorised are input
//!   errors (exit 2) naming the reference; network failures are [`Error::Network`] (exit 3).
//!
//! # Modules
//! `reference` parsing and Docker Hub defaults · `auth` challenges, tokens, credentials ·
//! `client` HTTP, retries, redirects, TLS policy · `network` trusted certificate authorities
//! (`--ca-file`, the system's store) and proxies (`HTTPS_PROXY`, `NO_PROXY`, …).

mod auth;
mod client;
#[cfg(test)]
pub(crate) mod fake_server;
mod network;
mod reference;

use crate::model::values::{self, Refusal};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

pub use auth::{CredentialSource, Credentials, Secret};
pub use client::{
    Client, DEFAULT_TIMEOUT, Failure, MAX_CONCURRENT_LAYERS, MAX_MANIFEST_BYTES, RegistryOptions,
};
pub use network::{CaFile, Proxies, ca_file};
pub use reference::{Reference, ReferenceError};

use crate::error::{Error, Place};
use crate::input::image::manifest::{self, Descriptor};
use crate::input::image::sizing::{self, LayerJob, ProgressReader, VerifyOf};
use crate::input::image::store::MAX_DOCUMENT_BYTES;
use crate::input::image::{Problem, ReadOptions, config, resolve, verify};
use crate::model::image::{Digest, Image, SourceKind};

/// The prefix that always means a registry.
const DOCKER_PREFIX: &str = "docker://";

/// Applies the rule of the module docs to `text`; relative paths are looked up in `relative_to`.
/// `Ok(None)`: a file.
pub fn reference_in(text: &str, relative_to: &Path) -> Result<Option<Reference>, ReferenceError> {
    if let Some(rest) = text.strip_prefix(DOCKER_PREFIX) {
        return Reference::parse(rest).map(Some);
    }
    let path = relative_to.join(text);
    if path.exists() {
        return Ok(None);
    }
    if let Some((base, tag)) = text.rsplit_once(':')
        && !tag.contains('/')
        && !base.is_empty()
        && relative_to.join(base).exists()
    {
        return Ok(None);
    }
    let Ok(reference) = Reference::parse(text) else {
        return Ok(None);
    };
    let names_version = reference.digest.is_some() || reference.tag.is_some();
    Ok((names_registry_host(text) || names_version).then_some(reference))
}

/// Whether a source text names its registry (`docker://…`, or a first part with a `.` or `:`, or
/// `localhost`) rather than defaulting to Docker Hub.
pub fn names_registry_host(text: &str) -> bool {
    text.starts_with(DOCKER_PREFIX)
        || text
            .split_once('/')
            .is_some_and(|(first, _)| first.contains(['.', ':']) || first == "localhost")
}

/// `--registry-auth HOST` (repeatable) and `REGISTRY_HOST`: the registries flag and environment
/// `--registry-auth HOST`: the registry host flag credentials are for, normalised as docker
/// login normalises it.
pub fn scope(text: &str) -> Result<String, Refusal> {
    auth::scope_host(text)
}

/// `--timeout SECONDS`: a positive number of seconds, at most a day.
pub fn timeout(text: &str) -> Result<std::time::Duration, Refusal> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 86_400.0 => {
            Ok(std::time::Duration::from_secs_f64(seconds))
        }
        _ => Err(Refusal::new(
            "is not accepted",
            "a number of seconds above 0 and at most 86400",
        )
        .example("30")),
    }
}

/// A failure to read an image from a registry, with the reference as the user wrote it.
#[derive(Debug, thiserror::Error)]
#[error("{image}: {problem}")]
pub struct RegistryError {
    pub image: String,
    pub problem: RegistryProblem,
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum RegistryProblem {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("unauthorised at registry {host}: {detail}")]
    Unauthorised { host: String, detail: String },
    #[error("registry unreachable: {0}")]
    Network(String),
    #[error("{0}")]
    Refused(String),
    /// The documents themselves are wrong (bad JSON, digest mismatch, no such platform).
    #[error("{0}")]
    Image(Problem),
}

impl From<Failure> for RegistryProblem {
    fn from(failure: Failure) -> RegistryProblem {
        match failure {
            Failure::NotFound(what) => RegistryProblem::NotFound(what),
            Failure::Unauthorised { host, detail } => {
                RegistryProblem::Unauthorised { host, detail }
            }
            Failure::Network(message) => RegistryProblem::Network(message),
            Failure::Refused(message) => RegistryProblem::Refused(message),
        }
    }
}

impl From<Problem> for RegistryProblem {
    fn from(problem: Problem) -> RegistryProblem {
        RegistryProblem::Image(problem)
    }
}

impl From<RegistryError> for Error {
    fn from(error: RegistryError) -> Error {
        match error.problem {
            RegistryProblem::Network(_) => Error::Network {
                message: error.problem.to_string(),
                image: error.image,
            },
            problem => Error::Input {
                place: Place::Reference(error.image),
                message: problem.to_string(),
            },
        }
    }
}

/// Reads the image `reference` names; `source` is how the user wrote it (kept as the image's
/// source). An index is resolved to `options.platform`; every manifest fetched by digest, and
/// the config, is checked against its digest.
pub fn read_image(
    reference: &Reference,
    source: &str,
    options: &ReadOptions,
    client: &Client,
) -> Result<Image, RegistryError> {
    read(reference, source, options, client).map_err(|problem| RegistryError {
        image: source.to_string(),
        problem,
    })
}

fn read(
    reference: &Reference,
    source: &str,
    options: &ReadOptions,
    client: &Client,
) -> Result<Image, RegistryProblem> {
    let root = client.manifest(reference, &reference.manifest_reference())?;
    let root_digest = match &reference.digest {
        Some(digest) => {
            verify::check_bytes(&root.bytes, digest, "manifest")?;
            digest.clone()
        }
        None => served_digest(&root.bytes, root.digest.as_deref())?,
    };
    let root_descriptor = Descriptor {
        media_type: declared_media_type(&root.bytes)
            .or(root.media_type)
            .unwrap_or_default(),
        digest: root_digest.to_string(),
        size: root.bytes.len() as u64,
        urls: None,
        annotations: None,
        platform: None,
        data: None,
    };
    let mut root_bytes = Some(root.bytes);
    let mut notes = Vec::new();
    let resolved = resolve::follow(
        root_descriptor,
        &options.platform,
        &mut notes,
        |descriptor, digest, what| -> Result<Vec<u8>, RegistryProblem> {
            if let Some(bytes) = root_bytes.take() {
                return Ok(bytes);
            }
            let fetched = client.manifest(reference, &digest.to_string())?;
            check_descriptor(&fetched.bytes, descriptor, digest, what)?;
            Ok(fetched.bytes)
        },
    )?;
    let mut image = manifest::image_from_manifest(
        &resolved.manifest,
        source.to_string(),
        SourceKind::Registry,
        resolved.parse_notes,
    )?;
    notes.append(&mut image.notes);
    image.notes = notes;
    image.platform = resolved.platform;
    if let Some(config) = &image.config {
        let bytes = client.small_blob(reference, &config.digest.to_string(), MAX_DOCUMENT_BYTES)?;
        check_descriptor(
            &bytes,
            &resolved.manifest.config,
            &config.digest.clone(),
            "config",
        )?;
        config::apply(&mut image, &bytes);
    }
    // Verifying layers means reading them: --verify downloads them as --disk does.
    if client.options().disk || options.verify {
        size_layers(reference, &mut image, options, client)?;
    } else if !image.layers.is_empty() && !image.is_artifact {
        image.notes.push(
            "only the manifest was fetched: disk bytes are unknown (--disk downloads the layers \
             to measure them)"
                .to_string(),
        );
    }
    Ok(image)
}

/// Tags listed in one run at most (matching or not): a bound on the pages followed.
pub const MAX_LISTED_TAGS: usize = 1_000_000;
/// Pages of a tag list followed at most.
pub const MAX_TAG_PAGES: usize = 20_000;
/// Tags asked for per page (`n=`); a registry may send fewer, and some ignore it.
const TAGS_PER_PAGE: usize = 1000;

/// The tags of the reference's repository that `keep` accepts, in the registry's listing order:
/// the tags list API, page after page by the `Link` header's `rel="next"` (same registry,
/// `/v2/` paths only; a page seen twice ends the list). Only the kept names are held; a name
/// that is not a valid tag is skipped.
pub fn list_tags(
    reference: &Reference,
    client: &Client,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Vec<String>, RegistryError> {
    let fail = |problem: RegistryProblem| RegistryError {
        image: format!("{}/{}", reference.registry, reference.repository),
        problem,
    };
    #[derive(serde::Deserialize)]
    struct Page {
        #[serde(default)]
        tags: Option<Vec<String>>,
    }
    let mut next = Some(format!(
        "/v2/{}/tags/list?n={TAGS_PER_PAGE}",
        reference.repository
    ));
    let mut seen_pages = std::collections::HashSet::new();
    let mut kept = Vec::new();
    let mut listed = 0usize;
    while let Some(path) = next.take() {
        if !seen_pages.insert(path.clone()) {
            break;
        }
        if seen_pages.len() > MAX_TAG_PAGES {
            return Err(fail(RegistryProblem::Refused(format!(
                "the tag list runs past {MAX_TAG_PAGES} pages"
            ))));
        }
        let (bytes, link) = client
            .tags_page(reference, &path)
            .map_err(|failure| fail(failure.into()))?;
        let page: Page = serde_json::from_slice(&bytes).map_err(|error| {
            fail(RegistryProblem::Refused(format!(
                "the tag list page {} is not a tag list: {error}",
                values::shorten(&path)
            )))
        })?;
        let tags = page.tags.unwrap_or_default();
        listed = listed.saturating_add(tags.len());
        if listed > MAX_LISTED_TAGS {
            return Err(fail(RegistryProblem::Refused(format!(
                "the repository lists more than {MAX_LISTED_TAGS} tags"
            ))));
        }
        kept.extend(tags.into_iter().filter(|tag| valid_tag(tag) && keep(tag)));
        next = match link {
            Some(link) => Some(next_page_path(reference, &link).map_err(fail)?),
            None => None,
        };
    }
    Ok(kept)
}

/// A tag as the distribution spec writes it (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`): anything
/// else a registry lists is skipped, never put in a request path.
fn valid_tag(tag: &str) -> bool {
    let mut bytes = tag.bytes();
    bytes
        .next()
        .is_some_and(|first| first.is_ascii_alphanumeric() || first == b'_')
        && tag.len() <= 128
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// The path and query of a `Link` target: a `/v2/` path, or an absolute URL on the same
/// registry host.
fn next_page_path(reference: &Reference, link: &str) -> Result<String, RegistryProblem> {
    let refused = || {
        RegistryProblem::Refused(format!(
            "the tag list's next page '{}' is not a /v2/ path on {}",
            values::shorten(link),
            reference.registry
        ))
    };
    let path = match link.split_once("://") {
        Some((scheme, rest)) if scheme == "http" || scheme == "https" => {
            let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            if !host.eq_ignore_ascii_case(reference.api_host()) {
                return Err(refused());
            }
            path
        }
        Some(_) => return Err(refused()),
        None => link,
    };
    if !path.starts_with("/v2/") || path.chars().any(|c| c.is_control() || c == ' ') {
        return Err(refused());
    }
    Ok(path.to_string())
}

/// The digest of a manifest fetched by tag: its sha256, which must agree with the
/// `Docker-Content-Digest` the registry sent.
fn served_digest(bytes: &[u8], header: Option<&str>) -> Result<Digest, Problem> {
    if let Some(header) = header
        && let Ok(claimed) = Digest::parse(header)
    {
        verify::check_bytes(bytes, &claimed, "manifest")?;
        return Ok(claimed);
    }
    Digest::parse(&verify::sha256_of(bytes)).map_err(|source| Problem::Digest {
        what: "manifest".into(),
        source,
    })
}

/// A document's own `mediaType`, when it declares one.
fn declared_media_type(bytes: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct MediaType {
        media_type: Option<String>,
    }
    serde_json::from_slice::<MediaType>(bytes).ok()?.media_type
}

/// Checks fetched bytes against the descriptor that named them: size and digest.
fn check_descriptor(
    bytes: &[u8],
    descriptor: &Descriptor,
    digest: &Digest,
    what: &str,
) -> Result<(), Problem> {
    if bytes.len() as u64 != descriptor.size {
        return Err(Problem::SizeMismatch {
            what: what.to_string(),
            digest: digest.to_string(),
            expected: descriptor.size,
            actual: bytes.len() as u64,
        });
    }
    verify::check_bytes(bytes, digest, what)
}

/// `--disk`: streams every distinct layer (in parallel) through the sizing code, verifying its
/// digest on the way.
fn size_layers(
    reference: &Reference,
    image: &mut Image,
    options: &ReadOptions,
    client: &Client,
) -> Result<(), RegistryProblem> {
    let mut jobs: Vec<LayerJob> = Vec::new();
    for layer in &image.layers {
        if layer.non_distributable || jobs.iter().any(|job| job.digest == layer.digest) {
            continue;
        }
        jobs.push(LayerJob {
            name: layer.digest.to_string(),
            digest: layer.digest.clone(),
            expected_len: Some(layer.wire_bytes),
            compression: layer.compression,
            verify: Some(VerifyOf::Stored),
            files: options.files,
            // Downloads are not watched: their trees are made after the read.
            layer: None,
        });
    }
    let progress = options.progress.as_ref();
    if let Some(progress) = progress {
        progress.start(
            jobs.iter()
                .filter_map(|job| job.expected_len)
                .fold(0u64, u64::saturating_add),
        );
    }
    // One session per image: its connections are reused from layer to layer, and closed at
    // once, those in use included, when a layer fails.
    let session = client.session();
    let cancelled = AtomicBool::new(false);
    let first_failure: Mutex<Option<RegistryProblem>> = Mutex::new(None);
    let cancelled_marker = || RegistryProblem::Network("cancelled: another layer failed".into());
    let sizes: Vec<u64> = jobs
        .iter()
        .map(|job| job.expected_len.unwrap_or(0))
        .collect();
    let outcome = sizing::in_parallel_on(
        MAX_CONCURRENT_LAYERS,
        &jobs,
        &sizes,
        // A download is inflated by flate2 as it arrives: no pipeline to place.
        |job, _beside| -> Result<sizing::Measured, RegistryProblem> {
            if cancelled.load(Ordering::SeqCst) {
                return Err(cancelled_marker());
            }
            let result = download_layer(&session, reference, job, options, &cancelled);
            match result {
                Err(problem) if !cancelled.swap(true, Ordering::SeqCst) => {
                    *first_failure
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(problem);
                    session.shutdown();
                    Err(cancelled_marker())
                }
                other => other,
            }
        },
        |job| {
            RegistryProblem::Image(Problem::BadBlob {
                what: "layer".into(),
                digest: job.digest.to_string(),
                message: "internal error while sizing".into(),
            })
        },
    );
    let measured = match first_failure
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        Some(problem) => Err(problem),
        None => outcome,
    };
    if let Some(progress) = progress {
        progress.finish();
    }
    let measured = measured?;
    for layer in &mut image.layers {
        let Some(position) = jobs.iter().position(|job| job.digest == layer.digest) else {
            image.notes.push(format!(
                "layer {} is non-distributable (foreign) and was not downloaded: its disk size \
                 is unknown",
                layer.digest.short()
            ));
            continue;
        };
        layer.disk_bytes = measured[position].disk_bytes;
        layer.compression = measured[position].compression;
        layer.files = measured[position].files.clone().map(std::sync::Arc::new);
        if layer.disk_bytes.is_none() && !image.is_artifact {
            image.notes.push(format!(
                "layer {} ({}): its disk size is unknown",
                layer.digest.short(),
                layer.compression
            ));
        }
    }
    Ok(())
}

/// Downloads and sizes one layer through `session`, going on from where a cut connection left off.
fn download_layer(
    session: &Client,
    reference: &Reference,
    job: &LayerJob,
    options: &ReadOptions,
    cancelled: &AtomicBool,
) -> Result<sizing::Measured, RegistryProblem> {
    let digest = job.digest.to_string();
    let length = job.expected_len.unwrap_or(u64::MAX);
    let stream = session.layer_stream(reference, &digest, length, cancelled)?;
    let mut watched = Watched {
        inner: ProgressReader {
            inner: stream,
            progress: options.progress.clone(),
        },
        failed: None,
    };
    match sizing::measure_stream(&mut watched, job, options.max_read.as_deref()) {
        Ok(measured) => Ok(measured),
        // A download cut short is the network's failure, not the image's.
        Err(_) if watched.failed.is_some() => Err(RegistryProblem::Network(format!(
            "downloading layer {} failed: {}",
            job.digest.short(),
            watched.failed.unwrap_or_default()
        ))),
        Err(problem) => Err(problem.into()),
    }
}

/// Remembers a read failure of the stream under it (which the sizing code reports as a bad blob).
struct Watched<R> {
    inner: R,
    failed: Option<String>,
}

impl<R: std::io::Read> std::io::Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).inspect_err(|error| {
            self.failed = Some(error.to_string());
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_tells_references_from_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("layout")).unwrap();
        std::fs::write(dir.path().join("python:3.12"), "{}").unwrap();
        let rule = |text: &str| reference_in(text, dir.path());
        // Existing paths, and PATH:TAG of one, are files.
        assert_eq!(rule("python:3.12").unwrap(), None);
        assert_eq!(rule("layout").unwrap(), None);
        assert_eq!(rule("layout:v1").unwrap(), None);
        // docker:// always means a registry.
        let hub = rule("docker://python").unwrap().unwrap();
        assert_eq!(hub.to_string(), "docker.io/library/python:latest");
        assert!(rule("docker://Not Valid").is_err());
        // A registry host, a tag or a digest makes a reference.
        let local = rule("127.0.0.1:5000/app:1").unwrap().unwrap();
        assert_eq!(local.registry, "127.0.0.1:5000");
        assert_eq!(
            rule("ghcr.io/org/app").unwrap().unwrap().registry,
            "ghcr.io"
        );
        assert_eq!(
            rule("localhost/app").unwrap().unwrap().registry,
            "localhost"
        );
        assert_eq!(
            rule("node:20-slim").unwrap().unwrap().repository,
            "library/node"
        );
        // Anything else is a (missing) file.
        for file in [
            "python",
            "images/v1.json",
            "500mb",
            "./app:1",
            "/abs/app:1",
            "a b",
        ] {
            assert_eq!(rule(file).unwrap(), None, "{file}");
        }
    }

    #[test]
    fn registry_errors_map_to_exit_codes() {
        let error = |problem| -> Error {
            RegistryError {
                image: "127.0.0.1:5000/app:1".into(),
                problem,
            }
            .into()
        };
        let e = error(RegistryProblem::NotFound("no manifest".into()));
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().starts_with("127.0.0.1:5000/app:1: not found"));
        let e = error(RegistryProblem::Unauthorised {
            host: "127.0.0.1:5000".into(),
            detail: "refused".into(),
        });
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.to_string()
                .contains("unauthorised at registry 127.0.0.1:5000")
        );
        let e = error(RegistryProblem::Network("connection refused".into()));
        assert_eq!(e.exit_code(), 3);
    }

    mod against_a_scripted_server {
        use super::super::fake_server::{Answer, ConnectProxy, FakeServer, Request, TestPki};
        use super::super::network::ProxySetting;
        use super::*;
        use base64::Engine as _;
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::time::Duration;

        const MANIFEST: &str =
            "sha256:140f7e942b464707b1d3ae3fe2f9f7c639191e427d6e6f810a2a0cc1945c620a";
        const CONFIG: &str =
            "sha256:b782e6558dc7f2c8c2d609cbd2969cc62a38f0c268094ddf3912f1019ac3a8ab";
        const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

        fn blob(digest: &str) -> Vec<u8> {
            let hex = digest.strip_prefix("sha256:").unwrap();
            std::fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures/images/layout/blobs/sha256")
                    .join(hex),
            )
            .unwrap()
        }

        fn header(name: &str, value: impl Into<String>) -> (String, String) {
            (name.to_string(), value.into())
        }

        fn client(credentials: Option<(&str, &str)>) -> Client {
            Client::new(RegistryOptions {
                credentials: CredentialSource {
                    explicit: credentials.map(|(username, password)| Credentials::Basic {
                        username: username.into(),
                        password: Secret::new(password),
                    }),
                    ..CredentialSource::default()
                },
                ..RegistryOptions::default()
            })
        }

        fn read_from(
            server: &FakeServer,
            client: &Client,
            image: &str,
        ) -> Result<Image, RegistryError> {
            let text = format!("127.0.0.1:{}/{image}", server.port);
            let reference = Reference::parse(&text).unwrap();
            // As the command line would: its references name their registries.
            client.named_on_command_line(&reference.registry);
            read_image(&reference, &text, &ReadOptions::default(), client)
        }

        /// [`read_from`] for a reference an inventory names (not the command line).
        fn read_unnamed(
            server: &FakeServer,
            client: &Client,
            image: &str,
        ) -> Result<Image, RegistryError> {
            let text = format!("127.0.0.1:{}/{image}", server.port);
            let reference = Reference::parse(&text).unwrap();
            read_image(&reference, &text, &ReadOptions::default(), client)
        }

        fn basic(user: &str) -> String {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(user)
            )
        }

        /// The Authorization headers a server received.
        fn authorizations(server: &FakeServer) -> Vec<String> {
            server
                .requests()
                .iter()
                .filter_map(|r| r.header("authorization").map(str::to_string))
                .collect()
        }

        /// A token service that gives `t0k` to anyone and logs what it was sent.
        fn token_service() -> FakeServer {
            FakeServer::start(|request: &Request, _| -> Answer {
                if request.target.starts_with("/token") {
                    (200, vec![], br#"{"token":"t0k"}"#.to_vec())
                } else {
                    (404, vec![], vec![])
                }
            })
        }

        /// The v1 fixture image behind a Bearer challenge whose realm is `realm(port)`, taking
        /// the token `t0k`; `/token` on itself gives it to anyone.
        fn realm_registry(realm: impl Fn(u16) -> String + Send + Sync + 'static) -> FakeServer {
            FakeServer::start(move |request: &Request, port| -> Answer {
                if request.target.starts_with("/token") {
                    return (200, vec![], br#"{"token":"t0k"}"#.to_vec());
                }
                if request.header("authorization") != Some("Bearer t0k") {
                    let challenge = format!(
                        r#"Bearer realm="{}",service="fake",scope="repository:app:pull""#,
                        realm(port)
                    );
                    return (401, vec![header("WWW-Authenticate", challenge)], vec![]);
                }
                serve_fixture(request)
            })
        }

        /// The v1 fixture image behind basic authentication as alice:pw.
        fn basic_registry() -> FakeServer {
            FakeServer::start(|request: &Request, _| -> Answer {
                if request.header("authorization") != Some(basic("alice:pw").as_str()) {
                    let challenge = r#"Basic realm="fake""#.to_string();
                    return (401, vec![header("WWW-Authenticate", challenge)], vec![]);
                }
                serve_fixture(request)
            })
        }

        fn serve_fixture(request: &Request) -> Answer {
            match request.target.as_str() {
                "/v2/app/manifests/1" => (
                    200,
                    vec![
                        header("Content-Type", OCI_MANIFEST),
                        header("Docker-Content-Digest", MANIFEST),
                    ],
                    blob(MANIFEST),
                ),
                target if target == format!("/v2/app/blobs/{CONFIG}") => {
                    (200, vec![], blob(CONFIG))
                }
                _ => (404, vec![], vec![]),
            }
        }

        fn scoped_client(user: &str, password: &str, hosts: &[String]) -> Client {
            Client::new(RegistryOptions {
                credentials: CredentialSource {
                    explicit: Some(Credentials::Basic {
                        username: user.into(),
                        password: Secret::new(password),
                    }),
                    explicit_for: hosts.to_vec(),
                    ..CredentialSource::default()
                },
                ..RegistryOptions::default()
            })
        }

        /// The v1 fixture image, behind a Bearer token service that takes anonymous requests and
        /// alice:pw; its config redirects to storage that must not see the token.
        fn token_registry() -> FakeServer {
            FakeServer::start(|request: &Request, port| -> Answer {
                let basic = |user: &str| {
                    format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD.encode(user)
                    )
                };
                if request.target.starts_with("/storage/") {
                    return (200, vec![], blob(CONFIG));
                }
                if request.method == "POST" && request.target.starts_with("/token") {
                    let form = String::from_utf8_lossy(&request.body);
                    let refreshed = form.contains("grant_type=refresh_token")
                        && form.contains("refresh_token=refresh-xyz");
                    return match refreshed {
                        true => (200, vec![], br#"{"access_token":"t0k"}"#.to_vec()),
                        false => (401, vec![], vec![]),
                    };
                }
                if request.target.starts_with("/token") {
                    return match request.header("authorization") {
                        None => (200, vec![], br#"{"token":"t0k"}"#.to_vec()),
                        Some(given) if given == basic("alice:pw") => {
                            (200, vec![], br#"{"access_token":"t0k"}"#.to_vec())
                        }
                        Some(_) => (401, vec![], vec![]),
                    };
                }
                if request.header("authorization") != Some("Bearer t0k") {
                    let challenge = format!(
                        r#"Bearer realm="http://127.0.0.1:{port}/token",service="fake",scope="repository:app:pull""#
                    );
                    return (401, vec![header("WWW-Authenticate", challenge)], vec![]);
                }
                match request.target.as_str() {
                    "/v2/app/manifests/1" => (
                        200,
                        vec![
                            header("Content-Type", OCI_MANIFEST),
                            header("Docker-Content-Digest", MANIFEST),
                        ],
                        blob(MANIFEST),
                    ),
                    "/v2/app/manifests/bad-digest" => (
                        200,
                        vec![header("Docker-Content-Digest", CONFIG)],
                        blob(MANIFEST),
                    ),
                    target if target == format!("/v2/app/manifests/{CONFIG}") => {
                        (200, vec![], blob(MANIFEST))
                    }
                    "/v2/app/manifests/huge" => (200, vec![], vec![b' '; 4 * 1024 * 1024 + 1]),
                    target if target == format!("/v2/app/blobs/{CONFIG}") => {
                        (307, vec![header("Location", "/storage/config")], vec![])
                    }
                    _ => (404, vec![], vec![]),
                }
            })
        }

        #[test]
        fn bearer_tokens_anonymous_and_with_credentials() {
            let server = token_registry();
            let anonymous = client(None);
            let image = read_from(&server, &anonymous, "app:1").unwrap();
            assert_eq!(image.wire_bytes(), Some(65_896));
            assert_eq!(image.platform.as_deref(), Some("linux/amd64"));
            let requests = server.requests();
            let token = requests
                .iter()
                .find(|r| r.target.starts_with("/token"))
                .unwrap();
            assert!(
                token.target.contains("scope=repository%3Aapp%3Apull"),
                "{token:?}"
            );
            assert!(token.target.contains("service=fake"), "{token:?}");
            // The redirect to storage carries no token.
            let storage = requests
                .iter()
                .find(|r| r.target.starts_with("/storage/"))
                .unwrap();
            assert_eq!(storage.header("authorization"), None);
            // The token is kept for the repository: a second read asks for none.
            read_from(&server, &anonymous, "app:1").unwrap();
            let tokens = server
                .requests()
                .iter()
                .filter(|r| r.target.starts_with("/token"))
                .count();
            assert_eq!(tokens, 1);

            let alice = client(Some(("alice", "pw")));
            assert!(read_from(&server, &alice, "app:1").is_ok());
            // docker's identitytoken: an OAuth2 refresh token, POSTed to the realm.
            let identity = Client::new(RegistryOptions {
                credentials: CredentialSource {
                    explicit: Some(Credentials::IdentityToken(Secret::new("refresh-xyz"))),
                    ..CredentialSource::default()
                },
                ..RegistryOptions::default()
            });
            assert!(read_from(&server, &identity, "app:1").is_ok());
            let wrong = client(Some(("alice", "hunter2-secret")));
            let error = read_from(&server, &wrong, "app:1").unwrap_err();
            let message = error.to_string();
            assert!(
                message.contains(&format!(
                    "unauthorised at registry 127.0.0.1:{}",
                    server.port
                )),
                "{message}"
            );
            assert!(!message.contains("hunter2"), "{message}");
            assert!(!format!("{error:?}").contains("hunter2"));
        }

        #[test]
        fn digests_sizes_and_missing_manifests_are_checked() {
            let server = token_registry();
            let anonymous = client(None);
            let message = read_from(&server, &anonymous, "app:bad-digest")
                .unwrap_err()
                .to_string();
            assert!(message.contains("the content's digest is"), "{message}");
            // Fetched by digest: the bytes must have that digest.
            let message = read_from(&server, &anonymous, &format!("app@{CONFIG}"))
                .unwrap_err()
                .to_string();
            assert!(message.contains("the content's digest is"), "{message}");
            let message = read_from(&server, &anonymous, "app:huge")
                .unwrap_err()
                .to_string();
            assert!(message.contains("larger than 4194304 bytes"), "{message}");
            let error: Error = read_from(&server, &anonymous, "app:2").unwrap_err().into();
            assert_eq!(error.exit_code(), 2);
            assert!(error.to_string().contains("not found"), "{error}");
        }

        #[test]
        fn rate_limits_and_server_errors_are_retried_then_given_up() {
            let calls = Arc::new(AtomicUsize::new(0));
            let counter = calls.clone();
            let server = FakeServer::start(move |request: &Request, _| -> Answer {
                match request.target.as_str() {
                    "/v2/app/manifests/1" => {
                        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                            (429, vec![header("Retry-After", "0")], vec![])
                        } else {
                            (
                                200,
                                vec![header("Content-Type", OCI_MANIFEST)],
                                blob(MANIFEST),
                            )
                        }
                    }
                    "/v2/app/manifests/down" => (503, vec![], vec![]),
                    target if target == format!("/v2/app/blobs/{CONFIG}") => {
                        (200, vec![], blob(CONFIG))
                    }
                    _ => (404, vec![], vec![]),
                }
            });
            let anonymous = client(None);
            assert!(read_from(&server, &anonymous, "app:1").is_ok());
            assert_eq!(calls.load(Ordering::SeqCst), 2);
            let error: Error = read_from(&server, &anonymous, "app:down")
                .unwrap_err()
                .into();
            assert_eq!(error.exit_code(), 3);
            assert!(
                error.to_string().contains("gave up after 3 attempts"),
                "{error}"
            );
            let down = server
                .requests()
                .iter()
                .filter(|r| r.target.ends_with("/down"))
                .count();
            assert_eq!(down, 3);
        }

        #[test]
        fn credentials_for_one_registry_never_reach_another_or_its_realm() {
            let secret = basic("alice:pw");
            // Unscoped flag credentials: the registry named on the command line gets them; one
            // an inventory names does not, even when it asks.
            let a = basic_registry();
            let b = basic_registry();
            let unscoped = client(Some(("alice", "pw")));
            read_from(&a, &unscoped, "app:1").unwrap();
            assert!(authorizations(&a).contains(&secret));
            let error = read_unnamed(&b, &unscoped, "app:1")
                .unwrap_err()
                .to_string();
            assert!(error.contains("unscoped"), "{error}");
            assert!(authorizations(&b).is_empty(), "{:?}", authorizations(&b));

            // Scoped to A: B never gets them, named on the command line or not.
            let b2 = basic_registry();
            let scoped = scoped_client("alice", "pw", &[a.host()]);
            read_unnamed(&a, &scoped, "app:1").unwrap();
            assert!(read_from(&b2, &scoped, "app:1").is_err());
            assert!(authorizations(&b2).is_empty());

            // A registry whose token realm is on another host: unscoped credentials stay home
            // (the token is fetched anonymously); scoped to the registry, they go to the realm it
            // names, as docker does.
            let realm = token_service();
            let realm_url = format!("http://{}/token", realm.host());
            let c = realm_registry(move |_| realm_url.clone());
            read_from(&c, &unscoped, "app:1").unwrap();
            assert!(
                authorizations(&realm).is_empty(),
                "{:?}",
                authorizations(&realm)
            );
            let scoped_c = scoped_client("alice", "pw", &[c.host()]);
            read_from(&c, &scoped_c, "app:1").unwrap();
            assert_eq!(authorizations(&realm), vec![secret.clone()]);
            // And a registry pointing its realm at that same token service, with credentials
            // scoped to another registry, sends it nothing.
            let before = authorizations(&realm).len();
            let realm_url = format!("http://{}/token", realm.host());
            let d = realm_registry(move |_| realm_url.clone());
            read_from(&d, &scoped_c, "app:1").unwrap();
            assert_eq!(authorizations(&realm).len(), before);
            for server in [&c, &d] {
                assert!(!authorizations(server).contains(&secret));
            }
        }

        #[test]
        fn loopback_is_decided_from_the_parsed_host() {
            // The attack of issue 14: a "loopback" prefix before '@' and another host after.
            let other = token_service();
            let tricky = format!("http://127.0.0.1:1@{}/token", other.host());
            let registry = realm_registry(move |_| tricky.clone());
            let alice = scoped_client("alice", "pw", &[registry.host()]);
            let error: Error = read_from(&registry, &alice, "app:1").unwrap_err().into();
            assert_eq!(error.exit_code(), 2, "{error}");
            assert!(
                error.to_string().contains("user name before '@'"),
                "{error}"
            );
            assert!(other.requests().is_empty());
            // Plain HTTP to a host that is neither loopback nor --insecure-registry: refused
            // before any connection.
            let registry = realm_registry(|_| "http://registry.example.invalid/token".into());
            let message = read_from(&registry, &alice, "app:1")
                .unwrap_err()
                .to_string();
            assert!(message.contains("refused to use plain HTTP"), "{message}");
            assert!(
                client::Target::parse("http://127.0.0.1:1@evil.example/x").is_err(),
                "userinfo"
            );
            let target = client::Target::parse("HTTP://[::1]:5000/v2/").unwrap();
            assert_eq!(target.host_port(), "[::1]:5000");
        }

        #[test]
        fn redirects_stay_on_http_only_to_the_same_loopback_host() {
            let elsewhere = token_service();
            let to_elsewhere = format!("http://localhost:{}/storage/config", elsewhere.port);
            let server = FakeServer::start(move |request: &Request, _| -> Answer {
                match request.target.as_str() {
                    "/v2/app/manifests/1" => (
                        200,
                        vec![header("Content-Type", OCI_MANIFEST)],
                        blob(MANIFEST),
                    ),
                    "/v2/file/manifests/1" => {
                        (302, vec![header("Location", "file:///etc/passwd")], vec![])
                    }
                    "/v2/loop/manifests/1" => (
                        302,
                        vec![header("Location", "/v2/loop/manifests/1")],
                        vec![],
                    ),
                    target if target == format!("/v2/app/blobs/{CONFIG}") => {
                        (307, vec![header("Location", to_elsewhere.as_str())], vec![])
                    }
                    _ => (404, vec![], vec![]),
                }
            });
            let anonymous = client(None);
            let error: Error = read_from(&server, &anonymous, "app:1").unwrap_err().into();
            assert_eq!(error.exit_code(), 2, "{error}");
            assert!(
                error
                    .to_string()
                    .contains("redirected over plain HTTP to another host"),
                "{error}"
            );
            assert!(elsewhere.requests().is_empty());
            let message = read_from(&server, &anonymous, "file:1")
                .unwrap_err()
                .to_string();
            assert!(message.contains("file: URL"), "{message}");
            assert!(!message.contains("too many"), "{message}");
            let message = read_from(&server, &anonymous, "loop:1")
                .unwrap_err()
                .to_string();
            assert!(message.contains("more than 5 times"), "{message}");
        }

        #[test]
        fn a_dripping_registry_times_out_naming_it() {
            let server = FakeServer::start(|request: &Request, _| -> Answer {
                match request.target.as_str() {
                    "/v2/app/manifests/1" => (
                        200,
                        vec![
                            header("Content-Type", OCI_MANIFEST),
                            header("x-fake-drip-ms", "1000"),
                        ],
                        blob(MANIFEST),
                    ),
                    _ => (404, vec![], vec![]),
                }
            });
            let client = Client::new(RegistryOptions {
                timeout: Some(Duration::from_secs(2)),
                ..RegistryOptions::default()
            });
            let started = std::time::Instant::now();
            let error: Error = read_from(&server, &client, "app:1").unwrap_err().into();
            assert!(
                started.elapsed() < Duration::from_secs(6),
                "{:?}",
                started.elapsed()
            );
            assert_eq!(error.exit_code(), 3, "{error}");
            assert!(server.sent() < 10, "{} bytes were dripped", server.sent());
            assert!(
                error.to_string().contains(&format!(
                    "the registry {} did not answer in full within 2 s",
                    server.host()
                )),
                "{error}"
            );
        }

        /// A client reaching `registry.test` through `proxy` (as `HTTPS_PROXY`), trusting
        /// `ca_files` besides the system's store.
        fn proxied_client(proxy: &ConnectProxy, ca_files: Vec<CaFile>) -> Client {
            Client::new(RegistryOptions {
                proxies: Proxies {
                    https: Some(ProxySetting {
                        variable: "HTTPS_PROXY".into(),
                        url: proxy.url(),
                    }),
                    http: Some(ProxySetting {
                        variable: "HTTP_PROXY".into(),
                        url: proxy.url(),
                    }),
                    no_proxy: vec![],
                },
                ca_files,
                ..RegistryOptions::default()
            })
        }

        fn read_test_host(client: &Client) -> Result<Image, RegistryError> {
            let text = format!("{}/app:1", TestPki::HOST);
            let reference = Reference::parse(&text).unwrap();
            read_image(&reference, &text, &ReadOptions::default(), client)
        }

        #[test]
        fn a_registry_behind_a_private_ca_is_trusted_with_ca_file() {
            let pki = TestPki::new();
            let registry =
                FakeServer::start_tls(&pki, |request: &Request, _| serve_fixture(request));
            let port = registry.port;
            let proxy = ConnectProxy::start(move |target| {
                (target == format!("{}:443", TestPki::HOST)).then_some(port)
            });
            // The throwaway authority is in no store: exit 3, naming the registry and the way
            // to trust it; nothing reached the registry.
            let error: Error = read_test_host(&proxied_client(&proxy, vec![]))
                .unwrap_err()
                .into();
            assert_eq!(error.exit_code(), 3, "{error}");
            let message = error.to_string();
            assert!(
                message.contains("the certificate of registry.test is not trusted"),
                "{message}"
            );
            assert!(message.contains("--ca-file PATH"), "{message}");
            assert!(registry.requests().is_empty());
            // Trusted with --ca-file (a PEM file, here with the authority twice).
            let both = pki.dir.path().join("both.pem");
            let pem = std::fs::read_to_string(pki.ca()).unwrap();
            std::fs::write(&both, format!("{pem}{pem}")).unwrap();
            let ca = ca_file(both.to_str().unwrap()).unwrap();
            assert_eq!(ca.certs.len(), 2);
            let image = read_test_host(&proxied_client(&proxy, vec![ca])).unwrap();
            assert_eq!(image.source, "registry.test/app:1");
            assert!(!registry.requests().is_empty());
            assert!(
                proxy.connects().iter().all(|t| t == "registry.test:443"),
                "{:?}",
                proxy.connects()
            );
        }

        #[test]
        fn proxies_carry_registry_traffic_but_never_loopback() {
            let pki = TestPki::new();
            let registry =
                FakeServer::start_tls(&pki, |request: &Request, _| serve_fixture(request));
            let port = registry.port;
            let proxy = ConnectProxy::start(move |target| {
                (target == format!("{}:443", TestPki::HOST)).then_some(port)
            });
            let ca = ca_file(pki.ca().to_str().unwrap()).unwrap();
            let client = proxied_client(&proxy, vec![ca]);
            // registry.test resolves nowhere: only the proxy's tunnel reaches it.
            read_test_host(&client).unwrap();
            let connects = proxy.connects();
            assert!(!connects.is_empty());
            assert!(
                connects.iter().all(|t| t == "registry.test:443"),
                "{connects:?}"
            );
            // A loopback registry is reached directly, the proxy settings notwithstanding.
            let local = FakeServer::start(|request: &Request, _| serve_fixture(request));
            read_from(&local, &client, "app:1").unwrap();
            assert_eq!(proxy.connects(), connects);
            assert!(!local.requests().is_empty());
            // A proxy of a kind fleetsave does not speak is refused (exit 2), never bypassed.
            let socks = Client::new(RegistryOptions {
                proxies: Proxies {
                    https: Some(ProxySetting {
                        variable: "ALL_PROXY".into(),
                        url: "socks5://127.0.0.1:1".into(),
                    }),
                    ..Proxies::default()
                },
                ..RegistryOptions::default()
            });
            let error: Error = read_test_host(&socks).unwrap_err().into();
            assert_eq!(error.exit_code(), 2, "{error}");
            assert!(
                error.to_string().contains("ALL_PROXY is a socks5 proxy"),
                "{error}"
            );
        }

        /// Blobs by digest.
        type Blobs = Vec<(String, Vec<u8>)>;

        /// An image of `count` different uncompressed tar layers of about `size` bytes each:
        /// its manifest, its layers' digests, and every blob (config and layers) by digest.
        fn synthetic_image(count: usize, size: usize) -> (Vec<u8>, Vec<String>, Blobs) {
            let mut blobs = Vec::new();
            let mut layers = Vec::new();
            for i in 0..count {
                let content: Vec<u8> = (0..size).map(|j| ((i * 7 + j * 13) % 251) as u8).collect();
                let mut builder = tar::Builder::new(Vec::new());
                let mut header = tar::Header::new_gnu();
                header.set_size(content.len() as u64);
                header.set_mode(0o644);
                header.set_cksum();
                builder
                    .append_data(&mut header, format!("file{i}"), content.as_slice())
                    .unwrap();
                let tar = builder.into_inner().unwrap();
                layers.push(serde_json::json!({
                    "mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": verify::sha256_of(&tar),
                    "size": tar.len(),
                }));
                blobs.push((verify::sha256_of(&tar), tar));
            }
            let digests = blobs.iter().map(|(digest, _)| digest.clone()).collect();
            let config = br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.to_vec();
            let manifest = serde_json::json!({
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": {
                    "mediaType": "application/vnd.oci.image.config.v1+json",
                    "digest": verify::sha256_of(&config),
                    "size": config.len(),
                },
                "layers": layers,
            });
            blobs.push((verify::sha256_of(&config), config));
            (serde_json::to_vec(&manifest).unwrap(), digests, blobs)
        }

        /// A registry serving `synthetic_image(count, size)` as app:1, answering layer requests
        /// with `layer(request, index, bytes)`; returns it and the layers' digests.
        fn synthetic_registry(
            count: usize,
            size: usize,
            layer: impl Fn(&Request, usize, &[u8]) -> Answer + Send + Sync + 'static,
        ) -> (FakeServer, Vec<String>) {
            let (manifest, digests, blobs) = synthetic_image(count, size);
            let layers = digests.clone();
            let server = FakeServer::start(move |request: &Request, _| -> Answer {
                if request.target == "/v2/app/manifests/1" {
                    return (
                        200,
                        vec![header("Content-Type", OCI_MANIFEST)],
                        manifest.clone(),
                    );
                }
                let Some((digest, bytes)) = blobs
                    .iter()
                    .find(|(digest, _)| request.target == format!("/v2/app/blobs/{digest}"))
                else {
                    return (404, vec![], vec![]);
                };
                match layers.iter().position(|d| d == digest) {
                    Some(index) => layer(request, index, bytes),
                    None => (200, vec![], bytes.clone()),
                }
            });
            (server, digests)
        }

        fn disk_client() -> Client {
            Client::new(RegistryOptions {
                disk: true,
                ..RegistryOptions::default()
            })
        }

        #[test]
        fn layers_download_four_at_a_time_over_reused_connections() {
            let in_flight = Arc::new(AtomicUsize::new(0));
            let peak = Arc::new(AtomicUsize::new(0));
            let asked = Arc::new(AtomicUsize::new(0));
            let (now, most, count) = (in_flight.clone(), peak.clone(), asked.clone());
            let (server, digests) = synthetic_registry(8, 2000, move |_, _, bytes| {
                count.fetch_add(1, Ordering::SeqCst);
                let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(running, Ordering::SeqCst);
                std::thread::sleep(Duration::from_secs(1));
                now.fetch_sub(1, Ordering::SeqCst);
                (200, vec![], bytes.to_vec())
            });
            let client = disk_client();
            let started = std::time::Instant::now();
            let image = read_from(&server, &client, "app:1").unwrap();
            let elapsed = started.elapsed();
            // Eight layers of one second each: two rounds of four, not eight (nor four) in a row.
            assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
            assert_eq!(peak.load(Ordering::SeqCst), MAX_CONCURRENT_LAYERS);
            assert_eq!(image.layers.len(), 8);
            assert!(image.layers.iter().all(|layer| layer.disk_bytes.is_some()));
            assert_eq!(asked.load(Ordering::SeqCst), digests.len());
            // The second round reuses the first round's connections: one refused HTTPS attempt,
            // one for the manifest and config, four for the layers.
            assert!(
                server.connections() <= 6,
                "{} connections",
                server.connections()
            );
        }

        #[test]
        fn a_failing_layer_stops_the_others_at_once() {
            // Layer 1 is missing (after 300 ms); every other layer hangs for a minute.
            let asked = Arc::new(AtomicUsize::new(0));
            let count = asked.clone();
            let (server, digests) = synthetic_registry(8, 2000, move |_, index, bytes| {
                count.fetch_add(1, Ordering::SeqCst);
                if index == 1 {
                    std::thread::sleep(Duration::from_millis(300));
                    return (404, vec![], vec![]);
                }
                std::thread::sleep(Duration::from_secs(60));
                (200, vec![], bytes.to_vec())
            });
            let client = disk_client();
            let started = std::time::Instant::now();
            let error: Error = read_from(&server, &client, "app:1").unwrap_err().into();
            let elapsed = started.elapsed();
            assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
            assert_eq!(error.exit_code(), 2, "{error}");
            let message = error.to_string();
            assert!(
                message.contains(&format!("has no blob {}", digests[1])),
                "{message}"
            );
            // The four layers past the first round were never asked for.
            assert_eq!(asked.load(Ordering::SeqCst), MAX_CONCURRENT_LAYERS);
            // The client itself is still usable (only the layer session was shut down).
            let (good, _) =
                synthetic_registry(2, 2000, |_, _, bytes| (200, vec![], bytes.to_vec()));
            read_from(&good, &client, "app:1").unwrap();
        }

        #[test]
        fn a_cut_layer_download_goes_on_with_a_range_request() {
            for honours_range in [true, false] {
                let cut = Arc::new(AtomicUsize::new(0));
                let cuts = cut.clone();
                let (server, digests) =
                    synthetic_registry(2, 300_000, move |request, index, bytes| {
                        let half = bytes.len() / 2;
                        if index == 0 && cuts.fetch_add(1, Ordering::SeqCst) == 0 {
                            return (
                                200,
                                vec![header("x-fake-drop-after", half.to_string())],
                                bytes.to_vec(),
                            );
                        }
                        match request
                            .header("range")
                            .and_then(|r| r.strip_prefix("bytes="))
                        {
                            Some(from) if honours_range => {
                                let from: usize = from.trim_end_matches('-').parse().unwrap();
                                let range =
                                    format!("bytes {from}-{}/{}", bytes.len() - 1, bytes.len());
                                (
                                    206,
                                    vec![header("Content-Range", range)],
                                    bytes[from..].to_vec(),
                                )
                            }
                            _ => (200, vec![], bytes.to_vec()),
                        }
                    });
                let client = Client::new(RegistryOptions::default());
                let text = format!("127.0.0.1:{}/app:1", server.port);
                let reference = Reference::parse(&text).unwrap();
                let options = ReadOptions {
                    verify: true,
                    ..ReadOptions::default()
                };
                let image = read_image(&reference, &text, &options, &client).unwrap();
                let layer = &image.layers[0];
                assert_eq!(layer.disk_bytes, Some(layer.wire_bytes), "{honours_range}");
                let ranges: Vec<String> = server
                    .requests()
                    .iter()
                    .filter(|r| r.target.ends_with(&digests[0]))
                    .filter_map(|r| r.header("range").map(str::to_string))
                    .collect();
                let half = layer.wire_bytes / 2;
                assert_eq!(ranges, vec![format!("bytes={half}-")], "{honours_range}");
            }
        }

        #[test]
        fn retry_waits_have_jitter() {
            let base = Duration::from_millis(1000);
            let waits: Vec<Duration> = (0..20).map(|_| client::jittered(base)).collect();
            assert!(
                waits.iter().all(|w| *w >= base / 2 && *w <= base * 3 / 2),
                "{waits:?}"
            );
            assert!(waits.iter().any(|w| *w != waits[0]), "{waits:?}");
        }

        #[test]
        fn a_malformed_token_response_is_a_protocol_error() {
            let token = FakeServer::start(|_: &Request, _| -> Answer {
                (
                    200,
                    vec![header("x-fake-raw", "1")],
                    b"NOT HTTP AT ALL\r\n\r\n".to_vec(),
                )
            });
            let realm = format!("http://{}/token", token.host());
            let registry = realm_registry(move |_| realm.clone());
            let error: Error = read_from(&registry, &client(None), "app:1")
                .unwrap_err()
                .into();
            assert_eq!(error.exit_code(), 2, "{error}");
            assert!(error.to_string().contains("protocol error"), "{error}");
            assert_eq!(token.requests().len(), 1, "not retried");
        }

        /// A repository of tags `t1`…`t7` listed two a page, `Link` to the next page; the first
        /// answer to each page after the first is a 429 with `Retry-After: 0`.
        fn paged_tags() -> FakeServer {
            let limited = Arc::new(std::sync::Mutex::new(std::collections::HashSet::new()));
            FakeServer::start(move |request: &Request, _| -> Answer {
                let tags: Vec<String> = (1..=7).map(|n| format!("t{n}")).collect();
                let Some(query) = request.target.strip_prefix("/v2/org/app/tags/list?") else {
                    return (404, vec![], vec![]);
                };
                let start = query
                    .split('&')
                    .find_map(|pair| pair.strip_prefix("last="))
                    .and_then(|last| tags.iter().position(|t| t == last).map(|i| i + 1))
                    .unwrap_or(0);
                if start > 0 && limited.lock().unwrap().insert(start) {
                    return (429, vec![header("Retry-After", "0")], vec![]);
                }
                let page = &tags[start..(start + 2).min(tags.len())];
                let body = serde_json::json!({"name": "org/app", "tags": page});
                let mut headers = vec![];
                if start + 2 < tags.len() {
                    headers.push(header(
                        "Link",
                        format!(
                            r#"</v2/org/app/tags/list?n=2&last={}>; rel="next""#,
                            page.last().unwrap()
                        ),
                    ));
                }
                (200, headers, body.to_string().into_bytes())
            })
        }

        #[test]
        fn tags_are_listed_page_by_page_through_rate_limits() {
            let server = paged_tags();
            let reference = Reference::parse(&format!("{}/org/app", server.host())).unwrap();
            let all = list_tags(&reference, &client(None), &|_| true).unwrap();
            assert_eq!(all, ["t1", "t2", "t3", "t4", "t5", "t6", "t7"]);
            let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
            assert_eq!(targets[0], "/v2/org/app/tags/list?n=1000");
            // Four pages, three of them asked twice (the 429 first).
            assert_eq!(targets.len(), 7, "{targets:?}");
            let odd =
                list_tags(&reference, &client(None), &|tag| tag.ends_with(['1', '3'])).unwrap();
            assert_eq!(odd, ["t1", "t3"]);
        }

        #[test]
        fn a_next_page_elsewhere_is_refused_and_a_loop_ends_the_list() {
            let foreign = FakeServer::start(|_: &Request, _| -> Answer {
                (
                    200,
                    vec![header(
                        "Link",
                        r#"<http://example.com/v2/x/tags/list>; rel="next""#,
                    )],
                    br#"{"tags":["a"]}"#.to_vec(),
                )
            });
            let reference = Reference::parse(&format!("{}/app", foreign.host())).unwrap();
            let error = list_tags(&reference, &client(None), &|_| true).unwrap_err();
            assert!(error.to_string().contains("is not a /v2/ path"), "{error}");
            let looping = FakeServer::start(|_: &Request, _| -> Answer {
                (
                    200,
                    vec![header("Link", r#"</v2/app/tags/list?n=1000>; rel="next""#)],
                    br#"{"tags":["a"]}"#.to_vec(),
                )
            });
            let reference = Reference::parse(&format!("{}/app", looping.host())).unwrap();
            assert_eq!(
                list_tags(&reference, &client(None), &|_| true).unwrap(),
                ["a"]
            );
            assert_eq!(looping.requests().len(), 1);
        }
    }
}
