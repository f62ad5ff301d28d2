//! The few fields of an image config fleetsave reads: the platform, the layer diff IDs
//! (docker save names layers by them), the history and the creation time. Unknown fields are ignored.

use serde::Deserialize;

use super::platform;
use crate::model::files::HistoryEntry;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ImageConfig {
    #[serde(default)]
    pub architecture: Option<String>,
    #[serde(default)]
    pub os: Option<String>,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub rootfs: Option<RootFs>,
    #[serde(default)]
    pub history: Option<Vec<History>>,
    /// When the image was made (RFC 3339), as the builder wrote it; any JSON value is
    /// accepted here (only a string is taken), so a malformed time never loses the rest.
    #[serde(default)]
    created: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct History {
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub empty_layer: bool,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RootFs {
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

impl ImageConfig {
    /// Parses a config; `None` when it is not a JSON object of this shape (artifact configs).
    pub fn parse(bytes: &[u8]) -> Option<ImageConfig> {
        serde_json::from_slice(bytes).ok()
    }

    /// The `history` entries, when the config has them.
    pub fn history(&self) -> Option<Vec<HistoryEntry>> {
        self.history.as_ref().map(|entries| {
            entries
                .iter()
                .map(|entry| HistoryEntry {
                    created_by: entry.created_by.clone(),
                    empty_layer: entry.empty_layer,
                })
                .collect()
        })
    }

    /// The `created` time as written, when it is a string.
    pub fn created(&self) -> Option<String> {
        self.created.as_ref()?.as_str().map(str::to_string)
    }

    /// `os/arch[/variant]` when both are given.
    pub fn platform(&self) -> Option<String> {
        match (&self.os, &self.architecture) {
            (Some(os), Some(architecture)) if !os.is_empty() && !architecture.is_empty() => Some(
                platform::describe(os, architecture, self.variant.as_deref()),
            ),
            _ => None,
        }
    }
}

/// Takes the platform of an image's config into the image (artifacts' configs say nothing).
pub(crate) fn apply(image: &mut crate::model::image::Image, bytes: &[u8]) {
    if image.is_artifact {
        return;
    }
    let config = ImageConfig::parse(bytes);
    if let Some(platform) = config.as_ref().and_then(|c| c.platform()) {
        image.platform = Some(platform);
    }
    image.created = config.as_ref().and_then(ImageConfig::created);
    image.history = config.and_then(|c| c.history());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_time_that_is_not_a_string_loses_nothing_else() {
        let config = ImageConfig::parse(br#"{"os":"linux","architecture":"arm64","created":5}"#)
            .expect("parses");
        assert_eq!(config.created(), None);
        assert_eq!(config.platform().as_deref(), Some("linux/arm64"));
        let config = ImageConfig::parse(br#"{"created":"2026-01-01T00:00:00Z"}"#).expect("parses");
        assert_eq!(config.created().as_deref(), Some("2026-01-01T00:00:00Z"));
    }
}
