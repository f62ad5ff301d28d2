//! Inputs other than the command line, turned into the domain types of [`crate::model`] and
//! [`crate::model::image`]: fleet inventories ([`inventory`]), real image artifacts read offline
//! ([`image`]) or from a registry ([`registry`]), and [`sources`], where an image source given
//! anywhere becomes an image.

pub mod assumptions;
pub mod dive_ci;
pub mod dockerfile;
pub mod history;
pub mod image;
pub mod inventory;
pub mod limits;
pub mod registry;
pub mod sources;
