//! The one module that writes: stdout, or a file replaced atomically (a temporary file in the
//! same directory, synced as it is written ([`early_sync`]) and at the end, then renamed over the
//! target), so an existing report is never left
//! half-written. A closed pipe (`fleetsave … | head`) is not an error. A symbolic link is
//! followed (its target replaced, the link kept) unless another user may have planted it
//! ([`refuse_planted_symlink`]); a device or FIFO is written in place. No file is written over
//! one the command reads ([`refuse_inputs`]).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Place};

mod early_sync;

/// Refuses (exit 2) to write `output`, given with `flag`, when it is one of `inputs`: the same
/// file (device and inode, so through links and `..`), or an existing file inside an input
/// directory (an OCI layout). Every command checks its report and chart files here before
/// writing any: a report written over the inventory or image archive it read would replace it.
/// `inputs` may hold paths that do not exist (registry references, `-`): they are skipped; an
/// image `PATH:TAG` is checked as `PATH`.
pub fn refuse_inputs(flag: &str, output: &Path, inputs: &[PathBuf]) -> Result<(), Error> {
    // A device or FIFO (`-o /dev/null`) is written in place, never replaced.
    let Ok(written) = std::fs::metadata(output) else {
        return Ok(());
    };
    if !written.is_file() {
        return Ok(());
    }
    for input in inputs {
        if input.as_os_str() == "-" {
            continue;
        }
        let Some((input, read)) = existing(input) else {
            continue;
        };
        let clash = if read.is_dir() {
            match (std::fs::canonicalize(output), std::fs::canonicalize(&input)) {
                (Ok(output), Ok(directory)) => output.starts_with(directory),
                _ => false,
            }
        } else {
            same_file(output, &input)
        };
        if clash {
            let what = if read.is_dir() {
                format!("inside the input directory '{}'", input.display())
            } else {
                format!("the input file '{}'", input.display())
            };
            return Err(Error::Input {
                place: Place::flag(flag),
                message: format!(
                    "'{}' is {what}: writing there would replace what fleetsave reads; give \
                     another file",
                    output.display()
                ),
            });
        }
    }
    Ok(())
}

/// `path`, or `PATH` of `PATH:TAG`, with its metadata, when it exists.
fn existing(path: &Path) -> Option<(PathBuf, std::fs::Metadata)> {
    if let Ok(meta) = std::fs::metadata(path) {
        return Some((path.to_path_buf(), meta));
    }
    let (base, _tag) = path.to_str()?.rsplit_once(':')?;
    let meta = std::fs::metadata(base).ok()?;
    Some((PathBuf::from(base), meta))
}

/// Whether `a` and `b` (both existing) are the same file.
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes `content` to `path`, or to stdout when `path` is `None`.
pub fn write(path: Option<&Path>, content: &[u8]) -> Result<(), Error> {
    write_with(path, |out| out.write_all(content))
}

/// Writes what `produce` writes — streamed, so a large report is never held whole in memory —
/// to `path` (atomically) or to stdout when `path` is `None`.
pub fn write_with(
    path: Option<&Path>,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Error> {
    match path {
        None => write_stdout(produce),
        Some(path) => write_atomically(path, produce).map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn write_stdout(produce: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Error> {
    if stdout_was_closed() {
        return Err(Error::Write {
            path: "standard output".into(),
            source: io::Error::other("it is closed, so the report would be lost"),
        });
    }
    let mut stdout = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    match produce(&mut stdout).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(source) => Err(Error::Write {
            path: "standard output".into(),
            source,
        }),
        Ok(()) => Ok(()),
    }
}

/// Whether standard output was closed when fleetsave started (`>&-`): the Rust runtime then
/// opens `/dev/null` read-write in its place, where writes vanish without an error. A shell's
/// `>/dev/null` opens it write-only, so that stays a place to discard the report (as does any
/// write-only or read-only `/dev/null`); `1<>/dev/null` reads as closed.
#[cfg(unix)]
fn stdout_was_closed() -> bool {
    use rustix::fs::{FileType, OFlags};
    let stdout = io::stdout();
    let Ok(flags) = rustix::fs::fcntl_getfl(&stdout) else {
        return true;
    };
    if flags & OFlags::RWMODE != OFlags::RDWR {
        return false;
    }
    match (rustix::fs::fstat(&stdout), rustix::fs::stat("/dev/null")) {
        (Ok(out), Ok(null)) => {
            FileType::from_raw_mode(out.st_mode) == FileType::CharacterDevice
                && out.st_rdev == null.st_rdev
        }
        _ => false,
    }
}

#[cfg(not(unix))]
fn stdout_was_closed() -> bool {
    false
}

fn write_atomically(
    path: &Path,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    refuse_planted_symlink(path)?;
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "the path is a directory; give a file name",
            ));
        }
        // A device or a pipe (`-o /dev/null`, `-o /dev/stdout`, a FIFO) is written in place:
        // renaming a file over it would replace the device node itself.
        Ok(meta) if !meta.is_file() => {
            let mut device = io::BufWriter::with_capacity(
                1 << 16,
                std::fs::OpenOptions::new().write(true).open(path)?,
            );
            produce(&mut device)?;
            return device.flush();
        }
        _ => {}
    }
    // A symbolic link is followed: the file it points to is replaced and the link stays.
    let resolved;
    let path = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => match std::fs::canonicalize(path) {
            Ok(target) => {
                resolved = target;
                resolved.as_path()
            }
            Err(_) => path,
        },
        _ => path,
    };
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    // A missing or unreadable directory is told as the system tells it.
    std::fs::metadata(directory)?;
    // Declared first, so dropped last: the file is removed (on an error) before it is
    // unregistered.
    let _pending;
    let temporary;
    // Removed on SIGINT, SIGTERM or SIGHUP too, not only on an error (tempfile's drop). The
    // handler is installed before the file exists, and the list of pending files is locked
    // while it is created and registered: a signal in between waits for the registration.
    on_signal_remove_pending();
    {
        let mut registered = pending();
        temporary = tempfile::Builder::new()
            .prefix(".fleetsave-")
            .suffix(".tmp")
            .tempfile_in(directory)
            .map_err(without_temporary_path)?;
        _pending = Pending::register(temporary.path(), &mut registered);
    }
    early_sync::write(temporary.as_file(), produce)?;
    temporary.as_file().sync_all()?;
    set_permissions(temporary.path(), path)?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// tempfile names its own temporary file in errors ("at path …/.fleetsave-x.tmp"); the user
/// named the target, which the message already names, so only the kind of failure is kept.
fn without_temporary_path(error: io::Error) -> io::Error {
    let kind = error.kind();
    io::Error::new(kind, kind.to_string())
}

/// Temporary files being written, for the signal handler to remove.
static PENDING: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// A temporary file registered for removal on a termination signal while it is written.
struct Pending(PathBuf);

impl Pending {
    /// Adds `path` to `registered`, the locked list of pending files.
    fn register(path: &Path, registered: &mut Vec<PathBuf>) -> Pending {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        registered.push(path.clone());
        Pending(path)
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        pending().retain(|path| *path != self.0);
    }
}

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Installs, once, a handler of SIGINT, SIGTERM and SIGHUP (from the first file written on):
/// a thread that removes the temporary files being written, then lets the signal end the
/// process as it would have (exit status "killed by SIGTERM", 130/143 in a shell).
fn on_signal_remove_pending() {
    #[cfg(unix)]
    {
        static INSTALLED: std::sync::Once = std::sync::Once::new();
        INSTALLED.call_once(|| {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            // Without a handler a signal still ends the run, only the file stays behind.
            let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
            else {
                return;
            };
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // The lock is kept until the process ends: no file is registered
                    // meanwhile. One already renamed into place is not found, so stays.
                    let pending = pending();
                    for path in pending.iter() {
                        let _ = std::fs::remove_file(path);
                    }
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
        });
    }
}

/// Refuses to follow `path` when it is a symbolic link another user may have planted: the
/// kernel's `protected_symlinks` rule, applied whatever the kernel's setting. A link in a sticky
/// world-writable directory (`/tmp`) is followed only when it belongs to the user running
/// fleetsave or to the directory's owner. Used for `-o` files and the `--charts-dir` directory.
#[cfg(unix)]
pub fn refuse_planted_symlink(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Ok(link) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    if !link.file_type().is_symlink() {
        return Ok(());
    }
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let directory = std::fs::metadata(directory)?;
    let follower = rustix::process::geteuid().as_raw();
    if is_planted(link.uid(), directory.uid(), directory.mode(), follower) {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "it is a symbolic link owned by another user (uid {}) in a world-writable \
                 sticky directory, which fleetsave does not follow; remove it or write elsewhere",
                link.uid()
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn refuse_planted_symlink(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// The kernel's rule: a link in a sticky (`o+t`), world-writable (`o+w`) directory is followed
/// only by its owner, or when the directory's owner owns it.
fn is_planted(link_uid: u32, directory_uid: u32, directory_mode: u32, follower: u32) -> bool {
    let sticky_world_writable = directory_mode & 0o1002 == 0o1002;
    sticky_world_writable && link_uid != follower && link_uid != directory_uid
}

/// Keeps the permissions of the file being replaced; a new file gets rw-r--r--.
#[cfg(unix)]
fn set_permissions(temporary: &Path, target: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(target)
        .map(|meta| meta.permissions().mode())
        .unwrap_or(0o644);
    std::fs::set_permissions(temporary, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_permissions(_temporary: &Path, _target: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_a_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old").unwrap();
        write(Some(&path), b"new report").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new report");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_directory_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let error = write(Some(dir.path()), b"x").unwrap_err();
        assert_eq!(error.exit_code(), 3);
        assert!(dir.path().is_dir());
    }

    #[test]
    fn symlinks_follow_the_kernels_protected_symlinks_rule() {
        // In /tmp (root's, 1777): another user's link is refused, the follower's or root's not.
        assert!(is_planted(1000, 0, 0o41777, 0));
        assert!(is_planted(1000, 0, 0o41777, 1001));
        assert!(!is_planted(1000, 0, 0o41777, 1000));
        assert!(!is_planted(0, 0, 0o41777, 1000));
        // A directory that is not both sticky and world-writable: followed as before.
        assert!(!is_planted(1000, 0, 0o40777, 0));
        assert!(!is_planted(1000, 0, 0o41775, 0));
        assert!(!is_planted(1000, 1000, 0o41777, 0));
    }

    #[test]
    #[cfg(unix)]
    fn a_link_is_followed_its_target_replaced_next_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let target_dir = dir.path().join("real");
        std::fs::create_dir(&target_dir).unwrap();
        let target = target_dir.join("report.md");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write(Some(&link), b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        // The temporary file was made (O_EXCL) beside the target and renamed over it.
        assert_eq!(std::fs::read_dir(&target_dir).unwrap().count(), 1);
    }

    #[test]
    fn a_missing_directory_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("r.json");
        let error = write(Some(&path), b"x").unwrap_err();
        assert_eq!(error.exit_code(), 3);
        assert!(error.to_string().contains("r.json"), "{error}");
    }
}
