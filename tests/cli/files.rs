//! Files (issue 10): `-o` never loses the previous report — an immutable directory or file, a
//! path that is a directory, a missing directory, a full disk, a killed process each leave it
//! intact and (but the last) exit 3 — devices and symbolic links are written through, not
//! replaced; and fleetsave writes nowhere it was not asked to: reading images and inventories
//! leaves the working directory, the inputs, `$TMPDIR` and `$HOME` exactly as they were, so no
//! archive content is ever extracted to disk.

use std::collections::BTreeMap;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::{fleetsave, project_file};

const PREVIOUS: &str = "the previous report\n";

/// A calc report written with `-o path`; returns (exit code, stderr).
fn write_report(path: &Path) -> (i32, String) {
    let output = fleetsave()
        .args([
            "calc", "--before", "500MB", "--after", "80MB", "--format", "json", "-o",
        ])
        .arg(path)
        .output()
        .expect("fleetsave runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A scratch directory on the build's file system (not a tmpfs, so `chattr` works).
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `chattr +i` on `path` until dropped. Panics where the user or the file system cannot (it
/// needs root, with `CAP_LINUX_IMMUTABLE`, on a file system that has the flag).
struct Immutable(PathBuf);

impl Immutable {
    fn set(path: &Path) -> Immutable {
        let output = Command::new("chattr").arg("+i").arg(path).output();
        match output {
            Ok(output) if output.status.success() => Immutable(path.to_path_buf()),
            Ok(output) => panic!(
                "needs root: chattr +i {} failed: {}",
                path.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ),
            Err(error) => panic!("needs chattr: apt-get install e2fsprogs ({error})"),
        }
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

#[test]
#[ignore = "needs root (chattr +i)"]
fn an_immutable_directory_or_file_keeps_the_previous_report() {
    let dir = scratch();
    let report = dir.path().join("report.json");
    std::fs::write(&report, PREVIOUS).unwrap();
    {
        let _guard = Immutable::set(dir.path());
        let (code, stderr) = write_report(&report);
        assert_eq!(code, 3, "{stderr}");
        assert!(stderr.starts_with("error: cannot write "), "{stderr}");
        assert!(stderr.contains("report.json"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&report).unwrap(), PREVIOUS);
    }
    assert_eq!(
        entries(dir.path()),
        ["report.json"],
        "no temporary file left"
    );
    {
        let _guard = Immutable::set(&report);
        let (code, stderr) = write_report(&report);
        assert_eq!(code, 3, "{stderr}");
        assert_eq!(std::fs::read_to_string(&report).unwrap(), PREVIOUS);
    }
    assert_eq!(
        entries(dir.path()),
        ["report.json"],
        "no temporary file left"
    );
}

#[test]
fn a_directory_or_a_missing_parent_is_exit_3_and_nothing_changes() {
    let dir = scratch();
    let inner = dir.path().join("reports");
    std::fs::create_dir(&inner).unwrap();
    std::fs::write(inner.join("kept.json"), PREVIOUS).unwrap();
    let (code, stderr) = write_report(&inner);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("is a directory"), "{stderr}");
    assert_eq!(entries(&inner), ["kept.json"]);
    assert_eq!(
        std::fs::read_to_string(inner.join("kept.json")).unwrap(),
        PREVIOUS
    );

    let (code, stderr) = write_report(&dir.path().join("missing/report.json"));
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("missing/report.json"), "{stderr}");
    assert_eq!(entries(dir.path()), ["reports"], "nothing created");
}

#[test]
#[ignore = "needs root (mount a tmpfs)"]
fn a_full_disk_keeps_the_previous_report() {
    let dir = scratch();
    let mount = dir.path().join("small");
    std::fs::create_dir(&mount).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&mount)
        .output()
        .expect("mount runs");
    assert!(
        mounted.status.success(),
        "needs root (in a privileged container): mount -t tmpfs failed: {}",
        String::from_utf8_lossy(&mounted.stderr).trim()
    );
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(mount.clone());
    let report = mount.join("report.html");
    std::fs::write(&report, PREVIOUS).unwrap();
    // The example fleet as HTML with charts is a few hundred kB: more than the 64 kB disk.
    let output = fleetsave()
        .args([
            "report",
            "data/examples/fleet.csv",
            "--format",
            "html",
            "-o",
        ])
        .arg(&report)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("No space left"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&report).unwrap(), PREVIOUS);
    assert_eq!(entries(&mount), ["report.html"], "no temporary file left");
}

#[test]
fn a_killed_run_leaves_the_previous_report() {
    let dir = scratch();
    let report = dir.path().join("report.json");
    std::fs::write(&report, PREVIOUS).unwrap();
    // `report -` waits for its inventory on stdin: killed while waiting, it must not have
    // opened (or truncated) the output yet.
    let mut child = Command::new(env!("CARGO_BIN_EXE_fleetsave"))
        .args(["report", "-", "--format", "json", "-o"])
        .arg(&report)
        .current_dir(project_file(""))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(std::fs::read_to_string(&report).unwrap(), PREVIOUS);
    assert_eq!(entries(dir.path()), ["report.json"]);
}

#[test]
fn fifos_and_symbolic_links_are_written_through() {
    let dir = scratch();
    // A symbolic link: the file it points to is replaced, the link stays a link.
    let target = dir.path().join("real.json");
    std::fs::write(&target, PREVIOUS).unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("real.json", &link).unwrap();
    let (code, stderr) = write_report(&link);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("\"schema_version\"")
    );
    assert_eq!(entries(dir.path()), ["link.json", "real.json"]);

    // A FIFO is written into, not replaced by a regular file.
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let (code, stderr) = write_report(&fifo);
    assert_eq!(code, 0, "{stderr}");
    // Checked before joining: a reader of a replaced FIFO would wait forever.
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert!(reader.join().unwrap().contains("\"schema_version\""));
}

#[test]
#[ignore = "needs root (mknod)"]
fn a_character_device_is_written_through() {
    // A character device (`-o /dev/null`) stays a device: as root, a rename would replace the
    // node. Tested on a copy of /dev/null made with mknod, never on the machine's own.
    let dir = scratch();
    let null = dir.path().join("null");
    let made = Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .output()
        .expect("mknod runs");
    assert!(
        made.status.success(),
        "needs root: mknod failed: {}",
        String::from_utf8_lossy(&made.stderr).trim()
    );
    let (code, stderr) = write_report(&null);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        std::fs::symlink_metadata(&null)
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

/// Every file under `dir` with its length, modification time and content.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, std::time::SystemTime, Vec<u8>)> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                pending.push(path.clone());
            }
            let content = if meta.is_file() {
                std::fs::read(&path).unwrap()
            } else {
                Vec::new()
            };
            files.insert(path, (meta.len(), meta.modified().unwrap(), content));
        }
    }
    files
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn reading_images_writes_nowhere_and_extracts_nothing() {
    let root = scratch();
    let inputs = root.path().join("inputs");
    copy_tree(&project_file("tests/fixtures/images"), &inputs);
    std::fs::write(
        inputs.join("fleet.csv"),
        "service,before_image,after_image,runtime\n\
         app,v1.docker.tar,v2.oci.tar,python\n\
         svc,layout:v1,zstd-layout:v2,go\n",
    )
    .unwrap();
    let cwd = root.path().join("cwd");
    let tmp = root.path().join("tmp");
    let home = root.path().join("home");
    for dir in [&cwd, &tmp, &home] {
        std::fs::create_dir(dir).unwrap();
    }
    let before = snapshot(&inputs);
    let path = |name: &str| inputs.join(name).to_str().unwrap().to_string();
    let runs: Vec<Vec<String>> = vec![
        vec![
            "inspect".into(),
            path("v1.docker.tar"),
            path("v2.oci.tar"),
            path("layout:v2"),
        ],
        vec![
            "inspect".into(),
            "--verify".into(),
            path("zstd-layout:v1"),
            path("v2.docker.tar"),
        ],
        vec![
            "compare".into(),
            path("v1.oci.tar"),
            path("v2.oci.tar"),
            "--format".into(),
            "html".into(),
        ],
        vec![
            "calc".into(),
            "--before-image".into(),
            path("v1.docker.tar"),
            "--after-image".into(),
            path("v2.docker.tar"),
            "--verify".into(),
        ],
        vec![
            "check".into(),
            path("v2.oci.tar"),
            "--budget".into(),
            "1GB".into(),
            "--baseline".into(),
            path("v1.oci.tar"),
            "--max-growth".into(),
            "50%".into(),
        ],
        vec![
            "report".into(),
            path("fleet.csv"),
            "--format".into(),
            "markdown".into(),
        ],
    ];
    for args in &runs {
        let output = Command::new(env!("CARGO_BIN_EXE_fleetsave"))
            .args(args)
            .current_dir(&cwd)
            .env("TMPDIR", &tmp)
            .env("HOME", &home)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            entries(&cwd).is_empty(),
            "{args:?} wrote into the working directory"
        );
        assert!(entries(&tmp).is_empty(), "{args:?} wrote into TMPDIR");
        assert!(entries(&home).is_empty(), "{args:?} wrote into HOME");
    }
    assert!(
        snapshot(&inputs) == before,
        "an input file or directory changed"
    );

    // Asked to write: exactly the one file, no temporary left beside it.
    let output = Command::new(env!("CARGO_BIN_EXE_fleetsave"))
        .args([
            "report",
            &path("fleet.csv"),
            "--format",
            "json",
            "-o",
            "out.json",
        ])
        .current_dir(&cwd)
        .env("TMPDIR", &tmp)
        .env("HOME", &home)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(entries(&cwd), ["out.json"]);
    assert!(entries(&tmp).is_empty());
    assert!(snapshot(&inputs) == before);
}

/// A failed write names the file the user gave, never fleetsave's temporary file.
#[test]
fn write_errors_name_the_target_not_the_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing").join("report.json");
    let (code, stderr) = crate::common::failure_of(&[
        "calc",
        "--before",
        "1GB",
        "--after",
        "1MB",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains(target.to_str().unwrap()), "{stderr}");
    assert!(!stderr.contains(".fleetsave-"), "{stderr}");
}
