//! Inputs other than the command line, read offline and turned into the domain types of
//! [`crate::model`] and [`crate::layers`]: fleet inventories ([`inventory`]) and real image
//! artifacts ([`image`]).

pub mod image;
pub mod inventory;
pub mod sources;
