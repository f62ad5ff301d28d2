//! Manifest and index JSON (OCI image manifest and index, Docker v2 schema 2 manifest and
//! manifest list): parsing, schema-1 and unknown-`schemaVersion` rejection, and turning a
//! manifest into an [`Image`] (layers classified, artifacts and referrers recognised,
//! non-distributable and encrypted layers flagged).
//!
//! Why our own serde structs rather than the `oci-spec` crate (0.10): the real-world manifests
//! this reader must accept (`fixtures/manifests/peer/`) include `"layers": null`, Docker media
//! types, an `application/octet-stream` config, index entries of unknown media types that the
//! OCI spec says must be skipped rather than fail, and invalid digests that should be reported
//! with the field they sit in. oci-spec's `ImageManifest` rejects `null` layers and its digest
//! validation fails the whole document without saying which descriptor is wrong. Only the
//! fields fleetsave needs are modelled; unknown fields and key order never matter.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::error::Problem;
use super::media_types::{self, DocumentType};
use super::platform;
use crate::model::image::{Blob, Digest, Image, Layer, SourceKind};

/// A content descriptor.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Descriptor {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    #[serde(default)]
    pub urls: Option<Vec<String>>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub platform: Option<PlatformSpec>,
    /// Embedded content, base64.
    #[serde(default)]
    pub data: Option<String>,
}

/// The platform of an index entry.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PlatformSpec {
    pub architecture: String,
    pub os: String,
    #[serde(default)]
    pub variant: Option<String>,
}

impl PlatformSpec {
    pub fn describe(&self) -> String {
        platform::describe(&self.os, &self.architecture, self.variant.as_deref())
    }
}

impl Descriptor {
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.as_ref()?.get(key).map(String::as_str)
    }

    /// The digest, validated; `what` names the field in errors (`layers[2]`).
    pub fn parsed_digest(&self, what: &str) -> Result<Digest, Problem> {
        Digest::parse(&self.digest).map_err(|source| Problem::Digest {
            what: format!("{what}.digest"),
            source,
        })
    }

    /// The embedded `data`, decoded, checked against `size`.
    pub fn embedded_data(&self, what: &str) -> Result<Option<Vec<u8>>, Problem> {
        let Some(text) = &self.data else {
            return Ok(None);
        };
        let bytes = decode_base64(text).ok_or_else(|| Problem::Invalid {
            what: format!("{what}.data"),
            message: "not base64".into(),
        })?;
        if bytes.len() as u64 != self.size {
            return Err(Problem::SizeMismatch {
                what: format!("{what} (embedded data)"),
                digest: self.digest.clone(),
                expected: self.size,
                actual: bytes.len() as u64,
            });
        }
        Ok(Some(bytes))
    }
}

/// An image manifest (OCI or Docker v2 schema 2).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Manifest {
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
    #[serde(default)]
    pub subject: Option<Descriptor>,
}

/// An image index (OCI) or manifest list (Docker).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Index {
    pub manifests: Vec<Descriptor>,
    #[serde(default)]
    pub subject: Option<Descriptor>,
}

/// A parsed manifest-like document.
#[derive(Debug, Clone)]
pub(crate) enum Document {
    Manifest {
        manifest: Box<Manifest>,
        /// Said while parsing (e.g. `layers: null` taken as no layers).
        notes: Vec<String>,
    },
    Index(Index),
}

/// Parses a manifest or index, from any key order. Rejects Docker schema 1, schemaVersion other
/// than 2 and JSON that is neither.
pub(crate) fn parse_document(bytes: &[u8]) -> Result<Document, Problem> {
    let mut value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|error| Problem::Invalid {
            what: "JSON".into(),
            message: error.to_string(),
        })?;
    let Some(object) = value.as_object_mut() else {
        return Err(Problem::NotAnImage(
            "JSON that is not an image manifest or index (not an object)".into(),
        ));
    };
    let media_type = object
        .get("mediaType")
        .and_then(|m| m.as_str())
        .map(str::to_string);
    let schema1 = object.contains_key("fsLayers")
        || object.contains_key("signatures")
        || media_type.as_deref().map(media_types::document_type) == Some(DocumentType::Schema1);
    match object.get("schemaVersion") {
        Some(v) if v.as_u64() == Some(1) || schema1 => return Err(Problem::Schema1),
        Some(v) if v.as_u64() == Some(2) => {}
        Some(v) => return Err(Problem::SchemaVersion(v.to_string())),
        None if schema1 => return Err(Problem::Schema1),
        None if object.contains_key("imageLayoutVersion") => {
            return Err(Problem::NotAnImage(
                "an oci-layout marker file, not a manifest or index; pass the layout directory"
                    .into(),
            ));
        }
        None => {
            return Err(Problem::Invalid {
                what: "manifest".into(),
                message: "missing field `schemaVersion`".into(),
            });
        }
    }
    let kind = match media_type.as_deref().map(media_types::document_type) {
        Some(DocumentType::Manifest) => DocumentType::Manifest,
        Some(DocumentType::Index) => DocumentType::Index,
        _ if object.contains_key("manifests") => DocumentType::Index,
        _ if object.contains_key("config") || object.contains_key("layers") => {
            DocumentType::Manifest
        }
        _ => {
            return Err(Problem::NotAnImage(format!(
                "JSON that is not an image manifest or index (mediaType {})",
                media_type.as_deref().unwrap_or("missing")
            )));
        }
    };
    let invalid = |what: &str, error: serde_json::Error| Problem::Invalid {
        what: what.into(),
        message: error.to_string(),
    };
    match kind {
        DocumentType::Index => Ok(Document::Index(
            serde_json::from_value(value).map_err(|e| invalid("image index", e))?,
        )),
        _ => {
            let mut notes = Vec::new();
            if object.get("layers").is_some_and(|layers| layers.is_null()) {
                object.insert("layers".into(), serde_json::Value::Array(vec![]));
                notes.push("`layers` is null; read as no layers".to_string());
            }
            let manifest =
                serde_json::from_value(value).map_err(|e| invalid("image manifest", e))?;
            Ok(Document::Manifest { manifest, notes })
        }
    }
}

/// The image a manifest describes. Layers have no disk size yet: that needs their content.
pub(crate) fn image_from_manifest(
    manifest: &Manifest,
    source: String,
    kind: SourceKind,
    parse_notes: Vec<String>,
) -> Result<Image, Problem> {
    let mut notes = parse_notes;
    let config = Blob {
        digest: manifest.config.parsed_digest("config")?,
        media_type: manifest.config.media_type.clone(),
        size: manifest.config.size,
    };
    let mut is_artifact = false;
    if let Some(artifact_type) = &manifest.artifact_type {
        is_artifact = true;
        notes.push(format!(
            "an artifact ({artifact_type}), not a container image: its blobs are not image bytes"
        ));
    } else if !media_types::is_image_config(&config.media_type) {
        is_artifact = true;
        notes.push(format!(
            "an artifact: its config type {} is not an image config, so its blobs are not image bytes",
            config.media_type
        ));
    }
    let referrer_of = match &manifest.subject {
        Some(subject) => {
            let digest = subject.parsed_digest("subject")?;
            notes.push(format!(
                "refers to {} (subject, e.g. an SBOM, signature or SOCI index): the subject is not counted",
                digest.short()
            ));
            Some(digest)
        }
        None => None,
    };
    let mut layers = Vec::with_capacity(manifest.layers.len());
    for (position, descriptor) in manifest.layers.iter().enumerate() {
        let what = format!("layers[{position}]");
        let digest = descriptor.parsed_digest(&what)?;
        let (compression, non_distributable) = media_types::layer_type(&descriptor.media_type);
        let urls = descriptor.urls.clone().unwrap_or_default();
        if non_distributable {
            notes.push(if urls.is_empty() {
                format!(
                    "layer {} is non-distributable (foreign) and has no urls: nodes must already have it or fetch it elsewhere; counted in wire and disk bytes",
                    digest.short()
                )
            } else {
                format!(
                    "layer {} is non-distributable (foreign): nodes fetch it from its urls, not the registry; counted in wire and disk bytes",
                    digest.short()
                )
            });
        }
        if compression == crate::model::image::Compression::Unknown && !is_artifact {
            notes.push(format!(
                "layer {} has a media type fleetsave does not know ('{}'): its compression is \
                 told from its content when it is downloaded, else its disk size is unknown",
                digest.short(),
                crate::model::values::shorten(&descriptor.media_type)
            ));
        }
        if compression == crate::model::image::Compression::Encrypted {
            notes.push(format!(
                "layer {} is encrypted: its disk size is unknown",
                digest.short()
            ));
        }
        layers.push(Layer {
            digest,
            media_type: descriptor.media_type.clone(),
            compression,
            wire_bytes: descriptor.size,
            disk_bytes: None,
            non_distributable,
            urls,
            files: None,
        });
    }
    // Totals are sums of these sizes: a manifest whose sizes cannot add up in 64 bits is refused
    // rather than totalled to a saturated (wrong) figure.
    let mut sizes = std::iter::once(config.size).chain(layers.iter().map(|layer| layer.wire_bytes));
    if sizes.try_fold(0u64, u64::checked_add).is_none() {
        return Err(Problem::Invalid {
            what: "image manifest".into(),
            message: "the config and layer sizes add up to more than 2^64 bytes".into(),
        });
    }
    Ok(Image {
        source,
        kind,
        platform: None,
        is_artifact,
        referrer_of,
        config: Some(config),
        layers,
        reported_disk_bytes: None,
        wire_known: true,
        notes,
        history: None,
        created: None,
    })
}

/// Decodes standard base64 (with or without padding); `None` when it is not base64.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let text = text.trim_end_matches('=').as_bytes();
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.chunks(4) {
        let mut bits = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            bits |= value(c)? << (18 - 6 * i);
        }
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_layer_media_types_are_named_in_a_note() {
        let layer = format!("sha256:{}", "a".repeat(64));
        let config = format!("sha256:{}", "b".repeat(64));
        let json = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
            "config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},
            "layers":[{{"mediaType":"application/x-mystery","digest":"{layer}","size":10}}]}}"#
        );
        let Document::Manifest { manifest, .. } = parse_document(json.as_bytes()).unwrap() else {
            panic!("a manifest")
        };
        let image =
            image_from_manifest(&manifest, "m".into(), SourceKind::OciLayout, vec![]).unwrap();
        assert!(
            image.notes.iter().any(|note| note
                .contains("media type fleetsave does not know ('application/x-mystery')")),
            "{:?}",
            image.notes
        );
    }

    #[test]
    fn base64_decodes() {
        assert_eq!(decode_base64("YQ==").unwrap(), b"a");
        assert_eq!(decode_base64("YmM=").unwrap(), b"bc");
        assert_eq!(decode_base64("ZGVm").unwrap(), b"def");
        assert_eq!(decode_base64("e30=").unwrap(), b"{}");
        assert_eq!(decode_base64("").unwrap(), b"");
        assert!(decode_base64("Y").is_none());
        assert!(decode_base64("Y!==").is_none());
    }

    #[test]
    fn key_order_and_unknown_fields_do_not_matter() {
        let text = br#"{"layers":[],"x":1,"config":{"size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","mediaType":"application/vnd.oci.image.config.v1+json"},"schemaVersion":2}"#;
        let Document::Manifest { manifest, .. } = parse_document(text).unwrap() else {
            panic!("expected a manifest");
        };
        assert_eq!(manifest.config.size, 2);
    }

    #[test]
    fn missing_fields_are_named() {
        let err = parse_document(br#"{"schemaVersion":2,"layers":[]}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `config`"), "{err}");
        let err = parse_document(
            br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("missing field `manifests`"),
            "{err}"
        );
        let err = parse_document(
            br#"{"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("schemaVersion"), "{err}");
    }

    #[test]
    fn rejects_what_is_not_a_manifest() {
        for text in [
            &b"[1]"[..],
            b"nope",
            b"{\"schemaVersion\":2}",
            b"{\"schemaVersion\":\"2\"}",
            b"{\"schemaVersion\":-1}",
        ] {
            assert!(parse_document(text).is_err());
        }
    }
}
