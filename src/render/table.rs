//! Text tables for the terminal: every cell padded and cut by its display width, so a wide
//! character (`支付服务-网关` takes two columns a character) keeps every later column in place.
//! One type for every text renderer.

use unicode_width::UnicodeWidthStr;

/// Which side of its column a cell keeps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table's columns: their widths in terminal columns, alignment, and the gap between them.
#[derive(Debug, Clone)]
pub struct Table {
    columns: Vec<(usize, Align)>,
    gap: &'static str,
}

impl Table {
    /// Columns of `(width, alignment)`, separated by `gap`. A cell wider than its column is
    /// written whole (cut it with [`truncate`] first where the layout matters).
    pub fn new(columns: &[(usize, Align)], gap: &'static str) -> Table {
        Table {
            columns: columns.to_vec(),
            gap,
        }
    }

    /// One line of `cells`; cells past the last column are written as they are.
    pub fn row(&self, cells: &[&str]) -> String {
        let mut line = String::new();
        for (index, cell) in cells.iter().enumerate() {
            if index > 0 {
                line.push_str(self.gap);
            }
            match self.columns.get(index) {
                Some(&(width, align)) => line.push_str(&pad(cell, width, align)),
                None => line.push_str(cell),
            }
        }
        line
    }
}

/// Columns `text` takes on a terminal.
pub fn width(text: &str) -> usize {
    text.width()
}

/// `text` padded with spaces to `columns` display columns.
pub fn pad(text: &str, columns: usize, align: Align) -> String {
    let fill = " ".repeat(columns.saturating_sub(width(text)));
    match align {
        Align::Left => format!("{text}{fill}"),
        Align::Right => format!("{fill}{text}"),
    }
}

/// Shortens `text` to at most `columns` display columns, ending with `…` when cut.
pub fn truncate(text: &str, columns: usize) -> String {
    if width(text) <= columns {
        return text.to_string();
    }
    let mut cut = String::new();
    let mut used = 0;
    for character in text.chars() {
        let wide = unicode_width::UnicodeWidthChar::width(character).unwrap_or(0);
        if used + wide + 1 > columns {
            break;
        }
        used += wide;
        cut.push(character);
    }
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_take_two_columns() {
        let table = Table::new(&[(10, Align::Left), (6, Align::Right)], " ");
        let ascii = table.row(&["payments", "1 MB", "x"]);
        let wide = table.row(&["支付服务", "1 MB", "x"]);
        assert_eq!(ascii, "payments     1 MB x");
        assert_eq!(wide, "支付服务     1 MB x");
        assert_eq!(width(&ascii), width(&wide));
        assert_eq!(ascii.find("1 MB"), Some(13));
    }

    #[test]
    fn truncation_keeps_the_display_width() {
        assert_eq!(truncate("payments-gateway-service", 10), "payments-…");
        assert_eq!(truncate("api", 10), "api");
        assert_eq!(truncate("ééééééé", 4), "ééé…");
        let cut = truncate("支付服务-网关-服务", 9);
        assert_eq!(cut, "支付服务…");
        assert!(width(&cut) <= 9);
    }
}
