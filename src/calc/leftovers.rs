//! Leftovers: files of the final filesystem that a final image should not ship — package-manager
//! caches and lists, language caches, build toolchains, documentation — matched by the rules of
//! `data/leftovers.csv` (a data table, not code) against every file that survives the layers
//! stacked (`calc::waste::final_files`). Sizes are file content bytes, as dive counts them.
//!
//! A pattern's literal segments (no `*` or `?`) are bits: a file is tried against a pattern only
//! when its path has all of them and its name matches the pattern's last segment, which rejects
//! almost every file of an image without a glob match; the bits of a directory are worked out
//! once for all its files (the final files come in path order).

use std::collections::{BTreeMap, HashMap};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::waste::{self, FinalFile, KeptFile, Prebuilt, Waste};
use crate::error::Error;
use crate::model::files::FileEntry;

const LEFTOVERS_CSV: &str = include_str!("../../data/leftovers.csv");

/// How many of a leftover's paths are listed (the largest).
pub const TOP_PATHS: usize = 5;

/// One rule of the table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Rule {
    pub rule: String,
    /// Space-separated path patterns.
    pub patterns: String,
    /// The priority of the technique in `data/techniques.csv` that removes it.
    pub technique: u32,
    pub description: String,
}

impl Rule {
    pub fn matches(&self, path: &str) -> bool {
        self.patterns
            .split_whitespace()
            .any(|pattern| matches(pattern, path))
    }
}

/// The bundled rules, in the table's order (a file goes to the first rule it matches).
pub fn bundled() -> Result<Vec<Rule>, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(LEFTOVERS_CSV.as_bytes());
    reader
        .deserialize::<Rule>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Internal(format!("data/leftovers.csv: {e}")))
}

/// Whether `path` (absolute, cleaned) matches `pattern`: `*` within one segment, `**` any
/// number of segments (none included), `?` one character; a pattern is anchored at `/`.
pub fn matches(pattern: &str, path: &str) -> bool {
    segments(&split(pattern), &split(path))
}

/// The non-empty segments of a pattern or path.
fn split(text: &str) -> Vec<&str> {
    text.split('/').filter(|s| !s.is_empty()).collect()
}

fn segments(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments(rest, &path[skip..])),
        Some((first, rest)) => path.split_first().is_some_and(|(name, tail)| {
            segment(first.as_bytes(), name.as_bytes()) && segments(rest, tail)
        }),
    }
}

/// Whether one name matches one pattern segment: `*` any run of bytes, `?` one byte. Matched
/// left to right, going back only to the last `*` (linear for the table's patterns).
fn segment(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0usize, 0usize);
    // After the last `*` seen: where the pattern resumes and the name position it matched to.
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p + 1, n));
                p += 1;
            }
            Some(&c) if c == b'?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((resume, from)) => {
                    p = resume;
                    n = from + 1;
                    star = Some((resume, from + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// The first, recursive [`segment`]: the reference it is tested against.
#[cfg(test)]
fn segment_reference(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|skip| segment_reference(rest, &name[skip..])),
        Some((b'?', rest)) => !name.is_empty() && segment_reference(rest, &name[1..]),
        Some((c, rest)) => name.first() == Some(c) && segment_reference(rest, &name[1..]),
    }
}

/// A pattern split into segments, with what any path it matches must have: every literal
/// segment (no `*`, `?`) among its segments, and its last segment (when not `**`) matching the
/// path's last. Checking those first rejects almost every path without backtracking.
struct Compiled<'a> {
    segments: Vec<&'a str>,
    literals: Vec<&'a str>,
    last: Option<&'a str>,
    /// The last segment's literal end when it is `*` and a literal (`*.a`): matched by a
    /// comparison, not a glob.
    suffix: Option<&'a str>,
}

impl<'a> Compiled<'a> {
    fn of(pattern: &'a str) -> Compiled<'a> {
        let segments = split(pattern);
        let literals = segments
            .iter()
            .copied()
            .filter(|segment| !segment.contains(['*', '?']))
            .collect();
        let last = segments.last().copied().filter(|last| *last != "**");
        let suffix = last
            .and_then(|last| last.strip_prefix('*'))
            .filter(|rest| !rest.contains(['*', '?']));
        Compiled {
            segments,
            literals,
            last,
            suffix,
        }
    }

    /// Whether a file's name can match the last segment (any name when it is `**`).
    fn name_matches(&self, name: &str) -> bool {
        match (self.suffix, self.last) {
            (Some(suffix), _) => name.ends_with(suffix),
            (None, Some(last)) => segment(last.as_bytes(), name.as_bytes()),
            (None, None) => true,
        }
    }

    fn matches(&self, path: &[&str]) -> bool {
        if self.last.is_some() && !path.last().is_some_and(|name| self.name_matches(name)) {
            return false;
        }
        self.literals.iter().all(|literal| path.contains(literal)) && segments(&self.segments, path)
    }
}

/// The files one rule found that one layer brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Index into the rules.
    pub rule: usize,
    pub layer: usize,
    /// Every file, largest first (path order among equals).
    pub files: Vec<(String, u64)>,
}

impl Found {
    pub fn bytes(&self) -> u64 {
        self.files
            .iter()
            .fold(0u64, |sum, (_, size)| sum.saturating_add(*size))
    }
}

/// Every literal segment of the patterns, each a bit: a path's bits say which literals are
/// among its segments, a pattern's which it needs. A pattern can only match a path that has
/// all of its bits (literals past the 128th get no bit and are checked by the match).
struct Literals<'a> {
    bits: FxHashMap<&'a str, u128>,
}

impl<'a> Literals<'a> {
    fn of(patterns: &[&Compiled<'a>]) -> Literals<'a> {
        let mut bits: FxHashMap<&'a str, u128> = FxHashMap::default();
        for literal in patterns.iter().flat_map(|pattern| &pattern.literals) {
            let next = bits.len();
            if next < 128 {
                bits.entry(literal).or_insert(1 << next);
            }
        }
        Literals { bits }
    }

    fn of_segment(&self, segment: &str) -> u128 {
        self.bits.get(segment).copied().unwrap_or(0)
    }

    /// The bits of every segment of `text` (empty segments have none).
    fn of_segments(&self, text: &str) -> u128 {
        text.split('/')
            .fold(0, |bits, segment| bits | self.of_segment(segment))
    }

    fn needed(&self, pattern: &Compiled<'_>) -> u128 {
        pattern
            .literals
            .iter()
            .fold(0, |bits, literal| bits | self.of_segment(literal))
    }
}

/// A file of the final filesystem as [`find`] reads it.
trait Located: Sync {
    /// Its path, with or without the leading `/` (patterns are matched segment by segment).
    fn located(&self) -> &str;
    /// Its path with the leading `/`.
    fn rooted(&self) -> String;
    fn size(&self) -> u64;
    fn layer(&self) -> usize;
}

impl Located for FinalFile {
    fn located(&self) -> &str {
        &self.path
    }
    fn rooted(&self) -> String {
        self.path.clone()
    }
    fn size(&self) -> u64 {
        self.size
    }
    fn layer(&self) -> usize {
        self.layer
    }
}

impl Located for KeptFile<'_> {
    fn located(&self) -> &str {
        self.key()
    }
    fn rooted(&self) -> String {
        self.path()
    }
    fn size(&self) -> u64 {
        KeptFile::size(self)
    }
    fn layer(&self) -> usize {
        KeptFile::layer(self)
    }
}

/// The rules' patterns compiled, with their literal bits.
struct Matcher<'a> {
    /// Each rule's patterns.
    compiled: &'a [Vec<Compiled<'a>>],
    literals: Literals<'a>,
    /// Every pattern as (rule, pattern, the literal bits it needs), in rule order.
    needs: Vec<(usize, &'a Compiled<'a>, u128)>,
}

/// A directory's patterns that can still match a file in it: those whose literals are all
/// among the directory's segments, or all but one (which the file's name may be), in rule order.
struct Directory<'t, 'a> {
    text: &'t str,
    /// (rule, pattern, the one literal bit still missing or 0).
    open: Vec<(usize, &'a Compiled<'a>, u128)>,
    /// Those missing nothing: all a name that is no literal can match.
    complete: Vec<(usize, &'a Compiled<'a>)>,
}

/// Files matched on two threads when there are more than this.
const SPLIT_FILES: usize = 1 << 15;

impl<'a> Matcher<'a> {
    fn directory<'t>(&self, text: &'t str) -> Directory<'t, 'a> {
        let bits = self.literals.of_segments(text);
        let open: Vec<_> = self
            .needs
            .iter()
            .map(|&(rule, pattern, needed)| (rule, pattern, needed & !bits))
            .filter(|(_, _, missing)| missing.count_ones() <= 1)
            .collect();
        let complete = open
            .iter()
            .filter(|(_, _, missing)| *missing == 0)
            .map(|&(rule, pattern, _)| (rule, pattern))
            .collect();
        Directory {
            text,
            open,
            complete,
        }
    }

    /// The files that match a rule, as (index in `files`, the first rule it matches), in file
    /// order.
    fn rules_of(&self, files: &[impl Located]) -> Vec<(usize, usize)> {
        let mut path: Vec<&str> = Vec::new();
        // The files come in path order: a directory's open patterns are worked out once.
        let mut directory = self.directory("");
        let mut matched = Vec::new();
        for (index, file) in files.iter().enumerate() {
            let text = file.located();
            let (parent, name) = match memchr::memrchr(b'/', text.as_bytes()) {
                Some(at) => (&text[..at], &text[at + 1..]),
                None => ("", text),
            };
            if parent != directory.text {
                directory = self.directory(parent);
            }
            let bits = self.literals.of_segment(name);
            // The first rule with a pattern that can match: all its literals present, and its
            // last segment matching the name (when the path ends in a name; else left to the
            // full match). A name that is no literal completes no pattern missing one.
            let can_match = |pattern: &Compiled<'_>| name.is_empty() || pattern.name_matches(name);
            let candidate = match bits {
                0 => directory
                    .complete
                    .iter()
                    .find(|(_, pattern)| can_match(pattern))
                    .map(|&(rule, _)| rule),
                _ => directory
                    .open
                    .iter()
                    .find(|(_, pattern, missing)| {
                        (*missing == 0 || *missing == bits) && can_match(pattern)
                    })
                    .map(|&(rule, _, _)| rule),
            };
            let Some(candidate) = candidate else {
                continue;
            };
            path.clear();
            path.extend(text.split('/').filter(|s| !s.is_empty()));
            let rule = self
                .compiled
                .iter()
                .skip(candidate)
                .position(|patterns| patterns.iter().any(|pattern| pattern.matches(&path)));
            if let Some(at) = rule {
                matched.push((index, candidate + at));
            }
        }
        matched
    }
}

/// The leftovers of the final filesystem: one per rule and layer that brought its files, the
/// largest first. A file is counted once, under the first rule it matches.
pub fn find(rules: &[Rule], files: &[FinalFile]) -> Vec<Found> {
    find_in(rules, files)
}

/// [`find`] of any kind of final file.
fn find_in(rules: &[Rule], files: &[impl Located]) -> Vec<Found> {
    // Patterns split into segments once, and each path once (not once per pattern): an image
    // has hundreds of thousands of files.
    let compiled: Vec<Vec<Compiled>> = rules
        .iter()
        .map(|rule| rule.patterns.split_whitespace().map(Compiled::of).collect())
        .collect();
    let all: Vec<&Compiled> = compiled.iter().flatten().collect();
    let literals = Literals::of(&all);
    let needs = compiled
        .iter()
        .enumerate()
        .flat_map(|(rule, patterns)| patterns.iter().map(move |pattern| (rule, pattern)))
        .map(|(rule, pattern)| (rule, pattern, literals.needed(pattern)))
        .collect();
    let matcher = Matcher {
        compiled: &compiled,
        literals,
        needs,
    };
    let matched = if files.len() > SPLIT_FILES {
        let half = files.len() / 2;
        let (first, second) = files.split_at(half);
        std::thread::scope(|scope| {
            let later = scope.spawn(|| matcher.rules_of(second));
            let mut matched = matcher.rules_of(first);
            let later = later
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            matched.extend(later.into_iter().map(|(index, rule)| (half + index, rule)));
            matched
        })
    } else {
        matcher.rules_of(files)
    };
    let mut groups: BTreeMap<(usize, usize), Vec<(String, u64)>> = BTreeMap::new();
    for (index, rule) in matched {
        let file = &files[index];
        groups
            .entry((rule, file.layer()))
            .or_default()
            .push((file.rooted(), file.size()));
    }
    let mut found: Vec<Found> = groups
        .into_iter()
        .map(|((rule, layer), mut files)| {
            files.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            Found { rule, layer, files }
        })
        .collect();
    // Stable: rule then layer order among equal sizes.
    found.sort_by_key(|found| std::cmp::Reverse(found.bytes()));
    found
}

/// dive's figures, the leftovers of the final files and each layer's bytes split
/// ([`by_layer`]), of the same layers: each layer's tree built once, dive's walk on a second
/// thread while the final filesystem is stacked and matched (`waste::waste_and_final_files`).
pub fn findings(
    rules: &[Rule],
    layers: &[&[FileEntry]],
    prebuilt: Option<&Prebuilt>,
) -> (Waste, Vec<Found>, Vec<LayerBytes>) {
    let (waste, (found, split)) = waste::waste_and_final_files(layers, prebuilt, |files| {
        let found = find_in(rules, files);
        let split = by_layer_of(layers, files.iter().map(|f| (f.layer(), f.size())), &found);
        (found, split)
    });
    (waste, found, split)
}

/// The bytes dive's wasted figure and the leftovers both count: a leftover file whose path dive
/// lists as inefficient has its surviving copy in that path's cumulative bytes too, so it is
/// counted once — the smaller of its size and the path's cumulative bytes is taken off.
pub fn counted_twice(found: &[Found], waste: &Waste) -> u64 {
    let wasted: HashMap<&str, u64> = waste
        .inefficient_files
        .iter()
        .map(|file| (file.path.as_str(), file.cumulative_bytes))
        .collect();
    found
        .iter()
        .flat_map(|found| &found.files)
        .filter_map(|(path, size)| wasted.get(path.as_str()).map(|c| (*size).min(*c)))
        .fold(0u64, u64::saturating_add)
}

/// Where one layer's file content bytes are in the final image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
pub struct LayerBytes {
    /// Σ of the layer's entries' sizes (file content bytes, as dive counts them).
    pub file_bytes: u64,
    /// Of those, the files a later layer overwrites or deletes: shipped, but not in the final
    /// filesystem.
    pub hidden_later_bytes: u64,
    /// Of the files this layer leaves in the final filesystem, the leftovers' bytes.
    pub leftover_bytes: u64,
}

/// Each layer's file content bytes split into hidden by a later layer, leftovers, and the rest.
pub fn by_layer(layers: &[&[FileEntry]], files: &[FinalFile], found: &[Found]) -> Vec<LayerBytes> {
    by_layer_of(layers, files.iter().map(|f| (f.layer, f.size)), found)
}

/// [`by_layer`] of the final files' (layer, size).
fn by_layer_of(
    layers: &[&[FileEntry]],
    files: impl Iterator<Item = (usize, u64)>,
    found: &[Found],
) -> Vec<LayerBytes> {
    let mut split: Vec<LayerBytes> = layers
        .iter()
        .map(|entries| LayerBytes {
            file_bytes: entries
                .iter()
                .fold(0u64, |sum, entry| sum.saturating_add(entry.size)),
            ..LayerBytes::default()
        })
        .collect();
    let mut kept = vec![0u64; layers.len()];
    for (layer, size) in files {
        if let Some(slot) = kept.get_mut(layer) {
            *slot = slot.saturating_add(size);
        }
    }
    for found in found {
        if let Some(layer) = split.get_mut(found.layer) {
            layer.leftover_bytes = layer.leftover_bytes.saturating_add(found.bytes());
        }
    }
    for (layer, kept) in split.iter_mut().zip(kept) {
        layer.hidden_later_bytes = layer.file_bytes.saturating_sub(kept);
    }
    split
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calc::techniques;

    #[test]
    fn the_table_parses_and_every_technique_it_names_exists() {
        let rules = bundled().unwrap();
        assert!(rules.len() >= 18, "{}", rules.len());
        let techniques = techniques::bundled().unwrap();
        for rule in &rules {
            assert!(
                techniques.iter().any(|t| t.priority == rule.technique),
                "{}: technique {} is not in data/techniques.csv",
                rule.rule,
                rule.technique
            );
            assert!(!rule.patterns.trim().is_empty(), "{}", rule.rule);
            assert!(!rule.description.is_empty(), "{}", rule.rule);
        }
        let mut ids: Vec<&str> = rules.iter().map(|r| r.rule.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), rules.len(), "rule ids are unique");
    }

    #[test]
    fn the_rules_match_what_the_checklist_names() {
        let rules = bundled().unwrap();
        let first = |path: &str| {
            rules
                .iter()
                .find(|rule| rule.matches(path))
                .map(|rule| rule.rule.as_str())
        };
        for (path, rule) in [
            ("/var/lib/apt/lists/deb_InRelease", Some("apt-lists")),
            ("/var/lib/apt/lists/partial/x", Some("apt-lists")),
            ("/var/lib/apt/listsx", None),
            ("/var/cache/apt/archives/curl_8.deb", Some("apt-archives")),
            ("/var/cache/apt/archives/lock", None),
            ("/var/cache/apk/APKINDEX.tar.gz", Some("apk-cache")),
            ("/home/app/.cache/pip/wheels/x.whl", Some("pip-cache")),
            ("/root/.npm/_cacache/index-v5/aa", Some("npm-cache")),
            ("/usr/local/share/.cache/yarn/v6/x", Some("yarn-cache")),
            ("/root/.cache/go-build/00/x", Some("go-build-cache")),
            ("/go/pkg/mod/github.com/x/y.go", Some("go-module-cache")),
            ("/root/.m2/repository/x.jar", Some("maven-repository")),
            ("/home/u/.gradle/caches/x", Some("gradle-cache")),
            ("/usr/lib/gcc/x86_64-linux-gnu/12/cc1", Some("compilers")),
            ("/usr/bin/gcc-12", Some("compilers")),
            ("/usr/bin/g++", Some("compilers")),
            ("/usr/local/cargo/bin/rustc", Some("compilers")),
            ("/usr/local/go/bin/go", Some("compilers")),
            ("/usr/bin/go", None),
            ("/usr/include/stdio.h", Some("headers")),
            ("/usr/lib/libfoo.a", Some("static-libraries")),
            ("/usr/share/doc/curl/copyright", Some("documentation")),
            // The first rule wins: a static library under the docs is a static library.
            ("/usr/share/doc/x/libx.a", Some("static-libraries")),
            ("/usr/share/man/man1/ls.1.gz", Some("documentation")),
            ("/usr/share/info/dir", Some("documentation")),
            ("/usr/bin/ls", None),
        ] {
            assert_eq!(first(path), rule, "{path}");
        }
    }

    #[test]
    fn globs_match_within_and_across_segments() {
        assert!(matches("/a/**", "/a/b/c"));
        assert!(matches("/a/**", "/a"));
        assert!(matches("**/x", "/x"));
        assert!(matches("**/x", "/p/q/x"));
        assert!(!matches("/a/*", "/a/b/c"));
        assert!(matches("/a/*.deb", "/a/z.deb"));
        assert!(!matches("/a/*.deb", "/a/z.debx"));
        assert!(matches("/a/?", "/a/b"));
        assert!(!matches("/usr/bin/gcc*", "/usr/bin/x/gcc"));
    }

    #[test]
    fn a_file_is_counted_once_and_grouped_by_the_layer_that_brought_it() {
        let rules = bundled().unwrap();
        let file = |path: &str, size, layer| FinalFile {
            path: path.to_string(),
            size,
            layer,
        };
        let files = vec![
            file("/usr/share/doc/a/copyright", 10, 0),
            file("/usr/share/doc/b/copyright", 30, 1),
            file("/usr/share/doc/b/libb.a", 7, 1),
            file("/usr/share/man/man1/b.1", 20, 1),
            file("/bin/b", 1000, 1),
        ];
        let found = find(&rules, &files);
        let summary: Vec<(&str, usize, u64, usize)> = found
            .iter()
            .map(|f| {
                (
                    rules[f.rule].rule.as_str(),
                    f.layer,
                    f.bytes(),
                    f.files.len(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("documentation", 1, 50, 2),
                ("documentation", 0, 10, 1),
                ("static-libraries", 1, 7, 1),
            ]
        );
        assert_eq!(found[0].files[0].0, "/usr/share/doc/b/copyright");
    }

    #[test]
    fn each_layer_splits_into_hidden_later_leftovers_and_the_rest() {
        let entry = |path: &str, size: u64| FileEntry {
            path: path.to_string(),
            size,
            is_dir: false,
        };
        let first = vec![
            entry("etc/config", 100),
            entry("var/lib/apt/lists/Packages", 1_000),
            entry("opt/tool", 50),
        ];
        let second = vec![entry("etc/config", 30), entry("opt/.wh.tool", 0)];
        let layers: Vec<&[FileEntry]> = vec![&first, &second];
        let files = super::super::waste::final_files(&layers);
        let rules = bundled().unwrap();
        let found = find(&rules, &files);
        let split = by_layer(&layers, &files, &found);
        assert_eq!(
            split,
            vec![
                LayerBytes {
                    file_bytes: 1_150,
                    hidden_later_bytes: 150,
                    leftover_bytes: 1_000,
                },
                LayerBytes {
                    file_bytes: 30,
                    hidden_later_bytes: 0,
                    leftover_bytes: 0,
                },
            ]
        );
    }
}

#[cfg(test)]
mod prefilter {
    use proptest::prelude::*;

    use super::*;

    /// Files by (rule, layer).
    type Grouped = ((usize, usize), Vec<(String, u64)>);

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn the_prefilter_never_changes_a_match(
            pattern in prop::collection::vec(
                prop::sample::select(&["**", "*", "a*", "*.a", "*x.a", "?", "a", "b", "ab", ""][..]), 0..5),
            path in prop::collection::vec(
                prop::sample::select(&["a", "b", "ab", "x.a", "", "a.a"][..]), 0..5),
        ) {
            let pattern = format!("/{}", pattern.join("/"));
            let path = format!("/{}", path.join("/"));
            let segmented = split(&path);
            prop_assert_eq!(
                Compiled::of(&pattern).matches(&segmented),
                matches(&pattern, &path),
                "{} against {}", pattern, path
            );
        }

        /// The literal bits, the last-segment check and the directory kept between files never
        /// change which rule a file goes to.
        #[test]
        fn find_puts_each_file_under_its_first_matching_rule(
            rules in prop::collection::vec(
                prop::collection::vec(
                    prop::collection::vec(
                        prop::sample::select(
                            &["**", "*", "a*", "*.a", "*x.a", "?", "a", "b", "ab", "usr", "doc"][..],
                        ),
                        0..5,
                    ),
                    1..3,
                ),
                1..5,
            ),
            paths in prop::collection::vec(
                prop::collection::vec(
                    prop::sample::select(&["a", "b", "ab", "x.a", "", "a.a", "usr", "doc"][..]),
                    0..5,
                ),
                0..30,
            ),
            sorted in prop::bool::ANY,
        ) {
            let rules: Vec<Rule> = rules
                .iter()
                .enumerate()
                .map(|(at, patterns)| Rule {
                    rule: format!("r{at}"),
                    patterns: patterns
                        .iter()
                        .map(|pattern| format!("/{}", pattern.join("/")))
                        .collect::<Vec<_>>()
                        .join(" "),
                    technique: 1,
                    description: String::new(),
                })
                .collect();
            let mut paths: Vec<String> = paths.iter().map(|p| format!("/{}", p.join("/"))).collect();
            if sorted {
                paths.sort();
            }
            let files: Vec<FinalFile> = paths
                .iter()
                .enumerate()
                .map(|(at, path)| FinalFile { path: path.clone(), size: at as u64, layer: at % 2 })
                .collect();
            let mut expected: BTreeMap<(usize, usize), Vec<(String, u64)>> = BTreeMap::new();
            for file in &files {
                if let Some(rule) = rules.iter().position(|rule| rule.matches(&file.path)) {
                    expected.entry((rule, file.layer)).or_default().push((file.path.clone(), file.size));
                }
            }
            let mut found: Vec<Grouped> = find(&rules, &files)
                .into_iter()
                .map(|found| ((found.rule, found.layer), found.files))
                .collect();
            found.sort();
            let expected: Vec<Grouped> = expected
                .into_iter()
                .map(|(at, mut files)| {
                    files.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                    (at, files)
                })
                .collect();
            prop_assert_eq!(found, expected);
        }

        /// The findings of the shared walk (keys borrowed, matched without their `/`) are those
        /// of the separate walks on the final files' paths.
        #[test]
        fn findings_are_the_separate_walks_figures(
            layers in prop::collection::vec(
                prop::collection::vec(
                    (
                        prop::collection::vec(
                            prop::sample::select(&[
                                "usr", "share", "doc", "a.deb", "x.a", ".wh.doc", ".wh..wh..opq",
                                "var", "cache", "apt", "archives", "..", ".", "",
                            ][..]),
                            1..6,
                        ),
                        0u64..50,
                        prop::bool::ANY,
                    ),
                    0..12,
                ),
                1..4,
            ),
        ) {
            let layers: Vec<Vec<FileEntry>> = layers
                .into_iter()
                .map(|entries| {
                    entries
                        .into_iter()
                        .map(|(names, size, is_dir)| FileEntry {
                            path: names.join("/"),
                            size,
                            is_dir,
                        })
                        .collect()
                })
                .collect();
            let layers: Vec<&[FileEntry]> = layers.iter().map(Vec::as_slice).collect();
            let rules = bundled().unwrap();
            let (waste, found, split) = findings(&rules, &layers, None);
            let files = waste::final_files(&layers);
            let expected = find(&rules, &files);
            prop_assert_eq!(&waste, &waste::waste(&layers));
            prop_assert_eq!(&split, &by_layer(&layers, &files, &expected));
            prop_assert_eq!(found, expected);
        }

        #[test]
        fn a_segment_matches_as_the_recursive_match_does(
            pattern in "[ab*?.]{0,6}",
            name in "[ab.]{0,7}",
        ) {
            prop_assert_eq!(
                segment(pattern.as_bytes(), name.as_bytes()),
                segment_reference(pattern.as_bytes(), name.as_bytes()),
                "{} against {}", pattern, name
            );
        }
    }

    /// Enough files to be matched on two threads: the bundled rules, file by file.
    #[test]
    fn files_matched_on_two_threads_go_to_their_first_rule() {
        let rules = bundled().unwrap();
        let names = [
            "a.deb",
            "cc1",
            "x.a",
            "copyright",
            "rustc",
            "gcc-12",
            "f.txt",
        ];
        let directories = [
            "/var/cache/apt/archives",
            "/usr/share/doc/pkg",
            "/usr/bin",
            "/root/.m2/repository",
            "/srv/app",
            "/usr/lib/gcc/x86_64",
        ];
        let mut paths: Vec<String> = (0..SPLIT_FILES + 500)
            .map(|at| {
                format!(
                    "{}/{}{}",
                    directories[at % directories.len()],
                    at / 97,
                    names[at % names.len()]
                )
            })
            .chain(names.iter().map(|name| format!("/usr/bin/{name}")))
            .collect();
        paths.sort();
        let files: Vec<FinalFile> = paths
            .iter()
            .enumerate()
            .map(|(at, path)| FinalFile {
                path: path.clone(),
                size: at as u64,
                layer: at % 3,
            })
            .collect();
        let mut expected: BTreeMap<(usize, usize), u64> = BTreeMap::new();
        for file in &files {
            if let Some(rule) = rules.iter().position(|rule| rule.matches(&file.path)) {
                *expected.entry((rule, file.layer)).or_default() += 1;
            }
        }
        let found: BTreeMap<(usize, usize), u64> = find(&rules, &files)
            .into_iter()
            .map(|found| ((found.rule, found.layer), found.files.len() as u64))
            .collect();
        assert!(expected.len() > 3, "{expected:?}");
        assert_eq!(found, expected);
    }
}
