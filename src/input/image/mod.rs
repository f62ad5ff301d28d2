//! Real image artifacts as input (what each measures: docs/model.md#units-and-bases), read offline: registry manifests and indexes, OCI
//! image layouts (directory or `oci-archive` tar), `docker save` tarballs and `docker inspect`
//! output, detected from their content.
//!
//! # Public API
//!
//! - [`read_image`]`(path: &Path, options: &ReadOptions) -> Result<Image, ImageError>`: one
//!   image. `path` may end in `:TAG` to pick an image from a layout or archive holding several
//!   (as in `skopeo`'s `oci:DIR:TAG`); an existing path always means the file.
//! - [`ReadOptions`]` { platform: Platform, verify: bool, tag: Option<String>, progress:
//!   Option<Arc<dyn Progress>>, max_read: Option<Arc<ReadLimit>> }`, `Default`: linux/amd64,
//!   no verification, no progress, no limit.
//! - [`ReadLimit`]`::new(bytes)`: `--max-read`, the layer content a command may unpack.
//! - [`Progress`]: `start(total_bytes)`, `advance(bytes)`, `finish()`, for an indicatif bar.
//! - [`Platform::parse`]`("linux/arm/v7") -> Result<Platform, String>` for `--platform`.
//! - [`ImageError`]` { path, problem: Problem }`: names the file and the problem;
//!   `impl From<ImageError> for crate::error::Error` (an input error, exit 2).
//! - The result, [`crate::model::image::Image`]: `wire_bytes() -> Option<u64>` (config + layers),
//!   `disk_bytes() -> Option<u64>`, `layers`, `notes` (to print), `is_artifact`, `kind`; and
//!   [`crate::calc::layers::compare`]`(before, after) -> LayerComparison` for `compare`.
//!
//! Where only one basis is known (a manifest has no disk bytes, a docker save archive no wire
//! bytes, `docker inspect` only a disk total) the `Option` is `None` and the caller estimates the
//! other with the compression ratio (`model::ImageSize::typed`).
//!
//! # Modules, one job each
//! `detect` what a path holds · `manifest` manifest/index JSON · `media_types` ·
//! `index` choosing an index entry · `resolve` following indexes to one manifest · `platform` ·
//! `layout` OCI layouts and oci-archives ·
//! `docker_archive` · `docker_inspect` · `repo_tags` choosing by `RepoTags` · `store` blobs in a directory or tar ·
//! `sizing` layer disk bytes in parallel · `gunzip` gzip layers on a pipeline of threads · `limit` `--max-read` · `progress` · `tar_headers` · `verify` digests · `config`.

// `pub(crate)` where the registry reader (`input::registry`) reuses them.
pub(crate) mod config;
mod detect;
mod docker_archive;
mod docker_inspect;
mod error;
mod gunzip;
pub(crate) mod index;
mod layout;
mod limit;
pub(crate) mod manifest;
pub(crate) mod media_types;
mod platform;
mod progress;
mod repo_tags;
pub(crate) mod resolve;
pub(crate) mod sizing;
pub(crate) mod store;
mod tar_headers;
pub(crate) mod verify;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use error::{ImageError, Problem};
pub use limit::ReadLimit;
pub use platform::Platform;
pub use progress::Progress;

use crate::model::files::LayerWatches;
use crate::model::image::{Image, SourceKind};
use detect::Detected;
use manifest::Document;
use store::Store;

/// How to read an image.
#[derive(Clone, Default)]
pub struct ReadOptions {
    /// The platform to choose from an index (default linux/amd64).
    pub platform: Platform,
    /// Check every blob's digest against its content (reads every byte).
    pub verify: bool,
    /// The image to choose from a layout or archive holding several (also given as `PATH:TAG`).
    pub tag: Option<String>,
    /// Told how far layer reading has got, for a progress bar.
    pub progress: Option<Arc<dyn Progress>>,
    /// `--max-read`: stop once this much layer content has been read (shared by every image
    /// read with these options).
    pub max_read: Option<Arc<ReadLimit>>,
    /// Record every layer's tar entries while sizing it (`layers`): headers only, contents of
    /// uncompressed layers seeked past, compressed ones decompressed as `--disk` does.
    pub files: bool,
    /// Shown each entry of a layer of a file source (a layout or an archive) as it is read, with
    /// `files`.
    pub watch: Option<Arc<dyn LayerWatches>>,
}

impl fmt::Debug for ReadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadOptions")
            .field("platform", &self.platform)
            .field("verify", &self.verify)
            .field("tag", &self.tag)
            .field("progress", &self.progress.is_some())
            .field(
                "max_read",
                &self.max_read.as_ref().map(|limit| limit.limit()),
            )
            .field("files", &self.files)
            .field("watch", &self.watch.is_some())
            .finish()
    }
}

/// Reads one image from `path` (see the module docs).
pub fn read_image(path: &Path, options: &ReadOptions) -> Result<Image, ImageError> {
    let (path, tag) = split_tag(path, options.tag.as_deref());
    let source = match &tag {
        Some(tag) => format!("{}:{tag}", path.display()),
        None => path.display().to_string(),
    };
    read_source(&path, source, tag.as_deref(), options)
        .map_err(|problem| ImageError::new(&path, problem))
}

fn read_source(
    path: &Path,
    source: String,
    tag: Option<&str>,
    options: &ReadOptions,
) -> Result<Image, Problem> {
    match detect::detect(path)? {
        Detected::Directory => {
            let store = Store::dir(path);
            if !store.contains("index.json") && !store.contains("oci-layout") {
                return Err(Problem::NotAnImage(
                    "a directory that is not an OCI image layout (no index.json or oci-layout)"
                        .into(),
                ));
            }
            layout::read(&store, source, SourceKind::OciLayout, tag, options)
        }
        Detected::Tar => {
            let store = Store::archive(path)?;
            if store.contains("manifest.json") {
                docker_archive::read(&store, source, tag, options)
            } else if store.contains("index.json") {
                layout::read(&store, source, SourceKind::OciArchive, tag, options)
            } else {
                Err(Problem::NotAnImage(
                    "a tar archive that is neither a docker save archive (no manifest.json) nor an oci-archive (no index.json)".into(),
                ))
            }
        }
        Detected::Json(bytes) => read_json(&bytes, source, tag, options),
    }
}

/// A manifest, an index (whose children a single file cannot hold) or docker inspect output.
fn read_json(
    bytes: &[u8],
    source: String,
    tag: Option<&str>,
    options: &ReadOptions,
) -> Result<Image, Problem> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| Problem::Invalid {
        what: "JSON".into(),
        message: e.to_string(),
    })?;
    if docker_inspect::looks_like(&value) {
        return docker_inspect::read(value, source, tag);
    }
    if value
        .as_array()
        .and_then(|items| items.first())
        .is_some_and(|first| first.get("Config").is_some() && first.get("Layers").is_some())
    {
        return Err(Problem::NotAnImage(
            "the manifest.json of a docker save archive; pass the archive (.tar) itself".into(),
        ));
    }
    match manifest::parse_document(bytes)? {
        Document::Manifest { manifest, notes } => {
            for (what, descriptor) in std::iter::once(("config".to_string(), &manifest.config))
                .chain(
                    manifest
                        .layers
                        .iter()
                        .enumerate()
                        .map(|(i, d)| (format!("layers[{i}]"), d)),
                )
            {
                if let Some(data) = descriptor.embedded_data(&what)?
                    && options.verify
                {
                    verify::check_bytes(&data, &descriptor.parsed_digest(&what)?, &what)?;
                }
            }
            let mut image =
                manifest::image_from_manifest(&manifest, source, SourceKind::Manifest, notes)?;
            if !image.layers.is_empty() && !image.is_artifact {
                image
                    .notes
                    .push("a manifest holds no layer content: disk bytes are unknown".to_string());
            }
            Ok(image)
        }
        Document::Index(index) => {
            let (entries, _) = index::image_entries(&index);
            let choice = index::select_platform(&entries, &options.platform)?;
            if index::is_schema1_type(&choice.descriptor.media_type) {
                return Err(Problem::Schema1);
            }
            Err(Problem::ChildrenUnavailable {
                wanted: options.platform.to_string(),
                digest: choice.descriptor.digest.clone(),
                present: index::platforms_present(&entries),
                choice: match choice.notes.as_slice() {
                    [] => String::new(),
                    notes => format!(" ({})", notes.join("; ")),
                },
            })
        }
    }
}

/// `DIR:TAG` → (`DIR`, `TAG`) when `DIR:TAG` itself does not exist but `DIR` does.
fn split_tag(path: &Path, tag: Option<&str>) -> (PathBuf, Option<String>) {
    if let Some(tag) = tag {
        return (path.to_path_buf(), Some(tag.to_string()));
    }
    if path.exists() {
        return (path.to_path_buf(), None);
    }
    if let Some(text) = path.to_str()
        && let Some((base, tag)) = text.rsplit_once(':')
        && !tag.is_empty()
        && !tag.contains('/')
        && Path::new(base).exists()
    {
        return (PathBuf::from(base), Some(tag.to_string()));
    }
    (path.to_path_buf(), None)
}
