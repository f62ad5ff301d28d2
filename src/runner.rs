//! GitHub Actions reads workflow commands from a job's output: `::command::…` at the start of a
//! line (after blanks) and, in the older syntax, `##[command]…` anywhere in a line. Text from
//! input (service names, image references and tags, titles, file names) must never form one in
//! anything fleetsave writes. [`break_commands`] breaks every `::` and every `##[` in a string,
//! each format with its own invisible means: a zero-width joiner in text and SVG, character
//! references in Markdown and HTML (readers see the text unchanged), `\u003a`/`\u005b` in JSON
//! (parsers read it back exactly).

/// A zero-width joiner: invisible, and not a blank the runner would skip.
pub const JOINER: char = '\u{200D}';

/// A piece of a string split at the commands it would form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part<'a> {
    /// Text that forms no command (it may end in `:` or `##`).
    Text(&'a str),
    /// The second `:` of a `::` (and each further `:` of the run).
    Colon,
    /// The `[` of a `##[`.
    Bracket,
}

/// Splits `input` into [`Part`]s: every `::` and `##[` is cut before its last character, which
/// becomes a [`Part::Colon`] or [`Part::Bracket`] for the format to write its own way.
pub fn parts(input: &str) -> Vec<Part<'_>> {
    let mut parts = Vec::new();
    let mut start = 0;
    // The last two characters of the current text part.
    let mut last = ['\0', '\0'];
    for (index, c) in input.char_indices() {
        let part = match c {
            ':' if last[1] == ':' => Part::Colon,
            '[' if last == ['#', '#'] => Part::Bracket,
            c => {
                last = [last[1], c];
                continue;
            }
        };
        if start < index {
            parts.push(Part::Text(&input[start..index]));
        }
        parts.push(part);
        start = index + c.len_utf8();
        // Every further `:` of a run is a break too; after a bracket, text starts afresh.
        last = if part == Part::Colon {
            ['\0', ':']
        } else {
            ['\0', '\0']
        };
    }
    if start < input.len() {
        parts.push(Part::Text(&input[start..]));
    }
    parts
}

/// Copies `input` into `out`: text through `push` (the format's own escaping, a character at a
/// time), the breaks of [`parts`] as `colon` and `bracket`.
pub fn break_commands_with(
    input: &str,
    out: &mut String,
    colon: &str,
    bracket: &str,
    mut push: impl FnMut(&mut String, char),
) {
    for part in parts(input) {
        match part {
            Part::Text(text) => text.chars().for_each(|c| push(out, c)),
            Part::Colon => out.push_str(colon),
            Part::Bracket => out.push_str(bracket),
        }
    }
}

/// [`break_commands_with`] for plain text (terminals, SVG labels, annotation messages): a
/// zero-width joiner goes between the two colons and before the bracket.
pub fn break_commands(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 6);
    break_commands_with(input, &mut out, "\u{200D}:", "\u{200D}[", |out, c| {
        out.push(c)
    });
    out
}

/// Whether `input` holds anything [`break_commands_with`] would break.
pub fn holds_command(input: &str) -> bool {
    // One pass over the bytes: most strings are short, where `str::contains` spends more on
    // setting up its searcher than on searching (a fifth of the time of a large JSON report).
    let bytes = input.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b':' => bytes.get(i + 1) == Some(&b':'),
        b'#' => bytes.get(i + 1..i + 3) == Some(b"#[".as_slice()),
        _ => false,
    })
}

/// Whether `line` would be read by the runner as a command: `::` at its start (after blanks) or
/// `##[` anywhere.
pub fn is_command(line: &str) -> bool {
    line.trim_start().starts_with("::") || line.contains("##[")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_broken_everywhere() {
        for input in [
            "::error::PWNED",
            "::add-mask::x",
            "##[stop-commands]token",
            "text ##[cmd] here",
            ":::::",
            "####[[[",
            "a::b::c",
        ] {
            let broken = break_commands(input);
            assert!(!broken.contains("::"), "{broken:?}");
            assert!(!broken.contains("##["), "{broken:?}");
            assert_eq!(broken.replace(JOINER, ""), input, "only joiners are added");
        }
        assert_eq!(break_commands("a:b #[x] #"), "a:b #[x] #");
        assert_eq!(
            parts("a::b##[c"),
            [
                Part::Text("a:"),
                Part::Colon,
                Part::Text("b##"),
                Part::Bracket,
                Part::Text("c")
            ]
        );
        assert_eq!(break_commands("::x"), ":\u{200D}:x");
        assert_eq!(break_commands("##[x"), "##\u{200D}[x");
        assert!(is_command("  ::error::x"));
        assert!(is_command("text ##[cmd]"));
        assert!(!is_command("a ::b"));
    }

    #[test]
    fn holds_command_finds_exactly_what_the_substring_search_finds() {
        for input in [
            "",
            ":",
            "::",
            "a:b",
            "a::",
            "#",
            "##",
            "##[",
            "#[",
            "# #[",
            "###[",
            "x##",
            "é::",
            "é##[é",
            "é:é:é",
            "##\u{1F600}[",
            "::\n",
            "a#",
            "a##",
            ":#:#[",
        ] {
            assert_eq!(
                holds_command(input),
                input.contains("::") || input.contains("##["),
                "{input:?}"
            );
        }
    }
}
