//! The method: the formulas and the reference example worked through in numbers, shown by the
//! human formats so a sceptical reader can redo the arithmetic by hand, and what this report's
//! figures are.

use crate::report::{FigureBasis, Report};

/// The formulas of the full-pull model (docs/model.md#full-pull-upper-bound).
pub const FORMULAS: &str = "\
pulls_per_day  = services × deploys_per_day × nodes
saved_per_pull = before − after                  (disk and wire bytes, each)
per_day        = pulls_per_day × size ;  per_year = per_day × days_per_year
per_month      = per_year ÷ 12
pull_seconds   = wire ÷ bandwidth + disk ÷ extract_rate
cost           = wire bytes ÷ 10^9 × price_per_gb
new node       = one of each service, pulled one after another (kubelet's serializeImagePulls)
node-hours     = pulls_per_day × pull_seconds saved ÷ 3600
storage saved  = (before − after, wire) × retained_tags × services, at registry_storage_price";

/// The reference example at the default assumptions, worked through.
pub const WORKED_EXAMPLE: &str = "\
500 MB → 80 MB (disk), 20 services × 10 deploys a day × 10 nodes = 2,000 pulls a day.
Saved per pull: 420 MB disk; wire at ratio 0.37: 185 MB − 29.6 MB = 155.4 MB.
Per day: 2,000 × 420 MB = 840 GB disk, 2,000 × 155.4 MB = 310.8 GB wire; × 365 = 113.4 TB a year.
Money: 310.8 GB × $0.045 = $13.99 a day, $5,104.89 a year (nat-gateway).
Pull time: 185 MB ÷ 125 MB/s + 500 MB ÷ 100 MB/s = 6.48 s before, 1.04 s after: 5.44 s saved.";

/// What the figures of `report` are and are not: which are expected with layer caches, which
/// are upper bounds, and which sizes are estimated.
pub fn scope(report: &Report) -> String {
    let bound = "The fleet totals, the per-service rows, the money line, the pull times and the \
        charts assume each pull moves the whole image: upper bounds. ";
    let lead = match report.totals.headline.basis {
        FigureBasis::Expected => {
            "The headline, the expected table, node time and the payback are expected with \
             layer caches: a deploy moves only the layers that change, a base is moved when it \
             is refreshed and a new node pulls everything once. "
        }
        FigureBasis::UpperBound if report.totals.expected.layers_known => {
            "The images' layers are known but not what a deploy changes, so the headline quotes \
             the upper bound; the expected table shows what layer caches would leave if every \
             deploy changed the whole image. "
        }
        FigureBasis::UpperBound => {
            "No image here comes with its layers, so the headline quotes the upper bound; the \
             expected table shows what layer caches would leave if every deploy changed the \
             whole image. "
        }
    };
    let estimated = if report.totals.estimated.disk || report.totals.estimated.wire {
        "Sizes estimated from the other basis with the compression ratio are marked."
    } else {
        "Every size here was measured or typed; none is estimated."
    };
    format!("{lead}{bound}{estimated}")
}
