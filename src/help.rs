//! `--help` text, laid out from tables: each option or variable is one row whose text names its
//! default through the constant the code uses, so the help cannot drift from the behaviour.

/// One option or variable and what it does.
pub(crate) struct Row {
    pub(crate) name: &'static str,
    pub(crate) text: String,
}

pub(crate) fn row(name: &'static str, text: impl Into<String>) -> Row {
    Row {
        name,
        text: text.into(),
    }
}

/// A titled list of rows; `notes` follow the rows as they are.
pub(crate) struct Section {
    pub(crate) title: &'static str,
    pub(crate) rows: Vec<Row>,
    pub(crate) notes: &'static str,
}

/// The longest line the help wraps to.
const WIDTH: usize = 96;
/// Names longer than this put their text on the next line.
const NAME_COLUMN: usize = 30;

/// `head`, then each section: its title, then the rows with their texts aligned in one column
/// and wrapped at [`WIDTH`], then the section's notes; `tail` last.
pub(crate) fn render(head: &str, sections: &[Section], tail: &str) -> String {
    let mut out = head.to_string();
    for section in sections {
        out.push('\n');
        out.push_str(section.title);
        out.push_str(":\n");
        let column = section
            .rows
            .iter()
            .map(|row| row.name.len())
            .filter(|len| *len <= NAME_COLUMN)
            .max()
            .unwrap_or(0)
            + 4;
        for row in &section.rows {
            push_row(&mut out, row, column);
        }
        out.push_str(section.notes);
    }
    out.push_str(tail);
    out
}

fn push_row(out: &mut String, row: &Row, column: usize) {
    let mut line = format!("  {}", row.name);
    if line.len() + 2 > column {
        out.push_str(&line);
        out.push('\n');
        line.clear();
    }
    for word in row.text.split(' ') {
        let indent = column.saturating_sub(line.len());
        let fits = line.len() + indent.max(1) + word.len() <= WIDTH;
        if line.trim().is_empty() || line.len() < column {
            line.push_str(&" ".repeat(indent));
        } else if fits {
            line.push(' ');
        } else {
            out.push_str(&line);
            out.push('\n');
            line = " ".repeat(column);
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_align_and_wrap_under_their_column() {
        let sections = [Section {
            title: "Options",
            rows: vec![
                row("--app DIR", "the app directory"),
                row(
                    "--format text|json",
                    format!(
                        "one word after another, {}",
                        "wrapped ".repeat(12).trim_end()
                    ),
                ),
                row("--an-option-whose-name-is-far-too-long", "below it"),
            ],
            notes: "  a note\n",
        }];
        assert_eq!(
            render("Usage: x\n", &sections, "\nbye\n"),
            "Usage: x\n\
             \nOptions:\n\
             \x20 --app DIR           the app directory\n\
             \x20 --format text|json  one word after another, wrapped wrapped wrapped wrapped wrapped wrapped\n\
             \x20                     wrapped wrapped wrapped wrapped wrapped wrapped\n\
             \x20 --an-option-whose-name-is-far-too-long\n\
             \x20                     below it\n\
             \x20 a note\n\
             \nbye\n"
        );
    }

    #[test]
    fn no_line_is_longer_than_the_width_unless_one_word_is() {
        let sections = [Section {
            title: "T",
            rows: vec![row("--x", "word ".repeat(60).trim_end().to_string())],
            notes: "",
        }];
        for line in render("", &sections, "").lines() {
            assert!(line.len() <= WIDTH, "{line}");
        }
    }
}
