//! The one module that writes: stdout, or a file replaced atomically (a temporary file in the
//! same directory, synced, then renamed over the target), so an existing report is never left
//! half-written. A closed pipe (`fleetsave … | head`) is not an error. A symbolic link is
//! followed (its target replaced, the link kept); a device or FIFO is written in place.

use std::io::{self, Write};
use std::path::Path;

use crate::error::Error;

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

fn write_atomically(
    path: &Path,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
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
            let mut device =
                io::BufWriter::new(std::fs::OpenOptions::new().write(true).open(path)?);
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
    let mut temporary = tempfile::Builder::new()
        .prefix(".fleetsave-")
        .suffix(".tmp")
        .tempfile_in(directory)
        .map_err(without_temporary_path)?;
    {
        let mut buffered = io::BufWriter::with_capacity(1 << 16, temporary.as_file_mut());
        produce(&mut buffered)?;
        buffered.flush()?;
    }
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
    fn a_missing_directory_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("r.json");
        let error = write(Some(&path), b"x").unwrap_err();
        assert_eq!(error.exit_code(), 3);
        assert!(error.to_string().contains("r.json"), "{error}");
    }
}
