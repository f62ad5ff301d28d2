//! Inputs other than the command line: real image artifacts ([`image`]), read offline.

pub mod image;
