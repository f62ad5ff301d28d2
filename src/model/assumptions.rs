//! The assumptions behind every figure, declared once in [`ASSUMPTIONS`]: each entry names its
//! TOML key, its flag, its unit, the kind of value it holds (which says how it is parsed, checked
//! and shown), an example, and where its value lives in [`Assumptions`]. The command-line flags,
//! the validation of assumption files and inventory `[assumptions]` tables, the layering of
//! defaults, files and flags, and the assumption rows of every report are all derived from this
//! one table (docs/model.md#defaults-and-their-sources).
//!
//! The defaults and their sources are data: `data/assumptions.toml`, read by
//! [`Assumptions::defaults`].

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::Error;
use crate::model::values::{self, Bound, Refusal};
use crate::model::{ChangedPerDeploy, NewNodes};
use crate::units::{Ratio, format_price, format_rate};

/// The bundled defaults, with their sources.
const DEFAULTS_TOML: &str = include_str!("../../data/assumptions.toml");

/// Where an assumption's value came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    #[default]
    Default,
    File,
    Flag,
}

/// One assumption: its value, where it came from, and the source or reason for it.
#[derive(Debug, Clone, Default, PartialEq)]
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

/// Every assumption in force for one run. The fields are typed for the models that read them;
/// everything that sets or shows them goes through [`ASSUMPTIONS`]. (`Default` is only the
/// blank that [`Assumptions::defaults`] fills from the data file.)
#[derive(Debug, Clone, Default, PartialEq)]
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
    /// What every deploy changes where no layers tell (a service's own value wins).
    pub changed_per_deploy: Option<Assumed<ChangedPerDeploy>>,
    pub currency: String,
    pub profiles: BTreeMap<String, Profile>,
}

/// A value of any assumption, as its [`Kind`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Ratio(Ratio),
    /// Bytes a second.
    Rate(u64),
    Whole(u64),
    Number(f64),
    /// A pricing profile's name.
    Profile(String),
    NewNodes(NewNodes),
    ChangedPerDeploy(ChangedPerDeploy),
}

/// What an assumption holds: how its text is parsed and checked, how it is shown, and what
/// setting it does besides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Wire ÷ disk, above 0 and at most 1.
    Ratio,
    /// A size a second (`125MB/s`).
    Rate,
    /// A pricing profile of `data/assumptions.toml`; setting it sets `price_per_gb` too.
    Profile,
    /// A transfer price per GB; setting it makes the pricing `custom`.
    TransferPrice,
    /// A price of 0 or more, shown with the currency and `per` (`/GB-month`).
    Price { per: &'static str },
    /// A whole number in a range, of `noun`.
    Whole {
        min: u64,
        max: u64,
        noun: &'static str,
    },
    /// A decimal number within a bound, described as `noun`.
    Number { bound: Bound, noun: &'static str },
    /// New nodes a day: `5%` of a pool's nodes or a count.
    NewNodes,
    /// What every deploy changes: a size (`40MB`) or a share of the image (`30%`).
    ChangedPerDeploy,
}

impl Kind {
    /// Parses text typed for an assumption of this kind. Profiles are checked against
    /// `profiles`.
    pub fn parse(self, text: &str, profiles: &BTreeMap<String, Profile>) -> Result<Value, Refusal> {
        Ok(match self {
            Kind::Ratio => Value::Ratio(values::ratio(text)?),
            Kind::Rate => Value::Rate(values::rate(text)?),
            Kind::Profile => {
                let name = text.trim();
                if !profiles.contains_key(name) {
                    return Err(Refusal::new(
                        "is not a pricing profile",
                        format!(
                            "one of {}",
                            profiles.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
                Value::Profile(name.to_string())
            }
            Kind::TransferPrice | Kind::Price { .. } => {
                Value::Number(values::number(text, Bound::NonNegative, "a price")?)
            }
            Kind::Whole { min, max, noun } => Value::Whole(values::whole(text, min..=max, noun)?),
            Kind::Number { bound, noun } => Value::Number(values::number(text, bound, noun)?),
            Kind::NewNodes => Value::NewNodes(values::new_nodes(text)?),
            Kind::ChangedPerDeploy => Value::ChangedPerDeploy(values::changed_per_deploy(text)?),
        })
    }

    /// The value as reports show it: `0.37`, `125 MB/s`, `$0.045/GB`.
    pub fn show(self, value: &Value, currency: &str) -> String {
        match (self, value) {
            (Kind::TransferPrice, Value::Number(price)) => {
                format!("{}/GB", format_price(*price, currency))
            }
            (Kind::Price { per }, Value::Number(price)) => {
                format!("{}{per}", format_price(*price, currency))
            }
            (_, Value::Ratio(ratio)) => ratio.to_string(),
            (_, Value::Rate(rate)) => format_rate(*rate),
            (_, Value::Whole(whole)) => whole.to_string(),
            (_, Value::Number(number)) => number.to_string(),
            (_, Value::Profile(name)) => name.clone(),
            (_, Value::NewNodes(new_nodes)) => new_nodes.to_string(),
            (_, Value::ChangedPerDeploy(changed)) => changed.to_string(),
        }
    }
}

/// One assumption's declaration.
#[derive(Debug, Clone, Copy)]
pub struct Assumption {
    /// The key in TOML files and in the JSON report: `retained_tags`.
    pub key: &'static str,
    /// The flag: `--retained-tags`.
    pub flag: &'static str,
    /// The flag's value name in `--help`: `N`.
    pub value_name: &'static str,
    /// One line for `--help` and the man page.
    pub help: &'static str,
    /// The unit reports print; `{currency}` stands for the currency.
    pub unit: &'static str,
    pub kind: Kind,
    /// A value to show in messages and in the reports' "change with" column.
    pub example: &'static str,
    /// `true` when `data/assumptions.toml` gives a default; others are unset until given.
    pub has_default: bool,
    /// A longer description for the JSON Schema, where the unit alone does not say it.
    pub description: Option<&'static str>,
    /// The value in force, if set.
    pub get: fn(&Assumptions) -> Option<Reading<'_>>,
    /// Sets the value (of this entry's kind).
    pub set: fn(&mut Assumptions, Assumed<Value>),
}

/// Declarations are the same when their keys are.
impl PartialEq for Assumption {
    fn eq(&self, other: &Assumption) -> bool {
        self.key == other.key
    }
}

/// An assumption's value in force, where it came from, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading<'a> {
    pub value: Value,
    pub origin: Origin,
    pub source: &'a str,
}

impl<T: Clone> Assumed<T> {
    fn read(&self, wrap: fn(T) -> Value) -> Option<Reading<'_>> {
        Some(Reading {
            value: wrap(self.value.clone()),
            origin: self.origin,
            source: &self.source,
        })
    }
}

impl Assumed<Value> {
    /// The typed assumption, when the value is of the kind `unwrap` takes.
    fn typed<T>(self, unwrap: fn(Value) -> Option<T>) -> Option<Assumed<T>> {
        Some(Assumed {
            value: unwrap(self.value)?,
            origin: self.origin,
            source: self.source,
        })
    }
}

impl Value {
    fn ratio(self) -> Option<Ratio> {
        match self {
            Value::Ratio(ratio) => Some(ratio),
            _ => None,
        }
    }
    fn rate(self) -> Option<u64> {
        match self {
            Value::Rate(rate) => Some(rate),
            _ => None,
        }
    }
    fn whole(self) -> Option<u64> {
        match self {
            Value::Whole(whole) => Some(whole),
            _ => None,
        }
    }
    fn number(self) -> Option<f64> {
        match self {
            Value::Number(number) => Some(number),
            _ => None,
        }
    }
    fn profile(self) -> Option<String> {
        match self {
            Value::Profile(name) => Some(name),
            _ => None,
        }
    }
    fn new_nodes(self) -> Option<NewNodes> {
        match self {
            Value::NewNodes(new_nodes) => Some(new_nodes),
            _ => None,
        }
    }
    fn changed_per_deploy(self) -> Option<ChangedPerDeploy> {
        match self {
            Value::ChangedPerDeploy(changed) => Some(changed),
            _ => None,
        }
    }
}

/// Stores `$value` into the field `$field` of an [`Assumptions`] when it unwraps with `$unwrap`.
macro_rules! store {
    ($field:ident, $unwrap:path) => {
        |a: &mut Assumptions, value: Assumed<Value>| {
            if let Some(typed) = value.typed($unwrap) {
                a.$field = typed;
            }
        }
    };
    (optional $field:ident, $unwrap:path) => {
        |a: &mut Assumptions, value: Assumed<Value>| {
            if let Some(typed) = value.typed($unwrap) {
                a.$field = Some(typed);
            }
        }
    };
}

/// Every assumption, in the order reports list them.
pub const ASSUMPTIONS: &[Assumption] = &[
    Assumption {
        key: "compression_ratio",
        flag: "--compression-ratio",
        value_name: "RATIO",
        help: "Compressed ÷ unpacked size, for estimating one basis from the other [default: 0.37]",
        unit: "wire/disk",
        kind: Kind::Ratio,
        example: "0.4",
        has_default: true,
        description: None,
        get: |a| a.compression_ratio.read(Value::Ratio),
        set: store!(compression_ratio, Value::ratio),
    },
    Assumption {
        key: "bandwidth",
        flag: "--bandwidth",
        value_name: "RATE",
        help: "Download speed of one pull [default: 125MB/s]",
        unit: "bytes/s",
        kind: Kind::Rate,
        example: "250MB/s",
        has_default: true,
        description: None,
        get: |a| a.bandwidth.read(Value::Rate),
        set: store!(bandwidth, Value::rate),
    },
    Assumption {
        key: "extract_rate",
        flag: "--extract-rate",
        value_name: "RATE",
        help: "Unpacked bytes extracted per second [default: 100MB/s]",
        unit: "disk bytes/s",
        kind: Kind::Rate,
        example: "150MB/s",
        has_default: true,
        description: None,
        get: |a| a.extract_rate.read(Value::Rate),
        set: store!(extract_rate, Value::rate),
    },
    Assumption {
        key: "pricing",
        flag: "--pricing",
        value_name: "PROFILE",
        help: "Transfer price profile: nat-gateway, same-region, vpc-endpoint, cross-region, \
               internet [default: nat-gateway]",
        unit: "profile",
        kind: Kind::Profile,
        example: "internet",
        has_default: true,
        description: None,
        get: |a| a.pricing.read(Value::Profile),
        set: store!(pricing, Value::profile),
    },
    Assumption {
        key: "price_per_gb",
        flag: "--price-per-gb",
        value_name: "PRICE",
        help: "Transfer price per GB (instead of a profile)",
        unit: "{currency}/GB",
        kind: Kind::TransferPrice,
        example: "0.05",
        has_default: true,
        description: None,
        get: |a| a.price_per_gb.read(Value::Number),
        set: store!(price_per_gb, Value::number),
    },
    Assumption {
        key: "days_per_year",
        flag: "--days-per-year",
        value_name: "DAYS",
        help: "Days of deploys per year [default: 365]",
        unit: "days",
        kind: Kind::Whole {
            min: 1,
            max: 366,
            noun: "days",
        },
        example: "260",
        has_default: true,
        description: None,
        get: |a| a.days_per_year.read(Value::Whole),
        set: store!(days_per_year, Value::whole),
    },
    Assumption {
        key: "registry_storage_price",
        flag: "--registry-storage-price",
        value_name: "PRICE",
        help: "Registry storage price per GB-month [default: 0.10]",
        unit: "{currency}/GB-month",
        kind: Kind::Price { per: "/GB-month" },
        example: "0.026",
        has_default: true,
        description: None,
        get: |a| a.registry_storage_price.read(Value::Number),
        set: store!(registry_storage_price, Value::number),
    },
    Assumption {
        key: "retained_tags",
        flag: "--retained-tags",
        value_name: "N",
        help: "Tags kept per service in the registry, for storage saved [default: 10]",
        unit: "tags",
        kind: Kind::Whole {
            min: 0,
            max: 1_000_000,
            noun: "tags",
        },
        example: "20",
        has_default: true,
        description: None,
        get: |a| a.retained_tags.read(Value::Whole),
        set: store!(retained_tags, Value::whole),
    },
    Assumption {
        key: "effort_hours",
        flag: "--effort-hours",
        value_name: "HOURS",
        help: "Engineering hours spent or planned on the slimming, for the payback",
        unit: "hours",
        kind: Kind::Number {
            bound: Bound::Positive,
            noun: "a number of hours",
        },
        example: "16",
        has_default: false,
        description: None,
        get: |a| a.effort_hours.as_ref()?.read(Value::Number),
        set: store!(optional effort_hours, Value::number),
    },
    Assumption {
        key: "hourly_rate",
        flag: "--hourly-rate",
        value_name: "PRICE",
        help: "Cost of one engineering hour, for the payback",
        unit: "{currency}/hour",
        kind: Kind::Price { per: "/hour" },
        example: "120",
        has_default: false,
        description: None,
        get: |a| a.hourly_rate.as_ref()?.read(Value::Number),
        set: store!(optional hourly_rate, Value::number),
    },
    Assumption {
        key: "base_refresh_days",
        flag: "--base-refresh-days",
        value_name: "DAYS",
        help: "Days between base-image refreshes, for the expected (layer cache) figure \
               [default: 7]",
        unit: "days",
        kind: Kind::Number {
            bound: Bound::Positive,
            noun: "a number of days",
        },
        example: "14",
        has_default: true,
        description: None,
        get: |a| a.base_refresh_days.read(Value::Number),
        set: store!(base_refresh_days, Value::number),
    },
    Assumption {
        key: "base_refresh_fraction",
        flag: "--base-refresh-fraction",
        value_name: "FRACTION",
        help: "Share of a base image's bytes a refresh moves [default: 0.7]",
        unit: "fraction of the base",
        kind: Kind::Number {
            bound: Bound::Fraction,
            noun: "a fraction",
        },
        example: "0.5",
        has_default: true,
        description: None,
        get: |a| a.base_refresh_fraction.read(Value::Number),
        set: store!(base_refresh_fraction, Value::number),
    },
    Assumption {
        key: "new_nodes_per_day",
        flag: "--new-nodes-per-day",
        value_name: "N|PCT",
        help: "New nodes a day per node pool: a share of the pool's nodes (5%) or a count (2) \
               [default: 5%]",
        unit: "of a pool's nodes, or nodes a day",
        kind: Kind::NewNodes,
        example: "2",
        has_default: true,
        description: Some("`5%` (of each pool's nodes) or a number of nodes a day."),
        get: |a| a.new_nodes_per_day.read(Value::NewNodes),
        set: store!(new_nodes_per_day, Value::new_nodes),
    },
    Assumption {
        key: "changed_per_deploy",
        flag: "--changed-per-deploy",
        value_name: "SIZE|PCT",
        help: "What every deploy changes where no layers tell: a size (40MB) or a share of the \
               image (30%); an inventory row's own value wins",
        unit: "wire bytes, or share of the image",
        kind: Kind::ChangedPerDeploy,
        example: "40MB",
        has_default: false,
        description: Some(
            "`40MB` (wire bytes every deploy moves) or `30%` (of the image); `fleetsave history \
             --write-assumptions` measures it.",
        ),
        get: |a| a.changed_per_deploy.as_ref()?.read(Value::ChangedPerDeploy),
        set: store!(optional changed_per_deploy, Value::changed_per_deploy),
    },
];

/// The declaration of `key`.
pub fn assumption(key: &str) -> Option<&'static Assumption> {
    ASSUMPTIONS.iter().find(|a| a.key == key)
}

/// The keys an assumptions file (or an inventory's `[assumptions]` table) may set.
pub fn keys() -> impl Iterator<Item = &'static str> {
    ASSUMPTIONS.iter().map(|a| a.key)
}

/// Values that replace those in force, already validated, in table order. One layer comes from
/// each place (a file, the flags).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    values: Vec<(&'static Assumption, Value)>,
}

impl Overrides {
    /// Sets `assumption` to `value`; a later value for the same assumption replaces it.
    pub fn set(&mut self, assumption: &'static Assumption, value: Value) {
        self.values.retain(|(a, _)| a.key != assumption.key);
        self.values.push((assumption, value));
        let position = |a: &Assumption| ASSUMPTIONS.iter().position(|b| b.key == a.key);
        self.values.sort_by_key(|(a, _)| position(a));
    }

    /// The value given for `key`, if any.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values
            .iter()
            .find(|(a, _)| a.key == key)
            .map(|(_, value)| value)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

#[derive(Deserialize)]
struct DefaultsFile {
    currency: String,
    profiles: BTreeMap<String, Profile>,
    #[serde(flatten)]
    entries: BTreeMap<String, DefaultEntry>,
}

#[derive(Deserialize)]
struct DefaultEntry {
    value: toml::Value,
    source: String,
}

/// A TOML scalar as the text a parser reads: strings as written, numbers in their shortest form.
pub fn toml_text(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(text) => Some(text.clone()),
        toml::Value::Integer(number) => Some(number.to_string()),
        toml::Value::Float(number) => Some(number.to_string()),
        _ => None,
    }
}

impl Assumptions {
    /// The defaults of `data/assumptions.toml`. The file is part of the binary and checked by
    /// tests, so a failure here is a build defect, reported as an internal error.
    pub fn defaults() -> Result<Assumptions, Error> {
        let broken = |why: String| Error::Internal(format!("data/assumptions.toml: {why}"));
        let file: DefaultsFile =
            toml::from_str(DEFAULTS_TOML).map_err(|e| broken(e.to_string()))?;
        let mut assumptions = Assumptions {
            currency: file.currency,
            profiles: file.profiles,
            ..Assumptions::default()
        };
        for assumption in ASSUMPTIONS.iter().filter(|a| a.has_default) {
            if assumption.kind == Kind::TransferPrice {
                continue; // set by the default pricing profile
            }
            let entry = file
                .entries
                .get(assumption.key)
                .ok_or_else(|| broken(format!("no default for {}", assumption.key)))?;
            let text = toml_text(&entry.value)
                .ok_or_else(|| broken(format!("{} is not a string or number", assumption.key)))?;
            let value = assumption
                .kind
                .parse(&text, &assumptions.profiles)
                .map_err(|refusal| broken(format!("{}: {refusal}", assumption.key)))?;
            assumptions.set(assumption, value, Origin::Default, entry.source.clone());
        }
        Ok(assumptions)
    }

    /// The profile names, for messages: `nat-gateway, same-region, …`.
    pub fn profile_names(&self) -> String {
        self.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
    }

    /// Sets one assumption, with what setting it implies: a profile sets the price per GB, a
    /// price per GB makes the pricing `custom`.
    fn set(&mut self, assumption: &Assumption, value: Value, origin: Origin, source: String) {
        match (&assumption.kind, &value) {
            (Kind::Profile, Value::Profile(name)) => {
                if let Some(profile) = self.profiles.get(name) {
                    self.price_per_gb = Assumed {
                        value: profile.price_per_gb,
                        origin,
                        source: profile.source.clone(),
                    };
                }
            }
            (Kind::TransferPrice, _) => {
                self.pricing = Assumed {
                    value: "custom".to_string(),
                    origin,
                    source: source.clone(),
                };
            }
            _ => {}
        }
        (assumption.set)(
            self,
            Assumed {
                value,
                origin,
                source,
            },
        );
    }

    /// Replaces every value `overrides` sets; `origin` and `label` (a file name) say where they
    /// came from.
    pub fn apply(&mut self, overrides: &Overrides, origin: Origin, label: &str) {
        for (assumption, value) in &overrides.values {
            let source = match origin {
                Origin::Flag => format!("set by {}", assumption.flag),
                _ => format!("set in {label}"),
            };
            self.set(assumption, value.clone(), origin, source);
        }
    }

    /// The assumptions in force, in table order, with their values; unset ones are left out.
    pub fn readings(&self) -> impl Iterator<Item = (&'static Assumption, Reading<'_>)> {
        ASSUMPTIONS
            .iter()
            .filter_map(|assumption| Some((assumption, (assumption.get)(self)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_data_file() {
        let a = Assumptions::defaults().unwrap();
        assert_eq!(a.compression_ratio.value, Ratio::parse("0.37").unwrap());
        assert_eq!(a.bandwidth.value, 125_000_000);
        assert_eq!(a.extract_rate.value, 100_000_000);
        assert_eq!(a.pricing.value, "nat-gateway");
        assert_eq!(a.price_per_gb.value, 0.045);
        assert_eq!(a.days_per_year.value, 365);
        assert_eq!(a.registry_storage_price.value, 0.10);
        assert_eq!(a.retained_tags.value, 10);
        assert_eq!(a.base_refresh_days.value, 7.0);
        assert_eq!(a.base_refresh_fraction.value, 0.7);
        assert_eq!(a.new_nodes_per_day.value, NewNodes::FractionOfNodes(0.05));
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
        for (assumption, reading) in a.readings() {
            assert_eq!(reading.origin, Origin::Default, "{}", assumption.key);
            assert!(
                !reading.source.is_empty(),
                "{} has no source",
                assumption.key
            );
        }
        assert_eq!(a.readings().count(), ASSUMPTIONS.len() - 3);
    }

    /// Every entry's example parses as its kind, is stored where the entry reads it back, and
    /// its flag is the key in kebab case.
    #[test]
    fn every_entry_round_trips_its_example() {
        let mut a = Assumptions::defaults().unwrap();
        for assumption in ASSUMPTIONS {
            let value = assumption
                .kind
                .parse(assumption.example, &a.profiles)
                .unwrap_or_else(|e| panic!("{}: {e}", assumption.key));
            let mut layer = Overrides::default();
            layer.set(assumption, value.clone());
            a.apply(&layer, Origin::Flag, "flags");
            let reading = (assumption.get)(&a).expect("set");
            assert_eq!(reading.value, value, "{}", assumption.key);
            assert_eq!(reading.origin, Origin::Flag);
            assert_eq!(
                assumption.flag,
                format!("--{}", assumption.key.replace('_', "-"))
            );
        }
    }

    #[test]
    fn overrides_keep_their_origin() {
        let mut a = Assumptions::defaults().unwrap();
        let mut file = Overrides::default();
        let profiles = a.profiles.clone();
        let bandwidth = assumption("bandwidth").unwrap();
        let pricing = assumption("pricing").unwrap();
        file.set(
            bandwidth,
            bandwidth.kind.parse("250MB/s", &profiles).unwrap(),
        );
        file.set(pricing, pricing.kind.parse("internet", &profiles).unwrap());
        a.apply(&file, Origin::File, "ops.toml");
        let mut flags = Overrides::default();
        flags.set(bandwidth, Value::Rate(50_000_000));
        a.apply(&flags, Origin::Flag, "flags");
        assert_eq!(a.bandwidth.value, 50_000_000);
        assert_eq!(a.bandwidth.origin, Origin::Flag);
        assert_eq!(a.bandwidth.source, "set by --bandwidth");
        assert_eq!(a.pricing.value, "internet");
        assert_eq!(a.pricing.origin, Origin::File);
        assert_eq!(a.pricing.source, "set in ops.toml");
        assert_eq!(a.price_per_gb.value, 0.09);
        assert_eq!(a.extract_rate.origin, Origin::Default);
    }

    #[test]
    fn a_direct_price_makes_the_profile_custom() {
        let mut a = Assumptions::defaults().unwrap();
        let mut flags = Overrides::default();
        flags.set(assumption("price_per_gb").unwrap(), Value::Number(0.05));
        a.apply(&flags, Origin::Flag, "flags");
        assert_eq!(a.price_per_gb.value, 0.05);
        assert_eq!(a.pricing.value, "custom");
        assert_eq!(a.pricing.source, "set by --price-per-gb");
    }

    #[test]
    fn kinds_refuse_what_they_do_not_accept() {
        let a = Assumptions::defaults().unwrap();
        let parse = |key: &str, text: &str| assumption(key).unwrap().kind.parse(text, &a.profiles);
        assert!(parse("compression_ratio", "1.7").is_err());
        assert!(
            parse("pricing", "free")
                .unwrap_err()
                .expected
                .contains("nat-gateway")
        );
        assert!(parse("retained_tags", "-1").is_err());
        assert!(parse("days_per_year", "367").is_err());
        assert!(parse("base_refresh_fraction", "1.5").is_err());
        assert!(parse("base_refresh_days", "0").is_err());
        assert!(parse("hourly_rate", "-5").is_err());
        assert_eq!(parse("retained_tags", "0"), Ok(Value::Whole(0)));
    }
}
