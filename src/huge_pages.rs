//! Huge pages for the heap of a run over a large inventory.
//!
//! A report of 100,000 services fills 50 to 90 MB of fresh heap, and the kernel maps it a 4 KiB
//! page at a time: one page fault each, several microseconds apiece on a virtual machine. With
//! transparent huge pages it maps 2 MiB at once; on the project's 2-core machine a 100,000-row
//! HTML report went from 150 to 105 ms and its JSON from 194 to 176 ms (BENCHMARKS.md, ninth
//! round). Where the kernel gives huge pages only to memory that asks for them (`madvise`, the
//! default of many distributions), glibc's malloc asks only when its `glibc.malloc.hugetlb`
//! tunable is set, and glibc reads its tunables once, when the process starts.
//!
//! So a run whose inventory file is large ([`FROM_BYTES`]) starts itself again at once, before it
//! has read anything: `exec`, the same process, arguments and environment, with that tunable
//! added to `GLIBC_TUNABLES`. A tunable the user set already stands (theirs or ours: no second
//! restart). Other C libraries and systems, an executable that cannot be found again, and an
//! `exec` that fails run on as they are. Smaller inventories are not worth the second start, and
//! image reads are not helped (the `layers` walk measured slower), so only inventories count.

use std::ffi::{OsStr, OsString};
use std::path::Path;

/// Inventories from this size (about 27,000 CSV rows) run with huge pages.
pub const FROM_BYTES: u64 = 1 << 20;

const TUNABLE: &str = "glibc.malloc.hugetlb";

/// Starts the process again with huge pages for its heap when `inventory` is a file of
/// [`FROM_BYTES`] or more (see the module docs); returns when it does not.
pub fn for_inventory(inventory: &Path) {
    let size = std::fs::metadata(inventory)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|meta| meta.len());
    let set = std::env::var_os("GLIBC_TUNABLES");
    if let Some(tunables) = tunables_for(set.as_deref(), size) {
        restart(tunables);
    }
}

/// The `GLIBC_TUNABLES` to start again with, given the current one and the inventory's size;
/// `None` when the run goes on as it is.
fn tunables_for(set: Option<&OsStr>, inventory_bytes: Option<u64>) -> Option<OsString> {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        return None;
    }
    if inventory_bytes.is_none_or(|bytes| bytes < FROM_BYTES) {
        return None;
    }
    let mut tunables = set.map(OsStr::to_os_string).unwrap_or_default();
    if tunables.to_string_lossy().contains(TUNABLE) {
        return None;
    }
    if !tunables.is_empty() {
        tunables.push(":");
    }
    tunables.push(TUNABLE);
    tunables.push("=1");
    Some(tunables)
}

#[cfg(unix)]
fn restart(tunables: OsString) {
    use std::os::unix::process::CommandExt;
    let Ok(executable) = std::env::current_exe() else {
        return;
    };
    let mut arguments = std::env::args_os();
    let name = arguments
        .next()
        .unwrap_or_else(|| executable.clone().into_os_string());
    // Returns only when the exec failed: the run goes on in this process.
    let _failed = std::process::Command::new(&executable)
        .arg0(name)
        .args(arguments)
        .env("GLIBC_TUNABLES", tunables)
        .exec();
}

#[cfg(not(unix))]
fn restart(_tunables: OsString) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn tunables(set: Option<&str>, bytes: Option<u64>) -> Option<String> {
        tunables_for(set.map(OsStr::new), bytes).map(|t| t.to_string_lossy().into_owned())
    }

    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn a_large_inventory_asks_for_huge_pages_once() {
        assert_eq!(
            tunables(None, Some(FROM_BYTES)).as_deref(),
            Some("glibc.malloc.hugetlb=1")
        );
        // The user's tunables are kept, ours added after them.
        assert_eq!(
            tunables(Some("glibc.malloc.arena_max=2"), Some(5 << 20)).as_deref(),
            Some("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1")
        );
        // Set already (by the first start, or by the user, even to 0): no second restart.
        assert_eq!(
            tunables(Some("glibc.malloc.hugetlb=1"), Some(5 << 20)),
            None
        );
        assert_eq!(
            tunables(Some("glibc.malloc.hugetlb=0"), Some(5 << 20)),
            None
        );
    }

    #[test]
    fn small_inventories_standard_input_and_missing_files_run_as_they_are() {
        assert_eq!(tunables(None, Some(FROM_BYTES - 1)), None);
        assert_eq!(tunables(None, None), None);
        let directory = tempfile::tempdir().unwrap();
        let small = directory.path().join("fleet.csv");
        std::fs::write(&small, "service,before,after\napi,1GB,100MB\n").unwrap();
        // Returns (a restart would end this test process).
        for_inventory(&small);
        for_inventory(directory.path());
        for_inventory(&directory.path().join("missing.csv"));
    }
}
