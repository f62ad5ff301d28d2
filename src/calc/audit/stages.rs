//! The build stages of a Dockerfile: where each begins (its `FROM`, with `ARG`s declared before
//! the first `FROM` substituted), what it is built on (an image, or an earlier stage by name or
//! index), its instructions, and which stages ship — the final stage and, transitively, the
//! stages it is built FROM. A stage only copied from (`COPY --from=`) does not ship.

use crate::model::dockerfile::{Args, Dockerfile, Instruction};

use super::shell;

/// One stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// Index of its `FROM` in the instructions; `None` for instructions before any `FROM`.
    pub from: Option<usize>,
    /// The base as written after substitution: an image reference, or a stage's name.
    pub base: String,
    pub name: Option<String>,
    /// The earlier stage it is built on.
    pub parent: Option<usize>,
    /// Indices of its instructions after the `FROM`.
    pub instructions: Vec<usize>,
}

/// The stages, in order.
pub fn stages(dockerfile: &Dockerfile) -> Vec<Stage> {
    let mut global: Vec<(String, String)> = Vec::new();
    let mut stages: Vec<Stage> = Vec::new();
    let mut named: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (index, instruction) in dockerfile.instructions.iter().enumerate() {
        match instruction.keyword.as_str() {
            "FROM" => {
                let text = instruction.text();
                let words: Vec<&str> = text.split_whitespace().collect();
                let base = substitute(words.first().copied().unwrap_or(""), &global);
                let name = words.get(2).map(|name| name.to_ascii_lowercase());
                let parent = named
                    .get(&base.to_ascii_lowercase())
                    .copied()
                    .or_else(|| base.parse::<usize>().ok().filter(|&n| n < stages.len()));
                if let Some(name) = &name {
                    named.entry(name.clone()).or_insert(stages.len());
                }
                stages.push(Stage {
                    from: Some(index),
                    base,
                    name,
                    parent,
                    instructions: Vec::new(),
                });
            }
            "ARG" if stages.is_empty() => {
                for (name, value) in pairs(instruction) {
                    global.push((name, value));
                }
            }
            _ => {
                if stages.is_empty() {
                    stages.push(Stage {
                        from: None,
                        base: "scratch".to_string(),
                        name: None,
                        parent: None,
                        instructions: Vec::new(),
                    });
                }
                if let Some(stage) = stages.last_mut() {
                    stage.instructions.push(index);
                }
            }
        }
    }
    stages
}

/// Whether each stage ships: the last one and the stages it is built on.
pub fn shipping(stages: &[Stage]) -> Vec<bool> {
    let mut ships = vec![false; stages.len()];
    let mut at = stages.len().checked_sub(1);
    while let Some(index) = at {
        if ships[index] {
            break;
        }
        ships[index] = true;
        at = stages[index].parent;
    }
    ships
}

/// The stage the image of `stage` comes from at the root: follows parents to the first stage
/// built on an image.
pub fn root(stages: &[Stage], stage: usize) -> usize {
    let mut at = stage;
    let mut steps = 0;
    while let Some(parent) = stages[at].parent {
        at = parent;
        steps += 1;
        if steps > stages.len() {
            break;
        }
    }
    at
}

/// The image the final stage is built on at the root (through the stages it is built FROM);
/// `None` for a Dockerfile without `FROM`.
pub fn final_base(dockerfile: &Dockerfile) -> Option<String> {
    let stages = stages(dockerfile);
    let last = stages.len().checked_sub(1)?;
    let root = &stages[root(&stages, last)];
    root.from.map(|_| root.base.clone())
}

/// `$NAME` and `${NAME}` (and `${NAME:-default}`) replaced from `values`; unknown names left.
pub fn substitute(text: &str, values: &[(String, String)]) -> String {
    let lookup = |name: &str| {
        values
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(inner) = after.strip_prefix('{')
            && let Some(end) = inner.find('}')
        {
            let expr = &inner[..end];
            let (name, default) = match expr.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (expr, None),
            };
            match lookup(name)
                .filter(|v| !v.is_empty())
                .or(default.map(str::to_string))
            {
                Some(value) => out.push_str(&value),
                None => out.push_str(&rest[at..at + 2 + end + 1]),
            }
            rest = &inner[end + 1..];
            continue;
        }
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        match lookup(&after[..len]).filter(|_| len > 0) {
            Some(value) => out.push_str(&value),
            None => out.push_str(&rest[at..at + 1 + len]),
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// The `NAME=value` pairs of an `ENV`, `ARG` or `LABEL` (and the legacy `ENV NAME value`).
pub fn pairs(instruction: &Instruction) -> Vec<(String, String)> {
    let text = match &instruction.args {
        Args::Shell(text) => text.clone(),
        Args::Json(words) => words.join(" "),
    };
    let words = shlex::split(&text)
        .unwrap_or_else(|| text.split_whitespace().map(str::to_string).collect());
    if instruction.keyword == "ENV" && words.first().is_some_and(|w| !w.contains('=')) {
        let name = words[0].clone();
        let value = text.trim_start()[name.len()..].trim().to_string();
        return vec![(name, value)];
    }
    words
        .iter()
        .map(|word| match shell::assignment(word) {
            Some(pair) => pair,
            None => (word.clone(), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::dockerfile::parse::parse;

    #[test]
    fn stages_follow_from_and_only_the_final_chain_ships() {
        let file = parse(
            "ARG PY=3.12\nFROM python:${PY} AS base\nENV A=1\nFROM base AS build\nRUN make\nFROM python:${PY}-slim\nCOPY --from=build /x /x\n",
        )
        .unwrap();
        let found = stages(&file);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].base, "python:3.12");
        assert_eq!(found[1].parent, Some(0));
        assert_eq!(found[2].base, "python:3.12-slim");
        assert_eq!(shipping(&found), [false, false, true]);
        let file = parse("FROM a AS one\nFROM one\nRUN x\n").unwrap();
        assert_eq!(shipping(&stages(&file)), [true, true]);
        assert_eq!(root(&stages(&file), 1), 0);
        // Instructions before any FROM form a stage of their own.
        let file = parse("RUN x\n").unwrap();
        assert_eq!(stages(&file)[0].instructions, [0]);
    }

    #[test]
    fn substitution_and_pairs() {
        let values = vec![("A".to_string(), "1".to_string())];
        assert_eq!(substitute("x$A-${A}-${B:-2}-$B", &values), "x1-1-2-$B");
        let file = parse("ENV A=1 B=\"two words\"\nENV C three words\n").unwrap();
        assert_eq!(
            pairs(&file.instructions[0]),
            [("A".into(), "1".into()), ("B".into(), "two words".into())]
        );
        assert_eq!(
            pairs(&file.instructions[1]),
            [("C".into(), "three words".into())]
        );
    }
}
