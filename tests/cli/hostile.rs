//! Output safety (issue 10): a corpus of hostile names — markup, Markdown table and mention
//! syntax, line breaks, terminal escapes, bidirectional overrides, NUL, very long names, Mermaid
//! label breakers — run through every renderer: `report` as text, JSON, Markdown and HTML with
//! SVG charts, `check` as text, JSON, Markdown and GitHub annotations, `inspect` as text and JSON
//! (names in tags, annotations and file names), `compare` (file names in the headline).
//!
//! What "escaped" means per format: terminal output carries no control character and no
//! bidirectional override from input; JSON is valid and gives each name back exactly; Markdown
//! has no raw `<` but its own tags, no `|` that splits a cell, no line break inside a row, no
//! `@mention` or `#123` reference once rendered, and Mermaid labels only use Mermaid's entity
//! codes; HTML and SVG have no tag or attribute from input and no control characters.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::{fleetsave, project_file};
use crate::harness;
use crate::harness::escaping::{
    assert_annotations_safe, assert_json_safe, assert_markdown_safe, assert_markup_safe,
    assert_mermaid_safe, assert_terminal_characters, assert_terminal_safe,
};

/// The hostile names; each is also a service name in one inventory, so they are distinct.
fn hostile_names() -> Vec<String> {
    let mut names: Vec<String> = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "'><svg onload=alert(1)>",
        "a|b|c",
        "`rm -rf /` ``code``",
        "@channel please look",
        "#123 fixes it",
        "line\nbreak",
        "carriage\rreturn",
        "\u{1b}[31mred\u{1b}[0m",
        "\u{1b}]8;;https://evil.example\u{7}click me\u{1b}]8;;\u{7}",
        "\u{202E}gnp.exe",
        "isolate\u{2066}x\u{2069}",
        "nul\u{0}byte",
        "bell\u{7}and\u{8}backspace\u{7f}",
        "a\"]-->b[\"pwned",
        "end\"] --> B[\"x",
        "**bold** [link](https://evil.example) ![img](x)",
        "- list item",
        "&amp; entity &lt;",
        "::error::injected",
        "%0A::warning::x",
        "{{ template }} {% raw %}",
        // GitHub Actions workflow commands (issue 14, item 2).
        "::add-mask::secret",
        "::error file=a.rs,line=1::PWNED",
        "##[stop-commands]endtoken",
        "text ##[cmd] here",
        "a:::b##[[c",
        // Bare URLs and math GitHub would render.
        "https://evil.example/x",
        "see www.evil.example now",
        "$x^2$ and $$y$$",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    names.push(format!("long-{}", "x".repeat(5000)));
    names
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An inventory of one service per hostile name: most slimmed, every fourth grown (growth
/// sentences name it), one a plan; each with a budget it breaks (for `check --inventory`).
fn hostile_inventory(dir: &Path) -> PathBuf {
    let mut toml = String::new();
    for (index, name) in hostile_names().iter().enumerate() {
        toml.push_str("[[service]]\n");
        toml.push_str(&format!("service = {}\n", toml_string(name)));
        toml.push_str(&format!("before = \"{}MB\"\n", 300 + index * 10));
        match index % 4 {
            0 => toml.push_str(&format!("after = \"{}MB\"\n", 400 + index)),
            3 if index == 3 => {}
            _ => toml.push_str(&format!("after = \"{}MB\"\n", 100 + index)),
        }
        toml.push_str("runtime = \"python\"\nnodes = 5\nbudget = \"50MB\"\n\n");
    }
    let path = dir.join("fleet.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

/// Runs fleetsave; returns (exit code, stdout).
fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let (code, stdout, _) = run_both(args, env);
    (code, stdout)
}

/// Runs fleetsave; returns (exit code, stdout, stderr).
fn run_both(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut command = fleetsave();
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("fleetsave runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "fleetsave {args:?} failed: {stderr}"
    );
    (
        code,
        String::from_utf8(output.stdout).expect("UTF-8 output"),
        stderr.into_owned(),
    )
}

fn json_names(json: &str, list: &str, field: &str) -> BTreeSet<String> {
    let value: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
    value[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} array"))
        .iter()
        .map(|item| item[field].as_str().expect("a name").to_string())
        .collect()
}

#[test]
fn report_escapes_hostile_names_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = hostile_inventory(dir.path());
    let inventory = inventory.to_str().unwrap();
    let title = "<b>title</b> \u{1b}[2J @here #1 | `x`\r\n";
    let names: BTreeSet<String> = hostile_names().into_iter().collect();

    let (_, text) = run(&["report", inventory, "--title", title], &[]);
    assert_terminal_safe(&text, "report text");

    let (_, json) = run(
        &["report", inventory, "--format", "json", "--title", title],
        &[],
    );
    assert_json_safe(&json, "report JSON");
    assert_eq!(json_names(&json, "services", "name"), names);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["title"], title, "the title round-trips");

    let charts = dir.path().join("charts");
    let charts_arg = charts.to_str().unwrap();
    let (_, markdown) = run(
        &[
            "report", inventory, "--format", "markdown", "--title", title,
        ],
        &[],
    );
    assert_markdown_safe(&markdown, 7);
    assert!(markdown.contains("```mermaid"));
    assert_mermaid_safe(&markdown);
    let (_, linked) = run(
        &[
            "report",
            inventory,
            "--format",
            "markdown",
            "--charts-dir",
            charts_arg,
        ],
        &[],
    );
    assert!(linked.contains("![")); // chart links are fleetsave's own images
    let mut chart_files = 0;
    for entry in std::fs::read_dir(&charts).unwrap() {
        let svg = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert_markup_safe(&svg, "SVG chart");
        chart_files += 1;
    }
    assert!(chart_files >= 3, "{chart_files} charts");

    let (_, html) = run(
        &["report", inventory, "--format", "html", "--title", title],
        &[],
    );
    assert_markup_safe(&html, "HTML report");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // In a sentence (escape_html: `&quot;`) or the table (askama: `&#34;`, `&#62;`), as the sizes fall.
    assert!(
        html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
            || html.contains("&#34;&#62;&#60;img src=x onerror=alert(1)&#62;")
    );
}

#[test]
fn check_escapes_hostile_names_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = hostile_inventory(dir.path());
    let inventory = inventory.to_str().unwrap();
    let names: BTreeSet<String> = hostile_names().into_iter().collect();
    let args = ["check", "--inventory", inventory];

    let (code, text) = run(&args, &[]);
    assert_eq!(code, 1, "every service breaks its budget");
    assert_terminal_safe(&text, "check text");
    let (_, json) = run(&[&args[..], &["--format", "json"]].concat(), &[]);
    assert_json_safe(&json, "check JSON");
    assert_eq!(json_names(&json, "rules", "service"), names);
    let (_, markdown) = run(&[&args[..], &["--format", "markdown"]].concat(), &[]);
    assert_markdown_safe(&markdown, 7);

    // GitHub annotations: one line per broken rule, nothing from input starts a command, in the
    // report beside them or in their messages.
    let (_, annotated) = run(&args, &[("GITHUB_ACTIONS", "true")]);
    let (annotations, report): (Vec<&str>, Vec<&str>) = annotated
        .lines()
        .partition(|line| line.trim_start().starts_with("::"));
    assert_eq!(annotations.len(), names.len(), "{annotated}");
    for line in &annotations {
        assert!(
            line.starts_with("::error title=fleetsave check"),
            "an annotation from input: {line}"
        );
    }
    assert_annotations_safe(&annotations.join("\n"));
    assert_terminal_characters(&annotated, "GitHub annotations");
    assert_terminal_safe(&report.join("\n"), "check text beside annotations");
    // With a machine format on stdout the annotations go to stderr.
    let (_, json, stderr) = run_both(
        &[&args[..], &["--format", "json"]].concat(),
        &[("GITHUB_ACTIONS", "true")],
    );
    assert_json_safe(&json, "check JSON beside annotations");
    assert_annotations_safe(&stderr);

    // Arguments cannot hold NUL.
    for name in hostile_names()
        .into_iter()
        .filter(|name| !name.contains('\0'))
    {
        // `--name=…`: a name may start with `-`.
        let name_arg = format!("--name={name}");
        let args = ["check", "--size", "1GB", "--budget", "10MB", &name_arg];
        let (_, text) = run(&args, &[]);
        assert_terminal_safe(&text, "check --name text");
        let (_, markdown) = run(&[&args[..], &["--format", "markdown"]].concat(), &[]);
        assert_markdown_safe(&markdown, 7);
        let (_, json) = run(&[&args[..], &["--format", "json"]].concat(), &[]);
        assert_json_safe(&json, "check --name JSON");
        assert_eq!(
            json_names(&json, "rules", "service"),
            BTreeSet::from([name.clone()])
        );
    }
}

/// File names may hold any byte but `/` and NUL.
fn hostile_file_names() -> Vec<String> {
    hostile_names()
        .into_iter()
        .filter(|name| !name.contains('/') && !name.contains('\0') && name.len() < 200)
        .collect()
}

#[test]
fn inspect_escapes_hostile_tags_annotations_and_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut sources = Vec::new();
    for (index, name) in hostile_file_names().iter().enumerate() {
        // A docker archive whose RepoTags is the hostile name, in a file named by it.
        let archive = dir.path().join(format!("{name}.{index}.tar"));
        harness::write_docker_archive(&archive, &[0u8; 1024], name).unwrap();
        sources.push(archive);
    }
    // OCI layouts whose index entry is tagged with each hostile name.
    for name in hostile_names() {
        let tagged = dir.path().join(format!("tagged-{}", sources.len()));
        harness::write_layout(
            &tagged,
            &[0u8; 1024],
            "application/vnd.oci.image.layer.v1.tar",
        )
        .unwrap();
        let index = tagged.join("index.json");
        let text = std::fs::read_to_string(&index).unwrap();
        let annotated = text.replacen(
            "\"size\"",
            &format!(
                "\"annotations\":{{\"org.opencontainers.image.ref.name\":{}}},\"size\"",
                serde_json::to_string(&name).unwrap()
            ),
            1,
        );
        std::fs::write(&index, annotated).unwrap();
        sources.push(tagged);
    }
    let args: Vec<&str> = std::iter::once("inspect")
        .chain(sources.iter().map(|p| p.to_str().unwrap()))
        .collect();
    let (_, text) = run(&args, &[]);
    assert_terminal_safe(&text, "inspect text");
    let (_, json) = run(&[&args[..], &["--format", "json"]].concat(), &[]);
    assert_json_safe(&json, "inspect JSON");
    let reported = json_names(&json, "images", "source");
    let given: BTreeSet<String> = sources
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    assert_eq!(reported, given, "sources round-trip through JSON");
}

#[test]
fn compare_escapes_hostile_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let before = project_file("tests/fixtures/images/v1.oci.tar");
    for name in hostile_file_names() {
        let after = dir.path().join(&name);
        std::fs::copy(project_file("tests/fixtures/images/v2.oci.tar"), &after).unwrap();
        let args = ["compare", before.to_str().unwrap(), after.to_str().unwrap()];
        let (_, text) = run(&args, &[]);
        assert_terminal_safe(&text, "compare text");
        let (_, markdown) = run(&[&args[..], &["--format", "markdown"]].concat(), &[]);
        assert_markdown_safe(&markdown, 7);
        let (_, html) = run(&[&args[..], &["--format", "html"]].concat(), &[]);
        assert_markup_safe(&html, "compare HTML");
        let (_, json) = run(&[&args[..], &["--format", "json"]].concat(), &[]);
        assert_json_safe(&json, "compare JSON");
        assert_eq!(
            json_names(&json, "services", "name"),
            BTreeSet::from([name.clone()])
        );
        std::fs::remove_file(&after).unwrap();
    }
}

#[test]
fn assumption_files_and_error_messages_neutralise_hostile_names() {
    let dir = tempfile::tempdir().unwrap();
    for (index, name) in hostile_file_names().iter().enumerate() {
        // An assumptions file named by the hostile name: its path is the assumptions' source.
        let assumptions = dir.path().join(format!("{index}-{name}.toml"));
        std::fs::write(&assumptions, "compression_ratio = 0.4\n").unwrap();
        let args = [
            "calc",
            "--before",
            "1GB",
            "--after",
            "100MB",
            "--assumptions",
            assumptions.to_str().unwrap(),
        ];
        let (_, text) = run(&args, &[]);
        assert_terminal_safe(&text, "calc text with a hostile assumptions file");
        let (_, markdown) = run(&[&args[..], &["--format", "markdown"]].concat(), &[]);
        assert_markdown_safe(&markdown, 7);
        let (_, html) = run(&[&args[..], &["--format", "html"]].concat(), &[]);
        assert_markup_safe(&html, "calc HTML with a hostile assumptions file");

        // Error messages quote input: on stderr, a terminal too.
        let csv = dir.path().join(format!("{index}.csv"));
        std::fs::write(
            &csv,
            format!(
                "service,before,after\n{0},1GB,1MB\n{0},1GB,1MB\n",
                csv_cell(name)
            ),
        )
        .unwrap();
        for args in [
            vec!["report", csv.to_str().unwrap()],
            vec!["inspect", assumptions.to_str().unwrap()],
            vec!["calc", "--before", name.as_str(), "--after", "1MB"],
        ] {
            let output = fleetsave().args(&args).output().unwrap();
            assert_eq!(output.status.code(), Some(2), "{args:?}");
            let stderr = String::from_utf8(output.stderr).unwrap();
            assert_terminal_safe(&stderr, "an error message");
        }
    }
}

fn csv_cell(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Runs fleetsave in `dir`; returns (exit code, stderr).
fn run_in(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = fleetsave().current_dir(dir).args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Issue 14, item 4: `-o` (or a chart `--charts-dir` would write) naming a file the command
/// reads — by its name, through `..`, a symbolic or a hard link — is refused with exit 2 before
/// anything is written, and the input is left as it was.
#[test]
fn output_onto_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(
        project_file("tests/fixtures/images/v1.oci.tar"),
        d.join("v1.tar"),
    )
    .unwrap();
    std::fs::copy(
        project_file("tests/fixtures/images/v2.oci.tar"),
        d.join("v2.tar"),
    )
    .unwrap();
    std::fs::write(
        d.join("fleet.csv"),
        "service,before,after,after_image\napi,1GB,,v2.tar\n",
    )
    .unwrap();
    std::fs::write(d.join("a.toml"), "compression_ratio = 0.4\n").unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::os::unix::fs::symlink(d.join("fleet.csv"), d.join("link.csv")).unwrap();
    std::fs::hard_link(d.join("v1.tar"), d.join("hard.tar")).unwrap();
    std::fs::create_dir(d.join("charts")).unwrap();
    std::fs::write(
        d.join("charts/chart-sizes.svg"),
        "compression_ratio = 0.4\n",
    )
    .unwrap();
    let originals: Vec<(&str, Vec<u8>)> = ["fleet.csv", "v1.tar", "v2.tar", "a.toml"]
        .into_iter()
        .map(|name| (name, std::fs::read(d.join(name)).unwrap()))
        .chain([(
            "charts/chart-sizes.svg",
            std::fs::read(d.join("charts/chart-sizes.svg")).unwrap(),
        )])
        .collect();
    let cases: &[&[&str]] = &[
        &["report", "fleet.csv", "-o", "fleet.csv"],
        &["report", "fleet.csv", "-o", "sub/../fleet.csv"],
        &["report", "fleet.csv", "-o", "link.csv", "--format", "json"],
        // An image the inventory names, relative to the inventory.
        &["report", "fleet.csv", "-o", "v2.tar"],
        &[
            "report",
            "fleet.csv",
            "--assumptions",
            "a.toml",
            "-o",
            "a.toml",
        ],
        &[
            "calc",
            "--before-image",
            "v1.tar",
            "--after",
            "1MB",
            "-o",
            "v1.tar",
        ],
        &[
            "calc",
            "--before-image",
            "hard.tar",
            "--after",
            "1MB",
            "-o",
            "v1.tar",
        ],
        &[
            "calc",
            "--before",
            "1GB",
            "--after-image",
            "v2.tar",
            "--base-image",
            "v1.tar",
            "-o",
            "v1.tar",
        ],
        &[
            "compare", "v1.tar", "v2.tar", "-o", "v2.tar", "--format", "html",
        ],
        &["inspect", "v1.tar", "-o", "v1.tar"],
        &["inspect", "v1.tar:v1", "-o", "v1.tar"],
        &["check", "v1.tar", "--budget", "1GB", "-o", "v1.tar"],
        &[
            "check",
            "--inventory",
            "fleet.csv",
            "-o",
            "fleet.csv",
            "--format",
            "json",
        ],
        &["check", "--inventory", "fleet.csv", "-o", "v2.tar"],
        &[
            "check",
            "--size",
            "1GB",
            "--baseline",
            "v1.tar",
            "-o",
            "v1.tar",
        ],
        // A chart file over an input, the report itself elsewhere.
        &[
            "calc",
            "--before",
            "1GB",
            "--after",
            "1MB",
            "--assumptions",
            "charts/chart-sizes.svg",
            "--format",
            "markdown",
            "--charts-dir",
            "charts",
            "-o",
            "report.md",
        ],
    ];
    for args in cases {
        let (code, stderr) = run_in(d, args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains("writing there would replace what fleetsave reads"),
            "{args:?}: {stderr}"
        );
        for (name, bytes) in &originals {
            assert_eq!(
                &std::fs::read(d.join(name)).unwrap(),
                bytes,
                "{args:?} changed {name}"
            );
        }
        assert!(!d.join("report.md").exists(), "{args:?} wrote the report");
    }
    // Another file, and devices, are written as before.
    let (code, stderr) = run_in(d, &["report", "fleet.csv", "-o", "out.txt"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = run_in(d, &["inspect", "v1.tar", "-o", "/dev/null"]);
    assert_eq!(code, 0, "{stderr}");
}

/// Issue 14, item 5: in a sticky world-writable directory (`/tmp`), a symbolic link another user
/// planted at the `-o` path or the `--charts-dir` path is not followed (the kernel's
/// `protected_symlinks` rule); the user's own link is. Needs root to give a link to another
/// user: skipped otherwise.
#[test]
fn planted_symlinks_are_not_followed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("tmp");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let victim = dir.path().join("victim.conf");
    std::fs::write(&victim, "precious").unwrap();
    let link = shared.join("report.md");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    if std::os::unix::fs::lchown(&link, Some(65534), Some(65534)).is_err() {
        eprintln!("skipped: giving a link to another user needs root");
        return;
    }
    let victims = dir.path().join("victims");
    std::fs::create_dir(&victims).unwrap();
    let charts = shared.join("charts");
    std::os::unix::fs::symlink(&victims, &charts).unwrap();
    std::os::unix::fs::lchown(&charts, Some(65534), Some(65534)).unwrap();

    let args = ["calc", "--before", "1GB", "--after", "100MB", "-o"];
    let (code, stderr) = run_in(dir.path(), &[&args[..], &[link.to_str().unwrap()]].concat());
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("symbolic link owned by another user"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let (code, stderr) = run_in(
        dir.path(),
        &[
            "calc",
            "--before",
            "1GB",
            "--after",
            "100MB",
            "--charts-dir",
            charts.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(
        std::fs::read_dir(&victims).unwrap().count(),
        0,
        "charts written through the link"
    );

    // The user's own link (or the directory owner's) is followed, its target replaced.
    std::os::unix::fs::lchown(&link, Some(own_uid()), None).unwrap();
    let (code, stderr) = run_in(dir.path(), &[&args[..], &[link.to_str().unwrap()]].concat());
    assert_eq!(code, 0, "{stderr}");
    assert_ne!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// The effective user of this test (the owner of a file it makes).
fn own_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid()
}

/// The fleetsave binary's path, for shell redirections.
fn binary() -> String {
    fleetsave().get_program().to_str().unwrap().to_string()
}

/// Runs `fleetsave ARGS` under bash with `redirect` applied to its standard output; returns
/// (fleetsave's exit code, stderr).
fn run_redirected(args: &str, redirect: &str) -> (i32, String) {
    let script = format!("\"$0\" {args} {redirect}; echo \"code=${{PIPESTATUS[0]}}\" >&2");
    let output = std::process::Command::new("bash")
        .args(["-c", &script, &binary()])
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let code = stderr
        .rsplit_once("code=")
        .and_then(|(_, code)| code.trim().parse().ok())
        .unwrap_or(-1);
    (code, stderr)
}

/// Issue 14, item 14: a report to a closed standard output (`>&-`) or a full device
/// (`>/dev/full`) is lost: exit 3 saying so. `>/dev/null` and a reader that stops early
/// (`| head`) stay a quiet exit 0.
#[test]
fn a_closed_or_full_stdout_is_exit_3_a_broken_pipe_exit_0() {
    let calc = "calc --before 1GB --after 100MB";
    for (args, redirect) in [
        (calc, ">&-"),
        (&format!("{calc} --format json"), ">&-"),
        (calc, ">/dev/full"),
        (&format!("{calc} --format markdown"), ">/dev/full"),
        ("check --size 1GB --budget 1MB", ">&-"),
        ("targets", ">&-"),
    ] {
        let (code, stderr) = run_redirected(args, redirect);
        assert_eq!(code, 3, "{args} {redirect}: {stderr}");
        assert!(
            stderr.contains("cannot write standard output"),
            "{args} {redirect}: {stderr}"
        );
    }
    for (args, redirect) in [
        (calc, ">/dev/null"),
        (&format!("{calc} --format json"), "| head -c 10 >/dev/null"),
        (&format!("{calc} --format html"), "| true"),
    ] {
        let (code, stderr) = run_redirected(args, redirect);
        assert_eq!(code, 0, "{args} {redirect}: {stderr}");
        assert!(!stderr.contains("error"), "{args} {redirect}: {stderr}");
    }
    // With the report in a file, a closed stdout does not matter.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.txt");
    let (code, stderr) = run_redirected(&format!("{calc} -o {}", file.display()), ">&-");
    assert_eq!(code, 0, "{stderr}");
    assert!(file.exists());
}

/// Issue 14, item 13: SIGTERM or SIGINT while `-o` is being written (a large JSON report here)
/// ends the run as the signal would, with the temporary file removed and the old report left.
#[test]
fn a_signal_while_writing_leaves_no_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("service,before,after\n");
    for index in 0..40_000 {
        csv.push_str(&format!(
            "svc-{index},{}MB,{}MB\n",
            1000 + index % 500,
            100 + index % 50
        ));
    }
    let inventory = dir.path().join("big.csv");
    std::fs::write(&inventory, csv).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let report = out.join("report.json");
    let temporaries = || {
        std::fs::read_dir(&out)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(".fleetsave-"))
            .collect::<Vec<_>>()
    };
    for (signal, number) in [("TERM", 15), ("INT", 2)] {
        std::fs::write(&report, "old").unwrap();
        let mut child = std::process::Command::new(binary())
            .args([
                "report",
                inventory.to_str().unwrap(),
                "--format",
                "json",
                "-o",
            ])
            .arg(&report)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while temporaries().is_empty() {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the report was written before its temporary file was seen"
            );
            assert!(started.elapsed().as_secs() < 120, "no temporary file");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let killed = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(number), "SIG{signal}: {status:?}");
        assert_eq!(temporaries(), Vec::<String>::new(), "SIG{signal}");
        assert_eq!(std::fs::read_to_string(&report).unwrap(), "old");
    }
}

/// Smaller item of issue 14: a huge `--title` or `--name`, or thousands of long names, cannot
/// push a Markdown comment past GitHub's 65,536 characters; titles and names are cut at 256
/// characters with `…` (JSON keeps them whole).
#[test]
fn markdown_stays_within_githubs_limit() {
    let chars = |text: &str| text.chars().count();
    let huge = format!("@{}", "#x|".repeat(40_000));
    let title = format!("--title={huge}");
    let (_, markdown) = run(
        &[
            "calc", "--before", "1GB", "--after", "1MB", "--format", "markdown", &title,
        ],
        &[],
    );
    assert!(
        chars(&markdown) <= 65_536,
        "{} characters",
        chars(&markdown)
    );
    assert!(markdown.lines().nth(1).unwrap().ends_with('…'));
    assert_markdown_safe(&markdown, 7);
    let name = format!("--name={huge}");
    let (_, markdown) = run(
        &[
            "check", "--size", "1GB", "--budget", "1MB", "--format", "markdown", &name,
        ],
        &[],
    );
    assert!(
        chars(&markdown) <= 65_536,
        "{} characters",
        chars(&markdown)
    );
    assert!(markdown.contains('…'));
    assert_markdown_safe(&markdown, 7);
    let (_, json) = run(
        &[
            "check", "--size", "1GB", "--budget", "1MB", "--format", "json", &name,
        ],
        &[],
    );
    assert_eq!(
        json_names(&json, "rules", "service"),
        BTreeSet::from([huge.clone()])
    );

    // 2,000 services named with 300 characters each: rows that do not fit are summarised.
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("service,before,after,budget\n");
    for index in 0..2000 {
        csv.push_str(&format!("{index}-{},1GB,100MB,50MB\n", "@".repeat(300)));
    }
    let inventory = dir.path().join("fleet.csv");
    std::fs::write(&inventory, csv).unwrap();
    let inventory = inventory.to_str().unwrap();
    for args in [
        vec!["check", "--inventory", inventory, "--format", "markdown"],
        vec!["report", inventory, "--format", "markdown", &title],
    ] {
        let (_, markdown) = run(&args, &[]);
        assert!(
            chars(&markdown) <= 65_536,
            "{args:?}: {} characters",
            chars(&markdown)
        );
        assert!(markdown.contains("more not shown") || markdown.contains("more rules not shown"));
        assert_markdown_safe(&markdown, 7);
    }
}
