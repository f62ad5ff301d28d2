//! Forecast scenarios as written (docs/model.md#forecast): the TOML `[[scenario]]` tables and the
//! compact `--scenario` string read into one [`ScenarioSpec`], resolved against the declared
//! cluster by the forecast.
//!
//! The compact form is the scenario's name, a colon and its changes, comma-separated:
//!
//! ```text
//! growth: cluster=40..120, deploys=x2 step@6, new_services=1
//! cluster=40..120 [linear|step@K|compound@P%]   or  cluster=x3 …   (from the declared cluster)
//! deploys=x2 [linear|step@K|compound@P%]
//! new_services=N                                 (new services a month)
//! ```

use super::rate::{Fraction, parse_decimal};
use super::values::Refusal;

/// How a change moves from its start to its end over the months.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ramp {
    Linear,
    /// The end value from month `at_month + 1` on.
    Step {
        at_month: u32,
    },
    /// `percent_per_month` compounded from the start value.
    Compound {
        percent_per_month: f64,
    },
}

impl Ramp {
    pub const ACCEPTED: &'static str =
        "linear, step (with at_month) or compound (with percent_per_month)";
}

/// One change as written: a start (`from`), an end (`to`) or a factor of the start, and a ramp.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangeSpec {
    pub from: Option<Fraction>,
    pub to: Option<Fraction>,
    pub factor: Option<Fraction>,
    pub ramp: Ramp,
}

/// A scenario as written.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioSpec {
    pub name: String,
    pub cluster_nodes: Option<ChangeSpec>,
    pub deploys_per_day: Option<ChangeSpec>,
    pub new_services_per_month: Fraction,
}

/// The example every scenario refusal shows.
pub const EXAMPLE: &str = "growth: cluster=40..120, deploys=x2 step@6";

fn refuse(problem: impl Into<String>) -> Refusal {
    Refusal::new(
        problem,
        "a name, a colon and changes: cluster=FROM..TO or cluster=xFACTOR, deploys=xFACTOR, each \
         with an optional ramp (linear, step@MONTH, compound@PERCENT%), new_services=N",
    )
    .example(EXAMPLE)
}

/// `linear`, `step@6`, `compound@5%`.
fn ramp(text: &str) -> Result<Ramp, Refusal> {
    let text = text.trim();
    let (kind, argument) = text.split_once('@').unwrap_or((text, ""));
    match (kind.trim().to_ascii_lowercase().as_str(), argument.trim()) {
        ("" | "linear", "") => Ok(Ramp::Linear),
        ("step", month) => month
            .parse::<u32>()
            .ok()
            .map(|at_month| Ramp::Step { at_month })
            .ok_or_else(|| refuse(format!("has a step without its month ('{text}')"))),
        ("compound", percent) => percent
            .trim_end_matches('%')
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|p| p.is_finite() && *p > -100.0)
            .map(|percent_per_month| Ramp::Compound { percent_per_month })
            .ok_or_else(|| {
                refuse(format!(
                    "has a compound ramp without its percent ('{text}')"
                ))
            }),
        _ => Err(refuse(format!("has an unknown ramp '{text}'"))),
    }
}

fn number(text: &str) -> Result<Fraction, Refusal> {
    parse_decimal(text.trim())
        .ok_or_else(|| refuse(format!("has '{}' where a number goes", text.trim())))
}

/// `40..120 linear`, `x3 step@6`.
fn change(text: &str) -> Result<ChangeSpec, Refusal> {
    let text = text.trim();
    let (value, ramp_text) = text.split_once(' ').unwrap_or((text, ""));
    let ramp = ramp(ramp_text)?;
    if let Some(factor) = value.strip_prefix(['x', 'X', '×']) {
        return Ok(ChangeSpec {
            from: None,
            to: None,
            factor: Some(number(factor)?),
            ramp,
        });
    }
    let (from, to) = match value.split_once("..") {
        Some((from, to)) => (Some(number(from)?), Some(number(to)?)),
        None => (Some(number(value)?), None),
    };
    Ok(ChangeSpec {
        from,
        to,
        factor: None,
        ramp,
    })
}

/// Reads the compact `--scenario` form (see the module docs).
pub fn parse_compact(text: &str) -> Result<ScenarioSpec, Refusal> {
    let Some((name, changes)) = text.split_once(':') else {
        return Err(refuse("has no name (a name and a colon come first)"));
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(refuse("has an empty name"));
    }
    let mut spec = ScenarioSpec {
        name: name.to_string(),
        cluster_nodes: None,
        deploys_per_day: None,
        new_services_per_month: Fraction::ZERO,
    };
    for part in changes.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return Err(refuse(format!("has '{part}' without '='")));
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "cluster" | "cluster_nodes" => spec.cluster_nodes = Some(change(value)?),
            "deploys" | "deploys_per_day" => spec.deploys_per_day = Some(change(value)?),
            "new_services" | "new_services_per_month" => {
                spec.new_services_per_month = number(value)?;
            }
            other => return Err(refuse(format!("has an unknown change '{other}'"))),
        }
    }
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compact_form_reads_every_change() {
        let spec =
            parse_compact("growth: cluster=40..120, deploys=x2 step@6, new_services=1").unwrap();
        assert_eq!(spec.name, "growth");
        let cluster = spec.cluster_nodes.unwrap();
        assert_eq!(cluster.from, Some(Fraction::whole(40)));
        assert_eq!(cluster.to, Some(Fraction::whole(120)));
        assert_eq!(cluster.ramp, Ramp::Linear);
        let deploys = spec.deploys_per_day.unwrap();
        assert_eq!(deploys.factor, Some(Fraction::whole(2)));
        assert_eq!(deploys.ramp, Ramp::Step { at_month: 6 });
        assert_eq!(spec.new_services_per_month, 1u128);
        let compound = parse_compact("fast: cluster=x2 compound@5%").unwrap();
        assert_eq!(
            compound.cluster_nodes.unwrap().ramp,
            Ramp::Compound {
                percent_per_month: 5.0
            }
        );
        for bad in [
            "no colon",
            ": cluster=1..2",
            "a: cluster",
            "a: cluster=1..2 wobbly",
            "a: cluster=x2 step",
            "a: speed=3",
        ] {
            assert!(parse_compact(bad).is_err(), "{bad}");
        }
    }
}
