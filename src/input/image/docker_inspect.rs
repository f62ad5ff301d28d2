//! `docker inspect IMAGE` (and `podman image inspect`) output: a JSON array of image objects whose
//! `Size` is the disk size (file contents only, a few percent below the tar length; docs/model.md#units-and-bases).
//! It has no blobs, so wire bytes and layer sizes are unknown.

use serde::Deserialize;

use super::error::Problem;
use super::platform;
use super::repo_tags;
use crate::model::image::{Image, SourceKind};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Inspected {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    size: u64,
    #[serde(default)]
    os: Option<String>,
    #[serde(default)]
    architecture: Option<String>,
    #[serde(default)]
    variant: Option<String>,
    /// Any JSON value (only a string is taken): a malformed time never refuses the file.
    #[serde(default)]
    created: Option<serde_json::Value>,
}

/// Whether a JSON value looks like `docker inspect` output (an object, or array of objects,
/// with `Id` and `Size`).
pub(crate) fn looks_like(value: &serde_json::Value) -> bool {
    let object = match value {
        serde_json::Value::Array(items) => items.first(),
        other => Some(other),
    };
    object.is_some_and(|o| o.get("Id").is_some() && o.get("Size").is_some())
}

/// The image of `docker inspect` output, chosen by `tag` when it lists several.
pub(crate) fn read(
    value: serde_json::Value,
    source: String,
    tag: Option<&str>,
) -> Result<Image, Problem> {
    let value = match value {
        serde_json::Value::Array(items) => serde_json::Value::Array(items),
        object => serde_json::Value::Array(vec![object]),
    };
    let images: Vec<Inspected> = serde_json::from_value(value).map_err(|e| Problem::Invalid {
        what: "docker inspect output".into(),
        message: e.to_string(),
    })?;
    let chosen = repo_tags::choose(
        &images,
        |image| image.repo_tags.as_deref().unwrap_or_default(),
        tag,
        "docker inspect output",
    )?;
    let platform = match (&chosen.os, &chosen.architecture) {
        (Some(os), Some(arch)) => Some(platform::describe(os, arch, chosen.variant.as_deref())),
        _ => None,
    };
    let mut notes = vec![
        "docker inspect gives the disk size only (file contents, a few percent below the layer tar length); wire bytes and layers are unknown"
            .to_string(),
    ];
    if let Some(id) = &chosen.id {
        notes.push(format!("image {id}"));
    }
    Ok(Image {
        source,
        kind: SourceKind::DockerInspect,
        platform,
        is_artifact: false,
        referrer_of: None,
        config: None,
        layers: Vec::new(),
        reported_disk_bytes: Some(chosen.size),
        wire_known: false,
        notes,
        history: None,
        created: chosen
            .created
            .as_ref()
            .and_then(|created| created.as_str())
            .map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_size_of_one_image() {
        let value = serde_json::json!([{"Id": "sha256:ab", "RepoTags": ["app:1"], "Size": 1234, "Os": "linux", "Architecture": "arm64", "Variant": "v8"}]);
        assert!(looks_like(&value));
        let image = read(value, "x.json".into(), None).unwrap();
        assert_eq!(image.disk_bytes(), Some(1234));
        assert_eq!(image.wire_bytes(), None);
        assert_eq!(image.platform.as_deref(), Some("linux/arm64/v8"));
    }

    #[test]
    fn several_images_need_a_tag() {
        let value = serde_json::json!([{"Id": "a", "RepoTags": ["a:1"], "Size": 1}, {"Id": "b", "RepoTags": ["b:2"], "Size": 2}]);
        let err = read(value.clone(), "x".into(), None).unwrap_err();
        assert!(err.to_string().contains("a:1, b:2"), "{err}");
        assert_eq!(
            read(value, "x".into(), Some("2")).unwrap().disk_bytes(),
            Some(2)
        );
    }
}
