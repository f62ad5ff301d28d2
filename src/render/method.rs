//! The method: the formulas and the reference example worked through in numbers, shown by the
//! human formats so a sceptical reader can redo the arithmetic by hand.

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

/// What the figures are and are not.
pub const SCOPE: &str = "Every figure assumes each pull moves the whole image: an upper bound. \
Nodes that cache shared layers move less; sizes estimated from the other basis with the \
compression ratio are marked estimated.";
