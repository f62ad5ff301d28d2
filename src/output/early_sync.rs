//! Writing a large file while the disk already stores it: the atomic write ends with a sync, and
//! a sync of a whole large report waits for all of it to reach the disk at once. Here a second
//! thread asks for what is written so far to be stored (`fdatasync`) every [`SYNC_EVERY`] bytes,
//! so the last sync waits for the last stretch only. Writing never waits for these syncs.

use std::fs::File;
use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::thread::{Scope, ScopedJoinHandle};

/// How much is written between two requests to store it.
const SYNC_EVERY: usize = 8 << 20;

/// Writes what `produce` writes to `file`, buffered, syncing what is written as it goes.
/// The caller still syncs the whole file at the end.
pub fn write(
    file: &File,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    std::thread::scope(|scope| {
        let mut writer = EarlySync {
            file,
            scope,
            unsynced: 0,
            syncer: None,
        };
        let written = {
            let mut buffered = io::BufWriter::with_capacity(1 << 16, &mut writer);
            produce(&mut buffered).and_then(|()| buffered.flush())
        };
        let synced = writer.stop();
        written.and(synced)
    })
}

/// The syncing thread and the way to ask it for a sync.
type Syncer<'scope> = (SyncSender<()>, ScopedJoinHandle<'scope, io::Result<()>>);

struct EarlySync<'scope, 'env> {
    file: &'env File,
    scope: &'scope Scope<'scope, 'env>,
    /// Bytes written since the last request.
    unsynced: usize,
    /// Started at the first request: a small file never starts it.
    syncer: Option<Syncer<'scope>>,
}

impl EarlySync<'_, '_> {
    /// Asks for a sync; none is queued when one is already waiting.
    fn ask(&mut self) {
        let file = self.file;
        let (asker, _) = self.syncer.get_or_insert_with(|| {
            let (asker, asked) = std::sync::mpsc::sync_channel(1);
            let handle = self.scope.spawn(move || sync_when_asked(file, &asked));
            (asker, handle)
        });
        match asker.try_send(()) {
            Ok(()) | Err(TrySendError::Full(())) => {}
            // The thread ended on an error: `stop` reports it.
            Err(TrySendError::Disconnected(())) => {}
        }
        self.unsynced = 0;
    }

    /// Stops the syncing thread, with its first error.
    fn stop(&mut self) -> io::Result<()> {
        match self.syncer.take() {
            Some((asker, handle)) => {
                drop(asker);
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
            None => Ok(()),
        }
    }
}

fn sync_when_asked(file: &File, asked: &Receiver<()>) -> io::Result<()> {
    for () in asked {
        file.sync_data()?;
    }
    Ok(())
}

impl Write for EarlySync<'_, '_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = (&*self.file).write(bytes)?;
        self.unsynced += written;
        if self.unsynced >= SYNC_EVERY {
            self.ask();
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes written in uneven pieces through several sync requests arrive whole and in order.
    #[test]
    fn a_large_file_is_written_whole_while_synced() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let expected: Vec<u8> = (0..3 * SYNC_EVERY + 12_345)
            .map(|index| (index % 251) as u8)
            .collect();
        write(file.as_file(), |out| {
            for piece in expected.chunks((1 << 20) + 17) {
                out.write_all(piece)?;
            }
            Ok(())
        })
        .unwrap();
        let written = std::fs::read(file.path()).unwrap();
        assert_eq!(written.len(), expected.len());
        assert!(written == expected);
    }

    /// The producer's error is returned, the syncing thread stopped.
    #[test]
    fn the_producers_error_is_returned() {
        let file = tempfile::tempfile().unwrap();
        let error = write(&file, |out| {
            out.write_all(&vec![7; SYNC_EVERY + 1])?;
            Err(io::Error::other("no more rows"))
        })
        .unwrap_err();
        assert_eq!(error.to_string(), "no more rows");
    }
}
