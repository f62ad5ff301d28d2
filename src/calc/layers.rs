//! Two images compared by digest: the layers they share and what a node holding the first must
//! fetch to run the second.

use std::collections::HashSet;

use crate::model::image::{Digest, Image};

/// What switching a node from one image to another transfers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LayerComparison {
    /// Distinct layers of AFTER that BEFORE already holds.
    pub shared_layers: usize,
    /// Their blob sizes.
    pub shared_wire_bytes: u64,
    /// The blobs of AFTER (config included) whose digests BEFORE does not hold: what a node that
    /// holds BEFORE must fetch to run AFTER.
    pub pull_wire_bytes_per_node: u64,
    /// Distinct layers of AFTER that BEFORE does not hold, in AFTER's order, with their sizes.
    pub added: Vec<(Digest, u64)>,
    /// Distinct layers of BEFORE that AFTER no longer has, in BEFORE's order.
    pub removed: Vec<(Digest, u64)>,
}

/// The distinct layers of `image` whose digest is not in `other`, in order, with their sizes.
fn layers_not_in(image: &Image, other: &Image) -> Vec<(Digest, u64)> {
    let held: HashSet<&Digest> = other.layers.iter().map(|layer| &layer.digest).collect();
    let mut seen = HashSet::new();
    image
        .layers
        .iter()
        .filter(|layer| !held.contains(&layer.digest) && seen.insert(&layer.digest))
        .map(|layer| (layer.digest.clone(), layer.wire_bytes))
        .collect()
}

/// Compares two images by digest. Sizes are blob sizes as the sources describe them (for a docker
/// save archive, the uncompressed layers it stores).
pub fn compare(before: &Image, after: &Image) -> LayerComparison {
    let held: HashSet<&Digest> = before
        .blobs()
        .into_iter()
        .map(|(digest, _)| digest)
        .collect();
    let mut seen = HashSet::new();
    let mut shared_layers = 0;
    let mut shared_wire_bytes = 0u64;
    for layer in &after.layers {
        if seen.insert(&layer.digest) && held.contains(&layer.digest) {
            shared_layers += 1;
            shared_wire_bytes = shared_wire_bytes.saturating_add(layer.wire_bytes);
        }
    }
    let pull_wire_bytes_per_node = after
        .blobs()
        .iter()
        .filter(|(digest, _)| !held.contains(digest))
        .fold(0u64, |total, (_, size)| total.saturating_add(*size));
    LayerComparison {
        shared_layers,
        shared_wire_bytes,
        pull_wire_bytes_per_node,
        added: layers_not_in(after, before),
        removed: layers_not_in(before, after),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::image::examples::{digest, image, layer};

    #[test]
    fn compare_counts_shared_layers_and_blobs_to_pull() {
        let before = image(('c', 10), vec![layer('a', 100, None), layer('b', 50, None)]);
        let after = image(
            ('d', 11),
            vec![
                layer('a', 100, None),
                layer('b', 50, None),
                layer('e', 7, None),
            ],
        );
        let comparison = compare(&before, &after);
        assert_eq!(
            comparison,
            LayerComparison {
                shared_layers: 2,
                shared_wire_bytes: 150,
                pull_wire_bytes_per_node: 18,
                added: vec![(digest('e'), 7)],
                removed: vec![],
            }
        );
        // Identical images: nothing to pull.
        assert_eq!(compare(&after, &after).pull_wire_bytes_per_node, 0);
        // The other way round, the layer `e` is removed.
        assert_eq!(compare(&after, &before).removed, vec![(digest('e'), 7)]);
    }
}
