//! Fuzz target `docker_archive`: see `tests/harness/mod.rs` for what it checks.
#![no_main]

#[path = "../../tests/harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::docker_archive(data));
