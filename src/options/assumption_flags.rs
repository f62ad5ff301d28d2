//! The assumption flags and the layering of assumptions: defaults, files, then flags.

use std::path::Path;

use crate::assumptions::{self, Assumptions, Origin, Overrides};
use crate::cli::AssumptionArgs;
use crate::error::Error;
use crate::model::NewNodes;
use crate::units::{self, Ratio};

use super::{parse_number, parse_whole};

/// The assumption overrides given as flags.
fn flag_overrides(args: &AssumptionArgs, defaults: &Assumptions) -> Result<Overrides, Error> {
    let pricing = match &args.pricing {
        Some(name) if defaults.profiles.contains_key(name.trim()) => Some(name.trim().to_string()),
        Some(name) => {
            return Err(Error::flag(
                "--pricing",
                format!(
                    "'{name}' is not a pricing profile; expected one of {}",
                    defaults.profile_names()
                ),
            ));
        }
        None => None,
    };
    Ok(Overrides {
        compression_ratio: args
            .compression_ratio
            .as_deref()
            .map(|text| {
                Ratio::parse(text).map_err(|e| Error::flag("--compression-ratio", e.to_string()))
            })
            .transpose()?,
        bandwidth: args
            .bandwidth
            .as_deref()
            .map(|text| {
                units::parse_rate(text).map_err(|e| Error::flag("--bandwidth", e.to_string()))
            })
            .transpose()?,
        extract_rate: args
            .extract_rate
            .as_deref()
            .map(|text| {
                units::parse_rate(text).map_err(|e| Error::flag("--extract-rate", e.to_string()))
            })
            .transpose()?,
        pricing,
        price_per_gb: args
            .price_per_gb
            .as_deref()
            .map(|text| parse_number("--price-per-gb", text, false, "0.045"))
            .transpose()?,
        days_per_year: args
            .days_per_year
            .as_deref()
            .map(|text| parse_whole("--days-per-year", text, 1, 366, "260"))
            .transpose()?,
        registry_storage_price: args
            .registry_storage_price
            .as_deref()
            .map(|text| parse_number("--registry-storage-price", text, false, "0.10"))
            .transpose()?,
        retained_tags: args
            .retained_tags
            .as_deref()
            .map(|text| parse_whole("--retained-tags", text, 0, 1_000_000, "10"))
            .transpose()?,
        effort_hours: args
            .effort_hours
            .as_deref()
            .map(|text| parse_number("--effort-hours", text, true, "8"))
            .transpose()?,
        base_refresh_days: args
            .base_refresh_days
            .as_deref()
            .map(|text| parse_number("--base-refresh-days", text, true, "7"))
            .transpose()?,
        base_refresh_fraction: args
            .base_refresh_fraction
            .as_deref()
            .map(
                |text| match parse_number("--base-refresh-fraction", text, false, "0.7") {
                    Ok(value) if value <= 1.0 => Ok(value),
                    Ok(_) => Err(Error::flag(
                        "--base-refresh-fraction",
                        format!("'{text}' is above 1; expected a fraction from 0 to 1, e.g. 0.7"),
                    )),
                    Err(error) => Err(error),
                },
            )
            .transpose()?,
        new_nodes_per_day: args
            .new_nodes_per_day
            .as_deref()
            .map(|text| {
                NewNodes::parse(text).ok_or_else(|| {
                    Error::flag(
                        "--new-nodes-per-day",
                        format!("'{text}' is not accepted; expected {}", NewNodes::ACCEPTED),
                    )
                })
            })
            .transpose()?,
        hourly_rate: args
            .hourly_rate
            .as_deref()
            .map(|text| parse_number("--hourly-rate", text, false, "120"))
            .transpose()?,
    })
}

/// The assumptions in force: defaults, then `file_layers` (path, overrides) in order, then
/// the `--assumptions` file, then flags.
pub fn assumptions(
    args: &AssumptionArgs,
    file_layers: &[(&Path, Overrides)],
) -> Result<Assumptions, Error> {
    let mut assumptions = Assumptions::defaults()?;
    for (path, overrides) in file_layers {
        assumptions.apply(overrides, Origin::File, &path.display().to_string());
    }
    if let Some(path) = &args.assumptions {
        let overrides = assumptions::read_file(path, &assumptions)?;
        assumptions.apply(&overrides, Origin::File, &path.display().to_string());
    }
    let flags = flag_overrides(args, &assumptions)?;
    assumptions.apply(&flags, Origin::Flag, "flags");
    Ok(assumptions)
}
