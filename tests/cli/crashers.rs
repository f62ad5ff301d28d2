//! Replays every committed crash input (`tests/fixtures/crashers/<target>/`) and every seed of
//! the fuzz corpus (`fuzz/seeds/<target>/`) through the fuzz harness, so what a fuzzer once found
//! stays fixed and the seeds keep passing on stable Rust, without cargo-fuzz.

use std::path::Path;

use crate::common::project_file;
use crate::harness;

fn replay(folder: &Path) -> usize {
    let mut replayed = 0;
    for target in harness::TARGETS {
        let dir = folder.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.expect("readable entry").path()).collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).expect("readable input");
            let outcome = std::panic::catch_unwind(|| harness::run(target, &data));
            assert!(outcome.is_ok(), "{} fails {target}", file.display());
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn crashers_stay_fixed() {
    let replayed = replay(&project_file("tests/fixtures/crashers"));
    // 7 committed when this was written (tests/fixtures/crashers/README.md lists them): fewer
    // means a folder was renamed or emptied and the replay quietly stopped covering it.
    assert!(replayed >= 7, "only {replayed} crash inputs found");
}

#[test]
fn fuzz_seeds_pass() {
    let replayed = replay(&project_file("fuzz/seeds"));
    assert!(replayed >= 40, "only {replayed} seeds found");
}
