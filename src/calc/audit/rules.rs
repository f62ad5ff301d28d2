//! The logic of each audit rule, keyed by its id in `data/audit-rules.csv`. Each rule looks at
//! the commands of RUN instructions ([`super::shell`]), their `--mount` flags (a `cache` or
//! `tmpfs` mount over a cache directory is compliant, as hadolint has it), the stages
//! ([`super::stages`]) and the `ENV` in force. Where hadolint has the same check the behaviour
//! is hadolint's (its spec cases are tests here).

use std::collections::{BTreeMap, BTreeSet};

use super::Rule;
use super::shell::{self, Command};
use super::stages::{self, Stage};
use crate::model::dockerfile::{Args, Dockerfile, Instruction};

/// What the audit knows besides the Dockerfile.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// A `.dockerignore` (or `<Dockerfile>.dockerignore`) is in the build context.
    pub has_dockerignore: bool,
}

/// One rule that fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The rule's id.
    pub rule: String,
    /// The instruction reported (its index).
    pub instruction: usize,
    /// The instruction whose layer holds the bytes (a RUN that left a cache, the step that
    /// created files removed later); `None` when no one layer does.
    pub layer_instruction: Option<usize>,
    /// Whether the stage of the instruction ships.
    pub ships: bool,
    /// What exactly was seen, in words.
    pub detail: String,
    /// For `deleted-later`: the removed paths (absolute, may hold `*`).
    pub paths: Vec<String>,
}

/// One RUN, read once for every rule.
struct Run<'a> {
    index: usize,
    instruction: &'a Instruction,
    commands: Vec<Command>,
    /// The variables of [`WATCHED`] in force (set by `ENV`, inherited through `FROM`).
    env: Vec<(String, String)>,
    workdir: String,
    stage: usize,
}

/// The environment variables rules read; only these are tracked, each with its last value.
const WATCHED: [&str; 2] = ["PIP_NO_CACHE_DIR", "NODE_ENV"];

/// The most created paths and installed packages `deleted-later` remembers: a hostile file of
/// many `touch` and `rm` commands costs at most this many comparisons a removal.
const MAX_TRACKED: usize = 4096;

/// Sets `name` to `value` in `env` when it is watched, replacing an earlier value.
fn watch(env: &mut Vec<(String, String)>, name: &str, value: &str) {
    if WATCHED.contains(&name) {
        env.retain(|(n, _)| n != name);
        env.push((name.to_string(), value.to_string()));
    }
}

/// Runs every rule of `rules` over the Dockerfile; hits in file order.
pub fn audit(dockerfile: &Dockerfile, rules: &[Rule], context: &Context) -> Vec<Hit> {
    let stages = stages::stages(dockerfile);
    let ships = stages::shipping(&stages);
    let runs = runs(dockerfile, &stages);
    let mut stage_of = vec![None; dockerfile.instructions.len()];
    for (index, stage) in stages.iter().enumerate() {
        for &at in stage.from.iter().chain(&stage.instructions) {
            stage_of[at] = Some(index);
        }
    }
    let mut hits = Vec::new();
    for rule in rules {
        let found = match rule.id.as_str() {
            "apt-lists" => per_run(&runs, apt_lists),
            "apt-recommends" => per_run(&runs, apt_recommends),
            "apk-cache" => per_run(&runs, apk_cache),
            "yum-cache" => per_run(&runs, yum_cache),
            "zypper-cache" => per_run(&runs, zypper_cache),
            "dnf-cache" => per_run(&runs, dnf_cache),
            "pip-cache" => per_run(&runs, pip_cache),
            "yarn-cache" => per_run(&runs, yarn_cache),
            "npm-dev-dependencies" => per_run(&runs, npm_dev),
            "consecutive-runs" => consecutive_runs(&runs),
            "multi-stage" => multi_stage(&runs, &ships),
            "slim-base" => slim_base(&stages),
            "dockerignore" => dockerignore(dockerfile, context),
            "deleted-later" => deleted_later(dockerfile, &stages, &runs),
            _ => Vec::new(),
        };
        for (instruction, layer_instruction, detail, paths) in found {
            let stage = stage_of.get(instruction).copied().flatten();
            let shipped = stage.is_none_or(|s| ships[s]);
            if rule.final_stage_only && !shipped {
                continue;
            }
            hits.push(Hit {
                rule: rule.id.clone(),
                instruction,
                layer_instruction,
                ships: shipped,
                detail,
                paths,
            });
        }
    }
    hits.sort_by_key(|hit| hit.instruction);
    hits
}

type Found = (usize, Option<usize>, String, Vec<String>);

fn runs<'a>(dockerfile: &'a Dockerfile, stages: &[Stage]) -> Vec<Run<'a>> {
    let mut runs = Vec::new();
    let mut stage_env: Vec<Vec<(String, String)>> = Vec::new();
    let mut stage_workdir: Vec<String> = Vec::new();
    for (s, stage) in stages.iter().enumerate() {
        let (mut env, mut workdir) = match stage.parent {
            Some(parent) => (stage_env[parent].clone(), stage_workdir[parent].clone()),
            None => (Vec::new(), "/".to_string()),
        };
        for &index in &stage.instructions {
            let instruction = &dockerfile.instructions[index];
            match instruction.keyword.as_str() {
                "ENV" => {
                    for (name, value) in stages::pairs(instruction) {
                        watch(&mut env, &name, &value);
                    }
                }
                "WORKDIR" => workdir = join(&workdir, &instruction.text()),
                "RUN" => runs.push(Run {
                    index,
                    instruction,
                    commands: run_commands(instruction),
                    env: env.clone(),
                    workdir: workdir.clone(),
                    stage: s,
                }),
                _ => {}
            }
        }
        stage_env.push(env);
        stage_workdir.push(workdir);
    }
    runs
}

/// The commands a RUN runs: its shell script, or the script of its here-document when the line
/// only opens one, or the words of its exec form (`sh -c SCRIPT` read as the script).
fn run_commands(instruction: &Instruction) -> Vec<Command> {
    match &instruction.args {
        Args::Json(words) => {
            let shells = ["sh", "bash", "/bin/sh", "/bin/bash"];
            if words.len() >= 3 && shells.contains(&words[0].as_str()) && words[1] == "-c" {
                shell::commands(&words[2])
            } else {
                vec![Command {
                    env: Vec::new(),
                    words: words.clone(),
                }]
            }
        }
        Args::Shell(text) => {
            let opens_only = text
                .split_whitespace()
                .next()
                .is_some_and(|word| word.starts_with("<<"));
            if opens_only && !instruction.heredocs.is_empty() {
                let body: String = instruction
                    .heredocs
                    .iter()
                    .map(|h| h.body.as_str())
                    .collect();
                shell::commands(&body)
            } else {
                shell::commands(text)
            }
        }
    }
}

/// `path` resolved against `dir`.
fn join(dir: &str, path: &str) -> String {
    let path = path.trim();
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{}", dir.trim_end_matches('/'), path)
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

fn per_run(runs: &[Run], check: fn(&Run) -> Option<String>) -> Vec<Found> {
    runs.iter()
        .filter_map(|run| check(run).map(|detail| (run.index, Some(run.index), detail, Vec::new())))
        .collect()
}

/// Whether a `cache` or `tmpfs` mount covers exactly `path`.
fn mounted(run: &Run, path: &str) -> bool {
    run.instruction.flag_values("mount").any(|value| {
        let mut kind = "bind";
        let mut target = "";
        for part in value.split(',') {
            match part.split_once('=') {
                Some(("type", v)) => kind = v,
                Some(("target" | "dst" | "destination", v)) => target = v,
                _ => {}
            }
        }
        (kind == "cache" || kind == "tmpfs") && target.trim_end_matches('/') == path
    })
}

/// Whether `command` removes something under `prefix` (`rm -rf /var/lib/apt/lists/*`).
fn removes(command: &Command, prefix: &str) -> bool {
    command.name() == "rm" && command.operands().any(|path| path.starts_with(prefix))
}

/// The position of the first command that `is`.
fn first(run: &Run, is: impl Fn(&Command) -> bool) -> Option<usize> {
    run.commands.iter().position(is)
}

/// Whether a command after `after` cleans.
fn cleans_after(run: &Run, after: usize, cleans: impl Fn(&Command) -> bool) -> bool {
    run.commands.iter().skip(after + 1).any(cleans)
}

fn apt_lists(run: &Run) -> Option<String> {
    let update = first(run, |c| {
        ["apt", "apt-get", "aptitude"].contains(&c.name()) && c.has("update")
    })?;
    let cleaned = run
        .commands
        .iter()
        .any(|c| removes(c, "/var/lib/apt/lists"));
    let mounts = mounted(run, "/var/lib/apt/lists")
        || (mounted(run, "/var/lib/apt") && mounted(run, "/var/cache/apt"));
    (!cleaned && !mounts).then(|| format!("{} update", run.commands[update].name()))
}

fn apt_recommends(run: &Run) -> Option<String> {
    run.commands
        .iter()
        .find(|c| {
            ["apt-get", "apt"].contains(&c.name())
                && c.subcommand() == Some("install")
                && !c.has("--no-install-recommends")
                && !c
                    .args()
                    .iter()
                    .any(|a| a.contains("APT::Install-Recommends=false"))
        })
        .map(|c| c.words.join(" "))
}

fn apk_cache(run: &Run) -> Option<String> {
    if mounted(run, "/var/cache/apk") {
        return None;
    }
    run.commands
        .iter()
        .find(|c| c.name() == "apk" && c.subcommand() == Some("add") && !c.has("--no-cache"))
        .map(|c| c.words.join(" "))
}

fn installs_then_no_clean(
    run: &Run,
    installs: impl Fn(&Command) -> bool,
    cleans: impl Fn(&Command, &Command) -> bool,
) -> Option<String> {
    let at = first(run, &installs)?;
    let install = &run.commands[at];
    (!cleans_after(run, at, |c| cleans(install, c))).then(|| install.words.join(" "))
}

fn yum_cache(run: &Run) -> Option<String> {
    if mounted(run, "/var/cache/yum") {
        return None;
    }
    installs_then_no_clean(
        run,
        |c| c.name() == "yum" && c.subcommand().is_some_and(|s| s.contains("install")),
        |_, c| {
            (c.name() == "yum" && c.has("clean") && c.has("all")) || removes(c, "/var/cache/yum")
        },
    )
}

fn zypper_cache(run: &Run) -> Option<String> {
    if mounted(run, "/var/cache/zypp") {
        return None;
    }
    installs_then_no_clean(
        run,
        |c| c.name() == "zypper" && matches!(c.subcommand(), Some("install" | "in")),
        |_, c| {
            (c.name() == "zypper" && matches!(c.subcommand(), Some("clean" | "cc")))
                || removes(c, "/var/cache/zypp")
        },
    )
}

fn dnf_cache(run: &Run) -> Option<String> {
    let caches = ["/var/cache/libdnf5", "/var/cache/dnf", "/var/cache/yum"];
    if caches.iter().any(|path| mounted(run, path)) {
        return None;
    }
    let verbs = [
        "install",
        "in",
        "upgrade",
        "up",
        "upgrade-minimal",
        "up-min",
        "reinstall",
        "rei",
    ];
    installs_then_no_clean(
        run,
        |c| {
            ["dnf", "microdnf", "dnf5"].contains(&c.name())
                && c.subcommand().is_some_and(|s| verbs.contains(&s))
        },
        |install, c| {
            (c.name() == install.name() && c.has("clean") && c.has("all"))
                || caches.iter().any(|path| removes(c, path))
        },
    )
}

fn truthy(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "on" | "yes" | "true" => Some(true),
        "0" | "off" | "no" | "false" => Some(false),
        _ => None,
    }
}

fn pip_cache(run: &Run) -> Option<String> {
    if mounted(run, "/root/.cache/pip") {
        return None;
    }
    let mut env: Vec<(String, String)> = run.env.clone();
    for command in &run.commands {
        if command.name() == "export" {
            for (name, value) in command.args().iter().filter_map(|w| shell::assignment(w)) {
                watch(&mut env, &name, &value);
            }
            continue;
        }
        let is_pip = {
            let name = command.name();
            let pip = name
                .strip_prefix("pip")
                .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'));
            let module = name.starts_with("python")
                && command
                    .args()
                    .windows(2)
                    .any(|w| w[0] == "-m" && w[1] == "pip");
            pip || module
        };
        if !is_pip || !command.has("install") || command.has("--no-cache-dir") {
            continue;
        }
        let disabled = command
            .env
            .iter()
            .chain(env.iter().rev())
            .find(|(name, _)| name == "PIP_NO_CACHE_DIR")
            .and_then(|(_, value)| truthy(value))
            .unwrap_or(false);
        if !disabled {
            return Some(command.words.join(" "));
        }
    }
    None
}

fn yarn_cache(run: &Run) -> Option<String> {
    if ["/root/.cache/yarn", "/usr/local/share/.cache/yarn"]
        .iter()
        .any(|path| mounted(run, path))
    {
        return None;
    }
    installs_then_no_clean(
        run,
        |c| c.name() == "yarn" && c.has("install"),
        |_, c| c.name() == "yarn" && c.has("cache") && c.has("clean"),
    )
}

fn npm_dev(run: &Run) -> Option<String> {
    let production = run
        .env
        .iter()
        .rev()
        .find(|(name, _)| name == "NODE_ENV")
        .is_some_and(|(_, value)| value == "production");
    if production {
        return None;
    }
    run.commands
        .iter()
        .find(|c| {
            c.name() == "npm"
                && matches!(c.subcommand(), Some("install" | "i" | "ci"))
                && !c.has("-g")
                && !c.has("--global")
                && !c.args().iter().any(|a| {
                    a == "--omit=dev" || a == "--production" || a.starts_with("--only=prod")
                })
                && !c
                    .args()
                    .windows(2)
                    .any(|w| w[0] == "--omit" && w[1] == "dev")
        })
        .map(|c| c.words.join(" "))
}

/// DL3059: a RUN of one command right after another of one command with the same flags.
fn consecutive_runs(runs: &[Run]) -> Vec<Found> {
    let mut found = Vec::new();
    for pair in runs.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        let adjacent = after.index == before.index + 1 && after.stage == before.stage;
        if adjacent
            && before.instruction.flags == after.instruction.flags
            && before.commands.len() <= 1
            && after.commands.len() <= 1
        {
            found.push((
                after.index,
                None,
                format!("after the RUN on line {}", before.instruction.line),
                Vec::new(),
            ));
        }
    }
    found
}

/// Packages that are build tools, and commands that build.
const BUILD_PACKAGES: [&str; 16] = [
    "build-essential",
    "build-base",
    "gcc",
    "g++",
    "clang",
    "make",
    "cmake",
    "musl-dev",
    "libc6-dev",
    "libc-dev",
    "golang",
    "rustc",
    "cargo",
    "maven",
    "gradle",
    "gcc-c++",
];

fn builds(command: &Command) -> Option<String> {
    let name = command.name();
    let sub = command.subcommand().unwrap_or("");
    let installer = matches!(
        (name, sub),
        (
            "apt-get" | "apt" | "yum" | "dnf" | "microdnf" | "zypper",
            "install"
        ) | ("apk", "add")
    );
    if installer {
        return command
            .operands()
            .skip(1)
            .map(|p| p.split(['=', ':']).next().unwrap_or(p))
            .find(|p| {
                BUILD_PACKAGES.contains(p) || p.ends_with("-jdk") || p.ends_with("-jdk-headless")
            })
            .map(|p| format!("installs {p}"));
    }
    let building = match name {
        "go" => matches!(sub, "build" | "install"),
        "cargo" => matches!(sub, "build" | "install"),
        "mvn" | "mvnw" => !sub.is_empty(),
        "gradle" | "gradlew" => !sub.is_empty(),
        "npm" | "pnpm" => {
            sub == "run" && command.operands().nth(1) == Some("build") || sub == "build"
        }
        "yarn" => sub == "build" || (sub == "run" && command.operands().nth(1) == Some("build")),
        "gcc" | "g++" | "cc" | "javac" | "make" => true,
        "dotnet" => matches!(sub, "build" | "publish"),
        _ => false,
    };
    building.then(|| format!("runs {}", command.words.join(" ")))
}

fn multi_stage(runs: &[Run], ships: &[bool]) -> Vec<Found> {
    runs.iter()
        .filter(|run| ships[run.stage])
        .find_map(|run| {
            run.commands
                .iter()
                .find_map(builds)
                .map(|detail| (run.index, None, detail, Vec::new()))
        })
        .into_iter()
        .collect()
}

/// The slim image for a full base, in words; `None` when the base is slim already or unknown.
pub fn slimmer(base: &str) -> Option<String> {
    let reference = base.split('@').next().unwrap_or(base);
    let last = reference.rsplit('/').next().unwrap_or(reference);
    let (name, tag) = match last.split_once(':') {
        Some((name, tag)) => (name, tag),
        None => (last, "latest"),
    };
    let slim = ["slim", "alpine", "distroless", "minimal", "chiseled", "jre"]
        .iter()
        .any(|word| tag.contains(word));
    if slim || tag.contains('$') {
        return None;
    }
    let suffixed = |suffix: &str| {
        if tag == "latest" {
            format!("{name}:{suffix}")
        } else {
            format!("{name}:{tag}-{suffix}")
        }
    };
    match name {
        "python" | "ruby" | "perl" | "debian" | "openjdk" => Some(suffixed("slim")),
        "node" => Some(format!("{} or {}", suffixed("slim"), suffixed("alpine"))),
        "golang" | "rust" => Some(
            "scratch or a distroless image (build in a builder stage, copy only the binary)"
                .to_string(),
        ),
        "maven" | "gradle" => Some("a JRE image (build in a builder stage)".to_string()),
        "eclipse-temurin" | "amazoncorretto" | "ibm-semeru-runtimes" if !tag.contains("jre") => {
            Some(format!("a JRE or jlink image ({name}:…-jre)"))
        }
        _ => None,
    }
}

/// The runtime of `data/runtime_targets.csv` a base image stands for, by its name.
pub fn runtime_of(base: &str) -> Option<&'static str> {
    let reference = base.split('@').next().unwrap_or(base);
    let last = reference.rsplit('/').next().unwrap_or(reference);
    let name = last.split(':').next().unwrap_or(last);
    match name {
        "python" | "pypy" => Some("python"),
        "node" => Some("node"),
        "golang" => Some("go"),
        "openjdk"
        | "eclipse-temurin"
        | "amazoncorretto"
        | "ibm-semeru-runtimes"
        | "maven"
        | "gradle" => Some("java"),
        _ => None,
    }
}

fn slim_base(stages: &[Stage]) -> Vec<Found> {
    let Some(last) = stages.len().checked_sub(1) else {
        return Vec::new();
    };
    let root = stages::root(stages, last);
    let stage = &stages[root];
    match (stage.from, slimmer(&stage.base)) {
        (Some(from), Some(slimmer)) => vec![(
            from,
            None,
            format!("{} → {slimmer}", stage.base),
            Vec::new(),
        )],
        _ => Vec::new(),
    }
}

fn dockerignore(dockerfile: &Dockerfile, context: &Context) -> Vec<Found> {
    if context.has_dockerignore {
        return Vec::new();
    }
    dockerfile
        .instructions
        .iter()
        .enumerate()
        .find(|(_, i)| {
            matches!(i.keyword.as_str(), "COPY" | "ADD")
                && i.flag_values("from").next().is_none()
                && sources(i).iter().any(|s| matches!(s.as_str(), "." | "./"))
        })
        .map(|(index, i)| {
            (
                index,
                None,
                format!("{} {}", i.keyword, i.text()),
                Vec::new(),
            )
        })
        .into_iter()
        .collect()
}

/// The sources of a COPY or ADD (every argument but the last).
fn sources(instruction: &Instruction) -> Vec<String> {
    let words: Vec<String> = match &instruction.args {
        Args::Json(words) => words.clone(),
        Args::Shell(text) => text.split_whitespace().map(str::to_string).collect(),
    };
    words
        .split_last()
        .map(|(_, s)| s.to_vec())
        .unwrap_or_default()
}

/// Paths a command writes: `curl -o F`, `wget -O F`, `git clone URL DIR`, `touch F`,
/// `mkdir D`, `cp … DEST`.
fn written(command: &Command, workdir: &str) -> Vec<String> {
    let args = command.args();
    let after = |flags: &[&str]| -> Vec<String> {
        let mut out = Vec::new();
        for (i, arg) in args.iter().enumerate() {
            if let Some(value) = args.get(i + 1).filter(|_| flags.contains(&arg.as_str())) {
                out.push(value.clone());
            }
            for flag in flags.iter().filter(|f| f.starts_with("--")) {
                if let Some(value) = arg.strip_prefix(&format!("{flag}=")) {
                    out.push(value.to_string());
                }
            }
        }
        out
    };
    let paths: Vec<String> = match command.name() {
        "curl" => after(&["-o", "--output"]),
        "wget" => after(&["-O", "--output-document"]),
        "touch" | "mkdir" => command.operands().map(str::to_string).collect(),
        "cp" => command
            .operands()
            .last()
            .map(str::to_string)
            .into_iter()
            .collect(),
        "git" if command.subcommand() == Some("clone") => {
            let operands: Vec<&str> = command.operands().skip(1).collect();
            match operands.as_slice() {
                [_, dir, ..] => vec![dir.to_string()],
                [url] => vec![
                    url.trim_end_matches('/')
                        .rsplit('/')
                        .next()
                        .unwrap_or(url)
                        .trim_end_matches(".git")
                        .to_string(),
                ],
                [] => Vec::new(),
            }
        }
        _ => Vec::new(),
    };
    paths
        .into_iter()
        .filter(|p| !p.is_empty() && p != "-" && !p.contains('$'))
        .map(|p| join(workdir, &p))
        .collect()
}

/// The created paths a removed path (maybe with `*` or `?`) covers, found through the ordered
/// map (an exact path, the paths below it, or a glob's matches below its literal prefix); each
/// path looked at takes one from `budget`.
fn covered<'a>(
    created: &'a BTreeMap<String, (usize, usize)>,
    removed: &str,
    budget: &mut usize,
) -> Vec<(&'a String, usize, usize)> {
    let glob = removed.find(['*', '?']);
    let literal = match glob {
        Some(at) => &removed[..at],
        None => removed.trim_end_matches('/'),
    };
    let below = format!("{literal}/");
    let mut out = Vec::new();
    for (path, (at, line)) in created.range(literal.to_string()..) {
        if *budget == 0 || !path.starts_with(literal) {
            break;
        }
        *budget -= 1;
        let hit = match glob {
            Some(_) => {
                crate::calc::leftovers::matches(removed, path)
                    || crate::calc::leftovers::matches(&format!("{removed}/**"), path)
            }
            None => path == literal || path.starts_with(&below),
        };
        if hit {
            out.push((path, *at, *line));
        }
    }
    out
}

/// How many created paths `deleted-later` looks at in all: a hostile file of many `touch` and
/// `rm -rf /` commands costs at most this much.
const LOOK_BUDGET: usize = 1_000_000;

/// Files created by one instruction and removed by a later RUN, in the stages that ship; and
/// packages installed by one RUN and purged by a later one.
fn deleted_later(dockerfile: &Dockerfile, stages: &[Stage], runs: &[Run]) -> Vec<Found> {
    let ships = stages::shipping(stages);
    // path → (instruction, line) of its latest creator; package → the same for installs.
    let mut created: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut installed: std::collections::HashMap<String, (usize, usize)> =
        std::collections::HashMap::new();
    let mut budget = LOOK_BUDGET;
    let mut found = Vec::new();
    let mut reported = BTreeSet::new();
    let mut workdirs: Vec<String> = vec!["/".to_string(); stages.len()];
    let by_index: std::collections::HashMap<usize, &Run> =
        runs.iter().map(|run| (run.index, run)).collect();
    for (s, stage) in stages.iter().enumerate() {
        if let Some(parent) = stage.parent {
            workdirs[s] = workdirs[parent].clone();
        }
        if !ships[s] {
            continue;
        }
        for &index in &stage.instructions {
            let instruction = &dockerfile.instructions[index];
            match instruction.keyword.as_str() {
                "WORKDIR" => workdirs[s] = join(&workdirs[s], &instruction.text()),
                "COPY" | "ADD" => {
                    let words: Vec<String> = match &instruction.args {
                        Args::Json(words) => words.clone(),
                        Args::Shell(text) => text.split_whitespace().map(str::to_string).collect(),
                    };
                    if let Some((dest, sources)) = words.split_last() {
                        let dest = join(&workdirs[s], dest);
                        let into_dir =
                            words.last().is_some_and(|d| d.ends_with('/')) || sources.len() > 1;
                        for source in sources.iter().filter(|s| !s.starts_with("<<")) {
                            let base = source
                                .trim_end_matches('/')
                                .rsplit('/')
                                .next()
                                .unwrap_or(source);
                            let path = if into_dir && !base.is_empty() && base != "." {
                                format!("{}/{base}", dest.trim_end_matches('/'))
                            } else {
                                dest.clone()
                            };
                            if created.len() < MAX_TRACKED {
                                created.insert(path, (index, instruction.line));
                            }
                        }
                    }
                }
                "RUN" => {
                    let Some(run) = by_index.get(&index) else {
                        continue;
                    };
                    for command in &run.commands {
                        let name = command.name();
                        let sub = command.subcommand().unwrap_or("");
                        if name == "rm" {
                            for removed in command.operands() {
                                let removed = join(&run.workdir, removed);
                                for (path, at, line) in covered(&created, &removed, &mut budget) {
                                    if at != index && reported.insert((index, at)) {
                                        found.push((
                                            index,
                                            Some(at),
                                            format!("{path} created on line {line}, removed here"),
                                            vec![removed.clone()],
                                        ));
                                    }
                                }
                            }
                        }
                        let purging = matches!(
                            (name, sub),
                            ("apt-get" | "apt", "purge" | "remove")
                                | ("apk", "del")
                                | ("yum" | "dnf", "remove" | "erase")
                        );
                        if purging {
                            for package in command.operands().skip(1) {
                                if let Some((at, line)) = installed.get(package)
                                    && *at != index
                                    && reported.insert((index, *at))
                                {
                                    found.push((
                                        index,
                                        Some(*at),
                                        format!("package {package} installed on line {line}, removed here"),
                                        Vec::new(),
                                    ));
                                }
                            }
                        }
                        let installing = matches!(
                            (name, sub),
                            ("apt-get" | "apt" | "yum" | "dnf" | "zypper", "install")
                                | ("apk", "add")
                        );
                        if installing {
                            for package in command.operands().skip(1) {
                                let package = package.split(['=', ':']).next().unwrap_or(package);
                                if installed.len() < MAX_TRACKED {
                                    installed
                                        .insert(package.to_string(), (index, instruction.line));
                                }
                            }
                        }
                    }
                    for command in &run.commands {
                        for path in written(command, &run.workdir) {
                            if created.len() < MAX_TRACKED {
                                created.insert(path, (index, instruction.line));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    found
}
