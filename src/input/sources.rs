//! Image sources wherever a size is accepted: read the artifact, and turn what it tells into an
//! [`ImageSize`] on both bases, estimating the basis it lacks with the compression ratio.

use std::path::Path;

use super::image::{self, ReadOptions};
use crate::error::{Error, Place};
use crate::layers::Image;
use crate::model::ImageSize;
use crate::units::{Basis, Ratio};

/// An image read from a source, with its size on both bases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizedImage {
    pub image: Image,
    pub size: ImageSize,
}

/// The size of an image on both bases: measured where the source tells, estimated otherwise.
/// `None` when the source tells neither (e.g. encrypted layers without a disk size).
pub fn size_of(image: &Image, ratio: Ratio) -> Option<ImageSize> {
    match (image.disk_bytes(), image.wire_bytes()) {
        (Some(disk), Some(wire)) => Some(ImageSize::measured(disk, wire)),
        (Some(disk), None) => ImageSize::typed(disk, Basis::Disk, ratio),
        (None, Some(wire)) => ImageSize::typed(wire, Basis::Wire, ratio),
        (None, None) => None,
    }
}

/// Reads the image at `path` (`flag` or the inventory cell names it in errors).
pub fn read_sized(
    path: &Path,
    options: &ReadOptions,
    ratio: Ratio,
    place: Place,
) -> Result<SizedImage, Error> {
    let image = image::read_image(path, options)?;
    if image.is_artifact {
        return Err(Error::Input {
            place,
            message: format!(
                "'{}' is an artifact (an SBOM, signature or other non-image content), not a \
                 container image; give an image manifest, layout or archive",
                path.display()
            ),
        });
    }
    let size = size_of(&image, ratio).ok_or_else(|| Error::Input {
        place,
        message: format!(
            "'{}' tells neither its compressed nor its unpacked size (encrypted or unknown \
             layers); give the size instead",
            path.display()
        ),
    })?;
    Ok(SizedImage { image, size })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_distroless_java17_manifest_has_measured_wire_and_estimated_disk() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/manifests/distroless-java17_latest_2023-02-14.json");
        let ratio = Ratio::parse("0.37").unwrap();
        let sized = read_sized(
            &path,
            &ReadOptions::default(),
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
