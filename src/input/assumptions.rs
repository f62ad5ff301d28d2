//! Assumption tables as written in TOML: an assumptions file (`--assumptions FILE`, flat keys) or
//! an inventory's `[assumptions]` table. Keys and checks come from the assumptions table of the
//! model; each value is refused with its file, line and key, and an example in TOML syntax.

use std::collections::BTreeMap;
use std::path::Path;

use toml::Spanned;

use super::limits::read_text;
use crate::error::{Error, Place};
use crate::model::assumptions::{self, Overrides, Profile, toml_text};
use crate::model::values::{Field, Refusal, shorten};

/// An assumptions table as read, each key and value with its position.
pub type AssumptionsTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// 1-based line of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// `unknown key 'x'; known keys: a, b, …`.
pub fn unknown_key(kind: &str, name: &str, known: impl Iterator<Item = &'static str>) -> String {
    format!(
        "unknown {kind} '{}'; known {kind}s: {}",
        shorten(name),
        known.collect::<Vec<_>>().join(", ")
    )
}

/// `an array`, `a table`.
pub fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// Validates every value of `table`. `text` is the whole file the table was read from (for line
/// numbers), `path` its name for messages.
pub fn validate(
    table: &AssumptionsTable,
    text: &str,
    path: &Path,
    profiles: &BTreeMap<String, Profile>,
) -> Result<Overrides, Error> {
    let mut overrides = Overrides::default();
    for (key, value) in table {
        let written = key.get_ref().as_str();
        let Some(assumption) = assumptions::assumption(written) else {
            return Err(Error::Input {
                place: Place::file_line(path, line_of(text, key.span().start), &shorten(written)),
                message: unknown_key("key", written, assumptions::keys()),
            });
        };
        let field = Field::Toml {
            path,
            line: line_of(text, value.span().start),
            key: assumption.key,
        };
        let Some(typed) = toml_text(value.get_ref()) else {
            let other = value.get_ref();
            return Err(field.refuse(
                &other.to_string(),
                Refusal::new(
                    format!("is {}", with_article(other.type_str())),
                    "a string or a number",
                )
                .example(assumption.example),
            ));
        };
        let parsed = field.read(&typed, |text| {
            assumption
                .kind
                .parse(text, profiles)
                .map_err(|refusal| refusal.example(assumption.example))
        })?;
        overrides.set(assumption, parsed);
    }
    Ok(overrides)
}

/// Reads an assumptions file (`--assumptions FILE`): flat keys of the assumptions table.
pub fn read_file(path: &Path, profiles: &BTreeMap<String, Profile>) -> Result<Overrides, Error> {
    let text = read_text(path)?;
    let table: AssumptionsTable = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
    validate(&table, &text, path, profiles)
}

/// A TOML syntax or shape error, naming file and line.
pub fn toml_error(path: &Path, text: &str, error: &toml::de::Error) -> Error {
    let line = error.span().map(|span| line_of(text, span.start));
    Error::Input {
        place: Place::File {
            path: path.to_path_buf(),
            line,
            field: None,
        },
        message: error.message().trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::assumptions::{Assumptions, Value};
    use crate::units::Ratio;

    fn validate_text(text: &str) -> Result<Overrides, Error> {
        let defaults = Assumptions::defaults().unwrap();
        let path = Path::new("ops.toml");
        let table: AssumptionsTable =
            toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        validate(&table, text, path, &defaults.profiles)
    }

    #[test]
    fn files_accept_strings_and_numbers() {
        let o = validate_text(
            "compression_ratio = 0.4\nbandwidth = \"250MB/s\"\nextract_rate = 80000000\n\
             pricing = \"internet\"\nretained_tags = 3\neffort_hours = 8\nhourly_rate = 120\n",
        )
        .unwrap();
        assert_eq!(
            o.get("compression_ratio"),
            Some(&Value::Ratio(Ratio::parse("0.4").unwrap()))
        );
        assert_eq!(o.get("bandwidth"), Some(&Value::Rate(250_000_000)));
        assert_eq!(o.get("extract_rate"), Some(&Value::Rate(80_000_000)));
        assert_eq!(
            o.get("pricing"),
            Some(&Value::Profile("internet".to_string()))
        );
        assert_eq!(o.get("retained_tags"), Some(&Value::Whole(3)));
        assert_eq!(o.get("effort_hours"), Some(&Value::Number(8.0)));
        assert_eq!(o.get("hourly_rate"), Some(&Value::Number(120.0)));
    }

    #[test]
    fn file_errors_name_line_key_and_value_in_toml_syntax() {
        let message = validate_text("bandwidth = \"250MB/s\"\n\ncompression_ratio = 1.7\n")
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("ops.toml line 3, compression_ratio: '1.7'"),
            "{message}"
        );
        assert!(
            message.ends_with("e.g. compression_ratio = 0.4"),
            "{message}"
        );

        let message = validate_text("pricing = \"free\"\n")
            .unwrap_err()
            .to_string();
        assert!(message.contains("line 1, pricing: 'free'"), "{message}");
        assert!(message.contains("nat-gateway"), "{message}");
        assert!(
            message.ends_with("e.g. pricing = \"internet\""),
            "{message}"
        );

        let message = validate_text("bandwith = 3\n").unwrap_err().to_string();
        assert!(
            message.starts_with("ops.toml line 1, bandwith:"),
            "{message}"
        );
        assert!(message.contains("unknown key"), "{message}");
        assert!(message.contains("bandwidth"), "{message}");

        let message = validate_text("retained_tags = -1\n")
            .unwrap_err()
            .to_string();
        assert!(message.contains("retained_tags: '-1'"), "{message}");

        let message = validate_text("retained_tags = [1]\n")
            .unwrap_err()
            .to_string();
        assert!(message.contains("is an array"), "{message}");

        let message = validate_text("bandwidth = \n").unwrap_err().to_string();
        assert!(message.starts_with("ops.toml line 1:"), "{message}");
    }
}
