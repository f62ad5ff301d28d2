//! The direction of the pipeline, checked on the source: which top-level module of `src/` may
//! import which (`use crate::…` and inline `crate::…` paths outside test code). A module that
//! reaches above its layer, or two modules that import each other, fail here. Test code
//! (after `#[cfg(test)]`, or a whole file under `#![cfg(test)]`) may import what it needs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::project_file;

/// The top-level modules each module imports, from the source outside `#[cfg(test)]` code.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let src = project_file("src");
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "rs") {
                continue;
            }
            let module = top_module(&src, &path);
            if module == "main" || module == "lib" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // A file that is all test code (`#![cfg(test)]`) imports nothing the build sees.
            let code = if text.contains("#![cfg(test)]") {
                ""
            } else {
                text.split("#[cfg(test)]").next().unwrap_or_default()
            };
            let targets = graph.entry(module.clone()).or_default();
            for imported in crate_paths(code) {
                if imported != module {
                    targets.insert(imported);
                }
            }
        }
    }
    graph
}

fn top_module(src: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_string()
}

/// The first segment of every `crate::` path, including `crate::{a, b}` groups.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (index, _) in code.match_indices("crate::") {
        let rest = &code[index + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for item in inner.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push(name);
        }
    }
    found
}

fn assert_imports_none_of(
    graph: &BTreeMap<String, BTreeSet<String>>,
    module: &str,
    above: &[&str],
) {
    let imported = graph.get(module).cloned().unwrap_or_default();
    for forbidden in above {
        assert!(
            !imported.contains(*forbidden),
            "{module} imports {forbidden}, a module above it: {imported:?}"
        );
    }
}

#[test]
fn the_model_imports_nothing_above_it() {
    let graph = imports();
    let above = [
        "calc", "input", "report", "chart", "render", "output", "progress", "args", "commands",
    ];
    for module in ["model", "units", "error"] {
        assert_imports_none_of(&graph, module, &above);
    }
}

#[test]
fn readers_renderers_and_argument_parsing_stay_in_their_layers() {
    let graph = imports();
    assert_imports_none_of(
        &graph,
        "input",
        &["args", "commands", "report", "render", "chart"],
    );
    assert_imports_none_of(
        &graph,
        "calc",
        &["input", "report", "render", "args", "commands"],
    );
    assert_imports_none_of(&graph, "report", &["input", "render", "args", "commands"]);
    assert_imports_none_of(&graph, "render", &["input", "args", "commands"]);
    assert_imports_none_of(&graph, "chart", &["input", "render", "args", "commands"]);
    assert_imports_none_of(&graph, "args", &["commands", "output", "report"]);
}

#[test]
fn no_two_top_level_modules_import_each_other() {
    let graph = imports();
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(module) = stack.pop() {
            for next in graph.get(&module).into_iter().flatten() {
                if next == to {
                    return true;
                }
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        false
    };
    for (module, imported) in &graph {
        for other in imported {
            assert!(
                !reaches(other, module),
                "import cycle: {module} imports {other}, which leads back to {module}"
            );
        }
    }
}

#[test]
fn the_scanner_sees_grouped_and_inline_paths() {
    let paths = crate_paths("use crate::{model, units::Basis};\nlet x = crate::calc::f();");
    assert_eq!(paths, ["model", "units", "calc"]);
}
