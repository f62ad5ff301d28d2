//! The bound `report --format json` is measured against (issue 20, BENCHMARKS.md): the least work
//! any program producing the same report must do. It parses the inventory with csv's
//! `ByteRecord` (no allocation per cell) and writes BYTES bytes — the length of fleetsave's JSON
//! for that inventory — to OUT the way fleetsave writes a report: a temporary file in the same
//! directory, 64 KiB writes, `fsync`, then an atomic rename.
//!
//! Usage: `json_bound INVENTORY.csv BYTES OUT` (built by scripts/bench.sh with
//! `cargo build --release --example json_bound`).

use std::io::Write;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, inventory, bytes, out] = args.as_slice() else {
        return Err("usage: json_bound INVENTORY.csv BYTES OUT".into());
    };
    let bytes: u64 = bytes.parse()?;
    let mut reader = csv::ReaderBuilder::new().from_path(inventory)?;
    let mut record = csv::ByteRecord::new();
    let (mut rows, mut cells) = (0u64, 0u64);
    while reader.read_byte_record(&mut record)? {
        rows += 1;
        cells += record.len() as u64;
    }
    let out = Path::new(out);
    let directory = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(directory)?;
    let chunk: Vec<u8> = b"{\"service\":\"svc-000001\",\"saved\":12345},"
        .iter()
        .copied()
        .cycle()
        .take(1 << 16)
        .collect();
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        temporary.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    temporary.as_file().sync_all()?;
    temporary.persist(out)?;
    eprintln!("json_bound: {rows} rows, {cells} cells parsed; {bytes} bytes written");
    Ok(())
}
