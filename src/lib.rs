//! fleetsave: what a smaller container image saves across a whole fleet.
//!
//! One pipeline, one direction. From the bottom up, each layer imports only those below it:
//!
//! - [`runner`]: GitHub Actions workflow commands kept out of everything written (every
//!   renderer breaks them with it).
//! - [`error`], [`units`] and [`model`]: the error type, sizes and rates, and the domain —
//!   images, services, the assumptions table, and the typed parsers every reader shares
//!   ([`model::values`]).
//! - [`calc`]: the pure models (full pull, layered, cost, targets, the gate).
//! - [`input`]: inventories, assumption files and image sources (files and registries), read
//!   into the model.
//! - [`report`]: the figures every format shows, built from the model with [`calc`].
//! - [`chart`] and [`render`]: reports turned into text, JSON, Markdown, HTML and SVG.
//! - [`output`] and [`progress`]: atomic writes and progress on the terminal.
//! - [`huge_pages`]: a run over a large inventory started again with huge pages for its heap.
//! - [`args`]: the command line, every value typed and checked, no I/O.
//! - [`commands`]: one room per command, reading top to bottom: arguments → inputs → figures →
//!   rendering → output.
//!
//! The formulas, defaults and rounding rules are written down in `docs/model.md`.

pub mod args;
pub mod calc;
pub mod chart;
pub mod commands;
pub mod error;
pub mod huge_pages;
pub mod input;
pub mod model;
pub mod output;
pub mod progress;
pub mod render;
pub mod report;
pub mod runner;
pub mod units;
