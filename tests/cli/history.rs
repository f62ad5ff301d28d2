//! `history`: eight builds of one app made with umoci (tests/fixtures/history/build.sh), read as
//! image sources in order and from a scripted registry that lists tags two a page; the pulls,
//! base change, measured parameters and backtest checked against the construction, read from
//! the layout's own manifests; the assumptions file it writes accepted by `calc`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::common::*;
use crate::fake_server::{Answer, FakeServer, Request};

pub const LAYOUT: &str = "tests/fixtures/history/layout";
/// The tags of builds 1–8, in the order they were made.
pub const TAGS: [&str; 8] = ["g", "c", "h", "a", "f", "b", "e", "d"];

/// One build as its layout describes it, read without fleetsave.
#[derive(Debug, Clone)]
pub struct Built {
    pub tag: String,
    pub manifest: String,
    pub config: (String, u64),
    pub layers: Vec<(String, u64)>,
    pub created: String,
}

fn json_file(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn blob_path(layout: &Path, digest: &str) -> PathBuf {
    layout
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"))
}

/// The builds of `layout`, in the order of [`TAGS`].
pub fn construction(layout: &Path) -> Vec<Built> {
    let index = json_file(&layout.join("index.json"));
    TAGS.iter()
        .map(|tag| {
            let entry = index["manifests"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == *tag)
                .unwrap();
            let digest = entry["digest"].as_str().unwrap().to_string();
            let manifest = json_file(&blob_path(layout, &digest));
            let descriptor = |d: &serde_json::Value| {
                (
                    d["digest"].as_str().unwrap().to_string(),
                    d["size"].as_u64().unwrap(),
                )
            };
            let config = descriptor(&manifest["config"]);
            let created = json_file(&blob_path(layout, &config.0))["created"]
                .as_str()
                .unwrap()
                .to_string();
            Built {
                tag: tag.to_string(),
                manifest: digest,
                config,
                layers: manifest["layers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(descriptor)
                    .collect(),
                created,
            }
        })
        .collect()
}

/// What a node holding `before` pulls for `after`: the blobs of `after` not in `before`.
pub fn pull(before: &Built, after: &Built) -> u64 {
    let held: HashSet<&String> = before
        .layers
        .iter()
        .map(|(d, _)| d)
        .chain([&before.config.0])
        .collect();
    after
        .layers
        .iter()
        .chain([&after.config])
        .filter(|(d, _)| !held.contains(d))
        .map(|(_, size)| size)
        .sum()
}

/// The median of the routine builds' pulls (builds 2, 3 and 5–8), as the construction gives them.
fn median_routine(built: &[Built]) -> u64 {
    let mut pulls: Vec<u64> = [0, 1, 3, 4, 5, 6]
        .iter()
        .map(|&i| pull(&built[i], &built[i + 1]))
        .collect();
    pulls.sort_unstable();
    ((pulls[2] + pulls[3]) as f64 / 2.0).round() as u64
}

/// The checks of the acceptance on a `history --format json` of the eight builds.
pub fn assert_history_matches(json: &serde_json::Value, built: &[Built]) {
    // Builds 1–3 share base A, build 4 changes it, builds 5–8 share base B: the construction.
    assert_eq!(built[0].layers[0], built[2].layers[0]);
    assert_ne!(built[2].layers[0], built[3].layers[0]);
    assert_eq!(built[3].layers[0], built[7].layers[0]);
    let builds = json["builds"].as_array().unwrap();
    let tags: Vec<&str> = builds
        .iter()
        .map(|b| b["tag"].as_str().unwrap().rsplit(':').next().unwrap())
        .collect();
    assert_eq!(tags, TAGS, "listed in created order");
    let created: Vec<&str> = builds
        .iter()
        .map(|b| b["created"].as_str().unwrap())
        .collect();
    assert_eq!(created[0], "2026-01-01T00:00:00Z");
    for (build, made) in builds.iter().zip(built) {
        assert_eq!(build["config_digest"], made.config.0.as_str());
        assert_eq!(build["created"], made.created.as_str());
        let wire: u64 = made.layers.iter().map(|(_, s)| s).sum::<u64>() + made.config.1;
        assert_eq!(build["wire_bytes"], wire);
        assert_eq!(build["layers"], 3);
    }
    let pairs = json["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 7);
    for (index, pair) in pairs.iter().enumerate() {
        let (before, after) = (&built[index], &built[index + 1]);
        assert_eq!(
            pair["pull_wire_bytes"],
            pull(before, after),
            "pull of pair {index}"
        );
        // Routine builds pull exactly their top layer and config.
        if index != 2 {
            assert_eq!(pair["pull_wire_bytes"], after.layers[2].1 + after.config.1);
            assert_eq!(pair["layers_shared"], 2);
        }
        assert_eq!(
            pair["base_changed"],
            index == 2,
            "base change of pair {index}"
        );
        assert_eq!(pair["days"], 1.0);
    }
    // Build 4 pulls base B, its top layer and config (the dependencies layer is shared).
    assert_eq!(
        pairs[2]["pull_wire_bytes"],
        built[3].layers[0].1 + built[3].layers[2].1 + built[3].config.1
    );
    let measured = &json["measured"];
    assert_eq!(measured["enough"], true);
    assert_eq!(measured["routine_pairs"], 6);
    assert_eq!(measured["base_changes"], 1);
    assert_eq!(measured["span_days"], 7.0);
    assert_eq!(measured["builds_per_day"], 1.0);
    assert_eq!(measured["base_refresh_days"], 7.0);
    assert_eq!(measured["changed_per_deploy_bytes"], median_routine(built));
    let backtest = &json["backtest"];
    let fetched: u64 = (0..7).map(|i| pull(&built[i], &built[i + 1])).sum();
    assert_eq!(backtest["fetched_wire_bytes"], fetched);
    let error = backtest["error_with_measured"].as_f64().unwrap();
    assert!(error.abs() <= 0.05, "measured error {error}");
    let predicted = backtest["predicted_with_measured"].as_u64().unwrap();
    assert!((predicted as f64 / fetched as f64 - 1.0).abs() <= 0.05);
    assert!(backtest["error_with_defaults"].is_number());
}

fn sources() -> Vec<String> {
    TAGS.iter().map(|tag| format!("{LAYOUT}:{tag}")).collect()
}

#[test]
fn eight_builds_given_in_order_show_their_pulls_base_change_and_measured_parameters() {
    let built = construction(&project_file(LAYOUT));
    let mut args = vec!["history".to_string()];
    args.extend(sources());
    args.extend(["--format".to_string(), "json".to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let json = json_of(&args);
    assert_history_matches(&json, &built);
    assert_eq!(json["repository"], serde_json::Value::Null);
    // Text says both errors, beside the bytes really fetched.
    let text = stdout_of(&args[..args.len() - 2]);
    let backtest = &json["backtest"];
    let percent = |key: &str| {
        let error = backtest[key].as_f64().unwrap() * 100.0;
        format!("{}{:.1}%", if error > 0.0 { "+" } else { "−" }, error.abs())
    };
    for expected in [
        "layer-aware model with".to_string(),
        "defaults (base every 7 days, fraction 0.7)".to_string(),
        percent("error_with_defaults"),
        "measured parameters".to_string(),
        percent("error_with_measured"),
    ] {
        assert!(text.contains(&expected), "{expected} in {text}");
    }
}

#[test]
fn fewer_than_four_pairs_keep_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("measured.toml");
    let mut args = vec!["history".to_string()];
    args.extend(sources().into_iter().take(4));
    args.extend([
        "--write-assumptions".to_string(),
        file.display().to_string(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let text = stdout_of(&args);
    assert!(
        text.contains("too few to measure; the defaults are kept"),
        "{text}"
    );
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(!written.contains("changed_per_deploy ="), "{written}");
    assert!(written.contains("the defaults are kept"), "{written}");
}

#[test]
fn the_assumptions_written_are_accepted_by_calc_and_change_the_expected_figure() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("measured.toml");
    let mut args = vec!["history".to_string()];
    args.extend(sources());
    args.extend([
        "--write-assumptions".to_string(),
        file.display().to_string(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    stdout_of(&args);
    let written = std::fs::read_to_string(&file).unwrap();
    let built = construction(&project_file(LAYOUT));
    assert!(
        written.contains(&format!(
            "changed_per_deploy = \"{}\"",
            median_routine(&built)
        )),
        "{written}"
    );
    assert!(written.contains("base_refresh_days = 7"), "{written}");
    assert!(
        written.contains("# Measured by `fleetsave history`"),
        "{written}"
    );
    let calc = |extra: &[&str]| {
        let mut args = vec![
            "calc", "--before", "50MB", "--after", "40MB", "--nodes", "10", "--format", "json",
        ];
        args.extend(extra);
        json_of(&args)
    };
    let plain = calc(&[]);
    let file_text = file.display().to_string();
    let measured = calc(&["--assumptions", &file_text]);
    assert_ne!(
        plain["totals"]["expected"]["per_day"]["after"]["total"],
        measured["totals"]["expected"]["per_day"]["after"]["total"]
    );
    assert_eq!(
        measured["assumptions"]["changed_per_deploy"]["value"],
        median_routine(&built).to_string()
    );
    assert_eq!(
        measured["assumptions"]["changed_per_deploy"]["origin"],
        "file"
    );
    // Every deploy moves the measured changed part: 1 pull a day per node × 10 nodes.
    assert_eq!(
        int(&measured["totals"]["expected"]["per_day"]["after"]["routine_deploys"]),
        10 * i128::from(median_routine(&built))
    );
}

/// Serves the layout's eight tags as a registry that ignores `n=` and lists the tags two a page
/// with `Link` headers (in name order, as registries do), manifests by tag and blobs by digest.
pub fn paged_registry(layout: PathBuf) -> FakeServer {
    paged_registry_with(layout, 0, 2)
}

/// [`paged_registry`] with `filler` more tags (`filler-00000`, …, which have no manifest) and
/// `per_page` tags a page.
pub fn paged_registry_with(layout: PathBuf, filler: usize, per_page: usize) -> FakeServer {
    let built = construction(&layout);
    let mut names: Vec<String> = TAGS.iter().map(|t| t.to_string()).collect();
    names.extend((0..filler).map(|n| format!("filler-{n:05}")));
    names.sort_unstable();
    FakeServer::start(move |request: &Request, _| -> Answer {
        let target = request.target.as_str();
        if let Some(query) = target.strip_prefix("/v2/app/tags/list") {
            let tags = &names;
            let start = query
                .split(['?', '&'])
                .find_map(|pair| pair.strip_prefix("last="))
                .and_then(|last| tags.iter().position(|t| t == last).map(|i| i + 1))
                .unwrap_or(0);
            let page = &tags[start..(start + per_page).min(tags.len())];
            let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
            if start + per_page < tags.len() {
                headers.push((
                    "Link".to_string(),
                    format!(
                        "</v2/app/tags/list?last={}&n={per_page}>; rel=\"next\"",
                        page.last().unwrap()
                    ),
                ));
            }
            let body = serde_json::json!({"name": "app", "tags": page});
            return (200, headers, body.to_string().into_bytes());
        }
        if let Some(tag) = target.strip_prefix("/v2/app/manifests/") {
            // `latest` is the newest build.
            let tag = if tag == "latest" { TAGS[7] } else { tag };
            let Some(made) = built.iter().find(|b| b.tag == tag || b.manifest == tag) else {
                return (404, vec![], vec![]);
            };
            return (
                200,
                vec![
                    (
                        "Content-Type".to_string(),
                        "application/vnd.oci.image.manifest.v1+json".to_string(),
                    ),
                    ("Docker-Content-Digest".to_string(), made.manifest.clone()),
                ],
                std::fs::read(blob_path(&layout, &made.manifest)).unwrap(),
            );
        }
        if let Some(digest) = target.strip_prefix("/v2/app/blobs/") {
            return match std::fs::read(blob_path(&layout, digest)) {
                Ok(bytes) if digest.starts_with("sha256:") => (200, vec![], bytes),
                _ => (404, vec![], vec![]),
            };
        }
        (404, vec![], vec![])
    })
}

#[test]
fn a_registry_listing_two_tags_a_page_has_every_tag_read() {
    let layout = project_file(LAYOUT);
    let built = construction(&layout);
    let server = paged_registry(layout);
    let repository = format!("{}/app", server.host());
    let json = json_of(&["history", &repository, "--format", "json"]);
    assert_history_matches(&json, &built);
    assert_eq!(json["repository"], repository.as_str());
    let requests = server.requests();
    let pages: Vec<&str> = requests
        .iter()
        .map(|r| r.target.as_str())
        .filter(|t| t.contains("/tags/list"))
        .collect();
    assert_eq!(pages.len(), 4, "{pages:?}");
    let manifests = requests
        .iter()
        .filter(|r| r.target.contains("/manifests/"))
        .count();
    assert_eq!(manifests, 8, "every tag's manifest read once");
    assert!(
        !requests.iter().any(|r| {
            built
                .iter()
                .flat_map(|b| &b.layers)
                .any(|(d, _)| r.target.ends_with(d.as_str()))
        }),
        "no layer downloaded"
    );

    // --last keeps the newest by created time; --tags filters the names.
    let last = json_of(&["history", &repository, "--last", "3", "--format", "json"]);
    let tags: Vec<&str> = last["builds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["b", "e", "d"]);
    let filtered = json_of(&[
        "history",
        &repository,
        "--tags",
        "^[a-c]$",
        "--format",
        "json",
    ]);
    let tags: Vec<&str> = filtered["builds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["c", "a", "b"]);
}

#[test]
fn ten_thousand_tags_are_listed_in_pages_and_only_the_matching_builds_read() {
    let layout = project_file(LAYOUT);
    let built = construction(&layout);
    let server = paged_registry_with(layout, 10_000, 1000);
    let repository = format!("{}/app", server.host());
    let json = json_of(&[
        "history",
        &repository,
        "--tags",
        "^[a-h]$",
        "--format",
        "json",
    ]);
    assert_history_matches(&json, &built);
    let requests = server.requests();
    let pages = requests
        .iter()
        .filter(|r| r.target.contains("/tags/list"))
        .count();
    assert_eq!(pages, 11, "10,008 tags in pages of 1000");
    let manifests = requests
        .iter()
        .filter(|r| r.target.contains("/manifests/"))
        .count();
    assert_eq!(manifests, 8, "only the matching tags read");
    // Without --tags, 10,008 candidates are more than are read to find the newest.
    let (code, stderr) = failure_of(&["history", &repository]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("10008 tags match"), "{stderr}");
    assert!(stderr.contains("--tags REGEX"), "{stderr}");
}

#[test]
fn a_bad_tag_pattern_is_refused_with_its_flag() {
    let (code, stderr) = failure_of(&["history", "x.io/app", "--tags", "(unclosed"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--tags"), "{stderr}");
    assert!(stderr.contains("not a regular expression"), "{stderr}");
}

#[test]
fn snapshots_of_every_format() {
    let mut args = vec!["history".to_string()];
    args.extend(sources());
    args.extend(["--runtime", "go"].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let with = |format: &str| {
        let mut all = args.clone();
        all.extend(["--format", format]);
        stdout_of(&all)
    };
    insta::assert_snapshot!("history_text", with("text"));
    insta::assert_snapshot!("history_markdown", with("markdown"));
    insta::assert_snapshot!("history_json", with("json"));
    let html = with("html");
    assert!(html.contains("<svg") && html.contains("Target for go (unpacked)"));
    assert!(html.contains("Bytes a node pulled per build"));
    insta::assert_snapshot!("history_html", html);
}

#[test]
fn report_history_shows_each_repository_services_trend() {
    let layout = project_file(LAYOUT);
    let built = construction(&layout);
    let server = paged_registry(layout);
    let dir = tempfile::tempdir().unwrap();
    let inventory = write_file(
        dir.path(),
        "fleet.csv",
        &format!(
            "service,before,after,after_image\napi,100kB,,{}/app\nplain,100kB,90kB,\n",
            server.host()
        ),
    );
    let inventory = inventory.display().to_string();
    let json = json_of(&["report", &inventory, "--history", "30", "--format", "json"]);
    let trends = json["trends"].as_array().unwrap();
    assert_eq!(trends.len(), 1, "only the row naming a repository");
    assert_eq!(trends[0]["service"], "api");
    let builds = trends[0]["builds"].as_array().unwrap();
    let tags: Vec<&str> = builds.iter().map(|b| b["tag"].as_str().unwrap()).collect();
    assert_eq!(tags, TAGS, "oldest first by created");
    for (build, made) in builds.iter().zip(&built) {
        let wire: u64 = made.layers.iter().map(|(_, s)| s).sum::<u64>() + made.config.1;
        assert_eq!(build["wire_bytes"], wire);
    }
    let text = stdout_of(&["report", &inventory, "--history", "30"]);
    assert!(
        text.contains("Size trend (wire bytes of the last builds"),
        "{text}"
    );
    let line = text
        .lines()
        .skip_while(|l| !l.starts_with("Size trend"))
        .nth(1)
        .unwrap();
    assert!(line.trim_start().starts_with("api "), "{line}");
    // Base B makes builds 4–8 larger: low blocks, then high ones.
    assert!(line.contains("▁"), "{line}");
    assert!(line.contains("█"), "{line}");
    assert!(line.contains("over 8 builds"), "{line}");
    let html = stdout_of(&["report", &inventory, "--history", "8", "--format", "html"]);
    assert!(html.contains("<h2>Size trend</h2>"));
    let markdown = stdout_of(&[
        "report",
        &inventory,
        "--history",
        "8",
        "--format",
        "markdown",
    ]);
    assert!(markdown.contains("Size trend of api: "), "{markdown}");
    // Without --history: no trend, no key.
    let plain = json_of(&["report", &inventory, "--format", "json"]);
    assert!(plain.get("trends").is_none());
}
