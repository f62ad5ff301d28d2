//! What `inspect` reports: each image source as read, with both sizes — measured where the
//! source holds them, estimated with the compression ratio where it does not.

use serde::Serialize;

use super::{ImageView, SCHEMA_VERSION};
use crate::model::ImageSize;
use crate::model::image::Image;
use crate::units::Ratio;

/// The images of one `inspect` run.
#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    pub schema_version: u32,
    pub command: &'static str,
    pub compression_ratio: f64,
    pub images: Vec<InspectedImage>,
}

/// One image source.
#[derive(Debug, Clone, Serialize)]
pub struct InspectedImage {
    #[serde(flatten)]
    pub image: Image,
    /// Config plus layer blobs, each once; `null` when the source does not hold them.
    pub wire_bytes: Option<u64>,
    /// Sum of the uncompressed layer tars; `null` when unknown.
    pub disk_bytes: Option<u64>,
    /// Both bases, the missing one estimated with the compression ratio.
    pub size: ImageView,
}

impl InspectReport {
    /// The report of `images`, each with its size on both bases, estimated at `ratio`.
    pub fn new(images: Vec<(Image, ImageSize)>, ratio: Ratio) -> InspectReport {
        InspectReport {
            schema_version: SCHEMA_VERSION,
            command: "inspect",
            compression_ratio: ratio.as_f64(),
            images: images
                .into_iter()
                .map(|(image, size)| InspectedImage {
                    wire_bytes: image.wire_bytes(),
                    disk_bytes: image.disk_bytes(),
                    image,
                    size: ImageView::of(&size),
                })
                .collect(),
        }
    }
}
