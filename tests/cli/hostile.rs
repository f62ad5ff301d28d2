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
