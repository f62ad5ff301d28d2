//! The builds `history` reads: a registry repository's tags (listed page by page, filtered, each
//! tag's manifest and config read a few at a time, the newest kept), or image sources given in
//! order. Only the kept builds' metadata is held: a repository of many tags costs a name each
//! while it is listed and one image's metadata per reader while it is read.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::registry::{self, Reference};
use super::sources::{self, SourceOptions};
use crate::error::{Error, Place};
use crate::model::image::Image;
use crate::model::values;

/// Manifest and config reads in flight at once.
pub const CONCURRENT_READS: usize = 6;
/// Matching tags read at most to find the newest (each a manifest and a config, a few KB; only
/// the newest `--last` are held).
pub const MAX_CANDIDATE_TAGS: usize = 10_000;

/// One build as read: its name (the tag, or the source as given) and its image.
#[derive(Debug, Clone)]
pub struct ReadBuild {
    pub name: String,
    pub image: Image,
    /// The config's `created`, in seconds since the Unix epoch, when it is a valid time.
    pub created: Option<f64>,
}

impl ReadBuild {
    fn new(name: String, image: Image) -> ReadBuild {
        let created = image.created.as_deref().and_then(values::epoch_seconds);
        ReadBuild {
            name,
            image,
            created,
        }
    }
}

/// Whether `text` names a whole repository: a registry reference with neither tag nor digest
/// (`ghcr.io/org/app`, `docker://app`), not an existing path.
pub fn repository_in(text: &str) -> Option<Reference> {
    let reference = registry::reference_in(text, Path::new("")).ok()??;
    let written = text.strip_prefix("docker://").unwrap_or(text);
    let last = written.rsplit('/').next().unwrap_or(written);
    (reference.digest.is_none() && !last.contains(':') && !written.contains('@'))
        .then_some(reference)
}

/// Reads the image sources in the order given.
pub fn read_sources(sources: &[&Path], options: &SourceOptions) -> Result<Vec<ReadBuild>, Error> {
    sources
        .iter()
        .map(|source| {
            let image = sources::read(source, Path::new(""), options, &Place::flag("SRC"))?;
            // The last part of the path (`layout:v2`, `app.tar`); the image keeps the whole.
            let name = source
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_else(|| source.display().to_string());
            Ok(ReadBuild::new(name, image))
        })
        .collect()
}

/// The `last` most recently created builds among the repository's tags that `keep` accepts,
/// oldest first (by the config's `created`; builds without one first, then by tag). `text` is
/// the repository as written.
pub fn read_repository(
    reference: &Reference,
    text: &str,
    keep: &dyn Fn(&str) -> bool,
    last: usize,
    options: &SourceOptions,
) -> Result<Vec<ReadBuild>, Error> {
    options.registry.named_on_command_line(&reference.registry);
    let tags = registry::list_tags(reference, &options.registry, keep)?;
    if tags.len() > MAX_CANDIDATE_TAGS {
        return Err(Error::Input {
            place: Place::Reference(text.to_string()),
            message: format!(
                "{} tags match; at most {MAX_CANDIDATE_TAGS} are read to find the newest: \
                 narrow them with --tags REGEX",
                tags.len()
            ),
        });
    }
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let kept: Mutex<Vec<ReadBuild>> = Mutex::new(Vec::new());
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    let base = text.trim_end_matches('/');
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENT_READS.min(tags.len()) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= tags.len() || failed.load(Ordering::Relaxed) {
                        return;
                    }
                    let tag = &tags[index];
                    let tagged = Reference {
                        tag: Some(tag.clone()),
                        digest: None,
                        ..reference.clone()
                    };
                    let source = format!("{base}:{tag}");
                    match registry::read_image(&tagged, &source, &options.read, &options.registry) {
                        Ok(image) => {
                            let mut kept = lock(&kept);
                            kept.push(ReadBuild::new(tag.clone(), image));
                            if kept.len() > last {
                                sort_by_created(&mut kept);
                                kept.remove(0);
                            }
                        }
                        Err(error) => {
                            failed.store(true, Ordering::Relaxed);
                            lock(&first_error).get_or_insert(error.into());
                            return;
                        }
                    }
                }
            });
        }
    });
    if let Some(error) = first_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(error);
    }
    let mut kept = kept.into_inner().unwrap_or_else(|e| e.into_inner());
    sort_by_created(&mut kept);
    Ok(kept)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Oldest first: by `created` (unknown first), then by name.
pub fn sort_by_created(builds: &mut [ReadBuild]) {
    builds.sort_by(|a, b| {
        let time = |build: &ReadBuild| build.created.unwrap_or(f64::NEG_INFINITY);
        time(a)
            .total_cmp(&time(b))
            .then_with(|| a.name.cmp(&b.name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repository_is_a_reference_without_tag_or_digest() {
        assert!(repository_in("ghcr.io/org/app").is_some());
        assert!(repository_in("127.0.0.1:5000/app").is_some());
        assert!(repository_in("docker://app").is_some());
        assert!(repository_in("ghcr.io/org/app:1").is_none());
        assert!(repository_in("127.0.0.1:5000/app:1").is_none());
        let digest = format!("ghcr.io/org/app@sha256:{}", "a".repeat(64));
        assert!(repository_in(&digest).is_none());
        assert!(repository_in("app.json").is_none());
        assert!(repository_in("python").is_none());
    }
}
