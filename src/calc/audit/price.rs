//! What a finding is worth. With the image built from the Dockerfile, instructions are matched
//! to layers through the config history (entries with `empty_layer` skipped, matched from the
//! last layer back against the instructions of the stages that ship) and a finding is priced with
//! the bytes found: the leftovers of its rule in the layer its instruction made, or the files a
//! later RUN removed that are still in the earlier layer. Without them, the technique's expected
//! reduction (`data/techniques.csv`) of a size — an estimate.

use std::collections::BTreeSet;

use super::stages;
use crate::calc::leftovers::{self, Found};
use crate::calc::techniques::Technique;
use crate::calc::waste::FinalFile;
use crate::model::dockerfile::{Args, Dockerfile, Instruction};
use crate::model::files::FileEntry;

/// Which layer each instruction made.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LayerMatch {
    /// By instruction index: the layer it made, when matched.
    pub layers: Vec<Option<usize>>,
    /// Instructions of the shipping stages that make layers (RUN, COPY, ADD).
    pub expected: usize,
    pub matched: usize,
}

/// Matches the instructions of the stages that ship to the layers, from the last back;
/// `created_by` holds one entry per layer (the history entries that made a layer, in order).
pub fn match_layers(dockerfile: &Dockerfile, created_by: &[Option<String>]) -> LayerMatch {
    let stages = stages::stages(dockerfile);
    let ships = stages::shipping(&stages);
    let candidates: Vec<usize> = stages
        .iter()
        .zip(&ships)
        .filter(|(_, ships)| **ships)
        .flat_map(|(stage, _)| stage.instructions.iter().copied())
        .filter(|&i| {
            matches!(
                dockerfile.instructions[i].keyword.as_str(),
                "RUN" | "COPY" | "ADD" | "WORKDIR"
            )
        })
        .collect();
    let mut found = LayerMatch {
        layers: vec![None; dockerfile.instructions.len()],
        expected: candidates
            .iter()
            .filter(|&&i| dockerfile.instructions[i].keyword != "WORKDIR")
            .count(),
        matched: 0,
    };
    let mut layer = created_by.len();
    for &index in candidates.iter().rev() {
        let Some(previous) = layer.checked_sub(1) else {
            break;
        };
        let instruction = &dockerfile.instructions[index];
        let said = created_by[previous].as_deref().unwrap_or("");
        if made(instruction, said) {
            found.layers[index] = Some(previous);
            if instruction.keyword != "WORKDIR" {
                found.matched += 1;
            }
            layer = previous;
        } else if instruction.keyword != "WORKDIR" {
            break;
        }
    }
    found
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a history entry's `created_by` (BuildKit's `RUN /bin/sh -c … # buildkit`, the
/// classic builder's `/bin/sh -c …` and `/bin/sh -c #(nop) COPY …`) is this instruction's.
fn made(instruction: &Instruction, created_by: &str) -> bool {
    let said = created_by.trim();
    let said = said.strip_suffix("# buildkit").unwrap_or(said).trim();
    let lower = said.to_ascii_lowercase();
    let nop = lower.contains("#(nop)");
    let keyword = instruction.keyword.to_ascii_lowercase();
    match instruction.keyword.as_str() {
        "RUN" => {
            let shell = !nop && (lower.starts_with("run ") || lower.contains("/bin/sh -c"));
            match &instruction.args {
                Args::Shell(text) if shell && instruction.heredocs.is_empty() => {
                    collapse(said).contains(&collapse(text))
                }
                _ => shell,
            }
        }
        _ => {
            lower.starts_with(&format!("{keyword} "))
                || (nop && lower.split_whitespace().any(|word| word == keyword))
        }
    }
}

/// A file found, with the layer it is in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FoundFile {
    pub layer: usize,
    pub path: String,
    pub bytes: u64,
}

/// The leftovers of the rules `ids` in `layer` (any layer when `None`), largest first.
pub fn leftovers_in(
    ids: &[&str],
    rules: &[leftovers::Rule],
    found: &[Found],
    layer: Option<usize>,
) -> Vec<FoundFile> {
    let mut files: Vec<FoundFile> = found
        .iter()
        .filter(|f| ids.contains(&rules[f.rule].rule.as_str()))
        .filter(|f| layer.is_none_or(|layer| f.layer == layer))
        .flat_map(|f| {
            f.files.iter().map(|(path, bytes)| FoundFile {
                layer: f.layer,
                path: path.clone(),
                bytes: *bytes,
            })
        })
        .collect();
    sort(&mut files);
    files
}

/// The files one layer's entries write (directories and whiteouts left out), paths as dive
/// writes them.
pub fn layer_files(entries: &[FileEntry], layer: usize) -> Vec<FinalFile> {
    entries
        .iter()
        .filter(|entry| !entry.is_dir)
        .map(|entry| FinalFile {
            path: format!("/{}", entry.path.trim_start_matches("./").trim_matches('/')),
            size: entry.size,
            layer,
        })
        .filter(|file| {
            !file
                .path
                .rsplit('/')
                .next()
                .is_some_and(|name| name.starts_with(".wh."))
        })
        .collect()
}

/// The leftovers of the rules `ids` among the files one layer's entries write (what the layer
/// carries, even when a later layer removes it), largest first.
pub fn leftovers_of_layer(
    ids: &[&str],
    rules: &[leftovers::Rule],
    entries: &[FileEntry],
    layer: usize,
) -> Vec<FoundFile> {
    let found = leftovers::find(rules, &layer_files(entries, layer));
    leftovers_in(ids, rules, &found, Some(layer))
}

/// The files of one layer's entries under the removed paths (which may hold `*`).
pub fn removed_in(entries: &[FileEntry], layer: usize, removed: &[String]) -> Vec<FoundFile> {
    let mut files: Vec<FoundFile> = layer_files(entries, layer)
        .into_iter()
        .filter(|file| {
            removed.iter().any(|r| {
                let r = r.trim_end_matches('/');
                file.path == r
                    || file.path.starts_with(&format!("{r}/"))
                    || (r.contains(['*', '?'])
                        && (leftovers::matches(r, &file.path)
                            || leftovers::matches(&format!("{r}/**"), &file.path)))
            })
        })
        .map(|file| FoundFile {
            layer,
            path: file.path,
            bytes: file.size,
        })
        .collect();
    sort(&mut files);
    files
}

fn sort(files: &mut [FoundFile]) {
    files.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)));
}

/// The bytes of `files`, each (layer, path) once.
pub fn distinct_bytes<'a>(files: impl IntoIterator<Item = &'a FoundFile>) -> u64 {
    let mut seen = BTreeSet::new();
    files
        .into_iter()
        .filter(|f| seen.insert((f.layer, f.path.as_str())))
        .fold(0u64, |sum, f| sum.saturating_add(f.bytes))
}

/// The technique's expected reduction of a size between `low` and `high` bytes: (low × low %,
/// high × high %); `None` when the checklist gives it no size range.
pub fn estimate(technique: &Technique, low: u64, high: u64) -> Option<(u64, u64)> {
    let low_pct = technique.reduction_low_pct?;
    let high_pct = technique.reduction_high_pct?;
    let of = |bytes: u64, pct: u32| {
        u64::try_from(u128::from(bytes) * u128::from(pct) / 100).unwrap_or(u64::MAX)
    };
    Some((of(low, low_pct), of(high, high_pct)))
}

/// Several techniques applied together: each takes its share of what the ones before left,
/// 1 − Π(1 − pᵢ), so no byte is counted twice. Percentages in, a fraction out.
pub fn combined_share(percents: impl IntoIterator<Item = u32>) -> f64 {
    1.0 - percents.into_iter().fold(1.0, |left, pct| {
        left * (1.0 - f64::from(pct.min(100)) / 100.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::dockerfile::parse::parse;

    #[test]
    fn instructions_match_layers_from_the_last_back() {
        let file = parse(
            "FROM golang AS build\nRUN go build\nFROM debian:12\nWORKDIR /app\nRUN apt-get update && \\\n    apt-get install -y curl\nCOPY app /app\nCMD [\"/app\"]\n",
        )
        .unwrap();
        let history = [
            Some("/bin/sh -c #(nop) ADD file:abc in /".to_string()),
            Some("WORKDIR /app".to_string()),
            Some(
                "RUN /bin/sh -c apt-get update &&     apt-get install -y curl # buildkit"
                    .to_string(),
            ),
            Some("COPY app /app # buildkit".to_string()),
        ];
        let found = match_layers(&file, &history);
        assert_eq!(found.layers[3], Some(1));
        assert_eq!(found.layers[4], Some(2));
        assert_eq!(found.layers[5], Some(3));
        assert_eq!(found.layers[1], None, "the builder ships no layer");
        assert_eq!((found.matched, found.expected), (2, 2));
        // A history that says something else stops the matching.
        let other = [
            Some("RUN /bin/sh -c something else".to_string()),
            history[3].clone(),
        ];
        let found = match_layers(&file, &other);
        assert_eq!(found.layers[4], None);
        assert_eq!(found.matched, 1);
    }

    #[test]
    fn removed_files_are_found_in_the_layer_entries() {
        let entry = |path: &str, size| FileEntry {
            path: path.to_string(),
            size,
            is_dir: false,
        };
        let entries = vec![
            entry("tmp/big.tar.gz", 500),
            entry("tmp/keep", 7),
            entry("opt/x/a", 3),
            entry("opt/x/b", 4),
        ];
        let files = removed_in(
            &entries,
            2,
            &["/tmp/big.tar.gz".to_string(), "/opt/x".to_string()],
        );
        assert_eq!(distinct_bytes(&files), 507);
        let globbed = removed_in(&entries, 2, &["/tmp/*".to_string()]);
        assert_eq!(distinct_bytes(&globbed), 507);
        assert_eq!(distinct_bytes(globbed.iter().chain(&files)), 514);
    }

    #[test]
    fn estimates_and_shares() {
        let technique = Technique {
            priority: 3,
            technique: String::new(),
            reduction_low_pct: Some(5),
            reduction_high_pct: Some(30),
            effect: String::new(),
        };
        assert_eq!(estimate(&technique, 100, 200), Some((5, 60)));
        assert!((combined_share([50, 50]) - 0.75).abs() < 1e-12);
    }
}
