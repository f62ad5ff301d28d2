//! dive's CI file (`.dive-ci`), read for `check --dive-ci`: YAML with a `rules:` map of dive's
//! keys (`lowestEfficiency`, `highestWastedBytes`, `highestUserWastedPercent`), or dive 0.13's
//! top-level keys (`lowest-efficiency-threshold`, `highest-wasted-bytes`,
//! `highest-user-wasted-percent`). As in dive, a rule the file leaves out takes dive's default
//! (0.9, disabled, 0.1). dive's plugin placeholders (`plugins:` and `rules:` keys such as
//! `plugin1/rule1`) are accepted and ignored, as dive ignores them; any other key is refused.
//!
//! The file comes from a pull request, so it is read within [`MAX_DIVE_CI_BYTES`].

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};

use crate::calc::dive::{self, DiveRule, Limit};
use crate::error::{Error, Place};
use crate::model::values::quote;

use super::limits::read_capped;

/// The largest dive CI file read: 64 KiB (dive's own is under 1 KiB).
pub const MAX_DIVE_CI_BYTES: u64 = 64 * 1024;

/// The rules a dive CI file sets, in dive's order, with where each came from.
#[derive(Debug, Clone, PartialEq)]
pub struct DiveCi {
    pub path: PathBuf,
    /// Each rule's threshold, and whether the file set it (else dive's default).
    pub rules: Vec<(DiveRule, Limit, bool)>,
    /// dive's plugin placeholders, ignored.
    pub ignored: Vec<String>,
}

/// A scalar as dive's YAML decoder turns it into a string: `0.95`, `20Mb`, `false`.
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, a size or disabled")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(String::new()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

const RULE_KEYS: &[&str] = &[
    "lowestEfficiency",
    "highestWastedBytes",
    "highestUserWastedPercent",
];

/// The `rules:` map: dive's three keys, and plugin placeholders (`NAME/RULE`).
#[derive(Default)]
struct RulesMap {
    set: Vec<(DiveRule, String)>,
    ignored: Vec<String>,
}

impl<'de> Deserialize<'de> for RulesMap {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<RulesMap, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RulesMap;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of dive's rules")
            }
            fn visit_unit<E: de::Error>(self) -> Result<RulesMap, E> {
                Ok(RulesMap::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RulesMap, A::Error> {
                let mut rules = RulesMap::default();
                while let Some(key) = map.next_key::<String>()? {
                    let rule = DiveRule::ALL.into_iter().find(|r| r.key() == key);
                    match rule {
                        Some(rule) => {
                            if rules.set.iter().any(|(r, _)| *r == rule) {
                                return Err(de::Error::duplicate_field(rule.key()));
                            }
                            let Text(text) = map.next_value()?;
                            rules.set.push((rule, text));
                        }
                        None if key.contains('/') => {
                            map.next_value::<de::IgnoredAny>()?;
                            rules.ignored.push(format!("rules.{key}"));
                        }
                        None => return Err(de::Error::unknown_field(&key, RULE_KEYS)),
                    }
                }
                Ok(rules)
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    rules: Option<RulesMap>,
    /// dive's plugin placeholder, ignored as dive ignores it.
    #[serde(default)]
    plugins: Option<de::IgnoredAny>,
    #[serde(rename = "lowest-efficiency-threshold", default)]
    lowest_efficiency_threshold: Option<Text>,
    #[serde(rename = "highest-wasted-bytes", default)]
    highest_wasted_bytes: Option<Text>,
    #[serde(rename = "highest-user-wasted-percent", default)]
    highest_user_wasted_percent: Option<Text>,
}

/// The 1-based line of the first line starting (after spaces) with `key:`, for messages.
fn line_of(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|index| index + 1)
}

/// Reads and checks the dive CI file at `path`.
pub fn read(path: &Path) -> Result<DiveCi, Error> {
    let whole = |message: String| Error::Input {
        place: Place::File {
            path: path.to_path_buf(),
            line: None,
            field: None,
        },
        message,
    };
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes = read_capped(file, MAX_DIVE_CI_BYTES)
        .map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?
        .ok_or_else(|| {
            whole(format!(
                "is larger than {MAX_DIVE_CI_BYTES} bytes, the most fleetsave reads of a dive \
                 CI file"
            ))
        })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| whole("is not UTF-8 text; save it as UTF-8".to_string()))?;
    parse(path, &text)
}

/// Parses the text of a dive CI file read from `path`.
pub fn parse(path: &Path, text: &str) -> Result<DiveCi, Error> {
    let file: File = if text.trim().is_empty() {
        serde_yaml_ng::from_str("{}")
    } else {
        serde_yaml_ng::from_str(text)
    }
    .map_err(|error| {
        let line = error.location().map(|l| l.line());
        let message = error.to_string();
        // serde names an unknown key as "unknown field `KEY`, expected …".
        let field = message
            .split_once("unknown field `")
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(key, _)| key.to_string());
        // An error inside a map is placed at the map's start: the key's own line is better.
        let line = field.as_deref().and_then(|key| line_of(text, key)).or(line);
        let message = match &field {
            Some(key) => format!(
                "has an unknown key {}: dive's CI file takes rules: with lowestEfficiency, \
                 highestWastedBytes and highestUserWastedPercent",
                quote(key)
            ),
            None => format!("is not a dive CI file: {}", strip_location(&message)),
        };
        Error::Input {
            place: Place::File {
                path: path.to_path_buf(),
                line,
                field,
            },
            message,
        }
    })?;
    let _ = file.plugins;
    let mut ignored = Vec::new();
    let mut given: Vec<(DiveRule, String, &str)> = Vec::new();
    if let Some(rules) = file.rules {
        ignored = rules.ignored;
        given.extend(
            rules
                .set
                .into_iter()
                .map(|(rule, text)| (rule, text, rule.key())),
        );
    }
    for (rule, value, key) in [
        (
            DiveRule::LowestEfficiency,
            file.lowest_efficiency_threshold,
            "lowest-efficiency-threshold",
        ),
        (
            DiveRule::HighestWastedBytes,
            file.highest_wasted_bytes,
            "highest-wasted-bytes",
        ),
        (
            DiveRule::HighestUserWastedPercent,
            file.highest_user_wasted_percent,
            "highest-user-wasted-percent",
        ),
    ] {
        if let Some(Text(value)) = value {
            if given.iter().any(|(r, _, _)| *r == rule) {
                return Err(Error::Input {
                    place: Place::File {
                        path: path.to_path_buf(),
                        line: line_of(text, key),
                        field: Some(key.to_string()),
                    },
                    message: format!("sets {} a second time", rule.key()),
                });
            }
            given.push((rule, value, key));
        }
    }
    let mut rules = Vec::new();
    for rule in DiveRule::ALL {
        let (value, set) = match given.iter().find(|(r, _, _)| *r == rule) {
            Some((_, value, key)) => {
                let limit = dive::limit(rule, value).map_err(|refusal| Error::Input {
                    place: Place::File {
                        path: path.to_path_buf(),
                        line: line_of(text, key),
                        field: Some((*key).to_string()),
                    },
                    message: format!(
                        "{} {}; expected {}{}",
                        quote(value),
                        refusal.problem,
                        refusal.expected,
                        refusal
                            .example
                            .map(|e| format!(", e.g. {key}: {e}"))
                            .unwrap_or_default()
                    ),
                })?;
                (limit, true)
            }
            None => (
                dive::limit(rule, rule.dive_default()).expect("dive's defaults parse"),
                false,
            ),
        };
        rules.push((rule, value, set));
    }
    Ok(DiveCi {
        path: path.to_path_buf(),
        rules,
        ignored,
    })
}

/// serde_yaml_ng's message without its ` at line L column C` (the place says it).
fn strip_location(message: &str) -> &str {
    message
        .split_once(" at line ")
        .map_or(message, |(head, _)| head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calc::dive::Threshold;

    fn parsed(text: &str) -> Result<DiveCi, Error> {
        parse(Path::new(".dive-ci"), text)
    }

    #[test]
    fn dives_own_file() {
        let text = "---\nplugins:\n  - plugin1\n\nrules:\n  lowestEfficiency: 0.95\n  \
                    highestWastedBytes: 20Mb\n  highestUserWastedPercent: 0.5\n  \
                    plugin1/rule1: error\n";
        let ci = parsed(text).unwrap();
        assert_eq!(
            ci.rules
                .iter()
                .map(|(r, l, set)| (*r, l.threshold, *set))
                .collect::<Vec<_>>(),
            vec![
                (
                    DiveRule::LowestEfficiency,
                    Some(Threshold::Ratio(0.95)),
                    true
                ),
                (
                    DiveRule::HighestWastedBytes,
                    Some(Threshold::Bytes(20_000_000)),
                    true
                ),
                (
                    DiveRule::HighestUserWastedPercent,
                    Some(Threshold::Ratio(0.5)),
                    true
                ),
            ]
        );
        assert_eq!(ci.ignored, vec!["rules.plugin1/rule1"]);
    }

    #[test]
    fn left_out_rules_take_dives_defaults_and_disabled_is_honoured() {
        let ci =
            parsed("rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: off\n").unwrap();
        let thresholds: Vec<_> = ci
            .rules
            .iter()
            .map(|(_, l, set)| (l.threshold, *set))
            .collect();
        assert_eq!(
            thresholds,
            vec![
                (None, true),
                (None, true),
                (Some(Threshold::Ratio(0.1)), false)
            ]
        );
        assert_eq!(parsed("").unwrap().rules.len(), 3);
        let modern = parsed("lowest-efficiency-threshold: 0.5\n").unwrap();
        assert_eq!(modern.rules[0].1.threshold, Some(Threshold::Ratio(0.5)));
        let falsy = parsed("rules:\n  lowestEfficiency: false\n").unwrap();
        assert_eq!(falsy.rules[0].1.threshold, None);
    }

    #[test]
    fn unknown_keys_and_bad_values_name_file_line_and_key() {
        let cases = [
            (
                "rules:\n  lowestEfficiency: 0.9\n  lowestEficiency: 0.8\n",
                3,
                "lowestEficiency",
            ),
            ("rules:\n  lowestEfficiency: 0.9\nrulez: {}\n", 3, "rulez"),
            (
                "rules:\n\n  highestWastedBytes: lots\n",
                3,
                "highestWastedBytes",
            ),
            ("rules:\n  lowestEfficiency: 1.1\n", 2, "lowestEfficiency"),
        ];
        for (text, line, key) in cases {
            let error = parsed(text).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{text}");
            match &error {
                Error::Input {
                    place:
                        Place::File {
                            line: l, field: f, ..
                        },
                    ..
                } => {
                    assert_eq!(*l, Some(line), "{text}: {error}");
                    assert_eq!(f.as_deref(), Some(key), "{text}: {error}");
                }
                other => panic!("{other:?}"),
            }
        }
        for bad in [
            "rules: [1, 2]\n",
            "rules:\n  lowestEfficiency: [0.9]\n",
            "a: b: c\n",
            "\t- x",
        ] {
            assert_eq!(parsed(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn a_file_too_large_is_refused_before_parsing() {
        let dir = std::env::temp_dir().join(format!("fleetsave-dive-ci-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(".dive-ci");
        std::fs::write(&path, "#".repeat(MAX_DIVE_CI_BYTES as usize + 1)).unwrap();
        let error = read(&path).unwrap_err();
        assert!(error.to_string().contains("larger than"), "{error}");
        assert_eq!(error.exit_code(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
