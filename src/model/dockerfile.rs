//! A Dockerfile as BuildKit reads it: parser directives, then instructions, each with the line
//! and column it starts at, its `--flags`, its arguments in shell or JSON (exec) form and its
//! here-documents. Read by `input::dockerfile`; judged by `calc::audit`.

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// The escape character (`# escape=` directive; `\` by default).
    pub escape: char,
    /// The `# syntax=` directive, when given.
    pub syntax: Option<String>,
    pub instructions: Vec<Instruction>,
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// 1-based line of the keyword.
    pub line: usize,
    /// 1-based column of the keyword.
    pub column: usize,
    /// The last line the instruction spans (continuations and here-documents included).
    pub end_line: usize,
    /// The keyword in upper case: `RUN`, `COPY`, ….
    pub keyword: String,
    /// Leading `--name[=value]` flags, in order.
    pub flags: Vec<Flag>,
    pub args: Args,
    /// Here-documents opened on the instruction's line, in order.
    pub heredocs: Vec<Heredoc>,
    /// The instruction `ONBUILD` carries.
    pub onbuild: Option<Box<Instruction>>,
}

/// A `--name[=value]` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
}

/// The arguments after the flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// Shell form: the text with continuations joined (escape and newline removed).
    Shell(String),
    /// JSON (exec) form: `["a", "b"]`.
    Json(Vec<String>),
}

/// A here-document: `<<EOF` … `EOF`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub name: String,
    /// The body, each line ending in a newline (leading tabs removed for `<<-`).
    pub body: String,
}

impl Instruction {
    /// The shell-form text, or the exec-form words joined by spaces.
    pub fn text(&self) -> String {
        match &self.args {
            Args::Shell(text) => text.clone(),
            Args::Json(words) => words.join(" "),
        }
    }

    /// The values of every flag named `name`.
    pub fn flag_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.flags
            .iter()
            .filter(move |flag| flag.name == name)
            .filter_map(|flag| flag.value.as_deref())
    }
}
