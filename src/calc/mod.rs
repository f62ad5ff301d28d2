//! Pure calculations, no I/O: the full-pull and layered models, money, runtime targets and
//! plans, the CI gate's rules, two images compared by layer, and a build history measured. Results are numbers; the
//! formulas are written down in docs/model.md.

pub mod audit;
pub mod burst;
pub mod cost;
pub mod dive;
pub mod forecast;
pub mod full_pull;
pub mod gate;
pub mod history;
pub mod layered;
pub mod layers;
pub mod leftovers;
pub mod plan;
pub mod targets;
pub mod techniques;
pub mod waste;
