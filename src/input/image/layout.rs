//! OCI image layouts (`oci-layout` + `index.json` + `blobs/`), as a directory or inside an
//! `oci-archive` tar: from `index.json` through nested indexes (by tag, then platform) to one
//! manifest, its config and its sized layers. Loops between indexes are detected, never followed.

use super::ReadOptions;
use super::config;
use super::error::Problem;
use super::index;
use super::manifest::{self, Descriptor, Document, Manifest};
use super::resolve;
use super::sizing::{self, LayerJob, VerifyOf};
use super::store::Store;
use super::verify;
use crate::model::image::{Digest, Image, SourceKind};

/// Reads the image a layout holds (choosing by `tag` and `options.platform`).
pub(crate) fn read(
    store: &Store,
    source: String,
    kind: SourceKind,
    tag: Option<&str>,
    options: &ReadOptions,
) -> Result<Image, Problem> {
    let mut notes = Vec::new();
    match store.read_document("oci-layout", "oci-layout")? {
        Some(bytes) => {
            let marker: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(|e| Problem::Invalid {
                    what: "oci-layout".into(),
                    message: e.to_string(),
                })?;
            if !marker
                .get("imageLayoutVersion")
                .is_some_and(|v| v.is_string())
            {
                return Err(Problem::Invalid {
                    what: "oci-layout".into(),
                    message: "missing field `imageLayoutVersion`".into(),
                });
            }
        }
        None => notes.push("no oci-layout file; read as an image layout all the same".to_string()),
    }
    let index_bytes = store
        .read_document("index.json", "index.json")?
        .ok_or_else(|| {
            Problem::NotAnImage("not an OCI image layout: there is no index.json".into())
        })?;
    let root = match manifest::parse_document(&index_bytes)
        .map_err(|p| resolve::within("index.json", p))?
    {
        Document::Index(root) => root,
        Document::Manifest { .. } => {
            return Err(Problem::Invalid {
                what: "index.json".into(),
                message: "holds an image manifest, not an image index".into(),
            });
        }
    };
    let (entries, skipped) = index::image_entries(&root);
    notes.extend(skipped);
    let choice = index::select_root(&entries, tag, &options.platform)?;
    notes.extend(choice.notes);
    let resolved = resolve::follow(
        choice.descriptor.clone(),
        &options.platform,
        &mut notes,
        |descriptor, digest, what| read_blob(store, descriptor, digest, what, options.verify),
    )?;
    let mut image =
        manifest::image_from_manifest(&resolved.manifest, source, kind, resolved.parse_notes)?;
    notes.append(&mut image.notes);
    image.notes = notes;
    image.platform = resolved.platform;
    add_config_and_layers(store, &resolved.manifest, &mut image, options)?;
    Ok(image)
}

/// Reads the config (platform) and sizes the layers present in the store.
fn add_config_and_layers(
    store: &Store,
    manifest: &Manifest,
    image: &mut Image,
    options: &ReadOptions,
) -> Result<(), Problem> {
    if let Some(config) = &image.config {
        let bytes = read_blob(
            store,
            &manifest.config,
            &config.digest,
            "config",
            options.verify,
        )?;
        config::apply(image, &bytes);
    }
    let mut jobs = Vec::new();
    let mut sized = Vec::new();
    for (position, layer) in image.layers.iter().enumerate() {
        let name = blob_name(&layer.digest);
        if !store.contains(&name) {
            if layer.non_distributable || image.is_artifact {
                image.notes.push(format!(
                    "layer {} is not in the layout: its disk size is unknown",
                    layer.digest.short()
                ));
                continue;
            }
            return Err(Problem::MissingBlob {
                what: "layer".into(),
                digest: layer.digest.to_string(),
            });
        }
        jobs.push(LayerJob {
            name,
            digest: layer.digest.clone(),
            expected_len: Some(layer.wire_bytes),
            compression: layer.compression,
            verify: options.verify.then_some(VerifyOf::Stored),
            files: options.files,
            layer: Some(position),
        });
        sized.push(position);
    }
    let measured = sizing::measure_all(store, &jobs, options)?;
    for (position, measured) in sized.into_iter().zip(measured) {
        let layer = &mut image.layers[position];
        layer.disk_bytes = measured.disk_bytes;
        layer.compression = measured.compression;
        layer.files = measured.files.map(std::sync::Arc::new);
        if measured.disk_bytes.is_none() && !image.is_artifact {
            image.notes.push(format!(
                "layer {} ({}): its disk size is unknown",
                layer.digest.short(),
                layer.compression
            ));
        }
    }
    Ok(())
}

/// A small blob (manifest, index, config) read whole, from the store or the descriptor's
/// embedded `data`; its size is checked always, its digest when verifying.
fn read_blob(
    store: &Store,
    descriptor: &Descriptor,
    digest: &Digest,
    what: &str,
    verify: bool,
) -> Result<Vec<u8>, Problem> {
    let bytes = match descriptor.embedded_data(what)? {
        Some(bytes) => bytes,
        None => store
            .read_document(&blob_name(digest), what)?
            .ok_or_else(|| Problem::MissingBlob {
                what: what.to_string(),
                digest: digest.to_string(),
            })?,
    };
    if bytes.len() as u64 != descriptor.size {
        return Err(Problem::SizeMismatch {
            what: what.to_string(),
            digest: digest.to_string(),
            expected: descriptor.size,
            actual: bytes.len() as u64,
        });
    }
    if verify {
        verify::check_bytes(&bytes, digest, what)?;
    }
    Ok(bytes)
}

/// `blobs/ALGORITHM/ENCODED`: safe as a path because [`Digest`] admits no `/` or `..`.
pub(crate) fn blob_name(digest: &Digest) -> String {
    format!("blobs/{}/{}", digest.algorithm(), digest.encoded())
}
