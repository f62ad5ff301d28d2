//! The technique checklist (docs/model.md#targets-and-plans): ways to slim an image, in priority order, with the size
//! reduction each is expected to bring, read from `data/techniques.csv`. Reports list them as
//! next steps for images above their target.

use serde::Serialize;

use crate::error::Error;

const TECHNIQUES_CSV: &str = include_str!("../../data/techniques.csv");

/// One technique of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Technique {
    pub priority: u32,
    pub technique: String,
    /// Expected size reduction in percent, low end (0 when it mainly speeds up builds).
    pub reduction_low_pct: Option<u32>,
    /// Expected size reduction in percent, high end; `null` when not quantified.
    pub reduction_high_pct: Option<u32>,
    /// What it improves: `size`, `build speed only`, ….
    pub effect: String,
}

/// The bundled checklist, in priority order.
pub fn bundled() -> Result<Vec<Technique>, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(TECHNIQUES_CSV.as_bytes());
    let mut techniques = reader
        .deserialize::<Technique>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Internal(format!("data/techniques.csv: {e}")))?;
    techniques.sort_by_key(|t| t.priority);
    Ok(techniques)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checklist_is_in_priority_order() {
        let techniques = bundled().unwrap();
        assert_eq!(techniques.len(), 7);
        assert_eq!(techniques[0].priority, 1);
        assert!(techniques[0].technique.contains("slim or alpine"));
        assert_eq!(techniques[0].reduction_low_pct, Some(50));
        assert_eq!(techniques[0].reduction_high_pct, Some(80));
        assert_eq!(techniques[3].reduction_high_pct, None);
        assert_eq!(techniques[5].effect, "build speed only");
    }
}
