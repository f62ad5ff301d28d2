//! Escaping invariants, per output format, shared by the hostile-name tests
//! (`tests/cli/hostile.rs`) and the inventory fuzz targets (which check every name the fuzzer
//! makes up): terminal output carries no control character and no bidirectional override; Markdown
//! has no raw `<` but fleetsave's own tags, no `|` that splits a cell, no line break inside a row,
//! no link, image or raw HTML from input and no `@mention` or `#123` once rendered, and Mermaid
//! labels only Mermaid's entity codes; HTML and SVG have no tag or attribute from input, every `&`
//! starts an entity, and no control character. In every format, no GitHub Actions workflow
//! command from input: no line starting with `::` (after blanks), no `##[` anywhere
//! ([`assert_no_runner_command`]); Markdown also has no bare URL GitHub would link and no `$…$`
//! math from input.

/// Characters no terminal output may carry from input: controls (ESC, CR, BEL, NUL, …) and
/// bidirectional overrides and isolates.
pub fn is_forbidden_in_terminal(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

pub fn assert_terminal_safe(output: &str, what: &str) {
    assert_terminal_characters(output, what);
    assert_no_runner_command(output, what);
}

/// [`assert_terminal_safe`] without the runner-command rule, for fleetsave's own annotation lines.
pub fn assert_terminal_characters(output: &str, what: &str) {
    if let Some(c) = output.chars().find(|&c| is_forbidden_in_terminal(c)) {
        panic!("{what}: {c:?} from input reached the terminal output");
    }
}

/// JSON: valid, and no runner command in its text (strings break them with `\u003a`/`\u005b`).
pub fn assert_json_safe(json: &str, what: &str) {
    serde_json::from_str::<serde_json::Value>(json)
        .unwrap_or_else(|error| panic!("{what}: invalid JSON: {error}"));
    assert_no_runner_command(json, what);
    assert!(!json.contains("::"), "{what}: '::' in the JSON text");
}

/// The tags fleetsave's own Markdown uses; any other `<` is input that escaped escaping.
const MARKDOWN_TAGS: &[&str] = &[
    "<!-- fleetsave:",
    "<details>",
    "<summary>",
    "</summary>",
    "</details>",
    "<sub>",
    "</sub>",
];

/// No line the GitHub Actions runner would read as a workflow command: `::` at the start of a
/// line (after blanks, as the runner trims them) or `##[` anywhere in it.
pub fn assert_no_runner_command(output: &str, what: &str) {
    for line in output.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "{what}: a line starts a runner command: {}",
            &line[..line.len().min(80)]
        );
        assert!(
            !line.contains("##["),
            "{what}: a line holds a runner command ##[: {}",
            &line[..line.len().min(80)]
        );
    }
}

/// fleetsave's own annotation lines: each starts `::error title=…::` or `::warning title=…::`,
/// its title is escaped as the runner's toolkit does, and its message holds no `::` nor `##[`.
pub fn assert_annotations_safe(annotations: &str) {
    for line in annotations.lines() {
        let rest = line
            .strip_prefix("::error title=")
            .or_else(|| line.strip_prefix("::warning title="))
            .unwrap_or_else(|| panic!("not an annotation of fleetsave's: {line}"));
        let (title, message) = rest
            .split_once("::")
            .unwrap_or_else(|| panic!("an annotation without a message: {line}"));
        assert!(
            !title.contains([':', ',', '\r', '\n']),
            "an unescaped property: {title}"
        );
        assert!(
            !message.contains("::") && !message.contains("##["),
            "a runner command in an annotation message: {message}"
        );
    }
}

pub fn assert_markdown_safe(markdown: &str, cells_per_row: usize) {
    assert_no_control(markdown, "Markdown");
    assert_no_runner_command(markdown, "Markdown");
    for (index, _) in markdown.match_indices('<') {
        let rest = &markdown[index..];
        assert!(
            MARKDOWN_TAGS.iter().any(|tag| rest.starts_with(tag)),
            "raw '<' in Markdown: {}",
            &rest[..rest.len().min(40)]
        );
    }
    // Table rows: exactly the columns of the header, each row on one line.
    let mut in_services_table = false;
    for line in markdown.lines() {
        if line.starts_with("| service |") || line.starts_with("| result |") {
            in_services_table = true;
        } else if !line.starts_with('|') {
            in_services_table = false;
        }
        if in_services_table {
            assert_eq!(
                line.matches('|').count(),
                cells_per_row + 1,
                "a table row split or joined: {line}"
            );
        }
    }
    // Mentions and issue references: not once GitHub has decoded the entities (it links them
    // in text, not in code blocks such as the Mermaid chart).
    let mut rendered_text = String::new();
    let mut rendered_html = String::new();
    let mut in_code_block = false;
    let options = pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_MATH;
    for event in pulldown_cmark::Parser::new_ext(markdown, options) {
        match &event {
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::CodeBlock(_)) => in_code_block = true,
            pulldown_cmark::Event::End(pulldown_cmark::TagEnd::CodeBlock) => in_code_block = false,
            // Text runs are joined as GitHub sees them: pulldown-cmark splits a run at each
            // entity (`&#64;channel` is `@` then `channel`), GitHub links across the split.
            pulldown_cmark::Event::Text(text) if !in_code_block => rendered_text.push_str(text),
            pulldown_cmark::Event::End(_)
            | pulldown_cmark::Event::Code(_)
            | pulldown_cmark::Event::SoftBreak
            | pulldown_cmark::Event::HardBreak => rendered_text.push('\n'),
            pulldown_cmark::Event::Html(html) | pulldown_cmark::Event::InlineHtml(html) => {
                rendered_html.push_str(html);
            }
            pulldown_cmark::Event::InlineMath(_) | pulldown_cmark::Event::DisplayMath(_) => {
                panic!("input became math: {event:?}")
            }
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { .. })
            | pulldown_cmark::Event::Start(pulldown_cmark::Tag::Image { .. }) => {
                panic!("input became a link or image: {event:?}")
            }
            _ => {}
        }
    }
    assert_no_mention(&rendered_text, "the rendered Markdown");
    // GitHub links bare URLs in text (pulldown-cmark does not): none may be left whole.
    let lower = rendered_text.to_lowercase();
    for url in ["://", "www."] {
        assert!(
            !lower.contains(url),
            "the rendered Markdown holds a bare URL ({url}) GitHub would link"
        );
    }
    for tag in ["<script", "<img", "<svg", "onerror", "onload"] {
        assert!(!rendered_html.contains(tag), "raw HTML {tag} from input");
    }
}

/// Markdown and HTML may keep a bidirectional override as text (HTML isolates input in
/// `<bdi>`); every other control character must be gone.
pub fn assert_no_control(output: &str, what: &str) {
    if let Some(c) = output.chars().find(|&c| c.is_control() && c != '\n') {
        panic!("{what}: control character {c:?} from input in the output");
    }
}

pub fn assert_no_mention(text: &str, what: &str) {
    let chars: Vec<char> = text.chars().collect();
    for window in chars.windows(2) {
        if window[0] == '@' && window[1].is_alphanumeric() {
            panic!("{what} holds an @mention");
        }
        if window[0] == '#' && window[1].is_ascii_digit() {
            panic!("{what} holds an issue reference (#123)");
        }
    }
}

/// Mermaid labels (when there is a chart): only the characters `escape_mermaid` lets through, and its entity codes.
pub fn assert_mermaid_safe(markdown: &str) {
    let Some(start) = markdown.find("```mermaid\n") else {
        return;
    };
    let block = &markdown[start..];
    let block = &block[..block[11..].find("```").unwrap() + 11];
    let axis = block
        .lines()
        .find(|line| line.trim_start().starts_with("x-axis"))
        .expect("an x-axis line");
    let labels = axis
        .trim()
        .strip_prefix("x-axis [")
        .and_then(|rest| rest.strip_suffix(']'))
        .expect("x-axis [labels]");
    // `"a", "b, c"`: labels may hold `, ` but never `"`, so every second quote closes one.
    let mut rest = labels;
    while !rest.is_empty() {
        let (inner, after) = rest
            .strip_prefix('"')
            .and_then(|open| open.split_once('"'))
            .unwrap_or_else(|| panic!("label not quoted: {rest}"));
        rest = after.strip_prefix(", ").unwrap_or(after);
        assert!(
            after.is_empty() || after.starts_with(", "),
            "a quote inside a label: {inner}\"{after}"
        );
        assert!(
            inner.chars().all(|c| c.is_alphanumeric()
                || matches!(c, ' ' | '-' | '_' | '.' | ':' | '/' | ',' | '#' | ';' | '…')),
            "Mermaid label breaks out: {inner}"
        );
        assert!(!inner.contains("-->"), "{inner}");
    }
}

/// HTML or SVG: no tag or attribute from input, no control characters.
pub fn assert_markup_safe(markup: &str, what: &str) {
    assert_no_control(markup, what);
    assert_no_runner_command(markup, what);
    let lower = markup.to_lowercase();
    assert!(!lower.contains("<script"), "{what}: <script> from input");
    assert!(!lower.contains("<img"), "{what}: <img> from input");
    // Every tag is fleetsave's: none carries an event handler or a javascript: URL.
    let mut rest = lower.as_str();
    while let Some(open) = rest.find('<') {
        let after = &rest[open..];
        let close = after.find('>').unwrap_or(after.len());
        let tag = &after[..close];
        for bad in ["onerror", "onload", "javascript:", "<svg onload"] {
            assert!(!tag.contains(bad), "{what}: {bad} inside the tag {tag}");
        }
        rest = &after[close.min(after.len())..];
        if rest.is_empty() {
            break;
        }
        rest = &rest[1.min(rest.len())..];
    }
    // Every '&' starts an entity.
    for (index, _) in markup.match_indices('&') {
        let entity = &markup[index..];
        let end = entity.find(';').unwrap_or(0);
        assert!(
            end > 1
                && end < 12
                && entity[1..end]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '#'),
            "{what}: bare & at {}",
            &entity[..entity.len().min(20)]
        );
    }
}
