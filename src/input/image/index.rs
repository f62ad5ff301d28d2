//! Choosing one entry of an image index or manifest list: by tag (`org.opencontainers.image.ref.name`)
//! and by platform. Attestation and builder entries (`unknown/unknown`, or any
//! `vnd.docker.reference.type` annotation) are never chosen; entries of unknown media types are
//! skipped, as the OCI spec requires; when several entries match, the first in index order is
//! taken and a note says so.

use std::collections::HashSet;

use super::error::Problem;
use super::manifest::{Descriptor, Index};
use super::media_types::{self, DocumentType};
use super::platform::Platform;

const REF_NAME: &str = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME: &str = "io.containerd.image.name";

/// An entry chosen from an index, with what the choice should tell the reader.
#[derive(Debug)]
pub(crate) struct Choice<'a> {
    pub descriptor: &'a Descriptor,
    pub notes: Vec<String>,
}

/// Whether an entry is attestation or builder data rather than an image.
pub(crate) fn is_attestation(descriptor: &Descriptor) -> bool {
    let unknown_platform = descriptor
        .platform
        .as_ref()
        .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown");
    unknown_platform || descriptor.annotation("vnd.docker.reference.type").is_some()
}

/// The entries that can lead to an image (manifests and nested indexes, attestations excluded),
/// and notes on what was skipped.
pub(crate) fn image_entries(index: &Index) -> (Vec<&Descriptor>, Vec<String>) {
    let mut entries = Vec::new();
    let mut notes = Vec::new();
    let mut attestations = 0;
    for descriptor in &index.manifests {
        match media_types::document_type(&descriptor.media_type) {
            DocumentType::Other => notes.push(format!(
                "index entry {} of media type {} skipped (not a manifest or index)",
                short(&descriptor.digest),
                descriptor.media_type
            )),
            _ if is_attestation(descriptor) => attestations += 1,
            _ => entries.push(descriptor),
        }
    }
    if attestations > 0 {
        notes.push(format!(
            "{attestations} attestation/builder entr{} (unknown/unknown) not counted as images",
            if attestations == 1 { "y" } else { "ies" }
        ));
    }
    if let Some(subject) = &index.subject
        && index
            .manifests
            .iter()
            .any(|entry| entry.digest == subject.digest)
    {
        notes.push(format!(
            "the index's subject {} is also one of its entries (a referrer loop); the subject is not followed",
            short(&subject.digest)
        ));
    }
    (entries, notes)
}

/// The platforms of the entries, in index order, each once (`none` when there are none).
pub(crate) fn platforms_present(entries: &[&Descriptor]) -> String {
    let mut seen = HashSet::new();
    let list: Vec<String> = entries
        .iter()
        .map(|d| {
            d.platform
                .as_ref()
                .map_or_else(|| "(no platform)".to_string(), |p| p.describe())
        })
        .filter(|p| seen.insert(p.clone()))
        .collect();
    if list.is_empty() {
        "none".to_string()
    } else {
        list.join(", ")
    }
}

/// The entry for `wanted`: the first matching entry in index order; failing that the first entry
/// without a platform (layouts often omit it). An error lists the platforms present.
pub(crate) fn select_platform<'a>(
    entries: &[&'a Descriptor],
    wanted: &Platform,
) -> Result<Choice<'a>, Problem> {
    let matching: Vec<&Descriptor> = entries
        .iter()
        .copied()
        .filter(|d| {
            d.platform
                .as_ref()
                .is_some_and(|p| wanted.matches(&p.os, &p.architecture, p.variant.as_deref()))
        })
        .collect();
    let mut notes = Vec::new();
    let descriptor = if let Some(first) = matching.first() {
        if matching.len() > 1 {
            notes.push(format!(
                "{} index entries match {wanted}; took the first in index order ({})",
                matching.len(),
                short(&first.digest)
            ));
        }
        *first
    } else if let Some(first) = entries.iter().find(|d| d.platform.is_none()) {
        notes.push(format!(
            "index entry {} has no platform; taken as {wanted}",
            short(&first.digest)
        ));
        *first
    } else {
        return Err(Problem::NoPlatform {
            wanted: wanted.to_string(),
            present: platforms_present(entries),
        });
    };
    Ok(Choice { descriptor, notes })
}

/// The tag of an entry: its `org.opencontainers.image.ref.name`, or the tag of a containerd image
/// name.
pub(crate) fn tag_of(descriptor: &Descriptor) -> Option<&str> {
    if let Some(name) = descriptor.annotation(REF_NAME) {
        return Some(name);
    }
    let name = descriptor.annotation(CONTAINERD_NAME)?;
    let (repository, tag) = name.rsplit_once(':')?;
    (!tag.contains('/') && !repository.is_empty()).then_some(tag)
}

/// The entries tagged `tag`; an error lists the tags present.
pub(crate) fn with_tag<'a>(
    entries: &[&'a Descriptor],
    tag: &str,
) -> Result<Vec<&'a Descriptor>, Problem> {
    let tagged: Vec<&Descriptor> = entries
        .iter()
        .copied()
        .filter(|d| tag_of(d) == Some(tag))
        .collect();
    if tagged.is_empty() {
        return Err(Problem::NoTag {
            tag: tag.to_string(),
            present: tags_present(entries),
        });
    }
    Ok(tagged)
}

/// The tags of the entries, in order (`none` when untagged).
pub(crate) fn tags_present(entries: &[&Descriptor]) -> String {
    let tags: Vec<&str> = entries.iter().filter_map(|d| tag_of(d)).collect();
    if tags.is_empty() {
        "none".to_string()
    } else {
        tags.join(", ")
    }
}

/// The entry of a layout's top-level `index.json` to follow: all entries (after the tag filter)
/// point at one image, or they carry platforms to choose from; otherwise the choice is the
/// user's and the error lists the tags.
pub(crate) fn select_root<'a>(
    entries: &[&'a Descriptor],
    tag: Option<&str>,
    wanted: &Platform,
) -> Result<Choice<'a>, Problem> {
    let candidates = match tag {
        Some(tag) => with_tag(entries, tag)?,
        None => entries.to_vec(),
    };
    let distinct: HashSet<&str> = candidates.iter().map(|d| d.digest.as_str()).collect();
    match candidates.first() {
        None => Err(Problem::NotAnImage(
            "an image layout whose index.json lists no images".into(),
        )),
        Some(first) if distinct.len() == 1 => Ok(Choice {
            descriptor: first,
            notes: vec![],
        }),
        Some(_) if candidates.iter().any(|d| d.platform.is_some()) => {
            select_platform(&candidates, wanted)
        }
        Some(_) => Err(Problem::SeveralImages {
            count: distinct.len(),
            tags: tags_present(&candidates),
        }),
    }
}

/// Whether a media type is an index or manifest list.
pub(crate) fn is_index_type(media_type: &str) -> bool {
    media_types::document_type(media_type) == DocumentType::Index
}

/// Whether a media type is a Docker schema 1 manifest (which cannot be read).
pub(crate) fn is_schema1_type(media_type: &str) -> bool {
    media_types::document_type(media_type) == DocumentType::Schema1
}

/// `sha256:0123456789ab` of a digest text, whatever it holds.
pub(crate) fn short(digest: &str) -> String {
    digest.chars().take(19).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::image::manifest::{Document, parse_document};

    fn index(json: &str) -> Index {
        match parse_document(json.as_bytes()).unwrap() {
            Document::Index(index) => index,
            other => panic!("not an index: {other:?}"),
        }
    }

    fn entry(digest: char, platform: Option<&str>, tag: Option<&str>) -> String {
        let platform = platform.map_or(String::new(), |p| {
            let parts: Vec<&str> = p.split('/').collect();
            format!(
                r#","platform":{{"os":"{}","architecture":"{}"}}"#,
                parts[0], parts[1]
            )
        });
        let tag = tag.map_or(String::new(), |t| {
            format!(r#","annotations":{{"{REF_NAME}":"{t}"}}"#)
        });
        format!(
            r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,"digest":"sha256:{}"{platform}{tag}}}"#,
            digest.to_string().repeat(64)
        )
    }

    fn index_of(entries: &[String]) -> Index {
        index(&format!(
            r#"{{"schemaVersion":2,"manifests":[{}]}}"#,
            entries.join(",")
        ))
    }

    #[test]
    fn root_with_one_image_or_a_tag() {
        let one = index_of(&[entry('a', None, Some("v1"))]);
        let (entries, _) = image_entries(&one);
        let choice = select_root(&entries, None, &Platform::default()).unwrap();
        assert!(choice.descriptor.digest.ends_with('a'));

        let two = index_of(&[entry('a', None, Some("v1")), entry('b', None, Some("v2"))]);
        let (entries, _) = image_entries(&two);
        let err = select_root(&entries, None, &Platform::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "holds 2 images (v1, v2); choose one with PATH:TAG"
        );
        let choice = select_root(&entries, Some("v2"), &Platform::default()).unwrap();
        assert!(choice.descriptor.digest.ends_with('b'));
        let err = select_root(&entries, Some("v3"), &Platform::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no image tagged 'v3'; tags present: v1, v2"
        );
    }

    #[test]
    fn platform_falls_back_to_entries_without_one() {
        let idx = index_of(&[
            entry('a', Some("linux/s390x"), None),
            entry('b', None, None),
        ]);
        let (entries, _) = image_entries(&idx);
        let choice = select_platform(&entries, &Platform::default()).unwrap();
        assert!(choice.descriptor.digest.ends_with('b'));
        assert!(choice.notes[0].contains("has no platform"));
        let only = index_of(&[entry('a', Some("linux/s390x"), None)]);
        let (entries, _) = image_entries(&only);
        let err = select_platform(&entries, &Platform::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no image for platform linux/amd64 in this index; platforms present: linux/s390x"
        );
    }
}
