//! Text edits: byte ranges of the original text and what replaces them.

use std::fmt::Write as _;

/// One replacement of `start..end` of the original text by `text`. An insertion has
/// `start == end`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    /// Byte offset of the first byte replaced.
    pub start: usize,
    /// Byte offset one past the last byte replaced.
    pub end: usize,
    /// The new text.
    pub text: String,
    /// Among insertions at one offset, higher goes first. Set to the indentation of what is
    /// inserted: when a container's new keys and its pod's new `volumes` land at the same
    /// offset, the deeper lines must come first or they would belong to the wrong mapping.
    pub order: usize,
}

impl TextEdit {
    /// Inserts `text` at `at`.
    pub fn insert(at: usize, text: String, order: usize) -> TextEdit {
        TextEdit {
            start: at,
            end: at,
            text,
            order,
        }
    }

    /// Replaces `start..end` by `text`.
    pub fn replace(start: usize, end: usize, text: String) -> TextEdit {
        TextEdit {
            start,
            end,
            text,
            order: 0,
        }
    }
}

/// Applies `edits` to `text`. Fails (naming the offsets) when two edits overlap or one falls
/// outside the text or inside a character: both mean a bug in the fix, and a half-applied edit
/// must never reach a file.
pub fn apply(text: &str, edits: &[TextEdit]) -> Result<String, String> {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by(|a, b| {
        (a.start, a.end, std::cmp::Reverse(a.order)).cmp(&(
            b.start,
            b.end,
            std::cmp::Reverse(b.order),
        ))
    });
    let mut out =
        String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for edit in sorted {
        if edit.start < at || edit.end < edit.start || edit.end > text.len() {
            let mut message = String::new();
            let _ = write!(
                message,
                "edits overlap or leave the text at bytes {}..{}",
                edit.start, edit.end
            );
            return Err(message);
        }
        let (Some(before), Some(_)) = (text.get(at..edit.start), text.get(edit.start..edit.end))
        else {
            return Err(format!("an edit splits a character at byte {}", edit.start));
        };
        out.push_str(before);
        out.push_str(&edit.text);
        at = edit.end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    Ok(out)
}

/// The line ending a file uses: CRLF when its first line ends so, else LF.
pub fn newline_of(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The offset where the line holding `offset` starts.
pub fn line_start(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

/// The offset just past the line terminator of the line holding `offset`, or the end of the
/// text for its last line. An offset that already starts a line is returned as it is: it is
/// where the previous line's content ended (a block scalar's span ends so).
pub fn after_line(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    if offset > 0 && text.as_bytes()[offset - 1] == b'\n' {
        return offset;
    }
    text.as_bytes()[offset..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| offset + i + 1)
}

/// The offset where the content of the line holding `offset` ends: before its `\r\n` or `\n`.
pub fn line_content_end(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    match text.as_bytes()[offset..].iter().position(|&b| b == b'\n') {
        Some(i) => {
            let nl = offset + i;
            if nl > 0 && text.as_bytes()[nl - 1] == b'\r' {
                nl - 1
            } else {
                nl
            }
        }
        None => text.len(),
    }
}

/// The column (in bytes) of `offset` on its line.
pub fn column(text: &str, offset: usize) -> usize {
    offset.min(text.len()) - line_start(text, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_in_order_and_deeper_insertions_first() {
        let text = "a: 1\nb: 2\n";
        let edits = vec![
            TextEdit::insert(5, "  pod\n".into(), 2),
            TextEdit::insert(5, "    container\n".into(), 4),
            TextEdit::replace(3, 4, "9".into()),
        ];
        assert_eq!(
            apply(text, &edits).unwrap(),
            "a: 9\n    container\n  pod\nb: 2\n"
        );
    }

    #[test]
    fn overlapping_edits_are_refused() {
        let edits = vec![
            TextEdit::replace(0, 3, "x".into()),
            TextEdit::replace(2, 4, "y".into()),
        ];
        assert!(apply("abcdef", &edits).is_err());
        assert!(apply("ab", &[TextEdit::replace(1, 9, String::new())]).is_err());
        assert!(apply("é", &[TextEdit::insert(1, "x".into(), 0)]).is_err());
    }

    #[test]
    fn line_helpers() {
        let text = "ab\r\ncd";
        assert_eq!(newline_of(text), "\r\n");
        assert_eq!(newline_of("a\nb"), "\n");
        assert_eq!(after_line(text, 1), 4);
        assert_eq!(after_line(text, 4), 4);
        assert_eq!(after_line(text, 5), 6);
        assert_eq!(line_content_end(text, 0), 2);
        assert_eq!(line_start(text, 5), 4);
        assert_eq!(column(text, 5), 1);
    }
}
