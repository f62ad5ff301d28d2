//! The layers of a container image: digests, compression, per-layer wire and disk bytes
//! (docs/model.md#units-and-bases).
//!
//! Plain data shared by the image readers (`input::image`) and the layer-aware model. Nothing here
//! reads files. Blobs are identified by digest: two layers are the same layer exactly when their
//! digests are equal, which is how nodes cache them.

use std::collections::HashSet;
use std::fmt;

/// A content digest `ALGORITHM:ENCODED`, validated with the OCI grammar; `sha256` and `sha512`
/// must carry exactly 64 / 128 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: String,
    encoded: String,
}

/// Why a text is not a digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid digest '{text}': {reason}")]
pub struct DigestError {
    pub text: String,
    pub reason: &'static str,
}

impl Digest {
    pub fn parse(text: &str) -> Result<Digest, DigestError> {
        let fail = |reason| DigestError {
            text: text.to_string(),
            reason,
        };
        let (algorithm, encoded) = text
            .split_once(':')
            .ok_or_else(|| fail("expected ALGORITHM:HEX, e.g. sha256:…"))?;
        let algorithm_ok = !algorithm.is_empty()
            && algorithm.split(['+', '.', '_', '-']).all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if !algorithm_ok {
            return Err(fail("the algorithm must be lowercase letters and digits"));
        }
        if encoded.is_empty()
            || !encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'=' || b == b'_' || b == b'-')
        {
            return Err(fail(
                "the encoded part must be letters, digits, '=', '_' or '-'",
            ));
        }
        let lower_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        let hex_len = match algorithm {
            "sha256" => Some(64),
            "sha512" => Some(128),
            _ => None,
        };
        if let Some(len) = hex_len
            && (encoded.len() != len || !encoded.bytes().all(lower_hex))
        {
            return Err(fail(if algorithm == "sha256" {
                "sha256 needs 64 lowercase hex digits"
            } else {
                "sha512 needs 128 lowercase hex digits"
            }));
        }
        Ok(Digest {
            algorithm: algorithm.to_string(),
            encoded: encoded.to_string(),
        })
    }

    pub fn algorithm(&self) -> &str {
        &self.algorithm
    }

    /// The part after the colon (the hex digits for sha256).
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// `sha256:0123456789ab`: enough to tell layers apart in a message.
    pub fn short(&self) -> String {
        let end = self.encoded.len().min(12);
        format!("{}:{}", self.algorithm, &self.encoded[..end])
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.encoded)
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// How a layer blob is stored, from its media type (or its first bytes where no media type says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    Gzip,
    Zstd,
    Uncompressed,
    /// `+encrypted` (ocicrypt): the disk size cannot be known without the key.
    Encrypted,
    /// Not a layer format fleetsave knows (artifact blobs, zTOCs, in-toto statements).
    Unknown,
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Uncompressed => "uncompressed",
            Compression::Encrypted => "encrypted",
            Compression::Unknown => "unknown",
        })
    }
}

/// A blob referenced by a descriptor (the config of an image).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Blob {
    pub digest: Digest,
    pub media_type: String,
    pub size: u64,
}

/// One layer of an image.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Layer {
    pub digest: Digest,
    pub media_type: String,
    pub compression: Compression,
    /// The blob's size as the source describes it: what a node downloads for this layer.
    pub wire_bytes: u64,
    /// The uncompressed tar length, when the layer content was present and readable.
    pub disk_bytes: Option<u64>,
    /// Non-distributable ("foreign") layer: nodes fetch it from its `urls`, not from the
    /// registry. Still counted in wire and disk bytes, and flagged.
    pub non_distributable: bool,
    pub urls: Vec<String>,
    /// The tar entries, in order, when they were walked (`layers`); not serialised. Shared: a
    /// memoised read hands out copies of the image without copying hundreds of thousands of
    /// entries.
    #[serde(skip)]
    pub files: Option<std::sync::Arc<Vec<super::files::FileEntry>>>,
}

/// Which kind of source an image was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A registry manifest JSON (no layer content, so no disk bytes).
    Manifest,
    /// An image reference read from a registry (disk bytes only with `--disk`).
    Registry,
    OciLayout,
    OciArchive,
    DockerArchive,
    /// `docker inspect` output: a disk size only.
    DockerInspect,
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceKind::Manifest => "registry manifest",
            SourceKind::Registry => "registry",
            SourceKind::OciLayout => "OCI image layout",
            SourceKind::OciArchive => "oci-archive",
            SourceKind::DockerArchive => "docker-archive",
            SourceKind::DockerInspect => "docker inspect output",
        })
    }
}

/// One image as read from one source.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Image {
    /// The path (with `:tag` when one was chosen), as the user gave it.
    pub source: String,
    pub kind: SourceKind,
    /// `os/architecture[/variant]`, from the index entry or the image config, when known.
    pub platform: Option<String>,
    /// An artifact (an `artifactType`, or a config that is not an image config): its blobs are
    /// not image bytes.
    pub is_artifact: bool,
    /// The `subject` this manifest refers to (SBOMs, signatures, SOCI indexes); never counted.
    pub referrer_of: Option<Digest>,
    pub config: Option<Blob>,
    pub layers: Vec<Layer>,
    /// A total disk size reported without layers (`docker inspect .Size`: file contents only).
    pub reported_disk_bytes: Option<u64>,
    /// False when the source does not hold the registry's (compressed) blobs: a docker save
    /// archive stores its layers uncompressed, `docker inspect` has no blobs at all.
    pub wire_known: bool,
    /// What a reader should know: choices made, flagged layers, sizes that are unknown.
    pub notes: Vec<String>,
    /// The config's `history`, when the config was read and has one; not serialised.
    #[serde(skip)]
    pub history: Option<Vec<super::files::HistoryEntry>>,
    /// The config's `created` time as written (RFC 3339), when the source has one; not
    /// serialised (`history` orders builds by it).
    #[serde(skip)]
    pub created: Option<String>,
}

impl Image {
    /// The distinct blobs (config first, then layers in order) with their sizes: what a node
    /// downloads, each digest once.
    pub fn blobs(&self) -> Vec<(&Digest, u64)> {
        let mut seen = HashSet::new();
        self.config
            .iter()
            .map(|config| (&config.digest, config.size))
            .chain(
                self.layers
                    .iter()
                    .map(|layer| (&layer.digest, layer.wire_bytes)),
            )
            .filter(|(digest, _)| seen.insert(*digest))
            .collect()
    }

    /// Config plus layer blob sizes, each distinct blob once; `None` when the source does not
    /// hold the registry's blobs (see [`Image::wire_known`]).
    pub fn wire_bytes(&self) -> Option<u64> {
        self.wire_known.then(|| {
            self.blobs()
                .iter()
                .fold(0u64, |total, (_, size)| total.saturating_add(*size))
        })
    }

    /// The sum of the uncompressed layer tars (the config is not counted); `Some` only when every
    /// layer's disk size is known, or the source reported a total.
    pub fn disk_bytes(&self) -> Option<u64> {
        if let Some(reported) = self.reported_disk_bytes {
            return Some(reported);
        }
        self.layers.iter().try_fold(0u64, |total, layer| {
            layer.disk_bytes.map(|disk| total.saturating_add(disk))
        })
    }
}

/// Digests, layers and images made up for tests, shared by the modules that test with them.
#[cfg(test)]
pub(crate) mod examples {
    use super::*;

    pub fn digest(fill: char) -> Digest {
        Digest::parse(&format!("sha256:{}", fill.to_string().repeat(64))).unwrap()
    }

    pub fn layer(fill: char, wire_bytes: u64, disk_bytes: Option<u64>) -> Layer {
        Layer {
            digest: digest(fill),
            media_type: "application/vnd.oci.image.layer.v1.tar+gzip".into(),
            compression: Compression::Gzip,
            wire_bytes,
            disk_bytes,
            non_distributable: false,
            urls: vec![],
            files: None,
        }
    }

    pub fn image(config: (char, u64), layers: Vec<Layer>) -> Image {
        Image {
            source: "test".into(),
            kind: SourceKind::Manifest,
            platform: None,
            is_artifact: false,
            referrer_of: None,
            config: Some(Blob {
                digest: digest(config.0),
                media_type: "application/vnd.oci.image.config.v1+json".into(),
                size: config.1,
            }),
            layers,
            reported_disk_bytes: None,
            wire_known: true,
            notes: vec![],
            history: None,
            created: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::examples::{digest, image, layer};
    use super::*;

    #[test]
    fn digests_are_validated() {
        assert!(Digest::parse("sha256:abc").is_err());
        assert!(Digest::parse("").is_err());
        assert!(Digest::parse("sha256:").is_err());
        assert!(Digest::parse(&format!("sha256:{}", "A".repeat(64))).is_err());
        assert!(Digest::parse(&format!("SHA256:{}", "a".repeat(64))).is_err());
        assert!(Digest::parse("../x:abc").is_err());
        assert!(
            Digest::parse("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8")
                .is_ok()
        );
        let d = digest('a');
        assert_eq!(d.algorithm(), "sha256");
        assert_eq!(d.short(), "sha256:aaaaaaaaaaaa");
        assert_eq!(Digest::parse(&d.to_string()).unwrap(), d);
        let err = Digest::parse("").unwrap_err();
        assert!(err.to_string().starts_with("invalid digest ''"), "{err}");
    }

    #[test]
    fn wire_counts_config_and_each_distinct_blob_once() {
        let img = image(
            ('c', 10),
            vec![
                layer('a', 100, Some(300)),
                layer('a', 100, Some(300)),
                layer('b', 5, Some(7)),
            ],
        );
        assert_eq!(img.wire_bytes(), Some(115));
        assert_eq!(img.disk_bytes(), Some(607));
    }

    #[test]
    fn disk_is_known_only_when_every_layer_is() {
        let img = image(
            ('c', 1),
            vec![layer('a', 100, Some(300)), layer('b', 5, None)],
        );
        assert_eq!(img.disk_bytes(), None);
        let mut unknown_wire = img.clone();
        unknown_wire.wire_known = false;
        assert_eq!(unknown_wire.wire_bytes(), None);
        let mut reported = unknown_wire;
        reported.layers.clear();
        reported.reported_disk_bytes = Some(42);
        assert_eq!(reported.disk_bytes(), Some(42));
    }
}
