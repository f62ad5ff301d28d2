//! A RUN's shell script as the commands it runs: the script is cut at `&&`, `||`, `;`, `|`,
//! `&` and newlines outside quotes, `$(…)` and backticks, then each part is split into words as
//! a POSIX shell would (`shlex`), its leading `NAME=value` assignments set apart. Rules see
//! commands and their words, never substrings of the script.

/// One simple command.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Command {
    /// `NAME=value` assignments before the command name.
    pub env: Vec<(String, String)>,
    /// The command name then its arguments (`sudo`/`env` in front skipped).
    pub words: Vec<String>,
}

impl Command {
    /// The command's name without its directory: `/usr/bin/pip3` → `pip3`.
    pub fn name(&self) -> &str {
        self.words
            .first()
            .map(|word| word.rsplit('/').next().unwrap_or(word))
            .unwrap_or("")
    }

    /// The arguments after the name.
    pub fn args(&self) -> &[String] {
        self.words.get(1..).unwrap_or(&[])
    }

    /// Whether an argument equals `word`.
    pub fn has(&self, word: &str) -> bool {
        self.args().iter().any(|arg| arg == word)
    }

    /// The first argument that is not an option nor the value of `-o`/`-c` (`dnf -y install` →
    /// `install`, `apt-get -o Dpkg::Use-Pty=0 install` → `install`).
    pub fn subcommand(&self) -> Option<&str> {
        let mut args = self.args().iter();
        while let Some(arg) = args.next() {
            if arg == "-o" || arg == "-c" {
                args.next();
            } else if !arg.starts_with('-') {
                return Some(arg);
            }
        }
        None
    }

    /// The arguments that are not options.
    pub fn operands(&self) -> impl Iterator<Item = &str> {
        self.args()
            .iter()
            .filter(|arg| !arg.starts_with('-'))
            .map(String::as_str)
    }
}

/// The commands of a script, in order.
pub fn commands(script: &str) -> Vec<Command> {
    parts(script)
        .into_iter()
        .filter_map(|part| command(&part))
        .collect()
}

/// The script cut at its control operators.
fn parts(script: &str) -> Vec<String> {
    let chars: Vec<char> = script.chars().collect();
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut i = 0;
    let (mut single, mut double, mut backtick) = (false, false, false);
    let mut depth = 0usize;
    let mut at_word_start = true;
    while i < chars.len() {
        let c = chars[i];
        if single {
            single = c != '\'';
            current.push(c);
            i += 1;
            continue;
        }
        match c {
            '\\' => {
                current.push(c);
                if let Some(&next) = chars.get(i + 1) {
                    if next == '\n' {
                        current.pop();
                        current.push(' ');
                    } else {
                        current.push(next);
                    }
                }
                i += 2;
                at_word_start = false;
                continue;
            }
            '\'' if !double => single = true,
            '"' => double = !double,
            '`' => backtick = !backtick,
            '$' if chars.get(i + 1) == Some(&'(') => {
                depth += 1;
                current.push_str("$(");
                i += 2;
                continue;
            }
            ')' if depth > 0 => depth -= 1,
            '#' if at_word_start && !double && !backtick && depth == 0 => {
                // A comment runs to the end of the line.
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '&' | '|' | ';' | '\n' if !double && !backtick && depth == 0 => {
                if chars.get(i + 1) == Some(&c) && c != '\n' {
                    i += 1;
                }
                parts.push(std::mem::take(&mut current));
                i += 1;
                at_word_start = true;
                continue;
            }
            _ => {}
        }
        at_word_start = c.is_whitespace() || c == '(' || c == '{';
        current.push(c);
        i += 1;
    }
    parts.push(current);
    parts
}

/// One part as a command; `None` when it has no words.
fn command(part: &str) -> Option<Command> {
    let part = part.trim().trim_start_matches(['(', '{', '!']).trim();
    let part = part.trim_end_matches([')', '}']).trim();
    if part.is_empty() {
        return None;
    }
    let words =
        shlex::split(part).unwrap_or_else(|| part.split_whitespace().map(str::to_string).collect());
    let mut command = Command::default();
    let mut words = words.into_iter().peekable();
    while let Some(word) = words.peek() {
        match assignment(word) {
            Some(pair) if command.words.is_empty() => {
                command.env.push(pair);
                words.next();
            }
            _ => break,
        }
    }
    let words: Vec<String> = words.collect();
    let mut start = 0;
    while matches!(
        words.get(start).map(String::as_str),
        Some("sudo" | "env" | "exec" | "time" | "nohup")
    ) {
        start += 1;
        while let Some(pair) = words.get(start).and_then(|w| assignment(w)) {
            command.env.push(pair);
            start += 1;
        }
    }
    command.words = words.into_iter().skip(start).collect();
    (!command.words.is_empty() || !command.env.is_empty()).then_some(command)
}

/// `NAME=value` as a shell assignment.
pub fn assignment(word: &str) -> Option<(String, String)> {
    let (name, value) = word.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    ((first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
    .then(|| (name.to_string(), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(script: &str) -> Vec<String> {
        commands(script).iter().map(|c| c.words.join(" ")).collect()
    }

    #[test]
    fn operators_outside_quotes_cut_commands() {
        assert_eq!(
            names("apt-get update && apt-get install -y curl; rm -rf /x | tee y || true & z"),
            [
                "apt-get update",
                "apt-get install -y curl",
                "rm -rf /x",
                "tee y",
                "true",
                "z"
            ]
        );
        assert_eq!(names("echo 'a && b' \"c; d\""), ["echo a && b c; d"]);
        assert_eq!(names("x=\"$(ls && pwd)\" echo; y"), ["echo", "y"]);
        assert_eq!(commands("bash -c `# not even a yum command`").len(), 1);
        assert_eq!(names("a\nb # c && d\ne"), ["a", "b", "e"]);
    }

    #[test]
    fn assignments_before_the_name_are_set_apart() {
        let found = commands("PIP_NO_CACHE_DIR=1 pip install x");
        assert_eq!(found[0].env, [("PIP_NO_CACHE_DIR".into(), "1".into())]);
        assert_eq!(found[0].name(), "pip");
        assert_eq!(found[0].subcommand(), Some("install"));
        assert_eq!(
            commands("sudo /usr/bin/apt-get -y install x")[0].name(),
            "apt-get"
        );
    }
}
