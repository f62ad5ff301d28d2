//! From a manifest or index to one image manifest: nested indexes are followed by platform
//! ([`super::index::select_platform`]), loops between indexes are detected and never followed.
//! Where the documents come from is the caller's: a layout's blobs or a registry.

use super::error::Problem;
use super::index::{self, short};
use super::manifest::{self, Descriptor, Document, Manifest};
use super::platform::Platform;
use crate::model::image::Digest;

/// Nested indexes followed before giving up (real images use one or two).
const MAX_DEPTH: usize = 8;

/// The manifest an index chain leads to.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub manifest: Box<Manifest>,
    /// Said while parsing the manifest.
    pub parse_notes: Vec<String>,
    /// The platform of the index entry chosen, when there was one.
    pub platform: Option<String>,
}

/// Follows `start` (a manifest, or an index to choose from by `wanted`) to one manifest.
/// `fetch(descriptor, digest, what)` returns a document's bytes, checked against the descriptor;
/// `notes` gets what the choices should tell the reader.
pub(crate) fn follow<E: From<Problem>>(
    start: Descriptor,
    wanted: &Platform,
    notes: &mut Vec<String>,
    mut fetch: impl FnMut(&Descriptor, &Digest, &str) -> Result<Vec<u8>, E>,
) -> Result<Resolved, E> {
    let mut descriptor = start;
    let mut platform = descriptor.platform.as_ref().map(|p| p.describe());
    let mut followed: Vec<String> = Vec::new();
    loop {
        let looped = followed.contains(&descriptor.digest);
        if looped || followed.len() > MAX_DEPTH {
            followed.push(descriptor.digest.clone());
            let chain: Vec<String> = followed.iter().map(|d| short(d)).collect();
            return Err(Problem::Loop(if looped {
                format!(
                    "indexes refer to each other in a loop ({}); not followed",
                    chain.join(" → ")
                )
            } else {
                format!(
                    "an index chain of more than {MAX_DEPTH} nested indexes ({}); not followed",
                    chain.join(" → ")
                )
            })
            .into());
        }
        followed.push(descriptor.digest.clone());
        if index::is_schema1_type(&descriptor.media_type) {
            return Err(Problem::Schema1.into());
        }
        let what = if index::is_index_type(&descriptor.media_type) {
            "index"
        } else {
            "manifest"
        };
        let digest = descriptor.parsed_digest(what)?;
        let bytes = fetch(&descriptor, &digest, what)?;
        match manifest::parse_document(&bytes)
            .map_err(|p| within(&format!("{what} {}", digest.short()), p))?
        {
            Document::Index(child) => {
                let (entries, skipped) = index::image_entries(&child);
                notes.extend(skipped);
                let choice = index::select_platform(&entries, wanted)?;
                notes.extend(choice.notes);
                descriptor = choice.descriptor.clone();
                platform = descriptor
                    .platform
                    .as_ref()
                    .map(|p| p.describe())
                    .or(platform);
            }
            Document::Manifest {
                manifest,
                notes: parse_notes,
            } => {
                if let Some(actual) = &manifest.media_type
                    && *actual != descriptor.media_type
                {
                    notes.push(format!(
                        "the index calls manifest {} {} but it says {actual}; read as {actual}",
                        digest.short(),
                        descriptor.media_type
                    ));
                }
                return Ok(Resolved {
                    manifest,
                    parse_notes,
                    platform,
                });
            }
        }
    }
}

/// Says which document a parse problem is in.
pub(crate) fn within(document: &str, problem: Problem) -> Problem {
    match problem {
        Problem::Invalid { what, message } => Problem::Invalid {
            what: format!("{what} in {document}"),
            message,
        },
        Problem::NotAnImage(message) => Problem::NotAnImage(format!("{document}: {message}")),
        other => other,
    }
}
