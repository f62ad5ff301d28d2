//! Pure calculations, no I/O and no strings for people: the full-pull model, money, and runtime
//! targets. Later models (plans, the layer cache) sit beside these.

pub mod cost;
pub mod full_pull;
pub mod gate;
pub mod layered;
pub mod layers;
pub mod plan;
pub mod targets;
pub mod techniques;
