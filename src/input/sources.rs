//! Image sources wherever a size is accepted: the one place a source (a file, or a registry
//! reference by the rule of [`super::registry`]) is read, and what it tells turned into an
//! [`ImageSize`] on both bases, estimating the basis it lacks with the compression ratio.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use super::image::{self, Platform, ReadOptions};
use super::registry::{self, Client};
use crate::error::{Error, Place};
use crate::model::ImageSize;
use crate::model::image::Image;
use crate::units::{Basis, Ratio};

/// An image read from a source, with its size on both bases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizedImage {
    pub image: Image,
    pub size: ImageSize,
}

/// The size of an image on both bases: measured where the source tells, estimated otherwise.
/// `None` when the source tells neither (e.g. encrypted layers without a disk size).
/// When some layers were measured and others not, the disk estimate is the measured layers'
/// disk bytes plus the estimate for the rest, so it is never smaller than a measured layer.
pub fn size_of(image: &Image, ratio: Ratio) -> Option<ImageSize> {
    match (image.disk_bytes(), image.wire_bytes()) {
        (Some(disk), Some(wire)) => Some(ImageSize::measured(disk, wire)),
        (Some(disk), None) => ImageSize::typed(disk, Basis::Disk, ratio),
        (None, Some(wire)) => {
            let mut size = ImageSize::typed(wire, Basis::Wire, ratio)?;
            let (measured, unmeasured_wire) =
                image
                    .layers
                    .iter()
                    .fold((0u64, 0u64), |(disk, wire), layer| match layer.disk_bytes {
                        Some(bytes) => (disk.saturating_add(bytes), wire),
                        None => (disk, wire.saturating_add(layer.wire_bytes)),
                    });
            if measured > 0 {
                let rest = ratio.disk_from_wire(unmeasured_wire)?;
                size.disk_bytes = size.disk_bytes.max(measured.saturating_add(rest));
            }
            Some(size)
        }
        (None, None) => None,
    }
}

/// How to read image sources: files and registries alike.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    pub read: ReadOptions,
    /// Shared by every source of the run, so tokens and connections are reused.
    pub registry: Arc<Client>,
    /// Shared by every source of the run, so a source named by many rows is read once.
    pub memo: Arc<ReadMemo>,
}

/// The images read in a run, by what identifies a read ([`ReadKey`]): an image source named by
/// many inventory rows (a shared base, the same registry reference) is read once, and each
/// later row gets a copy of what the first read. Failed reads are not kept (the run stops).
#[derive(Default)]
pub struct ReadMemo {
    images: Mutex<FxHashMap<ReadKey, Image>>,
    /// Reads that were not memoised: how the tests see that a source was read once.
    #[cfg(test)]
    reads: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for ReadMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadMemo")
            .field("images", &self.lock().len())
            .finish()
    }
}

/// What identifies a read: the resolved file or the reference (as written: the image names its
/// source by it; with `--disk`), and the read options that change what is read. The progress
/// bar and the `--max-read` budget are the run's, not the read's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ReadKey {
    source: Named,
    platform: Platform,
    verify: bool,
    tag: Option<String>,
    /// Whether the layers' tar entries are recorded (`layers`).
    files: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Named {
    File(PathBuf),
    /// With the client's `--disk`: whether the layers are downloaded to measure them.
    Reference {
        text: String,
        disk: bool,
    },
}

impl ReadMemo {
    fn lock(&self) -> std::sync::MutexGuard<'_, FxHashMap<ReadKey, Image>> {
        self.images
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The image read for `source` with `options`: memoised, or read by `read` and kept.
    fn get_or_read(
        &self,
        source: Named,
        options: &ReadOptions,
        read: impl FnOnce() -> Result<Image, Error>,
    ) -> Result<Image, Error> {
        let key = ReadKey {
            source,
            platform: options.platform.clone(),
            verify: options.verify,
            tag: options.tag.clone(),
            files: options.files,
        };
        if let Some(image) = self.lock().get(&key) {
            return Ok(image.clone());
        }
        #[cfg(test)]
        self.reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let image = read()?;
        self.lock().insert(key, image.clone());
        Ok(image)
    }

    /// How many reads were not memoised.
    #[cfg(test)]
    pub fn reads(&self) -> usize {
        self.reads.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Whether `text` names an image source rather than something else (a size): an existing path
/// (or `PATH:TAG`), or a registry reference by the rule of [`super::registry`].
pub fn names_image(text: &str) -> bool {
    Path::new(text).exists() || !matches!(registry::reference_in(text, Path::new("")), Ok(None))
}

/// Reads the image `source` names: a file (relative paths under `relative_to`) or a registry
/// reference. `place` (the flag or inventory cell) names an invalid `docker://` reference; a
/// flag (or argument) marks the reference's registry as named on the command line, which
/// unscoped credentials may go to.
pub fn read(
    source: &Path,
    relative_to: &Path,
    options: &SourceOptions,
    place: &Place,
) -> Result<Image, Error> {
    if let Some(text) = source.to_str() {
        let reference =
            registry::reference_in(text, relative_to).map_err(|error| Error::Input {
                place: place.clone(),
                message: error.to_string(),
            })?;
        if let Some(reference) = reference {
            // Unscoped flag credentials may go to a registry the command line names, never to
            // one an inventory names.
            if matches!(place, Place::Flag(_)) {
                options.registry.named_on_command_line(&reference.registry);
            }
            let named = Named::Reference {
                text: text.to_string(),
                disk: options.registry.options().disk,
            };
            return options.memo.get_or_read(named, &options.read, || {
                registry::read_image(&reference, text, &options.read, &options.registry).map_err(
                    |error| {
                        let error = Error::from(error);
                        if registry::names_registry_host(text) {
                            return error;
                        }
                        // A mistyped path can read as a Docker Hub reference: say no file matched.
                        let hint = format!(
                            " (read as an image reference: there is no file '{}')",
                            relative_to.join(text).display()
                        );
                        match error {
                            Error::Input { place, message } => Error::Input {
                                place,
                                message: message + &hint,
                            },
                            Error::Network { image, message } => Error::Network {
                                image,
                                message: message + &hint,
                            },
                            other => other,
                        }
                    },
                )
            });
        }
    }
    let path = relative_to.join(source);
    options
        .memo
        .get_or_read(Named::File(path.clone()), &options.read, || {
            Ok(image::read_image(&path, &options.read)?)
        })
}

/// Reads the image `source` names (see [`read`]) and sizes it; `place` names it in errors.
pub fn read_sized(
    source: &Path,
    relative_to: &Path,
    options: &SourceOptions,
    ratio: Ratio,
    place: Place,
) -> Result<SizedImage, Error> {
    let image = read(source, relative_to, options, &place)?;
    if image.is_artifact {
        return Err(Error::Input {
            place,
            message: format!(
                "'{}' is an artifact (an SBOM, signature or other non-image content), not a \
                 container image; give an image manifest, layout, archive or reference",
                image.source
            ),
        });
    }
    let size = size_of(&image, ratio).ok_or_else(|| Error::Input {
        place,
        message: format!(
            "'{}' tells neither its compressed nor its unpacked size (encrypted or unknown \
             layers); give the size instead",
            image.source
        ),
    })?;
    Ok(SizedImage { image, size })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_estimated_disk_total_is_never_below_a_measured_layer() {
        use crate::model::image::{Compression, Digest, Layer, SourceKind};
        let layer = |n: u8, wire: u64, disk: Option<u64>| Layer {
            digest: Digest::parse(&format!("sha256:{}", format!("{n:02x}").repeat(32))).unwrap(),
            media_type: "application/vnd.oci.image.layer.v1.tar+gzip".into(),
            compression: Compression::Gzip,
            wire_bytes: wire,
            disk_bytes: disk,
            non_distributable: n == 2,
            urls: vec![],
            files: None,
        };
        let image = Image {
            source: "x".into(),
            kind: SourceKind::Registry,
            platform: None,
            is_artifact: false,
            referrer_of: None,
            config: None,
            // A 10 MB layer that unpacks to 1 GB, measured; a foreign one, not downloaded.
            layers: vec![
                layer(1, 10_000_000, Some(1_000_000_000)),
                layer(2, 10_000_000, None),
            ],
            reported_disk_bytes: None,
            wire_known: true,
            notes: vec![],
            history: None,
            created: None,
        };
        let ratio = Ratio::parse("0.37").unwrap();
        let size = size_of(&image, ratio).unwrap();
        assert!(size.disk_estimated);
        assert_eq!(
            size.disk_bytes,
            1_000_000_000 + ratio.disk_from_wire(10_000_000).unwrap()
        );
    }

    #[test]
    fn the_distroless_java17_manifest_has_measured_wire_and_estimated_disk() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/manifests/distroless-java17_latest_2023-02-14.json");
        let ratio = Ratio::parse("0.37").unwrap();
        let sized = read_sized(
            &path,
            Path::new(""),
            &SourceOptions::default(),
            ratio,
            Place::flag("--after-image"),
        )
        .unwrap();
        assert_eq!(sized.size.wire_bytes, 85_970_285);
        assert!(!sized.size.wire_estimated);
        assert!(sized.size.disk_estimated);
        assert_eq!(
            sized.size.disk_bytes,
            ratio.disk_from_wire(85_970_285).unwrap()
        );
    }
}
