//! fleetsave: what a smaller container image saves across a whole fleet.
//!
//! One pipeline, one direction: `input → model → calc → report → render → output`.
//! [`options`] validates the command line, [`model`] holds images and services, [`calc`] runs the
//! pure models, [`report`] assembles the figures every format shows, [`render`] turns them into
//! text, JSON and the other formats, and [`output`] writes them atomically.

pub mod app;
pub mod assumptions;
pub mod calc;
pub mod chart;
pub mod cli;
pub mod error;
pub mod input;
pub mod model;
pub mod options;
pub mod output;
pub mod progress;
pub mod render;
pub mod report;
pub mod units;
