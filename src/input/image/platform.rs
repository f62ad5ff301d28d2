//! Platforms (`OS/ARCH[/VARIANT]`) and how an index entry's platform is matched against the one
//! asked for, after normalising architecture aliases and ARM variants the way containerd does
//! (`armv7` → `v7`, `arm` → `arm/v7`, `arm64` → `arm64/v8`, `aarch64` → `arm64`).

use crate::model::values::Refusal;
use std::fmt;

/// The platform to select from an index (`--platform`); linux/amd64 by default.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Default for Platform {
    fn default() -> Self {
        Platform {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None,
        }
    }
}

impl Platform {
    /// Parses `linux/amd64`, `linux/arm/v7`, `linux/arm64/v8`.
    pub fn parse(text: &str) -> Result<Platform, Refusal> {
        let parts: Vec<&str> = text.trim().split('/').collect();
        let bad = || Refusal::new("is not a platform", "OS/ARCH[/VARIANT]").example("linux/arm/v7");
        if parts.iter().any(|part| part.is_empty()) {
            return Err(bad());
        }
        match parts.as_slice() {
            [os, architecture] => Ok(Platform {
                os: os.to_string(),
                architecture: architecture.to_string(),
                variant: None,
            }),
            [os, architecture, variant] => Ok(Platform {
                os: os.to_string(),
                architecture: architecture.to_string(),
                variant: Some(variant.to_string()),
            }),
            _ => Err(bad()),
        }
    }

    /// Whether an index entry's platform is this one, after normalisation. A platform asked for
    /// without a variant matches the architecture's default variant (arm → v7, arm64 → v8), or
    /// any variant for architectures without one.
    pub fn matches(&self, os: &str, architecture: &str, variant: Option<&str>) -> bool {
        let (want_arch, want_variant) = normalise(&self.architecture, self.variant.as_deref());
        let (have_arch, have_variant) = normalise(architecture, variant);
        if !self.os.eq_ignore_ascii_case(os) || want_arch != have_arch {
            return false;
        }
        match want_variant {
            None => true,
            Some(want) => have_variant.as_deref() == Some(want.as_str()),
        }
    }
}

impl std::str::FromStr for Platform {
    type Err = Refusal;

    /// As [`Platform::parse`], for clap's `value_parser`.
    fn from_str(text: &str) -> Result<Platform, Refusal> {
        Platform::parse(text)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

/// `os/arch[/variant]` as written in an index entry.
pub(crate) fn describe(os: &str, architecture: &str, variant: Option<&str>) -> String {
    match variant {
        Some(variant) if !variant.is_empty() => format!("{os}/{architecture}/{variant}"),
        _ => format!("{os}/{architecture}"),
    }
}

fn normalise(architecture: &str, variant: Option<&str>) -> (String, Option<String>) {
    let architecture = architecture.to_ascii_lowercase();
    let variant = variant
        .filter(|v| !v.is_empty())
        .map(|v| v.to_ascii_lowercase());
    let (architecture, variant) = match architecture.as_str() {
        "x86_64" | "x86-64" => ("amd64".to_string(), variant),
        "i386" | "x86" => ("386".to_string(), variant),
        "aarch64" => ("arm64".to_string(), variant),
        "armhf" => ("arm".to_string(), Some("v7".to_string())),
        "armel" => ("arm".to_string(), Some("v6".to_string())),
        _ => (architecture, variant),
    };
    // `armv7`, `7` and `v7` all mean v7.
    let variant = variant.map(|v| {
        let digits = v.strip_prefix("arm").unwrap_or(&v);
        if digits.starts_with(|c: char| c.is_ascii_digit()) {
            format!("v{digits}")
        } else {
            digits.to_string()
        }
    });
    let variant = match architecture.as_str() {
        "arm" => variant.or(Some("v7".to_string())),
        "arm64" => variant.or(Some("v8".to_string())),
        _ => variant,
    };
    (architecture, variant)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        let p = Platform::parse("linux/arm/v7").unwrap();
        assert_eq!(p.variant.as_deref(), Some("v7"));
        assert_eq!(p.to_string(), "linux/arm/v7");
        assert_eq!(Platform::parse("linux/amd64").unwrap(), Platform::default());
        assert_eq!(
            "linux/arm64".parse::<Platform>().unwrap().architecture,
            "arm64"
        );
        for bad in ["", "linux", "linux/", "/amd64", "a/b/c/d"] {
            let err = Platform::parse(bad).unwrap_err();
            assert!(err.expected.contains("OS/ARCH"), "{err}");
        }
    }

    #[test]
    fn variants_are_normalised() {
        let armv7 = Platform::parse("linux/arm/v7").unwrap();
        assert!(armv7.matches("linux", "arm", Some("v7")));
        assert!(armv7.matches("linux", "arm", Some("armv7")));
        assert!(armv7.matches("linux", "arm", None));
        assert!(!armv7.matches("linux", "arm", Some("v6")));
        let arm = Platform::parse("linux/arm").unwrap();
        assert!(arm.matches("linux", "arm", Some("v7")));
        assert!(!arm.matches("linux", "arm", Some("v6")));
        let arm64 = Platform::parse("linux/arm64").unwrap();
        assert!(arm64.matches("linux", "arm64", Some("v8")));
        assert!(arm64.matches("linux", "aarch64", None));
        assert!(arm64.matches("linux", "arm64", Some("armv8")));
        let amd64 = Platform::default();
        assert!(amd64.matches("linux", "x86_64", None));
        assert!(!amd64.matches("windows", "amd64", None));
        assert!(!amd64.matches("unknown", "unknown", None));
    }
}
