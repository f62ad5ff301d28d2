//! Limits (issue 10): a decompression bomb is streamed in bounded memory, `--max-read` stops it
//! cleanly with exit 2, and `--max-read` passes through every image-reading command.
//!
//! The bomb is generated on the fly (never committed): an OCI layout whose one gzip layer is a
//! tar holding a single 10 GB file of zeros, written as gzip members of 64 MiB each (about
//! 9.7 MB compressed). Peak memory is the child's resident high-water mark (see `run_measured`).

use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use crate::common::{failure_of, json_of, project_file};
use crate::harness;

/// What the bomb's file holds: 10 GB.
const BOMB_FILE_BYTES: u64 = 10_000_000_000;
/// Peak resident memory allowed while sizing it.
const MAX_RSS_BYTES: u64 = 64 * 1024 * 1024;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A gzip-compressed tar of one file of `file_bytes` zeros; returns (blob, tar length).
fn gzip_bomb(file_bytes: u64) -> (Vec<u8>, u64) {
    const CHUNK: u64 = 64 * 1024 * 1024;
    let mut header = tar::Header::new_ustar();
    header.set_path("bomb.bin").unwrap();
    header.set_size(file_bytes);
    header.set_mode(0o644);
    header.set_cksum();
    let mut blob = gzip(header.as_bytes());
    let member = gzip(&vec![0u8; CHUNK as usize]);
    for _ in 0..file_bytes / CHUNK {
        blob.extend_from_slice(&member);
    }
    let padding = (512 - file_bytes % 512) % 512;
    blob.extend(gzip(&vec![0u8; (file_bytes % CHUNK) as usize]));
    blob.extend(gzip(&vec![0u8; (padding + 1024) as usize]));
    (blob, 512 + file_bytes + padding + 1024)
}

/// Runs fleetsave with `args`; returns its exit status, stdout and peak RSS in bytes.
///
/// The peak is the child's `VmHWM` (resident high-water mark) from `/proc/PID/status`, sampled
/// every 5 ms while it runs. (`wait4`'s `ru_maxrss` would be exact but counts the test process's
/// own memory, which the child holds between `fork` and `exec`; `VmHWM` starts afresh at
/// `exec`.) Being a high-water mark, only growth in the last 5 ms before exit could be missed.
fn run_measured(args: &[&str], cwd: &Path) -> (ExitStatus, String, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fleetsave"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("fleetsave starts");
    let status_file = format!("/proc/{}/status", child.id());
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).map(|_| text)
    });
    let mut peak_kib = 0u64;
    let status = loop {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(kib) = status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let text = reader.join().unwrap().expect("UTF-8 output");
    // A run refused within the first sample exits before a figure can be read: it had no time
    // to grow (touching even 100 MB takes longer than one 5 ms sample).
    if peak_kib == 0 {
        eprintln!("{status_file}: exited before the first sample");
    }
    (status, text, peak_kib * 1024)
}

#[test]
fn a_10_gb_gzip_bomb_is_sized_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("bomb");
    let (blob, tar_bytes) = gzip_bomb(BOMB_FILE_BYTES);
    assert!(blob.len() < 12_000_000, "the bomb is {} bytes", blob.len());
    harness::write_layout(
        &layout,
        &blob,
        "application/vnd.oci.image.layer.v1.tar+gzip",
    )
    .unwrap();
    drop(blob);
    let (status, stdout, peak) = run_measured(
        &["inspect", layout.to_str().unwrap(), "--format", "json"],
        dir.path(),
    );
    assert!(status.success(), "inspect failed: {status:?}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["images"][0]["disk_bytes"], tar_bytes);
    println!(
        "peak RSS while sizing a gzip layer that expands to {tar_bytes} bytes: {} KiB",
        peak / 1024
    );
    assert!(
        peak < MAX_RSS_BYTES,
        "peak RSS {peak} bytes is over {MAX_RSS_BYTES}"
    );
}

#[test]
fn max_read_stops_a_bomb_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (blob, _) = gzip_bomb(BOMB_FILE_BYTES);
    let layout = dir.path().join("bomb");
    harness::write_layout(
        &layout,
        &blob,
        "application/vnd.oci.image.layer.v1.tar+gzip",
    )
    .unwrap();
    let archive = dir.path().join("bomb.tar");
    harness::write_docker_archive(&archive, &blob, "bomb:latest").unwrap();
    for source in [&layout, &archive] {
        let started = std::time::Instant::now();
        let (code, stderr) =
            failure_of(&["inspect", source.to_str().unwrap(), "--max-read", "100MB"]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("--max-read"), "{stderr}");
        assert!(stderr.contains("more than 100000000 bytes"), "{stderr}");
        assert!(
            stderr.starts_with(&format!("error: {}", source.display())),
            "{stderr}"
        );
        // It stops near the limit instead of reading the whole 10 GB (a generous bound for
        // slow machines; the full read takes ~100 times longer).
        assert!(started.elapsed().as_secs() < 60);
    }
}

#[test]
fn max_read_applies_to_every_image_command() {
    let oci = project_file("tests/fixtures/images/v1.oci.tar");
    let docker = project_file("tests/fixtures/images/v2.docker.tar");
    let (oci, docker) = (oci.to_str().unwrap(), docker.to_str().unwrap());
    // Above the images' sizes: read as usual.
    let json = json_of(&[
        "inspect",
        oci,
        docker,
        "--max-read",
        "10MB",
        "--format",
        "json",
    ]);
    assert_eq!(json["images"].as_array().unwrap().len(), 2);
    // The limit is shared by every image of a command: each fits alone, together they do not.
    let disk = |image: &str| {
        let one = json_of(&["inspect", image, "--format", "json"]);
        one["images"][0]["disk_bytes"].as_u64().unwrap()
    };
    let limit = (disk(oci).max(disk(docker)) + 1).to_string();
    json_of(&["inspect", oci, "--max-read", &limit, "--format", "json"]);
    json_of(&["inspect", docker, "--max-read", &limit, "--format", "json"]);
    let (code, stderr) = failure_of(&["inspect", oci, docker, "--max-read", &limit]);
    assert_eq!(code, 2, "{stderr}");
    // An image named twice is read once in a run, so counts once.
    let json = json_of(&[
        "inspect",
        oci,
        oci,
        "--max-read",
        &limit,
        "--format",
        "json",
    ]);
    assert_eq!(json["images"].as_array().unwrap().len(), 2);
    for args in [
        vec!["inspect", oci, "--max-read", "1kB"],
        vec!["compare", oci, docker, "--max-read", "1kB"],
        vec![
            "calc",
            "--before-image",
            oci,
            "--after",
            "1MB",
            "--max-read",
            "1kB",
        ],
        vec!["check", docker, "--budget", "1GB", "--max-read", "1kB"],
    ] {
        let (code, stderr) = failure_of(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains("the limit --max-read sets"),
            "{args:?}: {stderr}"
        );
    }
    for bad in ["-1", "lots", ""] {
        let (code, stderr) = failure_of(&["inspect", oci, "--max-read", bad]);
        assert_eq!(code, 2);
        assert!(stderr.starts_with("error: --max-read: '"), "{stderr}");
    }
}

/// Issue 14, item 9: a sparse archive whose first header is a 2 GB pax or GNU long-name
/// extension. Before the fix the tar crate read the whole extension into memory (2.1–4 GB RSS).
#[test]
fn huge_tar_header_extensions_are_refused_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    for (type_flag, what) in [(b'x', "pax"), (b'L', "GNU long name")] {
        let mut header = tar::Header::new_gnu();
        header.set_size(2 * 1024 * 1024 * 1024);
        header.set_entry_type(tar::EntryType::new(type_flag));
        header.set_path("././@LongLink").unwrap();
        header.set_cksum();
        let path = dir.path().join(format!("sparse-{}.tar", type_flag as char));
        let file = std::fs::File::create(&path).unwrap();
        std::io::Write::write_all(&mut &file, header.as_bytes()).unwrap();
        // Sparse: 2 GB of zeros that occupy no disk, then room for an end marker.
        file.set_len(512 + 2 * 1024 * 1024 * 1024 + 1024).unwrap();
        let (status, _, peak) = run_measured(&["inspect", path.to_str().unwrap()], dir.path());
        assert_eq!(status.code(), Some(2), "{what}");
        assert!(peak < MAX_RSS_BYTES, "{what}: peak RSS {peak} bytes");
        let (code, stderr) = failure_of(&["inspect", path.to_str().unwrap()]);
        assert_eq!(code, 2);
        assert!(
            stderr.contains(&format!("the tar header extension ({what})")),
            "{stderr}"
        );
    }
}

/// Runs fleetsave with `args`, its standard input fed by `feed_stdin` (when given) and `feed`
/// run on a thread of its own; returns the exit code, stderr and the peak RSS (`VmHWM`, sampled
/// every 5 ms). Fails if fleetsave still runs after 60 s.
fn run_fed(
    args: &[&str],
    feed_stdin: Option<fn(std::process::ChildStdin)>,
    feed: impl FnOnce() + Send + 'static,
) -> (i32, String, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fleetsave"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(if feed_stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("fleetsave starts");
    if let (Some(feed_stdin), Some(stdin)) = (feed_stdin, child.stdin.take()) {
        std::thread::spawn(move || feed_stdin(stdin));
    }
    std::thread::spawn(feed);
    let status_file = format!("/proc/{}/status", child.id());
    let started = std::time::Instant::now();
    let mut peak_kib = 0u64;
    let status = loop {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(kib) = status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("fleetsave {args:?} still reads after 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status.code().unwrap_or(-1), stderr, peak_kib * 1024)
}

/// Writes `{` lines to `writer` until it fails (the reader hung up), as `yes '{'` does.
fn yes_brace(mut writer: impl Write) {
    let chunk = b"{\n".repeat(32 * 1024);
    while writer.write_all(&chunk).is_ok() {}
}

/// Issue 14, item 10: `report -` fed by an endless pipe, and `inspect <(yes '{')`, reached
/// 5–7 GB in 10 s before every read was capped.
#[test]
fn endless_pipes_and_stdin_are_capped() {
    let (code, stderr, peak) = run_fed(&["report", "-"], Some(yes_brace), || {});
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("<stdin>") && stderr.contains("is larger than 268435456 bytes"),
        "{stderr}"
    );
    // The cap (256 MiB) and the program: well under twice the cap.
    assert!(peak < 2 * 256 * 1024 * 1024, "peak RSS {peak} bytes");

    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let writer_path = fifo.clone();
    let (code, stderr, peak) = run_fed(&["inspect", fifo.to_str().unwrap()], None, move || {
        if let Ok(file) = std::fs::OpenOptions::new().write(true).open(&writer_path) {
            yes_brace(file);
        }
    });
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("too large for a manifest"), "{stderr}");
    assert!(
        peak < 2 * 16 * 1024 * 1024 + MAX_RSS_BYTES,
        "peak RSS {peak} bytes"
    );
}
