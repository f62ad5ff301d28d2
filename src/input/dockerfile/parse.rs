//! BuildKit's Dockerfile grammar, line by line as its parser reads it: parser directives
//! (`# syntax=`, `# escape=`, `# check=`) at the very top; blank and comment lines skipped;
//! a line ending in the escape character continued on the next (comment and blank lines within a
//! continuation dropped); the first word the keyword (any case), then `--flags` for the
//! instructions that take them; shell or JSON form; here-documents (`<<EOF`, `<<-EOF`,
//! `<<"EOF"`, `3<<EOF`) of `RUN`, `COPY` and `ADD` read from the lines after the instruction.
//! A file that does not follow it is refused with the line and column BuildKit would stop at.

use crate::model::dockerfile::{Args, Dockerfile, Flag, Heredoc, Instruction};

/// Why a Dockerfile does not parse, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

const KEYWORDS: [&str; 18] = [
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Instructions whose leading `--name=value` words are flags (BuildKit's `BFlags`).
const WITH_FLAGS: [&str; 5] = ["ADD", "COPY", "FROM", "HEALTHCHECK", "RUN"];

/// Instructions that may open here-documents.
const WITH_HEREDOCS: [&str; 3] = ["ADD", "COPY", "RUN"];

/// Parses a whole Dockerfile.
pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect();
    let mut next = 0;
    let mut escape = '\\';
    let mut syntax = None;
    let mut seen: Vec<String> = Vec::new();
    while let Some((key, value)) = lines.get(next).and_then(|line| directive(line)) {
        if seen.contains(&key) {
            return Err(ParseError {
                line: next + 1,
                column: 1,
                message: format!("only one {key} parser directive can be used"),
            });
        }
        match key.as_str() {
            "escape" => {
                escape = match value.as_str() {
                    "\\" => '\\',
                    "`" => '`',
                    other => {
                        return Err(ParseError {
                            line: next + 1,
                            column: 1,
                            message: format!(
                                "invalid escape token '{}' does not match ` or \\",
                                other.escape_debug()
                            ),
                        });
                    }
                }
            }
            "syntax" => syntax = Some(value),
            _ => {}
        }
        seen.push(key);
        next += 1;
    }
    let mut instructions = Vec::new();
    while next < lines.len() {
        let line = lines[next];
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            next += 1;
            continue;
        }
        let start = next;
        let column = line.chars().count() - trimmed.chars().count() + 1;
        let mut logical = String::new();
        let mut current = trimmed;
        loop {
            let (body, continued) = continuation(current, escape);
            logical.push_str(body);
            next += 1;
            if !continued {
                break;
            }
            // Comment and blank lines inside a continuation are dropped.
            while lines
                .get(next)
                .is_some_and(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
            {
                next += 1;
            }
            match lines.get(next) {
                Some(l) => current = l,
                None => break,
            }
        }
        let mut instruction = instruction(&logical, start + 1, column)?;
        instruction.end_line = next;
        read_heredocs(&mut instruction, &lines, &mut next)?;
        instructions.push(instruction);
    }
    Ok(Dockerfile {
        escape,
        syntax,
        instructions,
    })
}

/// A parser directive line: `# key=value` with a key BuildKit knows.
fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.trim().strip_prefix('#')?;
    let (key, value) = rest.split_once('=')?;
    let key = key.trim().to_ascii_lowercase();
    let value = value.trim();
    (["syntax", "escape", "check"].contains(&key.as_str()) && !value.is_empty())
        .then(|| (key, value.to_string()))
}

/// The line without a trailing escape character (and the whitespace after it), and whether it
/// was there.
fn continuation(line: &str, escape: char) -> (&str, bool) {
    let end = line.trim_end_matches([' ', '\t']);
    match end.strip_suffix(escape) {
        Some(body) => (body, true),
        None => (line, false),
    }
}

fn error(line: usize, column: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        column,
        message: message.into(),
    }
}

/// One instruction from its logical line (continuations joined).
fn instruction(logical: &str, line: usize, column: usize) -> Result<Instruction, ParseError> {
    let logical = logical.trim();
    let (word, rest) = logical
        .split_once(char::is_whitespace)
        .unwrap_or((logical, ""));
    let keyword = word.to_ascii_uppercase();
    if !KEYWORDS.contains(&keyword.as_str()) {
        return Err(error(
            line,
            column,
            format!("unknown instruction: {}", crate::model::values::quote(word)),
        ));
    }
    let mut rest = rest.trim_start();
    let mut flags = Vec::new();
    if WITH_FLAGS.contains(&keyword.as_str()) {
        while let Some(flag) = rest.strip_prefix("--") {
            let end = flag.find(char::is_whitespace).unwrap_or(flag.len());
            let word = &flag[..end];
            if word.is_empty() {
                break;
            }
            let (name, value) = match word.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (word, None),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(error(
                    line,
                    column,
                    format!("{keyword}: bad flag {}", crate::model::values::quote(word)),
                ));
            }
            flags.push(Flag {
                name: name.to_string(),
                value,
            });
            rest = flag[end..].trim_start();
        }
    }
    let onbuild = if keyword == "ONBUILD" {
        let inner = instruction(rest, line, column)?;
        if ["ONBUILD", "FROM", "MAINTAINER"].contains(&inner.keyword.as_str()) {
            return Err(error(
                line,
                column,
                format!("{} isn't allowed as an ONBUILD trigger", inner.keyword),
            ));
        }
        Some(Box::new(inner))
    } else {
        None
    };
    let args = if rest.starts_with('[') {
        match serde_json::from_str::<Vec<String>>(rest) {
            Ok(words) => Args::Json(words),
            Err(_) => Args::Shell(rest.to_string()),
        }
    } else {
        Args::Shell(rest.to_string())
    };
    let instruction = Instruction {
        line,
        column,
        end_line: line,
        keyword,
        flags,
        args,
        heredocs: Vec::new(),
        onbuild,
    };
    required(&instruction, rest)?;
    Ok(instruction)
}

/// BuildKit's checks of the argument count.
fn required(instruction: &Instruction, rest: &str) -> Result<(), ParseError> {
    let keyword = instruction.keyword.as_str();
    let words = match &instruction.args {
        Args::Json(words) => words.len(),
        Args::Shell(text) => text.split_whitespace().count(),
    };
    let fail = |message: String| Err(error(instruction.line, instruction.column, message));
    match keyword {
        "FROM" => {
            let parts: Vec<&str> = rest.split_whitespace().collect();
            let ok = parts.len() == 1 || (parts.len() == 3 && parts[1].eq_ignore_ascii_case("as"));
            if !ok {
                return fail(
                    "FROM requires either one or three arguments (FROM IMAGE [AS NAME])"
                        .to_string(),
                );
            }
        }
        "COPY" | "ADD" => {
            let heredocs = heredoc_words(rest).len();
            if words < 2 || (words == heredocs) {
                let said = if words == 1 {
                    "only one was"
                } else {
                    "none were"
                };
                return fail(format!(
                    "{keyword} requires at least two arguments, but {said} provided. \
                     Destination could not be determined"
                ));
            }
        }
        "CMD" | "ENTRYPOINT" => {}
        _ if words == 0 => {
            return fail(format!("{keyword} requires at least one argument"));
        }
        _ => {}
    }
    Ok(())
}

/// The here-document openers among the words of a shell-form line: (name, strip tabs).
fn heredoc_words(rest: &str) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    for word in rest.split_whitespace() {
        let word = word.trim_start_matches(|c: char| c.is_ascii_digit());
        let Some(after) = word.strip_prefix("<<") else {
            continue;
        };
        if after.starts_with('<') {
            continue;
        }
        let (after, strip) = match after.strip_prefix('-') {
            Some(after) => (after, true),
            None => (after, false),
        };
        let name = match after.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let inner = &after[1..];
                match inner.find(quote) {
                    Some(end) => &inner[..end],
                    None => continue,
                }
            }
            _ => {
                let end = after
                    .find(|c: char| !(c.is_alphanumeric() || "_.-".contains(c)))
                    .unwrap_or(after.len());
                &after[..end]
            }
        };
        if !name.is_empty() {
            found.push((name.to_string(), strip));
        }
    }
    found
}

/// Reads the bodies of the here-documents the instruction opens from `lines[*next..]`.
fn read_heredocs(
    instruction: &mut Instruction,
    lines: &[&str],
    next: &mut usize,
) -> Result<(), ParseError> {
    if !WITH_HEREDOCS.contains(&instruction.keyword.as_str()) {
        return Ok(());
    }
    let Args::Shell(rest) = &instruction.args else {
        return Ok(());
    };
    for (name, strip) in heredoc_words(rest) {
        let mut body = String::new();
        loop {
            let Some(line) = lines.get(*next) else {
                return Err(error(
                    instruction.line,
                    instruction.column,
                    format!(
                        "here-document {} is not terminated: no line {} before the end of the file",
                        crate::model::values::quote(&name),
                        crate::model::values::quote(&name)
                    ),
                ));
            };
            *next += 1;
            let line = if strip {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if line == name {
                break;
            }
            body.push_str(line);
            body.push('\n');
        }
        instruction.heredocs.push(Heredoc { name, body });
    }
    instruction.end_line = (*next).max(instruction.end_line);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Instruction {
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.instructions.len(), 1, "{parsed:?}");
        parsed.instructions.into_iter().next().unwrap()
    }

    #[test]
    fn continuations_join_and_drop_comment_lines() {
        let run = one("RUN apt-get update \\\n# a comment\n\n    && apt-get install -y curl\n");
        assert_eq!(
            run.args,
            Args::Shell("apt-get update     && apt-get install -y curl".to_string())
        );
        assert_eq!((run.line, run.end_line), (1, 4));
    }

    #[test]
    fn the_escape_directive_changes_the_continuation_character() {
        let parsed = parse("# escape=`\nFROM windows\nRUN dir C:\\ `\n  && echo done\n").unwrap();
        assert_eq!(parsed.escape, '`');
        assert_eq!(
            parsed.instructions[1].args,
            Args::Shell("dir C:\\   && echo done".to_string())
        );
        // A backslash at the end of a line no longer continues it.
        let parsed = parse("# escape=`\nRUN dir C:\\\nRUN echo\n").unwrap();
        assert_eq!(parsed.instructions.len(), 2);
        let bad = parse("# escape=x\nFROM a\n").unwrap_err();
        assert_eq!((bad.line, bad.column), (1, 1));
    }

    #[test]
    fn directives_stop_at_the_first_other_line() {
        let parsed = parse("# syntax=docker/dockerfile:1\n# escape=`\nFROM a\n").unwrap();
        assert_eq!(parsed.syntax.as_deref(), Some("docker/dockerfile:1"));
        let parsed = parse("# hello\n# escape=`\nFROM a\n").unwrap();
        assert_eq!(parsed.escape, '\\');
    }

    #[test]
    fn heredocs_are_read_after_the_instruction() {
        let parsed = parse(
            "FROM alpine\nRUN <<EOF\napk add curl\nFROM this-is-text\nEOF\nCOPY <<-'A' 3<<B /dst/\n\tone\n\tA\ntwo\nB\nCMD [\"sh\"]\n",
        )
        .unwrap();
        let keywords: Vec<&str> = parsed
            .instructions
            .iter()
            .map(|i| i.keyword.as_str())
            .collect();
        assert_eq!(keywords, ["FROM", "RUN", "COPY", "CMD"]);
        let run = &parsed.instructions[1];
        assert_eq!(run.heredocs[0].body, "apk add curl\nFROM this-is-text\n");
        assert_eq!((run.line, run.end_line), (2, 5));
        let copy = &parsed.instructions[2];
        assert_eq!(copy.heredocs.len(), 2);
        assert_eq!(copy.heredocs[0].body, "one\n");
        assert_eq!(copy.heredocs[1].name, "B");
        assert_eq!(parsed.instructions[3].args, Args::Json(vec!["sh".into()]));
        let open = parse("FROM a\nRUN <<EOF\necho\n").unwrap_err();
        assert_eq!((open.line, open.column), (2, 1));
        // A here-string is not a here-document.
        assert!(one("RUN cat <<<hello").heredocs.is_empty());
    }

    #[test]
    fn flags_are_split_off_and_mounts_kept() {
        let run = one("RUN --mount=type=cache,target=/var/cache/apt --network=none apt-get update");
        assert_eq!(run.flags.len(), 2);
        assert_eq!(
            run.flag_values("mount").collect::<Vec<_>>(),
            ["type=cache,target=/var/cache/apt"]
        );
        assert_eq!(run.args, Args::Shell("apt-get update".to_string()));
        let from = one("FROM --platform=$BUILDPLATFORM golang:1.22 AS build");
        assert_eq!(from.args, Args::Shell("golang:1.22 AS build".to_string()));
        // ENV does not take flags.
        assert_eq!(one("ENV --x=1").flags.len(), 0);
    }

    #[test]
    fn onbuild_carries_an_instruction() {
        let onbuild = one("onbuild run pip install x");
        assert_eq!(onbuild.keyword, "ONBUILD");
        assert_eq!(onbuild.onbuild.as_ref().unwrap().keyword, "RUN");
        assert!(parse("ONBUILD FROM x").is_err());
    }

    #[test]
    fn missing_arguments_and_unknown_keywords_name_line_and_column() {
        let bare = parse("FROM alpine\n  COPY\n").unwrap_err();
        assert_eq!((bare.line, bare.column), (2, 3));
        assert!(
            bare.message
                .contains("COPY requires at least two arguments"),
            "{}",
            bare.message
        );
        assert!(parse("FROM alpine\nCOPY src\n").is_err());
        assert!(parse("FROM alpine\nCOPY <<EOF\nx\nEOF\n").is_err());
        assert!(parse("FROM alpine\nCOPY <<EOF /x\nx\nEOF\n").is_ok());
        let unknown = parse("FROM alpine\nRUNN x\n").unwrap_err();
        assert_eq!((unknown.line, unknown.column), (2, 1));
        assert!(unknown.message.contains("unknown instruction"));
        assert!(parse("FROM\n").is_err());
        assert!(parse("FROM a b\n").is_err());
        assert!(parse("RUN\n").is_err());
        assert!(parse("ARG X\nFROM python:${X} AS b\n").is_ok());
    }
}
