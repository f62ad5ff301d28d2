//! Media types: which documents are manifests, indexes or schema 1; which configs are image
//! configs; how a layer is compressed and whether it is non-distributable.

use crate::model::image::Compression;

pub(crate) const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub(crate) const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(crate) const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub(crate) const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub(crate) const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub(crate) const DOCKER_LAYER_TAR: &str = "application/vnd.docker.image.rootfs.diff.tar";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";
const DOCKER_SCHEMA1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";
/// Early Docker registries typed the config this way (docker-library images of 2016).
const LEGACY_CONFIG: &str = "application/octet-stream";

/// What a descriptor or document media type says the content is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocumentType {
    Manifest,
    Index,
    Schema1,
    Other,
}

pub(crate) fn document_type(media_type: &str) -> DocumentType {
    match media_type {
        OCI_MANIFEST | DOCKER_MANIFEST => DocumentType::Manifest,
        OCI_INDEX | DOCKER_LIST => DocumentType::Index,
        DOCKER_SCHEMA1 | DOCKER_SCHEMA1_SIGNED => DocumentType::Schema1,
        _ => DocumentType::Other,
    }
}

/// Whether a config media type is a container image config (anything else is an artifact).
pub(crate) fn is_image_config(media_type: &str) -> bool {
    matches!(media_type, OCI_CONFIG | DOCKER_CONFIG | LEGACY_CONFIG)
}

/// How a layer media type stores its tar, and whether it is non-distributable (OCI
/// `nondistributable`, Docker `foreign`).
pub(crate) fn layer_type(media_type: &str) -> (Compression, bool) {
    let media_type = media_type.to_ascii_lowercase();
    let non_distributable =
        media_type.contains(".nondistributable.") || media_type.contains(".foreign.");
    let compression = if media_type.ends_with("+encrypted") {
        Compression::Encrypted
    } else if media_type.ends_with("+gzip")
        || media_type.ends_with(".tar.gzip")
        || media_type.ends_with(".tar.gz")
    {
        Compression::Gzip
    } else if media_type.ends_with("+zstd") || media_type.ends_with(".tar.zstd") {
        Compression::Zstd
    } else if media_type.ends_with(".tar") {
        Compression::Uncompressed
    } else {
        Compression::Unknown
    };
    (compression, non_distributable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_media_types_are_classified() {
        let cases = [
            (
                "application/vnd.oci.image.layer.v1.tar",
                Compression::Uncompressed,
                false,
            ),
            (
                "application/vnd.oci.image.layer.v1.tar+gzip",
                Compression::Gzip,
                false,
            ),
            (
                "application/vnd.oci.image.layer.v1.tar+zstd",
                Compression::Zstd,
                false,
            ),
            (
                "application/vnd.oci.image.layer.v1.tar+gzip+encrypted",
                Compression::Encrypted,
                false,
            ),
            (
                "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
                Compression::Zstd,
                true,
            ),
            (
                "application/vnd.docker.image.rootfs.diff.tar.gzip",
                Compression::Gzip,
                false,
            ),
            (
                "application/vnd.docker.image.rootfs.diff.tar",
                Compression::Uncompressed,
                false,
            ),
            (
                "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                Compression::Gzip,
                true,
            ),
            (
                "application/vnd.docker.image.rootfs.foreign.diff.tar",
                Compression::Uncompressed,
                true,
            ),
            ("application/octet-stream", Compression::Unknown, false),
            ("application/vnd.in-toto+json", Compression::Unknown, false),
        ];
        for (media_type, compression, foreign) in cases {
            assert_eq!(
                layer_type(media_type),
                (compression, foreign),
                "{media_type}"
            );
        }
    }

    #[test]
    fn documents_and_configs() {
        assert_eq!(document_type(DOCKER_LIST), DocumentType::Index);
        assert_eq!(document_type(OCI_MANIFEST), DocumentType::Manifest);
        assert_eq!(document_type(DOCKER_SCHEMA1), DocumentType::Schema1);
        assert_eq!(document_type("application/xml"), DocumentType::Other);
        assert!(is_image_config("application/octet-stream"));
        assert!(!is_image_config("application/vnd.oci.empty.v1+json"));
    }
}
