//! `docker save` / `skopeo copy … docker-archive:` tarballs: `manifest.json` lists each image's
//! config and layer files, both in the legacy form (`<id>/layer.tar`, `<hex>.tar`) and the newer
//! OCI-style one (`blobs/sha256/<hex>`, written by Docker 25+ next to an `index.json`).
//!
//! Layers are named by their diff IDs (the sha256 of the uncompressed tar, from the config) and
//! their compression is read from their first bytes: docker stores them uncompressed, so the
//! registry's compressed (wire) size is not in the archive.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::ReadOptions;
use super::config::ImageConfig;
use super::error::Problem;
use super::manifest::Descriptor;
use super::media_types;
use super::repo_tags;
use super::sizing::{self, LayerJob, VerifyOf};
use super::store::Store;
use super::verify;
use crate::model::image::{Blob, Compression, Digest, Image, Layer, SourceKind};

/// One image of `manifest.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ArchiveImage {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
    /// Foreign layers, by diff ID.
    #[serde(default)]
    layer_sources: Option<BTreeMap<String, Descriptor>>,
}

/// Reads the image of a docker save archive (choosing by `tag` when it holds several).
pub(crate) fn read(
    store: &Store,
    source: String,
    tag: Option<&str>,
    options: &ReadOptions,
) -> Result<Image, Problem> {
    let bytes = store
        .read_document("manifest.json", "manifest.json")?
        .ok_or_else(|| {
            Problem::NotAnImage("not a docker save archive: there is no manifest.json".into())
        })?;
    let images: Vec<ArchiveImage> =
        serde_json::from_slice(&bytes).map_err(|e| Problem::Invalid {
            what: "manifest.json".into(),
            message: e.to_string(),
        })?;
    let chosen = repo_tags::choose(
        &images,
        |image| image.repo_tags.as_deref().unwrap_or_default(),
        tag,
        "manifest.json",
    )?;

    let config_bytes = store
        .read_document(&chosen.config, "config")?
        .ok_or_else(|| Problem::MissingBlob {
            what: "config".into(),
            digest: chosen.config.clone(),
        })?;
    let config_digest =
        Digest::parse(&verify::sha256_of(&config_bytes)).map_err(|source| Problem::Digest {
            what: "config".into(),
            source,
        })?;
    if options.verify
        && let Some(named) = digest_in_name(&chosen.config)
        && named != config_digest
    {
        return Err(Problem::DigestMismatch {
            what: "config".into(),
            digest: named.to_string(),
            actual: config_digest.to_string(),
        });
    }
    let config = ImageConfig::parse(&config_bytes).unwrap_or_default();
    let diff_ids = config
        .rootfs
        .as_ref()
        .map(|r| r.diff_ids.as_slice())
        .unwrap_or_default();

    let mut jobs = Vec::with_capacity(chosen.layers.len());
    for (position, name) in chosen.layers.iter().enumerate() {
        let digest = if diff_ids.len() == chosen.layers.len() {
            Digest::parse(&diff_ids[position]).map_err(|source| Problem::Digest {
                what: format!("config rootfs.diff_ids[{position}]"),
                source,
            })?
        } else {
            digest_in_name(name).ok_or_else(|| Problem::Invalid {
                what: "manifest.json".into(),
                message: format!(
                    "layer {name} has no digest: the config lists {} diff IDs for {} layers",
                    diff_ids.len(),
                    chosen.layers.len()
                ),
            })?
        };
        jobs.push(LayerJob {
            name: name.clone(),
            digest,
            expected_len: None,
            compression: Compression::Unknown,
            verify: options.verify.then_some(VerifyOf::Uncompressed),
            files: options.files,
            layer: Some(position),
        });
    }
    let measured = sizing::measure_all(store, &jobs, options)?;
    let foreign = chosen.layer_sources.as_ref();
    let layers = jobs
        .into_iter()
        .zip(measured)
        .map(|(job, measured)| {
            let source = foreign.and_then(|f| f.get(&job.digest.to_string()));
            Layer {
                media_type: match measured.compression {
                    Compression::Uncompressed => media_types::DOCKER_LAYER_TAR.to_string(),
                    Compression::Gzip => format!("{}.gzip", media_types::DOCKER_LAYER_TAR),
                    Compression::Zstd => format!("{}.zstd", media_types::DOCKER_LAYER_TAR),
                    _ => "application/octet-stream".to_string(),
                },
                digest: job.digest,
                compression: measured.compression,
                wire_bytes: measured.stored_bytes,
                disk_bytes: measured.disk_bytes,
                non_distributable: source.is_some(),
                urls: source.and_then(|s| s.urls.clone()).unwrap_or_default(),
                files: measured.files.map(std::sync::Arc::new),
            }
        })
        .collect();
    let mut notes = vec![
        "docker save stores layers uncompressed, so the registry's compressed (wire) size is not in the archive"
            .to_string(),
    ];
    if let Some(tag) = chosen.repo_tags.as_deref().and_then(|tags| tags.first()) {
        notes.push(format!("image {tag}"));
    }
    Ok(Image {
        source,
        kind: SourceKind::DockerArchive,
        platform: config.platform(),
        is_artifact: false,
        referrer_of: None,
        config: Some(Blob {
            digest: config_digest,
            media_type: media_types::DOCKER_CONFIG.to_string(),
            size: config_bytes.len() as u64,
        }),
        layers,
        reported_disk_bytes: None,
        wire_known: false,
        notes,
        history: config.history(),
        created: config.created(),
    })
}

/// The digest a file name carries: `blobs/sha256/<hex>`, `<hex>.json`, `<hex>.tar`.
fn digest_in_name(name: &str) -> Option<Digest> {
    if let Some(rest) = name.strip_prefix("blobs/")
        && let Some((algorithm, encoded)) = rest.split_once('/')
    {
        return Digest::parse(&format!("{algorithm}:{encoded}")).ok();
    }
    let stem = name
        .strip_suffix(".json")
        .or_else(|| name.strip_suffix(".tar"))?;
    Digest::parse(&format!("sha256:{stem}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_from_file_names() {
        let hex = "a".repeat(64);
        assert_eq!(
            digest_in_name(&format!("blobs/sha256/{hex}"))
                .unwrap()
                .encoded(),
            hex
        );
        assert_eq!(
            digest_in_name(&format!("{hex}.json")).unwrap().encoded(),
            hex
        );
        assert_eq!(
            digest_in_name(&format!("{hex}.tar")).unwrap().encoded(),
            hex
        );
        assert!(digest_in_name("abc/layer.tar").is_none());
    }
}
