//! Planning (docs/model.md#targets-and-plans): a service without an after size is projected to its runtime's target
//! range, so its saving is a range — low when it only reaches the target's high end, high when
//! it reaches the low end. A projection never grows an image: an image already inside or below
//! its target is projected to stay as it is at that end.

use crate::calc::targets::Target;
use crate::model::ImageSize;
use crate::units::Ratio;

/// The two ends of a plan's projected after size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Projection {
    /// After size at the target's high end: the low saving.
    pub at_target_high: ImageSize,
    /// After size at the target's low end: the high saving.
    pub at_target_low: ImageSize,
}

/// Projects `before` onto `target`. Projected sizes are disk bytes; their wire bytes are
/// estimated with `ratio`.
pub fn project(before: &ImageSize, target: &Target, ratio: Ratio) -> Projection {
    let end = |target_disk: u64| {
        let disk_bytes = before.disk_bytes.min(target_disk);
        let estimated_wire = ratio.wire_from_disk(disk_bytes);
        ImageSize {
            disk_bytes,
            wire_bytes: estimated_wire.min(before.wire_bytes),
            disk_estimated: false,
            wire_estimated: true,
        }
    };
    Projection {
        at_target_high: end(target.high_disk_bytes),
        at_target_low: end(target.low_disk_bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calc::targets::Targets;
    use crate::units::Basis;

    #[test]
    fn a_python_image_projected_to_its_target() {
        let ratio = Ratio::parse("0.37").unwrap();
        let targets = Targets::bundled().unwrap();
        let before = ImageSize::typed(900_000_000, Basis::Disk, ratio).unwrap();
        let p = project(&before, targets.get("python").unwrap(), ratio);
        assert_eq!(p.at_target_high.disk_bytes, 120_000_000);
        assert_eq!(p.at_target_high.wire_bytes, 44_400_000);
        assert_eq!(p.at_target_low.disk_bytes, 70_000_000);
        assert!(p.at_target_low.wire_estimated);
    }

    #[test]
    fn a_projection_never_grows_an_image() {
        let ratio = Ratio::parse("0.37").unwrap();
        let targets = Targets::bundled().unwrap();
        let before = ImageSize::typed(90_000_000, Basis::Disk, ratio).unwrap();
        let p = project(&before, targets.get("python").unwrap(), ratio);
        assert_eq!(p.at_target_high.disk_bytes, 90_000_000);
        assert_eq!(p.at_target_low.disk_bytes, 70_000_000);
        let tiny = ImageSize::measured(5_000_000, 1_000_000);
        let p = project(&tiny, targets.get("go").unwrap(), ratio);
        assert_eq!(
            p.at_target_low,
            ImageSize {
                wire_estimated: true,
                ..tiny
            }
        );
    }
}
