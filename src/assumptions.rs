//! The assumptions behind every figure (SPEC §3): defaults read from `data/assumptions.toml`,
//! overridden by an assumptions file (or an inventory's `[assumptions]` table) and then by flags.
//! Each value remembers where it came from and why, so every report can print it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Place};
use crate::model::NewNodes;
use crate::units::{self, Ratio};

/// The bundled defaults, with their sources.
const DEFAULTS_TOML: &str = include_str!("../data/assumptions.toml");

/// Where an assumption's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Default,
    File,
    Flag,
}

/// One assumption: its value, where it came from, and the source or reason for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Assumed<T> {
    pub value: T,
    pub origin: Origin,
    pub source: String,
}

/// A `--pricing` profile: a price per GB of transfer with its source.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Profile {
    pub price_per_gb: f64,
    pub source: String,
}

/// Every assumption in force for one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Assumptions {
    pub compression_ratio: Assumed<Ratio>,
    /// Bytes per second of download for one pull.
    pub bandwidth: Assumed<u64>,
    /// Disk bytes per second of decompression and extraction.
    pub extract_rate: Assumed<u64>,
    /// The pricing profile's name, or `custom` when a price was given directly.
    pub pricing: Assumed<String>,
    pub price_per_gb: Assumed<f64>,
    pub days_per_year: Assumed<u64>,
    /// Price per GB-month of registry storage.
    pub registry_storage_price: Assumed<f64>,
    pub retained_tags: Assumed<u64>,
    pub effort_hours: Option<Assumed<f64>>,
    pub hourly_rate: Option<Assumed<f64>>,
    /// Days between base-image refreshes (layer-aware model).
    pub base_refresh_days: Assumed<f64>,
    /// Share of a base image's bytes a refresh moves.
    pub base_refresh_fraction: Assumed<f64>,
    /// New nodes a day per pool (autoscaling, replacement).
    pub new_nodes_per_day: Assumed<NewNodes>,
    pub currency: String,
    pub profiles: BTreeMap<String, Profile>,
}

/// Values that replace defaults, all already validated. One `Overrides` comes from each layer
/// (file, flags); `label` says where, for the printed source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    pub compression_ratio: Option<Ratio>,
    pub bandwidth: Option<u64>,
    pub extract_rate: Option<u64>,
    pub pricing: Option<String>,
    pub price_per_gb: Option<f64>,
    pub days_per_year: Option<u64>,
    pub registry_storage_price: Option<f64>,
    pub retained_tags: Option<u64>,
    pub effort_hours: Option<f64>,
    pub hourly_rate: Option<f64>,
    pub base_refresh_days: Option<f64>,
    pub base_refresh_fraction: Option<f64>,
    pub new_nodes_per_day: Option<NewNodes>,
}

/// The keys an assumptions file (or an inventory's `[assumptions]` table) may set.
pub const KNOWN_KEYS: &[&str] = &[
    "compression_ratio",
    "bandwidth",
    "extract_rate",
    "pricing",
    "price_per_gb",
    "days_per_year",
    "registry_storage_price",
    "retained_tags",
    "effort_hours",
    "hourly_rate",
    "base_refresh_days",
    "base_refresh_fraction",
    "new_nodes_per_day",
];

#[derive(Deserialize)]
struct DefaultsFile {
    currency: String,
    compression_ratio: DefaultEntry<f64>,
    bandwidth: DefaultEntry<String>,
    extract_rate: DefaultEntry<String>,
    pricing: DefaultEntry<String>,
    days_per_year: DefaultEntry<u64>,
    registry_storage_price: DefaultEntry<f64>,
    retained_tags: DefaultEntry<u64>,
    base_refresh_days: DefaultEntry<f64>,
    base_refresh_fraction: DefaultEntry<f64>,
    new_nodes_per_day: DefaultEntry<String>,
    profiles: BTreeMap<String, Profile>,
}

#[derive(Deserialize)]
struct DefaultEntry<T> {
    value: T,
    source: String,
}

impl<T> DefaultEntry<T> {
    fn assumed<U>(self, convert: impl FnOnce(T) -> U) -> Assumed<U> {
        Assumed {
            value: convert(self.value),
            origin: Origin::Default,
            source: self.source,
        }
    }
}

impl Assumptions {
    /// The defaults of `data/assumptions.toml`. The file is part of the binary and checked by
    /// tests, so a failure here is a build defect, reported as an internal error.
    pub fn defaults() -> Result<Assumptions, Error> {
        let broken = |why: String| Error::Internal(format!("data/assumptions.toml: {why}"));
        let file: DefaultsFile =
            toml::from_str(DEFAULTS_TOML).map_err(|e| broken(e.to_string()))?;
        let ratio =
            Ratio::from_f64(file.compression_ratio.value).map_err(|e| broken(e.to_string()))?;
        let bandwidth =
            units::parse_rate(&file.bandwidth.value).map_err(|e| broken(e.to_string()))?;
        let extract_rate =
            units::parse_rate(&file.extract_rate.value).map_err(|e| broken(e.to_string()))?;
        let profile = file
            .profiles
            .get(&file.pricing.value)
            .ok_or_else(|| broken(format!("no profile '{}'", file.pricing.value)))?
            .clone();
        let new_nodes = NewNodes::parse(&file.new_nodes_per_day.value)
            .ok_or_else(|| broken("new_nodes_per_day".to_string()))?;
        Ok(Assumptions {
            base_refresh_days: file.base_refresh_days.assumed(|days| days),
            base_refresh_fraction: file.base_refresh_fraction.assumed(|fraction| fraction),
            new_nodes_per_day: file.new_nodes_per_day.assumed(|_| new_nodes),
            compression_ratio: file.compression_ratio.assumed(|_| ratio),
            bandwidth: file.bandwidth.assumed(|_| bandwidth),
            extract_rate: file.extract_rate.assumed(|_| extract_rate),
            price_per_gb: Assumed {
                value: profile.price_per_gb,
                origin: Origin::Default,
                source: profile.source,
            },
            pricing: file.pricing.assumed(|name| name),
            days_per_year: file.days_per_year.assumed(|days| days),
            registry_storage_price: file.registry_storage_price.assumed(|price| price),
            retained_tags: file.retained_tags.assumed(|tags| tags),
            effort_hours: None,
            hourly_rate: None,
            currency: file.currency,
            profiles: file.profiles,
        })
    }

    /// The profile names, for messages: `nat-gateway, same-region, …`.
    pub fn profile_names(&self) -> String {
        self.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
    }

    /// Replaces every value `overrides` sets; `origin` and `label` (a flag list or a file name)
    /// say where they came from.
    pub fn apply(&mut self, overrides: &Overrides, origin: Origin, label: &str) {
        let source = |key: &str| match origin {
            Origin::Flag => format!("set by --{}", key.replace('_', "-")),
            _ => format!("set in {label}"),
        };
        fn set<T: Clone>(slot: &mut Assumed<T>, value: &Option<T>, origin: Origin, source: String) {
            if let Some(value) = value {
                *slot = Assumed {
                    value: value.clone(),
                    origin,
                    source,
                };
            }
        }
        set(
            &mut self.compression_ratio,
            &overrides.compression_ratio,
            origin,
            source("compression_ratio"),
        );
        set(
            &mut self.bandwidth,
            &overrides.bandwidth,
            origin,
            source("bandwidth"),
        );
        set(
            &mut self.extract_rate,
            &overrides.extract_rate,
            origin,
            source("extract_rate"),
        );
        if let Some(profile_name) = &overrides.pricing
            && let Some(profile) = self.profiles.get(profile_name)
        {
            self.price_per_gb = Assumed {
                value: profile.price_per_gb,
                origin,
                source: profile.source.clone(),
            };
            self.pricing = Assumed {
                value: profile_name.clone(),
                origin,
                source: source("pricing"),
            };
        }
        if overrides.price_per_gb.is_some() {
            set(
                &mut self.price_per_gb,
                &overrides.price_per_gb,
                origin,
                source("price_per_gb"),
            );
            self.pricing = Assumed {
                value: "custom".to_string(),
                origin,
                source: source("price_per_gb"),
            };
        }
        set(
            &mut self.days_per_year,
            &overrides.days_per_year,
            origin,
            source("days_per_year"),
        );
        set(
            &mut self.registry_storage_price,
            &overrides.registry_storage_price,
            origin,
            source("registry_storage_price"),
        );
        set(
            &mut self.retained_tags,
            &overrides.retained_tags,
            origin,
            source("retained_tags"),
        );
        set(
            &mut self.base_refresh_days,
            &overrides.base_refresh_days,
            origin,
            source("base_refresh_days"),
        );
        set(
            &mut self.base_refresh_fraction,
            &overrides.base_refresh_fraction,
            origin,
            source("base_refresh_fraction"),
        );
        set(
            &mut self.new_nodes_per_day,
            &overrides.new_nodes_per_day,
            origin,
            source("new_nodes_per_day"),
        );
        if let Some(hours) = overrides.effort_hours {
            self.effort_hours = Some(Assumed {
                value: hours,
                origin,
                source: source("effort_hours"),
            });
        }
        if let Some(rate) = overrides.hourly_rate {
            self.hourly_rate = Some(Assumed {
                value: rate,
                origin,
                source: source("hourly_rate"),
            });
        }
    }
}

/// An assumptions table as written in a file: every key optional, unknown keys refused, each
/// value kept with its position so errors can name the line.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssumptionsTable {
    compression_ratio: Option<Spanned<toml::Value>>,
    bandwidth: Option<Spanned<toml::Value>>,
    extract_rate: Option<Spanned<toml::Value>>,
    pricing: Option<Spanned<toml::Value>>,
    price_per_gb: Option<Spanned<toml::Value>>,
    days_per_year: Option<Spanned<toml::Value>>,
    registry_storage_price: Option<Spanned<toml::Value>>,
    retained_tags: Option<Spanned<toml::Value>>,
    effort_hours: Option<Spanned<toml::Value>>,
    hourly_rate: Option<Spanned<toml::Value>>,
    base_refresh_days: Option<Spanned<toml::Value>>,
    base_refresh_fraction: Option<Spanned<toml::Value>>,
    new_nodes_per_day: Option<Spanned<toml::Value>>,
}

/// 1-based line of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

impl AssumptionsTable {
    /// Validates every value. `text` is the whole file the table was read from (for line
    /// numbers), `path` its name for messages.
    pub fn validate(
        &self,
        text: &str,
        path: &Path,
        profiles: &Assumptions,
    ) -> Result<Overrides, Error> {
        let bad = |key: &str, value: &Spanned<toml::Value>, problem: String| Error::Input {
            place: Place::file_line(path, line_of(text, value.span().start), key),
            message: format!("{} {problem}", quote_toml(value.get_ref())),
        };
        // Sizes and rates may be written as strings ("250MB/s") or plain numbers (bytes).
        let as_text = |value: &toml::Value| match value {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let rate = |key: &str, slot: &Option<Spanned<toml::Value>>| -> Result<Option<u64>, Error> {
            slot.as_ref()
                .map(|value| {
                    units::parse_rate(&as_text(value.get_ref()))
                        .map_err(|e| bad(key, value, strip_quoted(&e.to_string())))
                })
                .transpose()
        };
        let number = |key: &str,
                      slot: &Option<Spanned<toml::Value>>,
                      check: &dyn Fn(f64) -> bool,
                      accepted: &str|
         -> Result<Option<f64>, Error> {
            slot.as_ref()
                .map(|value| match value.get_ref() {
                    toml::Value::Float(f) if check(*f) => Ok(*f),
                    toml::Value::Integer(i) if check(*i as f64) => Ok(*i as f64),
                    _ => Err(bad(
                        key,
                        value,
                        format!("is not accepted; expected {accepted}"),
                    )),
                })
                .transpose()
        };
        let count = |key: &str,
                     slot: &Option<Spanned<toml::Value>>,
                     range: std::ops::RangeInclusive<u64>,
                     accepted: &str|
         -> Result<Option<u64>, Error> {
            slot.as_ref()
                .map(|value| match value.get_ref() {
                    toml::Value::Integer(i) if *i >= 0 && range.contains(&(*i as u64)) => {
                        Ok(*i as u64)
                    }
                    _ => Err(bad(
                        key,
                        value,
                        format!("is not accepted; expected {accepted}"),
                    )),
                })
                .transpose()
        };
        let compression_ratio = self
            .compression_ratio
            .as_ref()
            .map(|value| {
                let parsed = match value.get_ref() {
                    toml::Value::Float(f) => Ratio::from_f64(*f),
                    other => Ratio::parse(&as_text(other)),
                };
                parsed.map_err(|e| bad("compression_ratio", value, strip_quoted(&e.to_string())))
            })
            .transpose()?;
        let pricing = self
            .pricing
            .as_ref()
            .map(|value| match value.get_ref() {
                toml::Value::String(name) if profiles.profiles.contains_key(name) => {
                    Ok(name.clone())
                }
                _ => Err(bad(
                    "pricing",
                    value,
                    format!(
                        "is not a pricing profile; expected one of {}",
                        profiles.profile_names()
                    ),
                )),
            })
            .transpose()?;
        let non_negative = |v: f64| v.is_finite() && v >= 0.0;
        let positive = |v: f64| v.is_finite() && v > 0.0;
        let fraction = |v: f64| (0.0..=1.0).contains(&v);
        let new_nodes_per_day = self
            .new_nodes_per_day
            .as_ref()
            .map(|value| {
                NewNodes::parse(&as_text(value.get_ref())).ok_or_else(|| {
                    bad(
                        "new_nodes_per_day",
                        value,
                        format!("is not accepted; expected {}", NewNodes::ACCEPTED),
                    )
                })
            })
            .transpose()?;
        Ok(Overrides {
            base_refresh_days: number(
                "base_refresh_days",
                &self.base_refresh_days,
                &positive,
                "a number of days above 0, e.g. 7",
            )?,
            base_refresh_fraction: number(
                "base_refresh_fraction",
                &self.base_refresh_fraction,
                &fraction,
                "a fraction from 0 to 1, e.g. 0.7",
            )?,
            new_nodes_per_day,
            compression_ratio,
            bandwidth: rate("bandwidth", &self.bandwidth)?,
            extract_rate: rate("extract_rate", &self.extract_rate)?,
            pricing,
            price_per_gb: number(
                "price_per_gb",
                &self.price_per_gb,
                &non_negative,
                "a price of 0 or more per GB, e.g. 0.045",
            )?,
            days_per_year: count(
                "days_per_year",
                &self.days_per_year,
                1..=366,
                "a whole number of days from 1 to 366",
            )?,
            registry_storage_price: number(
                "registry_storage_price",
                &self.registry_storage_price,
                &non_negative,
                "a price of 0 or more per GB-month, e.g. 0.10",
            )?,
            retained_tags: count(
                "retained_tags",
                &self.retained_tags,
                0..=1_000_000,
                "a whole number of tags, e.g. 10",
            )?,
            effort_hours: number(
                "effort_hours",
                &self.effort_hours,
                &positive,
                "a number of hours above 0, e.g. 8",
            )?,
            hourly_rate: number(
                "hourly_rate",
                &self.hourly_rate,
                &non_negative,
                "a cost per hour of 0 or more, e.g. 120",
            )?,
        })
    }
}

/// Unit errors quote the value themselves; in file errors the value is quoted once, up front.
fn strip_quoted(message: &str) -> String {
    match message.strip_prefix('\'') {
        Some(rest) => match rest.find("' ") {
            Some(end) => rest[end + 2..].to_string(),
            None => message.to_string(),
        },
        None => message.to_string(),
    }
}

fn quote_toml(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("'{s}'"),
        other => format!("'{other}'"),
    }
}

/// Reads an assumptions file (`--assumptions FILE`): flat keys from [`KNOWN_KEYS`].
pub fn read_file(path: &Path, defaults: &Assumptions) -> Result<Overrides, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let table: AssumptionsTable = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
    table.validate(&text, path, defaults)
}

/// Turns a TOML syntax or shape error into an input error naming file and line.
pub fn toml_error(path: &Path, text: &str, error: &toml::de::Error) -> Error {
    let line = error.span().map(|span| line_of(text, span.start));
    Error::Input {
        place: Place::File {
            path: path.to_path_buf(),
            line,
            field: None,
        },
        message: error
            .message()
            .replace("unknown field", "unknown key")
            .trim()
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_spec() {
        let a = Assumptions::defaults().unwrap();
        assert_eq!(a.compression_ratio.value, Ratio::parse("0.37").unwrap());
        assert_eq!(a.bandwidth.value, 125_000_000);
        assert_eq!(a.extract_rate.value, 100_000_000);
        assert_eq!(a.pricing.value, "nat-gateway");
        assert_eq!(a.price_per_gb.value, 0.045);
        assert_eq!(a.days_per_year.value, 365);
        assert_eq!(a.registry_storage_price.value, 0.10);
        assert_eq!(a.retained_tags.value, 10);
        assert_eq!(a.currency, "USD");
        assert!(a.effort_hours.is_none());
        let prices: Vec<(String, f64)> = a
            .profiles
            .iter()
            .map(|(name, p)| (name.clone(), p.price_per_gb))
            .collect();
        assert_eq!(
            prices,
            [
                ("cross-region".to_string(), 0.02),
                ("internet".to_string(), 0.09),
                ("nat-gateway".to_string(), 0.045),
                ("same-region".to_string(), 0.0),
                ("vpc-endpoint".to_string(), 0.01),
            ]
        );
        for assumed in [
            &a.bandwidth.source,
            &a.compression_ratio.source,
            &a.price_per_gb.source,
        ] {
            assert!(!assumed.is_empty());
        }
    }

    #[test]
    fn overrides_keep_their_origin() {
        let mut a = Assumptions::defaults().unwrap();
        let file = Overrides {
            bandwidth: Some(250_000_000),
            pricing: Some("internet".into()),
            ..Overrides::default()
        };
        a.apply(&file, Origin::File, "ops.toml");
        let flags = Overrides {
            bandwidth: Some(50_000_000),
            ..Overrides::default()
        };
        a.apply(&flags, Origin::Flag, "flags");
        assert_eq!(a.bandwidth.value, 50_000_000);
        assert_eq!(a.bandwidth.origin, Origin::Flag);
        assert_eq!(a.bandwidth.source, "set by --bandwidth");
        assert_eq!(a.pricing.value, "internet");
        assert_eq!(a.pricing.origin, Origin::File);
        assert_eq!(a.price_per_gb.value, 0.09);
        assert_eq!(a.extract_rate.origin, Origin::Default);
    }

    #[test]
    fn a_direct_price_makes_the_profile_custom() {
        let mut a = Assumptions::defaults().unwrap();
        let flags = Overrides {
            price_per_gb: Some(0.05),
            ..Overrides::default()
        };
        a.apply(&flags, Origin::Flag, "flags");
        assert_eq!(a.price_per_gb.value, 0.05);
        assert_eq!(a.pricing.value, "custom");
    }

    fn validate(text: &str) -> Result<Overrides, Error> {
        let defaults = Assumptions::defaults().unwrap();
        let path = Path::new("ops.toml");
        let table: AssumptionsTable =
            toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        table.validate(text, path, &defaults)
    }

    #[test]
    fn files_accept_strings_and_numbers() {
        let o = validate(
            "compression_ratio = 0.4\nbandwidth = \"250MB/s\"\nextract_rate = 80000000\n\
             pricing = \"internet\"\nretained_tags = 3\neffort_hours = 8\nhourly_rate = 120\n",
        )
        .unwrap();
        assert_eq!(o.compression_ratio, Some(Ratio::parse("0.4").unwrap()));
        assert_eq!(o.bandwidth, Some(250_000_000));
        assert_eq!(o.extract_rate, Some(80_000_000));
        assert_eq!(o.pricing.as_deref(), Some("internet"));
        assert_eq!(o.retained_tags, Some(3));
        assert_eq!(o.effort_hours, Some(8.0));
        assert_eq!(o.hourly_rate, Some(120.0));
    }

    #[test]
    fn file_errors_name_line_key_and_value() {
        let error = validate("bandwidth = \"250MB/s\"\n\ncompression_ratio = 1.7\n").unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("ops.toml line 3, compression_ratio: '1.7'"),
            "{message}"
        );
        assert!(message.contains("e.g. 0.37"), "{message}");

        let message = validate("pricing = \"free\"\n").unwrap_err().to_string();
        assert!(message.contains("line 1, pricing: 'free'"), "{message}");
        assert!(message.contains("nat-gateway"), "{message}");

        let message = validate("bandwith = 3\n").unwrap_err().to_string();
        assert!(message.starts_with("ops.toml line 1:"), "{message}");
        assert!(message.contains("unknown key"), "{message}");
        assert!(message.contains("bandwidth"), "{message}");

        let message = validate("retained_tags = -1\n").unwrap_err().to_string();
        assert!(message.contains("retained_tags: '-1'"), "{message}");

        let message = validate("bandwidth = \n").unwrap_err().to_string();
        assert!(message.starts_with("ops.toml line 1:"), "{message}");
    }
}
