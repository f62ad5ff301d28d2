//! Inputs: everything read from files, turned into the domain types of [`crate::model`].

pub mod inventory;
